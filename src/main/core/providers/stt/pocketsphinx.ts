/**
 * Offline speech to text: CMU PocketSphinx (Debian's system library, through our N-API
 * addon) with a language model built from this business's own phrases.
 *
 * Audio path per stream: mu-law 8 kHz -> PCM -> 2x upsample (the en-us acoustic model is
 * 16 kHz; decoding 8 kHz directly is unusable) -> spectral folding -> decoder in a worker.
 *
 * Spectral folding: the acoustic model's filterbank reaches 6.8 kHz, and telephone audio has
 * nothing above 4 kHz, so a fifth of its filters see silence and every frame looks unlike
 * training speech (measured: 80%+ WER even with the domain model). Adding a mirror image of
 * the 0-4 kHz band into 4-8 kHz (multiplying by 1 + a(-1)^n) is a crude bandwidth extension
 * that gives those filters plausible energy (fricatives stay bright, vowels stay dark):
 * WER fell from ~82% to ~34% on the fixtures at a = 0.4 with dither (0.6: 37%, 0.8: worse).
 *
 * Channel-matched cepstral mean: the model's feat.params starts live CMN at the mean of its
 * wideband training speech (c0 41, c1 -5.3, ...). Telephone audio, upsampled and folded, has a
 * very different mean (c0 ~50, c3 ~+22), and live CMN only adapts after seconds of speech, so
 * the first utterance of every stream was decoded against a badly shifted feature space. We
 * start CMN at the mean measured on our own telephone path instead (see TELEPHONE_CMN_INIT).
 * PocketSphinx 0.8+5prealpha lets feat.params override -cmninit (and -upperf etc.) given on
 * the command line, so this needs a copy of the model folder with an edited feat.params,
 * made once in the cache (channelAdaptedModel).
 *
 * Threading: decoding costs 5-30% of a core per call, far too much for the thread that
 * serves the Twilio media bridge, so each stream gets its own worker_thread with its own
 * decoder. One worker per stream (rather than a shared pool) because a decoder is stateful
 * per utterance, per-call state then lives with the call, and an abort is just
 * worker.terminate(). Loading a decoder takes ~100-250 ms, so one warm spare worker is kept
 * ready; open() hands it out and starts the next one.
 *
 * The worker is a plain .mjs file next to this one, found through the repository root,
 * so neither vitest nor electron-vite has to transform or bundle it, and it can be started
 * from src/ (tests) and from out/main/*.js (built app) alike. SWITCHBOARD_POCKETSPHINX_WORKER
 * overrides its path (packaged builds, where it ships unpacked beside the addon).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { mulawToPcm, Resampler2x } from '../../pipeline/audio';
import type { MulawAudio, SttEvent, SttProvider, SttStream } from '../types';
import { EventQueue } from '../event-queue';
import { buildDomainLanguageModel, type LanguageModelOptions } from './language-model';
import { addonPath, DEFAULT_HMM_DIR, repoRoot } from './pocketsphinx-addon';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../privacy/private-files';

export interface PocketsphinxSttOptions {
  /** Folder with stt/domain-phrases.txt, knowledge-base/, intents.json, scenarios/. */
  resourcesDir: string;
  /** Where the built language model is cached. */
  cacheDir: string;
  /** Acoustic model folder; the Debian en-us model by default. */
  hmmDir?: string;
  languageModel?: LanguageModelOptions;
  /** Tuning, mostly for benchmarks. */
  tuning?: Partial<PocketsphinxTuning>;
}

export interface PocketsphinxTuning {
  /** Silence after speech before the utterance is final (VAD hangover). */
  endSilenceMs: number;
  /** Minimum audio between two interim results. */
  partialEveryMs: number;
  /** Language model weight (PocketSphinx -lw). */
  languageWeight: number;
  /** Word insertion penalty (PocketSphinx -wip). */
  wordInsertionPenalty: number;
  /** Level of the mirrored 4-8 kHz band relative to 0-4 kHz (0 disables folding). */
  foldLevel: number;
  /**
   * Initial cepstral mean (13 comma-separated values) written into the model's feat.params,
   * or null to keep the model's own (wideband) value. Measured for one foldLevel: re-measure
   * if you change that (run any telephone speech through a decoder with -logfn and read the
   * last "cmn_live ... Update to" line).
   */
  cmnInit: string | null;
}

