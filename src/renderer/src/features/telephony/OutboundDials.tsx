/**
 * Outbound calls Twilio is still placing: they have no CallSummary until the callee answers
 * (the media stream starts), so the Live calls list shows them from their `call.status`
 * callbacks, "Ringing…", until the call appears or Twilio says it ended (then the core stores it
 * as an ended call: no answer, busy, failed).
 */
import { useMemo, type ReactNode } from 'react';
import { callerNumberOf } from './phone';
import { useCallsStore } from '../calls/store';
import { PRE_ANSWER_STATUSES, useTelephonyStatus } from './store';
import { TwilioStatusChip } from './CallStatusChip';

interface PendingDial {
  callSid: string;
  to: string;
  purpose: string | null;
  ringing: boolean;
  since: number;
}

function usePendingDials(): PendingDial[] {
  const dials = useTelephonyStatus((s) => s.dials);
  const statuses = useTelephonyStatus((s) => s.statuses);
  const calls = useCallsStore((s) => s.calls);
  return useMemo(() => {
    const known = new Set(Object.values(calls).map((c) => c.callSid));
    const sids = new Set([
      ...Object.keys(dials),
      ...Object.values(statuses)
        .filter((s) => s.direction === 'outbound')
        .map((s) => s.callSid),
    ]);
    const out: PendingDial[] = [];
    for (const callSid of sids) {
      if (known.has(callSid)) continue;
      const status = statuses[callSid];
      if (status && !PRE_ANSWER_STATUSES.has(status.status)) continue; // answered (its call is on the way) or ended
      const dial = dials[callSid];
      out.push({
        callSid,
        to: dial?.to ?? status?.to ?? '',
        purpose: dial?.purpose ?? null,
        ringing: status?.status === 'ringing',
        since: dial?.placedAt ?? status?.at ?? 0,
      });
    }
    return out.sort((a, b) => b.since - a.since);
  }, [dials, statuses, calls]);
}

/** Rows for outbound calls being placed, or `fallback` when there are none. */
export function OutboundDials({ fallback = null }: { fallback?: ReactNode }) {
  const pending = usePendingDials();
  if (pending.length === 0) return <>{fallback}</>;
  return (
    <ul data-testid="outbound-dials" aria-label="Outbound calls being placed" className="shrink-0 px-2 pb-1">
      {pending.map((d) => (
        <li key={d.callSid}>
          <OutboundDialRow dial={d} />
        </li>
      ))}
    </ul>
  );
}

function OutboundDialRow({ dial }: { dial: PendingDial }) {
  return (
    <div
      data-testid="outbound-dial"
      data-call-sid={dial.callSid}
      className="mb-1 flex w-full flex-col gap-1.5 rounded-lg border border-dashed border-sky-400/25 bg-sky-400/[0.04] px-3 py-2.5"
    >
      <span className="flex items-center gap-2">
        <span aria-hidden className="size-1.5 shrink-0 animate-pulse rounded-full bg-sky-400" />
        <span className="truncate text-[13px] font-medium text-slate-100 tabular-nums">{callerNumberOf(dial.to)}</span>
        <TwilioStatusChip shown={dial.ringing ? 'ringing' : 'dialling'} className="ml-auto" />
      </span>
      <span className="truncate pl-3.5 text-[11px] text-faint" title={dial.purpose ?? undefined}>
        Outbound AI call{dial.purpose ? ` · ${dial.purpose}` : ''}
      </span>
    </div>
  );
}
