/**
 * Which live call needs the agent first, and which need the agent at all. Pure and shared: the
 * console orders its call list with it, and the Electron shell's tray counts with it, so both
 * say the same thing.
 *
 * The order only depends on things that change when the call's situation changes (someone
 * waits for a person, an alert opens or is acknowledged, the AI is paused), never on what
 * moves every second (duration, the AI speaking or listening, sentiment). Rows therefore stay
 * put while calls tick along and move only when the agent should look again.
 */
import type { CallSummary } from './domain';

/** Lower ranks sort first. */
export const AttentionRank = {
  /** The AI asked for a person and nobody has taken the call. */
  waiting: 0,
  critical: 1,
  warning: 2,
  /** The agent paused the AI: the caller hears nothing until someone acts. */
  paused: 3,
  rest: 4,
} as const;
export type AttentionRank = (typeof AttentionRank)[keyof typeof AttentionRank];

/**
 * How urgently `call` needs the agent. `waiting` comes from the summary's `waitingSince`, or
 * from an open 'takeover_requested' event when the caller already knows of one (an older core
 * that does not set `waitingSince` yet).
 */
export function attentionRank(call: CallSummary, waiting = false): AttentionRank {
  const aiHasIt = call.controller === 'ai' && call.status !== 'ended';
  if (aiHasIt && (call.waitingSince !== null || waiting)) return AttentionRank.waiting;
  if (call.alert?.severity === 'critical') return AttentionRank.critical;
  if (call.alert?.severity === 'warning') return AttentionRank.warning;
  if (call.state === 'ai_paused') return AttentionRank.paused;
  return AttentionRank.rest;
}

/**
 * The call needs the agent: someone waits for a person, an alert (critical or warning) is
 * open, or the agent paused the AI. What the tray counts and "next call needing you" visits.
 */
export function needsAttention(call: CallSummary, waiting = false): boolean {
  return call.status !== 'ended' && attentionRank(call, waiting) < AttentionRank.rest;
}

/** How many calls are live, and how many of those need the agent (the tray's two numbers). */
export function attentionCounts(calls: Iterable<CallSummary>): { live: number; attention: number } {
  let live = 0;
  let attention = 0;
  for (const call of calls) {
    if (call.status === 'ended') continue;
    live += 1;
    if (needsAttention(call)) attention += 1;
  }
  return { live, attention };
}

/**
 * Live calls, the ones needing the agent first: waiting for a person (longest wait first),
 * then critical and warning alerts, then paused, then the rest; inside a group the newest
 * call first. Ties end on the id, so equal calls never swap places between renders.
 */
export function orderLiveCalls(
  calls: readonly CallSummary[],
  waitingIds: ReadonlySet<string> | Readonly<Record<string, unknown>> = new Set<string>(),
): CallSummary[] {
  const isWaiting = (id: string) => (waitingIds instanceof Set ? waitingIds.has(id) : id in waitingIds);
  const keyed = calls.map((call) => ({ call, rank: attentionRank(call, isWaiting(call.id)) }));
  keyed.sort((a, b) => {
    if (a.rank !== b.rank) return a.rank - b.rank;
    if (a.rank === AttentionRank.waiting) {
      // Who has waited longest goes first; a request known only from its event sorts after timed ones.
      const wa = a.call.waitingSince ?? Number.POSITIVE_INFINITY;
      const wb = b.call.waitingSince ?? Number.POSITIVE_INFINITY;
      if (wa !== wb) return wa - wb;
    }
    if (a.call.startedAt !== b.call.startedAt) return b.call.startedAt - a.call.startedAt;
    return a.call.id < b.call.id ? -1 : a.call.id > b.call.id ? 1 : 0;
  });
  return keyed.map((k) => k.call);
}
