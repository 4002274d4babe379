/**
 * Why the team database could not be used, in one plain sentence for Settings → Team sync
 * (never the URL, which may hold a password, and never a stack). PostgreSQL's SQLSTATE codes
 * and Node's network codes are the reliable parts of an error; messages vary by version.
 */
import { TeamDatabaseConfigError } from './team-database';

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening there (connection refused)',
  ENOTFOUND: 'the host name is not known',
  EAI_AGAIN: 'the host name could not be looked up (no network?)',
  ETIMEDOUT: 'it did not answer in time',
  EHOSTUNREACH: 'the host cannot be reached from this network',
  ENETUNREACH: 'this machine has no route to that network',
  ECONNRESET: 'the connection was cut',
  EPIPE: 'the connection was cut',
};

const SQLSTATE: Record<string, string> = {
  '28P01': 'The team database refused the user name or password.',
  '28000': 'The team database does not accept this user from this machine (pg_hba.conf).',
  '3D000': 'That database does not exist on the server.',
  '42501': 'The database user lacks a permission Switchboard needs (it creates and updates its own tables).',
  '53300': 'The team database has too many connections open; it will be tried again.',
  '57P01': 'The team database was shut down by its administrator; it will be tried again.',
  '57P03': 'The team database is starting up or shutting down; it will be tried again.',
  '53100': 'The team database’s disk is full.',
  '25006': 'The team database is read-only (a standby?); point the URL at the primary.',
};

/** `where` is "host:port", for network failures. */
export function describeTeamDatabaseError(error: unknown, where: string): string {
  if (error instanceof TeamDatabaseConfigError) return error.message;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (NETWORK[code]) return `Could not reach the team database at ${where}: ${NETWORK[code]}.`;
  if (SQLSTATE[code]) return SQLSTATE[code];
  if (/does not support SSL/i.test(message)) return 'The team database does not accept TLS connections: choose TLS “off” only if it is on this machine or a trusted network.';
  if (/self[- ]signed|unable to verify|certificate/i.test(message)) {
    return 'The team database’s certificate is not trusted: check the CA file, or that the URL’s host name matches the certificate.';
  }
  if (/no pg_hba\.conf entry/i.test(message)) return SQLSTATE['28000']!;
  if (/timeout/i.test(message)) return `The team database at ${where} did not answer in time.`;
  if (/Connection terminated|not queryable|connection error/i.test(message)) return `The connection to the team database at ${where} was cut.`;
  if (/^2[23]/.test(code)) return `A row could not be stored in the team database (SQLSTATE ${code}); it is tried again and stays on this desk meanwhile.`;
  if (code.startsWith('SQLITE_')) return `This desk’s call database could not be read for sync (${code}).`;
  return `The team database could not be used (${code || (error instanceof Error ? error.name : 'unknown error')}).`;
}

/** "host:port" of a URL, for the sentences above (no user, no password). */
export function teamHostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return 'the configured address';
  }
}