/**
 * Live-CMN mean of our telephone path at foldLevel 0.25 with dither: the average of the flite
 * slt and rms voices over 60 lines of resources/stt/domain-phrases.txt (not the WER test
 * sentences), each voice decoded as one long stream so CMN converged.
 */
export const TELEPHONE_CMN_INIT = '49.66,4.87,3.59,22.00,8.29,-8.43,13.24,-11.59,0.77,1.89,-1.73,11.32,-2.44';

// Measured on flite slt/rms telephone audio (test/integration/pocketsphinx-stt.test.ts and
// test/bench/stt.bench.ts): 400 ms of silence ends an utterance without splitting
// sentences at commas; shorter hangovers cut callers who pause mid-sentence.
// WER on test/fixtures/stt/sentences.txt (overall / in-corpus / held-out), one fresh stream
// per sentence:  model's own cmninit, fold 0.4:      slt 36.6 / 12.5 / 56.9, rms 17.2 / 7.7 / 25.2
//                telephone cmninit,   fold 0.4:      slt 29.1 / 12.5 / 43.1, rms  9.7 / 1.0 / 17.1
//                telephone cmninit,   fold 0.25:     slt 27.3 /  8.7 / 43.1, rms  9.3 / 1.0 / 16.3
// (fold 0: slt 26.4, rms 11.5; fold 0.6: slt 29.5, rms 10.6; -lw 5..9, wider beams,
// -remove_noise no, no dither: all within +-1.5 points, wider beams 3-6x slower.)
export const DEFAULT_TUNING: PocketsphinxTuning = {
  endSilenceMs: 400,
  partialEveryMs: 200,
  languageWeight: 6.5,
  wordInsertionPenalty: 0.65,
  foldLevel: 0.25,
  cmnInit: TELEPHONE_CMN_INIT,
};

/**
 * Mirrors the 0-4 kHz band of 16 kHz audio into 4-8 kHz in place: y[n] * (1 + a(-1)^n).
 * `offset` is the stream's sample count so the sign pattern continues across chunks.
 */
export function foldHighBand(samples: Int16Array, level: number, offset: number): Int16Array {
  if (level === 0) return samples;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]! * ((offset + i) % 2 === 0 ? 1 + level : 1 - level);
    samples[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return samples;
}

/**
 * A copy of the acoustic model folder whose feat.params starts CMN at `cmnInit`, made once
 * under `cacheDir` (6.4 MB for the Debian model; copied rather than linked so it also works
 * where symlinks need privileges). Returns `hmmDir` itself when there is nothing to change.
 */
export function channelAdaptedModel(hmmDir: string, cacheDir: string, cmnInit: string | null): string {
  if (!cmnInit) return hmmDir;
  if (!/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){12}$/.test(cmnInit)) throw new Error(`cmnInit must be 13 comma-separated numbers, got "${cmnInit}"`);
  const params = readFileSync(join(hmmDir, 'feat.params'), 'utf8');
  const edited = /^-cmninit .*$/m.test(params) ? params.replace(/^-cmninit .*$/m, `-cmninit ${cmnInit}`) : `${params.trimEnd()}\n-cmninit ${cmnInit}\n`;
  const key = createHash('sha256').update(`${hmmDir}\0${edited}`).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `pocketsphinx-hmm-${key}`);
  if (existsSync(join(dir, 'feat.params'))) return dir;
  // The cache lives in the data folder, where everything is this user's alone (issue 10);
  // a copy takes its source's mode (0644 in the install), so each copy is narrowed.
  mkdirSync(cacheDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const entry of readdirSync(hmmDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name !== 'feat.params') {
      copyFileSync(join(hmmDir, entry.name), join(tmp, entry.name));
      chmodSync(join(tmp, entry.name), PRIVATE_FILE_MODE);
    }
  }
  writeFileSync(join(tmp, 'feat.params'), edited, { mode: PRIVATE_FILE_MODE }); // last: its presence marks a complete copy
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process made the same copy first
  }
  return dir;
}

const VAD_START_FRAMES = 10; // PocketSphinx default: 10 frames of 10 ms before "in speech"

