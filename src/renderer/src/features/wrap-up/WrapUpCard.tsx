/**
 * Wrap-up on a call's page: the saved wrap-up, read-only with Edit; or, for a call nobody
 * wrapped up, a button that opens the same form as the Live view.
 */
import { useState } from 'react';
import type { CallSummary } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { Card } from '../assist/Card';
import { useCallsStore } from '../calls/store';
import { SavedWrapUp, WrapUpForm, WrapUpLoading } from './WrapUpForm';
import { useWrapUp } from './useWrapUp';

export function WrapUpCard({ call }: { call: CallSummary }) {
  const stored = useCallsStore((s) => s.wrapUps[call.id]);
  const saved = stored?.savedAt ? stored : null;
  const [open, setOpen] = useState(false);
  const state = useWrapUp(call.id, open);

  return (
    <Card
      title="Wrap-up"
      testId="wrap-up-card"
      aside={
        !open ? (
          <Button size="sm" variant="ghost" onClick={() => setOpen(true)} data-testid={saved ? 'wrap-up-edit' : 'wrap-up-open'}>
            {saved ? 'Edit' : 'Wrap up'}
          </Button>
        ) : null
      }
    >
      {open ? (
        state.loadError ? (
          <p role="alert" className="text-[12px] text-rose-300">
            Couldn’t start the wrap-up: {state.loadError}
          </p>
        ) : !state.wrapUp || state.loading ? (
          <WrapUpLoading />
        ) : (
          <WrapUpForm
            key={`${state.wrapUp.startedAt}:${state.wrapUp.savedAt ?? 'new'}`}
            wrapUp={state.wrapUp}
            dispositions={state.dispositions}
            saving={state.saving}
            saveError={state.saveError}
            onSave={(input) => {
              void state.save(input).then((ok) => {
                if (ok) setOpen(false);
              });
            }}
            onLater={() => setOpen(false)}
          />
        )
      ) : saved ? (
        <SavedWrapUp wrapUp={saved} />
      ) : (
        <p className="text-[12px] text-slate-400" data-testid="wrap-up-none">
          {call.status === 'ended' ? 'Nobody has wrapped this call up yet.' : 'The call is still going on.'}
        </p>
      )}
    </Card>
  );
}
