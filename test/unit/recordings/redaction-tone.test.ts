/**
 * Redacted spans in call recordings (issue 10) against real WAV files: the span's audio on the
 * speaker's channel becomes the 1 kHz tone, whether it is already on disk, still buffered, or
 * not yet arrived; the other channel and everything outside the span are untouched, the file
 * keeps its length and a header the start-up repair finds nothing to fix in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { redactedAudioSpans, WORD_PAD_MS } from '../../../src/main/core/calls/redacted-audio';
import { silentLogger } from '../../../src/main/core/log';
import { MULAW_DECODE } from '../../../src/main/core/pipeline/audio';
import { LineRecorder } from '../../../src/main/core/recordings/line-recorder';
import { CallRecordings } from '../../../src/main/core/recordings/recordings';
import { redactionToneSample } from '../../../src/main/core/recordings/redaction-tone';
import { repairWav } from '../../../src/main/core/recordings/repair';
import { decodeWav, LINE_FORMAT } from '../../../src/main/core/recordings/wav';
import { WavWriter } from '../../../src/main/core/recordings/wav-writer';
import { createCallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { MediaStream } from '../../../src/main/core/telephony/media-bridge';
import { finalLine, makeTempDir, newCall } from '../store/helpers';
import { FRAME_SAMPLES, patternFrame, patternSample } from './fixtures/pattern';

/** Checks every sample: the tone on `channel` in [from, to), the pattern everywhere else. */
function expectToned(path: string, channel: number, from: number, to: number, frames: number): void {
  const { channels } = decodeWav(readFileSync(path));
  expect(channels[0]!.length).toBe(frames);
  for (let n = 0; n < frames; n++) {
    for (let c = 0; c < 2; c++) {
      const want = c === channel && n >= from && n < to ? redactionToneSample(n) : patternSample(n)[c]!;
      if (channels[c]![n] !== want) throw new Error(`sample ${n} channel ${c}: got ${channels[c]![n]}, want ${want}`);
    }
  }
}

