/**
 * Real phone calls through Twilio, end to end on loopback: a real core, its public server
 * (webhooks + /media), the real twilio SDK talking REST to the Twilio fake, and the fake
 * playing Twilio's part (signed webhooks, status callbacks, the media stream).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/shared/contract';
import type { TelephonyState } from '../../src/shared/telephony';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { localClock } from '../../src/main/core/telephony/outbound-rules';
import { loadScenarios } from '../../src/main/core/telephony/scenario';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { parseTwiml, startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { RESOURCES_DIR, startHarness, type CoreHarness } from '../support/core-harness';
import { connectRawPeer, until } from '../support/raw-twilio';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-0123456789';
const PUBLIC = 'https://switchboard-test.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const CALLEE = '+442071234567'; // London: one time zone
const DNC = '+442079460958';
const UNREACHABLE = '+442071230000';
const API_KEY_SID = `SK${'5'.repeat(32)}`;
const API_KEY_SECRET = 'fake-api-key-secret-0123456789';

describe('Twilio: webhooks, stream admission, outbound calls, status callbacks', () => {
  let harness: CoreHarness;
  let fake: TwilioFake;
  let state: TelephonyState;
  let mediaUrl: string;
  const savedEnv = process.env[TWILIO_URL_ENV];

  const dialRequests = () => fake.requests.filter((r) => r.path.endsWith('/Calls.json'));
  const eventsSince = (n: number): AnyEvent[] => harness.events.slice(n);
  const dispatch = (name: string, input: unknown) => harness.core.dispatch(name, input);

  beforeAll(async () => {
    fake = await startTwilioFake({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiKeys: [{ sid: API_KEY_SID, secret: API_KEY_SECRET }],
      numbers: [OUR_NUMBER],
      unreachable: [UNREACHABLE],
    });
    process.env[TWILIO_URL_ENV] = fake.url;
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
    if (savedEnv === undefined) delete process.env[TWILIO_URL_ENV];
    else process.env[TWILIO_URL_ENV] = savedEnv;
  });

  it('refuses to dial until Twilio is configured, saying what is missing; nothing reaches Twilio', async () => {
    const result = await dispatch('calls.dial', { to: CALLEE, purpose: 'Confirm the engineer visit' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!result.ok && result.error.message).toMatch(/account SID.*auth token.*public https URL.*phone number/);
    expect(fake.requests).toHaveLength(0);
  });

  it('answers webhooks with 503 and no effect before configuration', async () => {
    state = await harness.call('telephony.get');
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
    const before = harness.events.length;
    const reply = await fake.postWebhook(`${PUBLIC}/twilio/voice`, { CallSid: `CA${'1'.repeat(32)}`, Direction: 'inbound', From: '+447700900123', To: OUR_NUMBER });
    expect(reply.status).toBe(503);
    expect(harness.events.length).toBe(before);
  });

  it('configures the account and points the number at the public URL over REST', async () => {
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    state = await harness.call('telephony.update', {
      accountSid: ACCOUNT_SID,
      publicBaseUrl: PUBLIC,
      doNotCall: [DNC],
      allowedHours: { start: '00:00', end: '24:00' },
      allowedCountries: ['US', 'GB'],
    });
    expect(state.missing).toEqual(['a Twilio phone number']);
    expect(state.webhooks).toEqual({
      voice: `${PUBLIC}/twilio/voice`,
      status: `${PUBLIC}/twilio/status`,
      streamStatus: `${PUBLIC}/twilio/stream-status`,
      media: 'wss://switchboard-test.example.ngrok.app/media',
      relay: 'wss://switchboard-test.example.ngrok.app/relay',
    });
    expect(state.secrets.find((s) => s.name === 'twilioAuthToken')).toMatchObject({ configured: true });
    expect(JSON.stringify(state)).not.toContain(AUTH_TOKEN);

    const configured = await harness.call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
    expect(configured).toMatchObject({ phoneNumber: OUR_NUMBER, voiceUrl: `${PUBLIC}/twilio/voice`, statusCallback: `${PUBLIC}/twilio/status` });
    expect(fake.numbers[0]).toMatchObject({ voiceUrl: `${PUBLIC}/twilio/voice`, voiceMethod: 'POST', statusCallback: `${PUBLIC}/twilio/status` });
    const update = fake.requests.find((r) => r.method === 'POST' && r.path.includes('/IncomingPhoneNumbers/'))!;
    expect(update.params).toMatchObject({ VoiceUrl: `${PUBLIC}/twilio/voice`, StatusCallback: `${PUBLIC}/twilio/status` });
    expect(update.username).toBe(ACCOUNT_SID);

    state = await harness.call('telephony.get');
    expect(state).toMatchObject({ ready: true, missing: [], settings: { phoneNumbers: [OUR_NUMBER] } });
    mediaUrl = `${state.localUrl!.replace(/^http:/, 'ws:')}/media`;

    const unknown = await dispatch('telephony.configureNumber', { phoneNumber: '+14155550199' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it.each([
    ['an invalid number', { to: '+1555555555' }, 'bad_request', /not a valid phone number/],
    ['a national-format number', { to: '020 7123 4567' }, 'bad_request', /E\.164/],
    ['a number on the do-not-call list', { to: DNC }, 'conflict', /do-not-call/],
    ['a caller ID that is not ours', { to: CALLEE, from: '+14155550199' }, 'bad_request', /caller ID/],
    ['a premium-rate number (toll fraud)', { to: '+448712345678' }, 'bad_request', /premium-rate number \(United Kingdom\)/],
    ['a shared-cost number (toll fraud)', { to: '+33810123456' }, 'bad_request', /shared-cost number \(France\)/],
    ['a country not on the allowlist', { to: '+4930123456' }, 'conflict', /Calls to Germany are not allowed\. Allowed countries: United States, United Kingdom/],
  ])('refuses %s with a clear reason, and never calls Twilio', async (_what, input, code, message) => {
    const before = dialRequests().length;
    const result = await dispatch('calls.dial', { purpose: 'Confirm the engineer visit', ...input });
    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(!result.ok && result.error.message).toMatch(message);
    expect(dialRequests().length).toBe(before);
  });

  it("refuses outside the callee's allowed hours, and never calls Twilio", async () => {
    const london = localClock('Europe/London', Date.now());
    const window = london < '12:00' ? { start: '12:00', end: '24:00' } : { start: '00:00', end: '12:00' };
    await harness.call('telephony.update', { allowedHours: window });
    try {
      const before = dialRequests().length;
      const result = await dispatch('calls.dial', { to: CALLEE, purpose: 'Confirm the engineer visit' });
      expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(!result.ok && result.error.message).toMatch(/Outside allowed calling hours .* Europe\/London/);
      expect(dialRequests().length).toBe(before);
    } finally {
      await harness.call('telephony.update', { allowedHours: { start: '00:00', end: '24:00' } });
    }
  });

  it("passes Twilio's own refusal on as a clear error (RestException through the real SDK)", async () => {
    const result = await dispatch('calls.dial', { to: UNREACHABLE, purpose: 'Confirm the engineer visit' });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(!result.ok && result.error.message).toMatch(/Account not authorized.*Twilio error 21215/);
  });

  let outboundSid = '';
  let dialId = '';
  it('dials through the real twilio SDK with the right form parameters', async () => {
    const before = dialRequests().length;
    const dialed = await harness.call('calls.dial', { to: CALLEE, purpose: 'Confirm the engineer visit on Tuesday', script: 'Greet, confirm, thank.' });
    expect(dialed.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(dialed.status).toBe('queued');
    outboundSid = dialed.callSid;
    dialId = dialed.dialId;
    const sent = dialRequests().slice(before);
    expect(sent).toHaveLength(1);
    const request = sent[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`);
    expect(request.username).toBe(ACCOUNT_SID);
    expect(request.params).toEqual({
      To: CALLEE,
      From: OUR_NUMBER,
      Url: `${PUBLIC}/twilio/voice?dial=${dialId}`,
      Method: 'POST',
      StatusCallback: `${PUBLIC}/twilio/status`,
      StatusCallbackMethod: 'POST',
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    // The purpose and script stay in the console: they never go to Twilio.
    expect(JSON.stringify(request.params)).not.toMatch(/engineer|Greet/);
  });

  it('refuses forged, unsigned and mis-signed webhooks with 403, changing nothing', async () => {
    const before = harness.events.length;
    const callsBefore = (await harness.call('calls.list', { scope: 'all', limit: 500 })).length;
    const params = { CallSid: outboundSid, CallStatus: 'no-answer', Direction: 'outbound-api', From: OUR_NUMBER, To: CALLEE };
    const voiceParams = { CallSid: outboundSid, CallStatus: 'in-progress', Direction: 'outbound-api', From: OUR_NUMBER, To: CALLEE };
    const attempts = [
      fake.postWebhook(`${PUBLIC}/twilio/status`, params, { signature: null }),
      fake.postWebhook(`${PUBLIC}/twilio/status`, params, { signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' }),
      fake.postWebhook(`${PUBLIC}/twilio/status`, params, { authToken: 'not-the-auth-token' }),
      fake.postWebhook(`${PUBLIC}/twilio/voice?dial=${dialId}`, voiceParams, { signature: null }),
      fake.postWebhook(`${PUBLIC}/twilio/voice?dial=${dialId}`, voiceParams, { authToken: 'not-the-auth-token' }),
      fake.postWebhook(`${PUBLIC}/twilio/stream-status`, { CallSid: outboundSid, StreamSid: 'MZ1', StreamEvent: 'stream-started' }, { signature: 'x' }),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.status).toBe(403);
      expect(reply.body).not.toMatch(/Stream|token/i);
    }
    // Signed, but over the local URL rather than the public one Twilio called.
    const local = await fetch(`${state.localUrl}/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    expect(local.status).toBe(403);
    // Tampered after signing: the fake signs the real params, the body says otherwise.
    const { default: twilio } = await import('twilio');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC}/twilio/status`, params);
    const tampered = await fetch(`${state.localUrl}/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...params, CallStatus: 'busy' }).toString(),
    });
    expect(tampered.status).toBe(403);

    expect(eventsSince(before)).toEqual([]);
    expect((await harness.call('calls.list', { scope: 'all', limit: 500 })).length).toBe(callsBefore);
  });

  it('refuses oversized and non-form bodies, and unknown paths', async () => {
    const big = await fetch(`${state.localUrl}/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `CallSid=${'A'.repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
    const json = await fetch(`${state.localUrl}/twilio/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    expect((await fetch(`${state.localUrl}/twilio/voice`)).status).toBe(405);
    expect((await fetch(`${state.localUrl}/elsewhere`)).status).toBe(404);
  });

  it('answers a signed inbound voice webhook with <Connect><Stream> and its parameters', async () => {
    const rung = await fake.ringInbound({ from: '+447700900123', to: OUR_NUMBER });
    expect(rung.status).toBe(200);
    expect(rung.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Connect><Stream /);
    const twiml = parseTwiml(rung.body);
    expect(twiml.streamUrl).toBe('wss://switchboard-test.example.ngrok.app/media');
    expect(twiml.streamStatusCallback).toBe(`${PUBLIC}/twilio/stream-status`);
    expect(twiml.parameters).toEqual({ token: expect.stringMatching(/^[\w-]{32}$/), from: '+447700900123', to: OUR_NUMBER, direction: 'inbound' });

    // A stream with a wrong token, with none, or with this token under another CallSid is refused.
    for (const [callSid, params, reason] of [
      [rung.callSid, { ...twiml.parameters, token: 'x'.repeat(32) }, /unknown or wrong stream token/],
      [rung.callSid, { from: '+447700900123', to: OUR_NUMBER }, /no stream token/],
      [`CA${'9'.repeat(32)}`, twiml.parameters, /unknown or wrong stream token/],
    ] as const) {
      const peer = await connectRawPeer(mediaUrl);
      peer.start(callSid, { ...params }, ACCOUNT_SID);
      const closed = await peer.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toMatch(reason);
    }
    expect(harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid)).toBe(false);

    // The right token for the right CallSid is admitted, once.
    const peer = await connectRawPeer(mediaUrl);
    peer.start(rung.callSid, twiml.parameters, ACCOUNT_SID);
    await until(() => harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid), 5000, 'the inbound call');
    const replay = await connectRawPeer(mediaUrl);
    replay.start(rung.callSid, twiml.parameters, ACCOUNT_SID);
    expect((await replay.closed).reason).toMatch(/unknown or wrong stream token/);
    const streamStatus = await fake.postWebhook(twiml.streamStatusCallback!, {
      AccountSid: ACCOUNT_SID,
      CallSid: rung.callSid,
      StreamSid: `MZ${'4'.repeat(32)}`,
      StreamEvent: 'stream-started',
      Timestamp: new Date().toUTCString(),
    });
    expect(streamStatus.status).toBe(204);
    peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid: rung.callSid } });
    await peer.closed;
  });

  it('connects an answered outbound call: the caller simulator opens the TwiML stream and is admitted', async () => {
    const dialed = await harness.call('calls.dial', { to: CALLEE, purpose: 'Confirm the engineer visit on Tuesday' });
    const answered = await fake.answer(dialed.callSid);
    expect(answered.status).toBe(200);
    const twiml = parseTwiml(answered.body);
    expect(twiml.parameters).toMatchObject({ direction: 'outbound', from: OUR_NUMBER, to: CALLEE, dial: dialed.dialId });

    const scenario = (await loadScenarios(RESOURCES_DIR))[0]!;
    const caller = await fake.openStream(answered.body, { callSid: dialed.callSid, scenario, voice: createFliteTts({ voice: scenario.voice }) });
    await until(() => harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === dialed.callSid && e.payload.status === 'active'), 10_000, 'the outbound call');
    const callId = harness.callIdFor(dialed.callSid)!;

    // Statuses of a call that has its stream are emitted with its id, and store no second record.
    const before = harness.events.length;
    expect((await fake.sendStatus(dialed.callSid, 'in-progress')).status).toBe(204);
    caller.hangUp();
    await caller.done;
    expect((await fake.sendStatus(dialed.callSid, 'completed', { CallDuration: '12' })).status).toBe(204);
    const statuses = eventsSince(before).flatMap((e) => (e.name === 'call.status' ? [e.payload] : []));
    expect(statuses.map((s) => [s.status, s.callId, s.direction])).toEqual([
      ['in-progress', callId, 'outbound'],
      ['completed', callId, 'outbound'],
    ]);
    expect(statuses[1]!.durationSec).toBe(12);
    const stored = (await harness.call('calls.list', { scope: 'all', limit: 500 })).filter((c) => c.callSid === dialed.callSid);
    expect(stored.map((c) => c.id)).toEqual([callId]);
  });

  it('records statuses, and stores an outbound call that was never answered so the call list shows it', async () => {
    const before = harness.events.length;
    for (const status of ['initiated', 'ringing', 'no-answer']) {
      expect((await fake.sendStatus(outboundSid, status)).status).toBe(204);
    }
    const statuses = eventsSince(before).flatMap((e) => (e.name === 'call.status' ? [e.payload] : []));
    expect(statuses.map((s) => s.status)).toEqual(['initiated', 'ringing', 'no-answer']);
    expect(statuses.every((s) => s.callSid === outboundSid && s.direction === 'outbound' && s.from === OUR_NUMBER && s.to === CALLEE)).toBe(true);
    expect(statuses[0]!.callId).toBeNull();
    const callId = statuses[2]!.callId!;
    expect(callId).toBeTruthy();

    const listed = (await harness.call('calls.list', { scope: 'ended', limit: 500 })).find((c) => c.callSid === outboundSid);
    expect(listed).toMatchObject({ id: callId, direction: 'outbound', status: 'ended', endReason: 'no-answer', from: OUR_NUMBER, to: CALLEE });
    const detail = await harness.call('calls.get', { callId });
    expect(detail.events.map((e) => [e.type, e.data])).toEqual([
      ['started', { direction: 'outbound', stream: false }],
      ['ended', { reason: 'no-answer' }],
    ]);
    expect(eventsSince(before).some((e) => e.name === 'call.updated' && e.payload.id === callId && e.payload.status === 'ended')).toBe(true);

    // A repeated terminal callback stores nothing new.
    await fake.sendStatus(outboundSid, 'no-answer');
    expect((await harness.call('calls.list', { scope: 'all', limit: 500 })).filter((c) => c.callSid === outboundSid)).toHaveLength(1);
  });

  it('hangs up an outbound voice webhook the console did not place', async () => {
    const reply = await fake.postWebhook(`${PUBLIC}/twilio/voice?dial=DL${'f'.repeat(32)}`, {
      CallSid: `CA${'2'.repeat(32)}`,
      Direction: 'outbound-api',
      From: OUR_NUMBER,
      To: CALLEE,
    });
    expect(reply.status).toBe(200);
    expect(parseTwiml(reply.body)).toMatchObject({ streamUrl: null, hangup: true });
  });

  it('uses the API key for REST once one is configured (webhooks stay signed with the auth token)', async () => {
    state = await harness.call('telephony.update', { apiKeySid: API_KEY_SID });
    expect(state).toMatchObject({ ready: false, missing: ['the secret of the Twilio API key'] });
    await harness.call('secrets.set', { name: 'twilioApiKeySecret', value: API_KEY_SECRET });
    const before = fake.requests.length;
    const dialed = await harness.call('calls.dial', { to: CALLEE, purpose: 'Confirm the engineer visit' });
    expect(fake.requests.slice(before).map((r) => r.username)).toEqual([API_KEY_SID]);
    expect((await fake.sendStatus(dialed.callSid, 'ringing')).status).toBe(204);
  });

  /** A signed inbound voice webhook for `callSid`, as Twilio posts it (optionally a delivery's idempotency token). */
  const voiceWebhook = (callSid: string, idempotencyToken?: string) =>
    fake.postWebhook(
      `${PUBLIC}/twilio/voice`,
      { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Direction: 'inbound', From: '+447700900123', To: OUR_NUMBER },
      idempotencyToken ? { headers: { 'i-twilio-idempotency-token': idempotencyToken } } : {},
    );
  const closedWithin = async (peer: { closed: Promise<{ code: number; reason: string }> }, ms = 5000) =>
    Promise.race([peer.closed, new Promise<null>((r) => setTimeout(() => r(null), ms))]);

  it("admits a real call's stream only from the configured Twilio account", async () => {
    const rung = await fake.ringInbound({ from: '+447700900123', to: OUR_NUMBER });
    const twiml = parseTwiml(rung.body);
    const peer = await connectRawPeer(mediaUrl);
    peer.start(rung.callSid, twiml.parameters, `AC${'7'.repeat(32)}`);
    expect(await peer.closed).toEqual({ code: 1008, reason: expect.stringMatching(/another Twilio account/) });
    expect(harness.callIdFor(rung.callSid)).toBeUndefined();
  });

  it('gives a replayed voice webhook no second stream token; a Twilio retry (same idempotency token) gets the first answer', async () => {
    const callSid = `CA${'5'.repeat(32)}`;
    // Twilio retrying one delivery, twice at once and once later: one answer, one token.
    const retries = await Promise.all([voiceWebhook(callSid, 'idem-voice-1'), voiceWebhook(callSid, 'idem-voice-1')]);
    retries.push(await voiceWebhook(callSid, 'idem-voice-1'));
    expect(retries.map((r) => r.status)).toEqual([200, 200, 200]);
    const token = parseTwiml(retries[0]!.body).parameters.token;
    expect(token).toMatch(/^[\w-]{32}$/);
    expect(new Set(retries.map((r) => r.body)).size).toBe(1);

    // Replayed without Twilio's idempotency token, or under another one: no stream, no token.
    for (const replay of [await voiceWebhook(callSid), await voiceWebhook(callSid, 'idem-voice-2')]) {
      expect(replay.status).toBe(200);
      expect(replay.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }
    // The one token opens the one stream.
    const peer = await connectRawPeer(mediaUrl);
    peer.start(callSid, { token: token! }, ACCOUNT_SID);
    await until(() => harness.callIdFor(callSid) !== undefined, 5000, 'the call');
    peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid } });
    await peer.closed;
  });

  it('applies a status callback Twilio delivers twice (same idempotency token) once', async () => {
    const callSid = `CA${'6'.repeat(32)}`;
    const status = (idempotencyToken: string) =>
      fake.postWebhook(
        `${PUBLIC}/twilio/status`,
        { AccountSid: ACCOUNT_SID, CallSid: callSid, CallStatus: 'busy', Direction: 'inbound', From: '+447700900123', To: OUR_NUMBER },
        { headers: { 'i-twilio-idempotency-token': idempotencyToken } },
      );
    const before = harness.events.length;
    const replies = await Promise.all([status('idem-status-1'), status('idem-status-1')]);
    replies.push(await status('idem-status-1'));
    expect(replies.map((r) => r.status)).toEqual([204, 204, 204]);
    const emitted = eventsSince(before).filter((e) => e.name === 'call.status' && e.payload.callSid === callSid);
    expect(emitted).toHaveLength(1);
    // A different delivery (a new idempotency token) is a new callback.
    expect((await status('idem-status-2')).status).toBe(204);
    expect(eventsSince(before).filter((e) => e.name === 'call.status' && e.payload.callSid === callSid)).toHaveLength(2);
  });

  it('admits no token-less stream on the loopback bridge: a local process cannot join a real call waiting for its hand-back', async () => {
    const rung = await fake.ringInbound({ from: '+447700900123', to: OUR_NUMBER });
    const peer = await connectRawPeer(mediaUrl);
    peer.start(rung.callSid, parseTwiml(rung.body).parameters, ACCOUNT_SID);
    await until(() => harness.callIdFor(rung.callSid) !== undefined, 5000, 'the real call');
    const callId = harness.callIdFor(rung.callSid)!;
    await harness.call('call.takeOver', { callId, softphoneReady: true });
    // Twilio ends the AI's stream when the call goes to the softphone; then the agent hands back.
    peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid: rung.callSid } });
    await peer.closed;
    await harness.call('call.handBack', { callId });
    const handBack = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${rung.callSid}.json`)).at(-1)!;
    const handBackTwiml = parseTwiml(String(handBack.params.Twiml));
    expect(handBackTwiml.parameters.token).toMatch(/^[\w-]{32}$/);

    // A local process names the waiting call's CallSid on the loopback bridge, without a token,
    // with the spent token of the first stream, or as a "simulated" call: refused every way.
    const sneaky = await connectRawPeer(harness.core.bridgeUrl);
    sneaky.start(rung.callSid, { from: '+15550001111', to: '+15550002222' }, ACCOUNT_SID);
    expect(await closedWithin(sneaky)).toEqual({ code: 1008, reason: expect.stringMatching(/no stream token/) });
    const spent = await connectRawPeer(harness.core.bridgeUrl);
    spent.start(rung.callSid, parseTwiml(rung.body).parameters, ACCOUNT_SID);
    expect(await closedWithin(spent)).toEqual({ code: 1008, reason: expect.stringMatching(/wrong stream token/) });
    expect(() => harness.core.simulatedCall({ callSid: rung.callSid })).toThrow(/live call|real call/);
    expect(harness.latest(callId)).toMatchObject({ status: 'active', controller: 'ai' });
    expect(harness.events.filter((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid && e.payload.id !== callId)).toEqual([]);

    // The call is untouched: Twilio's stream with the hand-back token still joins it.
    const returned = await connectRawPeer(mediaUrl);
    returned.start(rung.callSid, handBackTwiml.parameters, ACCOUNT_SID);
    // Its caller hangs up: the call ends, so the stream was the call's (a refused one changes nothing).
    returned.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid: rung.callSid } });
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end with its stream');
    expect(harness.events.filter((e) => e.name === 'call.updated' && e.payload.callSid === rung.callSid && e.payload.id !== callId)).toEqual([]);
  });

  it('admits a registered simulated call on the loopback bridge', async () => {
    const registered = harness.core.simulatedCall({ from: '+15550001111', to: '+15550002222' });
    const peer = await connectRawPeer(harness.core.bridgeUrl);
    peer.start(registered.callSid, { ...registered.customParameters, from: '+15550001111', to: '+15550002222' });
    await until(() => harness.callIdFor(registered.callSid) !== undefined, 5000, 'the simulated call');
    peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid: registered.callSid } });
    await peer.closed;
  });
});

describe('the public server keeps its port across restarts', () => {
  it('a new install settles on a port at its first start and saves it, so the tunnel keeps working', async () => {
    const first = await startHarness();
    let port: number;
    try {
      const state = await first.call('telephony.get', {});
      port = Number(new URL(state.localUrl!).port);
      expect(port).toBeGreaterThan(0);
      // Saved, so Settings shows the real port instead of 0.
      expect(state.settings.localPort).toBe(port);
    } finally {
      await first.core.close();
    }
    const again = await startHarness(first.dataDir);
    try {
      const state = await again.call('telephony.get', {});
      expect(Number(new URL(state.localUrl!).port)).toBe(port);
    } finally {
      await again.core.close();
    }
  });
});
