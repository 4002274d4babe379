/**
 * A campaign's run buttons: Start (a draft), Pause, Resume, Cancel (asks first, and says that
 * calls in progress finish). The callbacks queue pauses and resumes; it is never cancelled.
 */
import { useState } from 'react';
import type { CampaignSummary } from '@shared/campaign';
import { Button } from '../../components/ui/Button';
import { Modal } from '../../components/ui/Modal';
import { PauseIcon, PlayIcon, StopIcon } from '../../components/ui/icons';
import type { CampaignControl } from './useCampaigns';

export function CampaignControls({ campaign, control }: { campaign: CampaignSummary; control: CampaignControl }) {
  const [confirming, setConfirming] = useState(false);
  const { state, kind } = campaign;
  const disabled = control.busy !== null;
  const canCancel = kind === 'campaign' && (state === 'draft' || state === 'running' || state === 'paused');

  return (
    <div className="flex items-center gap-2" data-testid="campaign-controls">
      {state === 'draft' ? (
        <Button variant="primary" icon={<PlayIcon className="size-3" />} busy={control.busy === 'start'} disabled={disabled} onClick={() => control.run('start')}>
          Start
        </Button>
      ) : null}
      {state === 'running' ? (
        <Button variant="warning" icon={<PauseIcon className="size-3.5" />} busy={control.busy === 'pause'} disabled={disabled} onClick={() => control.run('pause')}>
          Pause
        </Button>
      ) : null}
      {state === 'paused' ? (
        <Button variant="primary" icon={<PlayIcon className="size-3" />} busy={control.busy === 'resume'} disabled={disabled} onClick={() => control.run('resume')}>
          Resume
        </Button>
      ) : null}
      {canCancel ? (
        <Button
          variant="danger"
          icon={<StopIcon className="size-3.5" />}
          busy={control.busy === 'cancel'}
          disabled={disabled}
          aria-haspopup="dialog"
          onClick={() => setConfirming(true)}
        >
          Cancel campaign
        </Button>
      ) : null}
      <Modal open={confirming} onClose={() => setConfirming(false)} testId="cancel-campaign-dialog" className="w-[min(28rem,calc(100vw-2rem))]">
        {(titleId) => (
          <div className="flex flex-col gap-3 px-5 pt-4 pb-4">
            <h2 id={titleId} className="text-[15px] font-semibold tracking-tight text-slate-100">
              Cancel “{campaign.settings.name}”?
            </h2>
            <div className="flex flex-col gap-2 text-[12.5px] leading-relaxed text-slate-300">
              <p>No one else will be dialled: the leads not yet called are marked cancelled. This can’t be undone.</p>
              <p>
                {campaign.counts.inCall + campaign.counts.dialling > 0 ? (
                  <strong className="font-medium text-slate-100">
                    {campaign.counts.inCall + campaign.counts.dialling} {campaign.counts.inCall + campaign.counts.dialling === 1 ? 'call is' : 'calls are'} in progress: they
                    finish normally.
                  </strong>
                ) : (
                  'Calls in progress, if any, finish normally.'
                )}{' '}
                To stop dialling for now instead, pause the campaign.
              </p>
            </div>
            <div className="mt-1 flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(false)} autoFocus>
                Keep the campaign
              </Button>
              <Button
                variant="danger"
                icon={<StopIcon className="size-3.5" />}
                onClick={() => {
                  setConfirming(false);
                  control.run('cancel');
                }}
                data-testid="confirm-cancel-campaign"
              >
                Cancel campaign
              </Button>
            </div>
          </div>
        )}
      </Modal>
    </div>
  );
}
