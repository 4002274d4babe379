/**
 * The read side of the call store (issue 7): History pages (keyset, never OFFSET), transcript
 * search, facets, and the row iterators exports stream from. SQL filters and sorts; JavaScript
 * only maps the rows it is handed. Works on a read-only connection (the CLI, export worker).
 */
import type { Database, Statement } from 'better-sqlite3';
import { storedCallLiveFields, type CallDirection, type CallStatus, type Controller, type Speaker } from '@shared/domain';
import type {
  CallFilter,
  CallHistoryRow,
  HistoryPage,
  HistorySort,
  HistorySortKey,
  SearchHit,
  SearchPage,
  TextSegment,
} from '@shared/history';
import type { Resolution, WrapUpSummary } from '@shared/wrapup';
import { createStatementCache } from '../store/statement-cache';
import { assertSearchable, callFilterSql, searchQuery, type SearchStrategy, type SqlCondition } from './filter-sql';
import { decodeCursor, encodeCursor, type KeysetCursor } from './cursor';
import { HistoryError } from './history-error';

/** One transcript line as exports write it, with what identifies its call. */
export interface ExportLine {
  /** The call's desk: set on team rows only (team view, issue 12). */
  desk?: string;
  callId: string;
  callSid: string;
  /** Epoch ms. */
  callStartedAt: number;
  direction: CallDirection;
  from: string;
  to: string;
  lineId: string;
  /** The line's place in its call, from 1. */
  seq: number;
  speaker: Speaker;
  text: string;
  /** ms since the call started. */
  startMs: number;
  endMs: number;
  sentimentScore: number | null;
  sentimentLabel: string | null;
  interrupted: boolean;
  intent: string | null;
}

/**
 * A call as exports write it: its History row plus the wrap-up's text and the facts the AI
 * recorded (issue 8), which History pages do not carry.
 */
export interface ExportCall extends CallHistoryRow {
  wrapUpNotes: string | null;
  wrapUpSummary: WrapUpSummary | null;
  /** In the order the AI recorded them. */
  facts: { key: string; value: string }[];
  /** The agent's whispers to the AI (never heard by the caller), in order, with when on the call's clock. */
  whispers: { atMs: number; text: string }[];
}

export interface CallWithLines {
  call: ExportCall;
  /** In the call's order; one call's lines at a time are held in memory. */
  lines: ExportLine[];
}

export interface History {
  page(input: { filter: CallFilter; sort: HistorySort; cursor?: string | undefined; limit: number }): HistoryPage;
  search(input: { filter: CallFilter; cursor?: string | undefined; limit: number }): SearchPage;
  facets(): { endReasons: string[] };
  countCalls(filter: CallFilter): number;
  countLines(filter: CallFilter): number;
  /** Newest call first. Holds the connection for as long as it is being iterated. */
  iterateCalls(filter: CallFilter): IterableIterator<ExportCall>;
  /** Lines of the matching calls: newest call first, each call's lines in order. */
  iterateLines(filter: CallFilter): IterableIterator<ExportLine>;
  /** Each matching call with its lines (calls without lines too), newest call first. */
  iterateCallsWithLines(filter: CallFilter): IterableIterator<CallWithLines>;
}

/** A calls row as CALL_COLUMNS select it (SQLite here; the team database's rows have the same shape). */
export interface CallRow {
  id: string;
  call_sid: string;
  direction: string;
  from_number: string;
  to_number: string;
  status: string;
  controller: string;
  started_at: number;
  ended_at: number | null;
  scenario: string | null;
  end_reason: string | null;
  utterance_count: number;
  caller_sentiment_avg: number | null;
  caller_sentiment_first: number | null;
  caller_sentiment_last: number | null;
  taken_over_at_ms: number | null;
  alert_count: number;
  disposition: string | null;
  resolution: string | null;
  sort_key?: number | null;
}

interface LineRow {
  line_id: string;
  seq: number;
  speaker: string;
  text: string;
  start_ms: number;
  end_ms: number;
  sentiment_score: number | null;
  sentiment_label: string | null;
  interrupted: number;
  intent: string | null;
}

