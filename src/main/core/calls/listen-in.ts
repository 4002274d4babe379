/**
 * Listen in (issue 4): the agent hears a live call, both sides, before deciding to take over.
 *
 * A ListenTap rebuilds what the line sounds like from the call's MediaStream. Outbound audio
 * (AI or agent TTS) leaves in bursts, whole clauses at once, and Twilio plays it in real time,
 * so the tap queues it exactly as Twilio does (LinePlayout, which the call recorder shares)
 * and plays it out against the only real-time clock the call has: the caller's inbound
 * 20 ms frames. Each inbound frame consumes as many
 * queued outbound bytes as it is long (160 bytes = 20 ms); `clear` drops the queue. The two
 * sides are decoded, summed with clipping and re-encoded as mu-law.
 *
 * Wire format: mu-law, 1 byte a sample. A 100 ms slice is 800 bytes, ~1.1 KB as base64 in a
 * JSON event, ~11 KB/s per listened call; PCM16 would double that for nothing audible (both
 * sides are G.711 already, and re-quantising the sum is the same step the phone network
 * takes). The renderer decodes it with a 256-entry table.
 *
 * Following the outbound queue costs a few buffer references per call, so every live call
 * is tracked from its start (the first clause is usually already queued when the agent
 * clicks); decoding, mixing and events happen only while someone listens. Audio never goes
 * to the log: only call ids and on/off.
 */
import type { AnyEvent, CallAudio } from '@shared/contract';
import { ApiError, type Handlers } from '../api/dispatcher';
import type { Logger } from '../log';
import { encodeMulawSample, FRAME_BYTES, MULAW_DECODE as DECODE } from '../pipeline/audio';
import type { MulawAudio } from '../providers/types';
import { DEFAULT_MAX_QUEUED_MS, LinePlayout, MULAW_BYTES_PER_MS as BYTES_PER_MS, type TapSource } from './line-playout';

export type { TapSource };
export { DEFAULT_MAX_QUEUED_MS };

/**
 * Two mu-law samples summed with clipping. When one side is silent the other passes through
 * untouched, so one voice at a time (most of a call) reaches the agent bit for bit.
 */
function mix(a: number, b: number): number {
  const sa = DECODE[a]!;
  const sb = DECODE[b]!;
  if (sa === 0) return b;
  if (sb === 0) return a;
  const sum = sa + sb;
  return encodeMulawSample(sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum);
}

/** One listen-in slice: 100 ms (five Twilio frames). */
export const DEFAULT_SLICE_MS = 100;
/** Listening lapses this long after the last `call.listen {listening: true}` unless renewed. */
export const DEFAULT_LISTEN_LEASE_MS = 60_000;

export interface ListenTapOptions {
  callId: string;
  /** Each slice of mixed line audio, while listening. */
  onAudio(slice: CallAudio): void;
  /**
   * The stream closed: the tap has detached itself. Never called for a tap made on a stream
   * that had already closed (that tap is born closed, before its owner holds it).
   */
  onClosed?(): void;
  sliceMs?: number;
  maxQueuedMs?: number;
  /** Clock for the listening lease (ms). */
  nowMs?(): number;
}

export class ListenTap {
  readonly callId: string;
  private readonly sliceBytes: number;
  private readonly nowMs: () => number;
  /** Outbound audio Twilio has queued for the caller and not yet played (shared with the recorder). */
  private readonly playout: LinePlayout;
  /** Listening until this time (lease), or not listening. */
  private listeningUntilMs: number | null = null;
  private readonly slice: Buffer;
  private sliceFill = 0;
  private sliceAtMs = 0;
  private seq = 0;
  private scratch = Buffer.alloc(FRAME_BYTES);
  private closed = false;

  constructor(
    private readonly stream: TapSource,
    private readonly o: ListenTapOptions,
  ) {
    this.callId = o.callId;
    this.sliceBytes = Math.max(1, Math.round((o.sliceMs ?? DEFAULT_SLICE_MS) * BYTES_PER_MS));
    this.playout = new LinePlayout(o.maxQueuedMs ?? DEFAULT_MAX_QUEUED_MS);
    this.nowMs = o.nowMs ?? (() => performance.now());
    this.slice = Buffer.alloc(this.sliceBytes);
    // A stream that already closed (a real call put through to the softphone: its audio now
    // goes between Twilio and the agent directly) has nothing to tap. Born closed, without
    // calling onClosed: the caller is still inside `new` and cannot have stored the tap yet.
    if (!stream.isOpen) {
      this.closed = true;
      return;
    }
    stream.on('media', this.onMedia);
    stream.on('outbound', this.onOutbound);
    stream.on('cleared', this.onCleared);
    stream.on('closed', this.onStreamClosed);
  }

