/**
 * Backtests on a real SQLite store (the app's schema and triggers), written through the call
 * store as live calls are: the numbers it answers are checked against the calls written.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { newAlertRule, type AlertRule } from '../../../src/shared/alerts';
import { AlertBacktestInput, AlertBacktestResult } from '../../../src/shared/alerts';
import { backtestRule, MAX_MATCHES } from '../../../src/main/core/alerts/backtest';
import { backtestOffThread } from '../../../src/main/core/alerts/backtest-client';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { event, finalLine, makeTempDir, newCall } from '../store/helpers';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const DAY = 86_400_000;

describe('alert backtest over stored calls', () => {
  let dir: string;
  let cleanup: () => void;
  let db: Database;
  let store: CallStore;
  const dbPath = () => join(dir, 'switchboard.db');

  /** An ended call `daysAgo` days before NOW with the given lines (caller/ai alternating) and events. */
  function storeCall(id: string, daysAgo: number, lines: [speaker: 'caller' | 'ai', text: string, score?: number][], events: [type: string, atMs: number][] = [], durationMs = 60_000) {
    const startedAt = NOW - daysAgo * DAY;
    store.insertCall(newCall({ id, callSid: `CA-${id}`, startedAt, from: `+1555000${id.replace(/\D/g, '').padStart(4, '0')}` }));
    lines.forEach(([speaker, text, score], i) =>
      store.appendUtterance(
        finalLine({
          id: `${id}-l${i}`,
          callId: id,
          speaker,
          text,
          startMs: i * 4000,
          endMs: i * 4000 + 3000,
          sentiment: score === undefined ? null : { score, label: score < -0.05 ? 'negative' : score > 0.05 ? 'positive' : 'neutral' },
        }),
      ),
    );
    events.forEach(([type, atMs], i) => store.appendEvent(event({ id: `${id}-e${i}`, callId: id, type: type as never, atMs })));
    store.updateCall(id, { status: 'ended', endedAt: startedAt + durationMs, endReason: 'caller_hangup' });
  }

  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('switchboard-backtest-'));
    db = openDatabase(dbPath());
    store = createCallStore(db);
    storeCall('c1', 1, [['ai', 'Hello, how can I help?'], ['caller', "I'm going to get my lawyers on this", -0.6], ['ai', 'I understand.']]);
    storeCall('c2', 2, [['ai', 'Hello'], ['caller', 'I want to cancel my account', -0.2], ['caller', 'Cancel. My. Account!', -0.3]]);
    storeCall('c3', 3, [['ai', 'Hello'], ['caller', 'what a lovely day', 0.6]]);
    // Apostrophes and accents, tokenized as the index does.
    storeCall('c4', 4, [['caller', "It's the café's complaint form I can't find", -0.1]]);
    // The AI saying "lawyer" is not the caller saying it.
    storeCall('c5', 5, [['ai', 'You do not need a lawyer for this']]);
    // Too old for a 7-day backtest.
    storeCall('c6', 20, [['caller', 'my lawyer will call', -0.5]]);
    storeCall('c7', 1, [['caller', 'hi']], [['barge_in', 1000], ['barge_in', 5000], ['barge_in', 9000], ['fallback', 9500]], 11 * 60_000);
    // Lots of angry calls, to check the cap on listed places.
    for (let i = 0; i < 30; i++) {
      storeCall(`m${i}`, 6, [['caller', 'complaint one', -0.8], ['ai', 'sorry'], ['caller', 'complaint two', -0.8], ['caller', 'complaint three', -0.8], ['caller', 'complaint four', -0.9]]);
    }
  });
  afterAll(() => {
    db.close();
    cleanup();
  });

  const phrase = (phrases: string[], speaker: 'caller' | 'ai' | 'any' = 'caller', cooldownMs = 60_000): AlertRule => ({
    ...newAlertRule('phrase', 'p'),
    cooldownMs,
    params: { phrases, speaker },
  });

  it('finds the calls and lines a phrase rule would have fired on, stemmed, per speaker, within the days', () => {
    const result = backtestRule(db, phrase(['lawyer', 'cancel my account']), 7, NOW);
    expect(AlertBacktestResult.parse(result)).toEqual(result);
    expect(result.callsInRange).toBe(36);
    expect(result.matchedCalls).toBe(2);
    // c2 says it twice within the cooldown: one alert.
    expect(result.alerts).toBe(2);
    expect(result.matches.map((m) => [m.callId, m.lineId, m.speaker, m.text])).toEqual([
      ['c1', 'c1-l1', 'caller', "I'm going to get my lawyers on this"],
      ['c2', 'c2-l1', 'caller', 'I want to cancel my account'],
    ]);
    expect(result.matches[0]).toMatchObject({ caller: '+15550000001', atMs: 4000, callStartedAt: NOW - DAY });
    expect(result.truncated).toBe(false);

    // No cooldown: c2 fires on both lines (punctuation does not matter).
    expect(backtestRule(db, phrase(['cancel my account'], 'caller', 0), 7, NOW).alerts).toBe(2);
    // The AI's lawyer counts only for 'ai' / 'any'; the 20-day-old call only in a 30-day window.
    expect(backtestRule(db, phrase(['lawyer'], 'ai'), 7, NOW).matches.map((m) => m.callId)).toEqual(['c5']);
    expect(backtestRule(db, phrase(['lawyer'], 'any'), 7, NOW).matchedCalls).toBe(2);
    expect(backtestRule(db, phrase(['lawyer']), 30, NOW).matchedCalls).toBe(2);
    expect(backtestRule(db, phrase(['café']), 7, NOW).matches.map((m) => m.callId)).toEqual(['c4']);
    expect(backtestRule(db, phrase(['complaint form']), 7, NOW).matches.map((m) => m.callId)).toEqual(['c4']);
    expect(backtestRule(db, phrase(["can't find"]), 7, NOW).matches.map((m) => m.callId)).toEqual(['c4']);
  });

  it('replays sentiment, barge-ins, long calls and fallbacks; caps the listed places', () => {
    const sentiment: AlertRule = { ...newAlertRule('sentiment', 's'), cooldownMs: 0, params: { mode: 'below', threshold: -0.5, drop: 0.6, overLines: 2 } };
    const result = backtestRule(db, sentiment, 7, NOW);
    // Each of the 30 angry calls on its 2nd, 3rd and 4th caller line; c1's single line is too few.
    expect(result.matchedCalls).toBe(30);
    expect(result.alerts).toBe(90);
    expect(result.matches).toHaveLength(90);
    expect(result.truncated).toBe(false);
    // 4 complaints on each of 30 calls and one on c4, no cooldown: 121 places, the first 100 listed.
    const many = backtestRule(db, phrase(['complaint'], 'caller', 0), 7, NOW);
    expect(many).toMatchObject({ matchedCalls: 31, alerts: 121, truncated: true });
    expect(many.matches).toHaveLength(MAX_MATCHES);

    const bargeIns: AlertRule = { ...newAlertRule('barge_ins', 'b'), params: { count: 3, withinS: 10 } };
    expect(backtestRule(db, bargeIns, 7, NOW).matches).toEqual([
      expect.objectContaining({ callId: 'c7', atMs: 9000, lineId: null, text: 'The caller cut the AI off 3 times within 10 s.' }),
    ]);
    const longCall: AlertRule = { ...newAlertRule('long_call', 'l'), params: { afterMin: 10 } };
    expect(backtestRule(db, longCall, 7, NOW).matches.map((m) => [m.callId, m.atMs])).toEqual([['c7', 600_000]]);
    const trouble: AlertRule = { ...newAlertRule('provider_trouble', 't'), params: { fallbacks: true, errors: false } };
    expect(backtestRule(db, trouble, 7, NOW).matchedCalls).toBe(1);
  });

  it('caps the calls it replays and says how many it covered', () => {
    const sentiment: AlertRule = { ...newAlertRule('sentiment', 's'), cooldownMs: 0, params: { mode: 'below', threshold: -0.5, drop: 0.6, overLines: 2 } };
    const capped = backtestRule(db, sentiment, 7, NOW, { maxCalls: 10, maxMatches: 5 });
    // The 10 newest calls with a scored caller line: c1, c2, c3, c4 (1–4 days ago) and 6 of the angry ones.
    expect(capped).toMatchObject({ callsInRange: 36, matchedCalls: 6, alerts: 18, truncated: true });
    expect(capped.matches).toHaveLength(5);
    // Covered: every call in range from the 10th candidate on, newest first (c5 and c7 have no scored line).
    expect(capped.callsChecked).toBeGreaterThanOrEqual(10);
    expect(capped.callsChecked).toBeLessThan(36);
  });

  it('is never told about a calm store: no matches, and says how many calls it checked', () => {
    const rule: AlertRule = { ...newAlertRule('ai_loop', 'a'), params: { similarity: 0.8, times: 3, withinLines: 6 } };
    const result = backtestRule(db, rule, 7, NOW);
    expect(result).toMatchObject({ matchedCalls: 0, alerts: 0, matches: [], callsInRange: 36, callsChecked: 36 });
  });

  it('runs off the main thread through the worker, with the same answer', async () => {
    const rule = phrase(['lawyer', 'cancel my account']);
    const input = AlertBacktestInput.parse({ rule, days: 7 });
    const inWorker = await backtestOffThread(dbPath(), input.rule, input.days, NOW);
    const here = backtestRule(db, rule, 7, NOW);
    expect({ ...inWorker, tookMs: 0 }).toEqual({ ...here, tookMs: 0 });
  }, 60_000);
});
