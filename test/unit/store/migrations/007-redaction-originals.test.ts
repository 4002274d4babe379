import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CallEvent, Utterance } from '@shared/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore } from '../../../../src/main/core/store/call-store';
import { MIGRATIONS } from '../../../../src/main/core/store/migrations/index';
import { migration007RedactionOriginals } from '../../../../src/main/core/store/migrations/007-redaction-originals';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { event, finalLine, makeTempDir, newCall } from '../helpers';

describe('migration 007-redaction-originals', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo6 = MIGRATIONS.filter((m) => m.version < 7);

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v6.db'));
    db.pragma('foreign_keys = ON');
    // A version-6 file as the previous build left it: one call with a line and an event.
    migrate(db, { migrations: upTo6 });
    db.exec(`
      INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at)
      VALUES ('call-1', 'CA1', 'inbound', '+1', '+2', 'ended', 'ai', 0, 60000);
      INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms, interrupted)
      VALUES ('u0', 'call-1', 1, 'caller', 'I was charged twice', 0, 1000, 0);
      INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES ('e0', 'call-1', 1, 'keypad', 10, '{"digits":"12"}');`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const columns = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

  it('adds nullable original columns and leaves rows stored before it as they were', () => {
    expect(columns('utterances')).not.toContain('original_text');
    expect(migrate(db, { migrations: [...upTo6, migration007RedactionOriginals] })).toEqual({ from: 6, to: 7 });
    expect(columns('utterances')).toEqual(expect.arrayContaining(['original_text', 'redacted_kinds']));
    expect(columns('call_events')).toContain('original_data');
    expect(db.prepare(`SELECT text, original_text FROM utterances WHERE id = 'u0'`).get()).toEqual({ text: 'I was charged twice', original_text: null });
    expect(db.prepare(`SELECT data, original_data FROM call_events WHERE id = 'e0'`).get()).toEqual({ data: '{"digits":"12"}', original_data: null });
    // Still found by search, as before.
    expect(db.prepare(`SELECT count(*) FROM utterances_fts WHERE utterances_fts MATCH '"charged"'`).pluck().get()).toBe(1);
  });

  it('keeps originals in their own columns, out of the FTS index and out of default reads', () => {
    migrate(db, { migrations: [...upTo6, migration007RedactionOriginals] });
    migrate(db); // the store is today's: it writes today's columns (the ones 007 added among them)
    const store = createCallStore(db);
    store.insertCall(newCall({ id: 'call-2' }));
    const said = 'my card is 4111 1111 1111 1111 thanks';
    const redacted = 'my card is [CARD ••••1111] thanks';
    store.appendUtterance(finalLine({ id: 'u1', callId: 'call-2', text: redacted, originalText: said }), { kinds: ['card', 'card'] });
    expect(db.prepare(`SELECT redacted_kinds FROM utterances WHERE id = 'u1'`).pluck().get()).toBe('card');
    // A line redaction did not change keeps no copy.
    store.appendUtterance(finalLine({ id: 'u2', callId: 'call-2', text: 'nothing private', originalText: 'nothing private' }));
    store.appendEvent(event({ id: 'e1', callId: 'call-2', type: 'keypad', data: { digits: '[PIN]' }, originalData: { digits: '4321' } }));
    expect(db.prepare(`SELECT original_text, redacted_kinds FROM utterances WHERE id = 'u2'`).get()).toEqual({ original_text: null, redacted_kinds: null });

    // The default read (wrap-up, Gemini's summary, and calls.get unless Settings allow) has no originals.
    const plain = store.getCall('call-2')!;
    expect(JSON.stringify(plain)).not.toContain('4111');
    expect(JSON.stringify(plain)).not.toContain('4321');
    expect(plain.utterances[0]).toEqual(Utterance.parse({ ...finalLine({ id: 'u1', callId: 'call-2', text: redacted }) }));

    const full = store.getCall('call-2', { withOriginals: true })!;
    expect(full.utterances.map((u) => u.originalText)).toEqual([said, undefined]);
    expect(CallEvent.parse(full.events[0]).originalData).toEqual({ digits: '4321' });

    // The index knows the redacted words only.
    expect(store.searchUtterances('4111')).toEqual([]);
    expect(store.searchUtterances('card thanks').map((h) => h.utterance.id)).toEqual(['u1']);
    // A line re-stored (trimmed by barge-in, redacted again) replaces its original too.
    store.appendUtterance(finalLine({ id: 'u1', callId: 'call-2', text: 'my card is' }));
    expect(db.prepare(`SELECT original_text FROM utterances WHERE id = 'u1'`).pluck().get()).toBeNull();
  });

  it('refuses original_data that is not JSON', () => {
    migrate(db, { migrations: [...upTo6, migration007RedactionOriginals] });
    expect(() => db.exec(`INSERT INTO call_events (id, call_id, seq, type, at_ms, data, original_data) VALUES ('x', 'call-1', 2, 'dtmf', 1, '{}', 'not json')`)).toThrow(/CHECK/);
  });
});
