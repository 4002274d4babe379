/**
 * A caller who says nothing: after the configured silence the AI re-prompts, and after
 * another it says goodbye and ends the call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

describe('silence handling', () => {
  let harness: CoreHarness;
  afterAll(() => harness?.core.close());

  it('re-prompts a silent caller, then ends the call politely', async () => {
    harness = await startHarness();
    await harness.call('settings.update', { silenceRepromptMs: 2000 });
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      // The caller would only speak after 10 s of quiet, which never comes.
      scenario: { id: 'silent', title: 'silent', description: '', from: '+15550001000', to: '+15550009999', voice: 'rms', turns: [{ say: 'Hello?', pauseMs: 10_000 }], afterLastTurn: 'stay' },
      voice: createFliteTts({ voice: 'rms' }),
      replyTimeoutMs: 60_000,
    });
    await caller.start();
    const report = await caller.done;
    expect(report.endedBy).toBe('app');
    expect(report.spoken).toEqual([]);

    const callId = harness.callIdFor(caller.callSid)!;
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'call to end');
    expect(harness.latest(callId)?.endReason).toBe('silence_timeout');
    const silences = harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'silence' ? [e.payload.data.attempt] : []));
    expect(silences).toEqual([1, 2]);
    const ai = harness.finals(callId).filter((u) => u.speaker === 'ai').map((u) => u.text);
    expect(ai).toHaveLength(3);
    expect(ai[1]).toMatch(/still with me/);
    expect(ai[2]).toMatch(/Goodbye/);
  });
});
