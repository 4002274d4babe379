/**
 * A campaign's progress as the list and the campaign's page show it: its state chip, a bar of
 * leads done (by outcome), in call and dialling out of all leads, the counts in words beside
 * their colours, and why it is not dialling or when it dials next.
 */
import type { CampaignCounts, CampaignState, CampaignSummary } from '@shared/campaign';
import { cn } from '../../lib/cn';
import { formatClock } from '../../lib/format';
import {
  CAMPAIGN_STATE_TONE,
  CAMPAIGN_STATE_WORDS,
  LIVE_COLOUR,
  OUTCOME_COLOUR,
  OUTCOME_ORDER,
  OUTCOME_WORDS,
  outcomeCount,
  retryingCount,
} from './words';

export function CampaignStateChip({ state, className }: { state: CampaignState; className?: string }) {
  const tone = CAMPAIGN_STATE_TONE[state];
  return (
    <span
      data-testid="campaign-state"
      data-state={state}
      className={cn('inline-flex h-5 shrink-0 items-center gap-1.5 rounded-full px-2 text-[11px] font-medium ring-1 ring-inset', tone.chip, className)}
    >
      <span aria-hidden className={cn('size-1.5 rounded-full', tone.dot)} />
      {CAMPAIGN_STATE_WORDS[state]}
    </span>
  );
}

function pct(part: number, total: number): string {
  return `${total === 0 ? 0 : (part / total) * 100}%`;
}

/** Done leads by outcome, then in call and dialling; what is left of the track is pending. */
export function ProgressBar({ counts, className }: { counts: CampaignCounts; className?: string }) {
  const { total } = counts;
  const segments = [
    ...OUTCOME_ORDER.map((o) => ({ key: o, value: outcomeCount(counts, o), colour: OUTCOME_COLOUR[o] })),
    { key: 'in_call', value: counts.inCall, colour: LIVE_COLOUR.inCall },
    { key: 'dialling', value: counts.dialling, colour: LIVE_COLOUR.dialling },
  ].filter((s) => s.value > 0);
  const valueText = `${counts.done.toLocaleString()} of ${total.toLocaleString()} leads done${
    counts.inCall + counts.dialling > 0 ? `, ${(counts.inCall + counts.dialling).toLocaleString()} being called` : ''
  }`;
  return (
    <div
      role="progressbar"
      aria-label="Leads done"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={counts.done}
      aria-valuetext={valueText}
      data-testid="campaign-progress"
      data-done={counts.done}
      data-total={total}
      className={cn('flex h-2 w-full overflow-hidden rounded-full bg-slate-800', className)}
    >
      {segments.map((s) => (
        <span key={s.key} className={cn('h-full transition-[width] duration-500 motion-reduce:transition-none', s.colour)} style={{ width: pct(s.value, total) }} />
      ))}
    </div>
  );
}

/** "12 of 40 done · 30 %" */
export function DoneFigure({ counts }: { counts: CampaignCounts }) {
  const share = counts.total === 0 ? 0 : Math.floor((counts.done / counts.total) * 100);
  return (
    <span className="text-[12px] whitespace-nowrap text-slate-400 tabular-nums" data-testid="campaign-done">
      <span className="font-medium text-slate-200">{counts.done.toLocaleString()}</span> of {counts.total.toLocaleString()} done
      <span className="text-faint"> · {share} %</span>
    </span>
  );
}

interface LegendItem {
  key: string;
  label: string;
  value: number;
  colour: string | null;
  note?: string;
}

/**
 * The counts in words: pending (with those waiting for a retry), dialling, in call, then done
 * leads by outcome. Outcomes that cannot happen here and have none are left out (voicemail
 * without machine detection, cancelled before a cancel), so the line stays short.
 */
