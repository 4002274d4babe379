import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore } from '../../../../src/main/core/store/call-store';
import { MIGRATIONS } from '../../../../src/main/core/store/migrations/index';
import { migration008SyncOutbox } from '../../../../src/main/core/store/migrations/008-sync-outbox';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { deskId, disableSync, enableSync } from '../../../../src/main/core/sync/sync-state';
import { event, finalLine, makeTempDir, newCall } from '../helpers';

describe('migration 008-sync-outbox', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo7 = MIGRATIONS.filter((m) => m.version < 8);
  const outbox = () => db.prepare('SELECT tbl, row_key, op FROM sync_outbox ORDER BY seq').all();

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v7.db'));
    db.pragma('foreign_keys = ON');
    // A version-7 file as the previous build left it: one call with a line.
    migrate(db, { migrations: upTo7 });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at)
      VALUES ('call-1', 'CA1', 'inbound', '+1', '+2', 'ended', 'ai', 0, 60000);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, interrupted)
      VALUES ('u0', 'call-1', 1, 'caller', 'I was charged twice', 0, 1000, 0);`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  it('adds the outbox and sync state, off, and leaves stored rows as they were', () => {
    expect(migrate(db, { migrations: [...upTo7, migration008SyncOutbox] })).toEqual({ from: 7, to: 8 });
    expect(db.prepare('SELECT enabled, desk_id, target, backfill_done FROM sync_state').all()).toEqual([{ enabled: 0, desk_id: null, target: null, backfill_done: 0 }]);
    expect(outbox()).toEqual([]);
    expect(db.prepare(`SELECT text FROM utterances WHERE id = 'u0'`).pluck().get()).toBe('I was charged twice');
  });

  it('records every insert, update and delete of the synced tables, in order, only while enabled', () => {
    migrate(db, { migrations: [...upTo7, migration008SyncOutbox] });
    migrate(db); // the store is today's: it writes today's columns (the outbox triggers are 008's)
    const store = createCallStore(db);
    store.insertCall(newCall({ id: 'call-off' }));
    expect(outbox()).toEqual([]);

    enableSync(db, 'team-a');
    store.insertCall(newCall({ id: 'call-2' }));
    store.appendUtterance(finalLine({ id: 'u1', callId: 'call-2', text: 'hello' }));
    store.appendEvent(event({ id: 'e1', callId: 'call-2', type: 'barge_in' }));
    db.prepare(`DELETE FROM calls WHERE id = 'call-1'`).run(); // cascades to its line
    expect(outbox()).toEqual(
      expect.arrayContaining([
        { tbl: 'calls', row_key: 'call-2', op: 'upsert' },
        { tbl: 'utterances', row_key: 'u1', op: 'upsert' },
        { tbl: 'call_events', row_key: 'e1', op: 'upsert' },
        { tbl: 'utterances', row_key: 'u0', op: 'delete' },
        { tbl: 'calls', row_key: 'call-1', op: 'delete' },
      ]),
    );
    const seqs = db.prepare('SELECT seq FROM sync_outbox ORDER BY seq').pluck().all() as number[];
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // Off again: recording stops and what was waiting is dropped; the desk's id stays.
    const id = deskId(db);
    disableSync(db);
    store.insertCall(newCall({ id: 'call-3' }));
    expect(outbox()).toEqual([]);
    expect(deskId(db)).toBe(id);
  });

  it('a new team database starts the backfill over; the same one again resumes with a backfill too', () => {
    migrate(db, { migrations: [...upTo7, migration008SyncOutbox] });
    enableSync(db, 'team-a');
    db.prepare("UPDATE sync_state SET backfill_done = 1, backfill_table = NULL").run();
    db.prepare("UPDATE calls SET end_reason = 'x'").run();
    enableSync(db, 'team-a'); // already on for it: nothing changes
    expect(db.prepare('SELECT backfill_done FROM sync_state').pluck().get()).toBe(1);
    expect(outbox()).toHaveLength(1);
    enableSync(db, 'team-b');
    expect(db.prepare('SELECT backfill_done, target FROM sync_state').get()).toEqual({ backfill_done: 0, target: 'team-b' });
    expect(outbox()).toEqual([]);
  });
});
