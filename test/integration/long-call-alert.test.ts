/**
 * The one alert kind that needs a call longer than a minute (the others fire on the scripted
 * calls of steering-alerts.test.ts and alerts.test.ts): a real call through the media
 * bridge, on the offline engines, stays on the line past the rule's minute; the rule fires
 * once, on time, and its cooldown keeps it from firing again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/shared/domain';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

describe('the long-call alert on a real call', () => {
  let harness: CoreHarness;
  beforeAll(async () => {
    harness = await startHarness();
    // No re-prompt or goodbye before the minute is up; nothing else recorded.
    await harness.call('settings.update', { silenceRepromptMs: 60_000, recordDemoCalls: false });
    await harness.call('alerts.saveRules', {
      rules: [{ id: 'long', name: 'Long call', kind: 'long_call', enabled: true, severity: 'info', cooldownMs: 600_000, actions: [], params: { afterMin: 1 } }],
    });
  });
  afterAll(() => harness?.core.close());

  it('fires once when the call passes the minute', async () => {
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      scenario: { id: 'long', title: 'long', description: '', from: '+15550105555', to: '+15550109999', voice: 'rms', turns: [{ say: 'Hello.', pauseMs: 200 }], afterLastTurn: 'stay' },
      voice: createFliteTts({ voice: 'rms' }),
      maxDurationMs: 120_000,
    });
    await caller.start();
    await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call to appear');
    const callId = harness.callIdFor(caller.callSid)!;
    const alerts = () => harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'alert' ? [e.payload] : [])) as CallEvent[];
    await new Promise((resolve) => setTimeout(resolve, 55_000));
    expect(alerts(), 'not before the minute').toEqual([]);
    await until(() => alerts().length > 0, 10_000, 'the long-call alert');
    const [alert] = alerts();
    expect(alert!.data).toMatchObject({ ruleId: 'long', kind: 'long_call', severity: 'info' });
    expect(alert!.atMs).toBeGreaterThanOrEqual(60_000);
    expect(alert!.atMs).toBeLessThan(65_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(alerts()).toHaveLength(1);
    expect(harness.latest(callId)).toMatchObject({ status: 'active', openAlerts: 1, alert: { ruleId: 'long', severity: 'info' } });
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  }, 90_000);
});
