/**
 * What the caller hears, rebuilt from our side of a media stream. Shared by listen-in and the
 * call recorder, which both need the outbound side placed where the caller actually heard it.
 *
 * Outbound audio (AI or agent TTS) leaves in bursts, a whole clause at once, and Twilio queues
 * it and plays it in real time. The only real-time clock a call has is the caller's inbound
 * 20 ms frames, so each inbound frame "plays" as many queued outbound bytes as it is long
 * (160 bytes = 20 ms at 8 kHz mu-law); `clear` drops everything queued, as Twilio does.
 * The queue is bounded: Twilio itself keeps ~10 minutes, a clause is seconds.
 */
import type { MulawAudio } from '../providers/types';
import type { MediaStream } from '../telephony/media-bridge';

/** What a tap needs of a MediaStream (the real one in the core; tests may drive it directly). */
export type TapSource = Pick<MediaStream, 'on' | 'off' | 'isOpen'>;

export const MULAW_BYTES_PER_MS = 8;
/** Twilio keeps ~10 minutes of outbound audio; a clause is seconds. 2 minutes bounds a call at ~1 MB. */
export const DEFAULT_MAX_QUEUED_MS = 120_000;

export class LinePlayout {
  /** Outbound audio Twilio has queued for the caller and not yet played, oldest first. */
  private readonly queue: Buffer[] = [];
  /** When each queued chunk was sent (ms, the caller's clock; -Infinity when not given). */
  private readonly sentAtMs: number[] = [];
  private headOffset = 0;
  private queuedBytes = 0;
  private droppedBytes = 0;
  private readonly maxQueuedBytes: number;

  constructor(maxQueuedMs: number = DEFAULT_MAX_QUEUED_MS) {
    this.maxQueuedBytes = Math.max(0, Math.round(maxQueuedMs * MULAW_BYTES_PER_MS));
  }

  /** Outbound audio queued and not yet heard by the caller, in ms. */
  get queuedMs(): number {
    return this.queuedBytes / MULAW_BYTES_PER_MS;
  }

  /** Outbound audio dropped because the queue was full, in ms. */
  get droppedMs(): number {
    return this.droppedBytes / MULAW_BYTES_PER_MS;
  }

  /**
   * Audio sent to Twilio for the caller (the stream's 'outbound' event), sent at `sentAtMs`
   * on the clock `take` is given (optional: listen-in only needs the order).
   */
  push(audio: MulawAudio, sentAtMs = -Infinity): void {
    const room = this.maxQueuedBytes - this.queuedBytes;
    const bytes = audio.bytes.length <= room ? audio.bytes : audio.bytes.subarray(0, Math.max(0, room));
    this.droppedBytes += audio.bytes.length - bytes.length;
    if (bytes.length === 0) return;
    this.queue.push(bytes);
    this.sentAtMs.push(sentAtMs);
    this.queuedBytes += bytes.length;
  }

  /** A `clear` went out: Twilio dropped everything it had queued. */
  clear(): void {
    this.queue.length = 0;
    this.sentAtMs.length = 0;
    this.headOffset = 0;
    this.queuedBytes = 0;
  }

  /** A `clear` that went out at `atMs`, applied late: drops what was sent before it and is still queued. */
  clearBefore(atMs: number): void {
    while (this.queue.length > 0 && this.sentAtMs[0]! < atMs) {
      this.queuedBytes -= this.queue[0]!.length - this.headOffset;
      this.queue.shift();
      this.sentAtMs.shift();
      this.headOffset = 0;
    }
  }

  /**
   * One inbound frame of `count` bytes went by: moves up to `count` queued outbound bytes
   * (what played during it) into `into`, or discards them when `into` is null. Returns how many.
   * `frameEndMs`: when the frame's 20 ms ended; audio sent after that cannot have played in
   * it (a frame processed late, e.g. queued behind call set-up, must not claim audio sent
   * after its time).
   */
  take(count: number, into: Buffer | null, frameEndMs = Infinity): number {
    let taken = 0;
    while (taken < count && this.queue.length > 0 && this.sentAtMs[0]! <= frameEndMs) {
      const head = this.queue[0]!;
      const step = Math.min(count - taken, head.length - this.headOffset);
      if (into) head.copy(into, taken, this.headOffset, this.headOffset + step);
      taken += step;
      this.headOffset += step;
      if (this.headOffset === head.length) {
        this.queue.shift();
        this.sentAtMs.shift();
        this.headOffset = 0;
      }
    }
    this.queuedBytes -= taken;
    return taken;
  }
}
