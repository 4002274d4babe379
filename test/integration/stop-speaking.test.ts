/**
 * The agent stops a line they typed while it is being spoken (issue 9), on the real core with
 * the offline engines and a simulated caller on the real media bridge, which plays audio in
 * real time and echoes marks and honours `clear` as Twilio does: the line is cut at once
 * (`clear`), the transcript keeps only what the caller heard, marked cut off, a line queued
 * behind it is never said, and with nothing being spoken the command does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

describe('stop speaking (the agent cuts their own line)', () => {
  let harness: CoreHarness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.call('settings.update', { recordDemoCalls: false });
  });
  afterAll(() => harness?.core.close());

  it("cuts the agent's line mid-sentence, keeps what was heard and drops the line queued behind it", async () => {
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      scenario: { id: 'stop', title: 'stop', description: '', from: '+15550104000', to: '+15550109999', voice: 'rms', turns: [{ say: 'Hello.', pauseMs: 200 }], afterLastTurn: 'stay' },
      voice: createFliteTts({ voice: 'rms' }),
      maxDurationMs: 60_000,
    });
    await caller.start();
    await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call to appear');
    const callId = harness.callIdFor(caller.callSid)!;
    await harness.call('call.takeOver', { callId });
    await until(() => harness.latest(callId)?.aiActivity === 'detached', 5000, 'the take-over');

    // Nothing of the agent's is being spoken: nothing happens, and no error.
    const clearsBefore = caller.report.clears.length;
    expect(await harness.call('call.stopSpeaking', { callId })).toEqual({ lines: [] });

    const planned = 'Thank you for waiting. I can see both payments on your March bill. I am refunding the second one right now, and it reaches your card within five working days.';
    const line = await harness.call('call.say', { callId, text: planned });
    const queued = await harness.call('call.say', { callId, text: 'Is there anything else I can help you with today?' });
    // The caller has heard the first clause; the rest is still playing or to come.
    await until(() => caller.report.marksEchoed.includes(`${line.id}:0`), 15_000, 'the first clause to be heard');
    const { lines } = await harness.call('call.stopSpeaking', { callId });
    const framesAtStop = caller.report.received.length;

    expect(lines.map((l) => l.id)).toEqual([line.id, queued.id]);
    const [cut, dropped] = lines;
    expect(cut).toMatchObject({ speaker: 'agent', final: true, interrupted: true });
    expect(cut!.text.startsWith('Thank you for waiting.')).toBe(true);
    expect(planned.startsWith(cut!.text)).toBe(true);
    expect(cut!.text.length).toBeLessThan(planned.length);
    // The queued line was never heard: an empty final line tells the console to drop it.
    expect(dropped).toMatchObject({ final: true, text: '' });
    await until(() => caller.report.clears.length === clearsBefore + 1, 3000, 'the clear to reach the caller');
    console.log(`stop speaking: the caller heard ${cut!.text.length} of ${planned.length} characters`);

    // Nothing more of either line goes out.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(caller.report.received.length, 'audio frames after Stop').toBe(framesAtStop);
    expect(harness.finals(callId).filter((l) => l.speaker === 'agent')).toEqual([cut]);

    // Stopping again is a no-op; the agent's next line is spoken whole.
    expect(await harness.call('call.stopSpeaking', { callId })).toEqual({ lines: [] });
    const next = await harness.call('call.say', { callId, text: 'Sorry, one moment.' });
    await until(() => harness.finals(callId).some((l) => l.id === next.id), 15_000, 'the next line to be heard');
    expect(harness.finals(callId).find((l) => l.id === next.id)).toMatchObject({ text: 'Sorry, one moment.', interrupted: false });

    // Stored as heard.
    const stored = await harness.call('calls.get', { callId });
    expect(stored.utterances.find((u) => u.id === line.id)).toMatchObject({ text: cut!.text, interrupted: true });
    expect(stored.utterances.some((u) => u.id === queued.id)).toBe(false);

    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    const afterEnd = await harness.core.dispatch('call.stopSpeaking', { callId });
    expect(afterEnd.ok).toBe(false);
  });
});
