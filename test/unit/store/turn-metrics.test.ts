import { join } from 'node:path';
import { TurnMetrics } from '@shared/domain';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { StoreError } from '../../../src/main/core/store/errors';
import { makeTempDir, newCall } from './helpers';

function turn(overrides: Partial<TurnMetrics> & Pick<TurnMetrics, 'turnId'>): TurnMetrics {
  return {
    callId: 'call-1',
    speechEndAtMs: 1000,
    sttFinalAtMs: 1180,
    llmFirstTokenAtMs: 1420,
    ttsFirstByteAtMs: 1610,
    firstAudioAtMs: 1640,
    sttLabel: 'Deepgram nova-3',
    llmLabel: 'Gemini 2.5 Flash',
    ttsLabel: 'Deepgram Aura',
    ...overrides,
  };
}

describe('call store: turn metrics', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  let db: Database;
  let store: CallStore;

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir());
    file = join(dir, 'calls.db');
    db = openDatabase(file);
    store = createCallStore(db);
    store.insertCall(newCall());
  });
  afterEach(() => {
    if (db.open) db.close();
    cleanup();
  });

  /** Reads through a fresh connection: the figures are in the file, not in a cache. */
  function reopen(): CallStore {
    db.close();
    db = openDatabase(file);
    return (store = createCallStore(db));
  }

  it('round-trips turns, nulls included, through the zod schema, oldest first', () => {
    const second = turn({
      turnId: 'u4',
      speechEndAtMs: 9000.5,
      sttFinalAtMs: 9150,
      llmFirstTokenAtMs: 9400,
      ttsFirstByteAtMs: 9700,
      firstAudioAtMs: 9725,
    });
    const cutOff = turn({
      turnId: 'u6',
      speechEndAtMs: 15_000,
      sttFinalAtMs: 15_200,
      llmFirstTokenAtMs: null,
      ttsFirstByteAtMs: null,
      firstAudioAtMs: null,
      llmLabel: 'Offline intent engine',
    });
    const first = turn({ turnId: 'u2' });
    // Stored out of order: a cut-off turn can be written after a later one.
    store.appendTurnMetrics(second);
    store.appendTurnMetrics(cutOff);
    store.appendTurnMetrics(first);

    const turns = reopen().listTurnMetrics('call-1');
    expect(turns.map((t) => TurnMetrics.parse(t))).toEqual([first, second, cutOff]);
  });

  it('replaces a turn stored again under the same turnId, keeping one row', () => {
    const cutOff = { llmFirstTokenAtMs: null, ttsFirstByteAtMs: null, firstAudioAtMs: null };
    store.appendTurnMetrics(turn({ turnId: 'u2', ...cutOff }));
    store.appendTurnMetrics(turn({ turnId: 'u4', speechEndAtMs: 5000, sttFinalAtMs: 5100 }));
    store.appendTurnMetrics(turn({ turnId: 'u2', llmLabel: 'Offline intent engine' }));

    const turns = reopen().listTurnMetrics('call-1');
    expect(turns.map((t) => [t.turnId, t.firstAudioAtMs, t.llmLabel])).toEqual([
      ['u2', 1640, 'Offline intent engine'],
      ['u4', 1640, 'Gemini 2.5 Flash'],
    ]);
    expect(db.prepare('SELECT count(*) FROM turn_metrics').pluck().get()).toBe(2);
  });

  it('keeps arrival order for turns that ended speech at the same moment', () => {
    store.appendTurnMetrics(turn({ turnId: 'b' }));
    store.appendTurnMetrics(turn({ turnId: 'a' }));
    expect(store.listTurnMetrics('call-1').map((t) => t.turnId)).toEqual(['b', 'a']);
  });

  it('keeps each call’s turns apart and answers [] for a call without any', () => {
    store.insertCall(newCall({ id: 'call-2' }));
    store.appendTurnMetrics(turn({ turnId: 'x1', callId: 'call-2' }));
    store.appendTurnMetrics(turn({ turnId: 'y1' }));
    expect(store.listTurnMetrics('call-2').map((t) => t.turnId)).toEqual(['x1']);
    expect(store.listTurnMetrics('call-1').map((t) => t.turnId)).toEqual(['y1']);
    expect(store.listTurnMetrics('nope')).toEqual([]);
  });

  it('refuses turns of unknown calls clearly and drops turns with their call', () => {
    expect(() => store.appendTurnMetrics(turn({ turnId: 't', callId: 'ghost' }))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CALL' }),
    );
    expect(() => store.appendTurnMetrics(turn({ turnId: 't', callId: 'ghost' }))).toThrow(StoreError);

    store.appendTurnMetrics(turn({ turnId: 'u2' }));
    db.exec(`DELETE FROM calls WHERE id = 'call-1'`);
    expect(store.listTurnMetrics('call-1')).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM turn_metrics').pluck().get()).toBe(0);
  });

  it('reads a call’s turns through the by-call index', () => {
    const sql = `SELECT turn_id FROM turn_metrics WHERE call_id = 'x' ORDER BY speech_end_at_ms, seq`;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/turn_metrics_by_call/);
  });
});
