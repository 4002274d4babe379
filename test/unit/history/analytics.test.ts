/**
 * Analytics (issue 7) on a real SQLite file written through the real call store: every
 * expected figure below is worked out by hand from the six calls in `seed()`.
 */
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { CallEvent, TurnMetrics, Utterance } from '@shared/domain';
import { Analytics, AnalyticsInput } from '@shared/history';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeAnalytics, MAX_ANALYTICS_BUCKETS } from '../../../src/main/core/history/analytics';
import { createHistory } from '../../../src/main/core/history/history';
import { createCallStore, type CallStore, type NewCall } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { makeTempDir } from '../store/helpers';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** CET: local = UTC + 1 h, so local midnight is 23:00 UTC the day before. */
const CET = 60;
/** Local midnight (CET) starting 2025-01-05, a Sunday; JAN[6] is Monday 6 January. */
const JAN = (day: number): number => Date.UTC(2025, 0, day) - HOUR;

/**
 * c1 inbound, Mon 6 Jan 00:30 local (still Sunday 5 Jan in UTC), 60 s, AI ended it; caller
 *    -0.5 then 0.5; intent billing; two AI turns (one offline, no LLM token).
 * c2 inbound, Sun 5 Jan 23:50 local, caller hung up after 5 s (abandoned), no lines.
 * c3 outbound, Mon 6 Jan 10:00 local, 120 s, taken over at 30 s; caller -0.6, -0.4; intent
 *    billing; an LLM fallback and an error; two AI turns (the second cut off before audio).
 * c4 inbound, Wed 8 Jan 12:00 local, 300 s, taken over at 90 s, caller hung up (not abandoned:
 *    300 s); caller 0.2; intent outage; a TTS fallback and a take-over request.
 * c5 inbound, Wed 8 Jan 13:00 local, still live, taken over at 10 s; caller -0.2; intent outage.
 * c6 inbound, Thu 9 Jan 00:00 local exactly, caller hung up after exactly 10 s (abandoned).
 * Tuesday 7 January has no calls.
 */
