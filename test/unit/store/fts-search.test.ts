import { join } from 'node:path';
import { Utterance } from '@shared/domain';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { toFtsQuery } from '../../../src/main/core/store/fts-query';
import { finalLine, makeTempDir, newCall } from './helpers';

describe('toFtsQuery', () => {
  it('quotes every word so user input is never FTS syntax', () => {
    expect(toFtsQuery('charged twice')).toBe('"charged" "twice"');
    expect(toFtsQuery('say "hi" NEAR(x) OR -y *')).toBe('"say" """hi""" "NEAR(x)" "OR" "-y"');
    expect(toFtsQuery('   ')).toBeNull();
    expect(toFtsQuery('- * "')).toBeNull();
  });
});

describe('searchUtterances (FTS5)', () => {
  let cleanup: () => void;
  let db: Database;
  let store: CallStore;

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = openDatabase(join(dir, 'calls.db'));
    store = createCallStore(db);
    store.insertCall(newCall({ id: 'c1' }));
    store.insertCall(newCall({ id: 'c2', startedAt: 1_700_000_100_000 }));
    const lines: [string, string, string][] = [
      ['c1', 'u1', 'I was charged twice for my order'],
      ['c1', 'u2', 'I can see the duplicate charge, I will refund it'],
      ['c2', 'u3', 'I want to cancel my subscription'],
      ['c2', 'u4', 'Can I speak to a supervisor? This is a café, not a bank'],
    ];
    for (const [callId, id, text] of lines) store.appendUtterance(finalLine({ id, callId, text }));
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  const ids = (query: string): string[] => store.searchUtterances(query).map((hit) => hit.utterance.id);

  it('finds lines by word, with stemming, case and diacritics folded', () => {
    expect(ids('charge').sort()).toEqual(['u1', 'u2']);
    expect(ids('SUPERVISOR')).toEqual(['u4']);
    expect(ids('cafe')).toEqual(['u4']);
    expect(ids('cancelled')).toEqual(['u3']);
  });

  it('requires every word and ranks better matches first', () => {
    expect(ids('charged twice')).toEqual(['u1']);
    expect(ids('refund supervisor')).toEqual([]);
    const hits = store.searchUtterances('I');
    expect(hits.length).toBe(4);
    expect(hits.map((h) => h.rank)).toEqual([...hits.map((h) => h.rank)].sort((a, b) => a - b));
  });

  it('returns whole domain utterances and honours the limit', () => {
    const [hit] = store.searchUtterances('subscription');
    expect(Utterance.parse(hit?.utterance)).toMatchObject({ id: 'u3', callId: 'c2', final: true });
    expect(store.searchUtterances('I', { limit: 2 })).toHaveLength(2);
  });

  it('treats operators and quotes in user input as text, never as a syntax error', () => {
    for (const query of ['"', 'NEAR(', 'OR', 'cancel OR', 'text:cancel', '*', 'a AND', '((', "'; DROP TABLE calls; --"]) {
      expect(() => store.searchUtterances(query), query).not.toThrow();
    }
    expect(ids('')).toEqual([]);
  });
});
