/**
 * The telephony edge under a flood (issue 10), on a real core with Twilio configured: while
 * a real call (admitted with the token from its signed voice webhook) is live on the public
 * /media, 300 idle sockets are opened to the same public /media. The idle sockets are all
 * gone within 10 s (past the cap of sockets waiting for start they are refused at once; those
 * admitted are closed when their start does not come), a signed webhook still answers 200,
 * the live call's audio keeps flowing both ways (heard through listen-in: the caller's frames
 * reach the app and the AI's greeting plays over them), and a new call gets in after.
 *
 * And the cap of live streams is the one in Settings → Telephony, read for each new call.
 *
 * Timings are shortened through the core's bridge options (3 s to start, 1 s heartbeat); the
 * caps are the production ones (32 waiting, 200 live). The 5 s default is proven in
 * test/unit/telephony/media-bridge-defaults.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AnyEvent } from '../../src/shared/contract';
import { startCore } from '../../src/main/core/app';
import type { Core } from '../../src/main/core/core-types';
import { silentLogger } from '../../src/main/core/log';
import { MULAW_SILENCE } from '../../src/main/core/pipeline/audio';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import type { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { MEDIA_BRIDGE_LIMITS } from '../../src/main/core/telephony/media-bridge';
import { CallerScenario } from '../../src/main/core/telephony/scenario';
import { parseTwiml, startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { RESOURCES_DIR } from '../support/core-harness';
import { connectRawPeer, until } from '../support/raw-twilio';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-0123456789';
const PUBLIC = 'https://switchboard-flood.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const CALLER = '+447700900123';
const FLOOD_SOCKETS = 300;
const START_TIMEOUT_MS = 3000;

/** A caller who stays quiet through the greeting and the flood (10 s), then says one line and stays on. */
const LISTENER = CallerScenario.parse({
  id: 'flood-listener',
  title: 'Listener',
  description: 'Says one line, then stays on the line.',
  from: CALLER,
  to: OUR_NUMBER,
  voice: 'slt',
  turns: [{ say: 'Hello, I am calling about my order.', pauseMs: 10_000 }],
  afterLastTurn: 'stay',
});

type FloodOutcome = { refused: number } | { closed: number; reason: string } | { error: string };

/** Opens an idle socket (it never sends a start); resolves with how it ended. */
function idleSocket(url: string, sayConnected: boolean): Promise<FloodOutcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      socket.terminate();
      resolve({ refused: res.statusCode ?? 0 });
    });
    socket.once('open', () => {
      if (sayConnected) socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    });
    socket.once('close', (code, reason) => resolve({ closed: code, reason: reason.toString() }));
    socket.once('error', (error) => resolve({ error: error.message }));
  });
}

