/**
 * The listen-in tap against a real MediaStream (its socket is a stub that accepts frames): caller
 * frames are the clock, outbound bursts play out at 160 bytes a frame, `clear` drops what is
 * queued. Plus the renderer's decoding and playout clock.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CallAudio } from '../../src/shared/contract';
import { createDispatcher, type Handlers } from '../../src/main/core/api/dispatcher';
import { ListenIn, ListenTap, NO_AUDIO_TO_LISTEN_TO } from '../../src/main/core/calls/listen-in';
import { silentLogger } from '../../src/main/core/log';
import { encodeMulawSample, mulawAudio, mulawToPcm, MULAW_SILENCE } from '../../src/main/core/pipeline/audio';
import { MediaStream } from '../../src/main/core/telephony/media-bridge';
import { decodeSlice, levelOf, PlayoutClock } from '../../src/renderer/src/features/listen-in/playback';

function openStream(): { stream: MediaStream; sent: string[] } {
  const sent: string[] = [];
  const socket = { readyState: WebSocket.OPEN, send: (data: string) => sent.push(data), close() {} } as unknown as WebSocket;
  const stream = new MediaStream(socket, {
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZ1',
    start: {
      streamSid: 'MZ1',
      accountSid: 'AC1',
      callSid: 'CA1',
      tracks: ['inbound'],
      customParameters: {},
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
  return { stream, sent };
}

let tick = 0;
/** One inbound 20 ms frame from Twilio (the tap's clock). */
function callerFrame(stream: MediaStream, bytes: Buffer = Buffer.alloc(160, MULAW_SILENCE)): void {
  const problem = stream.handle({
    event: 'media',
    sequenceNumber: String(tick + 2),
    streamSid: 'MZ1',
    media: { track: 'inbound', chunk: String(tick + 1), timestamp: String(tick * 20), payload: bytes.toString('base64') },
  });
  expect(problem).toBeNull();
  tick++;
}

function tone(freqHz: number, samples: number, amplitude: number): Buffer {
  return Buffer.from(Array.from({ length: samples }, (_, i) => encodeMulawSample(Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / 8000)))));
}

function rms(bytes: Buffer): number {
  const pcm = mulawToPcm(mulawAudio(bytes)).samples;
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return pcm.length ? Math.sqrt(sum / pcm.length) : 0;
}

/** RMS of each 20 ms frame of the tap's output, in order. */
function frameLevels(slices: CallAudio[]): number[] {
  const all = Buffer.concat(slices.map((s) => Buffer.from(s.data, 'base64')));
  return Array.from({ length: all.length / 160 }, (_, i) => Math.round(rms(all.subarray(i * 160, (i + 1) * 160))));
}

