/**
 * The Analytics dashboard's figures from aggregate rows: the part both databases share. The
 * desk's SQLite query (analytics.ts) and the team's PostgreSQL query (team/team-analytics.ts)
 * each aggregate the matching calls into the same result rows; everything after that (bucket
 * grid, empty buckets, rates, rounding, sort order of the lists) is here, once, so the two
 * dashboards can only differ by what the databases computed. Definitions: see analytics.ts.
 */
import type { Analytics, AnalyticsBucket, AnalyticsGroupBy, AnalyticsInput, AnalyticsTotals, LatencyStage } from '@shared/history';
import { HistoryError } from './history-error';

/** At most this many buckets (hour grouping: 33 days); a longer range is refused, not truncated. */
export const MAX_ANALYTICS_BUCKETS = 800;
/** End reasons of calls that never connected (Twilio's final statuses for an unanswered call). */
export const NOT_CONNECTED_END_REASONS = ['no-answer', 'busy', 'failed', 'canceled'] as const;
/** The same list as an SQL tuple (fixed strings, the same in SQLite and PostgreSQL). */
export const NOT_CONNECTED_SQL = `(${NOT_CONNECTED_END_REASONS.map((r) => `'${r}'`).join(', ')})`;
/** How many intents the dashboard lists. */
export const TOP_INTENTS = 10;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BUCKET_MS: Record<AnalyticsGroupBy, number> = { hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS };
/** 1970-01-01 was a Thursday: shifting by 3 days puts week boundaries on Mondays. */
const WEEK_SHIFT_MS = 3 * DAY_MS;

/** Where buckets start: bucketStart(t) = t' - posmod(t', size) - shift, with t' = t + shift. */
export interface BucketGrid {
  sizeMs: number;
  shiftMs: number;
}

export function gridOf(input: AnalyticsInput): BucketGrid {
  const offsetMs = input.utcOffsetMin * 60_000;
  return { sizeMs: BUCKET_MS[input.groupBy], shiftMs: offsetMs + (input.groupBy === 'week' ? WEEK_SHIFT_MS : 0) };
}

export function bucketStart(grid: BucketGrid, t: number): number {
  const shifted = t + grid.shiftMs;
  return shifted - ((shifted % grid.sizeMs) + grid.sizeMs) % grid.sizeMs - grid.shiftMs;
}

/**
 * The stage expressions over turn_metrics m (the same SQL in both databases); NULL where a
 * turn never reached the stage (aggregates skip NULLs).
 */
export const STAGE_SQL: Record<LatencyStage, string> = {
  stt: 'm.stt_final_at_ms - m.speech_end_at_ms',
  llm: 'm.llm_first_token_at_ms - m.stt_final_at_ms',
  tts: 'm.tts_first_byte_at_ms - coalesce(m.llm_first_token_at_ms, m.stt_final_at_ms)',
  send: 'm.first_audio_at_ms - m.tts_first_byte_at_ms',
  voiceToVoice: 'm.first_audio_at_ms - m.speech_end_at_ms',
};
export const STAGES = Object.keys(STAGE_SQL) as LatencyStage[];

/** Outcome and sentiment aggregates of a set of calls (per bucket, and for all of them). */
export interface CallFigures {
  calls: number;
  inbound: number;
  ended: number;
  avgHandleMs: number | null;
  p90HandleMs: number | null;
  takenOver: number;
  avgTakeoverMs: number | null;
  abandoned: number;
  sentimentFirstAvg: number | null;
  sentimentLastAvg: number | null;
  scored: number;
  negative: number;
}

/** Per stage: [turns, p50, p95]. */
export type LatencyFigures = Record<LatencyStage, [number, number | null, number | null]>;

/** One aggregate row: which part of the dashboard, its bucket (bucket rows only), its figures (parsed JSON). */
export interface FigureRow {
  part: 'bucket' | 'total' | 'intent' | 'incident' | 'disposition' | 'latency';
  bucket: number | null;
  data: unknown;
}

/** Refuses a filter range of more than MAX_ANALYTICS_BUCKETS buckets before any query runs. */
export function assertRangeFits(input: AnalyticsInput): void {
  const { from, to } = input.filter;
  if (from !== undefined && to !== undefined) assertBucketCount(gridOf(input), input.groupBy, from, to - 1);
}

