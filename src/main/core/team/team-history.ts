/**
 * The team view's History (issue 12): pages, transcript search, facets and counts over the
 * team database, answering exactly as the desk's history.ts does (the same rows, order,
 * cursors and errors), plus each row's desk. Async: the work is PostgreSQL's, and the event
 * loop only waits for it.
 *
 * Order: calls pages walk (sort key, id) with keyset cursors, nullable keys in two phases, as
 * on the desk. Search hits are newest call first and, within a call, its latest line first:
 * the desk orders hits by when its lines were stored, which the team database cannot know
 * across desks, and call start then line order is that same order for one desk's calls.
 */
import type { CallFilter, HistoryPage, HistorySort, HistorySortKey, SearchHit, SearchPage } from '@shared/history';
import type { Speaker } from '@shared/domain';
import { decodeCursor, encodeCursor, type KeysetCursor } from '../history/cursor';
import { CALL_ROW_SQL, segmentsOf, toHistoryRow, type CallRow } from '../history/history';
import { HistoryError } from '../history/history-error';
import { lineMatchSql, PgParams, prepareTeamSearch, teamFilterSql, type Queryable, type TeamSearch } from './team-filter-sql';

/** A team calls row: the desk's row and the name of the desk it came from. */
export const TEAM_CALL_ROW_SQL = `${CALL_ROW_SQL}, coalesce(d.name, c.desk_id) AS desk`;
/** Every team read joins its calls to their desks like this (a desk row always exists once its calls synced). */
export const CALLS_WITH_DESK = 'calls c LEFT JOIN desks d ON d.id = c.desk_id';

export type TeamCallRow = CallRow & { desk: string };

export interface TeamHistory {
  page(input: { filter: CallFilter; sort: HistorySort; cursor?: string | undefined; limit: number }): Promise<HistoryPage>;
  search(input: { filter: CallFilter; cursor?: string | undefined; limit: number }): Promise<SearchPage>;
  facets(): Promise<{ endReasons: string[] }>;
  countCalls(filter: CallFilter): Promise<number>;
  countLines(filter: CallFilter): Promise<number>;
}

/** Sort keys as indexed in the team schema (calls_by_started_at, calls_by_duration, calls_by_sentiment), with their types for the cursor's value. */
const SORT_KEY: Record<HistorySortKey, { sql: string; type: string }> = {
  startedAt: { sql: 'c.started_at', type: 'float8' },
  duration: { sql: '(c.ended_at - c.started_at)', type: 'float8' },
  sentiment: { sql: 'c.caller_sentiment_avg', type: 'float8' },
};

/** Highlight markers: control characters, which the search input refuses, so they cannot collide (as on the desk). */
const HEADLINE_OPTIONS = 'StartSel=\u0001, StopSel=\u0002, HighlightAll=true';
const SEARCH_SIGNATURE = 'team-search';

export function teamRow(row: TeamCallRow) {
  return { ...toHistoryRow(row), desk: row.desk };
}

