import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migration001Initial } from '../../../../src/main/core/store/migrations/001-initial';
import { migration002TurnMetrics } from '../../../../src/main/core/store/migrations/002-turn-metrics';
import { migration003History } from '../../../../src/main/core/store/migrations/003-history';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 003-history', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo2 = [migration001Initial, migration002TurnMetrics];
  const all = [...upTo2, migration003History];

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v2.db'));
    db.pragma('foreign_keys = ON');
    // A version-2 file with calls on it, as the previous build left it.
    migrate(db, { migrations: upTo2 });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at)
      VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'ended', 'agent', 0, 60000),
             ('c2', 'CA2', 'inbound', '+1', '+2', 'ended', 'ai', 0, 30000);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, sentiment_score, sentiment_label)
      VALUES ('u1', 'c1', 1, 'caller', 'I was charged twice', 0, 1000, -0.6, 'negative'),
             ('u2', 'c1', 2, 'ai', 'Let me check', 1500, 3000, NULL, NULL),
             ('u3', 'c1', 3, 'caller', 'thanks that is fixed', 4000, 5000, 0.4, 'positive');
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data)
      VALUES ('e1', 'c1', 1, 'fallback', 10, '{"role":"llm"}'), ('e2', 'c1', 2, 'takeover', 2100, '{}'),
             ('e3', 'c1', 3, 'takeover', 9000, '{}'), ('e4', 'c1', 4, 'takeover_requested', 2000, '{}');`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const derived = (id: string) =>
    db
      .prepare(
        `SELECT caller_sentiment_avg AS avg, caller_sentiment_first AS first, caller_sentiment_last AS last,
                taken_over_at_ms AS takeover, alert_count AS alerts, intent FROM calls WHERE id = ?`,
      )
      .get(id);

  it('back-fills the derived columns of calls already stored, keeping every row', () => {
    expect(migrate(db, { migrations: all })).toEqual({ from: 2, to: 3 });
    expect(derived('c1')).toEqual({ avg: expect.closeTo(-0.1, 10), first: -0.6, last: 0.4, takeover: 2100, alerts: 2, intent: null });
    expect(derived('c2')).toEqual({ avg: null, first: null, last: null, takeover: null, alerts: 0, intent: null });
    expect(db.prepare('SELECT count(*) FROM utterances').pluck().get()).toBe(3);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('keeps them right as lines and events arrive, change and go', () => {
    migrate(db, { migrations: all });
    const line = db.prepare(
      `INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, sentiment_score, sentiment_label, intent)
       VALUES (?, 'c2', ?, ?, 'x', 0, 1, ?, ?, ?)`,
    );
    line.run('v1', 1, 'caller', -0.2, 'negative', null);
    line.run('v2', 2, 'ai', null, null, null);
    line.run('v3', 3, 'caller', 0.6, 'positive', 'billing_double_charge');
    line.run('v4', 4, 'caller', null, null, 'cancel_service');
    expect(derived('c2')).toEqual({ avg: expect.closeTo(0.2, 10), first: -0.2, last: 0.6, takeover: null, alerts: 0, intent: 'billing_double_charge' });
    // A late score rewrites the first line; a withdrawn line stops counting.
    db.prepare(`UPDATE utterances SET sentiment_score = 0.2, sentiment_label = 'positive' WHERE id = 'v1'`).run();
    db.prepare(`DELETE FROM utterances WHERE id = 'v3'`).run();
    expect(derived('c2')).toMatchObject({ avg: 0.2, first: 0.2, last: 0.2 });
    const event = db.prepare(`INSERT INTO call_events (id, call_id, seq, type, at_ms) VALUES (?, 'c2', ?, ?, ?)`);
    event.run('x1', 1, 'takeover', 5000);
    event.run('x2', 2, 'error', 5100);
    event.run('x3', 3, 'handback', 5200);
    expect(derived('c2')).toMatchObject({ takeover: 5000, alerts: 1 });
  });

  it('indexes the History sorts so a page is a range scan, not a sort', () => {
    migrate(db, { migrations: all });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan('SELECT id FROM calls c ORDER BY (c.ended_at - c.started_at) DESC, c.id DESC LIMIT 50')).toMatch(/calls_by_duration/);
    expect(plan('SELECT id FROM calls c ORDER BY c.caller_sentiment_avg, c.id LIMIT 50')).toMatch(/calls_by_sentiment/);
    expect(plan('SELECT id FROM calls c ORDER BY c.caller_sentiment_avg, c.id LIMIT 50')).not.toMatch(/TEMP B-TREE/);
  });
});
