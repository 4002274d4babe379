/** The console's alert logic without a browser: open alerts, validation messages, raise once. */
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../src/shared/domain';
import { DEFAULT_ALERT_RULES, newAlertRule } from '../../../src/shared/alerts';
import { openAlertsOf } from '../../../src/renderer/src/features/alerts/open-alerts';
import { problemsOf } from '../../../src/renderer/src/features/alerts/rule-problems';
import { raiseAlertOnce } from '../../../src/renderer/src/features/alerts/raise-alert';

const alertEvent = (id: string, severity: string, atMs: number, actions: string[] = ['banner']): CallEvent => ({
  id,
  callId: 'c1',
  type: 'alert',
  atMs,
  data: { ruleId: `r-${id}`, kind: 'phrase', severity, title: `Alert ${id}`, detail: 'Caller said “lawyer”.', utteranceId: null, actions },
});

describe('console alerts', () => {
  it('open alerts: the unacknowledged ones, most severe first, newest first within a severity', () => {
    const events: CallEvent[] = [
      alertEvent('a', 'warning', 1000),
      alertEvent('b', 'critical', 2000),
      alertEvent('c', 'warning', 3000),
      alertEvent('d', 'info', 4000),
      { id: 'x', callId: 'c1', type: 'alert_ack', atMs: 5000, data: { alertId: 'b' } },
    ];
    expect(openAlertsOf(events).map((a) => a.id)).toEqual(['c', 'a', 'd']);
    expect(openAlertsOf(events)[0]).toMatchObject({ severity: 'warning', title: 'Alert c', detail: 'Caller said “lawyer”.', actions: ['banner'] });
  });

  it("validation messages name the rule and field, in the schema's words", () => {
    expect(problemsOf([...DEFAULT_ALERT_RULES])).toEqual({});
    const phrase = { ...newAlertRule('phrase', 'p1'), name: '', params: { phrases: [], speaker: 'caller' as const } };
    const silence = { ...newAlertRule('silence', 's1'), cooldownMs: Number.NaN, params: { afterS: 2 } };
    const repeat = { ...newAlertRule('caller_repeat', 'r1'), params: { similarity: 0.8, times: 6, withinLines: 4 } };
    expect(problemsOf([phrase, silence, repeat])).toEqual({
      p1: { name: 'Give the rule a name', 'params.phrases': 'Add at least one phrase' },
      s1: { cooldownMs: 'Enter a number', 'params.afterS': 'At least 5 seconds' },
      r1: { 'params.times': 'Times cannot exceed the lines looked back over' },
    });
  });

  it('raises each alert once: a notification unless the agent is looking at the call, a chime when asked', () => {
    const log: string[] = [];
    const effects = { notify: (n: { title: string; body: string }) => log.push(`notify ${n.title} | ${n.body}`), play: (s: string) => log.push(`play ${s}`) };
    const call = { direction: 'inbound', from: '+15550104444', to: '+15550109999' } as never;
    const loud = alertEvent('n1', 'critical', 1, ['banner', 'notification', 'sound']);
    expect(raiseAlertOnce(loud, { call, lookingAtCall: false }, effects)).toEqual({ notified: true, played: true });
    expect(raiseAlertOnce(loud, { call, lookingAtCall: false }, effects)).toEqual({ notified: false, played: false });
    expect(raiseAlertOnce(alertEvent('n2', 'warning', 2, ['notification', 'sound']), { call, lookingAtCall: true }, effects)).toEqual({ notified: false, played: true });
    expect(raiseAlertOnce(alertEvent('n3', 'info', 3, ['banner']), { call, lookingAtCall: false }, effects)).toEqual({ notified: false, played: false });
    expect(log).toEqual([expect.stringMatching(/^notify Critical: Alert n1 \| .*4444: Caller said “lawyer”\.$/), 'play critical', 'play warning']);
  });
});