function seed(store: CallStore): void {
  let n = 0;
  const call = (id: string, overrides: Partial<NewCall>): void =>
    store.insertCall({
      id,
      callSid: `CA${String(++n).padStart(32, '0')}`,
      direction: 'inbound',
      from: '+15550100001',
      to: '+15550100999',
      status: 'ended',
      controller: 'ai',
      startedAt: 0,
      endedAt: null,
      scenario: null,
      endReason: null,
      ...overrides,
    });
  const line = (callId: string, id: string, text: string, score: number | null, extra: Partial<Utterance> = {}): void =>
    store.appendUtterance({
      id,
      callId,
      speaker: score === null ? 'ai' : 'caller',
      text,
      final: true,
      startMs: 0,
      endMs: 1000,
      sentiment: score === null ? null : { score, label: score <= -0.1 ? 'negative' : score >= 0.1 ? 'positive' : 'neutral' },
      interrupted: false,
      ...extra,
    });
  const event = (callId: string, id: string, type: CallEvent['type'], atMs: number, data: Record<string, unknown> = {}): void =>
    store.appendEvent({ id, callId, type, atMs, data });
  const turn = (callId: string, turnId: string, t: [number, number, number | null, number | null, number | null]): void => {
    const metrics: TurnMetrics = {
      callId,
      turnId,
      speechEndAtMs: t[0],
      sttFinalAtMs: t[1],
      llmFirstTokenAtMs: t[2],
      ttsFirstByteAtMs: t[3],
      firstAudioAtMs: t[4],
      sttLabel: 'Deepgram Nova-3',
      llmLabel: t[2] === null ? 'intent + knowledge base (offline)' : 'Gemini 2.5 Flash',
      ttsLabel: 'Deepgram Aura-2',
    };
    store.appendTurnMetrics(metrics);
  };

  const c1 = JAN(6) + 30 * MIN;
  call('c1', { startedAt: c1, endedAt: c1 + 60_000, endReason: 'ai_ended' });
  line('c1', 'c1-1', 'I was charged twice this month', -0.5, { intent: 'billing_double_charge' });
  line('c1', 'c1-2', 'Sorry about that, let me look', null);
  line('c1', 'c1-3', 'lovely, thank you', 0.5);
  turn('c1', 'c1-2', [1000, 1200, 1700, 1800, 1810]);
  turn('c1', 'c1-4', [5000, 5300, null, 5400, 5420]);

  const c2 = JAN(5) + 23 * HOUR + 50 * MIN;
  call('c2', { startedAt: c2, endedAt: c2 + 5_000, endReason: 'caller_hangup' });

  const c3 = JAN(6) + 10 * HOUR;
  call('c3', { direction: 'outbound', startedAt: c3, endedAt: c3 + 120_000, endReason: 'agent_ended', controller: 'agent' });
  line('c3', 'c3-1', 'you took the payment two times', -0.6, { intent: 'billing_double_charge' });
  line('c3', 'c3-2', 'this is ridiculous', -0.4, { intent: 'complaint' }); // not the call's first intent
  turn('c3', 'c3-t1', [2000, 2100, 2900, 3100, 3130]);
  turn('c3', 'c3-t2', [8000, 8400, 8800, 8900, null]);
  event('c3', 'c3-e1', 'fallback', 2600, { role: 'llm', standIn: 'offline', reason: 'timeout', partial: false });
  event('c3', 'c3-e2', 'takeover', 30_000, { via: 'console' });
  event('c3', 'c3-e3', 'error', 40_000, { stage: 'stt', message: 'socket closed' });

  const c4 = JAN(8) + 12 * HOUR;
  call('c4', { startedAt: c4, endedAt: c4 + 300_000, endReason: 'caller_hangup', controller: 'agent' });
  line('c4', 'c4-1', 'is there an outage, I am waiting for a refund', 0.2, { intent: 'outage' });
  event('c4', 'c4-e1', 'fallback', 5_000, { role: 'tts', standIn: 'flite', reason: 'network', partial: true });
  event('c4', 'c4-e2', 'takeover_requested', 80_000, { reason: 'caller asked for a person' });
  event('c4', 'c4-e3', 'takeover', 90_000, { via: 'softphone' });
  event('c4', 'c4-e4', 'takeover', 150_000, { via: 'console' }); // a second take-over: the first counts

  const c5 = JAN(8) + 13 * HOUR;
  call('c5', { startedAt: c5, status: 'active', controller: 'agent' });
  line('c5', 'c5-1', 'my internet is down again', -0.2, { intent: 'outage' });
  event('c5', 'c5-e1', 'takeover', 10_000, { via: 'console' });

  const c6 = JAN(9);
  call('c6', { startedAt: c6, endedAt: c6 + 10_000, endReason: 'caller_hangup' });
}

const RANGE = { from: JAN(5), to: JAN(10) };

