/**
 * A campaign's states, lead states and outcomes in words and colours (always together: colour
 * is never the only signal), and the schedule in words.
 */
import type { CampaignCounts, CampaignState, LeadOutcome, LeadState } from '@shared/campaign';

export const CAMPAIGN_STATE_WORDS: Record<CampaignState, string> = {
  draft: 'Draft',
  running: 'Running',
  paused: 'Paused',
  cancelled: 'Cancelled',
  completed: 'Completed',
};

export const CAMPAIGN_STATE_TONE: Record<CampaignState, { chip: string; dot: string }> = {
  draft: { chip: 'bg-slate-800/80 text-slate-300 ring-slate-700', dot: 'bg-slate-400' },
  running: { chip: 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/30', dot: 'bg-emerald-400 animate-pulse' },
  paused: { chip: 'bg-amber-400/10 text-amber-200 ring-amber-400/30', dot: 'bg-amber-400' },
  cancelled: { chip: 'bg-rose-500/10 text-rose-200 ring-rose-400/25', dot: 'bg-rose-400' },
  completed: { chip: 'bg-indigo-400/10 text-indigo-200 ring-indigo-400/25', dot: 'bg-indigo-400' },
};

export const LEAD_STATE_WORDS: Record<LeadState, string> = {
  pending: 'Pending',
  dialling: 'Dialling',
  in_call: 'In call',
  done: 'Done',
};

export const OUTCOME_WORDS: Record<LeadOutcome, string> = {
  answered: 'Answered',
  no_answer: 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  refused: 'Refused',
  voicemail: 'Voicemail',
  opted_out: 'Opted out',
  cancelled: 'Cancelled',
};

/** Bar segment and legend dot colours, by outcome; the live states after them. */
export const OUTCOME_COLOUR: Record<LeadOutcome, string> = {
  answered: 'bg-emerald-400',
  no_answer: 'bg-slate-400',
  busy: 'bg-amber-400',
  failed: 'bg-rose-400',
  refused: 'bg-fuchsia-400',
  voicemail: 'bg-sky-400',
  opted_out: 'bg-violet-400',
  cancelled: 'bg-slate-600',
};
export const LIVE_COLOUR = { inCall: 'bg-indigo-400', dialling: 'bg-indigo-300/60' } as const;

/** The order outcomes are listed and drawn in. */
export const OUTCOME_ORDER: readonly LeadOutcome[] = ['answered', 'no_answer', 'busy', 'failed', 'refused', 'voicemail', 'opted_out', 'cancelled'];

/** A done lead's outcome count (0 when the core has none for it). */
export function outcomeCount(counts: CampaignCounts, outcome: LeadOutcome): number {
  return counts.outcomes[outcome] ?? 0;
}

/** Pending leads that were dialled before and wait for their retry. */
export function retryingCount(counts: CampaignCounts): number {
  return counts.outcomes['retrying'] ?? 0;
}

export const WEEKDAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const WEEKDAY_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
/** The form lists the week from Monday, as schedules are usually read. */
export const WEEK_FROM_MONDAY = [1, 2, 3, 4, 5, 6, 0] as const;

/** "Every day", "Mon–Fri", "Mon–Wed, Sat": runs of consecutive days (from Monday) joined. */
export function daysInWords(days: readonly number[]): string {
  const on = new Set(days);
  if (on.size === 7) return 'Every day';
  if (on.size === 0) return 'No days';
  const runs: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = WEEKDAY_SHORT[run[0]!]!;
    const last = WEEKDAY_SHORT[run.at(-1)!]!;
    runs.push(run.length === 1 ? first : run.length === 2 ? `${first}, ${last}` : `${first}–${last}`);
    run = [];
  };
  for (const d of WEEK_FROM_MONDAY) {
    if (on.has(d)) run.push(d);
    else flush();
  }
  flush();
  return runs.join(', ');
}

/** "24:00" reads as midnight at the day's end. */
export function clockInWords(time: string): string {
  return time === '24:00' ? 'midnight' : time;
}

/** "4 h", "30 min", "1 day 2 h": retry delays as the form's minutes. */
export function minutesInWords(totalMin: number): string {
  const days = Math.floor(totalMin / 1440);
  const hours = Math.floor((totalMin % 1440) / 60);
  const minutes = totalMin % 60;
  const parts = [days > 0 ? `${days} ${days === 1 ? 'day' : 'days'}` : '', hours > 0 ? `${hours} h` : '', minutes > 0 ? `${minutes} min` : ''];
  return parts.filter(Boolean).join(' ') || '0 min';
}

/** "every 10 s" for 6 a minute; "every 2 min" for 0.5. */
export function paceInWords(callsPerMinute: number): string {
  const seconds = 60 / callsPerMinute;
  if (seconds < 60) return `one every ${Math.round(seconds * 10) / 10} s`;
  return `one every ${Math.round((seconds / 60) * 10) / 10} min`;
}
