/**
 * The team lead's side of the contract: one CallFilter that History, search, Analytics,
 * Export and the CLI all take, and the shapes they answer with.
 */
import { z } from 'zod';
import { CallSummary, Speaker } from './domain';
import { Resolution } from './wrapup';

/** NUL and other C0/DEL control characters (tab, CR and LF are only whitespace to a search). */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/** Longest search text accepted; longer input is refused with a clear message, not truncated. */
export const MAX_SEARCH_CHARS = 200;

/**
 * Which calls. Every field is optional and they combine with AND. Times are epoch ms on the
 * call's start (`from` inclusive, `to` exclusive); durations are seconds.
 */
export const CallFilter = z
  .object({
    from: z.number().int().nonnegative().optional(),
    to: z.number().int().nonnegative().optional(),
    direction: z.enum(['inbound', 'outbound']).optional(),
    /** Any of these end reasons (e.g. caller_hangup, agent_ended, silence_timeout, interrupted). */
    endReasons: z.array(z.string().min(1).max(60)).max(20).optional(),
    takenOver: z.boolean().optional(),
    minDurationS: z.number().nonnegative().max(1e7).optional(),
    maxDurationS: z.number().nonnegative().max(1e7).optional(),
    /** The caller's last scored line was negative. */
    endedNegative: z.boolean().optional(),
    /** Mean caller sentiment strictly below this value (calls with no scored caller line never match). */
    sentimentBelow: z.number().min(-1).max(1).optional(),
    hasAlerts: z.boolean().optional(),
    /** Any of these wrap-up dispositions (issue 8); a call never wrapped up matches none. */
    dispositions: z.array(z.string().trim().min(1).max(40)).max(30).optional(),
    /** Calls that ran with any of these AI profiles (issue 15). */
    profileIds: z.array(z.string().min(1).max(100)).max(30).optional(),
    /** Digits (and +) matched anywhere in the caller's or callee's number. */
    numberContains: z
      .string()
      .trim()
      .max(32)
      .regex(/^[0-9+\s()-]*$/, 'numberContains: digits, +, spaces, brackets and dashes only')
      .optional(),
    /** Full-text search over transcripts: every word must appear in one line (stemmed). */
    search: z
      .string()
      .max(MAX_SEARCH_CHARS, `search: at most ${MAX_SEARCH_CHARS} characters`)
      .refine((s) => !hasControlCharacters(s), 'search: control characters are not allowed')
      .optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, {
    message: 'from must be before to',
    path: ['to'],
  })
  .refine((f) => f.minDurationS === undefined || f.maxDurationS === undefined || f.minDurationS <= f.maxDurationS, {
    message: 'minDurationS must not exceed maxDurationS',
    path: ['maxDurationS'],
  });
export type CallFilter = z.infer<typeof CallFilter>;

/**
 * Where the team lead's views read from: this desk's own store, or the team database every
 * desk syncs into (issue 12; available once Team sync is set up). Desk is the default, so a
 * request that does not say reads what it always read.
 */
export const DataSource = z.enum(['desk', 'team']);
export type DataSource = z.infer<typeof DataSource>;

export const HistorySortKey = z.enum(['startedAt', 'duration', 'sentiment']);
export type HistorySortKey = z.infer<typeof HistorySortKey>;
export const HistorySort = z
  .object({ by: HistorySortKey.default('startedAt'), dir: z.enum(['asc', 'desc']).default('desc') })
  .strict();
export type HistorySort = z.infer<typeof HistorySort>;

/** A stored call as History lists it: the summary plus what the store derives from its record. */
export const CallHistoryRow = CallSummary.extend({
  /** endedAt - startedAt; null while the call is live. */
  durationMs: z.number().nonnegative().nullable(),
  takenOver: z.boolean(),
  /** ms from the call's start to the first take-over, null when never taken over. */
  takeoverAtMs: z.number().nonnegative().nullable(),
  /** Alert rules that fired on the call (migration 006); a call stored before alert rules existed keeps its count of take-over requests, fallbacks and errors. */
  alertCount: z.number().int().nonnegative(),
  /** Score of the caller's first and last scored lines. */
  callerSentimentStart: z.number().min(-1).max(1).nullable(),
  callerSentimentEnd: z.number().min(-1).max(1).nullable(),
  /** The saved wrap-up's disposition and resolution (issue 8); null until the agent saved one. */
  disposition: z.string().nullable().default(null),
  resolution: Resolution.nullable().default(null),
  /** The desk the call was taken on: set on team rows only (a desk's own rows leave it out). */
  desk: z.string().optional(),
});
export type CallHistoryRow = z.infer<typeof CallHistoryRow>;

/** Opaque keyset position; hand back what the previous page returned. */
const Cursor = z.string().min(1).max(200);
const PageLimit = z.number().int().min(1).max(200).default(50);

export const HistoryPageInput = z
  .object({
    filter: CallFilter.default({}),
    sort: HistorySort.default({ by: 'startedAt', dir: 'desc' }),
    cursor: Cursor.optional(),
    limit: PageLimit,
    source: DataSource.default('desk'),
  })
  .strict();
export const HistoryPage = z.object({
  calls: z.array(CallHistoryRow),
  /** Null when this was the last page. */
  nextCursor: Cursor.nullable(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

/** A piece of a matching line; `hit` pieces are the words the search matched. */
export const TextSegment = z.object({ text: z.string(), hit: z.boolean() });
export type TextSegment = z.infer<typeof TextSegment>;

export const SearchHit = z.object({
  call: CallHistoryRow,
  line: z.object({
    id: z.string(),
    speaker: Speaker,
    /** ms since the call started. */
    startMs: z.number().nonnegative(),
    segments: z.array(TextSegment),
  }),
});
export type SearchHit = z.infer<typeof SearchHit>;

/** Newest matching lines first; `filter.search` is required. */
export const SearchPageInput = z
  .object({ filter: CallFilter, cursor: Cursor.optional(), limit: PageLimit, source: DataSource.default('desk') })
  .strict()
  .refine((i) => (i.filter.search ?? '').trim().length > 0, { message: 'filter.search: type something to search for', path: ['filter', 'search'] });
/** Values the filters can take (end reasons seen) in the chosen source. */
export const FacetsInput = z.object({ source: DataSource.default('desk') }).strict().default({ source: 'desk' });

export const SearchPage = z.object({ hits: z.array(SearchHit), nextCursor: Cursor.nullable() });
export type SearchPage = z.infer<typeof SearchPage>;

export const AnalyticsGroupBy = z.enum(['hour', 'day', 'week']);
export type AnalyticsGroupBy = z.infer<typeof AnalyticsGroupBy>;

export const AnalyticsInput = z
  .object({
    filter: CallFilter.default({}),
    groupBy: AnalyticsGroupBy.default('day'),
    /** Minutes to add to UTC for local bucket boundaries (e.g. 60 for CET); days start at local midnight. */
    utcOffsetMin: z.number().int().min(-14 * 60).max(14 * 60).default(0),
    /** A call the caller left within this many seconds counts as abandoned. */
    abandonWithinS: z.number().int().min(1).max(600).default(10),
    source: DataSource.default('desk'),
  })
  .strict();
export type AnalyticsInput = z.infer<typeof AnalyticsInput>;

const Rate = z.number().min(0).max(1).nullable();
const Seconds = z.number().nonnegative().nullable();

export const AnalyticsTotals = z.object({
  calls: z.number().int().nonnegative(),
  inbound: z.number().int().nonnegative(),
  outbound: z.number().int().nonnegative(),
  avgHandleS: Seconds,
  p90HandleS: Seconds,
  /** Ended without a take-over, share of ended calls. */
  containmentRate: Rate,
  takeoverRate: Rate,
  avgTimeToTakeoverS: Seconds,
  abandoned: z.number().int().nonnegative(),
  abandonmentRate: Rate,
  /** Mean of the callers' first and last scored lines. */
  sentimentStartAvg: z.number().min(-1).max(1).nullable(),
  sentimentEndAvg: z.number().min(-1).max(1).nullable(),
  /** Share of calls whose mean caller sentiment is negative. */
  negativeShare: Rate,
  fallbacks: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
});
export type AnalyticsTotals = z.infer<typeof AnalyticsTotals>;

export const AnalyticsBucket = z.object({
  /** Epoch ms of the bucket's local start. */
  startAt: z.number(),
  inbound: z.number().int().nonnegative(),
  outbound: z.number().int().nonnegative(),
  avgHandleS: Seconds,
  p90HandleS: Seconds,
  takenOver: z.number().int().nonnegative(),
  abandoned: z.number().int().nonnegative(),
  sentimentStartAvg: z.number().min(-1).max(1).nullable(),
  sentimentEndAvg: z.number().min(-1).max(1).nullable(),
});
export type AnalyticsBucket = z.infer<typeof AnalyticsBucket>;

export const LatencyStage = z.enum(['stt', 'llm', 'tts', 'send', 'voiceToVoice']);
export type LatencyStage = z.infer<typeof LatencyStage>;

export const Analytics = z.object({
  groupBy: AnalyticsGroupBy,
  totals: AnalyticsTotals,
  /** Every bucket in the range, empty ones included, oldest first. */
  buckets: z.array(AnalyticsBucket),
  /** Most frequent caller intents (by calls), most first. */
  intents: z.array(z.object({ intent: z.string(), calls: z.number().int().nonnegative() })),
  /** Fallbacks and errors by kind (e.g. "fallback:llm", "error"). */
  incidents: z.array(z.object({ kind: z.string(), count: z.number().int().nonnegative() })),
  /** Saved wrap-ups by disposition (issue 8), most first; calls never wrapped up are not counted. */
  dispositions: z.array(z.object({ disposition: z.string(), calls: z.number().int().nonnegative() })).default([]),
  /** Per-stage latency over the stored turn metrics, ms. */
  latency: z.array(
    z.object({ stage: LatencyStage, turns: z.number().int().nonnegative(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() }),
  ),
});
export type Analytics = z.infer<typeof Analytics>;

export const ExportFormat = z.enum(['csv', 'jsonl', 'xlsx']);
export type ExportFormat = z.infer<typeof ExportFormat>;
/**
 * calls: one row per call; lines: one row per transcript line (with its call's id, time and
 * numbers); both: Excel writes two sheets, CSV writes lines with every call column, JSON
 * Lines writes one object per call with its lines nested. leads (issue 15): one row per lead of a
 * campaign (ExportRequest.campaignId), with its outcome, attempts, last call and wrap-up.
 */
export const ExportContent = z.enum(['calls', 'lines', 'both', 'leads']);
export type ExportContent = z.infer<typeof ExportContent>;

export const ExportRequest = z
  .object({
    filter: CallFilter.default({}),
    format: ExportFormat,
    content: ExportContent.default('calls'),
    source: DataSource.default('desk'),
    /** content 'leads' (issue 15): the campaign whose per-lead results to export (the filter does not apply). */
    campaignId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((r) => (r.content === 'leads') === (r.campaignId !== undefined), { message: "a campaign's leads export names its campaignId (and only it does)", path: ['campaignId'] })
  .refine((r) => r.content !== 'leads' || r.source === 'desk', { message: "a campaign's leads are on this desk only", path: ['source'] });
export type ExportRequest = z.infer<typeof ExportRequest>;

export const ExportJob = z.object({
  id: z.string(),
  format: ExportFormat,
  content: ExportContent,
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  rowsWritten: z.number().int().nonnegative(),
  /** Rows the filter matched when the export started (the progress bar's end). */
  rowsTotal: z.number().int().nonnegative(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** Plain words for a failed export. */
  error: z.string().nullable(),
  /** Suggested file name for the download. */
  fileName: z.string(),
  /** The finished file, served by the core (see Core.file); null until done. */
  fileRoute: z.string().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
});
export type ExportJob = z.infer<typeof ExportJob>;

/**
 * A recording attached to a call. `route` is fetched through the console's authenticated
 * file channel (`/files/<route>` headless; the app's file protocol under Electron), with
 * range requests. `startMs` places it on the call's clock (ms since the call started).
 */
export const Recording = z.object({
  id: z.string(),
  /** line: what passed through the media bridge (stereo: caller left, AI/agent right); agent: the leg on the agent's softphone, recorded by Twilio. */
  kind: z.enum(['line', 'agent']),
  route: z.string(),
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative().nullable(),
  channels: z.union([z.literal(1), z.literal(2)]),
  contentType: z.string(),
});
export type Recording = z.infer<typeof Recording>;
