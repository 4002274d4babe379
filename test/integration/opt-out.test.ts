/**
 * "Don't call me again" (issue 15): the AI (Gemini's real SDK against its fake) ends a real
 * call with end_call and the reason do_not_call; the caller's number goes on the do-not-call
 * list, so no campaign and no New AI call dials it again. The call is a ConversationRelay one
 * (text both ways), played by the Twilio fake: the whole path runs, with no audio to wait for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DO_NOT_CALL_REASON } from '../../src/main/core/persona';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { functionCallReply, startGeminiFake, type GeminiFake } from '../fakes/gemini-fake';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const ACCOUNT_SID = `AC${'3'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-optout-012345';
const PUBLIC = 'https://switchboard-optout.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const CALLER = '+447911123456';
const GEMINI_KEY = 'gm-test-key-optout-0123456';

describe('opting out on a call', () => {
  let harness: CoreHarness;
  let fake: TwilioFake;
  let gemini: GeminiFake;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
    gemini = await startGeminiFake({ apiKey: GEMINI_KEY });
    Object.assign(process.env, { [TWILIO_URL_ENV]: fake.url, GEMINI_API_KEY: GEMINI_KEY, SWITCHBOARD_GEMINI_URL: gemini.baseUrl });
    harness = await startHarness(undefined, { relayMsPerChar: 5 });
    await harness.call('providers.update', { llm: 'gemini' });
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await harness.call('telephony.update', {
      accountSid: ACCOUNT_SID,
      publicBaseUrl: PUBLIC,
      phoneNumbers: [OUR_NUMBER],
      relayNumbers: [OUR_NUMBER],
      allowedHours: { start: '00:00', end: '24:00' },
      allowedCountries: ['US', 'GB'],
    });
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
    await harness.call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
  });
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
    await gemini?.close();
    process.env = saved;
  });

  it("the AI's end_call with reason do_not_call puts the caller on the do-not-call list", async () => {
    gemini.script(functionCallReply('end_call', { reason: DO_NOT_CALL_REASON }, 'Sorry to have disturbed you. We will not call you again. Goodbye.'));
    const rung = await fake.ringInbound({ from: CALLER, to: OUR_NUMBER });
    const peer = await fake.openRelay(rung.body, { callSid: rung.callSid, msPerChar: 5 });
    await until(() => harness.callIdFor(rung.callSid) !== undefined, 5000, 'the call');
    const callId = harness.callIdFor(rung.callSid)!;
    peer.say('Please take me off your list and stop calling me.');
    await until(() => harness.latest(callId)?.status === 'ended', 15_000, 'the AI to end the call');
    expect(harness.latest(callId)?.endReason).toBe('ai_ended');
    await peer.ended; // the session's end and Twilio's action callback, answered
    expect((await harness.call('telephony.get')).settings.doNotCall).toContain(CALLER);

    const dial = await harness.core.dispatch('calls.dial', { to: CALLER, purpose: 'A follow-up offer' });
    expect(dial).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/do-not-call/i) } });
  });

  it('a callback the AI agrees with a waiting caller is queued for the time they said, in their zone', async () => {
    const caller = '+447911123457';
    gemini.script(functionCallReply('transfer_to_agent', { reason: 'wants a person' }, 'Let me find someone for you.'));
    const rung = await fake.ringInbound({ from: caller, to: OUR_NUMBER });
    const peer = await fake.openRelay(rung.body, { callSid: rung.callSid, msPerChar: 5 });
    await until(() => harness.callIdFor(rung.callSid) !== undefined, 5000, 'the call');
    const callId = harness.callIdFor(rung.callSid)!;
    peer.say('I want to talk to a person please.');
    await until(() => harness.latest(callId)?.waitingSince !== null && harness.latest(callId)?.waitingSince !== undefined, 10_000, 'the caller waiting for a person');
    peer.say('Actually just call me back tomorrow at 10 am.');
    await until(() => harness.events.some((e) => e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'callback_requested'), 10_000, 'the callback agreed');
    const queue = (await harness.call('campaigns.list')).find((c) => c.kind === 'callbacks')!;
    const { leads } = await harness.call('campaigns.leads', { campaignId: queue.id });
    const lead = leads.find((l) => l.number === caller)!;
    expect(lead).toMatchObject({ state: 'pending', attempts: 0, context: { 'Time the caller asked for': 'tomorrow at 10 am', 'Earlier call': callId } });
    // 10:00 tomorrow in London (the caller's only zone), whatever this machine's zone.
    const london = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(lead.nextAt!);
    expect(london).toBe('10:00');
    expect(lead.nextAt! - Date.now()).toBeGreaterThan(0);
    expect(lead.nextAt! - Date.now()).toBeLessThan(36 * 3600_000);
    await harness.call('call.end', { callId });
    await peer.ended; // the session's end and Twilio's action callback, answered
  });
});
