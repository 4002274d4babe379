/**
 * The incremental WAV writer against real files: audio reaches the disk as it goes (not at the
 * end), the header always covers what is there, the file is 0600 and never overwritten, and a
 * writer SIGKILLed mid-recording leaves a file that the start-up repair makes exactly playable.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repairWav } from '../../../src/main/core/recordings/repair';
import { decodeWav, LINE_FORMAT, readWavLayout, WAV_HEADER_BYTES, WavFormatError } from '../../../src/main/core/recordings/wav';
import { WavWriter } from '../../../src/main/core/recordings/wav-writer';
import { makeTempDir } from '../store/helpers';
import { FRAME_SAMPLES, patternFrame, patternSample } from './fixtures/pattern';

const RUN_TS = resolve(import.meta.dirname, '../../support/run-ts.mjs');
const CRASH_RECORDER = resolve(import.meta.dirname, 'fixtures/crash-recorder.ts');

/** The data size the header declares, and the bytes actually after it. */
function onDisk(path: string): { declared: number; riff: number; actual: number } {
  const file = readFileSync(path);
  const layout = readWavLayout(file);
  return { declared: layout.declaredDataBytes, riff: file.readUInt32LE(4), actual: file.length - layout.dataOffset };
}

function expectPattern(channels: Int16Array[], frames: number): void {
  expect(channels[0]!.length).toBe(frames);
  for (let n = 0; n < frames; n++) {
    const [l, r] = patternSample(n);
    if (channels[0]![n] !== l || channels[1]![n] !== r) throw new Error(`sample ${n}: got ${channels[0]![n]}/${channels[1]![n]}, want ${l}/${r}`);
  }
}