describe('listen-in tap', () => {
  it('plays an outbound burst out at real time on the caller clock, mixes both sides, and stops at clear', () => {
    tick = 0;
    const { stream, sent } = openStream();
    const slices: CallAudio[] = [];
    const tap = new ListenTap(stream, { callId: 'call-1', onAudio: (s) => slices.push(s) });
    tap.listen(60_000);

    callerFrame(stream); // 0: silence both sides
    // The AI sends a whole 200 ms clause at once (one message); Twilio plays it in real time.
    stream.sendAudio(mulawAudio(tone(1000, 1600, 8000)));
    expect(sent).toHaveLength(1);
    expect(tap.queuedMs).toBe(200);
    for (let i = 0; i < 4; i++) callerFrame(stream); // 1-4: AI tone, caller silent
    const callerTone = tone(300, 160, 8000);
    for (let i = 0; i < 3; i++) callerFrame(stream, callerTone); // 5-7: both speak at once
    expect(tap.queuedMs).toBe(60);
    stream.clear(); // take over / barge-in: Twilio drops the rest
    expect(tap.queuedMs).toBe(0);
    for (let i = 0; i < 2; i++) callerFrame(stream, callerTone); // 8-9: caller only

    // 10 frames = 2 slices of 100 ms, numbered, stamped with the caller clock.
    expect(slices.map((s) => [s.seq, s.atMs, s.encoding, s.sampleRateHz])).toEqual([
      [0, 0, 'mulaw', 8000],
      [1, 100, 'mulaw', 8000],
    ]);
    expect(slices.every((s) => Buffer.from(s.data, 'base64').length === 800)).toBe(true);

    const levels = frameLevels(slices);
    expect(levels[0]).toBe(0); // nothing yet
    for (const i of [1, 2, 3, 4]) expect(levels[i]).toBeGreaterThan(5000); // the AI tone alone (~5657)
    for (const i of [5, 6, 7]) expect(levels[i]).toBeGreaterThan(7000); // both: ~8000 rms
    for (const i of [8, 9]) expect(Math.abs(levels[i]! - rms(callerTone))).toBeLessThan(50); // cleared: caller only

    // Frames 1-4 are exactly the first 80 ms of the clause, untouched by the (silent) caller.
    const out = Buffer.concat(slices.map((s) => Buffer.from(s.data, 'base64')));
    expect(out.subarray(160, 800)).toEqual(tone(1000, 1600, 8000).subarray(0, 640));
    // Caller-only frames after the clear pass through bit for bit.
    expect(out.subarray(1280, 1600)).toEqual(Buffer.concat([callerTone, callerTone]));
    // Frames 5-7 are the sum: 300 Hz + 1000 Hz, sample by sample within the codec step.
    const mixed = mulawToPcm(mulawAudio(out.subarray(800, 1280))).samples;
    const ai = mulawToPcm(mulawAudio(tone(1000, 1600, 8000).subarray(640, 1120))).samples;
    const caller = mulawToPcm(mulawAudio(Buffer.concat([callerTone, callerTone, callerTone]))).samples;
    for (let i = 0; i < mixed.length; i++) expect(Math.abs(mixed[i]! - (ai[i]! + caller[i]!))).toBeLessThan(Math.abs(ai[i]! + caller[i]!) * 0.07 + 40);
  });

  it('follows the queue while nobody listens, emits only while listening, and flushes at close', () => {
    tick = 0;
    const { stream } = openStream();
    const slices: CallAudio[] = [];
    const tap = new ListenTap(stream, { callId: 'call-2', onAudio: (s) => slices.push(s) });
    // A 1 s greeting is sent before the agent clicks; 600 ms of it plays unheard by the agent.
    stream.sendAudio(mulawAudio(tone(1000, 8000, 8000)));
    for (let i = 0; i < 30; i++) callerFrame(stream);
    expect(slices).toEqual([]);
    expect(tap.queuedMs).toBe(400);

    tap.listen(60_000);
    for (let i = 0; i < 25; i++) callerFrame(stream); // 500 ms: 400 ms of greeting, then silence
    const levels = frameLevels(slices);
    expect(levels.slice(0, 20).every((l) => l > 5000)).toBe(true);
    expect(levels.slice(20)).toEqual([0, 0, 0, 0, 0]);
    expect(slices[0]!.atMs).toBe(600);

    tap.stop();
    for (let i = 0; i < 10; i++) callerFrame(stream);
    expect(slices).toHaveLength(5);

    tap.listen(60_000);
    for (let i = 0; i < 3; i++) callerFrame(stream); // 60 ms: not a whole slice yet
    stream.finish('caller hung up');
    expect(slices).toHaveLength(6);
    expect(Buffer.from(slices[5]!.data, 'base64')).toHaveLength(480);
    expect(tap.isClosed).toBe(true);
    expect(tap.listening).toBe(false);
    expect(stream.listenerCount('media') + stream.listenerCount('outbound') + stream.listenerCount('cleared')).toBe(0);
  });

  it('stops by itself when the listening lease lapses', () => {
    tick = 0;
    let nowMs = 0;
    const { stream } = openStream();
    const slices: CallAudio[] = [];
    const tap = new ListenTap(stream, { callId: 'c', onAudio: (s) => slices.push(s), nowMs: () => nowMs });
    tap.listen(1000);
    for (let i = 0; i < 5; i++) callerFrame(stream);
    nowMs = 999;
    tap.listen(1000); // renewed
    nowMs = 1500;
    for (let i = 0; i < 5; i++) callerFrame(stream);
    expect(slices).toHaveLength(2);
    nowMs = 2000;
    for (let i = 0; i < 5; i++) callerFrame(stream);
    expect(slices).toHaveLength(2);
    expect(tap.listening).toBe(false);
  });

  it('caps the outbound queue and drops what does not fit', () => {
    tick = 0;
    const { stream } = openStream();
    const tap = new ListenTap(stream, { callId: 'c', onAudio: () => undefined, maxQueuedMs: 1000 });
    stream.sendAudio(mulawAudio(tone(1000, 8000 * 3, 8000)));
    expect(tap.queuedMs).toBe(1000);
    expect(tap.droppedMs).toBe(2000);
    for (let i = 0; i < 50; i++) callerFrame(stream);
    expect(tap.queuedMs).toBe(0);
  });

  it('sends nothing for a stream that already closed, and media-bridge reports only audio actually sent', () => {
    const { stream, sent } = openStream();
    const outbound: number[] = [];
    let clears = 0;
    stream.on('outbound', (a) => outbound.push(a.bytes.length));
    stream.on('cleared', () => clears++);
    stream.sendAudio(mulawAudio(Buffer.alloc(400, 0x55)));
    stream.clear();
    stream.finish('media socket closed');
    stream.sendAudio(mulawAudio(Buffer.alloc(400, 0x55)));
    stream.clear();
    expect(outbound).toEqual([400]);
    expect(clears).toBe(1);
    expect(sent).toHaveLength(2); // one media message (a voice's chunk goes whole) and the clear
    const tap = new ListenTap(stream, { callId: 'c', onAudio: () => undefined });
    expect(tap.isClosed).toBe(true);
    tap.listen(1000);
    expect(tap.listening).toBe(false);
  });
});

