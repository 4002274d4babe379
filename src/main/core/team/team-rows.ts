/**
 * The team database's rows as exports stream them (issue 12): every matching call (or line)
 * through a server-side SQL cursor (DECLARE … CURSOR, FETCH n), so a million lines pass
 * through a few thousand at a time and memory stays flat. No driver add-on is needed for
 * that (pg-cursor / pg-query-stream do the same through the protocol): SQL cursors are plain
 * statements on the one client.
 *
 * Cursors live in a transaction: run these inside teamSnapshot() (REPEATABLE READ, read
 * only), which also makes the count and every row come from one snapshot while desks keep
 * syncing, as the desk's exports read one SQLite snapshot.
 */
import type pg from 'pg';
import type { CallDirection, Speaker } from '@shared/domain';
import type { CallFilter } from '@shared/history';
import { WrapUpSummary } from '@shared/wrapup';
import type { CallWithLines, ExportCall, ExportLine } from '../history/history';
import { HistoryError } from '../history/history-error';
import { PgParams, prepareTeamSearch, teamFilterSql } from './team-filter-sql';
import { CALLS_WITH_DESK, createTeamHistory, TEAM_CALL_ROW_SQL, teamRow, type TeamCallRow } from './team-history';

/** Rows per FETCH: a round trip per thousand rows costs little; the batch is all that is held. */
const FETCH_ROWS = 1000;

/** What only exports write about a call: the wrap-up's text, the AI's facts, the agent's whispers. */
const EXPORT_CALL_SQL = /* sql */ `${TEAM_CALL_ROW_SQL},
  wu.notes AS wrap_up_notes, wu.summary AS wrap_up_summary,
  (SELECT json_agg(json_build_object('key', f.key, 'value', f.value) ORDER BY f.seq)
   FROM call_facts f WHERE f.call_id = c.id) AS facts,
  (SELECT json_agg(json_build_object('atMs', e.at_ms, 'text', e.data->>'text') ORDER BY e.seq)
   FROM call_events e WHERE e.type = 'whisper' AND e.call_id = c.id) AS whispers`;

const LINE_SQL = /* sql */ `
  c.id AS call_id, c.call_sid, c.started_at AS call_started_at, c.direction, c.from_number, c.to_number,
  coalesce(d.name, c.desk_id) AS desk,
  u.id AS line_id, u.seq, u.speaker, u.text, u.start_ms, u.end_ms,
  u.sentiment_score, u.sentiment_label, u.interrupted, u.intent`;

/** Newest call first, as the desk's exports; (started_at, id) is unique, so the order is total. */
const CALL_ORDER = 'ORDER BY c.started_at DESC, c.id DESC';

type ExportCallRow = TeamCallRow & {
  wrap_up_notes: string | null;
  wrap_up_summary: Record<string, unknown> | null;
  facts: ExportCall['facts'] | null;
  whispers: ExportCall['whispers'] | null;
};

interface LineRow {
  call_id: string;
  call_sid: string;
  call_started_at: number;
  direction: string;
  from_number: string;
  to_number: string;
  desk: string;
  line_id: string;
  seq: number;
  speaker: string;
  text: string;
  start_ms: number;
  end_ms: number;
  sentiment_score: number | null;
  sentiment_label: string | null;
  interrupted: boolean;
  intent: string | null;
}

/**
 * The summary's keys in the schema's order, as the desk stored them: jsonb keeps keys in its
 * own order, and JSON Lines exports write the object as it is.
 */
const SUMMARY_KEYS = WrapUpSummary.keyof().options as readonly string[];
function summaryInOrder(summary: Record<string, unknown>): WrapUpSummary {
  const ordered: Record<string, unknown> = {};
  for (const key of SUMMARY_KEYS) if (key in summary) ordered[key] = summary[key];
  for (const key of Object.keys(summary)) if (!(key in ordered)) ordered[key] = summary[key];
  return ordered as WrapUpSummary;
}

function exportCallOf(row: ExportCallRow): ExportCall {
  return {
    ...teamRow(row),
    wrapUpNotes: row.wrap_up_notes,
    wrapUpSummary: row.wrap_up_summary === null ? null : summaryInOrder(row.wrap_up_summary),
    facts: row.facts ?? [],
    whispers: row.whispers ?? [],
  };
}