/** What the main thread hears from a stream's worker. */
type WorkerMessage =
  | { type: 'ready'; loadMs: number }
  | { type: 'event'; event: SttEvent }
  | { type: 'closed' }
  | { type: 'error'; message: string };

/** The decoder worker's script, relative to the app's root (electron-builder.yml ships it; test/unit/packaging.test.ts checks). */
export const POCKETSPHINX_WORKER_FILE = 'src/main/core/providers/stt/pocketsphinx-worker.mjs';

function workerPath(): string {
  return process.env.SWITCHBOARD_POCKETSPHINX_WORKER ?? join(repoRoot(), POCKETSPHINX_WORKER_FILE);
}

/** A worker that has (or will have) a loaded decoder. */
class DecoderWorker {
  readonly worker: Worker;
  /** Resolves with the model load time; rejects if the decoder could not be created. */
  readonly ready: Promise<number>;
  private handler: ((message: WorkerMessage) => void) | null = null;
  /** Set when a stream owns this worker (it then keeps the process alive). */
  taken = false;
  private backlog: WorkerMessage[] = [];

  constructor(workerData: unknown) {
    this.worker = new Worker(workerPath(), { workerData });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(message.loadMs);
        else if (message.type === 'error') reject(new Error(`PocketSphinx: ${message.message}`));
        this.dispatch(message);
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.dispatch({ type: 'error', message: error.message });
      });
      this.worker.on('exit', () => {
        reject(new Error('PocketSphinx worker exited before it was ready'));
        this.dispatch({ type: 'closed' });
      });
    });
    // A rejected spare nobody is waiting on must not become an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Messages that arrived before a stream took this worker are replayed to it. */
  onMessage(handler: (message: WorkerMessage) => void): void {
    this.handler = handler;
    for (const message of this.backlog.splice(0)) handler(message);
  }

  private dispatch(message: WorkerMessage): void {
    if (this.handler) this.handler(message);
    else this.backlog.push(message);
  }
}


/** Silence fed after speech: covers the detector's end-of-speech hangover with room to spare. */
const SILENCE_FED_MS = 1000;
/** 20 ms frames of silence held back and fed just before speech resumes (300 ms). */
const PRE_ROLL_CHUNKS = 15;

/** True for a frame with no signal at all (mu-law 0xFF/0x7F), as VoIP legs send in pauses. */
function isDigitalSilence(samples: Int16Array): boolean {
  for (let i = 0; i < samples.length; i++) if (samples[i]! > 8 || samples[i]! < -8) return false;
  return true;
}

