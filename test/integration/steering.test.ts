/**
 * The agent steers the AI without taking the call (issue 8), through the real media bridge,
 * the real Deepgram and Gemini SDKs against their loopback fakes, and a simulated caller the
 * test drives line by line: pause (not one AI frame while paused, the caller still
 * transcribed, resume answers what was said), whisper (the model gets it, the caller never
 * hears it), keypad input (menu keys and digit strings reach the model), and a caller
 * waiting for a person (kept company, offered a choice, never hung up on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/shared/domain';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { DEFAULT_LISTEN_VAD, type DeepgramFake } from '../fakes/deepgram-fake';
import { errorReply, functionCallReply, textReply, type GeminiFake, type RecordedRequest } from '../fakes/gemini-fake';
import { startCloudCore, type CloudCore } from '../support/cloud-core';
import type { CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

describe('steering the AI without taking the call (real SDKs against loopback fakes)', () => {
  let cloud: CloudCore;
  let deepgram: DeepgramFake;
  let gemini: GeminiFake;
  let harness: CoreHarness;
  /** What the Deepgram fake "hears" the caller say, by the order of their lines on a call. */
  let heard: string[] = [];

  beforeAll(async () => {
    cloud = await startCloudCore(({ deepgram, gemini }) => {
      deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: (_connection, n) => heard[n] ?? 'Okay.' };
      deepgram.speak.firstByteDelayMs = 50;
      deepgram.speak.msPerChar = 20;
      gemini.auto = textReply('Certainly, I can help with that.');
    });
    ({ deepgram, gemini, harness } = cloud);
    // Short waits keep the calls short; pause's "one moment" is tested on its own call.
    await harness.call('settings.update', { pauseHoldLineMs: 0, silenceRepromptMs: 2000, recordDemoCalls: false });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  /** A caller who says `first` after the greeting and then only what the test makes them say. */
  async function dial(first: string, lines: string[]) {
    heard = lines;
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      scenario: { id: 'steer', title: 'steer', description: '', from: '+15550103000', to: '+15550109999', voice: 'rms', turns: [{ say: first, pauseMs: 200 }], afterLastTurn: 'stay' },
      voice: createFliteTts({ voice: 'rms' }),
      maxDurationMs: 90_000,
    });
    await caller.start();
    await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call to appear');
    const callId = harness.callIdFor(caller.callSid)!;
    const events = () => harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId ? [e.payload] : [])) as CallEvent[];
    const finals = () => harness.finals(callId);
    return { caller, callId, events, finals };
  }

  const requestsFrom = (n: number) => gemini.requests.slice(n);
  const requestText = (r: RecordedRequest) => JSON.stringify(r.body?.contents ?? []);

  it('pause: the AI stops at once and sends nothing while the caller is still transcribed; resume answers all of it', async () => {
    const before = gemini.requests.length;
    const { caller, callId, events, finals } = await dial('Hello there.', ['I was charged twice this month.', 'It was on my broadband bill.']);
    // Pause while the greeting is still playing: it is cut off (`clear`) at once.
    await until(() => harness.latest(callId)?.aiActivity === 'speaking', 10_000, 'the greeting to start');
    const paused = await harness.call('call.pause', { callId, paused: true });
    expect(paused).toMatchObject({ state: 'ai_paused', aiActivity: 'paused', controller: 'ai' });
    await until(() => caller.report.clears.length > 0, 3000, 'the greeting to be cleared');
    const framesAtPause = caller.report.received.length;

    // The scripted first line, then two more, all while paused.
    await caller.say('I was charged twice this month.');
    await caller.say('It was on my broadband bill.');
    await until(() => finals().filter((l) => l.speaker === 'caller').length >= 3, 30_000, 'three caller lines transcribed while paused');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(caller.report.received.length, 'AI media frames while paused').toBe(framesAtPause);
    expect(requestsFrom(before), 'no reply is even asked for while paused').toHaveLength(0);
    expect(harness.latest(callId)?.aiActivity).toBe('paused');

    const resumed = await harness.call('call.pause', { callId, paused: false });
    expect(resumed.state).toBe('ai');
    await until(() => requestsFrom(before).length >= 1, 5000, 'the reply after resume');
    const request = requestText(requestsFrom(before)[0]!);
    expect(request).toContain('I was charged twice this month.');
    expect(request).toContain('It was on my broadband bill.');
    await until(() => caller.report.received.length > framesAtPause, 5000, 'the AI to speak again');
    expect(events().filter((e) => e.type === 'pause').map((e) => e.data['on'])).toEqual([true, false]);
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });

  it('whisper: the model follows it at once when idle, and not a word of it reaches the caller', async () => {
    const before = gemini.requests.length;
    const { caller, callId, events } = await dial('Hi.', ['Hi.']);
    await until(() => requestsFrom(before).length >= 1 && harness.latest(callId)?.aiActivity === 'listening', 15_000, 'the AI to answer and listen');
    gemini.script(textReply('Before you go, I can offer you ten percent off as a loyal customer.'));
    const { event, handling } = await harness.call('call.whisper', { callId, text: 'Offer the 10% loyalty discount.' });
    expect(handling).toBe('instruction');
    expect(event).toMatchObject({ type: 'whisper', data: { text: 'Offer the 10% loyalty discount.', handling: 'instruction' } });
    await until(() => requestsFrom(before).length >= 2, 5000, 'the whisper to reach the model');
    expect(requestText(requestsFrom(before)[1]!)).toContain('[Supervisor, not heard by the caller: Offer the 10% loyalty discount.]');
    await until(() => harness.finals(callId).some((l) => l.text.includes('ten percent off')), 10_000, 'the AI to say it');
    // Everything sent to the voice (its connections are pooled across calls).
    const spokenTexts = deepgram.speakConnections.flatMap((c) => c.texts).join(' ');
    expect(spokenTexts).toContain('ten percent off');
    expect(spokenTexts).not.toContain('loyalty discount');
    expect(harness.finals(callId).some((l) => l.text.includes('Offer the 10%'))).toBe(false);
    expect(events().filter((e) => e.type === 'whisper')).toHaveLength(1);
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    // Stored with the call.
    const stored = await harness.call('calls.get', { callId });
    expect(stored.events.find((e) => e.type === 'whisper')?.data).toMatchObject({ text: 'Offer the 10% loyalty discount.' });
  });

  it('keypad: a menu key and a digit string reach the model as caller input', async () => {
    const before = gemini.requests.length;
    gemini.script(textReply('Sure. Press 1 for billing, or press 2 for sales.'));
    const { caller, callId, events } = await dial('I have a question.', ['I have a question.']);
    await until(() => harness.finals(callId).some((l) => l.text.includes('Press 1 for billing')), 15_000, 'the menu to be spoken');
    await until(() => harness.latest(callId)?.aiActivity === 'listening', 5000, 'the AI to listen');
    caller.pressKeys('1');
    await until(() => requestsFrom(before).length >= 2, 5000, 'the key to reach the model');
    expect(requestText(requestsFrom(before)[1]!)).toContain('(keypad: the caller pressed 1 for billing)');
    await until(() => harness.latest(callId)?.aiActivity === 'listening', 10_000, 'the AI to answer');
    caller.pressKeys('12345678#');
    await until(() => requestsFrom(before).length >= 3, 5000, 'the digits to reach the model');
    expect(requestText(requestsFrom(before)[2]!)).toContain('(keypad: the caller keyed in 12345678)');
    expect(events().filter((e) => e.type === 'keypad').map((e) => e.data)).toEqual([
      { digits: '1', kind: 'menu', option: 'billing' },
      { digits: '12345678', kind: 'digits', option: null },
    ]);
    expect(events().filter((e) => e.type === 'dtmf')).toHaveLength(10);
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });

  it('waiting for a person: never a silence hang-up; company, then a choice, and a call back is recorded', async () => {
    await harness.call('settings.update', { waitCompanyMs: 5000, waitOfferMs: 10_000 });
    gemini.script(functionCallReply('transfer_to_agent', { reason: 'Billing dispute' }, "I'll get a member of our team for you, please hold."));
    const { caller, callId, events } = await dial('I want to talk to a person.', ['I want to talk to a person.', 'Please call me back tomorrow at 10 am.']);
    await until(() => harness.latest(callId)?.waitingSince !== null && harness.latest(callId)?.waitingSince !== undefined, 15_000, 'the take-over request');
    const since = harness.latest(callId)!.waitingSince!;
    // Silence re-prompts would have hung up after ~2 × 2 s; a waiting caller is kept company instead.
    await until(() => events().some((e) => e.type === 'waiting' && e.data['offer'] === true), 25_000, 'the offer');
    const waiting = events().filter((e) => e.type === 'waiting');
    expect(waiting[0]?.data['offer']).toBe(false);
    expect(Date.now() - since).toBeGreaterThanOrEqual(10_000);
    expect(events().some((e) => e.type === 'silence')).toBe(false);
    expect(harness.latest(callId)?.status).toBe('active');
    await until(() => harness.latest(callId)?.aiActivity === 'listening', 15_000, 'the offer to be heard');
    await caller.say('Please call me back tomorrow at 10 am.');
    await until(() => events().some((e) => e.type === 'callback_requested'), 15_000, 'the call back');
    expect(events().find((e) => e.type === 'callback_requested')?.data).toEqual({ number: '+15550103000', when: 'tomorrow at 10 am' });
    expect(harness.latest(callId)?.waitingSince).toBeNull();
    await until(() => harness.finals(callId).some((l) => l.text.includes("on the number you're calling from, tomorrow at 10 am")), 10_000, 'the confirmation');
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });

  it('pause: one "one moment, please" after the configured pause, and only one', async () => {
    await harness.call('settings.update', { pauseHoldLineMs: 1000 });
    const { caller, callId } = await dial('Hello.', ['Hello.']);
    await until(() => harness.latest(callId)?.aiActivity === 'listening' && harness.finals(callId).length >= 3, 15_000, 'greeting, caller, reply');
    await harness.call('call.pause', { callId, paused: true });
    await until(() => harness.finals(callId).some((l) => l.text === 'One moment, please.'), 5000, 'the hold line');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(harness.finals(callId).filter((l) => l.text === 'One moment, please.')).toHaveLength(1);
    expect(harness.latest(callId)?.aiActivity, 'a paused AI reads as paused while it says it').toBe('paused');
    await harness.call('settings.update', { pauseHoldLineMs: 0 });
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });

  it('a line the agent has the AI say waits for the caller to finish, and is not cut off by them', async () => {
    const { caller, callId } = await dial('Hello.', ['Hello.', 'I am telling you a rather long story about my bill right now.']);
    await until(() => harness.latest(callId)?.aiActivity === 'listening' && harness.finals(callId).length >= 3, 15_000, 'greeting, caller, reply');
    await harness.call('call.pause', { callId, paused: true });
    await caller.say('I am telling you a rather long story about my bill right now.');
    // Mid-sentence (an interim line is showing), the agent has the AI say something.
    await until(
      () => harness.events.some((e) => e.name === 'call.transcript' && e.payload.callId === callId && !e.payload.final && e.payload.text.startsWith('I am')),
      10_000,
      'the caller mid-sentence',
    );
    await harness.call('call.aiSay', { callId, text: 'Thanks, I am noting all of that.', source: 'agent' });
    await until(() => harness.finals(callId).some((l) => l.text === 'Thanks, I am noting all of that.'), 20_000, 'the line said');
    const story = harness.finals(callId).find((l) => l.text.startsWith('I am telling you'))!;
    const said = harness.finals(callId).find((l) => l.text === 'Thanks, I am noting all of that.')!;
    expect(said.startMs).toBeGreaterThanOrEqual(story.endMs);
    expect(said.interrupted).toBe(false);
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });

  it('offline AI: a "say:" whisper is its next line, another is kept for the record; a suggestion sent is said next', async () => {
    await harness.call('providers.update', { llm: 'offline' });
    try {
      const { caller, callId, events } = await dial('Hello.', ['Hello.']);
      await until(() => harness.latest(callId)?.aiActivity === 'listening' && harness.finals(callId).length >= 3, 15_000, 'greeting, caller, reply');
      const say = await harness.call('call.whisper', { callId, text: 'say: Thanks for bearing with me.' });
      expect(say.handling).toBe('say');
      await until(() => harness.finals(callId).some((l) => l.speaker === 'ai' && l.text === 'Thanks for bearing with me.'), 10_000, 'the whispered line');
      const lines = harness.finals(callId).length;
      const note = await harness.call('call.whisper', { callId, text: 'Offer the loyalty discount.' });
      expect(note.handling).toBe('unsupported');
      await harness.call('call.aiSay', { callId, text: 'We really value you as a customer.', source: 'suggestion' });
      await until(() => harness.finals(callId).some((l) => l.text === 'We really value you as a customer.'), 10_000, 'the suggestion said');
      expect(harness.finals(callId).slice(lines).map((l) => l.text)).toEqual(['We really value you as a customer.']);
      expect(events().filter((e) => e.type === 'ai_say').map((e) => e.data)).toEqual([{ text: 'We really value you as a customer.', source: 'suggestion' }]);
      caller.hangUp();
      await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    } finally {
      await harness.call('providers.update', { llm: 'gemini' });
    }
  });

  it('hand back: the AI says the caller is back with it, and owns what it could not do', async () => {
    gemini.script(functionCallReply('transfer_to_agent', { reason: 'Billing dispute' }, "I'll get a colleague, please hold."));
    const { caller, callId } = await dial('I need a person.', ['I need a person.']);
    await until(() => typeof harness.latest(callId)?.waitingSince === 'number', 15_000, 'the take-over request');
    const taken = await harness.call('call.takeOver', { callId });
    expect(taken).toMatchObject({ state: 'agent', waitingSince: null });
    await expect(harness.call('call.pause', { callId, paused: true })).rejects.toThrow(/you have this call/);
    await expect(harness.call('call.aiSay', { callId, text: 'Hello' })).rejects.toThrow(/composer/);
    await harness.call('call.handBack', { callId });
    await until(() => harness.finals(callId).some((l) => l.text.startsWith("You're back with the automated assistant. I couldn't help with billing dispute")), 10_000, 'the AI back');
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  });

  it('alert rules of every live kind fire once each on one scripted call (phrase and sentiment: alerts.test.ts)', async () => {
    const rule = (id: string, kind: string, params: Record<string, unknown>) => ({
      id,
      name: id,
      kind,
      enabled: true,
      severity: 'warning',
      cooldownMs: 600_000,
      actions: [],
      params,
    });
    await harness.call('alerts.saveRules', {
      rules: [
        rule('loop', 'ai_loop', { similarity: 0.8, times: 3, withinLines: 6 }),
        rule('repeat', 'caller_repeat', { similarity: 0.75, times: 3, withinLines: 5 }),
        rule('quiet', 'silence', { afterS: 5 }),
        rule('trouble', 'provider_trouble', { fallbacks: true, errors: true }),
        rule('barging', 'barge_ins', { count: 2, withinS: 60 }),
        rule('person', 'person_request', { onTakeoverRequest: true, phrases: [] }),
      ] as never,
    });
    // No re-prompt within the silence rule's 5 s; the AI says the same thing every time.
    await harness.call('settings.update', { silenceRepromptMs: 15_000 });
    gemini.auto = textReply('Let me check that for you.');
    const repeated = 'I was charged twice.';
    const { caller, callId, events } = await dial(repeated, [
      repeated,
      repeated,
      repeated,
      'Hello?',
      'Tell me about my bill.',
      'Sorry, one question.',
      'Tell me again.',
      'Sorry, another question.',
      'I want a person.',
    ]);
    const alerts = () => events().filter((e) => e.type === 'alert').map((e) => e.data['ruleId']);
    const callerLines = () => harness.finals(callId).filter((l) => l.speaker === 'caller').length;
    const listening = () => harness.latest(callId)?.aiActivity === 'listening';
    const sayWhenAiIsDone = async (text: string) => {
      const before = callerLines();
      await until(listening, 15_000, 'the AI to finish');
      await caller.say(text);
      await until(() => callerLines() > before, 15_000, `"${text}" heard`);
    };
    try {
      await until(() => callerLines() >= 1, 15_000, 'the first line');
      await sayWhenAiIsDone(repeated);
      await sayWhenAiIsDone(repeated);
      await until(() => alerts().includes('loop') && alerts().includes('repeat'), 15_000, 'loop and repeat alerts');
      // Dead air: nobody speaks for 5 s after the AI's third identical line.
      await until(() => alerts().includes('quiet'), 15_000, 'the silence alert');
      // Gemini fails (first try and its retry): the offline engine stands in.
      gemini.script(errorReply(500), errorReply(500));
      await sayWhenAiIsDone('Hello?');
      await until(() => alerts().includes('trouble'), 15_000, 'the provider alert');
      // Two interruptions of a long reply.
      const long = 'Here is everything about your bill, every charge on it, line by line, so that nothing is left unclear.';
      for (const [ask, interrupt] of [
        ['Tell me about my bill.', 'Sorry, one question.'],
        ['Tell me again.', 'Sorry, another question.'],
      ] as const) {
        gemini.script(textReply(long), textReply('Of course.'));
        const barges = events().filter((e) => e.type === 'barge_in').length;
        await sayWhenAiIsDone(ask);
        await until(() => harness.latest(callId)?.aiActivity === 'speaking', 15_000, 'the long reply');
        await caller.say(interrupt);
        await until(() => events().filter((e) => e.type === 'barge_in').length > barges, 15_000, 'the barge-in');
      }
      await until(() => alerts().includes('barging'), 5000, 'the barge-ins alert');
      gemini.script(functionCallReply('transfer_to_agent', { reason: 'Wants a person' }, 'Let me get a colleague.'));
      await sayWhenAiIsDone('I want a person.');
      await until(() => alerts().includes('person'), 15_000, 'the person alert');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(alerts().sort()).toEqual(['barging', 'loop', 'person', 'quiet', 'repeat', 'trouble']);
    } finally {
      caller.hangUp();
      await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
      gemini.auto = textReply('Certainly, I can help with that.');
      await harness.call('settings.update', { silenceRepromptMs: 2000 });
    }
  });
});
