/**
 * The sync drain (core/sync/drain.ts) between a real SQLite store and a real PostgreSQL
 * server (test/support/postgres.ts): backfill, outbox, deletes, replays, redaction originals.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/main/core/store/db';
import { DeskRows, syncBatch, type Desk } from '../../src/main/core/sync/drain';
import { migrateTeamDatabase, PG_MIGRATIONS } from '../../src/main/core/sync/pg-migrations';
import { openTeamPool } from '../../src/main/core/sync/team-database';
import { computeTeamAnalytics } from '../../src/main/core/team/team-analytics';
import { computeAnalytics } from '../../src/main/core/history/analytics';
import { AnalyticsInput } from '../../src/shared/history';
import { enableSync } from '../../src/main/core/sync/sync-state';
import { TEAM_TABLES } from '../../src/main/core/sync/team-tables';
import { historyStore } from '../bench/support/history-store';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { expectTeamEqualsDesk } from '../support/team-compare';

const DESK: Desk = { id: '6a3c3f0e-2b7e-4d59-8a43-0d1c9e51a001', name: 'Desk A' };

let server: TestPostgres;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'sync-drain-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function freshTeamDatabase(name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: await server.createDatabase(name) });
  await client.connect();
  await migrateTeamDatabase(client);
  return client;
}

function deskCopy(name: string): Database {
  const store = historyStore({ calls: 200, lines: 2000, days: 5 });
  const file = join(dir, `${name}.db`);
  copyFileSync(store.file, file);
  return openDatabase(file);
}

async function drainAll(rows: DeskRows, team: pg.Client, batchSize = 500): Promise<number> {
  let batches = 0;
  for (let i = 0; i < 10_000; i++) {
    const outcome = await syncBatch(rows, team, DESK, batchSize);
    if (outcome.source === 'idle') return batches;
    batches++;
  }
  throw new Error('the drain never went idle');
}

describe('sync drain: desk SQLite -> team PostgreSQL', () => {
  it('backfills every row, then sends changes and deletes; replaying changes nothing', async () => {
    const db = deskCopy('a');
    const team = await freshTeamDatabase('drain_a');
    try {
      enableSync(db, 'target-a');
      const rows = new DeskRows(db);
      expect(rows.backlog()).toBeGreaterThan(2000);
      await drainAll(rows, team);
      expect(rows.backlog()).toBe(0);
      await expectTeamEqualsDesk(db, team);
      const desks = await team.query('SELECT id, name FROM desks');
      expect(desks.rows).toEqual([{ id: DESK.id, name: DESK.name }]);
      const deskOfCalls = await team.query('SELECT DISTINCT desk_id FROM calls');
      expect(deskOfCalls.rows).toEqual([{ desk_id: DESK.id }]);

      // Changes after the backfill go through the outbox: an update, an insert and a delete.
      const call = db.prepare('SELECT id FROM calls ORDER BY started_at DESC LIMIT 1').get() as { id: string };
      db.prepare("UPDATE calls SET end_reason = 'agent-ended' WHERE id = ?").run(call.id);
      db.prepare(
        `INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, interrupted)
         VALUES ('0b4f2b0a-9c1e-4c55-9c0e-5d6f00000001', ?, 9999, 'agent', 'A line added after the backfill.', 1, 2, 1)`,
      ).run(call.id);
      const doomed = db.prepare('SELECT id FROM calls ORDER BY started_at LIMIT 1').get() as { id: string };
      db.prepare('DELETE FROM calls WHERE id = ?').run(doomed.id); // cascades to its lines and events
      expect(rows.backlog()).toBeGreaterThan(3);
      await drainAll(rows, team);
      expect(rows.backlog()).toBe(0);
      await expectTeamEqualsDesk(db, team);
      expect((await team.query('SELECT count(*)::int AS n FROM utterances WHERE call_id = $1', [doomed.id])).rows[0].n).toBe(0);

      // Replaying everything (a crash after PostgreSQL committed, before the desk forgot): same rows, no duplicates.
      db.prepare('UPDATE sync_state SET backfill_done = 0, backfill_table = NULL, backfill_after = NULL').run();
      await drainAll(rows, team);
      await expectTeamEqualsDesk(db, team);
    } finally {
      await team.end();
      db.close();
    }
  });

  it('sends only redacted text: originals stay on the desk', async () => {
    const db = deskCopy('b');
    const team = await freshTeamDatabase('drain_b');
    try {
      enableSync(db, 'target-b');
      const line = db.prepare("SELECT id FROM utterances WHERE speaker = 'caller' LIMIT 1").get() as { id: string };
      db.prepare("UPDATE utterances SET text = 'My card is [CARD ••••1111].', original_text = 'My card is 4111 1111 1111 1111.', redacted_kinds = 'card' WHERE id = ?").run(
        line.id,
      );
      await drainAll(new DeskRows(db), team);
      const sent = await team.query('SELECT text, redacted_kinds FROM utterances WHERE id = $1', [line.id]);
      expect(sent.rows).toEqual([{ text: 'My card is [CARD ••••1111].', redacted_kinds: 'card' }]);
      const anywhere = await team.query("SELECT count(*)::int AS n FROM utterances WHERE text LIKE '%4111 1111%'");
      expect(anywhere.rows[0].n).toBe(0);
      const columns = await team.query("SELECT column_name FROM information_schema.columns WHERE column_name LIKE 'original%'");
      expect(columns.rows).toEqual([]);
    } finally {
      await team.end();
      db.close();
    }
  });

  it('records nothing until sync is enabled, and every synced table has its triggers', () => {
    const db = deskCopy('c');
    try {
      db.prepare("UPDATE calls SET end_reason = 'x' WHERE rowid = 1").run();
      expect((db.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n).toBe(0);
      enableSync(db, 't');
      db.prepare("UPDATE calls SET end_reason = 'y' WHERE rowid = 1").run();
      expect(db.prepare('SELECT tbl, op FROM sync_outbox').all()).toEqual([{ tbl: 'calls', op: 'upsert' }]);
      for (const { table } of TEAM_TABLES) {
        const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE '%_sync_%'").all(table);
        expect(triggers, table).toHaveLength(3);
      }
    } finally {
      db.close();
    }
  });

  it("keeps each turn's call start, whichever of the two lands first (the dashboard's time range reads it)", async () => {
    const db = deskCopy('d');
    const team = await freshTeamDatabase('drain_d');
    try {
      enableSync(db, 'target-d');
      await drainAll(new DeskRows(db), team);
      const mismatched = await team.query(
        'SELECT count(*)::int AS n FROM turn_metrics m LEFT JOIN calls c ON c.id = m.call_id WHERE m.call_started_at IS DISTINCT FROM c.started_at',
      );
      expect(mismatched.rows[0].n).toBe(0);
      expect((await team.query('SELECT count(*)::int AS n FROM turn_metrics WHERE call_started_at IS NOT NULL')).rows[0].n).toBeGreaterThan(100);

      // A re-sync may deliver a turn before its call; an older desk's upsert never names the column.
      const turn = (id: string, callId: string) =>
        team.query(
          `INSERT INTO turn_metrics (turn_id, call_id, seq, speech_end_at_ms, stt_final_at_ms, stt_label, llm_label, tts_label)
           VALUES ($1, $2, 0, 1, 2, 's', 'l', 't')
           ON CONFLICT (turn_id) DO UPDATE SET seq = excluded.seq`,
          [id, callId],
        );
      const startOf = async (id: string) => (await team.query('SELECT call_started_at FROM turn_metrics WHERE turn_id = $1', [id])).rows[0].call_started_at;
      await turn('turn-early', 'call-late');
      await turn('turn-orphan', 'call-never');
      expect(await startOf('turn-early')).toBeNull();
      await team.query(
        `INSERT INTO calls (id, desk_id, call_sid, direction, from_number, to_number, status, controller, started_at)
         VALUES ('call-late', $1, 'CA1', 'inbound', '+1', '+2', 'ended', 'ai', 1234.5)`,
        [DESK.id],
      );
      expect(await startOf('turn-early')).toBe(1234.5);
      await turn('turn-early', 'call-late'); // the same row again: still there
      expect(await startOf('turn-early')).toBe(1234.5);
      expect(await startOf('turn-orphan')).toBeNull();
    } finally {
      await team.end();
      db.close();
    }
  });

  it('a team database no new desk has migrated yet (schema 1) still gives the desk figures for a time range', async () => {
    const db = deskCopy('e');
    const url = await server.createDatabase('drain_e');
    const team = new pg.Client({ connectionString: url });
    await team.connect();
    const pool = openTeamPool({ url, tls: 'disable' });
    try {
      await migrateTeamDatabase(team, PG_MIGRATIONS.slice(0, 1));
      enableSync(db, 'target-e');
      await drainAll(new DeskRows(db), team);
      const starts = db.prepare('SELECT min(started_at) AS first, max(started_at) AS last FROM calls').get() as { first: number; last: number };
      const input = AnalyticsInput.parse({ filter: { from: starts.first + 3_600_000, to: starts.last } });
      const want = computeAnalytics(db, input);
      expect(want.latency.every((l) => l.turns > 0)).toBe(true);
      expect((await computeTeamAnalytics(pool, input)).latency).toEqual(want.latency);
      // Migrated (by the next desk that starts syncing): the same figures, now without the join.
      await migrateTeamDatabase(team);
      expect((await computeTeamAnalytics(pool, input)).latency).toEqual(want.latency);
    } finally {
      await pool.end();
      await team.end();
      db.close();
    }
  });
});
