/**
 * Call recordings through the real pieces (issue 7):
 *
 * 1. A demo call: the caller simulator dials the real media bridge and speaks flite audio in
 *    real time, the offline engines answer by voice. The call's line is recorded as a stereo
 *    WAV whose left channel carries the caller and right channel the AI, each where it was
 *    heard on the call's clock (checked against the transcript's line times), and the real
 *    headless server serves it at /files/recordings/… with ranges and its token.
 * 2. A real call through the Twilio fake with "record real calls" on: the greeting says so,
 *    the take-over <Dial> asks Twilio to record the softphone leg, Twilio's signed callback
 *    (a forged one is refused) gets the media fetched with basic auth and attached to the
 *    call on its clock, once, and the line recording goes on after the hand-back with the
 *    agent's stretch silent. The auth token never reaches the log.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/shared/contract';
import type { Utterance } from '../../src/shared/domain';
import type { Recording } from '../../src/shared/history';
import { startCore } from '../../src/main/core/app';
import type { Core } from '../../src/main/core/core-types';
import { createLogger } from '../../src/main/core/log';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { decodeWav } from '../../src/main/core/recordings/wav';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { startHeadlessServer, type HeadlessServer } from '../../src/main/headless/server';
import { silentLogger } from '../../src/main/core/log';
import { parseTwiml, startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { RESOURCES_DIR, startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const TOKEN = 'recording-test-token-0123456789';
const BLOCK_MS = 20;

/** RMS of each 20 ms block of a channel (8 kHz). */
function blockLevels(samples: Int16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    let sum = 0;
    for (let j = i; j < i + 160; j++) sum += samples[j]! * samples[j]!;
    out.push(Math.sqrt(sum / 160));
  }
  return out;
}

/** Call-clock ms of the first block at or after `fromMs` whose level passes `threshold`, or null. */
function onsetMs(levels: number[], fromMs: number, threshold = 300): number | null {
  // (threshold 0: the first block with any sound at all)
  for (let b = Math.max(0, Math.floor(fromMs / BLOCK_MS)); b < levels.length; b++) if (levels[b]! > threshold) return b * BLOCK_MS;
  return null;
}

/** Call-clock ms of the first sample at or after `fromMs` that is not digital silence, or null. */
function firstSoundMs(samples: Int16Array, fromMs: number): number | null {
  for (let i = Math.max(0, Math.round(fromMs * 8)); i < samples.length; i++) if (samples[i] !== 0) return i / 8;
  return null;
}

/** Loudest block in [fromMs, toMs). */
function peak(levels: number[], fromMs: number, toMs: number): number {
  return Math.max(0, ...levels.slice(Math.floor(fromMs / BLOCK_MS), Math.ceil(toMs / BLOCK_MS)));
}

const scenario = (say: string, from = '+15550100001', to = '+15550100999'): CallerScenario => ({
  id: 'recorded',
  title: 'recorded call',
  description: '',
  from,
  to,
  voice: 'rms',
  turns: [{ say, pauseMs: 300 }],
  afterLastTurn: 'stay',
});

