/**
 * Team sync's TLS modes against a real PostgreSQL speaking TLS with a certificate from a CA
 * made for the run: require, verify-full with the right CA, the wrong CA, a host name the
 * certificate does not name, and a missing CA file; plus the plain-words errors of a server
 * without TLS. Through the same pgConfig the worker, the team view and Test connection use.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTeamDatabaseError } from '../../src/main/core/sync/sync-errors';
import { pgConfig, type TeamConnection } from '../../src/main/core/sync/team-database';
import { startPostgres, type TestPostgres } from '../support/postgres';

let secure: TestPostgres;
let plain: TestPostgres;

beforeAll(async () => {
  [secure, plain] = await Promise.all([startPostgres({ tls: true }), startPostgres()]);
});
afterAll(async () => {
  await Promise.all([secure?.close(), plain?.close()]);
});

/** Connects as the sync worker would; resolves with whether the session is encrypted, or the error in words. */
async function attempt(connection: TeamConnection): Promise<{ encrypted: boolean } | { error: string }> {
  let client: pg.Client | null = null;
  try {
    client = new pg.Client(pgConfig(connection));
    client.on('error', () => undefined);
    await client.connect();
    const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return { encrypted: rows[0]?.ssl === true };
  } catch (error) {
    return { error: describeTeamDatabaseError(error, '127.0.0.1') };
  } finally {
    await client?.end().catch(() => undefined);
  }
}

describe('team database TLS modes (real PostgreSQL with TLS)', () => {
  it('require encrypts without checking the certificate; verify-full checks it against the CA and the host', async () => {
    const { caFile, otherCaFile } = secure.tls!;
    expect(await attempt({ url: secure.url, tls: 'require' })).toEqual({ encrypted: true });
    expect(await attempt({ url: secure.url, tls: 'verify-full', caFile })).toEqual({ encrypted: true });
    expect(await attempt({ url: secure.url.replace('127.0.0.1', 'localhost'), tls: 'verify-full', caFile })).toEqual({ encrypted: true });
    expect(await attempt({ url: secure.url, tls: 'disable' })).toEqual({ encrypted: false });

    const wrongCa = await attempt({ url: secure.url, tls: 'verify-full', caFile: otherCaFile });
    expect(wrongCa).toEqual({ error: expect.stringMatching(/^The team database’s certificate is not trusted/) });
    // 127.0.0.2 reaches the same server (loopback) but is not a name on its certificate.
    const wrongHost = await attempt({ url: secure.url.replace('127.0.0.1', '127.0.0.2'), tls: 'verify-full', caFile });
    expect('error' in wrongHost).toBe(true);
    expect(await attempt({ url: secure.url, tls: 'verify-full', caFile: '/nonexistent/ca.pem' })).toEqual({ error: 'Could not read the CA file /nonexistent/ca.pem (ENOENT).' });
    expect(await attempt({ url: secure.url, tls: 'verify-full' })).toEqual({ error: 'verify-full needs the CA certificate file that signed the server’s certificate.' });
  });

  it('a server without TLS: require is refused in words; off connects', async () => {
    expect(await attempt({ url: plain.url, tls: 'require' })).toEqual({ error: expect.stringMatching(/^The team database does not accept TLS connections/) });
    expect(await attempt({ url: plain.url, tls: 'disable' })).toEqual({ encrypted: false });
  });

  it('a URL that is not PostgreSQL is refused before anything connects', async () => {
    expect(await attempt({ url: 'mysql://desk@db/team', tls: 'require' })).toEqual({ error: 'A team database URL starts with postgres:// (this one starts with mysql://).' });
    expect(await attempt({ url: 'not a url', tls: 'require' })).toEqual({ error: 'That is not a PostgreSQL URL: use postgres://user:password@host:5432/database.' });
  });
});
