/**
 * The Analytics dashboard's figures (issue 7), computed by SQL over the same filter as History
 * and Export (callFilterSql), so "these calls" always means the same calls. JavaScript only
 * receives result rows: one per bucket (plus one for the totals), one per intent, one per
 * incident kind, and one row holding every latency percentile; it fills the empty buckets.
 *
 * Definitions (what each figure counts):
 * - Volume (calls, inbound, outbound) counts every matching call, live ones included.
 * - Outcome figures describe *ended* calls that connected (ended_at set, and not ended as
 *   no-answer, busy, failed or canceled): handle time (ended_at -
 *   started_at), containment (ended without a take-over / ended), take-over rate (taken over /
 *   ended), time to take-over (taken_over_at_ms, mean over ended taken-over calls) and
 *   abandonment (end reason 'caller_hangup' at most abandonWithinS after the start / ended).
 * - Sentiment figures describe calls with at least one scored caller line: the means of the
 *   callers' first and last scores, and the share whose mean score is negative (at or below
 *   -NEUTRAL_BAND, the band the live "negative" label uses, as the endedNegative filter does).
 * - Percentiles (p90 handle time, latency p50/p95) are SQLite's percentile_cont: linear
 *   interpolation between the two nearest ranks (PostgreSQL's percentile_cont, Excel's
 *   PERCENTILE.INC), an aggregate computed inside SQLite over exactly the matching values.
 * - Latency stages per AI turn (turn_metrics, ms): stt = stt_final - speech_end; llm =
 *   llm_first_token - stt_final; tts = tts_first_byte - (llm_first_token, or stt_final when
 *   the reply had no LLM, e.g. offline replies and LLM fallbacks); send = first_audio -
 *   tts_first_byte; voiceToVoice = first_audio - speech_end. A stage a turn never reached
 *   (cut off) is left out of that stage's figures, so `turns` can differ by stage.
 * - Incidents: call events of type 'fallback' by role ("fallback:llm", "fallback:tts") and
 *   'error' events ("error").
 * - Buckets start at local midnight (day), local Monday midnight (week) or the local hour,
 *   with local = UTC + utcOffsetMin (a fixed offset: a range across a DST change keeps one
 *   offset). The range is filter.from..filter.to, or the matching calls' own first..last start
 *   where the filter leaves it open; every bucket in it is returned, empty ones included.
 *
 * Needs SQLite built with SQLITE_ENABLE_PERCENTILE, which better-sqlite3 is
 * (deps/defines.gypi); every statement is prepared once per connection.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Analytics, AnalyticsInput } from '@shared/history';
import { createStatementCache } from '../store/statement-cache';
import { assembleAnalytics, assertRangeFits, gridOf, NOT_CONNECTED_SQL, STAGE_SQL, STAGES, TOP_INTENTS, type FigureRow } from './analytics-figures';
import { assertSearchable, callFilterSql, NEGATIVE_SENTIMENT_MAX, searchQuery, type SqlCondition } from './filter-sql';

export { MAX_ANALYTICS_BUCKETS, NOT_CONNECTED_END_REASONS, TOP_INTENTS } from './analytics-figures';

/** The same arithmetic in SQL (integers throughout; % keeps the dividend's sign, hence posmod). */
const BUCKET_SQL = '((c.started_at + @a_shift) - (((c.started_at + @a_shift) % @a_size) + @a_size) % @a_size - @a_shift)';

// ------------------------------------------------------------------------------ the SQL

/** Outcome and sentiment aggregates over rows of `matched` (per bucket, and for all of them). */
const CALL_AGGREGATES = /* sql */ `json_object(
  'calls', count(*),
  'inbound', coalesce(sum(inbound), 0),
  'ended', count(handle_ms),
  'avgHandleMs', avg(handle_ms),
  'p90HandleMs', percentile_cont(handle_ms, 0.9),
  'takenOver', count(CASE WHEN handle_ms IS NOT NULL AND takeover_ms IS NOT NULL THEN 1 END),
  'avgTakeoverMs', avg(CASE WHEN handle_ms IS NOT NULL THEN takeover_ms END),
  'abandoned', count(CASE WHEN handle_ms IS NOT NULL AND abandoned THEN 1 END),
  'sentimentFirstAvg', avg(s_first),
  'sentimentLastAvg', avg(s_last),
  'scored', count(s_avg),
  'negative', count(CASE WHEN s_avg <= @a_negative THEN 1 END))`;

/**
 * Everything in ONE statement (one snapshot of the store): the matching calls are read once
 * into `matched`, which the call figures, intents and incidents all aggregate. The latency part
 * joins every matching call's turns; it starts from `matched` when there is a search (so the
 * FTS lookup runs once), and otherwise from the calls themselves, which SQLite walks through
 * the filter's index faster than it re-reads the materialized rows. Each result row is
 * (part, bucket, a JSON object of that part's figures).
 */