describe('recording a demo call', () => {
  let harness: CoreHarness;
  let server: HeadlessServer;
  afterAll(async () => {
    await server?.close();
    await harness?.core.close();
  });

  it('records caller left and AI right on the call clock, and serves the file with ranges behind the token', async () => {
    harness = await startHarness();
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      scenario: scenario('I was charged twice this month.'),
      voice: createFliteTts({ voice: 'rms' }),
    });
    await caller.start();
    await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call');
    const callId = harness.callIdFor(caller.callSid)!;

    // The greeting, the caller's line, a second of the AI's answer; then the agent ends the call.
    const aiLines = () => {
      const byId = new Map<string, Utterance>();
      for (const e of harness.events) if (e.name === 'call.transcript' && e.payload.callId === callId && e.payload.speaker === 'ai') byId.set(e.payload.id, e.payload);
      return [...byId.values()];
    };
    await until(() => aiLines().length >= 2, 60_000, 'the AI to answer');
    await new Promise((r) => setTimeout(r, 1000));
    const [greeting, answer] = aiLines();
    const callerLine = harness.finals(callId).find((u) => u.speaker === 'caller')!;
    expect(greeting!.final).toBe(true);
    expect(greeting!.text).toMatch(/This call is recorded\./);
    await harness.call('call.end', { callId });

    // The file is closed a moment after the call ends; until then its length is not known.
    let detail = await harness.call('calls.get', { callId });
    expect(detail.recordings).toHaveLength(1);
    for (const deadline = Date.now() + 5000; detail.recordings[0]!.durationMs === null && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      detail = await harness.call('calls.get', { callId });
    }
    const line = detail.recordings[0]!;
    expect(line).toMatchObject({ kind: 'line', startMs: 0, channels: 2, contentType: 'audio/wav', route: `recordings/${callId}/${line.id}` });
    const file = (await harness.core.file(line.route))!;
    const bytes = readFileSync(file.path);
    const wav = decodeWav(bytes);
    expect(wav.format).toEqual({ channels: 2, sampleRateHz: 8000, bitsPerSample: 16 });
    const durationMs = (wav.channels[0]!.length / 8000) * 1000;
    expect(line.durationMs).toBe(Math.round(durationMs));
    const call = detail.call;
    expect(durationMs).toBeGreaterThan(answer!.startMs + 900);
    expect(durationMs).toBeLessThanOrEqual(call.endedAt! - call.startedAt + 100);

    const left = blockLevels(wav.channels[0]!);
    const right = blockLevels(wav.channels[1]!);
    // Where each side starts in the file. The right channel is exactly 0 while nothing plays
    // to the caller, the left while the simulated caller sends digital silence; flite's voices
    // open with ~200 ms of near-silence, so "loud" onsets come that much after the first sound.
    const greetingSound = firstSoundMs(wav.channels[1]!, 0)!;
    const answerSound = firstSoundMs(wav.channels[1]!, callerLine.endMs)!;
    const callerSound = firstSoundMs(wav.channels[0]!, 0)!;
    const callerLoud = onsetMs(left, 0)!;
    // What the simulated caller actually did and heard, on its own stream clock.
    const heardFirstMs = caller.report.played[0]!.atMs;
    const spokeFirstMs = caller.report.spoken[0]!.startMs;
    console.log(
      `recording alignment: greeting ${Math.round(greetingSound - greeting!.startMs)} ms and answer ${Math.round(answerSound - answer!.startMs)} ms after their first audio was sent; ` +
        `caller-to-greeting gap ${callerSound - greetingSound} ms in the file vs ${spokeFirstMs - heardFirstMs} ms at the caller; ` +
        `caller loud onset ${Math.round(callerLoud - callerLine.startMs)} ms after the recogniser's start of speech`,
    );
    // The AI is on the right where the caller heard it: in the caller frame that went by as its
    // first audio was sent (an AI line's startMs). A frame is 20 ms, and the file places it
    // where it began, so within a frame or two either way.
    expect(Math.abs(greetingSound - greeting!.startMs)).toBeLessThanOrEqual(2 * BLOCK_MS);
    expect(Math.abs(answerSound - answer!.startMs)).toBeLessThanOrEqual(2 * BLOCK_MS);
    // Both channels on one clock: the caller starts as long after the greeting as they did
    // at the phone. The simulator's first speech frame leaves one tick after it decides to
    // speak (+20 ms), and the greeting's first frame was taken by the caller frame crossing it
    // on the wire (+0-20 ms); beyond that, the loopback's delivery delay both ways, which
    // grows when this 2-core machine is busy (measured 50-70 ms in all).
    const skew = callerSound - greetingSound - (spokeFirstMs - heardFirstMs);
    expect(skew).toBeGreaterThanOrEqual(-BLOCK_MS);
    expect(skew).toBeLessThanOrEqual(6 * BLOCK_MS);
    // And against the transcript: the recogniser's start of speech is its own estimate (it
    // opens the segment a little before the voice), so this one is loose.
    expect(callerLoud - callerLine.startMs).toBeGreaterThan(-300);
    expect(callerLoud - callerLine.startMs).toBeLessThan(800);
    expect(callerSound).toBeGreaterThan(greeting!.endMs - 100);
    // Each side on its own channel: no caller audio during the greeting, no AI while the caller speaks.
    expect(peak(left, greetingSound, greeting!.endMs - 100)).toBe(0);
    expect(peak(right, callerSound, callerLine.endMs - 200)).toBe(0);

    // Served by the real headless server, with its token, with range requests.
    const rendererDir = mkdtempSync(join(tmpdir(), 'switchboard-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
    server = await startHeadlessServer({ core: harness.core, token: TOKEN, rendererDir, logger: silentLogger, port: 0 });
    const url = `${server.url}/files/${line.route}`;
    const whole = await fetch(`${url}?token=${TOKEN}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const ranged = await fetch(`${url}?token=${TOKEN}`, { headers: { range: 'bytes=44-1043' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 44-1043/${bytes.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(44, 1044))).toBe(true);
    const tail = await fetch(`${url}?token=${TOKEN}`, { headers: { range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 100))).toBe(true);
    // No token: 401. Routes that are not a recording of this call: 404.
    expect((await fetch(url)).status).toBe(401);
    for (const bad of [
      `recordings/${callId}/00000000-0000-4000-8000-000000000000`,
      `recordings/00000000-0000-4000-8000-000000000000/${line.id}`,
      `recordings/${callId}/${line.id}/..`,
      `recordings/${callId}/..%2F..%2Fswitchboard.db`,
      `recordings/..%2F..%2F..%2Fetc%2Fpasswd`,
      'recordings/',
      'nothing-here/x',
    ]) {
      expect((await fetch(`${server.url}/files/${bad}?token=${TOKEN}`)).status, bad).toBe(404);
    }
  });
});

// ---------------------------------------------------------------------------------------

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-recordings-42';
const PUBLIC = 'https://switchboard-rec.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const CALLER = '+447700900123';

describe('recording a real call with its agent leg (Twilio fake)', () => {
  let core: Core;
  let fake: TwilioFake;
  const logLines: string[] = [];
  const events: AnyEvent[] = [];
  const savedEnv = process.env[TWILIO_URL_ENV];
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const result = await core.dispatch(name, input);
    if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  };
  const callUpdates = (callSid: string) => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`));
  const recordingsOf = async (callId: string) => (await call<{ recordings: Recording[] }>('calls.get', { callId })).recordings;

  afterAll(async () => {
    await core?.close();
    await fake?.close();
    if (savedEnv === undefined) delete process.env[TWILIO_URL_ENV];
    else process.env[TWILIO_URL_ENV] = savedEnv;
  });

  it('records the softphone leg with Twilio, fetches it with the account credentials, and keeps the line on the call clock', async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
    process.env[TWILIO_URL_ENV] = fake.url;
    // Every log line, at debug, to check that no credential is ever written.
    const destination: DestinationStream = { write: (line: string) => void logLines.push(line) };
    core = await startCore({
      dataDir: mkdtempSync(join(tmpdir(), 'switchboard-test-')),
      resourcesDir: RESOURCES_DIR,
      transport: 'websocket',
      logger: createLogger({ level: 'debug', destination }),
    });
    core.subscribe((event) => events.push(event));
    await call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await call<{ localUrl: string }>('telephony.update', {
      accountSid: ACCOUNT_SID,
      publicBaseUrl: PUBLIC,
      phoneNumbers: [OUR_NUMBER],
      allowedHours: { start: '00:00', end: '24:00' },
    });
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl });
    await call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
    expect(await call('settings.update', { recordRealCalls: true })).toMatchObject({ recordDemoCalls: true, recordRealCalls: true });

    const rung = await fake.ringInbound({ from: CALLER, to: OUR_NUMBER });
    const voice = createFliteTts({ voice: 'rms' });
    const caller = await fake.openStream(rung.body, { callSid: rung.callSid, scenario: scenario('I was charged twice this month.', CALLER, OUR_NUMBER), voice });
    const callIdOf = () => events.flatMap((e) => (e.name === 'call.updated' && e.payload.callSid === rung.callSid ? [e.payload.id] : []))[0];
    await until(() => callIdOf() !== undefined, 5000, 'the call');
    const callId = callIdOf()!;
    const transcript = (speaker: string) =>
      events.flatMap((e) => (e.name === 'call.transcript' && e.payload.callId === callId && e.payload.speaker === speaker ? [e.payload] : []));
    await until(() => transcript('ai').some((u) => /This call is recorded/.test(u.text)), 15_000, 'the greeting to say the call is recorded');
    await new Promise((r) => setTimeout(r, 1200)); // the caller hears a second of it

    // Take over: the <Dial> asks Twilio to record the softphone leg, both channels, and to call back.
    await call('call.takeOver', { callId, softphoneReady: true });
    const takeoverAtMs = events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'takeover' ? [e.payload.atMs] : []))[0]!;
    expect(parseTwiml(String(callUpdates(rung.callSid)[0]!.params.Twiml)).dial).toEqual({
      record: 'record-from-answer-dual',
      recordingStatusCallback: `${PUBLIC}/twilio/recording-status`,
      recordingStatusCallbackEvent: ['completed', 'absent'],
    });
    caller.hangUp(); // Twilio ends the AI's stream when the call leaves <Connect>
    await new Promise((r) => setTimeout(r, 1500)); // the agent talks to the caller on the softphone

    // Hand back: the <Dial> leg ends, Twilio posts the recording's status, the core fetches it.
    await call('call.handBack', { callId });
    const backTwiml = String(callUpdates(rung.callSid)[1]!.params.Twiml);
    const returned = await fake.openStream(backTwiml, {
      callSid: rung.callSid,
      scenario: scenario('My account number is four five six seven eight.', CALLER, OUR_NUMBER),
      voice,
      replyTimeoutMs: 300,
    });
    await fake.recordingsSettled();
    expect(fake.recordingCallbacks.map((c) => ({ status: c.status, response: c.response.status }))).toEqual([{ status: 'completed', response: 204 }]);
    const recordingSid = fake.recordingCallbacks[0]!.recordingSid;
    let agent: Recording | undefined;
    for (const deadline = Date.now() + 10_000; !agent && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      agent = (await recordingsOf(callId)).find((r) => r.kind === 'agent');
    }
    expect(agent).toBeDefined();
    // Fetched once, as the account, with basic auth; without it the fake (like Twilio) says 401.
    // (The test's own unauthenticated probe below is not the core's: it carries no username.)
    const mediaRequests = () => fake.requests.filter((r) => r.path.includes('/Recordings/') && r.username !== null);
    expect(mediaRequests().map((r) => ({ path: r.path, username: r.username, status: r.status }))).toEqual([
      { path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recordingSid}.wav`, username: ACCOUNT_SID, status: 200 },
    ]);
    expect((await fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recordingSid}.wav`)).status).toBe(401);

    // Twilio retrying the callback attaches nothing twice; a forged or unsigned one changes nothing.
    expect((await fake.replayRecordingCallback(recordingSid)).status).toBe(204);
    const params = fake.recordings.get(recordingSid)!.callback!.params;
    const forgedSid = `RE${'f'.repeat(32)}`;
    const forged = { ...params, RecordingSid: forgedSid, RecordingUrl: params.RecordingUrl!.replace(recordingSid, forgedSid) };
    expect((await fake.postWebhook(`${PUBLIC}/twilio/recording-status`, forged, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
    expect((await fake.postWebhook(`${PUBLIC}/twilio/recording-status`, forged, { signature: null })).status).toBe(403);
    expect((await fake.postWebhook(`${PUBLIC}/twilio/recording-status`, forged, { authToken: 'someone-elses-token' })).status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(mediaRequests()).toHaveLength(1);
    expect((await recordingsOf(callId)).filter((r) => r.kind === 'agent')).toHaveLength(1);

    // The agent leg: Twilio's dual-channel file (caller left, agent right), on the call clock
    // from the take-over.
    expect(agent).toMatchObject({ channels: 2, contentType: 'audio/wav', route: `recordings/${callId}/${agent!.id}` });
    expect(agent!.startMs).toBeGreaterThanOrEqual(takeoverAtMs);
    expect(agent!.startMs).toBeLessThan(takeoverAtMs + 1000);
    expect(agent!.durationMs).toBeGreaterThanOrEqual(1400);
    const agentWav = decodeWav(readFileSync((await core.file(agent!.route))!.path));
    const [agentLeft, agentRight] = agentWav.channels.map(blockLevels) as [number[], number[]];
    const half = (agentLeft.length * BLOCK_MS) / 2;
    expect(peak(agentLeft, 0, half - 40)).toBeGreaterThan(3000);
    expect(peak(agentRight, 0, half - 40)).toBe(0);
    expect(peak(agentRight, half + 40, half * 2)).toBeGreaterThan(3000);

    // Back with the AI: the caller is heard again on the new stream; then the agent ends the call.
    await until(() => transcript('caller').some((u) => u.final && /four five six/.test(u.text)), 20_000, 'the caller heard again');
    const secondLine = transcript('caller').find((u) => u.final && /four five six/.test(u.text))!;
    await call('call.end', { callId });
    await returned.done;

    // One line recording for the whole call: the first stream, silence while the call was on
    // the softphone, then the second stream, each where it happened on the call clock.
    const recordings = await recordingsOf(callId);
    expect(recordings.map((r) => r.kind)).toEqual(['line', 'agent']);
    const lineWav = decodeWav(readFileSync((await core.file(recordings[0]!.route))!.path));
    const lineLeft = blockLevels(lineWav.channels[0]!);
    const lineRight = blockLevels(lineWav.channels[1]!);
    expect(peak(lineRight, 0, takeoverAtMs)).toBeGreaterThan(1000); // the greeting
    expect(peak(lineLeft, takeoverAtMs + 200, agent!.startMs + agent!.durationMs! - 200)).toBe(0);
    expect(peak(lineRight, takeoverAtMs + 200, agent!.startMs + agent!.durationMs! - 200)).toBe(0);
    const secondOnset = onsetMs(lineLeft, agent!.startMs + agent!.durationMs!)!;
    console.log(`hand-back stream: caller onset ${secondOnset - secondLine.startMs} ms from its transcript start`);
    expect(Math.abs(secondOnset - secondLine.startMs)).toBeLessThan(400);

    // No credential in any log line (the token, or the basic-auth header built from it).
    const log = logLines.join('');
    expect(log).toContain('agent leg recording attached');
    expect(log).not.toContain(AUTH_TOKEN);
    expect(log).not.toContain(Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'));
  });
});
