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
 * Two statements, the calls half and the latency half, run side by side on two connections
 * in one snapshot (inSharedSnapshot).
 */
import type pg from 'pg';
import type { Analytics, AnalyticsInput } from '@shared/history';
import { assembleAnalytics, assertRangeFits, gridOf, NOT_CONNECTED_SQL, STAGE_SQL, STAGES, TOP_INTENTS, type FigureRow } from '../history/analytics-figures';
import { NEGATIVE_SENTIMENT_MAX } from '../history/filter-sql';
import { TURN_CALL_START_SCHEMA } from '../sync/pg-migrations';
import { PgParams, prepareTeamSearch, teamFilterSql, type TeamSearch } from './team-filter-sql';

/**
 * Settings for each statement's transaction (SET LOCAL: nothing outlives it):
 * - work_mem 32MB: the dashboard sorts every matching call (buckets) and every turn of each
 *   latency stage (percentiles); PostgreSQL's default 4MB spills those sorts to disk.
 *   Several sorts may each take it, a few hundred MB at most, for well under a second.
 * - jit off: compiling the plan costs ~40 ms, more than it saves on a query this size
 *   (measured: 0.7 s without, 0.8 s with JIT unoptimised, 1.4 s optimised).
 */
const ANALYTICS_SETTINGS = ["SET LOCAL work_mem = '32MB'", 'SET LOCAL jit = off'];

/**
 * Runs the statements at once, each on its own pooled connection, all in one snapshot: the
 * first transaction exports its snapshot (pg_export_snapshot) and the others adopt it before
 * they read (SET TRANSACTION SNAPSHOT), as pg_dump --jobs does. PostgreSQL runs a statement
 * on one core; the dashboard's two halves take about the same time, so two connections halve
 * the wait, and the figures still describe one moment of the database.
 *
 * One dashboard at a time per pool (analyticsQueue): each holds one connection while it
 * waits for the next, so several at once could hold every connection of the pool and wait
 * for each other forever.
 */
async function inSharedSnapshot(pool: pg.Pool, statements: readonly Statement[]): Promise<FigureRow[]> {
  const clients: pg.PoolClient[] = [];
  let failed = false;
  try {
    let snapshot: string | undefined;
    for (let i = 0; i < statements.length; i++) {
      const client = await pool.connect();
      clients.push(client);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (snapshot === undefined) {
        snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
      } else {
        await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
      }
      for (const setting of ANALYTICS_SETTINGS) await client.query(setting);
    }
    const results = await Promise.all(statements.map((s, i) => clients[i]!.query<FigureRow>(s.sql, s.values)));
    // Every transaction has adopted the snapshot by now: they may end in any order.
    await Promise.all(clients.map((client) => client.query('COMMIT')));
    return results.flatMap((result) => result.rows);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    for (const client of clients) {
      if (failed) await client.query('ROLLBACK').catch(() => undefined);
      client.release(failed);
    }
  }
}

const analyticsQueue = new WeakMap<pg.Pool, Promise<unknown>>();

/** Pools whose database has turn_metrics.call_started_at (schema 2): versions only go up, so once seen it stays. */
const turnCallStartSeen = new WeakSet<pg.Pool>();

/**
 * Whether the team database is at schema 2 or later. A team lead's desk may read a database
 * that no desk running this version has migrated yet (desks upgrade one by one, and a desk
 * migrates when its sync starts): until then the latency half joins turns to their calls.
 */
async function hasTurnCallStart(pool: pg.Pool): Promise<boolean> {
  if (turnCallStartSeen.has(pool)) return true;
  const { rows } = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM switchboard_schema');
  const seen = (rows[0]?.version ?? 0) >= TURN_CALL_START_SCHEMA;
  if (seen) turnCallStartSeen.add(pool);
  return seen;
}

