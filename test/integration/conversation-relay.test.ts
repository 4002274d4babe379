/**
 * A whole call on Twilio ConversationRelay (issue 11): the number is set to use it, the
 * signed voice webhook answers `<Connect><ConversationRelay>`, the Twilio fake connects the
 * relay session (signed upgrade, `setup` with our token) and plays the caller in text, the
 * real twilio SDK carries the REST side. The same CallSession drives it: the caller's words
 * arrive as prompts, the AI's as text tokens; an interruption trims what the AI said to what
 * Twilio played; a keypad press; a take-over ends the session with handoffData and Twilio's
 * action callback puts the caller through to the softphone; a hand-back opens a new relay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_NO_AUDIO } from '../../src/main/core/calls/call-session';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-0123456789';
const PUBLIC = 'https://switchboard-relay.example.ngrok.app';
const RELAY_NUMBER = '+14155550100';
const MEDIA_NUMBER = '+14155550111';
const CALLER = '+447700900123';
/** Twilio's voice in the fake and the console's estimate of it: brisk, so the call is short. */
const MS_PER_CHAR = 20;

describe('a call on ConversationRelay', () => {
  let harness: CoreHarness;
  let fake: TwilioFake;
  const savedEnv = process.env[TWILIO_URL_ENV];
  const callUpdates = (callSid: string) => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`));
  const eventsOf = (callId: string, type: string) =>
    harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === type ? [e.payload] : []));

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [RELAY_NUMBER, MEDIA_NUMBER] });
    process.env[TWILIO_URL_ENV] = fake.url;
    harness = await startHarness(undefined, { relayMsPerChar: MS_PER_CHAR });
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await harness.call('telephony.update', {
      accountSid: ACCOUNT_SID,
      publicBaseUrl: PUBLIC,
      phoneNumbers: [RELAY_NUMBER, MEDIA_NUMBER],
      relayNumbers: [RELAY_NUMBER],
      relay: { ttsProvider: 'Google', voice: 'en-US-Journey-O', transcriptionProvider: 'Deepgram', language: 'en-US' },
      allowedHours: { start: '00:00', end: '24:00' },
    });
    expect(state.webhooks?.relay).toBe('wss://switchboard-relay.example.ngrok.app/relay');
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
    await harness.call('telephony.configureNumber', { phoneNumber: RELAY_NUMBER });
    await harness.call('telephony.configureNumber', { phoneNumber: MEDIA_NUMBER });
  });
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
    if (savedEnv === undefined) delete process.env[TWILIO_URL_ENV];
    else process.env[TWILIO_URL_ENV] = savedEnv;
  });

  it('answers the relay number with <ConversationRelay> and the other with <Stream>', async () => {
    const relayed = await fake.ringInbound({ from: CALLER, to: RELAY_NUMBER });
    expect(relayed.status).toBe(200);
    expect(relayed.body).toMatch(/<Connect action="https:\/\/switchboard-relay\.example\.ngrok\.app\/twilio\/relay-ended" method="POST"><ConversationRelay /);
    expect(relayed.body).toContain('url="wss://switchboard-relay.example.ngrok.app/relay"');
    expect(relayed.body).toMatch(/welcomeGreeting="Hello, you're through to [^"]+automated assistant[^"]*"/);
    for (const attribute of ['interruptible="speech"', 'dtmfDetection="true"', 'ttsProvider="Google"', 'voice="en-US-Journey-O"', 'transcriptionProvider="Deepgram"', 'language="en-US"', 'reportInputDuringAgentSpeech="none"']) {
      expect(relayed.body).toContain(attribute);
    }
    expect(relayed.body).toMatch(/<Parameter name="token" value="[\w-]{20,}"\/>/);
    // An outbound AI call from the relay number (its caller ID) is answered the same way, with the outbound greeting.
    const dialled = await harness.call('calls.dial', { to: '+14155550177', from: RELAY_NUMBER, purpose: 'Confirm tomorrow’s delivery slot' });
    const answered = await fake.answer(dialled.callSid);
    expect(answered.body).toContain('<ConversationRelay ');
    expect(answered.body).toMatch(/welcomeGreeting="Hello, this is an automated assistant calling from [^"]+"/);
    expect(answered.body).toMatch(/<Parameter name="dial" value="[\w-]+"\/>/);
    const streamed = await fake.ringInbound({ from: CALLER, to: MEDIA_NUMBER });
    expect(streamed.body).toMatch(/<Connect><Stream url="wss:\/\/switchboard-relay\.example\.ngrok\.app\/media"/);
    expect(streamed.body).not.toContain('ConversationRelay');
  });

  it('runs a whole call: prompts, streamed text, an interruption, a keypad press, take-over with handoffData, hand back to a new relay', async () => {
    const rung = await fake.ringInbound({ from: CALLER, to: RELAY_NUMBER });
    const peer = await fake.openRelay(rung.body, { callSid: rung.callSid, msPerChar: MS_PER_CHAR });
    await until(() => harness.callIdFor(rung.callSid) !== undefined, 5000, 'the call');
    const callId = harness.callIdFor(rung.callSid)!;
    expect(harness.latest(callId)).toMatchObject({ from: CALLER, to: RELAY_NUMBER, direction: 'inbound', transport: 'relay', controller: 'ai' });
    expect(eventsOf(callId, 'started')[0]?.data).toEqual({ direction: 'inbound', transport: 'relay' });

    // Twilio said the greeting (welcomeGreeting): it is the AI's first line, never sent again.
    await until(() => harness.finals(callId).some((u) => u.speaker === 'ai' && /automated assistant/.test(u.text)), 10_000, 'the greeting on the transcript');
    expect(peer.received.filter((m) => m.type === 'text')).toEqual([]);

    // The caller speaks (partial prompts first): an interim line, then the final; the AI answers in text tokens.
    peer.say('I was charged twice for my broadband this month.', ['I was charged', 'I was charged twice for my']);
    await until(() => harness.finals(callId).some((u) => u.speaker === 'caller' && /charged twice/.test(u.text)), 5000, 'the caller line');
    const interims = harness.events.filter((e) => e.name === 'call.transcript' && e.payload.callId === callId && e.payload.speaker === 'caller' && !e.payload.final);
    expect(interims.map((e) => e.name === 'call.transcript' && e.payload.text)).toContain('I was charged twice for my');
    const [reply] = await peer.turnsDone(1);
    expect(reply!.length).toBeGreaterThan(10);
    const texts = peer.received.filter((m) => m.type === 'text');
    expect(texts.at(-1)).toMatchObject({ token: '', last: true });
    expect(texts.slice(0, -1).every((m) => m.last === false && typeof m.token === 'string' && m.token !== '')).toBe(true);
    await until(() => harness.finals(callId).some((u) => u.speaker === 'ai' && u.text === reply!.trim()), 10_000, 'the reply stored once heard');
    expect(harness.latest(callId)?.aiActivity).toBe('listening');

    // An interruption: the AI's line is trimmed to what Twilio played, and a barge-in recorded.
    peer.say('Can you tell me everything about my account, my plan and my last three bills please?');
    await peer.speaking();
    await new Promise((resolve) => setTimeout(resolve, MS_PER_CHAR * 12));
    const heard = peer.interrupt({ durationAsString: true });
    expect(heard.length).toBeGreaterThan(0);
    await until(() => eventsOf(callId, 'barge_in').length === 1, 5000, 'the barge-in');
    const cut = harness.finals(callId).filter((u) => u.speaker === 'ai').at(-1)!;
    expect(cut.interrupted).toBe(true);
    expect(cut.text).toBe(heard.trim());

    // A keypad press reaches the timeline.
    peer.press('1');
    await until(() => eventsOf(callId, 'dtmf').length === 1, 5000, 'the keypad press');

    // Features that need the call's audio say so instead of failing.
    const listen = await harness.core.dispatch('call.listen', { callId, listening: true });
    expect(listen).toMatchObject({ ok: false, error: { code: 'unavailable', message: RELAY_NO_AUDIO } });

    // Take-over: the relay session ends with handoffData; Twilio's action callback gets the softphone <Dial>.
    const taken = await harness.call('call.takeOver', { callId, softphoneReady: true });
    expect(taken).toMatchObject({ controller: 'agent', state: 'agent_phone' });
    await peer.ended;
    const end = peer.received.find((m) => m.type === 'end')!;
    expect(JSON.parse(String(end.handoffData))).toMatchObject({ reasonCode: 'live-agent-handoff', callId });
    await until(() => peer.actionAnswer !== null, 5000, 'the action callback');
    expect(peer.actionAnswer!.status).toBe(200);
    expect(peer.actionAnswer!.body).toMatch(/<Dial><Client><Identity>agent_agent<\/Identity><Parameter name="callSid" value="CA\w+"\/><Parameter name="purpose" value="takeover"\/><\/Client><\/Dial>/);
    expect(callUpdates(rung.callSid)).toHaveLength(0); // no REST redirect: the session's end did it
    expect(harness.latest(callId)).toMatchObject({ status: 'active', controller: 'agent' });

    // Hand back: a new relay (no welcome greeting, a fresh token) over REST; the AI speaks first.
    await harness.call('call.handBack', { callId });
    const back = String(callUpdates(rung.callSid)[0]!.params.Twiml);
    expect(back).toMatch(/<ConversationRelay url="wss:\/\/switchboard-relay\.example\.ngrok\.app\/relay"/);
    expect(back).not.toContain('welcomeGreeting');
    expect(back).not.toContain(/token" value="([^"]+)"/.exec(rung.body)![1]!);
    const again = await fake.openRelay(back, { callSid: rung.callSid, msPerChar: MS_PER_CHAR });
    const [backLine] = await again.turnsDone(1);
    expect(backLine).toMatch(/You're back with the automated assistant/);
    await until(() => harness.latest(callId)?.controller === 'ai', 5000, 'the AI has the call again');
    const replies = await again.converse(['What is my account balance?', 'Thanks, that is all.']);
    expect(replies).toHaveLength(2);
    expect(harness.finals(callId).filter((u) => u.speaker === 'caller').map((u) => u.text).slice(-2)).toEqual(['What is my account balance?', 'Thanks, that is all.']);

    // The caller hangs up: the call ends.
    again.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call ended');
    expect(harness.latest(callId)?.endReason).toBe('caller_hangup');
    expect(harness.events.filter((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid && e.payload.id !== callId)).toEqual([]);
  });

  it('refuses a relay upgrade without a valid signature, and a session without its token', async () => {
    const rung = await fake.ringInbound({ from: CALLER, to: RELAY_NUMBER });
    await expect(fake.openRelay(rung.body, { callSid: rung.callSid, signature: null })).rejects.toThrow(/HTTP 403/);
    await expect(fake.openRelay(rung.body, { callSid: rung.callSid, signature: 'bm90IGEgc2lnbmF0dXJl' })).rejects.toThrow(/HTTP 403/);
    // Signed, but with another call's token: closed with the reason, no call.
    const forged = rung.body.replace(/(<Parameter name="token" value=")[^"]+/, '$1forged-token-000000000000000');
    const stranger = await fake.openRelay(forged, { callSid: rung.callSid });
    await stranger.ended;
    expect(stranger.closeCode).toBe(1008);
    expect(harness.callIdFor(rung.callSid)).toBeUndefined();
    // The real token still works once.
    await fake.openRelay(rung.body, { callSid: rung.callSid });
    await until(() => harness.callIdFor(rung.callSid) !== undefined, 5000, 'the call');
    const callId = harness.callIdFor(rung.callSid)!;
    // Twilio ends a session that failed and asks what next: the call ends, and says why.
    const failed = await fake.postWebhook(`${PUBLIC}/twilio/relay-ended`, {
      AccountSid: ACCOUNT_SID,
      CallSid: rung.callSid,
      SessionStatus: 'failed',
      ErrorCode: '64105',
      ErrorMessage: 'WebSocket ended abruptly',
    });
    expect(failed).toMatchObject({ status: 200, body: expect.stringContaining('<Hangup/>') });
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call ended');
    expect(eventsOf(callId, 'error').map((e) => e.data)).toContainEqual({
      stage: 'relay',
      message: 'Twilio ended the ConversationRelay session (error 64105: WebSocket ended abruptly).',
    });
    // An unsigned action callback changes nothing.
    expect((await fake.postWebhook(`${PUBLIC}/twilio/relay-ended`, { CallSid: rung.callSid, SessionStatus: 'completed' }, { signature: null })).status).toBe(403);
  });
});
