/**
 * The Analytics dashboard over the team database (issue 12): the same figures, with the same
 * definitions, as the desk's history/analytics.ts (read its header for what each figure
 * counts). This file only says it in PostgreSQL; the rows it returns are assembled by the
 * very code the desk uses (history/analytics-figures.ts), so bucket grids, rates, rounding
 * and list order cannot drift apart.
 *
 * Dialect notes, where the two SQLs differ in spelling but not in meaning:
 * - percentile_cont(f) WITHIN GROUP (ORDER BY x) is SQLite's percentile_cont(x, f): both
 *   interpolate linearly between the two nearest ranks and skip NULLs;
 * - count(CASE WHEN … THEN 1 END) is written count(*) FILTER (WHERE …);
 * - the bucket arithmetic is integer arithmetic on bigint; PostgreSQL's % keeps the
 *   dividend's sign like SQLite's, hence the same posmod;
 * - ties in the top-intents list are broken by the intent in byte order (COLLATE "C"), as
 *   SQLite compares text, whatever the server's locale.
 * One statement, one snapshot: the matching calls are read once (MATERIALIZED) for the call
 * figures; see analyticsSql for how the other parts find them.
 *
 * Measured (npm run bench:team, this 2-core machine, 100,000 calls / 1M lines / 383,000
 * turns): the whole store by week 0.46 s, the last 30 days by day 0.21 s (medians).
 */
import pg from 'pg';
import type { Analytics, AnalyticsInput } from '@shared/history';
import { assembleAnalytics, assertRangeFits, gridOf, NOT_CONNECTED_SQL, STAGE_SQL, STAGES, TOP_INTENTS, type FigureRow } from '../history/analytics-figures';
import { NEGATIVE_SENTIMENT_MAX } from '../history/filter-sql';
import { PgParams, prepareTeamSearch, teamFilterSql, type Queryable } from './team-filter-sql';

/**
 * Settings for the one statement, on its own transaction (SET LOCAL: nothing outlives it):
 * - work_mem 32MB: the dashboard sorts every matching call (buckets) and every turn of each
 *   latency stage (percentiles); PostgreSQL's default 4MB spills those sorts to disk.
 *   Several sorts may each take it, a few hundred MB at most, for well under a second.
 * - jit off: compiling the plan costs ~40 ms, more than it saves on a query this size.
 */
const ANALYTICS_SETTINGS = ["SET LOCAL work_mem = '32MB'", 'SET LOCAL jit = off'];