function analyticsSql(where: string, hasSearch: boolean): string {
  const latency = STAGES.map((stage) => {
    const v = STAGE_SQL[stage];
    return `'${stage}', json_array(count(${v}), percentile_cont(${v}, 0.5), percentile_cont(${v}, 0.95))`;
  }).join(',\n        ');
  return /* sql */ `
    WITH matched AS MATERIALIZED (
      SELECT c.id,
             ${BUCKET_SQL} AS bucket,
             c.direction = 'inbound' AS inbound,
             -- A call that never connected (no answer, busy…) was not handled: it counts in
             -- volume, never in handle time, containment, take-over or abandonment.
             CASE WHEN c.end_reason IN ${NOT_CONNECTED_SQL} THEN NULL ELSE c.ended_at - c.started_at END AS handle_ms,
             c.taken_over_at_ms AS takeover_ms,
             c.end_reason = 'caller_hangup' AND c.ended_at - c.started_at <= @a_abandon_ms AS abandoned,
             c.caller_sentiment_first AS s_first,
             c.caller_sentiment_last AS s_last,
             c.caller_sentiment_avg AS s_avg,
             c.intent
      FROM calls c
      WHERE ${where}
    )
    SELECT 'bucket' AS part, bucket, ${CALL_AGGREGATES} AS data FROM matched GROUP BY bucket
    UNION ALL
    SELECT 'total', NULL, ${CALL_AGGREGATES} FROM matched
    UNION ALL
    SELECT 'intent', NULL, json_object('intent', intent, 'calls', calls) FROM (
      SELECT intent, count(*) AS calls FROM matched WHERE intent IS NOT NULL
      GROUP BY intent ORDER BY calls DESC, intent LIMIT ${TOP_INTENTS})
    UNION ALL
    SELECT 'incident', NULL, json_object('kind', kind, 'count', count(*)) FROM (
      SELECT CASE e.type WHEN 'fallback' THEN 'fallback:' || coalesce(json_extract(e.data, '$.role'), 'unknown')
                         ELSE e.type END AS kind
      FROM call_events e
      -- By the (type, call_id) index. Not narrowed by alert_count: since migration 006 it counts
      -- alert rules that fired, and a fallback need not have fired one (alerts, issue 8).
      WHERE e.type IN ('fallback', 'error') AND e.call_id IN (SELECT id FROM matched))
    GROUP BY kind
    UNION ALL
    -- Wrap-up dispositions (issue 8), by the wrap_ups primary key for each matching call.
    SELECT 'disposition', NULL, json_object('disposition', disposition, 'calls', calls) FROM (
      SELECT min(w.disposition) AS disposition, count(*) AS calls FROM wrap_ups w
      WHERE w.call_id IN (SELECT id FROM matched) GROUP BY lower(w.disposition))
    UNION ALL
    SELECT 'latency', NULL, json_object(
        ${latency})
    ${
      // CROSS JOIN: calls first, then each call's turns by turn_metrics_by_call (left to
      // itself, the planner may scan every turn in the store and probe the calls instead).
      hasSearch
        ? 'FROM matched x CROSS JOIN turn_metrics m ON m.call_id = x.id'
        : `FROM calls c CROSS JOIN turn_metrics m ON m.call_id = c.id WHERE ${where}`
    }`;
}

// ------------------------------------------------------------------------------ entry point

/** Statements by SQL text, per connection. */
const statementCaches = new WeakMap<Database, (sql: string) => Statement>();

function prepared(db: Database, sql: string): Statement {
  let prepare = statementCaches.get(db);
  if (prepare === undefined) {
    prepare = createStatementCache(db, 128);
    statementCaches.set(db, prepare);
  }
  return prepare(sql);
}

/**
 * The dashboard for `input` (already parsed by the AnalyticsInput schema). Throws HistoryError
 * (code 'bad_request') when the range holds more than MAX_ANALYTICS_BUCKETS buckets or the
 * search has nothing searchable in it.
 */
export function computeAnalytics(db: Database, input: AnalyticsInput): Analytics {
  const { filter } = input;
  assertSearchable(filter);
  assertRangeFits(input);
  const grid = gridOf(input);
  const condition: SqlCondition = callFilterSql(filter, { includeSearch: true });
  const rows = prepared(db, analyticsSql(condition.sql, searchQuery(filter) !== null)).all({
    ...condition.params,
    a_shift: grid.shiftMs,
    a_size: grid.sizeMs,
    a_abandon_ms: input.abandonWithinS * 1000,
    a_negative: NEGATIVE_SENTIMENT_MAX,
  }) as { part: FigureRow['part']; bucket: number | null; data: string }[];
  return assembleAnalytics(
    rows.map((row) => ({ part: row.part, bucket: row.bucket, data: JSON.parse(row.data) as unknown })),
    input,
  );
}