/** The dashboard from the aggregate rows of one query. */
export function assembleAnalytics(rows: Iterable<FigureRow>, input: AnalyticsInput): Analytics {
  const { filter, groupBy } = input;
  const grid = gridOf(input);
  let total: CallFigures | undefined;
  let latency: LatencyFigures | undefined;
  const bucketFigures = new Map<number, CallFigures>();
  const intents: { intent: string; calls: number }[] = [];
  const incidents: { kind: string; count: number }[] = [];
  const dispositions: { disposition: string; calls: number }[] = [];
  for (const row of rows) {
    const data = row.data;
    if (row.part === 'bucket') bucketFigures.set(Number(row.bucket), data as CallFigures);
    else if (row.part === 'total') total = data as CallFigures;
    else if (row.part === 'intent') intents.push(data as { intent: string; calls: number });
    else if (row.part === 'incident') incidents.push(data as { kind: string; count: number });
    else if (row.part === 'disposition') dispositions.push(data as { disposition: string; calls: number });
    else latency = data as LatencyFigures;
  }
  // Parts of a UNION ALL have no guaranteed order between them: sort here (a dozen rows).
  intents.sort((a, b) => b.calls - a.calls || compare(a.intent, b.intent));
  incidents.sort((a, b) => b.count - a.count || compare(a.kind, b.kind));
  dispositions.sort((a, b) => b.calls - a.calls || compare(a.disposition, b.disposition));
  const fallbacks = incidents.filter((i) => i.kind.startsWith('fallback:')).reduce((sum, i) => sum + i.count, 0);
  const errors = incidents.filter((i) => i.kind === 'error').reduce((sum, i) => sum + i.count, 0);

  return {
    groupBy,
    totals: toTotals(total!, fallbacks, errors),
    buckets: fillBuckets(grid, groupBy, filter.from, filter.to, bucketFigures),
    intents,
    incidents,
    dispositions,
    latency: STAGES.map((stage) => {
      const [turns, p50, p95] = latency![stage];
      return { stage, turns, p50Ms: roundTo(p50, 1), p95Ms: roundTo(p95, 1) };
    }),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertBucketCount(grid: BucketGrid, groupBy: AnalyticsGroupBy, first: number, last: number): void {
  const count = (bucketStart(grid, last) - bucketStart(grid, first)) / grid.sizeMs + 1;
  if (count > MAX_ANALYTICS_BUCKETS) {
    const span = Math.floor((MAX_ANALYTICS_BUCKETS * grid.sizeMs) / DAY_MS);
    throw new HistoryError(
      `Grouping by ${groupBy} covers at most ${span} days (${MAX_ANALYTICS_BUCKETS} ${groupBy}s); ` +
        `this range has ${count.toLocaleString('en-US')}. Choose a shorter range or ${groupBy === 'week' ? 'a narrower filter' : 'a coarser grouping'}.`,
    );
  }
}

/** Every bucket from the range's first to its last, oldest first. */
function fillBuckets(
  grid: BucketGrid,
  groupBy: AnalyticsGroupBy,
  from: number | undefined,
  to: number | undefined,
  rows: ReadonlyMap<number, CallFigures>,
): AnalyticsBucket[] {
  const seen = [...rows.keys()];
  const first = from !== undefined ? bucketStart(grid, from) : seen.length > 0 ? Math.min(...seen) : null;
  const last = to !== undefined ? bucketStart(grid, to - 1) : seen.length > 0 ? Math.max(...seen) : null;
  if (first === null || last === null) return []; // an open range and no matching calls
  assertBucketCount(grid, groupBy, first, last);
  const buckets: AnalyticsBucket[] = [];
  for (let start = first; start <= last; start += grid.sizeMs) {
    const row = rows.get(start);
    buckets.push(row === undefined ? emptyBucket(start) : toBucket(start, row));
  }
  return buckets;
}

function emptyBucket(startAt: number): AnalyticsBucket {
  return {
    startAt,
    inbound: 0,
    outbound: 0,
    avgHandleS: null,
    p90HandleS: null,
    takenOver: 0,
    abandoned: 0,
    sentimentStartAvg: null,
    sentimentEndAvg: null,
  };
}

function toBucket(startAt: number, row: CallFigures): AnalyticsBucket {
  return {
    startAt,
    inbound: row.inbound,
    outbound: row.calls - row.inbound,
    avgHandleS: seconds(row.avgHandleMs),
    p90HandleS: seconds(row.p90HandleMs),
    takenOver: row.takenOver,
    abandoned: row.abandoned,
    sentimentStartAvg: sentiment(row.sentimentFirstAvg),
    sentimentEndAvg: sentiment(row.sentimentLastAvg),
  };
}

function toTotals(row: CallFigures, fallbacks: number, errors: number): AnalyticsTotals {
  return {
    calls: row.calls,
    inbound: row.inbound,
    outbound: row.calls - row.inbound,
    avgHandleS: seconds(row.avgHandleMs),
    p90HandleS: seconds(row.p90HandleMs),
    containmentRate: rate(row.ended - row.takenOver, row.ended),
    takeoverRate: rate(row.takenOver, row.ended),
    avgTimeToTakeoverS: seconds(row.avgTakeoverMs),
    abandoned: row.abandoned,
    abandonmentRate: rate(row.abandoned, row.ended),
    sentimentStartAvg: sentiment(row.sentimentFirstAvg),
    sentimentEndAvg: sentiment(row.sentimentLastAvg),
    negativeShare: rate(row.negative, row.scored),
    fallbacks,
    errors,
  };
}

/** ms -> seconds, to the ms; null stays null. */
function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms) / 1000;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** A float mean of values in [-1, 1] can land a rounding error outside the range. */
function sentiment(value: number | null): number | null {
  return value === null ? null : Math.min(1, Math.max(-1, value));
}

function roundTo(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
