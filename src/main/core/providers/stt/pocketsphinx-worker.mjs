/**
 * One PocketSphinx decoder in its own thread: decodes one STT stream and decides where
 * utterances begin and end. Started by pocketsphinx.ts; see there for why this is a plain
 * .mjs file.
 *
 * Endpointing lives here, not in the main thread, because the decision to end an utterance
 * must happen between two processRaw calls: if the main thread decided, audio already queued
 * behind it would leak into the finished utterance.
 *
 * In:  { type: 'audio', atSample: number, samples: Int16Array (16 kHz) } | { type: 'close' }
 *      (`atSample` places the chunk on the stream's clock: long silences are not sent.)
 * Out: { type: 'ready', loadMs } | { type: 'event', event: SttEvent } | { type: 'closed' }
 *      | { type: 'error', message }
 * Times are ms of audio fed since the stream opened.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ addonPath: string, decoder: { hmm: string, dict: string, lm: string, options: Record<string, string|number|boolean> }, partialEveryMs: number, startLagMs: number, endLagMs: number }} */
const config = workerData;
const port = parentPort;
if (!port) throw new Error('pocketsphinx-worker.mjs must run in a worker thread');

let decoder;
try {
  const started = performance.now();
  const { Decoder } = createRequire(import.meta.url)(config.addonPath);
  decoder = new Decoder(config.decoder);
  decoder.startUtt();
  port.postMessage({ type: 'ready', loadMs: performance.now() - started });
} catch (error) {
  port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  port.close();
}

/** Stream position (16 kHz samples) just after the last chunk decoded. */
let streamSamples = 0;
let inUtterance = false;
let utteranceStartMs = 0;
let lastPartialAtMs = 0;
let lastPartialText = '';

const audioMs = () => streamSamples / 16;
const emit = (event) => port.postMessage({ type: 'event', event });

function finishUtterance(endMs) {
  const result = decoder.endUtt();
  decoder.startUtt();
  inUtterance = false;
  lastPartialText = '';
  const text = result?.text.trim() ?? '';
  // Noise, breaths and clicks decode to nothing (or only fillers, which the decoder drops).
  if (text) emit({ type: 'final', text, startMs: utteranceStartMs, endMs: Math.max(endMs, utteranceStartMs), confidence: result.confidence });
}

function onAudio(atSample, samples) {
  decoder.processRaw(samples);
  streamSamples = atSample + samples.length;
  const nowMs = audioMs();
  const speaking = decoder.inSpeech();
  if (speaking && !inUtterance) {
    // The detector needs a few frames of speech before it says so: date the start back.
    inUtterance = true;
    utteranceStartMs = Math.max(0, nowMs - config.startLagMs);
    lastPartialAtMs = nowMs;
    emit({ type: 'speech-started', atMs: utteranceStartMs });
  } else if (speaking && nowMs - lastPartialAtMs >= config.partialEveryMs) {
    lastPartialAtMs = nowMs;
    const text = decoder.hypothesis()?.text.trim() ?? '';
    if (text && text !== lastPartialText) {
      lastPartialText = text;
      emit({ type: 'interim', text, startMs: utteranceStartMs, endMs: nowMs });
    }
  } else if (!speaking && inUtterance) {
    // The detector keeps "speaking" for its hangover after the voice stops.
    finishUtterance(nowMs - config.endLagMs);
  }
}

port.on('message', (message) => {
  if (!decoder) return;
  try {
    if (message.type === 'audio') {
      onAudio(message.atSample, message.samples);
    } else if (message.type === 'close') {
      if (inUtterance) finishUtterance(audioMs());
      decoder.free();
      decoder = undefined;
      port.postMessage({ type: 'closed' });
      port.close();
    }
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