/** Runs `query` with ANALYTICS_SETTINGS: on a connection of its own from a pool; on a given client as it is (the caller's session). */
async function inAnalyticsSession<T>(db: Queryable, query: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return query(db);
  const client = await db.connect();
  let broken = false;
  try {
    await client.query('BEGIN READ ONLY');
    for (const setting of ANALYTICS_SETTINGS) await client.query(setting);
    const result = await query(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    if (broken) await client.query('ROLLBACK').catch(() => undefined);
    client.release(broken);
  }
}

function callAggregates(negative: string): string {
  return /* sql */ `json_build_object(
    'calls', count(*),
    'inbound', coalesce(sum(inbound), 0),
    'ended', count(handle_ms),
    'avgHandleMs', avg(handle_ms),
    'p90HandleMs', percentile_cont(0.9) WITHIN GROUP (ORDER BY handle_ms),
    'takenOver', count(*) FILTER (WHERE handle_ms IS NOT NULL AND takeover_ms IS NOT NULL),
    'avgTakeoverMs', avg(takeover_ms) FILTER (WHERE handle_ms IS NOT NULL),
    'abandoned', count(*) FILTER (WHERE handle_ms IS NOT NULL AND abandoned),
    'sentimentFirstAvg', avg(s_first),
    'sentimentLastAvg', avg(s_last),
    'scored', count(s_avg),
    'negative', count(*) FILTER (WHERE s_avg <= ${negative}))`;
}

/**
 * `where`: the filter's conditions on calls c. Without a search, the incidents, dispositions
 * and latency parts select their calls again through `where` instead of reading `matched`:
 * PostgreSQL has statistics for calls, none for a CTE (it guesses 200 distinct ids, then
 * probes an index 100,000 times), and re-running the filter by index is cheaper than
 * re-reading the materialized rows (the desk's SQL makes the same choice for latency). With
 * a search, `matched` saves running the full-text lookup four times.
 */
/**
 * Which turns the latency part reads. No filter at all: every turn, without joining their
 * calls (the join costs as much as the percentiles, ~0.2 s per million lines). That is the
 * same set: a turn never outlives its call on the desk (foreign key), and a call reaches the
 * team database before its turns (the backfill sends calls first, the outbox in the order
 * the desk stored them) and leaves it with them (the desk records its children's deletes).
 */
function latencySource(where: string, hasSearch: boolean): string {
  if (hasSearch) return 'FROM matched x JOIN turn_metrics m ON m.call_id = x.id';
  if (where === 'TRUE') return 'FROM turn_metrics m';
  // (A re-sync into a fresh database may deliver a call's turns a moment before the call
  // row; they are then counted here a moment early, never twice.)
  return `FROM calls c JOIN turn_metrics m ON m.call_id = c.id WHERE ${where}`;
}

function analyticsSql(where: string, params: PgParams, input: AnalyticsInput, hasSearch: boolean): string {
  const grid = gridOf(input);
  const shift = params.bind(grid.shiftMs, 'bigint');
  const size = params.bind(grid.sizeMs, 'bigint');
  const abandonMs = params.bind(input.abandonWithinS * 1000, 'float8');
  const negative = params.bind(NEGATIVE_SENTIMENT_MAX, 'float8');
  // Integer arithmetic on the start's whole milliseconds, as SQLite's % casts its operands to
  // INTEGER (epoch starts are whole milliseconds; the team schema keeps them as doubles).
  const start = 'trunc(c.started_at)::bigint';
  const bucket = `((${start} + ${shift}) - (((${start} + ${shift}) % ${size}) + ${size}) % ${size} - ${shift})`;
  const latency = STAGES.map((stage) => {
    const v = STAGE_SQL[stage];
    return `'${stage}', json_build_array(count(${v}), percentile_cont(0.5) WITHIN GROUP (ORDER BY ${v}), percentile_cont(0.95) WITHIN GROUP (ORDER BY ${v}))`;
  }).join(',\n        ');
  const aggregates = callAggregates(negative);
  const matchingIds = hasSearch ? 'SELECT id FROM matched' : `SELECT c.id FROM calls c WHERE ${where}`;
  return /* sql */ `
    WITH matched AS MATERIALIZED (
      SELECT c.id,
             ${bucket} AS bucket,
             (c.direction = 'inbound')::int AS inbound,
             -- A call that never connected (no answer, busy…) was not handled (see analytics.ts).
             CASE WHEN c.end_reason IN ${NOT_CONNECTED_SQL} THEN NULL ELSE c.ended_at - c.started_at END AS handle_ms,
             c.taken_over_at_ms AS takeover_ms,
             (c.end_reason = 'caller_hangup' AND c.ended_at - c.started_at <= ${abandonMs}) AS abandoned,
             c.caller_sentiment_first AS s_first,
             c.caller_sentiment_last AS s_last,
             c.caller_sentiment_avg AS s_avg,
             c.intent
      FROM calls c
      WHERE ${where}
    )
    SELECT 'bucket' AS part, bucket, ${aggregates} AS data FROM matched GROUP BY bucket
    UNION ALL
    SELECT 'total', NULL, ${aggregates} FROM matched
    UNION ALL
    SELECT 'intent', NULL, json_build_object('intent', intent, 'calls', calls) FROM (
      SELECT intent, count(*) AS calls FROM matched WHERE intent IS NOT NULL
      GROUP BY intent ORDER BY calls DESC, intent COLLATE "C" LIMIT ${TOP_INTENTS}) i
    UNION ALL
    SELECT 'incident', NULL, json_build_object('kind', kind, 'count', count(*)) FROM (
      SELECT CASE e.type WHEN 'fallback' THEN 'fallback:' || coalesce(e.data->>'role', 'unknown') ELSE e.type END AS kind
      FROM call_events e
      WHERE e.type IN ('fallback', 'error') AND e.call_id IN (${matchingIds})) k
    GROUP BY kind
    UNION ALL
    SELECT 'disposition', NULL, json_build_object('disposition', min(w.disposition COLLATE "C"), 'calls', count(*))
    FROM wrap_ups w WHERE w.call_id IN (${matchingIds}) GROUP BY lower(w.disposition)
    UNION ALL
    SELECT 'latency', NULL, json_build_object(
        ${latency})
    ${latencySource(where, hasSearch)}`;
}

/**
 * The dashboard for `input` (parsed by the AnalyticsInput schema) over the team database.
 * Throws HistoryError (code 'bad_request') for the desk's reasons: too many buckets, a
 * search with nothing searchable in it.
 */
export async function computeTeamAnalytics(db: Queryable, input: AnalyticsInput): Promise<Analytics> {
  const search = await prepareTeamSearch(db, input.filter);
  assertRangeFits(input);
  const params = new PgParams();
  const where = teamFilterSql(input.filter, params, search);
  const sql = analyticsSql(where, params, input, search !== null);
  const rows = await inAnalyticsSession(db, (client) => client.query<FigureRow>(sql, params.values));
  return assembleAnalytics(rows.rows, input);
}
