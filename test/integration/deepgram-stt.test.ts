/**
 * Deepgram live STT through the real @deepgram/sdk v5 against the loopback fake
 * (test/fakes/deepgram-fake.ts): handshake, result mapping onto the stream clock, KeepAlive,
 * close/abort, and a dropped socket mid-utterance (reconnect, replay, nothing lost).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FRAME_BYTES, MULAW_SILENCE, mulawAudio } from '../../src/main/core/pipeline/audio';
import { withSttFallback, type SttFallbackNotice } from '../../src/main/core/providers/fallback';
import { ProviderFailure } from '../../src/main/core/providers/failure';
import { createDeepgramStt, type DeepgramSttOptions } from '../../src/main/core/providers/stt/deepgram';
import { createPocketsphinxStt } from '../../src/main/core/providers/stt/pocketsphinx';
import type { MulawAudio, SttEvent, SttProvider, SttStream } from '../../src/main/core/providers/types';
import { results, speechStarted, startDeepgramFake, utteranceEnd, type DeepgramFake } from '../fakes/deepgram-fake';
import { RESOURCES_DIR, synthesise } from '../support/stt-fixtures';
import { normaliseTranscript } from '../../src/main/core/providers/stt/text-normalise';

const API_KEY = 'dg-test-key-3f9a2c';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Caller audio whose every byte says where it sits in the stream, so replays can be checked. */
function streamBytes(from: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = ((from + i) * 31 + ((from + i) >> 8)) & 0xff;
  return out;
}

/** Writes `ms` of audio as 20 ms frames; `paceMs` between frames (0: as fast as possible). */
async function writeAudio(stream: SttStream, state: { written: number }, ms: number, paceMs = 0): Promise<void> {
  const frames = Math.round((ms * 8) / FRAME_BYTES);
  for (let i = 0; i < frames; i++) {
    stream.write(mulawAudio(streamBytes(state.written, FRAME_BYTES)));
    state.written += FRAME_BYTES;
    if (paceMs > 0) await sleep(paceMs);
    else if (i % 10 === 9) await sleep(1); // let the socket breathe, still far faster than real time
  }
}

