/**
 * Wrap-up in the Live view: the form opens below the transcript when the open call ends (or
 * the agent presses Wrap up during it); once saved it shrinks to one line with Edit; Later
 * puts an unsaved one off to a one-line reminder.
 */
import type { ReactNode } from 'react';
import type { CallSummary } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { useCallsStore } from '../calls/store';
import { SavedWrapUp, WrapUpForm, WrapUpLoading, WrapUpTimer } from './WrapUpForm';
import { useWrapUpUi } from './store';
import { useWrapUp } from './useWrapUp';

/** The header's Wrap up button for a live call (an ended call's form opens by itself). */
export function WrapUpButton({ call }: { call: CallSummary }) {
  const requested = useWrapUpUi((s) => s.requested[call.id] === true);
  if (call.status === 'ended') return null;
  return (
    <Button
      variant="secondary"
      onClick={() => useWrapUpUi.getState().request(call.id)}
      disabled={requested}
      data-testid="wrap-up-open"
      title="Start the wrap-up now; the call goes on"
    >
      Wrap up
    </Button>
  );
}

export function WrapUpDock({ call }: { call: CallSummary }) {
  const ended = call.status === 'ended';
  const requested = useWrapUpUi((s) => s.requested[call.id] === true);
  const deferred = useWrapUpUi((s) => s.deferred[call.id] === true);
  const editing = useWrapUpUi((s) => s.editing[call.id] === true);
  // undefined: calls.get has not answered yet; null: nothing saved.
  const stored = useCallsStore((s) => s.wrapUps[call.id]);
  const saved = stored?.savedAt ? stored : null;
  const formOpen = !deferred && (requested || (ended && stored !== undefined)) && (saved === null || editing);
  // Asked again when the call ends: a proposal made mid-call is refreshed with how it ended.
  const state = useWrapUp(call.id, formOpen, call.status);

  if (!ended && !requested && !saved) return null;

  if (!formOpen) {
    if (saved) {
      return (
        <Bar>
          <span className="text-[12px] font-medium whitespace-nowrap text-emerald-200">Wrapped up</span>
          <SavedWrapUp wrapUp={saved} compact />
          <Button variant="ghost" size="sm" className="ml-auto" onClick={() => useWrapUpUi.getState().edit(call.id, true)} data-testid="wrap-up-edit">
            Edit
          </Button>
        </Bar>
      );
    }
    if (!ended || stored === undefined) return null;
    return (
      <Bar>
        <span className="text-[12px] text-amber-200" data-testid="wrap-up-reminder">
          Not wrapped up yet
        </span>
        <Button variant="secondary" size="sm" className="ml-auto" onClick={() => useWrapUpUi.getState().request(call.id)} data-testid="wrap-up-open">
          Wrap up
        </Button>
      </Bar>
    );
  }

  const wrapUp = state.wrapUp;
  return (
    <section
      aria-label="Wrap-up"
      className="max-h-[60%] shrink-0 overflow-y-auto border-t border-indigo-400/20 bg-slate-950 px-6 pt-3 pb-1"
      data-testid="wrap-up-panel"
      data-call-id={call.id}
    >
      <div className="mx-auto flex max-w-3xl flex-col gap-2">
        <header className="flex items-center gap-2">
          <h2 className="text-[13px] font-semibold text-slate-100">Wrap-up</h2>
          {wrapUp ? <WrapUpTimer wrapUp={wrapUp} /> : null}
          {wrapUp ? (
            <span className="truncate text-[11.5px] text-faint" data-testid="wrap-up-source">
              {wrapUp.source === 'gemini' ? 'Summary by Gemini' : 'Offline summary'}
              {!ended ? ' · the call is still going on' : ''}
            </span>
          ) : null}
        </header>
        {state.loadError ? (
          <div role="alert" className="flex items-center gap-2 text-[12px] text-rose-300" data-testid="wrap-up-load-error">
            Couldn’t {wrapUp ? 'refresh' : 'start'} the wrap-up: {state.loadError}
            <Button size="sm" variant="secondary" onClick={state.retry}>
              Try again
            </Button>
          </div>
        ) : null}
        {!wrapUp ? (
          state.loadError ? null : <WrapUpLoading />
        ) : (
          <WrapUpForm
            key={`${wrapUp.callId}:${wrapUp.startedAt}:${wrapUp.savedAt ?? 'new'}`}
            wrapUp={wrapUp}
            dispositions={state.dispositions}
            saving={state.saving}
            saveError={state.saveError}
            onSave={(input) => {
              void state.save(input).then((ok) => {
                if (ok) useWrapUpUi.getState().edit(call.id, false);
              });
            }}
            onLater={() => useWrapUpUi.getState().defer(call.id)}
          />
        )}
      </div>
    </section>
  );
}

function Bar({ children }: { children: ReactNode }) {
  return (
    <div className="flex shrink-0 items-center gap-3 border-t border-slate-800/80 bg-slate-950/60 px-6 py-2" data-testid="wrap-up-bar">
      {children}
    </div>
  );
}
