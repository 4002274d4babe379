/**
 * Twilio's status on a call, where the console's own status cannot tell it: "Dialling…" /
 * "Ringing…" before an outbound call is answered, and why a call that was never answered ended
 * (no answer, busy, failed, canceled). `CallTwilioStatus` picks the status from the store;
 * `TwilioStatusChip` only takes props.
 */
import type { CallSummary } from '@shared/domain';
import type { TwilioCallStatus } from '@shared/telephony';
import { cn } from '../../lib/cn';
import { selectTwilioStatus, useTelephonyStatus } from './store';

type Shown = 'dialling' | 'ringing' | 'no-answer' | 'busy' | 'failed' | 'canceled';

const copy: Record<Shown, { label: string; className: string; dot: string }> = {
  dialling: { label: 'Dialling…', className: 'bg-sky-400/10 text-sky-300 ring-sky-400/25', dot: 'animate-pulse bg-sky-400' },
  ringing: { label: 'Ringing…', className: 'bg-sky-400/10 text-sky-300 ring-sky-400/25', dot: 'animate-pulse bg-sky-400' },
  'no-answer': { label: 'No answer', className: 'bg-amber-400/10 text-amber-200 ring-amber-400/25', dot: 'bg-amber-400' },
  busy: { label: 'Busy', className: 'bg-amber-400/10 text-amber-200 ring-amber-400/25', dot: 'bg-amber-400' },
  failed: { label: 'Call failed', className: 'bg-rose-500/10 text-rose-300 ring-rose-500/25', dot: 'bg-rose-400' },
  canceled: { label: 'Canceled', className: 'bg-slate-700/40 text-slate-300 ring-slate-600/50', dot: 'bg-slate-400' },
};

/** What to show for a call's Twilio status (null: nothing the console's own badges don't say). */
export function shownStatus(status: TwilioCallStatus | null, ended: boolean, endReason: string | null): Shown | null {
  if (!ended) {
    if (status === 'queued' || status === 'initiated') return 'dialling';
    if (status === 'ringing') return 'ringing';
    return null;
  }
  const reason = (status === 'completed' || status === null ? endReason : status) ?? '';
  return reason === 'no-answer' || reason === 'busy' || reason === 'failed' || reason === 'canceled' ? reason : null;
}

export function TwilioStatusChip({ shown, className }: { shown: Shown | null; className?: string }) {
  if (!shown) return null;
  const c = copy[shown];
  return (
    <span
      data-testid="twilio-status"
      data-twilio-status={shown}
      className={cn('inline-flex h-5 shrink-0 items-center gap-1.5 rounded-full px-2 text-[11px] font-medium ring-1 ring-inset', c.className, className)}
    >
      <span aria-hidden className={cn('size-1.5 rounded-full', c.dot)} />
      {c.label}
    </span>
  );
}

/** The Twilio status chip for a call on screen (call header, live-call row). */
export function CallTwilioStatus({ call, className }: { call: CallSummary; className?: string }) {
  const status = useTelephonyStatus(selectTwilioStatus(call.callSid));
  return <TwilioStatusChip shown={shownStatus(status?.status ?? null, call.status === 'ended', call.endReason)} className={className} />;
}
