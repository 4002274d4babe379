import { storedCallLiveFields } from '@shared/domain';
import { join } from 'node:path';
import { CallEvent, CallSummary, Utterance } from '@shared/domain';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { StoreError } from '../../../src/main/core/store/errors';
import { event, finalLine, makeTempDir, newCall } from './helpers';

describe('call store', () => {
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
  });
  afterEach(() => {
    if (db.open) db.close();
    cleanup();
  });

  /** Reads through a second, fresh connection: proves the data is in the file, not in a cache. */
  function reopen(): CallStore {
    db.close();
    db = openDatabase(file);
    return (store = createCallStore(db));
  }

  it('round-trips a call, its lines and events through the zod domain schemas', () => {
    store.insertCall(newCall({ scenario: 'billing-dispute', direction: 'outbound' }));
    const lines: Utterance[] = [
      finalLine({ id: 'u1', speaker: 'ai', text: 'This call is handled by an AI assistant.', endMs: 2500 }),
      finalLine({
        id: 'u2',
        text: 'I was charged twice, this is ridiculous',
        startMs: 2600.5,
        endMs: 5200,
        sentiment: { score: -0.61, label: 'negative' },
      }),
      finalLine({ id: 'u3', speaker: 'agent', text: 'Über-sorry — I’ll fix it 💳', startMs: 6000, endMs: 7000, interrupted: true }),
    ];
    for (const line of lines) store.appendUtterance(line);
    const events: CallEvent[] = [
      event({ id: 'e1', type: 'started', atMs: 0 }),
      event({ id: 'e2', type: 'takeover', atMs: 5300, data: { agent: 'sam', reason: { kind: 'sentiment', n: 2 } } }),
    ];
    for (const e of events) store.appendEvent(e);

    const record = reopen().getCall('call-1');
    expect(record).not.toBeNull();
    const call = CallSummary.parse(record?.call);
    expect(call).toEqual({
      ...newCall({ scenario: 'billing-dispute', direction: 'outbound' }),
      aiActivity: 'idle',
      utteranceCount: 3,
      callerSentiment: -0.61,
      // Live-only detail is not stored: read back, the call shows nothing open.
      ...storedCallLiveFields('active', 'ai'),
      // No wrap-up saved yet.
      disposition: null,
    });
    expect(record?.utterances.map((u) => Utterance.parse(u))).toEqual(lines);
    expect(record?.events.map((e) => CallEvent.parse(e))).toEqual(events);
  });

  it('returns null for an unknown call', () => {
    expect(store.getCall('nope')).toBeNull();
  });

  it('accepts a whole CallSummary and refuses a duplicate id clearly', () => {
    const summary: CallSummary = {
      ...newCall(),
      aiActivity: 'speaking',
      utteranceCount: 99,
      callerSentiment: 0.5,
      ...storedCallLiveFields('active', 'ai'),
    };
    store.insertCall(summary);
    expect(store.getCall('call-1')?.call.utteranceCount).toBe(0);
    expect(() => store.insertCall(summary)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('updates only the fields in the patch; null clears, undefined leaves alone', () => {
    store.insertCall(newCall({ scenario: 'demo' }));
    expect(store.updateCall('call-1', { controller: 'agent', status: undefined })).toBe(true);
    expect(store.updateCall('call-1', { status: 'ended', endedAt: 1_700_000_060_000, endReason: 'caller_hangup' })).toBe(
      true,
    );
    expect(store.updateCall('call-1', { scenario: null })).toBe(true);
    expect(store.updateCall('missing', { status: 'ended' })).toBe(false);

    const call = CallSummary.parse(reopen().getCall('call-1')?.call);
    expect(call).toMatchObject({
      status: 'ended',
      controller: 'agent',
      endedAt: 1_700_000_060_000,
      endReason: 'caller_hangup',
      scenario: null,
      callSid: newCall().callSid,
    });
  });

  it('stores only final lines and refuses lines for unknown calls', () => {
    store.insertCall(newCall());
    expect(() => store.appendUtterance(finalLine({ id: 'i1', final: false }))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => store.appendUtterance(finalLine({ id: 'u1', callId: 'ghost' }))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CALL', message: expect.stringMatching(/not in the store/) }),
    );
    expect(() => store.appendEvent(event({ id: 'e1', callId: 'ghost' }))).toThrow(StoreError);
    expect(store.getCall('call-1')?.utterances).toEqual([]);
  });

  it('rewrites a line stored again under the same id in place (barge-in trim, late sentiment)', () => {
    store.insertCall(newCall());
    store.appendUtterance(finalLine({ id: 'u1', speaker: 'ai', text: 'Your refund will arrive in five to seven days' }));
    store.appendUtterance(finalLine({ id: 'u2', text: 'wait' }));
    store.appendUtterance(
      finalLine({ id: 'u1', speaker: 'ai', text: 'Your refund will arrive', interrupted: true, endMs: 800 }),
    );
    store.appendUtterance(finalLine({ id: 'u2', text: 'wait', sentiment: { score: 0, label: 'neutral' } }));

    const utterances = reopen().getCall('call-1')?.utterances ?? [];
    expect(utterances.map((u) => [u.id, u.text, u.interrupted, u.sentiment?.label ?? null])).toEqual([
      ['u1', 'Your refund will arrive', true, null],
      ['u2', 'wait', false, 'neutral'],
    ]);
    expect(store.searchUtterances('seven')).toEqual([]);
  });

  it('ignores a repeated event and orders events by time, then arrival', () => {
    store.insertCall(newCall());
    store.appendEvent(event({ id: 'e1', type: 'started', atMs: 0 }));
    store.appendEvent(event({ id: 'e3', type: 'dtmf', atMs: 900, data: { digit: '1' } }));
    store.appendEvent(event({ id: 'e2', type: 'barge_in', atMs: 400 }));
    store.appendEvent(event({ id: 'e4', type: 'dtmf', atMs: 900, data: { digit: '2' } }));
    store.appendEvent(event({ id: 'e1', type: 'error', atMs: 5 }));
    expect(store.getCall('call-1')?.events.map((e) => `${e.id}:${e.type}`)).toEqual([
      'e1:started',
      'e2:barge_in',
      'e3:dtmf',
      'e4:dtmf',
    ]);
  });

  describe('listCalls', () => {
    beforeEach(() => {
      const t = 1_700_000_000_000;
      store.insertCall(newCall({ id: 'a', startedAt: t + 1000, status: 'ended', endedAt: t + 2000 }));
      store.insertCall(newCall({ id: 'b', startedAt: t + 3000, status: 'active' }));
      store.insertCall(newCall({ id: 'c', startedAt: t + 2000, status: 'ringing' }));
      store.insertCall(newCall({ id: 'd', startedAt: t + 4000, status: 'ended', endedAt: t + 9000 }));
      store.insertCall(newCall({ id: 'e', startedAt: t + 4000, status: 'ended', endedAt: t + 8000 }));
    });

    it('filters by scope and lists newest first, ties broken by id', () => {
      const ids = (scope: 'live' | 'ended' | 'all', limit = 100): string[] =>
        store.listCalls({ scope, limit }).map((c) => CallSummary.parse(c).id);
      expect(ids('all')).toEqual(['e', 'd', 'b', 'c', 'a']);
      expect(ids('live')).toEqual(['b', 'c']);
      expect(ids('ended')).toEqual(['e', 'd', 'a']);
      expect(ids('all', 2)).toEqual(['e', 'd']);
    });

    it('computes utteranceCount and the mean caller sentiment in SQL', () => {
      store.appendUtterance(finalLine({ id: 'b1', callId: 'b', speaker: 'ai', sentiment: { score: 1, label: 'positive' } }));
      store.appendUtterance(finalLine({ id: 'b2', callId: 'b', sentiment: { score: -0.5, label: 'negative' } }));
      store.appendUtterance(finalLine({ id: 'b3', callId: 'b', sentiment: { score: 0.1, label: 'neutral' } }));
      store.appendUtterance(finalLine({ id: 'b4', callId: 'b', sentiment: null }));
      store.appendUtterance(finalLine({ id: 'c1', callId: 'c', speaker: 'ai' }));

      const byId = new Map(store.listCalls({ scope: 'all', limit: 10 }).map((c) => [c.id, c]));
      expect(byId.get('b')?.utteranceCount).toBe(4);
      expect(byId.get('b')?.callerSentiment).toBeCloseTo(-0.2, 10);
      expect(byId.get('c')).toMatchObject({ utteranceCount: 1, callerSentiment: null });
      expect(byId.get('a')).toMatchObject({ utteranceCount: 0, callerSentiment: null });
    });

    it('refuses a limit that is not a positive integer', () => {
      expect(() => store.listCalls({ scope: 'all', limit: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      expect(() => store.listCalls({ scope: 'all', limit: 1.5 })).toThrow(StoreError);
    });
  });

  describe('markInterruptedCallsEnded', () => {
    it('ends calls a crash left live, keeps their data and estimates endedAt from the last sign of life', () => {
      const t = 1_700_000_000_000;
      store.insertCall(newCall({ id: 'talking', startedAt: t, status: 'active' }));
      store.appendUtterance(finalLine({ id: 't1', callId: 'talking', startMs: 1000, endMs: 4000 }));
      store.appendEvent(event({ id: 't2', callId: 'talking', type: 'takeover', atMs: 9000 }));
      store.insertCall(newCall({ id: 'ringing', startedAt: t + 500, status: 'ringing' }));
      store.insertCall(newCall({ id: 'done', startedAt: t, status: 'ended', endedAt: t + 100, endReason: 'completed' }));
      store.insertCall(newCall({ id: 'future', startedAt: t, status: 'active' }));
      store.appendUtterance(finalLine({ id: 'f1', callId: 'future', endMs: 10 * 60_000 }));

      const now = t + 60_000;
      expect(reopen().markInterruptedCallsEnded(now).sort()).toEqual(['future', 'ringing', 'talking']);

      const get = (id: string): CallSummary => CallSummary.parse(store.getCall(id)?.call);
      expect(get('talking')).toMatchObject({ status: 'ended', endReason: 'interrupted', endedAt: t + 9000, utteranceCount: 1 });
      expect(get('ringing')).toMatchObject({ status: 'ended', endReason: 'interrupted', endedAt: t + 500 });
      expect(get('future')).toMatchObject({ endedAt: now }); // capped at now
      expect(get('done')).toMatchObject({ status: 'ended', endReason: 'completed', endedAt: t + 100 });
      expect(store.getCall('talking')?.events).toHaveLength(1);
      expect(store.markInterruptedCallsEnded(now)).toEqual([]);
    });
  });
});
