/**
 * The team side of the history commands (issue 12): 'history.page', 'history.search',
 * 'history.facets' and 'history.analytics' with `source: 'team'`, on the pool the TeamPort
 * hands out. No pool: 'unavailable', saying where to set it up. The database failing:
 * 'unavailable' in plain words (team-errors.ts). Analytics run on the main thread here: the
 * work is PostgreSQL's, the event loop only awaits one statement.
 */
import type pg from 'pg';
import type { Analytics, AnalyticsInput, CallFilter, HistoryPage, HistorySort, SearchPage } from '@shared/history';
import { ApiError } from '../api/dispatcher';
import { computeTeamAnalytics } from './team-analytics';
import { describeTeamReadError, isTeamDatabaseError } from './team-errors';
import { createTeamHistory } from './team-history';
import { TEAM_NOT_SET_UP, type TeamPort } from './team-port';

export interface TeamReads {
  page(input: { filter: CallFilter; sort: HistorySort; cursor?: string | undefined; limit: number }): Promise<HistoryPage>;
  search(input: { filter: CallFilter; cursor?: string | undefined; limit: number }): Promise<SearchPage>;
  facets(): Promise<{ endReasons: string[] }>;
  analytics(input: AnalyticsInput): Promise<Analytics>;
}

/** Runs one team read on the port's pool, turning its failures into what the console shows. */
export async function withTeamPool<T>(port: TeamPort | undefined, read: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = port?.pool() ?? null;
  if (!pool) throw new ApiError('unavailable', TEAM_NOT_SET_UP);
  try {
    return await read(pool);
  } catch (error) {
    if (isTeamDatabaseError(error)) throw new ApiError('unavailable', describeTeamReadError(error, pool.options.connectionString));
    throw error;
  }
}

export function createTeamReads(port: TeamPort | undefined): TeamReads {
  return {
    page: (input) => withTeamPool(port, (pool) => createTeamHistory(pool).page(input)),
    search: (input) => withTeamPool(port, (pool) => createTeamHistory(pool).search(input)),
    facets: () => withTeamPool(port, (pool) => createTeamHistory(pool).facets()),
    analytics: (input) => withTeamPool(port, (pool) => computeTeamAnalytics(pool, input)),
  };
}
