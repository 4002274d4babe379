/**
 * The line recorder against real MediaStreams (their sockets are stubs that accept frames) and
 * a real WAV file, with the call clock under the test's control: caller frames land on the
 * left at their place on the call clock, outbound bursts on the right where the caller heard
 * them (paced by caller frames, cut by `clear`), and a hand-back's new stream continues the
 * file after a silent gap, still on the call clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeMulawSample, MULAW_SILENCE, mulawAudio } from '../../../src/main/core/pipeline/audio';
import { LineRecorder } from '../../../src/main/core/recordings/line-recorder';
import { decodeWav, LINE_FORMAT } from '../../../src/main/core/recordings/wav';
import { WavWriter } from '../../../src/main/core/recordings/wav-writer';
import { MediaStream } from '../../../src/main/core/telephony/media-bridge';
import { makeTempDir } from '../store/helpers';

function openStream(sid: string): MediaStream {
  const socket = { readyState: WebSocket.OPEN, send: () => {}, close() {} } as unknown as WebSocket;
  return new MediaStream(socket, {
    event: 'start',
    sequenceNumber: '1',
    streamSid: sid,
    start: {
      streamSid: sid,
      accountSid: 'AC1',
      callSid: 'CA1',
      tracks: ['inbound'],
      customParameters: {},
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
}

function tone(freqHz: number, samples: number, amplitude = 8000): Buffer {
  return Buffer.from(Array.from({ length: samples }, (_, i) => encodeMulawSample(Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / 8000)))));
}

const SILENT_FRAME = Buffer.alloc(160, MULAW_SILENCE);

/** RMS of each 20 ms block of one channel. */
function levels(samples: Int16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    let sum = 0;
    for (let j = i; j < i + 160; j++) sum += samples[j]! * samples[j]!;
    out.push(Math.sqrt(sum / 160));
  }
  return out;
}

/** Indexes of 20 ms blocks above `threshold`, as [first, last]. */
function loudSpan(samples: Int16Array, threshold = 1000): [number, number] | null {
  const l = levels(samples);
  const first = l.findIndex((v) => v > threshold);
  if (first < 0) return null;
  return [first, l.length - 1 - [...l].reverse().findIndex((v) => v > threshold)];
}

