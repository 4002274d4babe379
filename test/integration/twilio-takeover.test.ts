/**
 * Take over, for real: an inbound Twilio call (signed webhook -> TwiML -> media stream) is
 * put through to the agent's softphone with `<Dial><Client>` over the REST API, handed back
 * to a fresh AI stream, and ended — the real twilio SDK against the Twilio fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-0123456789';
const PUBLIC = 'https://switchboard-test.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const CALLER = '+447700900123';

const scenario = (say: string): CallerScenario => ({
  id: 'real-call',
  title: 'real call',
  description: '',
  from: CALLER,
  to: OUR_NUMBER,
  voice: 'rms',
  turns: [{ say, pauseMs: 300 }],
  afterLastTurn: 'stay',
});

describe('take over a real call into the softphone, and hand it back', () => {
  let harness: CoreHarness;
  let fake: TwilioFake;
  const savedEnv = process.env[TWILIO_URL_ENV];
  const callUpdates = (callSid: string) => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`));

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
    process.env[TWILIO_URL_ENV] = fake.url;
    harness = await startHarness();
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await harness.call('telephony.update', {
      accountSid: ACCOUNT_SID,
      publicBaseUrl: PUBLIC,
      phoneNumbers: [OUR_NUMBER],
      allowedHours: { start: '00:00', end: '24:00' },
    });
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
    await harness.call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
  });
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
    if (savedEnv === undefined) delete process.env[TWILIO_URL_ENV];
    else process.env[TWILIO_URL_ENV] = savedEnv;
  });

  it('refuses without a softphone, redirects to it, hands back to a new stream, and ends at Twilio', async () => {
    const rung = await fake.ringInbound({ from: CALLER, to: OUR_NUMBER });
    expect(rung.status).toBe(200);
    const caller = await fake.openStream(rung.body, { callSid: rung.callSid, scenario: scenario('I was charged twice this month.'), voice: createFliteTts({ voice: 'rms' }) });
    await until(() => harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid), 5000, 'the call');
    const callId = harness.callIdFor(rung.callSid)!;
    expect(harness.latest(callId)).toMatchObject({ from: CALLER, to: OUR_NUMBER, direction: 'inbound' });
    // Twilio's status callbacks land on the call's timeline.
    expect((await fake.sendStatus(rung.callSid, 'in-progress')).status).toBeLessThan(300);
    await until(() => harness.events.some((e) => e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'status' && e.payload.data.status === 'in-progress'), 5000, 'the status on the timeline');
    await until(() => harness.latest(callId)?.aiActivity === 'speaking', 10_000, 'the greeting');

    // No softphone: the caller stays with the AI, and the agent is told why.
    const refused = await harness.core.dispatch('call.takeOver', { callId, softphoneReady: false });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/softphone isn't connected/) } });
    expect(harness.latest(callId)?.controller).toBe('ai');
    expect(callUpdates(rung.callSid)).toHaveLength(0);

    // With the softphone: the call is redirected to <Dial><Client> with the call's CallSid.
    const taken = await harness.call('call.takeOver', { callId, softphoneReady: true });
    expect(taken).toMatchObject({ controller: 'agent', aiActivity: 'detached', status: 'active' });
    const redirect = callUpdates(rung.callSid)[0]!;
    const dialTwiml = String(redirect.params.Twiml);
    expect(dialTwiml).toMatch(/<Dial><Client><Identity>agent_agent<\/Identity><Parameter name="callSid" value="CA\w+"\/><Parameter name="purpose" value="takeover"\/><\/Client><\/Dial>/);
    expect(dialTwiml).toContain(rung.callSid);
    expect(caller.report.clears.length).toBeGreaterThanOrEqual(1);
    // Twilio ends the AI's stream when the call leaves <Connect>; the call goes on.
    caller.hangUp();
    await new Promise((r) => setTimeout(r, 300));
    expect(harness.latest(callId)).toMatchObject({ status: 'active', controller: 'agent' });
    const typed = await harness.core.dispatch('call.say', { callId, text: 'Hello' });
    expect(typed).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/on the phone/) } });

    // Hold: hold music for the caller (the softphone leg drops); resume rings the softphone again.
    await harness.call('call.hold', { callId, hold: true });
    expect(String(callUpdates(rung.callSid)[1]!.params.Twiml)).toMatch(/<Say>Please hold\.[^<]*<\/Say><Play loop="0">http[^<]+\.mp3<\/Play>/);
    await harness.call('call.hold', { callId, hold: false });
    expect(String(callUpdates(rung.callSid)[2]!.params.Twiml)).toBe(dialTwiml);
    const holds = harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'hold' ? [e.payload.data.on] : []));
    expect(holds).toEqual([true, false]);

    // Hand back: a fresh <Connect><Stream> with a new single-use token; the same call continues.
    await harness.call('call.handBack', { callId });
    const back = callUpdates(rung.callSid)[3]!;
    expect(String(back.params.Twiml)).toMatch(/<Connect><Stream url="wss:\/\/switchboard-test\.example\.ngrok\.app\/media"/);
    const returned = await fake.openStream(String(back.params.Twiml), {
      callSid: rung.callSid,
      scenario: scenario('My account number is four five six seven eight.'),
      voice: createFliteTts({ voice: 'rms' }),
    });
    await until(() => harness.finals(callId).some((u) => u.speaker === 'caller' && /four five six/.test(u.text)), 20_000, 'the caller heard again');
    expect(harness.latest(callId)).toMatchObject({ status: 'active', controller: 'ai' });
    expect(harness.events.filter((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid && e.payload.id !== callId)).toEqual([]);

    // Take over again and end from the console while the caller is on the softphone.
    await until(() => harness.latest(callId)?.aiActivity === 'speaking', 10_000, 'the AI answering');
    await harness.call('call.takeOver', { callId, softphoneReady: true });
    returned.hangUp();
    const ended = await harness.call('call.end', { callId });
    expect(ended).toMatchObject({ status: 'ended', endReason: 'agent_ended' });
    const hangUp = callUpdates(rung.callSid).at(-1)!;
    expect(hangUp.params).toMatchObject({ Status: 'completed' });
  });
});
