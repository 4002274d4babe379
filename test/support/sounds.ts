/** Caller sounds that are not words, as 8 kHz mu-law: what a recogniser hears as nothing. */
import { encodeMulawSample } from '../../src/main/core/pipeline/audio';

/**
 * A cough: `ms` of noise under a fast-attack, slow-decay envelope (deterministic: a seeded
 * generator, so every run hears the same cough).
 */
export function coughAudio(ms = 300, peak = 9000): Buffer {
  let seed = 0x2545f491;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 0x1_0000_0000;
  };
  const samples = ms * 8;
  return Buffer.from(
    Array.from({ length: samples }, (_, i) => {
      const t = i / samples;
      const envelope = t < 0.1 ? t / 0.1 : Math.exp(-4 * (t - 0.1));
      return encodeMulawSample(Math.round(peak * envelope * (random() * 2 - 1)));
    }),
  );
}

/** Steady noise (a hair dryer, a busy street) for `ms`: loud all the way, no words. */
export function noiseAudio(ms: number, level = 5000): Buffer {
  let seed = 0x1b873593;
  return Buffer.from(
    Array.from({ length: ms * 8 }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return encodeMulawSample(Math.round(level * ((seed / 0x1_0000_0000) * 2 - 1)));
    }),
  );
}
