/**
 * The caller's voice onset, heard locally from the inbound 8 kHz stream: WebRTC's voice
 * activity detector (libfvad, as WebAssembly: no native build, the same on every platform),
 * fed Twilio's 20 ms mu-law frames while the AI is audible. Onset is `minVoicedMs` of voiced
 * frames in a row (one unvoiced frame inside the run is forgiven: plosives and breath). It
 * fires long before a recogniser's first word (a cloud STT's first interim comes several
 * hundred ms after the caller starts), so the AI can fall silent on the first syllable and let
 * the words decide what it was.
 *
 * Twilio's inbound track carries the caller only (our own audio is not echoed into it), so
 * nothing here has to tell the AI's voice from the caller's. But the VAD adapts to the level it
 * hears: on a near-silent line it calls the faintest hiss voice. So a frame also needs a real
 * level (VOICE_FLOOR) to count: speech on a phone line is far above it, line noise below.
 */
import createFvadModule from '@echogarden/fvad-wasm';
import { FRAME_BYTES, FRAME_MS, MULAW_DECODE } from './audio';

/** libfvad's aggressiveness: 0 lets the most through as voice, 3 the least. */
export type VadMode = 0 | 1 | 2 | 3;

/**
 * Mean |sample| (16-bit) a frame needs to count as voice, about −44 dBFS: phone speech sits
 * around 1,000–5,000 (flite's caller voice starts at ~230 on its first voiced frame), line
 * hiss and the flite files' lead-in under 25 (measured: test/unit/turn-taking.test.ts).
 */
export const VOICE_FLOOR = 150;

export interface VoiceOnsetSettings {
  mode: VadMode;
  /** Voiced audio in a row before the AI pauses. */
  minVoicedMs: number;
}

export interface FvadModule {
  _fvad_new(): number;
  _fvad_free(handle: number): void;
  _fvad_set_mode(handle: number, mode: number): number;
  _fvad_set_sample_rate(handle: number, rate: number): number;
  _fvad_process(handle: number, frame: number, samples: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAP16: Int16Array;
}

let loading: Promise<FvadModule> | null = null;

/** The WebAssembly module, loaded once per process (about 20 KB, a few ms). */
export function loadVad(): Promise<FvadModule> {
  loading ??= createFvadModule() as Promise<FvadModule>;
  return loading;
}

export class VoiceOnsetDetector {
  private readonly handle: number;
  private readonly buffer: number;
  private readonly framesNeeded: number;
  private voicedRun = 0;
  private forgiven = false;
  /** Frames since the last voiced one (large: none yet). */
  private sinceVoiced = Number.MAX_SAFE_INTEGER;
  private closed = false;

  constructor(
    private readonly vad: FvadModule,
    settings: VoiceOnsetSettings,
  ) {
    this.handle = vad._fvad_new();
    if (!this.handle) throw new Error('the voice activity detector could not start (out of memory)');
    vad._fvad_set_mode(this.handle, settings.mode);
    vad._fvad_set_sample_rate(this.handle, 8000);
    this.buffer = vad._malloc(FRAME_BYTES * 2);
    this.framesNeeded = Math.max(1, Math.round(settings.minVoicedMs / FRAME_MS));
  }

  /**
   * One inbound frame (160 mu-law bytes; anything else is skipped). True exactly once per
   * voiced run, when it has lasted `minVoicedMs`.
   */
  push(frame: Buffer): boolean {
    if (this.closed || frame.length !== FRAME_BYTES) return false;
    const heap = this.vad.HEAP16;
    const decode = MULAW_DECODE; // a local: this loop runs for every frame of every call
    const at = this.buffer >> 1;
    let level = 0;
    for (let i = 0; i < FRAME_BYTES; i++) {
      const sample = decode[frame[i]!]!;
      heap[at + i] = sample;
      level += sample < 0 ? -sample : sample;
    }
    // The VAD hears every frame (its noise model keeps adapting); only loud enough ones count.
    const voiced = this.vad._fvad_process(this.handle, this.buffer, FRAME_BYTES) === 1 && level / FRAME_BYTES >= VOICE_FLOOR;
    if (voiced) {
      this.sinceVoiced = 0;
      this.voicedRun += 1;
      return this.voicedRun === this.framesNeeded;
    }
    this.sinceVoiced += 1;
    if (this.voicedRun > 0 && !this.forgiven && this.voicedRun < this.framesNeeded) {
      this.forgiven = true; // one gap inside a run that has not fired yet
      return false;
    }
    this.voicedRun = 0;
    this.forgiven = false;
    return false;
  }

  /** The caller made a voiced sound within the last `ms`. */
  voicedWithin(ms: number): boolean {
    return this.sinceVoiced * FRAME_MS < ms;
  }

  /** Starts afresh (the AI started a new turn): no run carries over. */
  reset(): void {
    this.voicedRun = 0;
    this.forgiven = false;
    this.sinceVoiced = Number.MAX_SAFE_INTEGER;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.vad._free(this.buffer);
    this.vad._fvad_free(this.handle);
  }
}