const CALL_COLUMNS = /* sql */ `
  c.id, c.call_sid, c.direction, c.from_number, c.to_number, c.status, c.controller,
  c.started_at, c.ended_at, c.scenario, c.end_reason,
  (SELECT count(*) FROM utterances n WHERE n.call_id = c.id) AS utterance_count,
  c.caller_sentiment_avg, c.caller_sentiment_first, c.caller_sentiment_last,
  c.taken_over_at_ms, c.alert_count,
  (SELECT w.disposition FROM wrap_ups w WHERE w.call_id = c.id) AS disposition,
  (SELECT w.resolution FROM wrap_ups w WHERE w.call_id = c.id) AS resolution`;

/** CALL_COLUMNS is plain SQL that PostgreSQL runs as it is: the team view (core/team) selects the same row. */
export { CALL_COLUMNS as CALL_ROW_SQL };

/**
 * CALL_COLUMNS and what only exports write: the wrap-up's notes and summary (one lookup, as a
 * JSON pair) and the facts as a JSON array. The facts come in recorded order because the
 * lookup walks call_facts_by_call (call_id, seq); an ORDER BY inside the aggregate would sort
 * every call's facts again (on 100,000 calls: +0.6 s for these columns as written, +0.7 s with
 * the sort or with one lookup per column).
 */
const EXPORT_CALL_COLUMNS = /* sql */ `${CALL_COLUMNS},
  (SELECT json_array(w.notes, w.summary) FROM wrap_ups w WHERE w.call_id = c.id) AS wrap_up_text,
  (SELECT json_group_array(json_object('key', f.key, 'value', f.value)) FROM call_facts f WHERE f.call_id = c.id) AS facts,
  (SELECT json_group_array(json_object('atMs', e.at_ms, 'text', json_extract(e.data, '$.text')))
   FROM call_events e WHERE e.type = 'whisper' AND e.call_id = c.id) AS whispers`;

const LINE_COLUMNS = /* sql */ `
  u.id AS line_id, u.seq, u.speaker, u.text, u.start_ms, u.end_ms,
  u.sentiment_score, u.sentiment_label, u.interrupted, u.intent`;

/** What a line export repeats about its call (c.id first, as callsInBatches needs). */
const LINE_CALL_COLUMNS = 'c.id, c.call_sid, c.started_at, c.direction, c.from_number, c.to_number';

/** One call's lines in order, by the (call_id, seq) index. */
const LINES_OF_CALL_SQL = `SELECT ${LINE_COLUMNS} FROM utterances u WHERE u.call_id = ? ORDER BY u.seq`;

/* Raw rows below: the positions of CALL_COLUMNS and LINE_COLUMNS, in the order written above. */

function callRowOf(r: unknown[]): CallRow {
  return {
    id: r[0],
    call_sid: r[1],
    direction: r[2],
    from_number: r[3],
    to_number: r[4],
    status: r[5],
    controller: r[6],
    started_at: r[7],
    ended_at: r[8],
    scenario: r[9],
    end_reason: r[10],
    utterance_count: r[11],
    caller_sentiment_avg: r[12],
    caller_sentiment_first: r[13],
    caller_sentiment_last: r[14],
    taken_over_at_ms: r[15],
    alert_count: r[16],
    disposition: r[17],
    resolution: r[18],
  } as CallRow;
}

/** An ExportCall from a raw row of EXPORT_CALL_COLUMNS. */
function exportCallOf(r: unknown[]): ExportCall {
  const text = r[19] as string | null;
  const facts = r[20] as string | null;
  const whispers = r[21] as string | null;
  const [notes, summary] = text === null ? [null, null] : (JSON.parse(text) as [string, string]);
  return {
    ...toHistoryRow(callRowOf(r)),
    wrapUpNotes: notes,
    wrapUpSummary: summary === null ? null : (JSON.parse(summary) as WrapUpSummary),
    facts: facts === null || facts === '[]' ? [] : (JSON.parse(facts) as ExportCall['facts']),
    whispers: whispers === null || whispers === '[]' ? [] : (JSON.parse(whispers) as ExportCall['whispers']),
  };
}

