/**
 * The fakes' stand-in for synthesised speech: a 440 Hz tone at 8 kHz, as mu-law. 440 Hz
 * repeats exactly every 200 samples (11 cycles), so one period is computed once and tiled:
 * a benchmark's fakes synthesise minutes of it a second.
 */
import { encodeMulawSample } from '../../src/main/core/pipeline/audio';

const PERIOD = Buffer.from(Array.from({ length: 200 }, (_, i) => encodeMulawSample(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)))));

/** `bytes` of the tone, from its phase 0. */
export function tone(bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  for (let at = 0; at < bytes; at += PERIOD.length) PERIOD.copy(out, at, 0, Math.min(PERIOD.length, bytes - at));
  return out;
}
