/**
 * Twilio's view of calls, as `call.status` events report it: the latest status per CallSid,
 * and the outbound calls this console placed (so a call can show "Ringing…" before it has a
 * CallSummary: an outbound call gets one only once the callee answers and the stream starts).
 * Fed by useCallStatusFeed and useDial; components read it through the selectors below.
 */
import { create } from 'zustand';
import type { TelephonyCallStatus, TwilioCallStatus } from '@shared/telephony';

/** An outbound call placed from this console (calls.dial answered). `placedAt` is epoch ms. */
export interface PlacedDial {
  callSid: string;
  to: string;
  purpose: string;
  placedAt: number;
}

interface TelephonyStatusState {
  /** Latest Twilio status by CallSid. */
  statuses: Record<string, TelephonyCallStatus>;
  dials: Record<string, PlacedDial>;
  recordStatus(s: TelephonyCallStatus): void;
  recordDial(d: PlacedDial): void;
}

/** Statuses after which Twilio reports nothing more for the call. */
export const TERMINAL_STATUSES: ReadonlySet<TwilioCallStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** Before the callee (or the AI, inbound) picked up. */
export const PRE_ANSWER_STATUSES: ReadonlySet<TwilioCallStatus> = new Set(['queued', 'initiated', 'ringing']);

const MAX_REMEMBERED = 500;

export const useTelephonyStatus = create<TelephonyStatusState>()((set) => ({
  statuses: {},
  dials: {},
  recordStatus: (s) =>
    set((state) => {
      const current = state.statuses[s.callSid];
      // Callbacks can arrive out of order; a terminal status is never replaced by an earlier one.
      if (current && (current.at > s.at || TERMINAL_STATUSES.has(current.status))) return state;
      const statuses = { ...state.statuses, [s.callSid]: s };
      const sids = Object.keys(statuses);
      if (sids.length > MAX_REMEMBERED) delete statuses[sids[0]!];
      return { statuses };
    }),
  recordDial: (d) => set((state) => ({ dials: { ...state.dials, [d.callSid]: d } })),
}));

/** The latest Twilio status for `callSid`, or null before any callback. */
export const selectTwilioStatus =
  (callSid: string | null) =>
  (s: TelephonyStatusState): TelephonyCallStatus | null =>
    (callSid && s.statuses[callSid]) || null;
