/**
 * Alert rules on a real call: a simulated caller dials the real media bridge and speaks
 * (flite, real time), the offline engines hear and answer, and the core's alert listener runs
 * the saved rules. A phrase rule and a sentiment rule fire on the scripted call, each once;
 * the alerts are 'alert' events on the timeline, stored with the call, counted in History's
 * alert count, and the agent acknowledges one. A calm call raises nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES, type AlertRule } from '../../src/shared/alerts';
import type { CallEvent } from '../../src/shared/domain';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const RULES: AlertRule[] = [
  {
    id: 'legal',
    name: 'Complaint or legal words',
    kind: 'phrase',
    enabled: true,
    severity: 'critical',
    cooldownMs: 120_000,
    actions: ['banner', 'notification', 'sound'],
    params: { phrases: ['complaint', 'lawyer'], speaker: 'caller' },
  },
  {
    id: 'upset',
    name: 'Caller upset',
    kind: 'sentiment',
    enabled: true,
    severity: 'warning',
    cooldownMs: 120_000,
    actions: ['banner'],
    params: { mode: 'below', threshold: -0.2, drop: 0.6, overLines: 2 },
  },
];

function scenario(id: string, lines: string[]): CallerScenario {
  return {
    id,
    title: id,
    description: '',
    from: '+15550104444',
    to: '+15550109999',
    voice: 'rms',
    turns: lines.map((say) => ({ say, pauseMs: 500 })),
    afterLastTurn: 'stay',
  };
}

describe('alert rules on a live call through the media bridge', () => {
  let harness: CoreHarness;
  afterAll(() => harness?.core.close());

  const callEvents = (callId: string, type: CallEvent['type']) =>
    harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === type ? [e.payload] : []));

  async function runCall(lines: string[], callerLines: number) {
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      scenario: scenario(`alerts-${lines.length}`, lines),
      voice: createFliteTts({ voice: 'rms' }),
      replyTimeoutMs: 20_000,
    });
    await caller.start();
    await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'call to appear');
    const callId = harness.callIdFor(caller.callSid)!;
    await until(() => harness.finals(callId).filter((u) => u.speaker === 'caller').length >= callerLines, 90_000, `${callerLines} caller lines`);
    return { caller, callId };
  }

  it('fires the phrase and sentiment rules once each, stores them, counts them and takes an acknowledgement', async () => {
    harness = await startHarness();
    await harness.call('alerts.saveRules', { rules: RULES });
    expect((await harness.call('alerts.rules')).map((r) => r.id)).toEqual(['legal', 'upset']);

    const { caller, callId } = await runCall(['I want to make a complaint.', 'This is ridiculous.', 'This is unacceptable.'], 3);
    // Evaluation runs after the emit: give the last line's rules their turn.
    await until(() => callEvents(callId, 'alert').length >= 2, 5000, 'two alerts');
    await new Promise((r) => setTimeout(r, 500));

    const heard = harness.finals(callId).filter((u) => u.speaker === 'caller');
    console.log(`caller lines heard: ${heard.map((u) => `${u.text} (${u.sentiment?.score})`).join(' | ')}`);
    const alerts = callEvents(callId, 'alert');
    // Once each, however many lines matched after the first (cooldown).
    expect(alerts.map((a) => a.data['ruleId']).sort()).toEqual(['legal', 'upset']);
    const legal = alerts.find((a) => a.data['ruleId'] === 'legal')!;
    expect(legal.data).toMatchObject({ kind: 'phrase', severity: 'critical', title: 'Complaint or legal words', actions: ['banner', 'notification', 'sound'] });
    expect(legal.data['detail']).toBe('Caller said “complaint”.');
    expect(heard.find((u) => u.id === legal.data['utteranceId'])?.text).toMatch(/complaint/);
    const upset = alerts.find((a) => a.data['ruleId'] === 'upset')!;
    expect(upset.data['detail']).toMatch(/^Caller sentiment (very negative|negative) \(-\d\.\d\d\) over the last 2 lines/);

    // The live row: the most severe open alert, and how many are open.
    const before = harness.latest(callId)!;
    expect(before.openAlerts).toBe(2);
    expect(before.alert).toMatchObject({ id: legal.id, severity: 'critical', ruleId: 'legal' });

    // The agent acknowledges the critical one: stored as alert_ack, the badge moves on.
    const after = await harness.call('call.ackAlert', { callId, alertId: legal.id });
    expect(after.openAlerts).toBe(1);
    expect(after.alert).toMatchObject({ id: upset.id, severity: 'warning' });
    expect(callEvents(callId, 'alert_ack').map((e) => e.data['alertId'])).toEqual([legal.id]);

    // Taking the call answers the alerts still open: nothing is left to acknowledge.
    const taken = await harness.call('call.takeOver', { callId });
    expect(taken).toMatchObject({ openAlerts: 0, alert: null });
    expect(callEvents(callId, 'alert_ack').map((e) => [e.data['alertId'], e.data['by'] ?? null])).toEqual([
      [legal.id, null],
      [upset.id, 'takeover'],
    ]);

    await harness.call('call.end', { callId });
    caller.hangUp();

    // Stored with the call (the timeline a reload shows) and counted in History.
    const stored = await harness.call('calls.get', { callId });
    expect(stored.events.filter((e) => e.type === 'alert').map((e) => e.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(stored.events.filter((e) => e.type === 'alert_ack')).toHaveLength(2);
    const page = await harness.call('history.page', { filter: { hasAlerts: true }, limit: 10 });
    expect(page.calls.map((c) => [c.id, c.alertCount])).toEqual([[callId, 2]]);

    // The same rule tried on the stored calls finds this call and line.
    const backtest = await harness.call('alerts.backtest', { rule: RULES[0]!, days: 1 });
    expect(backtest).toMatchObject({ matchedCalls: 1, alerts: 1 });
    expect(backtest.matches[0]).toMatchObject({ callId, lineId: legal.data['utteranceId'], caller: '+15550104444' });
  }, 180_000);

  it('raises nothing on a calm call, with the shipped rules on too', async () => {
    await harness.call('alerts.saveRules', { rules: [...DEFAULT_ALERT_RULES, ...RULES] });
    const { caller, callId } = await runCall(['Hello, I would like to check my bill please.', 'Thank you very much.'], 2);
    await new Promise((r) => setTimeout(r, 1000));
    await harness.call('call.end', { callId });
    caller.hangUp();
    expect(callEvents(callId, 'alert')).toEqual([]);
    const page = await harness.call('history.page', { filter: { hasAlerts: false }, limit: 10 });
    expect(page.calls.find((c) => c.id === callId)?.alertCount).toBe(0);
  }, 180_000);
});