/** An ExportLine from its call's fields and a raw row holding LINE_COLUMNS from position `at`. */
function exportLineOf(
  callId: unknown,
  callSid: unknown,
  callStartedAt: unknown,
  direction: unknown,
  from: unknown,
  to: unknown,
  r: unknown[],
  at: number,
): ExportLine {
  return {
    callId: callId as string,
    callSid: callSid as string,
    callStartedAt: callStartedAt as number,
    direction: direction as CallDirection,
    from: from as string,
    to: to as string,
    lineId: r[at] as string,
    seq: r[at + 1] as number,
    speaker: r[at + 2] as Speaker,
    text: r[at + 3] as string,
    startMs: r[at + 4] as number,
    endMs: r[at + 5] as number,
    sentimentScore: r[at + 6] as number | null,
    sentimentLabel: r[at + 7] as string | null,
    interrupted: r[at + 8] !== 0,
    intent: r[at + 9] as string | null,
  };
}

/** Sort keys, spelled exactly as indexed (calls_by_started_at, calls_by_duration, calls_by_sentiment). */
const SORT_KEY_SQL: Record<HistorySortKey, string> = {
  startedAt: 'c.started_at',
  duration: '(c.ended_at - c.started_at)',
  sentiment: 'c.caller_sentiment_avg',
};

/** Highlight markers: control characters, which the search input refuses, so they cannot collide. */
const HIT_START = '\u0001';
const HIT_END = '\u0002';

export function createHistory(db: Database): History {
  const prepare = createStatementCache(db);
  const where = (filter: CallFilter): SqlCondition => {
    assertSearchable(filter);
    return callFilterSql(filter, { includeSearch: true });
  };

  return {
    page({ filter, sort, cursor, limit }) {
      assertSearchable(filter);
      const condition = callFilterSql(filter, { includeSearch: true, searchStrategy: pageSearchStrategy(prepare, filter) });
      const keyset = cursor === undefined ? null : decodeCursor(cursor, sortSignature(sort));
      const rows = keysetRows(prepare, condition, sort, keyset, limit + 1);
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const last = shown.at(-1);
      return {
        calls: withProfiles(prepare, shown.map(toHistoryRow)),
        nextCursor: more && last ? encodeCursor(sortSignature(sort), keysetOf(last, sort)) : null,
      };
    },

    search({ filter, cursor, limit }) {
      assertSearchable(filter);
      const fts = searchQuery(filter);
      if (fts === null) throw new HistoryError('Type a word to search for.');
      const condition = callFilterSql(filter);
      const before = cursor === undefined ? null : decodeCursor(cursor, 'search');
      const sql = /* sql */ `
        SELECT ${CALL_COLUMNS}, ${LINE_COLUMNS}, f.rowid AS line_rowid,
               highlight(utterances_fts, 0, char(1), char(2)) AS marked
        FROM utterances_fts f
        JOIN utterances u ON u.row_id = f.rowid
        JOIN calls c ON c.id = u.call_id
        WHERE utterances_fts MATCH @q ${before ? 'AND f.rowid < @before' : ''} AND ${condition.sql}
        ORDER BY f.rowid DESC
        LIMIT @limit`;
      const rows = prepare(sql).all({
        ...condition.params,
        q: fts,
        limit: limit + 1,
        ...(before ? { before: before.value } : {}),
      }) as (CallRow & LineRow & { line_rowid: number; marked: string })[];
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const hits: SearchHit[] = shown.map((row) => ({
        call: toHistoryRow(row),
        line: { id: row.line_id, speaker: row.speaker as Speaker, startMs: row.start_ms, segments: segmentsOf(row.marked) },
      }));
      const last = shown.at(-1);
      return { hits, nextCursor: more && last ? encodeCursor('search', { value: last.line_rowid, id: '', nulls: false }) : null };
    },

    facets() {
      const endReasons = prepare(
        `SELECT DISTINCT end_reason FROM calls WHERE end_reason IS NOT NULL ORDER BY end_reason`,
      ).pluck().all() as string[];
      return { endReasons };
    },

    countCalls(filter) {
      const condition = where(filter);
      return prepare(`SELECT count(*) FROM calls c WHERE ${condition.sql}`).pluck().get(condition.params) as number;
    },

    countLines(filter) {
      const condition = where(filter);
      return prepare(`SELECT count(*) FROM calls c JOIN utterances u ON u.call_id = c.id WHERE ${condition.sql}`)
        .pluck()
        .get(condition.params) as number;
    },

    *iterateCalls(filter) {
      for (const r of callsInBatches(prepare, where(filter), EXPORT_CALL_COLUMNS)) yield exportCallOf(r);
    },

    *iterateLines(filter) {
      const lines = prepare(LINES_OF_CALL_SQL).raw(true);
      for (const c of callsInBatches(prepare, where(filter), LINE_CALL_COLUMNS)) {
        // The call's own fields are read once per call, not once per line (a third of the time
        // on a big export goes to turning SQLite text into JavaScript strings).
        for (const r of lines.all(c[0]) as unknown[][]) yield exportLineOf(c[0], c[1], c[2], c[3], c[4], c[5], r, 0);
      }
    },

    *iterateCallsWithLines(filter) {
      const lines = prepare(LINES_OF_CALL_SQL).raw(true);
      for (const r of callsInBatches(prepare, where(filter), EXPORT_CALL_COLUMNS)) {
        const call = exportCallOf(r);
        yield {
          call,
          lines: (lines.all(call.id) as unknown[][]).map((l) =>
            exportLineOf(call.id, call.callSid, call.startedAt, call.direction, call.from, call.to, l, 0),
          ),
        };
      }
    },
  };
}

