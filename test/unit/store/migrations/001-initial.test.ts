import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migration001Initial, SWITCHBOARD_APPLICATION_ID } from '../../../../src/main/core/store/migrations/001-initial';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 001-initial', () => {
  let dir: string;
  let cleanup: () => void;
  let db: Database.Database;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v0.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, { migrations: [migration001Initial] });
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const names = (type: string): string[] =>
    db.prepare('SELECT name FROM sqlite_schema WHERE type = ? ORDER BY name').pluck().all(type) as string[];

  it('takes an empty file (version 0) to version 1 and marks it as Switchboard’s', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(SWITCHBOARD_APPLICATION_ID);
    expect(names('table')).toEqual(expect.arrayContaining(['calls', 'utterances', 'call_events', 'utterances_fts']));
    expect(names('index')).toEqual(
      expect.arrayContaining(['calls_by_started_at', 'calls_by_status', 'calls_by_call_sid']),
    );
    expect(names('trigger')).toEqual([
      'utterances_fts_after_delete',
      'utterances_fts_after_insert',
      'utterances_fts_after_update',
    ]);
  });

  it('uses the indexes for history and live listings', () => {
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan('SELECT id FROM calls ORDER BY started_at DESC, id DESC LIMIT 50')).toMatch(/calls_by_started_at/);
    expect(plan(`SELECT id FROM calls WHERE status = 'ended' ORDER BY started_at DESC, id DESC LIMIT 50`)).toMatch(
      /calls_by_status/,
    );
    expect(plan(`SELECT id FROM utterances WHERE call_id = 'x' ORDER BY seq`)).toMatch(/USING INDEX/);
  });

  it('keeps the FTS index in step with inserts, updates and cascading deletes', () => {
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at)
      VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'active', 'ai', 0);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms)
      VALUES ('u1', 'c1', 1, 'caller', 'I was charged twice', 0, 1000),
             ('u2', 'c1', 2, 'ai', 'Let me check that refund', 1000, 2000);`);
    const match = (q: string): string[] =>
      db
        .prepare(`SELECT u.id FROM utterances_fts f JOIN utterances u ON u.row_id = f.rowid
                  WHERE utterances_fts MATCH ? ORDER BY u.id`)
        .pluck()
        .all(q) as string[];
    const integrityCheck = (): void => {
      db.exec(`INSERT INTO utterances_fts (utterances_fts, rank) VALUES ('integrity-check', 1)`);
    };

    expect(match('charge')).toEqual(['u1']); // porter: charge ~ charged
    expect(match('refund')).toEqual(['u2']);

    db.exec(`UPDATE utterances SET text = 'I was billed twice' WHERE id = 'u1'`);
    expect(match('charged')).toEqual([]);
    expect(match('billed')).toEqual(['u1']);
    integrityCheck();

    db.exec(`DELETE FROM calls WHERE id = 'c1'`); // retention: one delete, children cascade
    expect(db.prepare('SELECT count(*) FROM utterances').pluck().get()).toBe(0);
    expect(match('billed')).toEqual([]);
    integrityCheck();
  });

  it('rejects child rows of unknown calls and invalid event JSON', () => {
    expect(() =>
      db.exec(`INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms)
               VALUES ('u', 'nope', 1, 'caller', 'x', 0, 0)`),
    ).toThrow(/FOREIGN KEY/);
    db.exec(`INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at)
             VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'active', 'ai', 0)`);
    expect(() =>
      db.exec(`INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES ('e', 'c1', 1, 'dtmf', 0, '{oops')`),
    ).toThrow(/CHECK/);
  });
});