export function CountsLegend({
  counts,
  machineDetection,
  compact = false,
  className,
}: {
  counts: CampaignCounts;
  machineDetection: boolean;
  compact?: boolean;
  className?: string;
}) {
  const retrying = retryingCount(counts);
  const items: LegendItem[] = [
    { key: 'pending', label: 'Pending', value: counts.pending, colour: null, ...(retrying > 0 ? { note: `${retrying.toLocaleString()} to retry` } : {}) },
    { key: 'dialling', label: 'Dialling', value: counts.dialling, colour: LIVE_COLOUR.dialling },
    { key: 'in_call', label: 'In call', value: counts.inCall, colour: LIVE_COLOUR.inCall },
    ...OUTCOME_ORDER.filter((o) => {
      const n = outcomeCount(counts, o);
      if (o === 'voicemail') return machineDetection || n > 0;
      if (o === 'cancelled') return n > 0;
      return true;
    }).map((o) => ({ key: o, label: OUTCOME_WORDS[o], value: outcomeCount(counts, o), colour: OUTCOME_COLOUR[o] })),
  ];
  return (
    <ul className={cn('flex flex-wrap items-center gap-x-3.5 gap-y-1 text-[12px]', className)} aria-label="Leads by state and outcome" data-testid="campaign-counts">
      {items.map((item, i) => (
        <li key={item.key} className="flex items-center gap-1.5 whitespace-nowrap" data-testid={`count-${item.key}`} data-value={item.value}>
          {/* A divider between the live states and the outcomes of done leads. */}
          {i === 3 ? <span aria-hidden className="mr-2 h-3 w-px bg-slate-800" /> : null}
          {item.colour ? (
            <span aria-hidden className={cn('size-2 rounded-[3px]', item.colour)} />
          ) : (
            <span aria-hidden className="size-2 rounded-[3px] bg-slate-800 ring-1 ring-slate-600 ring-inset" />
          )}
          <span className={item.value > 0 ? 'text-slate-400' : 'text-faint'}>{item.label}</span>
          <span className={cn('tabular-nums', item.value > 0 ? 'font-medium text-slate-100' : 'text-faint')}>{item.value.toLocaleString()}</span>
          {item.note && !compact ? <span className="text-faint">({item.note})</span> : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * Why a running campaign is not dialling (outside hours, Twilio not configured), or when it
 * dials next; nothing for a draft or a finished campaign.
 */
export function DialStatus({ campaign, now, className }: { campaign: CampaignSummary; now: number; className?: string }) {
  const { state, waiting, nextDialAt, counts } = campaign;
  if (state === 'running' && waiting) {
    return (
      <p className={cn('flex items-start gap-1.5 text-[12px] leading-snug text-amber-200', className)} data-testid="campaign-waiting">
        <span aria-hidden className="mt-[5px] size-1.5 shrink-0 rounded-full bg-amber-400" />
        <span>
          Waiting: {waiting}
          {nextDialAt !== null ? <span className="text-amber-200/70"> · next dial {dueInWords(nextDialAt, now)}</span> : null}
        </span>
      </p>
    );
  }
  if (state === 'running') {
    const live = counts.dialling + counts.inCall;
    const text =
      nextDialAt !== null && nextDialAt - now <= DUE_NOW_MS && live >= campaign.settings.maxConcurrent
        ? `At its limit of ${campaign.settings.maxConcurrent} calls at once: next dial when one ends`
        : nextDialAt !== null
          ? `Next dial ${dueInWords(nextDialAt, now)}`
          : live > 0
            ? 'Calls in progress; no lead is due'
            : 'No lead is due';
    return (
      <p className={cn('text-[12px] text-slate-400', className)} data-testid="campaign-next-dial">
        {text}
      </p>
    );
  }
  if (state === 'paused') {
    return (
      <p className={cn('text-[12px] text-amber-200/80', className)} data-testid="campaign-next-dial">
        Paused: no new dials{counts.dialling + counts.inCall > 0 ? '; calls in progress finish' : ''}
      </p>
    );
  }
  return null;
}

/** A dial due this soon reads "now" (the clock on screen ticks every few seconds). */
const DUE_NOW_MS = 5_000;

/** "now", "in 40 s", "in 12 min", "at 14:05", "tomorrow at 09:00", "Mon 3 Mar at 09:00". */
export function dueInWords(atMs: number, now: number): string {
  const inMs = atMs - now;
  if (inMs <= DUE_NOW_MS) return 'now';
  if (inMs < 60_000) return `in ${Math.round(inMs / 1000)} s`;
  if (inMs < 60 * 60_000) return `in ${Math.round(inMs / 60_000)} min`;
  const at = new Date(atMs);
  const today = new Date(now);
  const dayDiff = Math.round(
    (new Date(at.getFullYear(), at.getMonth(), at.getDate()).getTime() - new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime()) / 86_400_000,
  );
  const time = formatClock(atMs);
  if (dayDiff === 0) return `at ${time}`;
  if (dayDiff === 1) return `tomorrow at ${time}`;
  return `${at.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })} at ${time}`;
}
