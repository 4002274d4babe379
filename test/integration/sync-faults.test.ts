/**
 * Team sync under faults, with a real PostgreSQL (test/support/postgres.ts) and the real core:
 * the server stopped mid-sync while a call goes on, the app killed with SIGKILL mid-backfill,
 * two desks syncing into one database at once, a schema migration while a desk syncs, and
 * twenty desks migrating a fresh database at the same moment. After each, the team database
 * must hold every desk row exactly once (counts and contents equal to SQLite).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '@shared/sync';
import { openDatabase, openDatabaseReadOnly } from '../../src/main/core/store/db';
import { DeskRows, syncBatch, type Desk } from '../../src/main/core/sync/drain';
import { migrateTeamDatabase, PG_MIGRATIONS } from '../../src/main/core/sync/pg-migrations';
import { enableSync } from '../../src/main/core/sync/sync-state';
import { TEAM_TABLES } from '../../src/main/core/sync/team-tables';
import { historyStore } from '../bench/support/history-store';
import { startHarness } from '../support/core-harness';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { until } from '../support/raw-twilio';
import { startServe } from '../support/serve-process';
import { deskRows, expectTeamEqualsDesk, teamRows } from '../support/team-compare';

let server: TestPostgres;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'sync-faults-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A data folder holding a copy of a synthetic store (calls from mid-2025), with sync's TLS off
 * (the test server has no certificate) and retention long enough to keep them: the team
 * database mirrors the desk, so a purge would empty it too.
 */
