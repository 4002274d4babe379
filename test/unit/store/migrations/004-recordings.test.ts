import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migration001Initial } from '../../../../src/main/core/store/migrations/001-initial';
import { migration002TurnMetrics } from '../../../../src/main/core/store/migrations/002-turn-metrics';
import { migration003History } from '../../../../src/main/core/store/migrations/003-history';
import { migration004Recordings } from '../../../../src/main/core/store/migrations/004-recordings';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 004-recordings', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo3 = [migration001Initial, migration002TurnMetrics, migration003History];
  const all = [...upTo3, migration004Recordings];

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v3.db'));
    db.pragma('foreign_keys = ON');
    // A version-3 file with a call on it, as the previous build left it.
    migrate(db, { migrations: upTo3 });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at)
      VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'ended', 'agent', 0, 60000);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, sentiment_score, sentiment_label)
      VALUES ('u1', 'c1', 1, 'caller', 'I was charged twice', 0, 1000, -0.6, 'negative');
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES ('e1', 'c1', 1, 'takeover', 2100, '{}');`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const insert = (id: string, fields: Partial<Record<'call_id' | 'file_name' | 'source_sid' | 'duration_ms', string | number | null>> = {}) =>
    db
      .prepare(
        `INSERT INTO recordings (id, call_id, kind, file_name, content_type, channels, sample_rate_hz, start_ms, duration_ms, source_sid, created_at)
         VALUES (@id, @call_id, 'line', @file_name, 'audio/wav', 2, 8000, 0, @duration_ms, @source_sid, 0)`,
      )
      .run({ id, call_id: 'c1', file_name: `${id}.wav`, source_sid: null, duration_ms: null, ...fields });

  it('upgrades a version-3 file with data to version 4, keeping every row and the derived columns', () => {
    expect(migrate(db, { migrations: all })).toEqual({ from: 3, to: 4 });
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    const count = (table: string): unknown => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    expect([count('calls'), count('utterances'), count('call_events'), count('recordings')]).toEqual([1, 1, 1, 0]);
    expect(db.prepare('SELECT taken_over_at_ms FROM calls').pluck().get()).toBe(2100);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('adds the recordings table and its indexes, and nothing else', () => {
    const before = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY name`).all();
    migrate(db, { migrations: all });
    const after = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY name`).all();
    const added = after.filter((row) => !before.some((b) => JSON.stringify(b) === JSON.stringify(row)));
    expect(added).toEqual([
      { type: 'table', name: 'recordings' },
      { type: 'index', name: 'recordings_by_call' },
      { type: 'index', name: 'recordings_by_source_sid' },
      { type: 'index', name: 'recordings_unfinished' },
      { type: 'index', name: 'sqlite_autoindex_recordings_1' }, // id primary key
      { type: 'index', name: 'sqlite_autoindex_recordings_2' }, // file_name unique
    ]);
    const columns = db.pragma('table_info(recordings)') as { name: string; notnull: number }[];
    expect(Object.fromEntries(columns.map((c) => [c.name, c.notnull === 1]))).toEqual({
      id: true,
      call_id: true,
      kind: true,
      file_name: true,
      content_type: true,
      channels: true,
      sample_rate_hz: true,
      start_ms: true,
      duration_ms: false,
      source_sid: false,
      created_at: true,
    });
  });

  it('ties recordings to their call, attaches a Twilio recording once, and cascades on delete', () => {
    migrate(db, { migrations: all });
    expect(() => insert('r0', { call_id: 'nope' })).toThrow(/FOREIGN KEY/);
    insert('r1');
    insert('r2', { source_sid: 'RE1', duration_ms: 1000 });
    insert('r3'); // several recordings without a Twilio sid are fine
    expect(() => insert('r4', { source_sid: 'RE1' })).toThrow(/UNIQUE/);
    expect(() => insert('r5', { file_name: 'r1.wav' })).toThrow(/UNIQUE/);
    // Start-up repair finds what a crash left unfinished through the partial index.
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id FROM recordings WHERE duration_ms IS NULL').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/recordings_unfinished/);
    expect(db.prepare('SELECT id FROM recordings WHERE duration_ms IS NULL ORDER BY id').pluck().all()).toEqual(['r1', 'r3']);
    db.exec(`DELETE FROM calls WHERE id = 'c1'`);
    expect(db.prepare('SELECT count(*) FROM recordings').pluck().get()).toBe(0);
  });
});