/** Calls per keyset batch when streaming: big enough to amortise the query, small enough to stay light. */
const STREAM_BATCH_CALLS = 1000;

/**
 * Every call matching `condition`, newest first, as raw rows of `columns` (the first must be
 * c.id; the row ends with one extra value, the keyset's start time), in keyset batches.
 * No statement stays open between batches, so the caller may run other queries on the same
 * connection while it iterates; wrap the walk in a read transaction for one snapshot.
 */
function* callsInBatches(prepare: (sql: string) => Statement, condition: SqlCondition, columns: string): Generator<unknown[]> {
  const first = prepare(`SELECT ${columns}, c.started_at AS k FROM calls c WHERE ${condition.sql}
                         ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`).raw(true);
  const next = prepare(`SELECT ${columns}, c.started_at AS k FROM calls c WHERE ${condition.sql}
                        AND (c.started_at, c.id) < (@k, @id)
                        ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`).raw(true);
  let batch = first.all({ ...condition.params, limit: STREAM_BATCH_CALLS }) as unknown[][];
  while (batch.length > 0) {
    yield* batch;
    if (batch.length < STREAM_BATCH_CALLS) return;
    const last = batch[batch.length - 1]!;
    batch = next.all({ ...condition.params, limit: STREAM_BATCH_CALLS, k: last[last.length - 1], id: last[0] }) as unknown[][];
  }
}

/**
 * One page in keyset order. A nullable sort key (duration of a live call, sentiment of a call
 * where the caller said nothing) is walked in two phases so both stay index range scans:
 * scored rows in order, then the unscored rows (by id) at the end, whichever the direction.
 */
function keysetRows(
  prepare: (sql: string) => Statement,
  condition: SqlCondition,
  sort: HistorySort,
  cursor: KeysetCursor | null,
  limit: number,
): CallRow[] {
  const key = SORT_KEY_SQL[sort.by];
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
  const cmp = sort.dir === 'asc' ? '>' : '<';
  const nullable = sort.by !== 'startedAt';
  const rows: CallRow[] = [];

  if (cursor === null || !cursor.nulls) {
    const after = cursor === null ? '' : `AND (${key}, c.id) ${cmp} (@k, @id)`;
    const sql = /* sql */ `
      SELECT ${CALL_COLUMNS}, ${key} AS sort_key FROM calls c
      WHERE ${nullable ? `${key} IS NOT NULL AND` : ''} ${condition.sql} ${after}
      ORDER BY ${key} ${dir}, c.id ${dir} LIMIT @limit`;
    const params = { ...condition.params, limit, ...(cursor ? { k: cursor.value, id: cursor.id } : {}) };
    rows.push(...(prepare(sql).all(params) as CallRow[]));
  }
  if (nullable && rows.length < limit) {
    const after = cursor?.nulls ? `AND c.id ${cmp} @id` : '';
    const sql = /* sql */ `
      SELECT ${CALL_COLUMNS}, NULL AS sort_key FROM calls c
      WHERE ${key} IS NULL AND ${condition.sql} ${after}
      ORDER BY c.id ${dir} LIMIT @limit`;
    const params = { ...condition.params, limit: limit - rows.length, ...(cursor?.nulls ? { id: cursor.id } : {}) };
    rows.push(...(prepare(sql).all(params) as CallRow[]));
  }
  return rows;
}

