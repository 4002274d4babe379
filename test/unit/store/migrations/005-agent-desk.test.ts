import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migration001Initial } from '../../../../src/main/core/store/migrations/001-initial';
import { migration002TurnMetrics } from '../../../../src/main/core/store/migrations/002-turn-metrics';
import { migration003History } from '../../../../src/main/core/store/migrations/003-history';
import { migration004Recordings } from '../../../../src/main/core/store/migrations/004-recordings';
import { migration005AgentDesk } from '../../../../src/main/core/store/migrations/005-agent-desk';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 005-agent-desk', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo4 = [migration001Initial, migration002TurnMetrics, migration003History, migration004Recordings];
  const all = [...upTo4, migration005AgentDesk];

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v4.db'));
    db.pragma('foreign_keys = ON');
    // A version-4 file with a call on it (a line, events, a recording), as the previous build left it.
    migrate(db, { migrations: upTo4 });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at, end_reason)
      VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'ended', 'agent', 0, 60000, 'caller_hangup');
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, sentiment_score, sentiment_label, intent)
      VALUES ('u1', 'c1', 1, 'caller', 'I was charged twice', 0, 1000, -0.6, 'negative', 'billing_double_charge');
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES ('e1', 'c1', 1, 'takeover', 2100, '{}');
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data)
      VALUES ('e2', 'c1', 2, 'tool_call', 2500, '{"tool":"record_fact","args":{"name":"order number","value":"12345"}}');
      INSERT INTO recordings (id, call_id, kind, file_name, content_type, channels, sample_rate_hz, start_ms, duration_ms, created_at)
      VALUES ('r1', 'c1', 'line', 'r1.wav', 'audio/wav', 2, 8000, 0, 60000, 0);`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const count = (table: string): unknown => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

  it('upgrades a version-4 file with data to version 5, keeping every row and the derived columns', () => {
    const before = db.prepare('SELECT * FROM calls').all();
    expect(migrate(db, { migrations: all })).toEqual({ from: 4, to: 5 });
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect([count('calls'), count('utterances'), count('call_events'), count('recordings')]).toEqual([1, 1, 2, 1]);
    expect([count('call_facts'), count('wrap_ups')]).toEqual([0, 0]);
    expect(db.prepare('SELECT * FROM calls').all()).toEqual(before);
    expect(db.prepare(`SELECT id FROM utterances_fts f JOIN utterances u ON u.row_id = f.rowid WHERE utterances_fts MATCH 'charged'`).pluck().all()).toEqual(['u1']);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('adds the two tables and their indexes, and nothing else', () => {
    const before = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY name`).all();
    migrate(db, { migrations: all });
    const after = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY name`).all();
    const added = after.filter((row) => !before.some((b) => JSON.stringify(b) === JSON.stringify(row)));
    expect(added).toEqual([
      { type: 'table', name: 'call_facts' },
      { type: 'index', name: 'call_facts_by_call' },
      { type: 'index', name: 'sqlite_autoindex_call_facts_1' },
      { type: 'index', name: 'sqlite_autoindex_wrap_ups_1' },
      { type: 'table', name: 'wrap_ups' },
      { type: 'index', name: 'wrap_ups_by_disposition' },
    ]);
  });

  it('ties facts and wrap-ups to their call, one wrap-up per call, and cascades on delete', () => {
    migrate(db, { migrations: all });
    const fact = db.prepare(`INSERT INTO call_facts (id, call_id, seq, key, value, at_ms) VALUES (?, ?, ?, 'order number', '12345', 2500)`);
    const wrapUp = db.prepare(`
      INSERT INTO wrap_ups (call_id, disposition, resolution, summary, notes, source, proposed_disposition, started_at, saved_at, wrap_up_ms)
      VALUES (?, 'resolved', 'yes', ?, '', 'offline', 'resolved', 60000, 75000, 15000)`);
    expect(() => fact.run('f0', 'nope', 1)).toThrow(/FOREIGN KEY/);
    fact.run('f1', 'c1', 1);
    expect(() => fact.run('f2', 'c1', 1)).toThrow(/UNIQUE/); // one place per fact
    expect(() => wrapUp.run('c1', 'not json')).toThrow(/CHECK/);
    wrapUp.run('c1', '{"reason":"r","actions":"a","resolution":"yes","followUps":[]}');
    expect(() => wrapUp.run('c1', '{}')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => wrapUp.run('nope', '{}')).toThrow(/FOREIGN KEY/);
    // History's disposition filter finds calls through the index, without case.
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT call_id FROM wrap_ups w WHERE lower(w.disposition) IN ('resolved', 'sale')`)
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/wrap_ups_by_disposition/);
    db.exec(`DELETE FROM calls WHERE id = 'c1'`);
    expect([count('call_facts'), count('wrap_ups')]).toEqual([0, 0]);
  });
});
