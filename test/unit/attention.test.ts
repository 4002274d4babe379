import { describe, expect, it } from 'vitest';
import type { CallEvent, CallSummary } from '../../src/shared/domain';
import { AttentionRank, attentionCounts, attentionRank, needsAttention, orderLiveCalls } from '../../src/shared/attention';
import { call, T0 } from '../support/call-summary';
import { takeoverRequestFor } from '../../src/renderer/src/features/calls/store';

const alert = (severity: 'info' | 'warning' | 'critical') => ({ id: `a-${severity}`, ruleId: 'r', severity, title: 't', atMs: 1 });
const ids = (list: CallSummary[]) => list.map((c) => c.id);

describe('which live call needs the agent first', () => {
  it('ranks waiting for a person, then critical and warning alerts, then paused, then the rest', () => {
    expect(attentionRank(call('a', T0, { waitingSince: T0 + 5 }))).toBe(AttentionRank.waiting);
    expect(attentionRank(call('a', T0, { alert: alert('critical'), openAlerts: 1 }))).toBe(AttentionRank.critical);
    expect(attentionRank(call('a', T0, { alert: alert('warning'), openAlerts: 1 }))).toBe(AttentionRank.warning);
    expect(attentionRank(call('a', T0, { alert: alert('info'), openAlerts: 1 }))).toBe(AttentionRank.rest);
    expect(attentionRank(call('a', T0, { state: 'ai_paused', aiActivity: 'paused' }))).toBe(AttentionRank.paused);
    expect(attentionRank(call('a', T0))).toBe(AttentionRank.rest);
    // A request known only from its event counts as waiting; once the agent has the call it does not.
    expect(attentionRank(call('a', T0), true)).toBe(AttentionRank.waiting);
    expect(attentionRank(call('a', T0, { controller: 'agent', state: 'agent', waitingSince: T0 }), true)).toBe(AttentionRank.rest);
  });

  it('orders groups by urgency and, inside a group, the newest call first', () => {
    const list = [
      call('rest-old', T0),
      call('paused', T0 + 10, { state: 'ai_paused' }),
      call('warning', T0 + 20, { alert: alert('warning'), openAlerts: 2 }),
      call('rest-new', T0 + 30),
      call('critical', T0 + 40, { alert: alert('critical'), openAlerts: 1 }),
      call('waiting-late', T0 + 50, { waitingSince: T0 + 900 }),
      call('waiting-early', T0 + 60, { waitingSince: T0 + 100 }),
      call('agent', T0 + 70, { controller: 'agent', state: 'agent', aiActivity: 'detached' }),
    ];
    expect(ids(orderLiveCalls(list))).toEqual([
      'waiting-early', // has waited longest
      'waiting-late',
      'critical',
      'warning',
      'paused',
      'agent',
      'rest-new',
      'rest-old',
    ]);
  });

  it('is stable: ticking fields never move a row, and input order never matters', () => {
    const a = call('a', T0, { sentimentTrend: [0.2] });
    const b = call('b', T0, { sentimentTrend: [-0.3] }); // same start: the id decides
    const c = call('c', T0 + 5);
    const first = ids(orderLiveCalls([a, b, c]));
    expect(first).toEqual(['c', 'a', 'b']);
    // The AI starts speaking, sentiment drops, lines arrive: same order, from any input order.
    const updated = [
      { ...c, aiActivity: 'speaking' as const, utteranceCount: 9 },
      { ...b, callerSentiment: -0.9, sentimentTrend: [-0.3, -0.9] },
      { ...a, aiActivity: 'thinking' as const },
    ];
    expect(ids(orderLiveCalls(updated))).toEqual(first);
    expect(ids(orderLiveCalls([...updated].reverse()))).toEqual(first);
  });

  it('takes waiting calls from a record of open requests too', () => {
    const list = [call('x', T0 + 10), call('y', T0)];
    expect(ids(orderLiveCalls(list, { y: {} }))).toEqual(['y', 'x']);
    expect(ids(orderLiveCalls(list, new Set(['y'])))).toEqual(['y', 'x']);
  });
});

describe('the open request for a person', () => {
  const ev = (id: string, type: CallEvent['type'], atMs: number, data: Record<string, unknown> = {}): CallEvent => ({
    id,
    callId: 'c',
    type,
    atMs,
    data,
  });

  it('uses the summary’s waitingSince for the wait and the event for the reason', () => {
    const events = [ev('1', 'takeover_requested', 4000, { reason: 'Caller wants a manager' })];
    expect(takeoverRequestFor(call('c', T0, { waitingSince: T0 + 4200 }), events)).toEqual({
      eventId: '1',
      reason: 'Caller wants a manager',
      atMs: 4200,
      since: T0 + 4200,
    });
    // A core that does not set waitingSince: the event alone opens it, timed from the request.
    expect(takeoverRequestFor(call('c', T0), events)).toEqual({ eventId: '1', reason: 'Caller wants a manager', atMs: 4000, since: T0 + 4000 });
    // The summary alone (the event not seen by this console).
    expect(takeoverRequestFor(call('c', T0, { waitingSince: T0 + 9000 }), [])).toMatchObject({ eventId: null, reason: '', since: T0 + 9000 });
  });

  it('closes when the caller carries on with the AI, someone takes over, or the call ends', () => {
    const asked = [ev('1', 'takeover_requested', 4000)];
    expect(takeoverRequestFor(call('c', T0), [...asked, ev('2', 'takeover_withdrawn', 5000)])).toBeNull();
    expect(takeoverRequestFor(call('c', T0, { controller: 'agent', state: 'agent' }), asked)).toBeNull();
    expect(takeoverRequestFor(call('c', T0, { status: 'ended', state: 'ended' }), asked)).toBeNull();
  });
});

describe('which calls need the agent (the tray counts them; N visits them)', () => {
  it('waiting for a person, a critical or warning alert, or the AI paused; never an ended call', () => {
    expect(needsAttention(call('a', T0, { waitingSince: T0 }))).toBe(true);
    expect(needsAttention(call('a', T0, { alert: alert('critical'), openAlerts: 1 }))).toBe(true);
    expect(needsAttention(call('a', T0, { alert: alert('warning'), openAlerts: 1 }))).toBe(true);
    expect(needsAttention(call('a', T0, { state: 'ai_paused', aiActivity: 'paused' }))).toBe(true);
    expect(needsAttention(call('a', T0, { alert: alert('info'), openAlerts: 1 }))).toBe(false);
    expect(needsAttention(call('a', T0))).toBe(false);
    expect(needsAttention(call('a', T0, { status: 'ended', endedAt: T0 + 1, waitingSince: T0 }))).toBe(false);
    // The agent took it: nobody waits any more.
    expect(needsAttention(call('a', T0, { controller: 'agent', state: 'agent', waitingSince: T0 }))).toBe(false);
  });

  it('counts live calls and those needing the agent', () => {
    const calls = [
      call('a', T0, { waitingSince: T0 }),
      call('b', T0),
      call('c', T0, { alert: alert('critical'), openAlerts: 1 }),
      call('d', T0, { status: 'ended', endedAt: T0 + 1 }),
    ];
    expect(attentionCounts(calls)).toEqual({ live: 3, attention: 2 });
    expect(attentionCounts([])).toEqual({ live: 0, attention: 0 });
  });
});