describe('analytics', () => {
  let cleanup: () => void;
  let db: Database;
  let store: CallStore;

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir('switchboard-analytics-'));
    db = openDatabase(join(dir, 'calls.db'));
    store = createCallStore(db);
  });
  afterEach(() => {
    if (db.open) db.close();
    cleanup();
  });

  /** Parses the input as the dispatcher does, and the output with the contract (no NaN, ranges). */
  function analytics(input: unknown): Analytics {
    return Analytics.parse(computeAnalytics(db, AnalyticsInput.parse(input)));
  }

  it('totals: volume, handle time avg/p90, containment, take-over, abandonment, sentiment, incidents', () => {
    seed(store);
    const { totals } = analytics({ filter: RANGE, groupBy: 'day', utcOffsetMin: CET });
    expect(totals).toMatchObject({
      calls: 6,
      inbound: 5,
      outbound: 1,
      // Ended calls: 5, 10, 60, 120, 300 s (c5 is live).
      avgHandleS: 99,
      // percentile_cont: rank 0.9 * 4 = 3.6 -> 120 + 0.6 * (300 - 120).
      p90HandleS: 228,
      // Taken over and ended: c3, c4 (c5 is live).
      takeoverRate: 0.4,
      containmentRate: 0.6,
      // First take-overs of c3 and c4: 30 s and 90 s.
      avgTimeToTakeoverS: 60,
      // c2 (5 s) and c6 (exactly 10 s); c4 hung up after 300 s.
      abandoned: 2,
      abandonmentRate: 0.4,
      fallbacks: 2,
      errors: 1,
    });
    // Scored calls c1, c3, c4, c5: first -0.5 -0.6 0.2 -0.2, last 0.5 -0.4 0.2 -0.2.
    expect(totals.sentimentStartAvg).toBeCloseTo(-0.275, 10);
    expect(totals.sentimentEndAvg).toBeCloseTo(0.025, 10);
    // Mean caller sentiment: c1 0, c3 -0.5, c4 0.2, c5 -0.2 -> c3 and c5 are negative.
    expect(totals.negativeShare).toBe(0.5);
  });

  it('an outbound call nobody answered counts in volume, never in handle time or containment', () => {
    seed(store);
    const before = analytics({ filter: RANGE, groupBy: 'day', utcOffsetMin: CET }).totals;
    const t = JAN(7) + 9 * HOUR;
    store.insertCall({
      id: 'c7', callSid: 'CA7', direction: 'outbound', from: '+15550100999', to: '+15550100002', status: 'ended',
      controller: 'ai', startedAt: t, endedAt: t + 25_000, scenario: null, endReason: 'no-answer',
    });
    const after = analytics({ filter: RANGE, groupBy: 'day', utcOffsetMin: CET }).totals;
    expect(after).toMatchObject({ calls: 7, outbound: 2 });
    expect({ ...after, calls: 6, outbound: 1 }).toEqual(before);
  });

  it('buckets: one per local day, empty days included, local-midnight boundaries', () => {
    seed(store);
    const { buckets, groupBy } = analytics({ filter: RANGE, groupBy: 'day', utcOffsetMin: CET });
    expect(groupBy).toBe('day');
    expect(buckets.map((b) => b.startAt)).toEqual([JAN(5), JAN(6), JAN(7), JAN(8), JAN(9)]);
    const [sun, mon, tue, wed, thu] = buckets;
    // c2 started 23:50 local Sunday; c1 started 23:30 UTC Sunday, which is Monday in CET.
    expect(sun).toEqual({
      startAt: JAN(5),
      inbound: 1,
      outbound: 0,
      avgHandleS: 5,
      p90HandleS: 5,
      takenOver: 0,
      abandoned: 1,
      sentimentStartAvg: null,
      sentimentEndAvg: null,
    });
    expect(mon).toMatchObject({ inbound: 1, outbound: 1, avgHandleS: 90, p90HandleS: 114, takenOver: 1, abandoned: 0 });
    expect(mon!.sentimentStartAvg).toBeCloseTo(-0.55, 10);
    expect(mon!.sentimentEndAvg).toBeCloseTo(0.05, 10);
    expect(tue).toEqual({
      startAt: JAN(7),
      inbound: 0,
      outbound: 0,
      avgHandleS: null,
      p90HandleS: null,
      takenOver: 0,
      abandoned: 0,
      sentimentStartAvg: null,
      sentimentEndAvg: null,
    });
    // c5 is live: counted in the volume, not in handle time or take-overs.
    expect(wed).toMatchObject({ inbound: 2, outbound: 0, avgHandleS: 300, p90HandleS: 300, takenOver: 1, abandoned: 0 });
    expect(wed!.sentimentStartAvg).toBeCloseTo(0, 10);
    // c6 started at local midnight exactly: Thursday, not Wednesday.
    expect(thu).toMatchObject({ inbound: 1, avgHandleS: 10, abandoned: 1 });
  });

  it('the same calls in UTC fall on other days', () => {
    seed(store);
    const { buckets } = analytics({ filter: { from: Date.UTC(2025, 0, 5), to: Date.UTC(2025, 0, 10) }, groupBy: 'day', utcOffsetMin: 0 });
    // UTC: c2 and c1 on Sunday, c3 Monday, c4 c5 Wednesday, c6 (23:00 UTC) Wednesday too.
    expect(buckets.map((b) => b.inbound + b.outbound)).toEqual([2, 1, 0, 3, 0]);
    expect(buckets[0]!.startAt).toBe(Date.UTC(2025, 0, 5));
  });

  it('west of UTC: local midnight is after UTC midnight', () => {
    seed(store);
    // UTC-5: c6 (23:00 UTC Wed) is 18:00 Wednesday local; c1 (23:30 UTC Sun) 18:30 Sunday.
    const { buckets } = analytics({ filter: {}, groupBy: 'day', utcOffsetMin: -300 });
    const local = (y: number, m: number, d: number): number => Date.UTC(y, m, d) + 5 * HOUR;
    expect(buckets.map((b) => b.startAt)).toEqual([local(2025, 0, 5), local(2025, 0, 6), local(2025, 0, 7), local(2025, 0, 8)]);
    expect(buckets.map((b) => b.inbound + b.outbound)).toEqual([2, 1, 0, 3]);
  });

  it('weeks start on local Monday midnight', () => {
    seed(store);
    const { buckets } = analytics({ filter: RANGE, groupBy: 'week', utcOffsetMin: CET });
    // Sunday 5 Jan belongs to the week of Monday 30 December; the rest to the week of 6 January.
    expect(buckets.map((b) => b.startAt)).toEqual([Date.UTC(2024, 11, 30) - HOUR, JAN(6)]);
    expect(buckets.map((b) => b.inbound + b.outbound)).toEqual([1, 5]);
    expect(buckets[1]).toMatchObject({ takenOver: 2, abandoned: 1, avgHandleS: (60 + 120 + 300 + 10) / 4 });
  });

  it('hours start on the local hour, also for offsets that are not whole hours', () => {
    seed(store);
    const ist = 330; // UTC+5:30
    const from = Date.UTC(2025, 0, 8, 11, 30); // 17:00 local
    const { buckets } = analytics({ filter: { from, to: from + 3 * HOUR }, groupBy: 'hour', utcOffsetMin: ist });
    // c4 at 11:00 UTC (16:30 local) is before the range; c5 at 12:00 UTC = 17:30 local.
    expect(buckets.map((b) => b.startAt)).toEqual([from, from + HOUR, from + 2 * HOUR]);
    expect(buckets.map((b) => b.inbound)).toEqual([1, 0, 0]);
  });

  it('an open range runs from the first to the last matching call', () => {
    seed(store);
    const open = analytics({ filter: {}, groupBy: 'day', utcOffsetMin: CET });
    const closed = analytics({ filter: RANGE, groupBy: 'day', utcOffsetMin: CET });
    expect(open).toEqual(closed);
    // Only `from`: the range ends at the last matching call's day.
    const fromOnly = analytics({ filter: { from: JAN(3) }, groupBy: 'day', utcOffsetMin: CET });
    expect(fromOnly.buckets.map((b) => b.startAt)).toEqual([JAN(3), JAN(4), JAN(5), JAN(6), JAN(7), JAN(8), JAN(9)]);
    // Only `to`: it starts at the first matching call's day and runs to the day before `to`.
    const toOnly = analytics({ filter: { to: JAN(8) }, groupBy: 'day', utcOffsetMin: CET });
    expect(toOnly.buckets.map((b) => b.startAt)).toEqual([JAN(5), JAN(6), JAN(7)]);
    expect(toOnly.totals.calls).toBe(3);
  });

  it('top intents: the first substantive intent of each call, most calls first', () => {
    seed(store);
    const { intents } = analytics({ filter: RANGE, utcOffsetMin: CET });
    // c3's second line says "complaint", but a call's intent is its first.
    expect(intents).toEqual([
      { intent: 'billing_double_charge', calls: 2 },
      { intent: 'outage', calls: 2 },
    ]);
  });

  it('incidents: fallbacks by role, and errors', () => {
    seed(store);
    const { incidents } = analytics({ filter: RANGE, utcOffsetMin: CET });
    expect(incidents).toEqual([
      { kind: 'error', count: 1 },
      { kind: 'fallback:llm', count: 1 },
      { kind: 'fallback:tts', count: 1 },
    ]);
  });

  it('latency p50/p95 per stage from the turn metrics; tts after an offline reply counts from the STT final', () => {
    seed(store);
    const { latency } = analytics({ filter: RANGE, utcOffsetMin: CET });
    // stt 200 300 100 400; llm 500 800 400 (none for the offline reply); tts 100 100 200 100;
    // send 10 20 30 (none for the cut-off turn); voice-to-voice 810 420 1130.
    expect(latency).toEqual([
      { stage: 'stt', turns: 4, p50Ms: 250, p95Ms: 385 },
      { stage: 'llm', turns: 3, p50Ms: 500, p95Ms: 770 },
      { stage: 'tts', turns: 4, p50Ms: 100, p95Ms: 185 },
      { stage: 'send', turns: 3, p50Ms: 20, p95Ms: 29 },
      { stage: 'voiceToVoice', turns: 3, p50Ms: 810, p95Ms: 1098 },
    ]);
  });

  it('applies the filter to every figure: direction', () => {
    seed(store);
    const result = analytics({ filter: { ...RANGE, direction: 'outbound' }, utcOffsetMin: CET });
    expect(result.totals).toMatchObject({ calls: 1, inbound: 0, outbound: 1, avgHandleS: 120, takeoverRate: 1, containmentRate: 0, fallbacks: 1, errors: 1 });
    expect(result.buckets.map((b) => b.outbound)).toEqual([0, 1, 0, 0, 0]);
    expect(result.intents).toEqual([{ intent: 'billing_double_charge', calls: 1 }]);
    expect(result.incidents).toEqual([
      { kind: 'error', count: 1 },
      { kind: 'fallback:llm', count: 1 },
    ]);
    expect(result.latency.find((l) => l.stage === 'stt')).toEqual({ stage: 'stt', turns: 2, p50Ms: 250, p95Ms: 385 });
  });

  it('applies the filter to every figure: taken over or not', () => {
    seed(store);
    const taken = analytics({ filter: { ...RANGE, takenOver: true }, utcOffsetMin: CET });
    expect(taken.totals).toMatchObject({ calls: 3, takeoverRate: 1, avgTimeToTakeoverS: 60, fallbacks: 2, errors: 1 });
    expect(taken.intents).toEqual([
      { intent: 'outage', calls: 2 },
      { intent: 'billing_double_charge', calls: 1 },
    ]);
    const contained = analytics({ filter: { ...RANGE, takenOver: false }, utcOffsetMin: CET });
    expect(contained.totals).toMatchObject({ calls: 3, containmentRate: 1, takeoverRate: 0, avgTimeToTakeoverS: null, abandoned: 2, fallbacks: 0 });
    expect(contained.latency.find((l) => l.stage === 'llm')).toEqual({ stage: 'llm', turns: 1, p50Ms: 500, p95Ms: 500 });
  });

  it('applies the filter to every figure: full-text search (stemmed)', () => {
    seed(store);
    // "charge" finds c1's "charged"; "refunds" finds c4's "refund".
    const charged = analytics({ filter: { ...RANGE, search: 'charge' }, utcOffsetMin: CET });
    expect(charged.totals).toMatchObject({ calls: 1, inbound: 1, avgHandleS: 60, fallbacks: 0 });
    expect(charged.buckets.map((b) => b.inbound)).toEqual([0, 1, 0, 0, 0]);
    const refund = analytics({ filter: { ...RANGE, search: 'refunds' }, utcOffsetMin: CET });
    expect(refund.totals).toMatchObject({ calls: 1, takeoverRate: 1, fallbacks: 1 });
    expect(refund.incidents).toEqual([{ kind: 'fallback:tts', count: 1 }]);
    expect(() => analytics({ filter: { search: '"*"' } })).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  it('counts exactly the calls History lists for the same filter', () => {
    seed(store);
    const history = createHistory(db);
    const filters = [
      {},
      RANGE,
      { direction: 'inbound' as const },
      { takenOver: false },
      { endReasons: ['caller_hangup', 'agent_ended'] },
      { minDurationS: 10, maxDurationS: 120 },
      { endedNegative: true },
      { sentimentBelow: 0.1 },
      { hasAlerts: true },
      { numberContains: '0100 001' },
      { search: 'charged' },
      { ...RANGE, search: 'my', direction: 'inbound' as const },
    ];
    for (const filter of filters) {
      const { totals, buckets } = analytics({ filter, utcOffsetMin: CET });
      expect(totals.calls, JSON.stringify(filter)).toBe(history.countCalls(filter));
      expect(buckets.reduce((sum, b) => sum + b.inbound + b.outbound, 0)).toBe(totals.calls);
    }
  });

  it('abandonWithinS moves the abandonment threshold', () => {
    seed(store);
    expect(analytics({ filter: RANGE, utcOffsetMin: CET, abandonWithinS: 9 }).totals).toMatchObject({ abandoned: 1, abandonmentRate: 0.2 });
    expect(analytics({ filter: RANGE, utcOffsetMin: CET, abandonWithinS: 4 }).totals).toMatchObject({ abandoned: 0, abandonmentRate: 0 });
  });

  it('an empty store: zeros and nulls, never NaN; a closed range still lists its empty buckets', () => {
    const open = analytics({});
    expect(open).toEqual({
      groupBy: 'day',
      totals: {
        calls: 0,
        inbound: 0,
        outbound: 0,
        avgHandleS: null,
        p90HandleS: null,
        containmentRate: null,
        takeoverRate: null,
        avgTimeToTakeoverS: null,
        abandoned: 0,
        abandonmentRate: null,
        sentimentStartAvg: null,
        sentimentEndAvg: null,
        negativeShare: null,
        fallbacks: 0,
        errors: 0,
      },
      buckets: [],
      intents: [],
      incidents: [],
      dispositions: [],
      latency: ['stt', 'llm', 'tts', 'send', 'voiceToVoice'].map((stage) => ({ stage, turns: 0, p50Ms: null, p95Ms: null })),
    });
    const closed = analytics({ filter: { from: Date.UTC(2025, 0, 6), to: Date.UTC(2025, 0, 6, 5) }, groupBy: 'hour' });
    expect(closed.buckets).toHaveLength(5);
    expect(closed.buckets.every((b) => b.inbound === 0 && b.avgHandleS === null)).toBe(true);
  });

  it('a filter matching nothing in a seeded store behaves like an empty store', () => {
    seed(store);
    const none = analytics({ filter: { search: 'zebra' } });
    expect(none.totals.calls).toBe(0);
    expect(none.totals.negativeShare).toBeNull();
    expect(none.buckets).toEqual([]);
  });

  it('refuses more buckets than it can chart, with a bad_request and a clear message', () => {
    const from = Date.UTC(2025, 0, 1);
    // Hour grouping covers 33 days (800 hours); 34 days is refused before any query runs.
    expect(() => analytics({ filter: { from, to: from + 34 * DAY }, groupBy: 'hour' })).toThrow(
      expect.objectContaining({ code: 'bad_request', message: expect.stringMatching(/^Grouping by hour covers at most 33 days/) }),
    );
    expect(analytics({ filter: { from, to: from + MAX_ANALYTICS_BUCKETS * HOUR }, groupBy: 'hour' }).buckets).toHaveLength(MAX_ANALYTICS_BUCKETS);
    // An open range is measured on the matching calls themselves.
    seed(store);
    store.insertCall({
      id: 'old',
      callSid: 'CA0000000000000000000000000000old',
      direction: 'inbound',
      from: '+15550100001',
      to: '+15550100999',
      status: 'ended',
      controller: 'ai',
      startedAt: JAN(5) - 40 * DAY,
      endedAt: JAN(5) - 40 * DAY + 1000,
      scenario: null,
      endReason: 'ai_ended',
    });
    expect(() => analytics({ groupBy: 'hour' })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(analytics({ groupBy: 'day' }).buckets).toHaveLength(45);
    // Narrowed by the filter, the same open range fits.
    expect(analytics({ filter: { direction: 'outbound' }, groupBy: 'hour' }).buckets).toHaveLength(1);
  });
});
