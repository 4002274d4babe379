/**
 * Locates and loads the PocketSphinx N-API addon (native/pocketsphinx, built by
 * scripts/build-native.mjs) and describes its JS surface.
 *
 * Paths are resolved from the repository root (the nearest folder above this module that
 * holds package.json), so the same code works from src/ under vitest and from the bundled
 * out/main/*.js. SWITCHBOARD_POCKETSPHINX_ADDON overrides the .node path (packaged builds).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's pocketsphinx-en-us acoustic model, dictionary and generic language model. */
export const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
export const DEFAULT_HMM_DIR = join(DEFAULT_MODEL_DIR, 'en-us');
export const DEFAULT_DICT_FILE = join(DEFAULT_MODEL_DIR, 'cmudict-en-us.dict');
export const DEFAULT_LM_FILE = join(DEFAULT_MODEL_DIR, 'en-us.lm.bin');

export interface Hypothesis {
  text: string;
  /** Path score (log domain, larger is better); only comparable within one utterance. */
  score: number;
  /** Posterior probability 0..1 of the final hypothesis (needs -bestpath), else null. */
  confidence: number | null;
}

export interface DecoderOptions {
  hmm: string;
  dict: string;
  lm: string;
  /** Extra PocketSphinx flags, e.g. { '-vad_postspeech': 40 }. Unknown flags throw. */
  options?: Record<string, string | number | boolean>;
}

/** One recogniser. Not thread-safe: use it from the thread that created it. */
export interface PocketsphinxDecoder {
  startUtt(): void;
  /** Feeds 16 kHz mono PCM; returns the number of frames searched. */
  processRaw(samples: Int16Array): number;
  /** True while the built-in voice activity detector hears speech (with its hangover). */
  inSpeech(): boolean;
  /** Best hypothesis so far; during an utterance this is the partial result. */
  hypothesis(): Hypothesis | null;
  endUtt(): Hypothesis | null;
  /** Releases the model at once; further calls throw. Idempotent. */
  free(): void;
}

export interface PocketsphinxAddon {
  Decoder: new (options: DecoderOptions) => PocketsphinxDecoder;
}

/** Nearest ancestor folder of this module that contains package.json. */
export function repoRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no package.json above this module)');
    dir = parent;
  }
}

/** The addon, relative to the app's root (packaged: unpacked beside app.asar, where Electron's require finds it). */
export const POCKETSPHINX_ADDON_FILE = 'native/pocketsphinx/build/Release/pocketsphinx.node';

export function addonPath(): string {
  return process.env.SWITCHBOARD_POCKETSPHINX_ADDON ?? join(repoRoot(), POCKETSPHINX_ADDON_FILE);
}

/** Loads the addon in the calling thread. Throws a message that says how to build it. */
export function loadPocketsphinxAddon(path: string = addonPath()): PocketsphinxAddon {
  if (!existsSync(path)) {
    throw new Error(`PocketSphinx addon not built (${path} missing): run "node scripts/build-native.mjs"`);
  }
  return createRequire(import.meta.url)(path) as PocketsphinxAddon;
}