/** Collects events until the stream ends; resolves with them, or with the error that ended it. */
function collect(stream: SttStream): { events: SttEvent[]; done: Promise<Error | null> } {
  const events: SttEvent[] = [];
  const done = (async () => {
    try {
      for await (const event of stream.events) events.push(event);
      return null;
    } catch (error) {
      return error as Error;
    }
  })();
  return { events, done };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

describe('Deepgram live STT (real SDK, loopback fake)', () => {
  let fake: DeepgramFake;
  const provider = (extra: Partial<DeepgramSttOptions> = {}) =>
    createDeepgramStt({ apiKey: API_KEY, environment: fake.environment, ...extra });

  beforeEach(async () => {
    fake = await startDeepgramFake({ apiKey: API_KEY });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('opens the socket as Deepgram expects and maps results onto the stream clock', async () => {
    fake.scriptListen([
      { atAudioMs: 300, send: speechStarted(0.2) },
      { atAudioMs: 600, send: results({ transcript: 'I was', start: 0, duration: 0.6 }) },
      { atAudioMs: 1000, send: results({ transcript: 'I was charged', start: 0, duration: 1.0, isFinal: true, confidence: 0.9 }) },
      { atAudioMs: 1200, send: results({ transcript: 'twice', start: 1.0, duration: 0.2 }) },
      { atAudioMs: 1600, send: results({ transcript: 'twice.', start: 1.0, duration: 0.6, isFinal: true, speechFinal: true, confidence: 0.8 }) },
      // Second utterance: no speech_final; UtteranceEnd closes it.
      { atAudioMs: 2200, send: speechStarted(2.1) },
      { atAudioMs: 2600, send: results({ transcript: 'Can you refund it?', start: 1.6, duration: 1.0, isFinal: true }) },
      { atAudioMs: 2800, send: results({ transcript: '', start: 2.6, duration: 0.2, isFinal: true }) },
      { atAudioMs: 2800, send: utteranceEnd(2.55) },
      // Third: still open when the stream closes; Finalize's answer closes it.
      { atAudioMs: 3200, send: results({ transcript: 'Thanks', start: 2.8, duration: 0.4 }) },
      { onFinalize: results({ transcript: 'Thanks.', start: 2.8, duration: 0.6 }) },
    ]);
    const stream = provider({ endpointingMs: 450, utteranceEndMs: 1200 }).open({ signal: new AbortController().signal });
    const { events, done } = collect(stream);
    const state = { written: 0 };
    await writeAudio(stream, state, 3400);

    const conn = await fake.listenConnection(0);
    await waitFor(() => conn.audioMs >= 3400, 3000, 'all audio at the fake');
    await within(stream.close(), 3000, 'close()');
    expect(await within(done, 1000, 'events end')).toBeNull();

    // Handshake: exactly what Deepgram documents for 8 kHz telephone audio.
    expect(conn.authorization).toBe(`Token ${API_KEY}`);
    const q = Object.fromEntries(conn.query);
    expect(q).toMatchObject({
      model: 'nova-3',
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
      interim_results: 'true',
      endpointing: '450',
      utterance_end_ms: '1200',
      smart_format: 'true',
      vad_events: 'true',
    });

    expect(events).toEqual([
      { type: 'speech-started', atMs: 200 },
      { type: 'interim', text: 'I was', startMs: 0, endMs: 600 },
      { type: 'interim', text: 'I was charged', startMs: 0, endMs: 1000 },
      { type: 'interim', text: 'I was charged twice', startMs: 0, endMs: 1200 },
      {
        type: 'final',
        text: 'I was charged twice.',
        startMs: 0,
        endMs: 1600,
        confidence: expect.closeTo(0.85, 5),
        // Each word's time on the stream clock (the redacted span's tone in a recording uses them).
        words: [
          { text: 'I', startMs: 0, endMs: 333 },
          { text: 'was', startMs: 333, endMs: 667 },
          { text: 'charged', startMs: 667, endMs: 1000 },
          { text: 'twice.', startMs: 1000, endMs: 1600 },
        ],
      },
      { type: 'speech-started', atMs: 2100 },
      { type: 'interim', text: 'Can you refund it?', startMs: 1600, endMs: 2600 },
      {
        type: 'final',
        text: 'Can you refund it?',
        startMs: 1600,
        endMs: 2600,
        confidence: expect.closeTo(0.98, 5),
        words: [
          { text: 'Can', startMs: 1600, endMs: 1850 },
          { text: 'you', startMs: 1850, endMs: 2100 },
          { text: 'refund', startMs: 2100, endMs: 2350 },
          { text: 'it?', startMs: 2350, endMs: 2600 },
        ],
      },
      { type: 'interim', text: 'Thanks', startMs: 2800, endMs: 3200 },
      { type: 'final', text: 'Thanks.', startMs: 2800, endMs: 3400, confidence: expect.closeTo(0.98, 5), words: [{ text: 'Thanks.', startMs: 2800, endMs: 3400 }] },
    ]);

    // Audio went up untouched; close() sent Finalize then CloseStream after the last byte.
    expect(conn.audio().equals(streamBytes(0, state.written))).toBe(true);
    expect(conn.controls.map((c) => c.type)).toEqual(['Finalize', 'CloseStream']);
    expect(conn.controls[0]!.atAudioMs).toBe(3400);
    expect((await conn.closed).code).toBe(1000);
    await stream.close(); // idempotent
  });

  it('batches relaxed frames (the caller listening quietly) 100 ms a message, and a frame that is not relaxed sends what was held at once', async () => {
    const stream = provider().open({ signal: new AbortController().signal });
    const { done } = collect(stream);
    const conn = await fake.listenConnection(0);
    let written = 0;
    const frame = (urgency: 'now' | 'relaxed') => {
      stream.write(mulawAudio(streamBytes(written, FRAME_BYTES)), urgency);
      written += FRAME_BYTES;
    };
    frame('now');
    await waitFor(() => conn.bytesReceived === written, 2000, 'the first frame');
    // Four quiet frames are held; the fifth makes 100 ms and all five go in one message.
    for (let i = 0; i < 4; i++) frame('relaxed');
    await sleep(100);
    expect(conn.bytesReceived).toBe(FRAME_BYTES);
    frame('relaxed');
    await waitFor(() => conn.bytesReceived === written, 2000, 'the batch');
    // Two held, then the caller speaks: the held frames and the voiced one go at once.
    frame('relaxed');
    frame('relaxed');
    frame('now');
    await waitFor(() => conn.bytesReceived === written, 2000, 'the flush');
    // Held frames are not lost at close either.
    frame('relaxed');
    await within(stream.close(), 3000, 'close()');
    expect(await within(done, 1000, 'events end')).toBeNull();
    expect(conn.messageSizes()).toEqual([FRAME_BYTES, 5 * FRAME_BYTES, 3 * FRAME_BYTES, FRAME_BYTES]);
    expect(conn.audio().equals(streamBytes(0, written))).toBe(true);
  });

  it('sends KeepAlive while no audio flows, so the idle timeout never closes the socket', async () => {
    await fake.close();
    fake = await startDeepgramFake({ apiKey: API_KEY, listenIdleTimeoutMs: 700 });
    const stream = provider({ keepAliveMs: 200 }).open({ signal: new AbortController().signal });
    const { done } = collect(stream);
    const state = { written: 0 };
    await writeAudio(stream, state, 200);
    const conn = await fake.listenConnection(0);
    await sleep(2000); // nearly 3x the idle timeout, no audio
    const keepAlives = conn.controls.filter((c) => c.type === 'KeepAlive');
    expect(keepAlives.length).toBeGreaterThanOrEqual(5);
    expect(keepAlives.every((c) => c.atAudioMs === 200)).toBe(true);
    expect(fake.listenConnections).toHaveLength(1); // never closed, never reconnected

    await writeAudio(stream, state, 200);
    await within(stream.close(), 3000, 'close()');
    expect(await within(done, 1000, 'events end')).toBeNull();
    expect(conn.bytesReceived).toBe(state.written);
  });

  it('reconnects within 1 s after a drop mid-utterance, replays the audio, and loses no words', async () => {
    // Connection 0 drops after 1000 ms of audio, in the middle of "I was | charged twice".
    fake.scriptListen([
      { atAudioMs: 200, send: speechStarted(0.1) },
      { atAudioMs: 600, send: results({ transcript: 'I was', start: 0, duration: 0.6 }) },
      { atAudioMs: 800, send: results({ transcript: 'I was', start: 0, duration: 0.8, isFinal: true }) },
      { atAudioMs: 1000, send: results({ transcript: 'charged', start: 0.8, duration: 0.2 }) },
      { atAudioMs: 1000, drop: true },
    ]);
    // Connection 1 starts at stream 800 ms (the end of the last final result) and hears the rest.
    fake.scriptListen([
      { atAudioMs: 100, send: speechStarted(0.0) }, // = stream 800 ms, after the first onset
      { atAudioMs: 600, send: results({ transcript: 'charged twice', start: 0, duration: 0.6 }) },
      { atAudioMs: 1000, send: results({ transcript: 'charged twice', start: 0, duration: 1.0, isFinal: true, speechFinal: true }) },
    ]);
    const stream = provider().open({ signal: new AbortController().signal });
    const { events, done } = collect(stream);
    const state = { written: 0 };
    const writing = writeAudio(stream, state, 2400, 20); // real time, as Twilio delivers it

    const conn0 = await fake.listenConnection(0);
    await within(conn0.closed, 5000, 'the drop');
    const droppedAt = Date.now();
    const conn1 = await fake.listenConnection(1, 2000);
    const reconnectMs = Date.now() - droppedAt;
    expect(reconnectMs).toBeLessThan(1000);

    await writing;
    await waitFor(() => conn1.bytesReceived >= state.written - 6400, 3000, 'replayed audio at the fake');
    await within(stream.close(), 3000, 'close()');
    expect(await within(done, 1000, 'events end')).toBeNull();

    // Nothing lost, nothing final sent twice: connection 0 got [0, n0); connection 1 got
    // exactly [800 ms, end), so together they cover every byte written.
    const committed = 800 * 8;
    expect(conn0.bytesReceived).toBeGreaterThanOrEqual(committed);
    expect(conn0.audio().equals(streamBytes(0, conn0.bytesReceived))).toBe(true);
    expect(conn1.audio().equals(streamBytes(committed, state.written - committed))).toBe(true);
    const overlap = conn0.bytesReceived - committed; // re-sent because it was never final
    expect(conn0.bytesReceived + conn1.bytesReceived - overlap).toBe(state.written);
    expect(conn1.query.get('encoding')).toBe('mulaw');

    // One clock: connection 1's times are shifted by the 800 ms it did not hear.
    expect(events).toEqual([
      { type: 'speech-started', atMs: 100 },
      { type: 'interim', text: 'I was', startMs: 0, endMs: 600 },
      { type: 'interim', text: 'I was', startMs: 0, endMs: 800 },
      { type: 'interim', text: 'I was charged', startMs: 0, endMs: 1000 },
      { type: 'speech-started', atMs: 800 },
      { type: 'interim', text: 'I was charged twice', startMs: 0, endMs: 1400 },
      {
        type: 'final',
        text: 'I was charged twice',
        startMs: 0,
        endMs: 1800,
        confidence: expect.closeTo(0.98, 5),
        // Word times on the same clock: connection 1's words are shifted by 800 ms too.
        words: [
          { text: 'I', startMs: 0, endMs: 400 },
          { text: 'was', startMs: 400, endMs: 800 },
          { text: 'charged', startMs: 800, endMs: 1300 },
          { text: 'twice', startMs: 1300, endMs: 1800 },
        ],
      },
    ]);
  });

  it('ends the events with a clear error when reconnecting keeps failing', async () => {
    fake.scriptListen([{ atAudioMs: 400, drop: true }]);
    const stream = provider({ maxReconnectAttempts: 2, connectTimeoutMs: 500, maxOutageMs: 5000 }).open({ signal: new AbortController().signal });
    const { done } = collect(stream);
    const state = { written: 0 };
    const conn0 = await fake.listenConnection(0);
    await fake.close(); // the service is gone: every reconnect is refused
    await writeAudio(stream, state, 400);
    await within(conn0.closed, 3000, 'the drop');
    const error = await within(done, 5000, 'events fail');
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/^Deepgram STT: connection lost and 2 reconnect attempts failed/);
    expect(error!.message).not.toContain(API_KEY);
    await stream.close(); // resolves after a failure too
    fake = await startDeepgramFake({ apiKey: API_KEY }); // for afterEach
  });

  it('gives up on a service that never answers with a clear error', async () => {
    await fake.close();
    const stream = createDeepgramStt({ apiKey: API_KEY, environment: fake.environment, maxReconnectAttempts: 2, maxOutageMs: 5000 }).open({
      signal: new AbortController().signal,
    });
    const { done } = collect(stream);
    stream.write(mulawAudio(streamBytes(0, FRAME_BYTES)));
    const error = await within(done, 5000, 'events fail');
    expect(error?.message).toMatch(/^Deepgram STT: could not connect \(3 attempts; last: .*ECONNREFUSED/);
    expect(error?.message).not.toContain(API_KEY);
    fake = await startDeepgramFake({ apiKey: API_KEY }); // for afterEach
  });

  it('fails at once with a clear error (and no retries) when the API key is refused', async () => {
    const stream = createDeepgramStt({ apiKey: 'wrong-key-77', environment: fake.environment }).open({ signal: new AbortController().signal });
    const { events, done } = collect(stream);
    stream.write(mulawAudio(streamBytes(0, FRAME_BYTES)));
    const error = await within(done, 3000, 'events fail');
    expect(error?.message).toMatch(/^Deepgram STT: the API key was refused \(.*401/);
    expect(error?.message).not.toContain('wrong-key-77');
    expect(events).toEqual([]);
    await sleep(300);
    expect(fake.handshakes).toEqual([{ path: '/v1/listen', status: 401 }]);
    expect(fake.listenConnections).toHaveLength(0);
  });

  it('abort ends the events at once, drops pending results and closes the socket', async () => {
    fake.scriptListen([{ atAudioMs: 200, send: results({ transcript: 'hello', start: 0, duration: 0.2 }) }]);
    const controller = new AbortController();
    const stream = provider().open({ signal: controller.signal });
    const state = { written: 0 };
    await writeAudio(stream, state, 400);
    const conn = await fake.listenConnection(0);
    await waitFor(() => conn.audioMs >= 400, 3000, 'audio at the fake');
    await sleep(50); // the interim is now queued, unread
    controller.abort();
    const seen: SttEvent[] = [];
    for await (const event of stream.events) seen.push(event);
    expect(seen).toEqual([]);
    const closed = await within(conn.closed, 2000, 'socket closed');
    expect(closed.code).toBe(1000);
    expect(conn.controls.map((c) => c.type)).not.toContain('CloseStream');
    stream.write(mulawAudio(streamBytes(state.written, FRAME_BYTES))); // ignored, no throw
    await within(stream.close(), 500, 'close() after abort');
    expect(fake.listenConnections).toHaveLength(1);
  });
});

describe('Deepgram outage budget', () => {
  it('gives up once no socket has worked for maxOutageMs after a failure, even while a reconnect hangs', async () => {
    // The first connection is cut at once (a failure: the outage starts); every later one is
    // accepted and never answered, so the reconnect neither opens nor fails on its own.
    const sockets = new Set<Socket>();
    let connections = 0;
    const silent: Server = createServer((socket) => {
      if (connections++ === 0) return void socket.destroy();
      sockets.add(socket);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const origin = `127.0.0.1:${port}`;
      const environment = { base: `http://${origin}`, production: `ws://${origin}`, agent: `ws://${origin}`, agentRest: `http://${origin}` };
      const stream = createDeepgramStt({ apiKey: API_KEY, environment, connectTimeoutMs: 10_000, maxOutageMs: 400 }).open({ signal: new AbortController().signal });
      const { done } = collect(stream);
      stream.write(mulawAudio(streamBytes(0, FRAME_BYTES)));
      const error = await within(done, 5000, 'events fail');
      expect(error).toBeInstanceOf(ProviderFailure);
      expect((error as ProviderFailure).problem).toBe('unreachable');
      expect(error!.message).toMatch(/^Deepgram STT: could not connect \(no connection within 400 ms/);
      expect(connections).toBe(2);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

/**
 * The cloud recogniser failing on a call: the offline one (real PocketSphinx) takes the stream
 * over, having been given the caller's audio since the last final result, so the words said
 * while it switched are heard. Audio goes in at real time (20 ms frames every 20 ms), so the
 * stream clock is the call's clock; the switch is measured on it, not on the wall.
 */
describe('falling back to the offline recogniser', () => {
  let fake: DeepgramFake;
  let offline: SttProvider;
  let cacheDir: string;
  const BEFORE = 'I was charged twice this month';
  const AFTER = 'I want to cancel my contract';

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'stt-fallback-'));
    offline = await createPocketsphinxStt({ resourcesDir: RESOURCES_DIR, cacheDir });
    fake = await startDeepgramFake({ apiKey: API_KEY });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** Speaks `clips` (with `gapMs` of line silence after each) into a fallback stream at real time. */
  async function callerSays(cloud: SttProvider, clips: MulawAudio[], gapMs = 600) {
    const notices: SttFallbackNotice[] = [];
    const stream = withSttFallback(cloud, offline, (n) => notices.push(n)).open({ signal: new AbortController().signal });
    const { events, done } = collect(stream);
    const audio = Buffer.concat(clips.flatMap((c) => [c.bytes, Buffer.alloc(gapMs * 8, MULAW_SILENCE)]));
    const started = performance.now();
    for (let i = 0, f = 0; i < audio.length; i += FRAME_BYTES, f++) {
      const dueMs = started + f * 20 - performance.now();
      if (dueMs > 0) await sleep(dueMs);
      stream.write(mulawAudio(audio.subarray(i, i + FRAME_BYTES)));
    }
    await within(stream.close(), 10_000, 'close()');
    expect(await within(done, 1000, 'events end')).toBeNull();
    const finals = events.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
    return { notices, events, finals };
  }

  const words = (text: string) => normaliseTranscript(text).split(' ').filter(Boolean);
  /** Share of `said`'s words the recogniser got, in order (1 - word error rate, roughly). */
  function heard(said: string, text: string): number {
    const want = words(said);
    const got = new Set(words(text));
    return want.filter((w) => got.has(w)).length / want.length;
  }

  it.each([
    ['a refused key (401 at connect)', () => createDeepgramStt({ apiKey: 'wrong-key-0000', environment: fake.environment, maxOutageMs: 700 }), /^Deepgram refused the API key \(HTTP 401\)\.$/],
    [
      'a closed port',
      () => {
        const origin = `127.0.0.1:${closedPort}`;
        return createDeepgramStt({
          apiKey: API_KEY,
          environment: { base: `http://${origin}`, production: `ws://${origin}`, agent: `ws://${origin}`, agentRest: `http://${origin}` },
          maxOutageMs: 700,
        });
      },
      /^Could not reach Deepgram at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.$/,
    ],
  ])('%s: the offline recogniser hears the caller from the first word', async (_name, cloud, reason) => {
    const { notices, finals } = await callerSays(cloud(), [synthesise(AFTER, 'rms')]);
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice!.reason).toMatch(reason);
    // Everything since the start (no final yet) was replayed; the switch came within 1 s of the failure.
    expect(notice!.replayedMs).toBe(notice!.switchedAtMs);
    expect(notice!.switchedAtMs - notice!.failedAtMs).toBeLessThan(1000);
    console.log(`STT fallback (${_name}): failed at ${notice!.failedAtMs} ms of audio, offline recogniser took over at ${notice!.switchedAtMs} ms`);
    const text = finals.map((f) => f.text).join(' ');
    expect(heard(AFTER, text)).toBeGreaterThanOrEqual(0.8);
    expect(finals[0]!.startMs).toBeLessThan(500);
  });

  let closedPort = 0;
  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a socket dropped mid-call with the service gone: Deepgram\'s words stay, the offline recogniser hears the rest', async () => {
    const before = synthesise(BEFORE, 'rms');
    const beforeMs = before.bytes.length / 8;
    // Deepgram hears the first sentence, then the connection drops half a second into the second.
    fake.scriptListen([
      { atAudioMs: beforeMs + 300, send: results({ transcript: BEFORE, start: 0, duration: beforeMs / 1000, isFinal: true, speechFinal: true }) },
      { atAudioMs: beforeMs + 600 + 500, drop: true },
    ]);
    const conn = fake.listenConnections.length;
    const cloud = createDeepgramStt({ apiKey: API_KEY, environment: fake.environment, maxOutageMs: 700 });
    const refuseOnceOpen = (async () => {
      await fake.listenConnection(conn);
      fake.listenFailure = 'reject-upgrade'; // every reconnect is refused from now on
    })();
    try {
      const { notices, finals } = await callerSays(cloud, [before, synthesise(AFTER, 'rms')]);
      await refuseOnceOpen;
      expect(notices).toHaveLength(1);
      const [notice] = notices;
      expect(notice!.reason).toMatch(/^Lost the connection to Deepgram at 127\.0\.0\.1:\d+; it did not come back\.$/);
      expect(notice!.failedAtMs).toBeGreaterThanOrEqual(beforeMs + 600 + 500);
      expect(notice!.switchedAtMs - notice!.failedAtMs).toBeLessThan(1000);
      // The replay starts where Deepgram's final ended, so the half second before the drop is heard too.
      expect(notice!.switchedAtMs - notice!.replayedMs).toBe(Math.round(beforeMs));
      console.log(
        `STT fallback (mid-call drop): dropped at ${notice!.failedAtMs} ms of audio, offline recogniser took over at ${notice!.switchedAtMs} ms, ${notice!.replayedMs} ms replayed`,
      );
      expect(finals[0]).toMatchObject({ text: BEFORE, startMs: 0 });
      const after = finals.slice(1);
      expect(after.length).toBeGreaterThan(0);
      expect(after[0]!.startMs).toBeGreaterThanOrEqual(beforeMs);
      expect(heard(AFTER, after.map((f) => f.text).join(' '))).toBeGreaterThanOrEqual(0.8);
    } finally {
      fake.listenFailure = null;
    }
  });
});