describe('LineRecorder', () => {
  let dir: string;
  let cleanup: () => void;
  let nowMs = 0;
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('switchboard-line-'));
    nowMs = 0;
  });
  afterEach(() => cleanup());

  const recorder = (settleMs?: number) => {
    const path = join(dir, 'line.wav');
    const writer = WavWriter.create(path, LINE_FORMAT, { flushIntervalMs: 60_000 });
    return { path, line: new LineRecorder({ writer, clockMs: () => nowMs, settleMs }) };
  };
  /** One inbound frame at stream time `ts`, arriving at call time `arrival`. */
  const frame = (stream: MediaStream, ts: number, arrival: number, bytes: Buffer = SILENT_FRAME) => {
    nowMs = arrival;
    expect(
      stream.handle({ event: 'media', sequenceNumber: '2', streamSid: stream.streamSid, media: { track: 'inbound', chunk: '1', timestamp: String(ts), payload: bytes.toString('base64') } }),
    ).toBeNull();
  };

  it('puts the caller left and what the caller heard right, on the call clock', async () => {
    const { path, line } = recorder();
    const stream = openStream('MZ1');
    line.attach(stream);
    // The stream starts 100 ms into the call; its first frames arrive late, in a burst (setup).
    for (let k = 0; k < 5; k++) frame(stream, k * 20, 100 + 5 * 20 + 30);
    const callerTone = tone(300, 160);
    for (let k = 5; k < 100; k++) {
      if (k === 30) stream.sendAudio(mulawAudio(tone(1000, 1600))); // a 200 ms clause, sent at once
      if (k === 60) stream.sendAudio(mulawAudio(tone(1000, 8000))); // a 1 s clause...
      if (k === 65) stream.clear(); // ...cut off after 100 ms (barge-in)
      frame(stream, k * 20, 100 + k * 20, k >= 10 && k < 20 ? callerTone : SILENT_FRAME);
    }
    const result = await line.finish();
    expect(result.durationMs).toBe(100 + 100 * 20);
    const { channels } = decodeWav(readFileSync(path));
    const [left, right] = [channels[0]!, channels[1]!];
    // Block b covers call time [20b, 20b + 20): the stream's zero is at 100 ms (5 blocks).
    expect(loudSpan(left)).toEqual([5 + 10, 5 + 19]);
    const rightLevels = levels(right);
    // The first clause plays from the caller frame after it was sent (k = 30) for 10 frames;
    // the second for the 5 frames before the clear; nothing is heard after it.
    const loud = rightLevels.flatMap((v, b) => (v > 1000 ? [b] : []));
    expect(loud).toEqual([...range(5 + 30, 5 + 39), ...range(5 + 60, 5 + 64)]);
    // Left and right stay apart: no caller on the right, no AI on the left.
    expect(levels(left).slice(5 + 30, 5 + 40).every((v) => v < 50)).toBe(true);
    expect(rightLevels.slice(5 + 10, 5 + 20).every((v) => v < 50)).toBe(true);
  });

  it('never plays audio before it was sent, even through frames that arrive late in a burst, and applies a clear from its frame', async () => {
    const { path, line } = recorder(500);
    const stream = openStream('MZ1');
    line.attach(stream);
    // Call set-up stalls the first frames: the AI's first clause (200 ms) goes out at 250 ms,
    // before frames 0-280 arrive, together, at 300 ms. After that frames are on time (+5 ms).
    nowMs = 250;
    stream.sendAudio(mulawAudio(tone(1000, 1600)));
    for (let ts = 0; ts <= 280; ts += 20) frame(stream, ts, 300);
    for (let ts = 300; ts <= 320; ts += 20) frame(stream, ts, ts + 5);
    nowMs = 330;
    stream.clear(); // barge-in at 330 ms
    for (let ts = 340; ts < 1000; ts += 20) frame(stream, ts, ts + 5);
    await line.finish();
    const right = decodeWav(readFileSync(path)).channels[1]!;
    const firstMs = right.findIndex((v) => v !== 0) / 8;
    const lastMs = right.findLastIndex((v) => v !== 0) / 8;
    // The stream's zero is 5 ms: the frame spanning 245-265 ms is the first that can have
    // played it, and the frame starting at 345 ms, after the clear, plays none of it.
    expect(firstMs).toBeGreaterThanOrEqual(245);
    expect(firstMs).toBeLessThan(247);
    expect(lastMs).toBeGreaterThan(343);
    expect(lastMs).toBeLessThan(345);
  });

  it('continues a handed-back call on its new stream, with the gap on the agent softphone as silence', async () => {
    const { path, line } = recorder(200);
    const first = openStream('MZ1');
    line.attach(first);
    for (let k = 0; k < 50; k++) frame(first, k * 20, k * 20, tone(300, 160)); // 0-1 s: caller
    first.finish('media socket closed');
    // 4 s with the agent; then Twilio opens a new stream, whose timestamps restart at 0.
    const second = openStream('MZ2');
    line.attach(second);
    for (let k = 0; k < 50; k++) frame(second, k * 20, 5000 + k * 20, k >= 10 && k < 20 ? tone(500, 160) : SILENT_FRAME);
    const result = await line.finish();
    expect(result.durationMs).toBe(6000);
    const left = decodeWav(readFileSync(path)).channels[0]!;
    const l = levels(left);
    expect(l.slice(0, 50).every((v) => v > 1000)).toBe(true);
    expect(l.slice(50, 250).every((v) => v === 0)).toBe(true);
    // The returning caller speaks 200 ms into the new stream: 5.2 s on the call clock.
    expect(loudSpan(left.subarray(250 * 160))).toEqual([10, 19]);
  });

  it('absorbs timestamp jitter (no clicks, no drift) and drops duplicated frames', async () => {
    const { path, line } = recorder(100);
    const stream = openStream('MZ1');
    line.attach(stream);
    const jitter = [0, 3, -2, 4, -4, 1];
    for (let k = 0; k < 100; k++) frame(stream, k * 20 + jitter[k % jitter.length]!, k * 20 + 5, tone(300, 160));
    frame(stream, 99 * 20, 99 * 20 + 7, tone(300, 160)); // Twilio repeats a frame
    await line.finish();
    const left = decodeWav(readFileSync(path)).channels[0]!;
    // 100 frames back to back; the repeated frame adds at most what lies past the written end
    // on its own timestamp (under the 10 ms jitter allowance), never a whole frame again.
    expect(left.length).toBeGreaterThanOrEqual(100 * 160);
    expect(left.length).toBeLessThan(100 * 160 + 80);
    expect(levels(left).every((v) => v > 1000)).toBe(true);
  });

  it('writes the frames held back while the stream settled when the call ends early', async () => {
    const { path, line } = recorder(1000);
    const stream = openStream('MZ1');
    line.attach(stream);
    for (let k = 0; k < 10; k++) frame(stream, k * 20, 40 + k * 20, tone(300, 160));
    expect((await line.finish()).durationMs).toBe(40 + 200);
    expect(loudSpan(decodeWav(readFileSync(path)).channels[0]!)).toEqual([2, 11]);
    // Frames after the end are ignored.
    frame(stream, 200, 240, tone(300, 160));
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