function exportLineOf(row: LineRow): ExportLine {
  return {
    desk: row.desk,
    callId: row.call_id,
    callSid: row.call_sid,
    callStartedAt: row.call_started_at,
    direction: row.direction as CallDirection,
    from: row.from_number,
    to: row.to_number,
    lineId: row.line_id,
    seq: row.seq,
    speaker: row.speaker as Speaker,
    text: row.text,
    startMs: row.start_ms,
    endMs: row.end_ms,
    sentimentScore: row.sentiment_score,
    sentimentLabel: row.sentiment_label,
    interrupted: row.interrupted,
    intent: row.intent,
  };
}

let cursorNumber = 0;

/** Rows of `sql` through a server-side cursor, FETCH_ROWS at a time; closed when the walk ends or is left. */
async function* cursorRows<T>(client: pg.ClientBase, sql: string, values: unknown[]): AsyncGenerator<T> {
  const name = `team_rows_${++cursorNumber}`;
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, values);
  try {
    for (;;) {
      const rows = (await client.query(`FETCH ${FETCH_ROWS} FROM ${name}`)).rows as T[];
      yield* rows;
      if (rows.length < FETCH_ROWS) return;
    }
  } finally {
    // A failed transaction refuses CLOSE too; ending the transaction closes the cursor anyway.
    await client.query(`CLOSE ${name}`).catch(() => undefined);
  }
}

async function* exportCalls(client: pg.ClientBase, filter: CallFilter): AsyncGenerator<ExportCall> {
  const search = await prepareTeamSearch(client, filter);
  const params = new PgParams();
  const where = teamFilterSql(filter, params, search);
  const sql = `SELECT ${EXPORT_CALL_SQL} FROM ${CALLS_WITH_DESK} LEFT JOIN wrap_ups wu ON wu.call_id = c.id WHERE ${where} ${CALL_ORDER}`;
  for await (const row of cursorRows<ExportCallRow>(client, sql, params.values)) yield exportCallOf(row);
}

async function* exportLines(client: pg.ClientBase, filter: CallFilter): AsyncGenerator<ExportLine> {
  const search = await prepareTeamSearch(client, filter);
  const params = new PgParams();
  const where = teamFilterSql(filter, params, search);
  const sql = `SELECT ${LINE_SQL} FROM ${CALLS_WITH_DESK} JOIN utterances u ON u.call_id = c.id WHERE ${where} ${CALL_ORDER}, u.seq`;
  for await (const row of cursorRows<LineRow>(client, sql, params.values)) yield exportLineOf(row);
}

/**
 * Each call with its lines: two cursors in the same order on the one client, merged (the
 * lines cursor holds only the matching calls' lines, so each call takes the lines that
 * follow until another call's begin).
 */
async function* exportCallsWithLines(client: pg.ClientBase, filter: CallFilter): AsyncGenerator<CallWithLines> {
  const lines = exportLines(client, filter);
  try {
    let next = await lines.next();
    for await (const call of exportCalls(client, filter)) {
      const own: ExportLine[] = [];
      while (!next.done && next.value.callId === call.id) {
        own.push(next.value);
        next = await lines.next();
      }
      yield { call, lines: own };
    }
  } finally {
    await lines.return(undefined);
  }
}

/** An export's source over the team database (export/source.ts's ExportSource, async). Use inside teamSnapshot(). */
export function createTeamExportSource(client: pg.ClientBase) {
  const history = createTeamHistory(client);
  return {
    countCalls: (filter: CallFilter) => history.countCalls(filter),
    countLines: (filter: CallFilter) => history.countLines(filter),
    iterateCalls: (filter: CallFilter) => exportCalls(client, filter),
    iterateLines: (filter: CallFilter) => exportLines(client, filter),
    iterateCallsWithLines: (filter: CallFilter) => exportCallsWithLines(client, filter),
  };
}

/**
 * Runs `read` on one connection in a read-only REPEATABLE READ transaction (one snapshot of
 * the team database), then ends the transaction and lets the connection go.
 */
export async function teamSnapshot<T>(pool: pg.Pool, read: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await read(client);
  } catch (error) {
    broken = !(error instanceof HistoryError);
    throw error;
  } finally {
    await client.query('ROLLBACK').catch(() => (broken = true));
    // A connection that failed mid-way is not handed to the next reader.
    client.release(broken);
  }
}