  get listening(): boolean {
    return !this.closed && this.listeningUntilMs !== null && this.nowMs() < this.listeningUntilMs;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Outbound audio queued and not yet heard by the caller, in ms. */
  get queuedMs(): number {
    return this.playout.queuedMs;
  }

  /** Outbound audio dropped because the queue was full, in ms. */
  get droppedMs(): number {
    return this.playout.droppedMs;
  }

  /** Starts (or renews) listening for `leaseMs`. No effect once the stream closed. */
  listen(leaseMs: number): void {
    if (this.closed) return;
    if (!this.listening) this.sliceFill = 0;
    this.listeningUntilMs = this.nowMs() + leaseMs;
  }

  /** Stops listening; a partly filled slice is dropped, nothing more is sent. */
  stop(): void {
    this.listeningUntilMs = null;
    this.sliceFill = 0;
  }

  /** Detaches from the stream and frees the queue. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeningUntilMs = null;
    this.stream.off('media', this.onMedia);
    this.stream.off('outbound', this.onOutbound);
    this.stream.off('cleared', this.onCleared);
    this.stream.off('closed', this.onStreamClosed);
    this.playout.clear();
    this.o.onClosed?.();
  }

  private readonly onOutbound = (audio: MulawAudio): void => this.playout.push(audio);

  private readonly onCleared = (): void => this.playout.clear();

  private readonly onStreamClosed = (): void => {
    if (this.listening) this.flush();
    this.close();
  };

  /** One caller frame: the clock tick that plays as much queued outbound audio as it is long. */
  private readonly onMedia = (audio: MulawAudio, timestampMs: number): void => {
    const inbound = audio.bytes;
    const n = inbound.length;
    if (!this.listening) {
      if (this.listeningUntilMs !== null) this.stop(); // lease lapsed
      this.playout.take(n, null);
      return;
    }
    if (this.scratch.length < n) this.scratch = Buffer.alloc(n);
    const outbound = this.scratch;
    const taken = this.playout.take(n, outbound);
    for (let i = 0; i < n; i++) {
      if (this.sliceFill === 0) this.sliceAtMs = timestampMs + i / BYTES_PER_MS;
      this.slice[this.sliceFill++] = i < taken ? mix(inbound[i]!, outbound[i]!) : inbound[i]!;
      if (this.sliceFill === this.sliceBytes) this.flush();
    }
  };

  private flush(): void {
    if (this.sliceFill === 0) return;
    const data = this.slice.toString('base64', 0, this.sliceFill);
    this.sliceFill = 0;
    this.o.onAudio({
      callId: this.callId,
      seq: this.seq++,
      atMs: Math.max(0, this.sliceAtMs),
      encoding: 'mulaw',
      sampleRateHz: 8000,
      data,
    });
  }
}

export interface ListenInOptions {
  /** The live call's media stream; throws not_found when there is no such live call. */
  liveStream(callId: string): TapSource;
  emit(event: AnyEvent): void;
  logger: Logger;
  leaseMs?: number;
  sliceMs?: number;
  maxQueuedMs?: number;
}

/** Why `call.listen` refuses a live call whose media stream has closed. */
export const NO_AUDIO_TO_LISTEN_TO =
  "There's no audio to listen to: this call's audio no longer passes through the console (it was put through to a softphone, or its stream closed).";

/** The core's taps, one per live call, and the 'call.listen' command. */
export class ListenIn {
  private readonly taps = new Map<string, ListenTap>();
  private readonly leaseMs: number;

  constructor(private readonly o: ListenInOptions) {
    this.leaseMs = o.leaseMs ?? DEFAULT_LISTEN_LEASE_MS;
  }

  readonly handlers: Pick<Handlers, 'call.listen'> = {
    'call.listen': ({ callId, listening }) => {
      const tap = this.track(callId, this.o.liveStream(callId));
      if (tap.isClosed) {
        // Stopping is already true; starting has nothing to play.
        if (!listening) return { listening: false, leaseMs: null };
        throw new ApiError('unavailable', NO_AUDIO_TO_LISTEN_TO);
      }
      const was = tap.listening;
      if (listening) tap.listen(this.leaseMs);
      else tap.stop();
      if (was !== tap.listening) this.o.logger.info({ callId, listening: tap.listening }, 'listen-in');
      return { listening: tap.listening, leaseMs: tap.listening ? this.leaseMs : null };
    },
  };

  /** Every core event passes here: a new live call starts being followed at once. */
  onEvent(event: AnyEvent): void {
    if (event.name !== 'call.updated' || event.payload.status === 'ended' || this.taps.has(event.payload.id)) return;
    let stream: TapSource;
    try {
      stream = this.o.liveStream(event.payload.id);
    } catch {
      return; // not (or no longer) live
    }
    this.track(event.payload.id, stream);
  }

  /**
   * The call's tap, created on first use. Taps remove themselves when their stream closes; a
   * tap for a stream that already closed is returned closed and never stored.
   */
  track(callId: string, stream: TapSource): ListenTap {
    const existing = this.taps.get(callId);
    if (existing && !existing.isClosed) return existing;
    const tap = new ListenTap(stream, {
      callId,
      sliceMs: this.o.sliceMs,
      maxQueuedMs: this.o.maxQueuedMs,
      onAudio: (payload) => this.o.emit({ name: 'call.audio', payload }),
      onClosed: () => {
        if (this.taps.get(callId) === tap) this.taps.delete(callId);
      },
    });
    if (!tap.isClosed) this.taps.set(callId, tap);
    return tap;
  }

  get size(): number {
    return this.taps.size;
  }

  close(): void {
    for (const tap of [...this.taps.values()]) tap.close();
  }
}