describe('the call.listen command', () => {
  it('answers clearly for a live call whose stream already closed (taken over to the softphone), and tracks nothing', async () => {
    // The call is still live (the agent talks to the caller on the softphone) but its media
    // stream ended when Twilio moved the call to <Dial><Client>.
    const { stream } = openStream();
    stream.finish('media socket closed');
    const listenIn = new ListenIn({ liveStream: () => stream, emit: () => undefined, logger: silentLogger });
    const dispatch = createDispatcher(listenIn.handlers as unknown as Handlers, silentLogger);

    expect(await dispatch('call.listen', { callId: 'taken-over', listening: true })).toEqual({
      ok: false,
      error: { code: 'unavailable', message: NO_AUDIO_TO_LISTEN_TO },
    });
    // The console's stop (sent when the panel closes) is simply true already.
    expect(await dispatch('call.listen', { callId: 'taken-over', listening: false })).toEqual({ ok: true, value: { listening: false, leaseMs: null } });
    // The call.updated that follows the takeover must not throw either.
    listenIn.onEvent({ name: 'call.updated', payload: { id: 'taken-over', status: 'active' } } as Parameters<ListenIn['onEvent']>[0]);
    expect(listenIn.size).toBe(0);
  });

  it('listens to an open stream, and forgets its tap once the stream closes', async () => {
    const { stream } = openStream();
    const listenIn = new ListenIn({ liveStream: () => stream, emit: () => undefined, logger: silentLogger, leaseMs: 5000 });
    const dispatch = createDispatcher(listenIn.handlers as unknown as Handlers, silentLogger);
    expect(await dispatch('call.listen', { callId: 'live', listening: true })).toEqual({ ok: true, value: { listening: true, leaseMs: 5000 } });
    expect(listenIn.size).toBe(1);
    stream.finish('caller hung up');
    expect(listenIn.size).toBe(0);
    expect(await dispatch('call.listen', { callId: 'live', listening: true })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});

describe('listen-in playback (renderer)', () => {
  it('decodes mu-law exactly as the core codec does, and PCM16 little-endian', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
    const floats = decodeSlice({ encoding: 'mulaw', data: all.toString('base64') });
    const pcm = mulawToPcm(mulawAudio(all)).samples;
    expect([...floats].map((f) => Math.round(f * 32768))).toEqual([...pcm]);
    const le = Buffer.alloc(6);
    le.writeInt16LE(16384, 0);
    le.writeInt16LE(-32768, 2);
    le.writeInt16LE(0, 4);
    expect([...decodeSlice({ encoding: 'pcm16', data: le.toString('base64') })]).toEqual([0.5, -1, 0]);
  });

  it('measures level from silence to full scale', () => {
    expect(levelOf(new Float32Array(800))).toBe(0);
    expect(levelOf(Float32Array.from({ length: 800 }, () => 1))).toBe(1);
    const quiet = levelOf(Float32Array.from({ length: 800 }, (_, i) => 0.01 * Math.sin(i)));
    expect(quiet).toBeGreaterThan(0);
    expect(quiet).toBeLessThan(0.4);
  });

  it('schedules slices back to back behind a jitter buffer, rebuffers after running dry, drops a backlog', () => {
    const clock = new PlayoutClock(0.2, 1);
    expect(clock.place(10, 0.1)).toBeCloseTo(10.2);
    expect(clock.place(10.1, 0.1)).toBeCloseTo(10.3); // back to back, even if it arrived late-ish
    expect(clock.place(10.15, 0.1)).toBeCloseTo(10.4);
    // The line ran dry (nothing scheduled past now): start again 200 ms out.
    expect(clock.place(11, 0.1)).toBeCloseTo(11.2);
    // A burst after a stall: slices beyond 1 s of backlog are dropped.
    const placed = Array.from({ length: 15 }, () => clock.place(11, 0.1));
    expect(placed.filter((t) => t === null).length).toBeGreaterThan(0);
    expect(Math.max(...placed.flatMap((t) => (t === null ? [] : [t]))) - 11).toBeLessThanOrEqual(1);
  });
});