class PocketsphinxStream implements SttStream {
  readonly events: EventQueue<SttEvent> = new EventQueue();
  private readonly resampler = new Resampler2x('up');
  private samplesWritten = 0;
  private finished = false;
  private closing: Promise<void> | null = null;
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly decoder: DecoderWorker,
    signal: AbortSignal,
    private readonly foldLevel: number,
  ) {
    decoder.taken = true;
    decoder.worker.ref(); // a live call keeps the process alive; the idle spare did not
    decoder.onMessage((message) => this.onWorkerMessage(message));
    if (signal.aborted) this.abort();
    else signal.addEventListener('abort', () => this.abort(), { once: true });
  }

  write(audio: MulawAudio): void {
    if (this.finished || this.closing) return;
    const pcm = mulawToPcm(audio).samples;
    const samples = foldHighBand(this.resampler.process(pcm), this.foldLevel, this.samplesWritten);
    const chunk = { type: 'audio' as const, atSample: this.samplesWritten, samples };
    this.samplesWritten += samples.length;
    if (!isDigitalSilence(pcm)) {
      this.silentMs = 0;
      for (const held of this.preRoll.splice(0)) this.post(held);
      this.post(chunk);
      return;
    }
    this.silentMs += audio.bytes.length / 8;
    if (this.silentMs <= SILENCE_FED_MS) return this.post(chunk);
    // Long digital silence is not fed to the decoder: it costs CPU for nothing and, at the
    // start of a stream, spoils the first utterance ("I want to cancel my contract" after
    // 2 s of 0xFF frames came out as "up my up"). The last bit is held back as the lead-in
    // the voice detector needs when speech resumes.
    this.preRoll.push(chunk);
    if (this.preRoll.length > PRE_ROLL_CHUNKS) this.preRoll.shift();
  }

  /**
   * Starts gated: a decoder whose first second is digital silence mis-hears the first
   * utterance (measured: fine after 600 ms of 0xFF lead-in, broken after 1000 ms), while
   * silence between utterances does no harm.
   */
  private silentMs = Number.POSITIVE_INFINITY;
  private readonly preRoll: Array<{ type: 'audio'; atSample: number; samples: Int16Array }> = [];

  private post(chunk: { type: 'audio'; atSample: number; samples: Int16Array }): void {
    this.decoder.worker.postMessage(chunk, [chunk.samples.buffer as ArrayBuffer]);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = new Promise<void>((resolve) => {
        this.resolveClosed = resolve;
        if (this.finished) return resolve();
        this.decoder.worker.postMessage({ type: 'close' });
      });
    }
    return this.closing;
  }

  private onWorkerMessage(message: WorkerMessage): void {
    if (this.finished) return;
    switch (message.type) {
      case 'event':
        this.events.push(message.event);
        break;
      case 'closed':
        this.finish();
        break;
      case 'error':
        this.finish(new Error(message.message));
        break;
      case 'ready':
        break;
    }
  }

  private abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.events.end(true);
    void this.decoder.worker.terminate();
    this.resolveClosed();
  }

  private finish(failure: Error | null = null): void {
    if (this.finished) return;
    this.finished = true;
    this.events.end(false, failure);
    void this.decoder.worker.terminate();
    this.resolveClosed();
  }
}

/**
 * Builds (or loads from cache) the domain language model, then starts one decoder to prove
 * the addon and model load; that decoder becomes the first stream's. Rejects with a clear
 * message when the addon is not built or the model is missing.
 */
export async function createPocketsphinxStt(options: PocketsphinxSttOptions): Promise<SttProvider> {
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const addon = addonPath();
  if (!existsSync(addon)) throw new Error(`PocketSphinx addon not built (${addon} missing): run "node scripts/build-native.mjs"`);
  const hmm = options.hmmDir ?? DEFAULT_HMM_DIR;
  if (!existsSync(hmm)) throw new Error(`PocketSphinx acoustic model not found at ${hmm} (apt-get install pocketsphinx-en-us)`);
  const lm = buildDomainLanguageModel({ resourcesDir: options.resourcesDir, cacheDir: options.cacheDir, options: options.languageModel });
  const model = channelAdaptedModel(hmm, options.cacheDir, tuning.cmnInit);

  const workerData = {
    addonPath: addon,
    decoder: {
      hmm: model,
      dict: lm.dictPath,
      lm: lm.lmPath,
      options: {
        '-vad_postspeech': Math.round(tuning.endSilenceMs / 10),
        '-vad_startspeech': VAD_START_FRAMES,
        '-lw': tuning.languageWeight,
        '-wip': tuning.wordInsertionPenalty,
        // Third pass over the lattice: slightly better words and a real posterior confidence.
        '-bestpath': true,
        // A least-significant-bit of noise keeps the log filterbank off zero in the empty
        // parts of the telephone band (measured: a few points of WER). Fixed seed: repeatable.
        '-dither': true,
        '-seed': 1,
      },
    },
    partialEveryMs: tuning.partialEveryMs,
    startLagMs: VAD_START_FRAMES * 10,
    endLagMs: tuning.endSilenceMs,
  };

  const startSpare = () => {
    const spare = new DecoderWorker(workerData);
    // An idle spare must not keep the process alive, but only once it has loaded: until
    // then someone may be awaiting `ready`.
    spare.ready.then(
      () => spare.taken || spare.worker.unref(),
      () => undefined,
    );
    return spare;
  };
  let spare = startSpare();
  await spare.ready; // surfaces a broken addon or model now, not on the first call

  return {
    label: 'pocketsphinx (offline)',
    offline: true,
    capabilities: { interimResults: true },
    open({ signal }) {
      const decoder = spare;
      spare = startSpare();
      return new PocketsphinxStream(decoder, signal, tuning.foldLevel);
    },
  };
}