describe('WavWriter', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir('switchboard-wav-')));
  afterEach(() => cleanup());

  it('writes as it goes, keeps the header in step after every flush, and closes with exact sizes', async () => {
    const path = join(dir, 'line.wav');
    const writer = WavWriter.create(path, LINE_FORMAT, { flushIntervalMs: 60_000 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(onDisk(path)).toEqual({ declared: 0, riff: 36, actual: 0 });

    for (let f = 0; f < 50; f++) writer.appendFrames(patternFrame(f)); // 1 s
    expect(writer.durationMs).toBe(1000);
    // Nothing is written until a flush: the audio is buffered, not held for the whole call.
    expect(onDisk(path).actual).toBe(0);
    await writer.flush();
    expect(onDisk(path)).toEqual({ declared: 32_000, riff: 36 + 32_000, actual: 32_000 });
    // Mid-call the file is already a valid, playable WAV of what is on disk.
    expectPattern(decodeWav(readFileSync(path)).channels, 50 * FRAME_SAMPLES);

    for (let f = 50; f < 100; f++) writer.appendFrames(patternFrame(f));
    const result = await writer.close();
    expect(result).toEqual({ dataBytes: 64_000, durationMs: 2000 });
    expect(onDisk(path)).toEqual({ declared: 64_000, riff: 36 + 64_000, actual: 64_000 });
    const wav = decodeWav(readFileSync(path));
    expect(wav.format).toEqual(LINE_FORMAT);
    expectPattern(wav.channels, 100 * FRAME_SAMPLES);
    // Closing twice is harmless; audio after close is dropped.
    writer.appendFrames(patternFrame(100));
    expect(await writer.close()).toEqual(result);
  });

  it('flushes by size without waiting for the timer, and writes long silences without holding them in memory', async () => {
    const path = join(dir, 'gap.wav');
    const writer = WavWriter.create(path, LINE_FORMAT, { flushIntervalMs: 60_000, maxBufferedBytes: 4 * 640 });
    for (let f = 0; f < 4; f++) writer.appendFrames(patternFrame(f));
    // The timer is a minute away: only the size limit can have started this write.
    for (const deadline = Date.now() + 5000; onDisk(path).actual < 4 * 640 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
    expect(onDisk(path).actual).toBe(4 * 640);
    writer.appendSilence(8000 * 60); // a minute on the agent's softphone: 1.9 MB of zeroes
    writer.appendFrames(patternFrame(4));
    const result = await writer.close();
    expect(result.durationMs).toBe(60_000 + 100);
    const { channels } = decodeWav(readFileSync(path));
    expect(channels[0]!.length).toBe(5 * FRAME_SAMPLES + 8000 * 60);
    expect(channels[0]!.subarray(4 * FRAME_SAMPLES, 4 * FRAME_SAMPLES + 8000 * 60).every((s) => s === 0)).toBe(true);
    const [l] = patternSample(4 * FRAME_SAMPLES + 1);
    expect(channels[0]![4 * FRAME_SAMPLES + 8000 * 60 + 1]).toBe(l);
  });

  it('never overwrites an existing file and refuses torn frames', () => {
    const path = join(dir, 'taken.wav');
    writeFileSync(path, 'someone else');
    expect(() => WavWriter.create(path, LINE_FORMAT)).toThrow(/EEXIST/);
    expect(readFileSync(path, 'utf8')).toBe('someone else');
    const writer = WavWriter.create(join(dir, 'ok.wav'), LINE_FORMAT);
    expect(() => writer.appendFrames(Buffer.alloc(6))).toThrow(/whole number/);
    void writer.close();
  });

  it('repairs a file cut mid-write: sizes fixed, the torn frame dropped, the audio untouched', async () => {
    const path = join(dir, 'cut.wav');
    const writer = WavWriter.create(path, LINE_FORMAT, { flushIntervalMs: 60_000 });
    for (let f = 0; f < 10; f++) writer.appendFrames(patternFrame(f));
    await writer.flush();
    // The crash: more audio hit the disk after the last header update, the last frame torn.
    appendFileSync(path, patternFrame(10));
    appendFileSync(path, patternFrame(11).subarray(0, 7));
    expect(onDisk(path)).toMatchObject({ declared: 6400, actual: 6400 + 640 + 7 });
    const fixed = repairWav(path, LINE_FORMAT);
    expect(fixed).toEqual({ format: LINE_FORMAT, dataBytes: 11 * 640 + 4, durationMs: 220, changed: true });
    expect(onDisk(path)).toEqual({ declared: 11 * 640 + 4, riff: 36 + 11 * 640 + 4, actual: 11 * 640 + 4 });
    expectPattern(decodeWav(readFileSync(path)).channels, 11 * FRAME_SAMPLES + 1);
    // A second repair finds nothing to do.
    expect(repairWav(path, LINE_FORMAT).changed).toBe(false);
    void writer.close();
  });

  it('repairs a file cut inside its header into an empty recording, and leaves foreign files alone', () => {
    const torn = join(dir, 'torn.wav');
    writeFileSync(torn, Buffer.from('RIFF\x00\x00'));
    expect(repairWav(torn, LINE_FORMAT)).toMatchObject({ dataBytes: 0, changed: true });
    expect(statSync(torn).size).toBe(WAV_HEADER_BYTES);
    expect(decodeWav(readFileSync(torn)).channels[0]!.length).toBe(0);

    const foreign = join(dir, 'notes.wav');
    writeFileSync(foreign, 'these are not samples, and must not become any'.repeat(3));
    expect(() => repairWav(foreign, LINE_FORMAT)).toThrow(WavFormatError);
    expect(readFileSync(foreign, 'utf8')).toMatch(/^these are not samples/);
  });

  it('keeps every frame a SIGKILLed recorder had flushed, and the repaired file plays', { timeout: 60_000 }, async () => {
    const path = join(dir, 'killed.wav');
    const reportFile = join(dir, 'killed.report');
    const killAfter = 40; // flushes
    const child = spawn(process.execPath, [RUN_TS, CRASH_RECORDER, path, reportFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const reportLines = () => (existsSync(reportFile) ? readFileSync(reportFile, 'utf8').split('\n').slice(0, -1) : []);
    const signal = await new Promise<NodeJS.Signals | null>((resolvePromise, reject) => {
      const poll = setInterval(() => {
        if (!child.killed && reportLines().length >= killAfter) child.kill('SIGKILL');
      }, 5);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`recorder did not flush ${killAfter} times; stderr: ${stderr}`));
      }, 30_000);
      child.on('close', (_code, sig) => {
        clearInterval(poll);
        clearTimeout(timer);
        resolvePromise(sig);
      });
    });
    expect(signal, stderr).toBe('SIGKILL');
    const flushedFrames = Number(reportLines().at(-1));
    expect(flushedFrames).toBeGreaterThanOrEqual(killAfter * 5 * FRAME_SAMPLES);

    // The header already covers the last completed flush: playable before any repair.
    const before = onDisk(path);
    expect(before.declared).toBeGreaterThanOrEqual(flushedFrames * 4);
    expect(before.declared).toBeLessThanOrEqual(before.actual);

    const fixed = repairWav(path, LINE_FORMAT);
    expect(fixed.dataBytes).toBe(before.actual - (before.actual % 4));
    const wav = decodeWav(readFileSync(path));
    expect(wav.channels[0]!.length).toBeGreaterThanOrEqual(flushedFrames);
    expectPattern(wav.channels, wav.channels[0]!.length);
    console.log(`killed recorder: ${flushedFrames} frames reported flushed, ${wav.channels[0]!.length} on disk (${fixed.durationMs} ms)`);
  });
});
