/**
 * CallFilter -> PostgreSQL: the team database's twin of history/filter-sql.ts, condition for
 * condition, so "the calls this filter means" is the same on a desk and in the team view.
 * Values are always bound parameters ($n); only fixed SQL fragments are concatenated.
 *
 * Search is PostgreSQL full-text search over the `utterances_fts` GIN index
 * (to_tsvector('english', text)): every word the person typed must match in one line, as on
 * the desk (history/filter-sql.ts's toFtsQuery). Each word becomes phraseto_tsquery('english',
 * word), so "charge" finds "charged" (stemming), and a word with inner punctuation ("e-mail",
 * "o'brien") must match as the phrase of its parts, like an FTS5 phrase. PostgreSQL's English
 * configuration drops stop words ("the", "can't") that the desk's index keeps; such a word is
 * still required, matched unstemmed with the 'simple' configuration, so "the refund" means
 * the same lines on both sides. PostgreSQL itself turns the words into tsquery values (one
 * round trip, prepareTeamSearch), so nothing the user typed is ever parsed as query syntax.
 */
import type pg from 'pg';
import type { CallFilter } from '@shared/history';
import { assertSearchable, NEGATIVE_SENTIMENT_MAX } from '../history/filter-sql';
import { HistoryError } from '../history/history-error';

/** A pool or one client (inside a transaction, for exports). */
export type Queryable = pg.Pool | pg.ClientBase;

/** Positional parameters for one statement: bind() appends a value and answers its placeholder. */
export class PgParams {
  readonly values: unknown[] = [];

  bind(value: unknown, type?: string): string {
    this.values.push(value);
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`;
  }
}

/** A prepared transcript search (see the module comment). */
export interface TeamSearch {
  /** The tsquery (English, stemmed) a matching line satisfies; null when every word is a stop word. */
  english: string | null;
  /** Stop words (each a 'simple' tsquery) a matching line must also contain. */
  exact: string[];
}

/** The duration expression, spelled exactly as indexed (calls_by_duration). */
export const TEAM_DURATION_MS_SQL = '(c.ended_at - c.started_at)';

/** The words of a search as the desk splits them: whitespace-separated, each with a letter or digit. */
function searchWords(text: string): string[] {
  return text.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word));
}

/**
 * Turns filter.search into tsquery values (null when there is no search). Refuses, with the
 * desk's own message, a search of punctuation only, or one PostgreSQL finds no word in.
 */
export async function prepareTeamSearch(db: Queryable, filter: CallFilter): Promise<TeamSearch | null> {
  assertSearchable(filter);
  const words = filter.search === undefined ? [] : searchWords(filter.search);
  if (words.length === 0) return null;
  const { rows } = await db.query<{ english: string; simple: string }>(
    `SELECT phraseto_tsquery('english', w)::text AS english, phraseto_tsquery('simple', w)::text AS simple
     FROM unnest($1::text[]) WITH ORDINALITY AS t(w, i) ORDER BY i`,
    [words],
  );
  // tsquery's text output is its canonical, re-parseable form: joining whole tsqueries with
  // '&' builds their conjunction without ever parsing the user's text as query syntax.
  const english = rows.filter((r) => r.english !== '').map((r) => `(${r.english})`);
  const exact = rows.filter((r) => r.english === '' && r.simple !== '').map((r) => r.simple);
  if (english.length === 0 && exact.length === 0) {
    throw new HistoryError('Search needs at least one letter or digit; punctuation alone is not searched.');
  }
  return { english: english.length > 0 ? english.join(' & ') : null, exact };
}

/** A line `u` matches the search (by the GIN index when there is an English part). */
export function lineMatchSql(search: TeamSearch, params: PgParams, alias = 'u'): string {
  const parts: string[] = [];
  if (search.english !== null) parts.push(`to_tsvector('english', ${alias}.text) @@ ${params.bind(search.english, 'tsquery')}`);
  for (const word of search.exact) parts.push(`to_tsvector('simple', ${alias}.text) @@ ${params.bind(word, 'tsquery')}`);
  return parts.join(' AND ');
}

/**
 * Conditions on `calls c` for every field but `search`; pass `search` to also require at
 * least one matching line (calls pages, counts, exports, analytics). A search page walks
 * lines, so it applies lineMatchSql itself and leaves `search` out here.
 */
export function teamFilterSql(filter: CallFilter, params: PgParams, search: TeamSearch | null = null): string {
  const where: string[] = [];
  // Times are double precision in the team schema (epoch ms, exact in a double).
  if (filter.from !== undefined) where.push(`c.started_at >= ${params.bind(filter.from, 'float8')}`);
  if (filter.to !== undefined) where.push(`c.started_at < ${params.bind(filter.to, 'float8')}`);
  if (filter.direction !== undefined) where.push(`c.direction = ${params.bind(filter.direction)}`);
  if (filter.endReasons !== undefined && filter.endReasons.length > 0) where.push(`c.end_reason = ANY(${params.bind(filter.endReasons, 'text[]')})`);
  if (filter.takenOver !== undefined) where.push(filter.takenOver ? 'c.taken_over_at_ms IS NOT NULL' : 'c.taken_over_at_ms IS NULL');
  if (filter.minDurationS !== undefined) {
    where.push(`${TEAM_DURATION_MS_SQL} >= ${params.bind(Math.round(filter.minDurationS * 1000), 'float8')}`);
  }
  if (filter.maxDurationS !== undefined) {
    where.push(`${TEAM_DURATION_MS_SQL} <= ${params.bind(Math.round(filter.maxDurationS * 1000), 'float8')}`);
  }
  if (filter.endedNegative !== undefined) {
    const band = params.bind(NEGATIVE_SENTIMENT_MAX, 'float8');
    where.push(filter.endedNegative ? `c.caller_sentiment_last <= ${band}` : `(c.caller_sentiment_last IS NULL OR c.caller_sentiment_last > ${band})`);
  }
  if (filter.sentimentBelow !== undefined) where.push(`c.caller_sentiment_avg < ${params.bind(filter.sentimentBelow, 'float8')}`);
  if (filter.hasAlerts !== undefined) where.push(filter.hasAlerts ? 'c.alert_count > 0' : 'c.alert_count = 0');
  if (filter.dispositions !== undefined && filter.dispositions.length > 0) {
    // Matched without case, as the wrap-up form saves them (wrap_ups_by_disposition).
    const names = filter.dispositions.map((d) => d.trim().toLowerCase());
    where.push(`c.id IN (SELECT w.call_id FROM wrap_ups w WHERE lower(w.disposition) = ANY(${params.bind(names, 'text[]')}))`);
  }
  if (filter.profileIds !== undefined && filter.profileIds.length > 0) {
    throw new HistoryError("Filtering by AI profile works on this desk's calls only: the team database does not record profiles yet");
  }
  const digits = filter.numberContains?.replace(/[^0-9+]/g, '') ?? '';
  if (digits !== '') {
    // strpos() rather than LIKE: the digits are data, never a pattern.
    const needle = params.bind(digits, 'text');
    where.push(`(strpos(c.from_number, ${needle}) > 0 OR strpos(c.to_number, ${needle}) > 0)`);
  }
  if (search !== null) where.push(`c.id IN (SELECT u.call_id FROM utterances u WHERE ${lineMatchSql(search, params)})`);
  return where.length === 0 ? 'TRUE' : where.join(' AND ');
}
