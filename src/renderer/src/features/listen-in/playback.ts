/**
 * Listen-in playback, the parts that need no WebAudio: decoding 'call.audio' slices to
 * Float32 samples at 8 kHz, their level, and when each slice should start so slices play
 * back to back behind a small jitter buffer.
 */
import type { CallAudio } from '@shared/contract';

/** G.711 mu-law byte -> linear sample in [-1, 1) (the same table as the core's codec). */
const MULAW_TO_FLOAT = Float32Array.from({ length: 256 }, (_, byte) => {
  const u = ~byte & 0xff;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80 ? 0x84 - magnitude : magnitude - 0x84) / 32768;
});

function base64Bytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A slice's samples as Float32 at its sample rate (8000 Hz). */
export function decodeSlice(slice: Pick<CallAudio, 'encoding' | 'data'>): Float32Array<ArrayBuffer> {
  const bytes = base64Bytes(slice.data);
  if (slice.encoding === 'mulaw') {
    const out = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = MULAW_TO_FLOAT[bytes[i]!]!;
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

/** A 0..1 level for a meter: RMS in dBFS mapped from -60..0 dB. */
export function levelOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/**
 * Places slices back to back on the AudioContext's clock (seconds). The first slice, and any
 * slice after the line ran dry, starts `bufferSec` from now, so network jitter smaller than
 * that never causes a gap. A slice that would start more than `maxLagSec` ahead (slices
 * arrived in a burst after a stall) is dropped, so the agent never drifts behind the call.
 */
export class PlayoutClock {
  private nextSec: number | null = null;

  constructor(
    readonly bufferSec = 0.2,
    readonly maxLagSec = 1,
  ) {}

  /** When to start a slice of `durationSec`, or null to drop it. */
  place(nowSec: number, durationSec: number): number | null {
    if (this.nextSec === null || this.nextSec < nowSec) this.nextSec = nowSec + this.bufferSec;
    else if (this.nextSec - nowSec > this.maxLagSec) return null;
    const at = this.nextSec;
    this.nextSec += durationSec;
    return at;
  }

  reset(): void {
    this.nextSec = null;
  }
}