/** Runs `task` after every dashboard already queued on `pool` (see inSharedSnapshot). */
function oneAtATime<T>(pool: pg.Pool, task: () => Promise<T>): Promise<T> {
  const previous = analyticsQueue.get(pool) ?? Promise.resolve();
  const next = previous.then(task, task);
  analyticsQueue.set(pool, next.catch(() => undefined));
  return next;
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

/** One statement with its bound values. */
interface Statement {
  sql: string;
  values: unknown[];
}

/**
 * The calls half: buckets, totals, top intents, incidents and dispositions.
 *
 * The matching calls are read once (MATERIALIZED) for the call figures. Without a search,
 * the incidents and dispositions parts select their calls again through the filter instead
 * of reading `matched`: PostgreSQL has statistics for calls, none for a CTE (it guesses 200
 * distinct ids, then probes an index 100,000 times), and re-running the filter by index is
 * cheaper than re-reading the materialized rows. With a search, `matched` saves running the
 * full-text lookup three times.
 */
function callsStatement(input: AnalyticsInput, search: TeamSearch | null): Statement {
  const params = new PgParams();
  const where = teamFilterSql(input.filter, params, search);
  const grid = gridOf(input);
  const shift = params.bind(grid.shiftMs, 'bigint');
  const size = params.bind(grid.sizeMs, 'bigint');
  const abandonMs = params.bind(input.abandonWithinS * 1000, 'float8');
  const negative = params.bind(NEGATIVE_SENTIMENT_MAX, 'float8');
  // Integer arithmetic on the start's whole milliseconds, as SQLite's % casts its operands to
  // INTEGER (epoch starts are whole milliseconds; the team schema keeps them as doubles).
  const start = 'trunc(c.started_at)::bigint';
  const bucket = `((${start} + ${shift}) - (((${start} + ${shift}) % ${size}) + ${size}) % ${size} - ${shift})`;
  const aggregates = callAggregates(negative);
  const matchingIds = search ? 'SELECT id FROM matched' : `SELECT c.id FROM calls c WHERE ${where}`;
  const sql = /* sql */ `
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
    FROM wrap_ups w WHERE w.call_id IN (${matchingIds}) GROUP BY lower(w.disposition)`;
  return { sql, values: params.values };
}

/**
 * The latency half: per stage, the turns measured and their p50 and p95.
 *
 * (The p50 and p95 of one stage share one sort: PostgreSQL shares an ordered-set aggregate's
 * state between calls on the same values; measured, a third percentile costs nothing.)
 *
 * Which turns: those of the matching calls. When the filter is a time range and nothing
 * else (the dashboard's usual question), turn_metrics answers alone by its call_started_at
 * (team schema v2), without joining 383,000 turns to their calls (~0.2 s). No filter at
 * all: every turn. That is the same set: a turn never outlives its call on the desk (foreign
 * key), a call reaches the team database before its turns (the backfill sends calls first,
 * the outbox in the order the desk stored them) and leaves it with them (the desk records its
 * children's deletes). (A re-sync into a fresh database may deliver a call's turns a moment
 * before the call row; they are then counted here a moment early, never twice.)
 */
function latencyStatement(input: AnalyticsInput, search: TeamSearch | null, turnsKnowTheirCall: boolean): Statement {
  const params = new PgParams();
  const { from, to, ...rest } = input.filter;
  let source: string;
  if (turnsKnowTheirCall && search === null && teamFilterSql(rest, new PgParams()) === 'TRUE') {
    const range: string[] = [];
    if (from !== undefined) range.push(`m.call_started_at >= ${params.bind(from, 'float8')}`);
    if (to !== undefined) range.push(`m.call_started_at < ${params.bind(to, 'float8')}`);
    source = `FROM turn_metrics m${range.length > 0 ? ` WHERE ${range.join(' AND ')}` : ''}`;
  } else {
    source = `FROM calls c JOIN turn_metrics m ON m.call_id = c.id WHERE ${teamFilterSql(input.filter, params, search)}`;
  }
  const latency = STAGES.map((stage) => {
    const v = STAGE_SQL[stage];
    return `'${stage}', json_build_array(count(${v}), percentile_cont(0.5) WITHIN GROUP (ORDER BY ${v}), percentile_cont(0.95) WITHIN GROUP (ORDER BY ${v}))`;
  }).join(',\n        ');
  const sql = /* sql */ `
    SELECT 'latency' AS part, NULL AS bucket, json_build_object(
        ${latency}) AS data
    ${source}`;
  return { sql, values: params.values };
}

/**
 * The dashboard for `input` (parsed by the AnalyticsInput schema) over the team database.
 * Throws HistoryError (code 'bad_request') for the desk's reasons: too many buckets, a
 * search with nothing searchable in it.
 */
export async function computeTeamAnalytics(pool: pg.Pool, input: AnalyticsInput): Promise<Analytics> {
  const search = await prepareTeamSearch(pool, input.filter);
  assertRangeFits(input);
  const statements = [callsStatement(input, search), latencyStatement(input, search, await hasTurnCallStart(pool))];
  const rows = await oneAtATime(pool, () => inSharedSnapshot(pool, statements));
  return assembleAnalytics(rows, input);
}
