/**
 * CallFilter -> SQL: the one translation History, search, Analytics, Export and the CLI use,
 * so "the calls this filter means" can never differ between them. Values are always bound
 * parameters; only fixed SQL fragments are concatenated.
 */
import type { CallFilter } from '@shared/history';
import { NEUTRAL_BAND } from '@shared/sentiment';
import { toFtsQuery } from '../store/fts-query';
import { HistoryError } from './history-error';

/** A WHERE clause over `calls c` and the named parameters it binds. */
export interface SqlCondition {
  sql: string;
  params: Record<string, string | number>;
}

/** Caller sentiment at or below this is "negative" (the same band the live labels use). */
export const NEGATIVE_SENTIMENT_MAX = -NEUTRAL_BAND;

/** The duration expression, spelled exactly as indexed (calls_by_duration). */
export const DURATION_MS_SQL = '(c.ended_at - c.started_at)';

/**
 * How a search narrows the calls (both mean "has a line matching the search"):
 * - 'set': look up every matching line's call once, then keep the calls in that set. Best when
 *   every matching call is wanted (counts, exports, analytics) or the words are rare.
 * - 'probe': walk the calls in the query's order and check each one's lines against the set of
 *   matching line ids (built once). Best for one page of a common word, where 'set' would turn
 *   tens of thousands of line ids into calls to show fifty.
 */
export type SearchStrategy = 'set' | 'probe';

/**
 * Conditions on `calls c` for every field but `search` (full-text search is applied by the
 * caller, because a search page walks lines while a call page walks calls); pass
 * `includeSearch` to also require at least one matching line.
 */
export function callFilterSql(
  filter: CallFilter,
  options: { includeSearch?: boolean; searchStrategy?: SearchStrategy } = {},
): SqlCondition {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const bind = (name: string, value: string | number) => {
    params[name] = value;
    return `@${name}`;
  };

  if (filter.from !== undefined) where.push(`c.started_at >= ${bind('f_from', filter.from)}`);
  if (filter.to !== undefined) where.push(`c.started_at < ${bind('f_to', filter.to)}`);
  if (filter.direction !== undefined) where.push(`c.direction = ${bind('f_direction', filter.direction)}`);
  if (filter.endReasons !== undefined && filter.endReasons.length > 0) {
    const names = filter.endReasons.map((reason, i) => bind(`f_end_${i}`, reason));
    where.push(`c.end_reason IN (${names.join(', ')})`);
  }
  if (filter.takenOver !== undefined) where.push(filter.takenOver ? 'c.taken_over_at_ms IS NOT NULL' : 'c.taken_over_at_ms IS NULL');
  if (filter.minDurationS !== undefined) where.push(`${DURATION_MS_SQL} >= ${bind('f_min_ms', Math.round(filter.minDurationS * 1000))}`);
  if (filter.maxDurationS !== undefined) where.push(`${DURATION_MS_SQL} <= ${bind('f_max_ms', Math.round(filter.maxDurationS * 1000))}`);
  if (filter.endedNegative !== undefined) {
    where.push(
      filter.endedNegative
        ? `c.caller_sentiment_last <= ${bind('f_neg', NEGATIVE_SENTIMENT_MAX)}`
        : `(c.caller_sentiment_last IS NULL OR c.caller_sentiment_last > ${bind('f_neg', NEGATIVE_SENTIMENT_MAX)})`,
    );
  }
  if (filter.sentimentBelow !== undefined) where.push(`c.caller_sentiment_avg < ${bind('f_sent_below', filter.sentimentBelow)}`);
  if (filter.hasAlerts !== undefined) where.push(filter.hasAlerts ? 'c.alert_count > 0' : 'c.alert_count = 0');
  if (filter.dispositions !== undefined && filter.dispositions.length > 0) {
    // Dispositions are names from Settings; matched without case, as the wrap-up form saves them.
    const names = filter.dispositions.map((d, i) => bind(`f_disp_${i}`, d.trim().toLowerCase()));
    where.push(`c.id IN (SELECT w.call_id FROM wrap_ups w WHERE lower(w.disposition) IN (${names.join(', ')}))`);
  }
  if (filter.profileIds !== undefined && filter.profileIds.length > 0) {
    // Issue 15: calls_by_profile indexes the calls that ran with a profile.
    const ids = filter.profileIds.map((id, i) => bind(`f_profile_${i}`, id));
    where.push(`c.profile_id IN (${ids.join(', ')})`);
  }
  const digits = filter.numberContains?.replace(/[^0-9+]/g, '') ?? '';
  if (digits !== '') {
    // instr() rather than LIKE: the digits are data, never a pattern.
    const needle = bind('f_number', digits);
    where.push(`(instr(c.from_number, ${needle}) > 0 OR instr(c.to_number, ${needle}) > 0)`);
  }
  if (options.includeSearch) {
    const fts = searchQuery(filter);
    if (fts !== null) {
      const match = bind('f_search', fts);
      where.push(
        options.searchStrategy === 'probe'
          ? `EXISTS (SELECT 1 FROM utterances u WHERE u.call_id = c.id
                     AND u.row_id IN (SELECT rowid FROM utterances_fts WHERE utterances_fts MATCH ${match}))`
          : `c.id IN (SELECT u.call_id FROM utterances_fts f JOIN utterances u ON u.row_id = f.rowid
                      WHERE utterances_fts MATCH ${match})`,
      );
    }
  }
  return { sql: where.length === 0 ? '1' : where.join(' AND '), params };
}

/** The FTS5 query for filter.search (every word literal, all must match), or null when there is none. */
export function searchQuery(filter: CallFilter): string | null {
  return filter.search === undefined ? null : toFtsQuery(filter.search);
}

/**
 * A search of only punctuation would silently match everything (or nothing, depending on the
 * query): refuse it with a message instead. Every reader of a filter calls this first.
 */
export function assertSearchable(filter: CallFilter): void {
  const text = filter.search?.trim() ?? '';
  if (text !== '' && searchQuery(filter) === null) {
    throw new HistoryError('Search needs at least one letter or digit; punctuation alone is not searched.');
  }
}