function dataDirWithStore(name: string, size: { calls: number; lines: number }, seed = 1): string {
  const dataDir = join(dir, name);
  const store = historyStore({ ...size, days: 10, seed });
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  copyFileSync(store.file, join(dataDir, 'switchboard.db'));
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ teamTls: 'disable', teamDeskName: name, keepCallsDays: 3650, keepRecordingsDays: 3650 }));
  return dataDir;
}

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function count(url: string, table: string): Promise<number> {
  const c = await client(url);
  try {
    return (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  } catch {
    return 0; // not created yet
  } finally {
    await c.end();
  }
}

async function expectDeskInTeam(dbFile: string, url: string): Promise<void> {
  const db = openDatabaseReadOnly(dbFile);
  const team = await client(url);
  try {
    await expectTeamEqualsDesk(db, team);
  } finally {
    await team.end();
    db.close();
  }
}

const FAST_WORKER = { batchSize: 400, baseBackoffMs: 50, maxBackoffMs: 400, idlePollMs: 50 };

describe('team sync faults (real PostgreSQL)', () => {
  it('server stopped mid-sync: a live call carries on, the backlog grows and is said in words; back up: every row exactly once', async () => {
    const url = await server.createDatabase('faults_stop');
    const dataDir = dataDirWithStore('stop', { calls: 600, lines: 6000 });
    const h = await startHarness(dataDir, { syncWorker: FAST_WORKER });
    const statuses = () => h.events.flatMap((e) => (e.name === 'sync.status' ? [e.payload as SyncStatus] : []));
    try {
      expect(await h.call('sync.status')).toMatchObject({ configured: false, state: 'off' });
      await h.call('secrets.set', { name: 'teamDatabaseUrl', value: url });
      await eventually(async () => (await count(url, 'utterances')) > 0, 20_000, 'the backfill to start');

      await server.stop();
      // While it shuts down the server may first answer "shutting down" (57P03); then nothing listens.
      const refused = (s: SyncStatus) => s.state === 'offline' && /^Could not reach the team database at 127\.0\.0\.1:\d+: nothing is listening there/.test(s.lastError ?? '');
      await until(() => statuses().some(refused), 15_000, 'the console to hear sync is offline, in words');
      const offline = statuses().find(refused)!;
      expect(offline.lastError).not.toContain('postgres://');

      // A call while the team database is down: stored on the desk as always.
      const { callSid } = await h.call('demo.start', { scenarioId: 'cancel-service' });
      await until(() => h.callIdFor(callSid) !== undefined, 10_000, 'the call to start');
      const callId = h.callIdFor(callSid)!;
      await until(() => h.finals(callId).length >= 2, 60_000, 'two lines of the call');
      await h.call('call.end', { callId });
      const during = (await h.call('sync.status')) as SyncStatus;
      expect(during.state).toBe('offline');
      expect(during.backlog).toBeGreaterThan(0);

      await server.start();
      await eventually(async () => {
        const s = (await h.call('sync.status')) as SyncStatus;
        return s.state === 'connected' && s.backlog === 0 && !s.backfilling;
      }, 60_000, 'sync to catch up');
      expect((await count(url, 'calls'))).toBeGreaterThan(600);
    } finally {
      await h.core.close();
      if (!server.running) await server.start(); // the next tests need it
    }
    await expectDeskInTeam(join(dataDir, 'switchboard.db'), url);
  });

  it('the app killed with SIGKILL mid-backfill: after a restart, still every row exactly once', async () => {
    const url = await server.createDatabase('faults_kill');
    const dataDir = dataDirWithStore('kill', { calls: 2000, lines: 20000 }, 2);
    const env = { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_PORT: '0', SWITCHBOARD_TOKEN: 'sync-kill-token-0123456789abcdef012345', SWITCHBOARD_TEAM_DATABASE_URL: url };
    const first = startServe([], env);
    try {
      await eventually(async () => (await count(url, 'utterances')) > 2000, 60_000, 'part of the backfill');
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
    } finally {
      first.child.kill('SIGKILL');
    }
    const partial = await count(url, 'utterances');
    expect(partial).toBeLessThan(20000);

    const second = startServe([], env);
    try {
      await eventually(async () => {
        for (const { table } of TEAM_TABLES) if ((await count(url, table)) !== deskCount(dataDir, table)) return false;
        return true;
      }, 90_000, 'every table to arrive');
    } finally {
      await second.stop();
    }
    await expectDeskInTeam(join(dataDir, 'switchboard.db'), url);
  });

  it('two desks sync into one database at once while a newer desk migrates the schema; twenty fresh desks migrate at once', async () => {
    const url = await server.createDatabase('faults_two');
    const desks: Array<{ desk: Desk; file: string }> = [1, 2].map((n) => {
      const dataDir = dataDirWithStore(`desk${n}`, { calls: 300, lines: 3000 }, 10 + n);
      return { desk: { id: `00000000-0000-4000-8000-00000000000${n}`, name: `Desk ${n}` }, file: join(dataDir, 'switchboard.db') };
    });
    const drain = async ({ desk, file }: { desk: Desk; file: string }) => {
      const db = openDatabase(file);
      const team = await client(url);
      try {
        enableSync(db, 'two');
        const rows = new DeskRows(db);
        for (let i = 0; i < 1000; i++) if ((await syncBatch(rows, team, desk, 100)).source === 'idle') return;
        throw new Error('never idle');
      } finally {
        await team.end();
        db.close();
      }
    };
    const first = await client(url);
    await migrateTeamDatabase(first);
    // A later build's migration (additive, as every one must be), applied while both desks drain.
    const v2 = { version: PG_MIGRATIONS.at(-1)!.version + 1, name: 'test-addition', sql: 'ALTER TABLE utterances ADD COLUMN later_note text; CREATE INDEX utterances_by_speaker ON utterances (speaker);' };
    const migrating = (async () => {
      await eventually(async () => (await count(url, 'utterances')) > 500, 30_000, 'both desks syncing');
      return migrateTeamDatabase(first, [...PG_MIGRATIONS, v2]);
    })();
    await Promise.all([...desks.map(drain), migrating]);
    expect(await migrating).toEqual({ from: v2.version - 1, to: v2.version });

    for (const table of TEAM_TABLES) {
      const expected = desks.flatMap(({ file }) => {
        const db = openDatabaseReadOnly(file);
        try {
          return deskRows(db, table);
        } finally {
          db.close();
        }
      });
      const remote = await teamRows(first, table);
      expect(remote.length, table.table).toBe(expected.length);
      const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) => (String(a[table.key]) < String(b[table.key]) ? -1 : 1);
      expect(remote.sort(byKey), table.table).toEqual(expected.sort(byKey));
    }
    const perDesk = await first.query('SELECT d.name, count(*)::int AS calls FROM calls c JOIN desks d ON d.id = c.desk_id GROUP BY d.name ORDER BY d.name');
    expect(perDesk.rows).toEqual([
      { name: 'Desk 1', calls: 300 },
      { name: 'Desk 2', calls: 300 },
    ]);
    await first.end();

    // Twenty desks starting at once on an empty database: one creates the schema, the rest wait on the lock and find it done.
    const fresh = await server.createDatabase('faults_twenty');
    const clients = await Promise.all(Array.from({ length: 20 }, () => client(fresh)));
    try {
      const results = await Promise.all(clients.map((c) => migrateTeamDatabase(c)));
      const latest = PG_MIGRATIONS.at(-1)!.version;
      expect(results.filter((r) => r.from === 0)).toHaveLength(1);
      expect(results.every((r) => r.to === latest)).toBe(true);
      const applied = await clients[0]!.query('SELECT version FROM switchboard_schema ORDER BY version');
      expect(applied.rows.map((r: { version: number }) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

/** Polls an async condition every 100 ms (each poll is a database round trip). */
async function eventually(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function deskCount(dataDir: string, table: string): number {
  const db = openDatabaseReadOnly(join(dataDir, 'switchboard.db'));
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