describe('telephony edge: 300 idle sockets, a signed webhook and a live call; the live-stream cap from Settings', () => {
  let fake: TwilioFake;
  let core: Core;
  const events: AnyEvent[] = [];
  let mediaUrl = '';
  const call = async (name: string, input: unknown) => {
    const result = await core.dispatch(name, input);
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
    return result.value as Record<string, unknown>;
  };
  const callIdFor = (callSid: string) => {
    for (const e of events) if (e.name === 'call.updated' && e.payload.callSid === callSid) return e.payload.id;
    return undefined;
  };
  const voiceWebhook = (callSid: string) =>
    fake.postWebhook(`${PUBLIC}/twilio/voice`, {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: CALLER,
      To: OUR_NUMBER,
    });

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
    core = await startCore({
      dataDir: mkdtempSync(join(tmpdir(), 'switchboard-flood-')),
      resourcesDir: RESOURCES_DIR,
      transport: 'websocket',
      logger: silentLogger,
      bridge: { startTimeoutMs: START_TIMEOUT_MS, heartbeatIntervalMs: 1000 },
    });
    core.subscribe((event) => events.push(event));
    await call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await call('telephony.update', { accountSid: ACCOUNT_SID, publicBaseUrl: PUBLIC });
    const localUrl = state.localUrl as string;
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl });
    mediaUrl = `${localUrl.replace(/^http:/, 'ws:')}/media`;
  });
  afterAll(async () => {
    await core?.close();
    await fake?.close();
  });

  it('closes every idle socket within 10 s, answers the webhook, and the live call keeps its audio', async () => {
    // The live call: Twilio's signed voice webhook mints its stream token; Twilio opens the stream.
    const callSid = `CA${'a'.repeat(32)}`;
    const answered = await voiceWebhook(callSid);
    expect(answered.status).toBe(200);
    const caller: CallerSimulator = await fake.openStream(answered.body, { callSid, scenario: LISTENER, voice: createFliteTts({ voice: LISTENER.voice }) });
    await until(() => callIdFor(callSid) !== undefined, 10_000, 'the live call');
    const callId = callIdFor(callSid)!;
    // Listen in: the line's audio, both sides mixed, paced by the caller's inbound frames.
    await call('call.listen', { callId, listening: true });
    const lineAudio = () => events.flatMap((e) => (e.name === 'call.audio' && e.payload.callId === callId ? [Buffer.from(e.payload.data, 'base64')] : []));

    // The flood: 300 sockets at once on the public /media; a third say `connected` and nothing more.
    const flood = Array.from({ length: FLOOD_SOCKETS }, (_, i) => idleSocket(mediaUrl, i % 3 === 0));
    const settled: FloodOutcome[] = [];
    for (const outcome of flood) void outcome.then((o) => settled.push(o));
    // Its peak: everything past the cap refused, the rest open and waiting for their start.
    await until(() => settled.filter((o) => 'refused' in o).length === FLOOD_SOCKETS - MEDIA_BRIDGE_LIMITS.maxPendingSockets, 10_000, 'the flood');
    const slicesAtPeak = lineAudio().length;

    // Meanwhile a signed webhook is answered.
    const meanwhile = await voiceWebhook(`CA${'b'.repeat(32)}`);
    expect(meanwhile.status).toBe(200);
    const twiml = parseTwiml(meanwhile.body);
    expect(twiml.parameters.token).toMatch(/^[\w-]{32}$/);

    // Every idle socket is gone within 10 s: refused at once past the cap, or closed for not starting.
    await until(() => settled.length === FLOOD_SOCKETS, 10_000, 'every idle socket closed');
    const duringFlood = lineAudio().slice(slicesAtPeak);
    const refused = settled.filter((o) => 'refused' in o);
    const closed = settled.filter((o): o is { closed: number; reason: string } => 'closed' in o);
    expect(settled.filter((o) => 'error' in o)).toEqual([]);
    expect(closed).toHaveLength(MEDIA_BRIDGE_LIMITS.maxPendingSockets);
    expect(new Set(closed.map((o) => `${o.closed} ${o.reason}`))).toEqual(new Set([`1008 no start frame within ${START_TIMEOUT_MS} ms`]));
    expect(refused).toHaveLength(FLOOD_SOCKETS - MEDIA_BRIDGE_LIMITS.maxPendingSockets);
    expect(new Set(refused.map((o) => o.refused))).toEqual(new Set([503]));

    // The call's audio kept flowing while the idle sockets were held (3 s): the caller's frames
    // reached the app (at least half a second of 100 ms slices), and the AI's greeting played
    // to the caller over them (the caller is silent, so any sound on the line is the AI).
    expect(duringFlood.length).toBeGreaterThanOrEqual(5);
    expect(duringFlood.some((slice) => slice.some((byte) => byte !== MULAW_SILENCE && byte !== 0x7f))).toBe(true);
    expect(caller.report.received.length).toBeGreaterThan(0);
    expect(caller.report.protocolErrors).toEqual([]);
    const summary = [...events].reverse().find((e) => e.name === 'call.updated' && e.payload.id === callId);
    expect(summary?.name === 'call.updated' && summary.payload.status).not.toBe('ended');

    // And a new call gets in once the flood is over (the token from the webhook answered meanwhile).
    const next = await connectRawPeer(mediaUrl);
    next.start(`CA${'b'.repeat(32)}`, twiml.parameters, ACCOUNT_SID);
    await until(() => callIdFor(`CA${'b'.repeat(32)}`) !== undefined, 10_000, 'the next call');

    caller.hangUp();
    expect((await caller.done).endedBy).toBe('caller');
    next.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid: `CA${'b'.repeat(32)}` } });
    await next.closed;
  });

  it('applies Settings → Telephony maxLiveStreams to the next call: past it a new socket is refused (503), live calls go on', async () => {
    await call('telephony.update', { maxLiveStreams: 1 });
    const tokenFor = async (callSid: string) => parseTwiml((await voiceWebhook(callSid)).body).parameters;
    const first = `CA${'d'.repeat(32)}`;
    const second = `CA${'e'.repeat(32)}`;
    const live = await connectRawPeer(mediaUrl);
    live.start(first, await tokenFor(first), ACCOUNT_SID);
    await until(() => callIdFor(first) !== undefined, 10_000, 'the first call');

    const secondToken = await tokenFor(second);
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(mediaUrl);
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => resolve(101));
    });
    expect(refused).toBe(503);
    expect(live.socket.readyState).toBe(WebSocket.OPEN);

    // Raised: the same caller gets in at once (its token was never spent).
    await call('telephony.update', { maxLiveStreams: 2 });
    const retry = await connectRawPeer(mediaUrl);
    retry.start(second, secondToken, ACCOUNT_SID);
    await until(() => callIdFor(second) !== undefined, 10_000, 'the second call');
    for (const [peer, callSid] of [[live, first], [retry, second]] as const) {
      peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid } });
      await peer.closed;
    }
  });
});
