/**
 * Listen in through the real core and a real demo call: the caller simulator dials the media
 * bridge over loopback and speaks in real time, the offline engines answer by voice. While
 * the agent listens, 'call.audio' slices arrive at real-time rate and carry both sides of the
 * line, lined up with what the simulated caller actually heard; switched off, they stop.
 * And a real call taken over to the softphone (its stream closed, the call live): listening
 * is refused in words, not with a crash.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CallAudio } from '../../src/shared/contract';
import { mulawAudio, mulawToPcm } from '../../src/main/core/pipeline/audio';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { loadScenarios, type CallerScenario } from '../../src/main/core/telephony/scenario';
import { RESOURCES_DIR, startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';
import { NO_AUDIO_TO_LISTEN_TO } from '../../src/main/core/calls/listen-in';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';

function rms(bytes: Buffer): number {
  const pcm = mulawToPcm(mulawAudio(bytes)).samples;
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return pcm.length ? Math.sqrt(sum / pcm.length) : 0;
}

describe('listen in on a live demo call', () => {
  let harness: CoreHarness;
  afterAll(() => harness?.core.close());

  it('streams the mixed line audio in real time while on, and nothing once off', async () => {
    harness = await startHarness();
    const scenario = (await loadScenarios(RESOURCES_DIR)).find((s) => s.id === 'double-charge')!;
    const caller = new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario, voice: createFliteTts({ voice: scenario.voice }) });
    await caller.start();
    await until(() => harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === caller.callSid), 5000, 'call to appear');
    const callId = harness.callIdFor(caller.callSid)!;
    const slices = () => harness.events.flatMap((e) => (e.name === 'call.audio' && e.payload.callId === callId ? [e.payload] : [])) as CallAudio[];

    // A call that does not exist (or has ended) is not_found; a bad argument is bad_request.
    const missing = await harness.core.dispatch('call.listen', { callId: 'no-such-call', listening: true });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await harness.core.dispatch('call.listen', { callId, listening: 'yes' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // Nothing flows before anyone listens.
    await new Promise((r) => setTimeout(r, 300));
    expect(slices()).toEqual([]);

    const startedPerfMs = performance.now();
    expect(await harness.call('call.listen', { callId, listening: true })).toEqual({ listening: true, leaseMs: 60_000 });
    // Listen through the greeting, the caller's first line and the start of the AI's answer.
    await until(() => harness.finals(callId).some((u) => u.speaker === 'caller'), 60_000, 'the caller to speak');
    await until(() => harness.latest(callId)?.aiActivity === 'speaking', 30_000, 'the AI answering');
    await new Promise((r) => setTimeout(r, 2000));
    const heard = slices();
    const elapsedMs = performance.now() - startedPerfMs;

    // 100 ms slices, numbered without gaps, stamped 100 ms apart on the call's audio clock.
    // (The rate against the wall clock is printed, not asserted: timing lives in benchmarks.)
    const audioMs = heard.length * 100;
    console.log(`listen-in: ${heard.length} slices (${audioMs} ms of audio) in ${Math.round(elapsedMs)} ms`);
    expect(heard.length).toBeGreaterThan(20);
    expect(heard.map((s) => s.seq)).toEqual(heard.map((_, i) => i));
    for (let i = 1; i < heard.length; i++) expect(heard[i]!.atMs - heard[i - 1]!.atMs).toBe(100);
    expect(heard.every((s) => s.encoding === 'mulaw' && s.sampleRateHz === 8000 && Buffer.from(s.data, 'base64').length === 800)).toBe(true);

    // Line up the tap's 20 ms frames with the simulator's own record of the call (same clock:
    // Twilio timestamps are ms since the stream started).
    const tap = new Map<number, Buffer>();
    for (const s of heard) {
      const bytes = Buffer.from(s.data, 'base64');
      for (let f = 0; f < 5; f++) tap.set(s.atMs + f * 20, bytes.subarray(f * 160, (f + 1) * 160));
    }
    const report = caller.report;
    const callerSpeaking = (atMs: number) => report.spoken.some((l) => atMs >= l.startMs && atMs <= l.endMs);
    const played = new Map(report.played.map((p) => [p.atMs, p.bytes]));

    // Caller speech: frames while the caller spoke and nothing played to them.
    const callerOnly = [...tap].filter(([atMs]) => callerSpeaking(atMs) && !played.has(atMs));
    // AI speech: frames the caller heard while silent themselves.
    const aiOnly = [...tap].filter(([atMs]) => !callerSpeaking(atMs) && played.has(atMs));
    const quiet = [...tap].filter(([atMs]) => !callerSpeaking(atMs) && !played.has(atMs));
    const loud = (frames: Array<[number, Buffer]>) => frames.filter(([, b]) => rms(b) > 300).length / Math.max(1, frames.length);
    console.log(`listen-in frames: caller-only ${callerOnly.length} (loud ${loud(callerOnly).toFixed(2)}), AI-only ${aiOnly.length} (loud ${loud(aiOnly).toFixed(2)}), quiet ${quiet.length} (loud ${loud(quiet).toFixed(2)})`);
    expect(callerOnly.length).toBeGreaterThan(50); // a second of the caller's line at least
    expect(aiOnly.length).toBeGreaterThan(100); // the greeting and the answer's start
    expect(loud(callerOnly)).toBeGreaterThan(0.5);
    expect(loud(aiOnly)).toBeGreaterThan(0.5);
    expect(loud(quiet)).toBeLessThan(0.05);
    // What the agent hears of the AI is what the caller heard, byte for byte, at the same
    // moment give or take the loopback transit (the tap plays a clause from the moment it is
    // sent; it reaches the caller's ear a frame or two later, more on a loaded machine, so the
    // search spans half a second and the lags are printed, not asserted).
    const LAGS_MS = Array.from({ length: 26 }, (_, i) => i * 20);
    const lags = new Map<number | 'none', number>();
    for (const [atMs, b] of aiOnly) {
      const lag = LAGS_MS.find((d) => played.get(atMs + d)?.equals(b)) ?? 'none';
      lags.set(lag, (lags.get(lag) ?? 0) + 1);
    }
    console.log('listen-in: AI-only frames found in what the caller heard, by lag (ms):', Object.fromEntries(lags));
    expect((lags.get('none') ?? 0) / aiOnly.length).toBeLessThan(0.05);

    // Off: the slices stop at once (emission is synchronous with the caller's frames).
    expect(await harness.call('call.listen', { callId, listening: false })).toEqual({ listening: false, leaseMs: null });
    const atOff = slices().length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(slices().length).toBe(atOff);

    // The call ends: listening is refused, the tap is gone.
    await harness.call('call.end', { callId });
    await caller.done;
    const after = await harness.core.dispatch('call.listen', { callId, listening: true });
    expect(after).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(slices().length).toBe(atOff);
  });
});

describe('listen in on a real call taken over to the softphone', () => {
  const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
  const AUTH_TOKEN = 'fake-auth-token-0123456789';
  const PUBLIC = 'https://switchboard-listen.example.ngrok.app';
  const OUR_NUMBER = '+14155550100';
  const CALLER = '+447700900123';
  let harness: CoreHarness;
  let fake: TwilioFake;
  const savedEnv = process.env[TWILIO_URL_ENV];
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
    if (savedEnv === undefined) delete process.env[TWILIO_URL_ENV];
    else process.env[TWILIO_URL_ENV] = savedEnv;
  });

  it('says there is no audio to listen to (the stream closed when Twilio moved the call), and the call goes on', async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
    process.env[TWILIO_URL_ENV] = fake.url;
    harness = await startHarness();
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await harness.call('telephony.update', { accountSid: ACCOUNT_SID, publicBaseUrl: PUBLIC, phoneNumbers: [OUR_NUMBER] });
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
    await harness.call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });

    const rung = await fake.ringInbound({ from: CALLER, to: OUR_NUMBER });
    const scenario: CallerScenario = { id: 'real-call', title: 'real call', description: '', from: CALLER, to: OUR_NUMBER, voice: 'rms', turns: [{ say: 'Hello?', pauseMs: 300 }], afterLastTurn: 'stay' };
    const caller = await fake.openStream(rung.body, { callSid: rung.callSid, scenario, voice: createFliteTts({ voice: 'rms' }) });
    await until(() => harness.callIdFor(rung.callSid) !== undefined, 5000, 'the call');
    const callId = harness.callIdFor(rung.callSid)!;
    // Listening works while the AI has the call.
    expect(await harness.call('call.listen', { callId, listening: true })).toEqual({ listening: true, leaseMs: 60_000 });

    await harness.call('call.takeOver', { callId, softphoneReady: true });
    caller.hangUp(); // Twilio ends the AI's stream when the call leaves <Connect>
    await until(() => harness.latest(callId)?.controller === 'agent', 5000, 'the agent to have the call');
    await new Promise((r) => setTimeout(r, 300));
    expect(harness.latest(callId)).toMatchObject({ status: 'active', controller: 'agent' });

    // Was: internal error "Cannot access 'tap' before initialization".
    expect(await harness.core.dispatch('call.listen', { callId, listening: true })).toEqual({ ok: false, error: { code: 'unavailable', message: NO_AUDIO_TO_LISTEN_TO } });
    expect(await harness.call('call.listen', { callId, listening: false })).toEqual({ listening: false, leaseMs: null });
    expect(harness.latest(callId)).toMatchObject({ status: 'active', controller: 'agent' });
  });
});
