/**
 * Pausing and prompting the AI without taking the call (issue 8): pause (not one AI frame while
 * paused, the caller still transcribed, resume answers what was said; one "one moment" line),
 * a line the agent has the AI say, whisper (the model gets it, the caller never hears it) and
 * keypad input (menu keys and digit strings reach the model). Through the real media bridge,
 * the real Deepgram and Gemini SDKs against their loopback fakes (test/support/steering-core.ts).
 */
import { describe, expect, it } from 'vitest';
import { textReply } from '../fakes/gemini-fake';
import { until } from '../support/raw-twilio';
import { steeringCore, requestText } from '../support/steering-core';

describe('steering the AI: pausing, whispering and keying in (real SDKs against loopback fakes)', () => {
  const steer = steeringCore();

  it('pause: the AI stops at once and sends nothing while the caller is still transcribed; resume answers all of it', async () => {
    const before = steer.gemini.requests.length;
    const { caller, callId, events, finals } = await steer.dial('Hello there.', ['I was charged twice this month.', 'It was on my broadband bill.']);
    // Pause while the greeting is still playing: it is cut off (`clear`) at once.
    await until(() => steer.harness.latest(callId)?.aiActivity === 'speaking', 10_000, 'the greeting to start');
    const paused = await steer.harness.call('call.pause', { callId, paused: true });
    expect(paused).toMatchObject({ state: 'ai_paused', aiActivity: 'paused', controller: 'ai' });
    await until(() => caller.report.clears.length > 0, 3000, 'the greeting to be cleared');
    const framesAtPause = caller.report.received.length;

    // The scripted first line, then two more, all while paused.
    await caller.say('I was charged twice this month.');
    await caller.say('It was on my broadband bill.');
    await until(() => finals().filter((l) => l.speaker === 'caller').length >= 3, 30_000, 'three caller lines transcribed while paused');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(caller.report.received.length, 'AI media frames while paused').toBe(framesAtPause);
    expect(steer.requestsFrom(before), 'no reply is even asked for while paused').toHaveLength(0);
    expect(steer.harness.latest(callId)?.aiActivity).toBe('paused');

    const resumed = await steer.harness.call('call.pause', { callId, paused: false });
    expect(resumed.state).toBe('ai');
    await until(() => steer.requestsFrom(before).length >= 1, 5000, 'the reply after resume');
    const request = requestText(steer.requestsFrom(before)[0]!);
    expect(request).toContain('I was charged twice this month.');
    expect(request).toContain('It was on my broadband bill.');
    await until(() => caller.report.received.length > framesAtPause, 5000, 'the AI to speak again');
    expect(events().filter((e) => e.type === 'pause').map((e) => e.data['on'])).toEqual([true, false]);
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });
  it('pause: one "one moment, please" after the configured pause, and only one', async () => {
    await steer.harness.call('settings.update', { pauseHoldLineMs: 1000 });
    const { caller, callId } = await steer.dial('Hello.', ['Hello.']);
    await until(() => steer.harness.latest(callId)?.aiActivity === 'listening' && steer.harness.finals(callId).length >= 3, 15_000, 'greeting, caller, reply');
    await steer.harness.call('call.pause', { callId, paused: true });
    await until(() => steer.harness.finals(callId).some((l) => l.text === 'One moment, please.'), 5000, 'the hold line');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(steer.harness.finals(callId).filter((l) => l.text === 'One moment, please.')).toHaveLength(1);
    expect(steer.harness.latest(callId)?.aiActivity, 'a paused AI reads as paused while it says it').toBe('paused');
    await steer.harness.call('settings.update', { pauseHoldLineMs: 0 });
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });
  it('a line the agent has the AI say waits for the caller to finish, and is not cut off by them', async () => {
    const { caller, callId } = await steer.dial('Hello.', ['Hello.', 'I am telling you a rather long story about my bill right now.']);
    await until(() => steer.harness.latest(callId)?.aiActivity === 'listening' && steer.harness.finals(callId).length >= 3, 15_000, 'greeting, caller, reply');
    await steer.harness.call('call.pause', { callId, paused: true });
    await caller.say('I am telling you a rather long story about my bill right now.');
    // Mid-sentence (an interim line is showing), the agent has the AI say something.
    await until(
      () => steer.harness.events.some((e) => e.name === 'call.transcript' && e.payload.callId === callId && !e.payload.final && e.payload.text.startsWith('I am')),
      10_000,
      'the caller mid-sentence',
    );
    await steer.harness.call('call.aiSay', { callId, text: 'Thanks, I am noting all of that.', source: 'agent' });
    await until(() => steer.harness.finals(callId).some((l) => l.text === 'Thanks, I am noting all of that.'), 20_000, 'the line said');
    const story = steer.harness.finals(callId).find((l) => l.text.startsWith('I am telling you'))!;
    const said = steer.harness.finals(callId).find((l) => l.text === 'Thanks, I am noting all of that.')!;
    expect(said.startMs).toBeGreaterThanOrEqual(story.endMs);
    expect(said.interrupted).toBe(false);
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });
  it('whisper: the model follows it at once when idle, and not a word of it reaches the caller', async () => {
    const before = steer.gemini.requests.length;
    const { caller, callId, events } = await steer.dial('Hi.', ['Hi.']);
    await until(() => steer.requestsFrom(before).length >= 1 && steer.harness.latest(callId)?.aiActivity === 'listening', 15_000, 'the AI to answer and listen');
    steer.gemini.script(textReply('Before you go, I can offer you ten percent off as a loyal customer.'));
    const { event, handling } = await steer.harness.call('call.whisper', { callId, text: 'Offer the 10% loyalty discount.' });
    expect(handling).toBe('instruction');
    expect(event).toMatchObject({ type: 'whisper', data: { text: 'Offer the 10% loyalty discount.', handling: 'instruction' } });
    await until(() => steer.requestsFrom(before).length >= 2, 5000, 'the whisper to reach the model');
    expect(requestText(steer.requestsFrom(before)[1]!)).toContain('[Supervisor, not heard by the caller: Offer the 10% loyalty discount.]');
    await until(() => steer.harness.finals(callId).some((l) => l.text.includes('ten percent off')), 10_000, 'the AI to say it');
    // Everything sent to the voice (its connections are pooled across calls).
    const spokenTexts = steer.deepgram.speakConnections.flatMap((c) => c.texts).join(' ');
    expect(spokenTexts).toContain('ten percent off');
    expect(spokenTexts).not.toContain('loyalty discount');
    expect(steer.harness.finals(callId).some((l) => l.text.includes('Offer the 10%'))).toBe(false);
    expect(events().filter((e) => e.type === 'whisper')).toHaveLength(1);
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    // Stored with the call.
    const stored = await steer.harness.call('calls.get', { callId });
    expect(stored.events.find((e) => e.type === 'whisper')?.data).toMatchObject({ text: 'Offer the 10% loyalty discount.' });
  });
  it('keypad: a menu key and a digit string reach the model as caller input', async () => {
    const before = steer.gemini.requests.length;
    steer.gemini.script(textReply('Sure. Press 1 for billing, or press 2 for sales.'));
    const { caller, callId, events } = await steer.dial('I have a question.', ['I have a question.']);
    await until(() => steer.harness.finals(callId).some((l) => l.text.includes('Press 1 for billing')), 15_000, 'the menu to be spoken');
    await until(() => steer.harness.latest(callId)?.aiActivity === 'listening', 5000, 'the AI to listen');
    caller.pressKeys('1');
    await until(() => steer.requestsFrom(before).length >= 2, 5000, 'the key to reach the model');
    expect(requestText(steer.requestsFrom(before)[1]!)).toContain('(keypad: the caller pressed 1 for billing)');
    await until(() => steer.harness.latest(callId)?.aiActivity === 'listening', 10_000, 'the AI to answer');
    caller.pressKeys('12345678#');
    await until(() => steer.requestsFrom(before).length >= 3, 5000, 'the digits to reach the model');
    expect(requestText(steer.requestsFrom(before)[2]!)).toContain('(keypad: the caller keyed in 12345678)');
    expect(events().filter((e) => e.type === 'keypad').map((e) => e.data)).toEqual([
      { digits: '1', kind: 'menu', option: 'billing' },
      { digits: '12345678', kind: 'digits', option: null },
    ]);
    expect(events().filter((e) => e.type === 'dtmf')).toHaveLength(10);
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });
});