export function createTeamHistory(db: Queryable): TeamHistory {
  const count = async (sql: string, params: PgParams): Promise<number> => {
    const { rows } = await db.query<{ n: number }>(sql, params.values);
    return Number(rows[0]!.n);
  };

  return {
    async page({ filter, sort, cursor, limit }) {
      const search = await prepareTeamSearch(db, filter);
      const keyset = cursor === undefined ? null : decodeCursor(cursor, sortSignature(sort));
      const rows = await keysetRows(db, filter, search, sort, keyset, limit + 1);
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const last = shown.at(-1);
      return {
        calls: shown.map(teamRow),
        nextCursor: more && last ? encodeCursor(sortSignature(sort), keysetOf(last, sort)) : null,
      };
    },

    async search({ filter, cursor, limit }) {
      const search = await prepareTeamSearch(db, filter);
      if (search === null) throw new HistoryError('Type a word to search for.');
      const after = cursor === undefined ? null : searchPosition(decodeCursor(cursor, SEARCH_SIGNATURE));
      const params = new PgParams();
      const marked = search.english === null ? 'u.text' : `ts_headline('english', u.text, ${params.bind(search.english, 'tsquery')}, ${params.bind(HEADLINE_OPTIONS)})`;
      const lineMatch = lineMatchSql(search, params);
      const where = teamFilterSql(filter, params);
      const keyset = after
        ? `AND (c.started_at, c.id, u.seq) < (${params.bind(after.startedAt, 'float8')}, ${params.bind(after.callId)}, ${params.bind(after.seq, 'integer')})`
        : '';
      const sql = /* sql */ `
        SELECT ${TEAM_CALL_ROW_SQL}, u.id AS line_id, u.seq AS line_seq, u.speaker AS line_speaker,
               u.start_ms AS line_start_ms, ${marked} AS marked
        FROM utterances u JOIN ${CALLS_WITH_DESK} ON c.id = u.call_id
        WHERE ${lineMatch} AND ${where} ${keyset}
        ORDER BY c.started_at DESC, c.id DESC, u.seq DESC
        LIMIT ${params.bind(limit + 1, 'integer')}`;
      type HitRow = TeamCallRow & { line_id: string; line_seq: number; line_speaker: string; line_start_ms: number; marked: string };
      const { rows } = await db.query<HitRow>(sql, params.values);
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const hits: SearchHit[] = shown.map((row) => ({
        call: teamRow(row),
        line: { id: row.line_id, speaker: row.line_speaker as Speaker, startMs: row.line_start_ms, segments: segmentsOf(row.marked) },
      }));
      const last = shown.at(-1);
      return {
        hits,
        nextCursor: more && last ? encodeCursor(SEARCH_SIGNATURE, { value: last.started_at, id: `${last.line_seq}:${last.id}`, nulls: false }) : null,
      };
    },

    async facets() {
      // COLLATE "C": byte order, as the desk's SQLite sorts them, whatever the server's locale.
      const { rows } = await db.query<{ end_reason: string }>(
        `SELECT end_reason FROM (SELECT DISTINCT end_reason FROM calls WHERE end_reason IS NOT NULL) r ORDER BY end_reason COLLATE "C"`,
      );
      return { endReasons: rows.map((r) => r.end_reason) };
    },

    async countCalls(filter) {
      const search = await prepareTeamSearch(db, filter);
      const params = new PgParams();
      return count(`SELECT count(*) AS n FROM calls c WHERE ${teamFilterSql(filter, params, search)}`, params);
    },

    async countLines(filter) {
      const search = await prepareTeamSearch(db, filter);
      const params = new PgParams();
      return count(`SELECT count(*) AS n FROM calls c JOIN utterances u ON u.call_id = c.id WHERE ${teamFilterSql(filter, params, search)}`, params);
    },
  };
}

/**
 * One page in keyset order, as the desk walks it: rows with a sort value in order, then the
 * rows without one (a live call's duration, a silent caller's sentiment) by id, whichever
 * the direction.
 */
async function keysetRows(
  db: Queryable,
  filter: CallFilter,
  search: TeamSearch | null,
  sort: HistorySort,
  cursor: KeysetCursor | null,
  limit: number,
): Promise<TeamCallRow[]> {
  const key = SORT_KEY[sort.by];
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
  const cmp = sort.dir === 'asc' ? '>' : '<';
  const nullable = sort.by !== 'startedAt';
  const rows: TeamCallRow[] = [];

  if (cursor === null || !cursor.nulls) {
    const params = new PgParams();
    const where = teamFilterSql(filter, params, search);
    const after = cursor === null ? '' : `AND (${key.sql}, c.id) ${cmp} (${params.bind(cursor.value, key.type)}, ${params.bind(cursor.id)})`;
    const sql = /* sql */ `
      SELECT ${TEAM_CALL_ROW_SQL}, ${key.sql} AS sort_key FROM ${CALLS_WITH_DESK}
      WHERE ${nullable ? `${key.sql} IS NOT NULL AND` : ''} ${where} ${after}
      ORDER BY ${key.sql} ${dir}, c.id ${dir} LIMIT ${params.bind(limit, 'integer')}`;
    rows.push(...(await db.query<TeamCallRow>(sql, params.values)).rows);
  }
  if (nullable && rows.length < limit) {
    const params = new PgParams();
    const where = teamFilterSql(filter, params, search);
    const after = cursor?.nulls ? `AND c.id ${cmp} ${params.bind(cursor.id)}` : '';
    const sql = /* sql */ `
      SELECT ${TEAM_CALL_ROW_SQL}, NULL AS sort_key FROM ${CALLS_WITH_DESK}
      WHERE ${key.sql} IS NULL AND ${where} ${after}
      ORDER BY c.id ${dir} LIMIT ${params.bind(limit - rows.length, 'integer')}`;
    rows.push(...(await db.query<TeamCallRow>(sql, params.values)).rows);
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

/** A search cursor's position: the last hit's call start, call id and line seq. */
function searchPosition(cursor: KeysetCursor): { startedAt: number; callId: string; seq: number } {
  const colon = cursor.id.indexOf(':');
  const seq = Number(cursor.id.slice(0, colon));
  const callId = cursor.id.slice(colon + 1);
  if (colon < 1 || !Number.isSafeInteger(seq) || callId === '') {
    throw new HistoryError('That page position is not valid; start again from the first page.');
  }
  return { startedAt: cursor.value, callId, seq };
}
