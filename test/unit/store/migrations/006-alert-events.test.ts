import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../../src/main/core/store/migrations/index';
import { migration006AlertEvents } from '../../../../src/main/core/store/migrations/006-alert-events';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 006-alert-events', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo5 = MIGRATIONS.filter((m) => m.version < 6);

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v5.db'));
    db.pragma('foreign_keys = ON');
    // A version-5 file as the previous build left it: c1 counted two alerts the old way
    // (a take-over request and a fallback), c2 none, and c3 started while the new build rolled
    // out (an 'alert' event beside an old-style error).
    migrate(db, { migrations: upTo5 });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at)
      VALUES ('c1', 'CA1', 'inbound', '+1', '+2', 'ended', 'agent', 0, 60000),
             ('c2', 'CA2', 'inbound', '+1', '+2', 'ended', 'ai', 0, 30000),
             ('c3', 'CA3', 'inbound', '+1', '+2', 'ended', 'ai', 0, 30000),
             ('c4', 'CA4', 'inbound', '+1', '+2', 'active', 'ai', 0, NULL);
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data)
      VALUES ('e1', 'c1', 1, 'takeover_requested', 10, '{}'), ('e2', 'c1', 2, 'fallback', 20, '{"role":"llm"}'),
             ('e3', 'c3', 1, 'error', 5, '{}'), ('e4', 'c3', 2, 'alert', 6, '{"ruleId":"r1"}'), ('e5', 'c3', 3, 'alert', 7, '{"ruleId":"r2"}');`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const alertCount = (id: string) => db.prepare('SELECT alert_count FROM calls WHERE id = ?').pluck().get(id);

  it('keeps the counts of calls stored before it, and recounts calls that already have alert events', () => {
    // The old trigger counted c3's error but not its alerts.
    expect([alertCount('c1'), alertCount('c2'), alertCount('c3')]).toEqual([2, 0, 1]);
    expect(migrate(db, { migrations: [...upTo5, migration006AlertEvents] })).toEqual({ from: 5, to: 6 });
    expect(alertCount('c1')).toBe(2);
    expect(alertCount('c2')).toBe(0);
    expect(alertCount('c3')).toBe(2);
    expect(db.prepare('SELECT count(*) FROM call_events').pluck().get()).toBe(5);
  });

  it('from now on counts alert events, and only those', () => {
    migrate(db, { migrations: [...upTo5, migration006AlertEvents] });
    const event = db.prepare(`INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES (?, 'c4', ?, ?, ?, '{}')`);
    event.run('x1', 1, 'takeover_requested', 100);
    event.run('x2', 2, 'fallback', 200);
    event.run('x3', 3, 'error', 300);
    expect(alertCount('c4')).toBe(0);
    event.run('x4', 4, 'alert', 400);
    event.run('x5', 5, 'alert_ack', 500);
    event.run('x6', 6, 'alert', 600);
    expect(alertCount('c4')).toBe(2);
    // The old trigger is gone, the new one is there.
    const triggers = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'calls_alert%'`).pluck().all();
    expect(triggers).toEqual(['calls_alert_count_after_alert_event']);
  });
});
