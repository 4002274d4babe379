/**
 * The one way to end a call from the console. With the agent on the call it ends at once:
 * they are talking to the caller and mean it. While the AI has the call (or is paused), one
 * click starts a few seconds' countdown the agent can undo, because End call sits in the same
 * bar as Take over and a stray click must not hang up on a caller.
 *
 * The countdown belongs to the call it was started on, and to this window only: opening
 * another call (the call view is mounted per call), taking this one over, or reloading the
 * console cancels it. It can never end a different call, and never ends one off screen.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallSummary } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { HangUpIcon } from '../../components/ui/icons';
import { callerNumber } from '../../lib/format';
import { useCallsStore } from '../calls/store';
import { useConnection } from '../connection/useConnection';
import { shortcutLabel, useShortcut } from '../shortcuts/shortcuts';
import { useToasts } from '../toasts/store';
import type { CallActions } from './useCallActions';

/** How long the agent has to undo End call while the AI has the call. */
export const END_CALL_UNDO_MS = 5000;

export function EndCallControl({ call, actions }: { call: CallSummary; actions: CallActions }) {
  const { end, busy } = actions;
  const connected = useConnection() === 'connected';
  const undoable = call.controller === 'ai' && call.status !== 'ended';
  /** When the call will be ended (Date.now() ms), while the countdown runs. */
  const [deadline, setDeadline] = useState<number | null>(null);
  const [nowMs, setNowMs] = useState(() => Date.now());
  /** What screen readers hear: the countdown starting, being undone or cancelled. */
  const [announcement, setAnnouncement] = useState('');
  const root = useRef<HTMLSpanElement>(null);
  const counting = useRef(false);
  /** Undo was pressed: focus goes back to End call, where the countdown was, not to the page. */
  const refocusEnd = useRef(false);

  // Taken over mid-countdown: the agent is on the call now, so it is not ended behind their back.
  if (deadline !== null && !undoable) {
    setDeadline(null);
    setAnnouncement('Call not ended: you have the call now.');
  }

  useEffect(() => {
    counting.current = deadline !== null;
    if (deadline === null) {
      if (refocusEnd.current) root.current?.querySelector<HTMLButtonElement>('[data-testid="end-call"]')?.focus();
      refocusEnd.current = false;
      return;
    }
    root.current?.querySelector<HTMLButtonElement>('[data-testid="end-call-undo"]')?.focus();
    const tick = setInterval(() => setNowMs(Date.now()), 200);
    const fire = setTimeout(() => {
      setDeadline(null);
      setAnnouncement('Ending the call.');
      end();
    }, deadline - Date.now());
    return () => {
      clearInterval(tick);
      clearTimeout(fire);
    };
  }, [deadline, end]);

  // Leaving the call (another call opened) while counting down keeps it live, and says so.
  const callId = call.id;
  const number = callerNumber(call);
  useEffect(
    () => () => {
      if (!counting.current || useCallsStore.getState().calls[callId]?.status === 'ended') return;
      useToasts.getState().push({
        tone: 'info',
        title: 'Call not ended',
        message: `You left the call with ${number} before its end countdown finished, so it is still live.`,
      });
    },
    [callId, number],
  );

  const start = () => {
    if (!undoable) {
      end();
      return;
    }
    const at = Date.now();
    setNowMs(at);
    setDeadline(at + END_CALL_UNDO_MS);
    setAnnouncement(`Ending this call in ${END_CALL_UNDO_MS / 1000} seconds. Press Undo to keep it.`);
  };
  useShortcut('endCall', start, deadline === null && busy === null && call.status !== 'ended' && connected);
  const undo = () => {
    setDeadline(null);
    setAnnouncement('Call kept: it was not ended.');
    refocusEnd.current = true;
  };

  const secondsLeft = deadline === null ? 0 : Math.max(1, Math.ceil((deadline - nowMs) / 1000));
  return (
    // `contents`: the button (or the countdown) is laid out as an item of the header's button row.
    <span ref={root} className="contents">
      {deadline === null ? (
        <Button
          variant="danger"
          onClick={start}
          disabled={busy !== null}
          busy={busy === 'end'}
          icon={<HangUpIcon className="size-3.5" />}
          data-testid="end-call"
          title={`${undoable ? `Ends the call after ${END_CALL_UNDO_MS / 1000} seconds, which you can undo` : 'Ends the call now'} (${shortcutLabel('endCall')})`}
        >
          End call
        </Button>
      ) : (
        <div
          role="group"
          aria-label="Ending the call"
          data-testid="end-call-countdown"
          className="inline-flex h-8 shrink-0 items-center gap-2 rounded-md border border-rose-400/50 bg-rose-500/15 pr-1 pl-2.5 text-[12.5px] whitespace-nowrap text-rose-100"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              undo();
            }
          }}
        >
          <HangUpIcon className="size-3.5 text-rose-300" aria-hidden />
          <span className="tabular-nums" data-testid="end-call-seconds" aria-hidden>
            Ending call in {secondsLeft} s
          </span>
          <button
            type="button"
            onClick={undo}
            data-testid="end-call-undo"
            className="focus-ring h-6 rounded bg-slate-950/70 px-2.5 text-[12px] font-semibold text-slate-50 hover:bg-slate-900"
          >
            Undo
          </button>
        </div>
      )}
      <span role="status" aria-live="polite" className="sr-only" data-testid="end-call-announcement">
        {announcement}
      </span>
    </span>
  );
}
