/**
 * The live side: core events in, alerts raised through the port after the emit has returned,
 * one timer per call for silence and long calls, cleared when the call ends.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnyEvent } from '../../../src/shared/contract';
import type { AlertRaised, CallSummary } from '../../../src/shared/domain';
import { newAlertRule, type AlertRule } from '../../../src/shared/alerts';
import { LiveAlerts } from '../../../src/main/core/alerts/live-alerts';
import { silentLogger } from '../../../src/main/core/log';
import { call } from '../../support/call-summary';

const summary = (patch: Partial<CallSummary> = {}): CallSummary => call('call-1', 0, { callSid: 'CA1', from: '+15550001111', to: '+15550009999', ...patch });

describe('live alerts', () => {
  let clockMs: number;
  let live: boolean;
  let raised: { callId: string; alert: AlertRaised }[];
  let rules: AlertRule[];
  let alerts: LiveAlerts;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    clockMs = 0;
    live = true;
    raised = [];
    rules = [
      { ...newAlertRule('phrase', 'legal'), params: { phrases: ['lawyer'], speaker: 'caller' } },
      { ...newAlertRule('silence', 'quiet'), params: { afterS: 10 } },
    ];
    alerts = new LiveAlerts({
      rules: () => rules,
      calls: { clockMs: () => (live ? clockMs : null), raise: (callId, alert) => raised.push({ callId, alert }) },
      logger: silentLogger,
    });
  });
  afterEach(() => {
    alerts.close();
    vi.useRealTimers();
  });

  const line = (text: string, endMs: number, final = true): AnyEvent => ({
    name: 'call.transcript',
    payload: { id: `u${endMs}`, callId: 'call-1', speaker: 'caller', text, final, startMs: endMs - 500, endMs, sentiment: null, interrupted: false },
  });

  it('evaluates after the emit returns, never inside it', () => {
    alerts.onEvent({ name: 'call.updated', payload: summary() });
    alerts.onEvent(line('I will call my lawyer', 1000));
    expect(raised).toEqual([]);
    vi.runOnlyPendingTimers(); // the setImmediate
    expect(raised).toEqual([{ callId: 'call-1', alert: expect.objectContaining({ ruleId: 'legal', utteranceId: 'u1000' }) }]);
    // Interim lines never match a phrase; the alert event itself is not watched.
    alerts.onEvent(line('lawyer lawyer', 2000, false));
    alerts.onEvent({ name: 'call.event', payload: { id: 'a1', callId: 'call-1', type: 'alert', atMs: 2000, data: {} } });
    vi.runOnlyPendingTimers();
    expect(raised).toHaveLength(1);
  });

  it('times silence with one timer per call and forgets the call when it ends', () => {
    alerts.onEvent({ name: 'call.updated', payload: summary() });
    clockMs = 2000;
    alerts.onEvent(line('hello', 2000));
    vi.runOnlyPendingTimers();
    expect(vi.getTimerCount()).toBe(1); // the silence deadline at 12 s
    clockMs = 12_000;
    vi.advanceTimersByTime(10_000);
    vi.runOnlyPendingTimers();
    expect(raised.map((r) => r.alert.ruleId)).toEqual(['quiet']);

    // The AI speaking holds the silence timer off.
    alerts.onEvent({ name: 'call.updated', payload: summary({ aiActivity: 'speaking' }) });
    vi.runOnlyPendingTimers();
    expect(vi.getTimerCount()).toBe(0);

    clockMs = 13_000;
    alerts.onEvent({ name: 'call.updated', payload: summary({ aiActivity: 'listening' }) });
    vi.runOnlyPendingTimers();
    expect(vi.getTimerCount()).toBe(1);
    alerts.onEvent({ name: 'call.updated', payload: summary({ status: 'ended', state: 'ended', aiActivity: 'idle' }) });
    vi.runOnlyPendingTimers();
    expect(vi.getTimerCount()).toBe(0);
    expect(alerts.watching).toBe(0);
    // Late events of an ended call are ignored.
    live = false;
    alerts.onEvent(line('lawyer', 20_000));
    vi.runOnlyPendingTimers();
    expect(raised).toHaveLength(1);
  });

  it('applies saved rules to live calls at once', () => {
    alerts.onEvent({ name: 'call.updated', payload: summary() });
    alerts.setRules([{ ...newAlertRule('phrase', 'refunds'), params: { phrases: ['refund'], speaker: 'caller' } }]);
    alerts.onEvent(line('my lawyer wants a refund', 1000));
    vi.runOnlyPendingTimers();
    expect(raised.map((r) => r.alert.ruleId)).toEqual(['refunds']);
  });

  it('a port that throws (the call just ended) is logged, not thrown into the core', () => {
    alerts = new LiveAlerts({
      rules: () => rules,
      calls: {
        clockMs: () => 0,
        raise: () => {
          throw new Error('the call has ended');
        },
      },
      logger: silentLogger,
    });
    alerts.onEvent({ name: 'call.updated', payload: summary() });
    alerts.onEvent(line('lawyer', 1000));
    expect(() => vi.runOnlyPendingTimers()).not.toThrow();
  });
});
