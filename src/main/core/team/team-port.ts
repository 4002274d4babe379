/**
 * How the team view reaches the team database: a port the core is handed (CoreOptions.team),
 * so the read side never knows where the settings, the secret URL or the pool come from. The
 * app connects it to Team sync's settings; tests hand in a pool on their own server.
 */
import type pg from 'pg';
import type { TeamConnection } from '../sync/team-database';

export interface TeamPort {
  /** The team view's pool; null while Team sync is not set up. */
  pool(): pg.Pool | null;
  /**
   * What the pool connects with, for a worker thread's own connection (team exports). The
   * URL is a secret: it goes to the worker's workerData and nowhere else (never a log, a job
   * or an event). Null while Team sync is not set up.
   */
  connection(): TeamConnection | null;
}

/** What a team request answers when there is no team database to read. */
export const TEAM_NOT_SET_UP = 'Team sync is not set up: Settings → Team sync.';