describe('redaction tone in recordings', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir('switchboard-tone-')));
  afterEach(() => cleanup());

  it('WavWriter.toneSpan patches audio on disk and still buffered, in place, crash-repair clean', async () => {
    const path = join(dir, 'line.wav');
    const writer = WavWriter.create(path, LINE_FORMAT, { flushIntervalMs: 60_000 });
    for (let f = 0; f < 50; f++) writer.appendFrames(patternFrame(f));
    await writer.flush();
    // Half of the span is on disk, half only buffered.
    for (let f = 50; f < 75; f++) writer.appendFrames(patternFrame(f));
    expect(await writer.toneSpan(0, 7000, 9000)).toBe(true);
    const mid = decodeWav(readFileSync(path));
    // Patched on disk before the call ends (a crash now keeps the tone), file length unchanged.
    expect(mid.channels[0]!.length).toBe(75 * FRAME_SAMPLES);
    expect(mid.channels[0]![8500]).toBe(redactionToneSample(8500));
    // Frames not accepted yet are the caller's business (LineRecorder): nothing to do.
    expect(await writer.toneSpan(1, 75 * FRAME_SAMPLES, 80 * FRAME_SAMPLES)).toBe(false);
    await writer.close();
    expectToned(path, 0, 7000, 9000, 75 * FRAME_SAMPLES);
    expect(repairWav(path, LINE_FORMAT).changed).toBe(false);
    // Closed: no more patches.
    expect(await writer.toneSpan(0, 0, 10)).toBe(false);
  });

  it('LineRecorder tones a span that is partly written and partly still to come, on one channel', async () => {
    const path = join(dir, 'line.wav');
    const writer = WavWriter.create(path, LINE_FORMAT, { flushIntervalMs: 60_000 });
    let clock = 0;
    const recorder = new LineRecorder({ writer, clockMs: () => clock });
    for (let f = 0; f < 50; f++) recorder.place(0, f * 20, patternFrame(f));
    // The right channel (what the caller heard) from 0.9 s to 1.5 s: 0.1 s written, 0.5 s to come.
    await recorder.toneSpan(1, 900, 1500);
    for (let f = 50; f < 100; f++) recorder.place(0, f * 20, patternFrame(f));
    clock = 2000;
    await recorder.finish();
    expectToned(path, 1, 900 * 8, 1500 * 8, 100 * FRAME_SAMPLES);
  });

  it('redactedAudioSpans: word times when every word can be placed, else the whole line', () => {
    const line = { speaker: 'caller' as const, text: 'my card is 4111 1111 1111 1111 thanks', startMs: 1000, endMs: 5000 };
    const cardSpan = { start: 11, end: 30 };
    const words = ['my', 'card', 'is', '4111', '1111', '1111', '1111', 'thanks'].map((text, i) => ({ text, startMs: 1000 + i * 400, endMs: 1000 + i * 400 + 350 }));
    expect(redactedAudioSpans(line, [cardSpan], words)).toEqual([{ speaker: 'caller', startMs: 2200 - WORD_PAD_MS, endMs: 3750 + WORD_PAD_MS }]);
    expect(redactedAudioSpans(line, [cardSpan])).toEqual([{ speaker: 'caller', startMs: 1000, endMs: 5000 }]);
    // A word that is not in the text: the times cannot be trusted, the whole line is toned.
    expect(redactedAudioSpans(line, [cardSpan], [...words.slice(0, 3), { text: 'forty', startMs: 0, endMs: 1 }])).toEqual([{ speaker: 'caller', startMs: 1000, endMs: 5000 }]);
    expect(redactedAudioSpans(line, [], words)).toEqual([]);
  });

  it('a crash before a redacted line was toned: the next start tones every line the store marks redacted', async () => {
    const callId = '6f1c2b7e-0d7a-4c8e-9b1a-2f3e4d5c6b7a';
    const db = openDatabase(join(dir, 'switchboard.db'));
    const store = createCallStore(db);
    store.insertCall(newCall({ id: callId, callSid: 'CA-demo' }));
    const options = {
      dataDir: dir,
      db,
      settings: () => ({ recordDemoCalls: true, recordRealCalls: false }),
      twilioMedia: () => null,
      appendEvent: () => {},
      emit: () => {},
      logger: silentLogger,
      flushIntervalMs: 20,
    };
    const first = new CallRecordings(options);
    const socket = { readyState: WebSocket.OPEN, send: () => {}, close() {} } as unknown as WebSocket;
    const stream = new MediaStream(socket, {
      event: 'start',
      sequenceNumber: '1',
      streamSid: 'MZ1',
      start: { streamSid: 'MZ1', accountSid: 'AC1', callSid: 'CA-demo', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
    });
    let clock = 0;
    first.onStream({ id: callId, get clockMs() { return clock; }, mediaStream: stream }, { callSid: 'CA-demo', direction: 'inbound', from: '+1', to: '+2', simulated: true, dial: null, transport: 'media' });
    // 2 s of the caller at a steady level; the card was said from 0.5 s to 1.5 s.
    const CALLER = 0x20;
    for (let k = 0; k < 100; k++) {
      clock = k * 20;
      stream.handle({ event: 'media', sequenceNumber: '2', streamSid: 'MZ1', media: { track: 'inbound', chunk: '1', timestamp: String(k * 20), payload: Buffer.alloc(160, CALLER).toString('base64') } });
    }
    store.appendUtterance(finalLine({ id: 'u1', callId, text: 'my card is [CARD ••••1111]', startMs: 500, endMs: 1500 }), { kinds: ['card'] });
    store.appendUtterance(finalLine({ id: 'u2', callId, text: 'thanks', startMs: 1600, endMs: 1900 }));
    const { id } = first.list(callId)[0]!;
    const path = first.file(`${callId}/${id}`)!.path;
    for (const deadline = Date.now() + 5000; decodeWav(readFileSync(path)).channels[0]!.length < 16_000; await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the flush');
    }
    // The process dies here: the line was stored, its audio never toned.

    const restarted = new CallRecordings(options);
    const [left, right] = decodeWav(readFileSync(path)).channels as [Int16Array, Int16Array];
    expect(left.length).toBe(16_000);
    const caller = MULAW_DECODE[CALLER]!;
    for (let n = 0; n < 16_000; n++) {
      const want = n >= 4000 && n < 12_000 ? redactionToneSample(n) : caller;
      if (left[n] !== want) throw new Error(`left sample ${n}: got ${left[n]}, want ${want}`);
    }
    expect(right.every((v) => v === 0)).toBe(true);
    await restarted.close();
    await first.close();
    db.close();
  });
});
