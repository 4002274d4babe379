import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/db';
import { StoreError } from '../../../../src/main/core/store/errors';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  type Migration,
} from '../../../../src/main/core/store/migrations/index';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

/**
 * Rows written against the schema AT version v (raw SQL, as an old build would have written
 * them). Adding migration N means adding seeders[N - 1]; the test below fails until you do.
 */
const seeders: Record<number, (db: Database.Database) => void> = {
  0: () => {
    // Version 0 is an empty file: nothing to keep.
  },
  1: (db) => {
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller,
                         started_at, ended_at, end_reason)
      VALUES ('c1', 'CA1', 'inbound', '+15550100001', '+15550100999', 'ended', 'agent',
              1700000000000, 1700000060000, 'completed'),
             ('c2', 'CA2', 'outbound', '+15550100999', '+15550100002', 'active', 'ai',
              1700000100000, NULL, NULL);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms,
                              sentiment_score, sentiment_label, interrupted)
      VALUES ('u1', 'c1', 1, 'caller', 'I was charged twice', 0, 1000, -0.5, 'negative', 0),
             ('u2', 'c1', 2, 'ai', 'Let me check', 1200, 2000, NULL, NULL, 1);
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data)
      VALUES ('e1', 'c1', 1, 'started', 0, '{}'), ('e2', 'c1', 2, 'takeover', 2100, '{"agent":"sam"}');`);
  },
  2: (db) => {
    seeders[1]!(db);
    db.exec(`
      INSERT INTO turn_metrics (turn_id, call_id, seq, speech_end_at_ms, stt_final_at_ms,
                                llm_first_token_at_ms, tts_first_byte_at_ms, first_audio_at_ms,
                                stt_label, llm_label, tts_label)
      VALUES ('u2', 'c1', 1, 1000, 1100, 1300, 1400, 1420, 'stt', 'llm', 'tts');`);
  },
  // recordings (issue 7): version 3 adds only derived columns; its rows are version 2's.
  3: (db) => {
    seeders[2]!(db);
  },
  // recordings (issue 7) at version 4: version 3's rows plus a recording.
  4: (db) => {
    seeders[3]!(db);
    db.exec(`INSERT INTO recordings (id, call_id, kind, file_name, content_type, channels, sample_rate_hz, start_ms, duration_ms, created_at)
             VALUES ('r1', 'c1', 'line', 'r1.wav', 'audio/wav', 2, 8000, 0, 60000, 1700000060000);`);
  },
  // alerts (issue 8): version 6 only replaces the alert_count trigger; version 5's rows, plus an
  // alert event stored before it (recounted by 006, never lost).
  5: (db) => {
    seeders[4]!(db);
    db.exec(`INSERT INTO call_events (id, call_id, seq, type, at_ms, data)
             VALUES ('e-alert-1', 'c1', 90, 'alert', 2200, '{"ruleId":"default-escalation-phrases"}');`);
    // wrap-up (issue 8): version 5's own tables, a recorded fact and a saved wrap-up.
    db.exec(`INSERT INTO call_facts (id, call_id, seq, key, value, at_ms) VALUES ('f1', 'c1', 1, 'order number', '12345', 1500);
             INSERT INTO wrap_ups (call_id, disposition, resolution, summary, notes, source, proposed_disposition, started_at, saved_at, wrap_up_ms)
             VALUES ('c1', 'resolved', 'yes', '{"reason":"r","actions":"a","resolution":"yes","followUps":[]}', 'n', 'offline', 'resolved',
                     1700000060000, 1700000075000, 15000);`);
  },
  // redaction (issue 10): version 7 adds two nullable columns; version 6's rows are version 5's.
  6: (db) => {
    seeders[5]!(db);
  },
  // team sync (issue 12): version 8 adds the outbox and sync state; version 7's rows plus a kept original.
  7: (db) => {
    seeders[6]!(db);
    db.exec(`UPDATE utterances SET original_text = text, redacted_kinds = 'card' WHERE rowid = (SELECT min(rowid) FROM utterances);`);
  },
  // AI profiles and campaigns (issue 15): version 9 adds tables and nullable calls columns; version 8's rows plus sync state on.
  8: (db) => {
    seeders[7]!(db);
    db.exec(`UPDATE sync_state SET enabled = 1, desk_id = 'desk-1', target = 'postgres://team' WHERE id = 1;
             INSERT INTO sync_outbox (tbl, row_key, op) VALUES ('calls', 'c1', 'upsert');`);
  },
};

function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_schema WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'`,
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((name) => [name, db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number]),
  );
}

function columnsByTable(db: Database.Database): Map<string, Set<string>> {
  const tables = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .pluck()
    .all() as string[];
  return new Map(
    tables.map((name) => [
      name,
      new Set((db.pragma(`table_xinfo("${name}")`) as { name: string; type: string }[]).map((c) => `${c.name} ${c.type}`)),
    ]),
  );
}

describe('migration list', () => {
  it('is numbered 1, 2, 3, ... with unique names', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });
});

describe('migrate', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('takes a fresh database to the latest version', () => {
    const db = new Database(join(dir, 'fresh.db'));
    expect(migrate(db)).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(migrate(db)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
    db.close();
  });

  it('has a seeder for every version a user might upgrade from', () => {
    for (let v = 0; v < LATEST_SCHEMA_VERSION; v++) expect(seeders[v], `seeders[${v}]`).toBeTypeOf('function');
  });

  for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
    it(`upgrades a database at version ${from} with data to the latest without losing rows`, () => {
      const file = join(dir, `v${from}.db`);
      const old = new Database(file);
      migrate(old, { targetVersion: from });
      seeders[from]?.(old);
      const countsBefore = tableCounts(old);
      old.close();

      const db = openDatabase(file);
      const countsAfter = tableCounts(db);
      for (const [table, count] of Object.entries(countsBefore)) expect(countsAfter[table], table).toBe(count);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
    });
  }

  it('is additive only: every table and column of version N-1 still exists, same type, at N', () => {
    const db = new Database(join(dir, 'additive.db'));
    let previous = columnsByTable(db);
    for (const m of MIGRATIONS) {
      migrate(db, { targetVersion: m.version });
      const current = columnsByTable(db);
      for (const [table, columns] of previous) {
        expect(current.has(table), `${m.name} dropped table ${table}`).toBe(true);
        for (const column of columns) expect(current.get(table)?.has(column), `${m.name}: ${table}.${column}`).toBe(true);
      }
      previous = current;
    }
    db.close();
  });

  it('runs all pending migrations in one transaction: a failure leaves the file as it was', () => {
    const file = join(dir, 'failing.db');
    const db = new Database(file);
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST_SCHEMA_VERSION + 1, name: 'adds-a-table', up: (d) => d.exec('CREATE TABLE added (x)') },
      {
        version: LATEST_SCHEMA_VERSION + 2,
        name: 'fails',
        up: () => {
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, { migrations: broken })).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get()).toBe(0);
    db.close();
  });

  it('refuses to run against a newer schema', () => {
    const db = new Database(join(dir, 'newer.db'));
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
    expect(() => migrate(db)).toThrow(StoreError);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 3);
    db.close();
  });
});