function sortSignature(sort: HistorySort): string {
  return `${sort.by}.${sort.dir}`;
}

function keysetOf(row: CallRow, sort: HistorySort): KeysetCursor {
  const value = sort.by === 'startedAt' ? row.started_at : (row.sort_key ?? null);
  return value === null ? { value: 0, id: row.id, nulls: true } : { value, id: row.id, nulls: false };
}

/** Above this many matching lines, a page probes calls in order instead of collecting all their calls. */
const PROBE_ABOVE_MATCHING_LINES = 5000;

/** See SearchStrategy: counts the matching lines, up to the threshold, to pick one. */
function pageSearchStrategy(prepare: (sql: string) => Statement, filter: CallFilter): SearchStrategy {
  const fts = searchQuery(filter);
  if (fts === null) return 'set';
  const matching = prepare(
    `SELECT count(*) FROM (SELECT 1 FROM utterances_fts WHERE utterances_fts MATCH ? LIMIT ${PROBE_ABOVE_MATCHING_LINES + 1})`,
  )
    .pluck()
    .get(fts) as number;
  return matching > PROBE_ABOVE_MATCHING_LINES ? 'probe' : 'set';
}

/** highlight() output -> plain segments; the renderer never sees markup. */
export function segmentsOf(marked: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let hit = false;
  let text = '';
  const flush = () => {
    if (text !== '') segments.push({ text, hit });
    text = '';
  };
  for (const ch of marked) {
    if (ch === HIT_START || ch === HIT_END) {
      flush();
      hit = ch === HIT_START;
    } else {
      text += ch;
    }
  }
  flush();
  return segments;
}

const clampScore = (value: number | null): number | null => (value === null ? null : Math.min(1, Math.max(-1, value)));

/**
 * The AI profile each call of a page ran with (issue 15): one small read for the page. Kept
 * out of CALL_COLUMNS, which the team database runs too and which has no profiles yet.
 */
function withProfiles(prepare: (sql: string) => Statement, rows: CallHistoryRow[]): CallHistoryRow[] {
  if (rows.length === 0) return rows;
  const found = prepare(
    `SELECT c.id, c.profile_id, c.profile_version, v.name FROM calls c
     JOIN ai_profile_versions v ON v.profile_id = c.profile_id AND v.version = c.profile_version
     WHERE c.id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(rows.map((r) => r.id))) as Array<{ id: string; profile_id: string; profile_version: number; name: string }>;
  const byCall = new Map(found.map((f) => [f.id, { id: f.profile_id, version: f.profile_version, name: f.name }]));
  return rows.map((row) => (byCall.has(row.id) ? { ...row, profile: byCall.get(row.id)! } : row));
}

// Rows are written only through the store with domain-typed values, so the casts restate them.
export function toHistoryRow(row: CallRow): CallHistoryRow {
  return {
    id: row.id,
    callSid: row.call_sid,
    direction: row.direction as CallDirection,
    from: row.from_number,
    to: row.to_number,
    status: row.status as CallStatus,
    controller: row.controller as Controller,
    aiActivity: 'idle',
    startedAt: row.started_at,
    endedAt: row.ended_at,
    scenario: row.scenario,
    utteranceCount: row.utterance_count,
    callerSentiment: clampScore(row.caller_sentiment_avg),
    endReason: row.end_reason,
    durationMs: row.ended_at === null ? null : Math.max(0, row.ended_at - row.started_at),
    takenOver: row.taken_over_at_ms !== null,
    takeoverAtMs: row.taken_over_at_ms,
    alertCount: row.alert_count,
    callerSentimentStart: clampScore(row.caller_sentiment_first),
    callerSentimentEnd: clampScore(row.caller_sentiment_last),
    disposition: row.disposition,
    resolution: row.resolution as Resolution | null,
    ...storedCallLiveFields(row.status as CallStatus, row.controller as Controller),
  };
}
