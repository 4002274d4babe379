/**
 * Telephone audio helpers: the G.711 mu-law codec, 2x resampling between 8 kHz and
 * 16 kHz with a windowed-sinc half-band low-pass (so neither direction aliases), and WAV
 * parsing for engines that write files.
 */
import type { MulawAudio, PcmAudio } from '../providers/types';

/** Twilio sends and expects one 20 ms frame: 160 mu-law bytes at 8 kHz. */
export const FRAME_MS = 20;
export const FRAME_BYTES = 160;
export const MULAW_SILENCE = 0xff;

export function mulawAudio(bytes: Buffer): MulawAudio {
  return { encoding: 'mulaw', sampleRateHz: 8000, bytes };
}

// G.711 mu-law. Written out rather than taken from a package: it is a few lines, it sits
// on the hot path of every call (50 frames/s each way), and the npm codecs ship CommonJS
// builds whose named exports Node's ESM loader cannot see.
const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

/** Decodes one mu-law byte; precomputed for all 256 values below. */
function decodeMulawByte(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = (((u & 0x0f) << 3) + MULAW_BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
}
/** Every mu-law byte decoded to its 16-bit sample. */
export const MULAW_DECODE = Int16Array.from({ length: 256 }, (_, byte) => decodeMulawByte(byte));

export function encodeMulawSample(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), MULAW_CLIP) + MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  magnitude = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | magnitude) & 0xff;
}

export function mulawToPcm(audio: MulawAudio): PcmAudio {
  const samples = new Int16Array(audio.bytes.length);
  for (let i = 0; i < samples.length; i++) samples[i] = MULAW_DECODE[audio.bytes[i]!]!;
  return { encoding: 'pcm16', sampleRateHz: 8000, samples };
}

export function pcmToMulaw(audio: PcmAudio): MulawAudio {
  if (audio.sampleRateHz !== 8000) throw new Error(`pcmToMulaw needs 8000 Hz audio, got ${audio.sampleRateHz} Hz`);
  const bytes = Buffer.allocUnsafe(audio.samples.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = encodeMulawSample(audio.samples[i]!);
  return mulawAudio(bytes);
}

/** ms of audio in a mu-law buffer. */
export function mulawDurationMs(bytes: number): number {
  return bytes / 8;
}

// Half-band FIR: 31 taps, Blackman window, cutoff at a quarter of the higher rate.
const TAPS = 31;
const HALF = (TAPS - 1) / 2;
const KERNEL = (() => {
  const k = new Float64Array(TAPS);
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const n = i - HALF;
    const sinc = n === 0 ? 0.5 : Math.sin((Math.PI * n) / 2) / (Math.PI * n);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    k[i] = sinc * w;
    sum += k[i]!;
  }
  for (let i = 0; i < TAPS; i++) k[i]! /= sum;
  return k;
})();

function clamp16(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : Math.round(x);
}

/**
 * Stateful 2x resampler for a continuous stream: keeps the filter's history between
 * chunks so frame boundaries leave no clicks.
 */
export class Resampler2x {
  private history: Float64Array = new Float64Array(TAPS);

  constructor(readonly direction: 'up' | 'down') {}

  process(input: Int16Array): Int16Array {
    return this.direction === 'up' ? this.up(input) : this.down(input);
  }

  /** 8 kHz -> 16 kHz: zero-stuff, then low-pass (gain 2 restores level). */
  private up(input: Int16Array): Int16Array {
    const out = new Int16Array(input.length * 2);
    const h = this.history;
    for (let i = 0; i < input.length; i++) {
      for (let phase = 0; phase < 2; phase++) {
        h.copyWithin(0, 1);
        h[TAPS - 1] = phase === 0 ? input[i]! : 0;
        let acc = 0;
        for (let t = 0; t < TAPS; t++) acc += h[t]! * KERNEL[t]!;
        out[i * 2 + phase] = clamp16(acc * 2);
      }
    }
    return out;
  }

  /** 16 kHz -> 8 kHz: low-pass, keep every second sample. */
  private down(input: Int16Array): Int16Array {
    const out = new Int16Array(Math.floor(input.length / 2));
    const h = this.history;
    for (let i = 0; i < input.length; i++) {
      h.copyWithin(0, 1);
      h[TAPS - 1] = input[i]!;
      if (i % 2 === 1) {
        let acc = 0;
        for (let t = 0; t < TAPS; t++) acc += h[t]! * KERNEL[t]!;
        out[(i - 1) / 2] = clamp16(acc);
      }
    }
    return out;
  }
}

/** Parses a PCM16 mono RIFF/WAVE file (as flite writes them). */
export function parseWav(file: Buffer): PcmAudio {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let sampleRateHz = 0;
  let channels = 0;
  let bits = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    let size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = file.readUInt16LE(body + 2);
      sampleRateHz = file.readUInt32LE(body + 4);
      bits = file.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16 || channels !== 1) throw new Error(`unsupported WAV: ${bits}-bit, ${channels} channels`);
      // Writers that stream to a pipe leave the size unset; take what is there.
      if (size === 0 || size === 0xffffffff || body + size > file.length) size = file.length - body;
      const samples = new Int16Array(Math.floor(size / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + i * 2);
      return { encoding: 'pcm16', sampleRateHz, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** Converts PCM at 8 or 16 kHz to telephone mu-law (one-shot, for whole clips). */
export function toTelephone(audio: PcmAudio): MulawAudio {
  if (audio.sampleRateHz === 8000) return pcmToMulaw(audio);
  if (audio.sampleRateHz === 16000) {
    return pcmToMulaw({ encoding: 'pcm16', sampleRateHz: 8000, samples: new Resampler2x('down').process(audio.samples) });
  }
  throw new Error(`cannot convert ${audio.sampleRateHz} Hz audio to telephone audio`);
}
