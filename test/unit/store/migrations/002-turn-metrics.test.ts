import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migration001Initial } from '../../../../src/main/core/store/migrations/001-initial';
import { migration002TurnMetrics } from '../../../../src/main/core/store/migrations/002-turn-metrics';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 002-turn-metrics', () => {
  let dir: string;
  let cleanup: () => void;
  let db: Database.Database;
  const both = [migration001Initial, migration002TurnMetrics];

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v1.db'));
    db.pragma('foreign_keys = ON');
    // A version-1 file with a call on it, as the previous build left it.
    migrate(db, { migrations: [migration001Initial] });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller,
                         started_at, ended_at)
      VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'ended', 'ai', 0, 60000);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms)
      VALUES ('u1', 'c1', 1, 'caller', 'I was charged twice', 0, 1000),
             ('u2', 'c1', 2, 'ai', 'Let me check that refund', 1500, 3000);
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES ('e1', 'c1', 1, 'started', 0, '{}');`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const insertTurn = (turnId: string, callId: string, seq: number): void => {
    db.prepare(
      `INSERT INTO turn_metrics (turn_id, call_id, seq, speech_end_at_ms, stt_final_at_ms, stt_label, llm_label, tts_label)
       VALUES (?, ?, ?, 1000, 1200, 'stt', 'llm', 'tts')`,
    ).run(turnId, callId, seq);
  };

  it('upgrades a version-1 file with data to version 2, keeping every row', () => {
    expect(migrate(db, { migrations: both })).toEqual({ from: 1, to: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const count = (table: string): unknown => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    expect([count('calls'), count('utterances'), count('call_events'), count('turn_metrics')]).toEqual([1, 2, 1, 0]);
    const search = db.prepare(`SELECT u.id FROM utterances_fts f JOIN utterances u ON u.row_id = f.rowid
                               WHERE utterances_fts MATCH ?`);
    expect(search.pluck().all('refund')).toEqual(['u2']);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('adds turn_metrics with nullable stages, its by-call index, and nothing else', () => {
    const before = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY name`).all();
    migrate(db, { migrations: both });
    const after = db.prepare(`SELECT type, name FROM sqlite_schema ORDER BY name`).all();
    const added = after.filter((row) => !before.some((b) => JSON.stringify(b) === JSON.stringify(row)));
    expect(added).toEqual([
      { type: 'index', name: 'sqlite_autoindex_turn_metrics_1' }, // the turn_id primary key
      { type: 'table', name: 'turn_metrics' },
      { type: 'index', name: 'turn_metrics_by_call' },
    ]);
    const columns = db.pragma('table_info(turn_metrics)') as { name: string; notnull: number }[];
    expect(Object.fromEntries(columns.map((c) => [c.name, c.notnull === 1]))).toEqual({
      turn_id: true,
      call_id: true,
      seq: true,
      speech_end_at_ms: true,
      stt_final_at_ms: true,
      llm_first_token_at_ms: false,
      tts_first_byte_at_ms: false,
      first_audio_at_ms: false,
      stt_label: true,
      llm_label: true,
      tts_label: true,
    });
  });

  it('ties turns to their call: unknown calls refused, one turn per id, cascades on delete', () => {
    migrate(db, { migrations: both });
    expect(() => insertTurn('t0', 'nope', 1)).toThrow(/FOREIGN KEY/);
    insertTurn('t1', 'c1', 1);
    expect(() => insertTurn('t1', 'c1', 2)).toThrow(/UNIQUE/);
    expect(() => insertTurn('t2', 'c1', 1)).toThrow(/UNIQUE/);
    insertTurn('t2', 'c1', 2);
    db.exec(`DELETE FROM calls WHERE id = 'c1'`);
    expect(db.prepare('SELECT count(*) FROM turn_metrics').pluck().get()).toBe(0);
  });
});
