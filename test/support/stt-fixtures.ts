/**
 * Shared by the speech-to-text accuracy test and benchmark: caller sentences synthesised
 * with flite (pocketsphinx does not recognise espeak's formant speech), converted to
 * telephone audio, streamed in 20 ms frames through a real SttProvider, and scored by word
 * error rate.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FRAME_BYTES, MULAW_SILENCE, mulawAudio, parseWav, toTelephone } from '../../src/main/core/pipeline/audio';
import type { MulawAudio, SttEvent, SttProvider } from '../../src/main/core/providers/types';
import { readCorpus } from '../../src/main/core/providers/stt/language-model';
import { normaliseTranscript } from '../../src/main/core/providers/stt/text-normalise';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RESOURCES_DIR = join(ROOT, 'resources');
const AUDIO_CACHE = join(ROOT, 'test-results', 'stt-audio');
/** Silence streamed after each sentence so the endpointer can hear the end of speech. */
export const TRAILING_SILENCE_MS = 600;

export interface FixtureSentence {
  text: string;
  /** Appears verbatim (after normalisation) in the language model's corpus. */
  inCorpus: boolean;
}

export function loadFixtureSentences(): FixtureSentence[] {
  const corpusText = readCorpus(RESOURCES_DIR)
    .map((c) => ` ${normaliseTranscript(c.text)} `)
    .join('\n');
  return readFileSync(join(ROOT, 'test', 'fixtures', 'stt', 'sentences.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((text) => ({ text, inCorpus: corpusText.includes(` ${normaliseTranscript(text)} `) }));
}

/** flite (16 kHz) -> telephone mu-law 8 kHz, cached on disk by text and voice. */
export function synthesise(text: string, voice: 'slt' | 'rms' = 'slt'): MulawAudio {
  mkdirSync(AUDIO_CACHE, { recursive: true });
  const file = join(AUDIO_CACHE, `${createHash('sha1').update(`${voice}\0${text}`).digest('hex').slice(0, 16)}.wav`);
  if (!existsSync(file)) {
    // flite seeks in its output to fill in the WAV header, so it writes a file, not a pipe.
    const tmp = `${file}.${process.pid}.tmp`;
    execFileSync('flite', ['-voice', voice, '-t', text, '-o', tmp]);
    renameSync(tmp, file);
  }
  return toTelephone(parseWav(readFileSync(file)));
}

export function frames(audio: MulawAudio, trailingSilenceMs = TRAILING_SILENCE_MS): MulawAudio[] {
  const bytes = Buffer.concat([audio.bytes, Buffer.alloc(trailingSilenceMs * 8, MULAW_SILENCE)]);
  const out: MulawAudio[] = [];
  for (let i = 0; i < bytes.length; i += FRAME_BYTES) out.push(mulawAudio(bytes.subarray(i, i + FRAME_BYTES)));
  return out;
}

/** Word-level Levenshtein distance between normalised texts. */
export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const ref = normaliseTranscript(reference).split(' ').filter(Boolean);
  const hyp = normaliseTranscript(hypothesis).split(' ').filter(Boolean);
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return { errors: prev[hyp.length]!, words: ref.length };
}

export interface Transcription {
  text: string;
  events: SttEvent[];
  /** Wall ms from opening the stream until close() resolved. */
  wallMs: number;
  /** Wall ms from writing the last frame that holds speech to the first final event. */
  finalLatencyMs: number | null;
}

/**
 * Streams one clip through a fresh stream. `realtime` paces frames at 20 ms (latency
 * measurement); otherwise frames go in as fast as possible (accuracy, real-time factor).
 */
export async function transcribe(provider: SttProvider, audio: MulawAudio, options: { realtime?: boolean } = {}): Promise<Transcription> {
  const started = performance.now();
  const stream = provider.open({ signal: new AbortController().signal });
  const events: SttEvent[] = [];
  let speechEndWrittenAt: number | null = null;
  let firstFinalAt: number | null = null;
  const reading = (async () => {
    for await (const event of stream.events) {
      events.push(event);
      if (event.type === 'final' && firstFinalAt === null) firstFinalAt = performance.now();
    }
  })();
  const all = frames(audio);
  const speechFrames = Math.ceil(audio.bytes.length / FRAME_BYTES);
  for (let i = 0; i < all.length; i++) {
    if (options.realtime) {
      const dueMs = started + i * 20 - performance.now();
      if (dueMs > 0) await new Promise((r) => setTimeout(r, dueMs));
    }
    stream.write(all[i]!);
    if (i === speechFrames - 1) speechEndWrittenAt = performance.now();
  }
  await stream.close();
  await reading;
  const text = events
    .filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final')
    .map((e) => e.text)
    .join(' ');
  const finalLatencyMs = firstFinalAt !== null && speechEndWrittenAt !== null ? firstFinalAt - speechEndWrittenAt : null;
  return { text, events, wallMs: performance.now() - started, finalLatencyMs };
}
