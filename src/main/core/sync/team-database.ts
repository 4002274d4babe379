/**
 * Connecting to the team's PostgreSQL: the URL (a secret), the TLS mode and, for verify-full,
 * the CA file. One place builds the pg configuration, for the sync worker, the team view's
 * pool and Test connection alike.
 *
 * TLS modes (as libpq names them):
 * - 'require': encrypted, the server's certificate not checked (protects against sniffing,
 *   not against an impostor);
 * - 'verify-full': encrypted, the certificate must chain to the given CA and name the host;
 * - 'disable': plain TCP, for a server on this machine or a trusted LAN only.
 * An `sslmode` in the URL is ignored: the setting decides, so the console always says what is used.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import pg from 'pg';
import { TEAM_PG_TYPES } from './pg-types';

export type TeamTlsMode = 'require' | 'verify-full' | 'disable';

export interface TeamConnection {
  url: string;
  tls: TeamTlsMode;
  /** PEM file, for verify-full. */
  caFile?: string | null;
}

export class TeamDatabaseConfigError extends Error {
  override readonly name = 'TeamDatabaseConfigError';
}

/** Checks a URL a user pasted; returns it without sslmode parameters, or throws a plain sentence. */
export function parseTeamUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TeamDatabaseConfigError('That is not a PostgreSQL URL: use postgres://user:password@host:5432/database.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TeamDatabaseConfigError(`A team database URL starts with postgres:// (this one starts with ${url.protocol}//).`);
  }
  if (!url.hostname) throw new TeamDatabaseConfigError('The team database URL has no host name.');
  for (const name of ['sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'ssl']) url.searchParams.delete(name);
  return url;
}

/** The pg client/pool configuration for a connection (reads the CA file, so errors are the user's to fix). */
export function pgConfig(connection: TeamConnection): pg.ClientConfig {
  const url = parseTeamUrl(connection.url);
  let ssl: pg.ClientConfig['ssl'];
  if (connection.tls === 'disable') ssl = false;
  else if (connection.tls === 'require') ssl = { rejectUnauthorized: false };
  else {
    if (!connection.caFile) throw new TeamDatabaseConfigError('verify-full needs the CA certificate file that signed the server’s certificate.');
    let ca: string;
    try {
      ca = readFileSync(connection.caFile, 'utf8');
    } catch (error) {
      throw new TeamDatabaseConfigError(`Could not read the CA file ${connection.caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new TeamDatabaseConfigError(`${connection.caFile} is not a PEM certificate.`);
    // SNI takes host names only; an IP address is still checked against the certificate's IP names.
    ssl = { rejectUnauthorized: true, ca, ...(isIP(url.hostname) ? {} : { servername: url.hostname }) };
  }
  return {
    connectionString: url.toString(),
    ssl,
    types: TEAM_PG_TYPES,
    connectionTimeoutMillis: 5000,
    // A query never holds the console (or a batch) hostage for long.
    statement_timeout: 60_000,
    application_name: 'switchboard',
  };
}

/** The team view's connections: a small pool, idle connections closed after 30 s. */
export function openTeamPool(connection: TeamConnection): pg.Pool {
  const pool = new pg.Pool({ ...pgConfig(connection), max: 4, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server must not crash the app; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
