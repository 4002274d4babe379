/**
 * A team read that failed because of the team database (down, unreachable, a refused
 * password, no schema yet, too slow) answers 'unavailable' with one plain sentence, never a
 * stack or the URL. Bad input (HistoryError) stays a bad request, with the desk's words.
 * Anything else is a bug and goes on to the dispatcher, which logs it.
 */
import pg from 'pg';
import { describeTeamDatabaseError, teamHostOf } from '../sync/sync-errors';
import { TeamDatabaseConfigError } from '../sync/team-database';

/** SQLSTATEs the team view meets that Team sync's sentences do not cover. */
const READ_SQLSTATE: Record<string, string> = {
  '42P01': 'The team database has no Switchboard tables yet: they are created when the first desk syncs.',
  '57014': 'The team database took too long to answer (over a minute): try a narrower filter or a shorter range.',
};

/** Node's network codes and pg's own words for a dropped connection. */
const NETWORK_CODE = /^E[A-Z]+$/;
const CONNECTION_WORDS = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection error/i;

/** True when `error` came from the team database or the way to it (not from our own code). */
export function isTeamDatabaseError(error: unknown): boolean {
  if (error instanceof pg.DatabaseError || error instanceof TeamDatabaseConfigError) return true;
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && NETWORK_CODE.test(e.code)) return true;
  return typeof e?.message === 'string' && CONNECTION_WORDS.test(e.message);
}

/** The plain sentence for a team database failure; `url` only gives "host:port" (never shown whole). */
export function describeTeamReadError(error: unknown, url: string | undefined): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && READ_SQLSTATE[code]) return READ_SQLSTATE[code];
  return describeTeamDatabaseError(error, url ? teamHostOf(url) : 'the configured address');
}
