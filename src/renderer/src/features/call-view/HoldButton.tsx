/**
 * Hold / Resume for a real call the agent has on the softphone: the caller hears hold music
 * and the softphone leg drops; Resume rings the softphone again (it answers by itself).
 */
import { useState } from 'react';
import type { CallSummary } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { PauseIcon, PlayIcon } from '../../components/ui/icons';
import { client } from '../../lib/client';
import { selectEvents, useCallsStore } from '../calls/store';
import { useSoftphoneStore } from '../softphone/store';
import { reportError } from '../toasts/store';

export function HoldButton({ call }: { call: CallSummary }) {
  const events = useCallsStore(selectEvents(call.id));
  const onPhone = useSoftphoneStore((s) => s.call?.callSid === call.callSid);
  const [busy, setBusy] = useState(false);
  const lastHold = events.findLast((e) => e.type === 'hold');
  const onHold = lastHold?.data['on'] === true;
  if (call.controller !== 'agent' || (!onPhone && !onHold)) return null;

  const toggle = () => {
    setBusy(true);
    client
      .invoke('call.hold', { callId: call.id, hold: !onHold })
      .then((summary) => useCallsStore.getState().upsertCalls([summary]))
      .catch((err: unknown) => reportError(onHold ? "Couldn't take the caller off hold" : "Couldn't put the caller on hold", err))
      .finally(() => setBusy(false));
  };
  return (
    <Button
      variant="secondary"
      onClick={toggle}
      busy={busy}
      data-testid="hold-button"
      icon={onHold ? <PlayIcon className="size-3.5" /> : <PauseIcon className="size-3.5" />}
    >
      {onHold ? 'Resume' : 'Hold'}
    </Button>
  );
}
