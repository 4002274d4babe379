/**
 * A caller waiting for a person (kept company, offered a choice, never hung up on), the offline
 * AI steered by "say:" whispers and suggestions, and handing a call back to the AI (issue 8).
 * Through the real media bridge, the real Deepgram and Gemini SDKs against their loopback
 * fakes (test/support/steering-core.ts).
 */
import { describe, expect, it } from 'vitest';
import { functionCallReply } from '../fakes/gemini-fake';
import { until } from '../support/raw-twilio';
import { steeringCore } from '../support/steering-core';

describe('steering the AI: waiting for a person, the offline AI, and handing back (real SDKs against loopback fakes)', () => {
  const steer = steeringCore();

  it('waiting for a person: never a silence hang-up; company, then a choice, and a call back is recorded', async () => {
    await steer.harness.call('settings.update', { waitCompanyMs: 5000, waitOfferMs: 10_000 });
    steer.gemini.script(functionCallReply('transfer_to_agent', { reason: 'Billing dispute' }, "I'll get a member of our team for you, please hold."));
    const { caller, callId, events } = await steer.dial('I want to talk to a person.', ['I want to talk to a person.', 'Please call me back tomorrow at 10 am.']);
    await until(() => steer.harness.latest(callId)?.waitingSince !== null && steer.harness.latest(callId)?.waitingSince !== undefined, 15_000, 'the take-over request');
    const since = steer.harness.latest(callId)!.waitingSince!;
    // Silence re-prompts would have hung up after ~2 × 2 s; a waiting caller is kept company instead.
    await until(() => events().some((e) => e.type === 'waiting' && e.data['offer'] === true), 25_000, 'the offer');
    const waiting = events().filter((e) => e.type === 'waiting');
    expect(waiting[0]?.data['offer']).toBe(false);
    expect(Date.now() - since).toBeGreaterThanOrEqual(10_000);
    expect(events().some((e) => e.type === 'silence')).toBe(false);
    expect(steer.harness.latest(callId)?.status).toBe('active');
    await until(() => steer.harness.latest(callId)?.aiActivity === 'listening', 15_000, 'the offer to be heard');
    await caller.say('Please call me back tomorrow at 10 am.');
    await until(() => events().some((e) => e.type === 'callback_requested'), 15_000, 'the call back');
    expect(events().find((e) => e.type === 'callback_requested')?.data).toEqual({ number: '+15550103000', when: 'tomorrow at 10 am' });
    expect(steer.harness.latest(callId)?.waitingSince).toBeNull();
    await until(() => steer.harness.finals(callId).some((l) => l.text.includes("on the number you're calling from, tomorrow at 10 am")), 10_000, 'the confirmation');
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });
  it('offline AI: a "say:" whisper is its next line, another is kept for the record; a suggestion sent is said next', async () => {
    await steer.harness.call('providers.update', { llm: 'offline' });
    try {
      const { caller, callId, events } = await steer.dial('Hello.', ['Hello.']);
      await until(() => steer.harness.latest(callId)?.aiActivity === 'listening' && steer.harness.finals(callId).length >= 3, 15_000, 'greeting, caller, reply');
      const say = await steer.harness.call('call.whisper', { callId, text: 'say: Thanks for bearing with me.' });
      expect(say.handling).toBe('say');
      await until(() => steer.harness.finals(callId).some((l) => l.speaker === 'ai' && l.text === 'Thanks for bearing with me.'), 10_000, 'the whispered line');
      const lines = steer.harness.finals(callId).length;
      const note = await steer.harness.call('call.whisper', { callId, text: 'Offer the loyalty discount.' });
      expect(note.handling).toBe('unsupported');
      await steer.harness.call('call.aiSay', { callId, text: 'We really value you as a customer.', source: 'suggestion' });
      await until(() => steer.harness.finals(callId).some((l) => l.text === 'We really value you as a customer.'), 10_000, 'the suggestion said');
      expect(steer.harness.finals(callId).slice(lines).map((l) => l.text)).toEqual(['We really value you as a customer.']);
      expect(events().filter((e) => e.type === 'ai_say').map((e) => e.data)).toEqual([{ text: 'We really value you as a customer.', source: 'suggestion' }]);
      caller.hangUp();
      await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    } finally {
      await steer.harness.call('providers.update', { llm: 'gemini' });
    }
  });
  it('hand back: the AI says the caller is back with it, and owns what it could not do', async () => {
    steer.gemini.script(functionCallReply('transfer_to_agent', { reason: 'Billing dispute' }, "I'll get a colleague, please hold."));
    const { caller, callId } = await steer.dial('I need a person.', ['I need a person.']);
    await until(() => typeof steer.harness.latest(callId)?.waitingSince === 'number', 15_000, 'the take-over request');
    const taken = await steer.harness.call('call.takeOver', { callId });
    expect(taken).toMatchObject({ state: 'agent', waitingSince: null });
    await expect(steer.harness.call('call.pause', { callId, paused: true })).rejects.toThrow(/you have this call/);
    await expect(steer.harness.call('call.aiSay', { callId, text: 'Hello' })).rejects.toThrow(/composer/);
    await steer.harness.call('call.handBack', { callId });
    await until(() => steer.harness.finals(callId).some((l) => l.text.startsWith("You're back with the automated assistant. I couldn't help with billing dispute")), 10_000, 'the AI back');
    caller.hangUp();
    await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });
});
