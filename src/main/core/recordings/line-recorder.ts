/**
 * Records the line through the media bridge as a stereo WAV on the call's clock: the caller
 * (inbound frames) on the left, what the caller heard of us (AI or agent TTS) on the right.
 *
 * Time. File time 0 is the call's time 0 (the clock of transcript lines and timeline events),
 * so the console seeks to a line by its startMs with no offset. Each inbound frame carries
 * Twilio's timestamp (ms since its stream started); a stream's zero on the call clock is
 * estimated like the call session does for its recogniser: the least-delayed frame seen
 * (`clockMs() - timestamp`, minimised — frames can arrive late, never early). Audio cannot be
 * moved once written, so a new stream's first half second is held back (16 KB) until that
 * estimate has settled, then written in place.
 *
 * The right channel is placed where the caller actually heard it: outbound audio is queued as
 * Twilio queues it and each inbound frame plays out as much of it as it is long; `clear`
 * drops the queue (LinePlayout, shared with listen-in). A frame never plays audio sent after
 * its own 20 ms were over: frames that queued up (call set-up) would otherwise pull the
 * greeting earlier than it was even sent.
 *
 * Gaps. A real call handed back to the AI arrives on a new stream (its timestamps restart at
 * 0) after a stretch on the agent's softphone, which the bridge never hears. The same file
 * continues: the gap is written as silence so everything after it stays on the call clock
 * (one file the player can seek by line times; the agent's leg is a separate recording,
 * Twilio's, placed at its own startMs). Silence costs 32 KB/s, what the call would have
 * cost on the bridge. Frame timing jitter under JITTER_MS is absorbed (written back to back)
 * rather than padded or trimmed, so continuous speech never gets clicks.
 */
import { endianness } from 'node:os';
import { FRAME_BYTES, MULAW_DECODE } from '../pipeline/audio';
import type { MulawAudio } from '../providers/types';
import { DEFAULT_MAX_QUEUED_MS, LinePlayout, MULAW_BYTES_PER_MS, type TapSource } from '../calls/line-playout';
import { toneChannel } from './redaction-tone';
import type { WavWriter, WavWriterResult } from './wav-writer';

const SAMPLES_PER_MS = 8;
const BIG_ENDIAN_HOST = endianness() === 'BE';

/** PCM16 in host order to WAV's little-endian order (a no-op on little-endian hosts). */
function toLittleEndian(pcm: Buffer): Buffer {
  return BIG_ENDIAN_HOST ? pcm.swap16() : pcm;
}

/**
 * How much of a new stream is held back while its zero on the call clock settles: frames
 * delayed by call set-up arrive in the first few hundred ms. A crash loses at most this plus
 * one flush interval of the stream's start.
 */
export const DEFAULT_SETTLE_MS = 500;
/** Timing differences smaller than this are written back to back. */
const JITTER_MS = 10;
/** Redacted spans still ahead of the file; a call has a handful, this only bounds a flood. */
const MAX_PENDING_TONES = 1000;

/** Which channel a speaker is on: the caller left, what the caller heard (AI, agent) right. */
export const CALLER_CHANNEL = 0;
export const LINE_CHANNEL = 1;

interface PendingTone {
  channel: number;
  /** Sample frames on the call clock, [from, to). */
  from: number;
  to: number;
}

export interface LineRecorderOptions {
  /** Stereo (caller left, line right), 8 kHz PCM16. */
  writer: WavWriter;
  /** The call's clock: ms since the call started. */
  clockMs(): number;
  maxQueuedMs?: number;
  settleMs?: number;
}

interface HeldFrame {
  timestampMs: number;
  /** The caller's mu-law bytes. */
  inbound: Buffer;
}

/** One media stream of the call, followed from its first frame to its close. */
class StreamTrack {
  readonly playout: LinePlayout;
  /** Least (arrival on the call clock - Twilio timestamp) seen: the stream's zero on the call clock. */
  private zeroMs = Infinity;
  private settled = false;
  /** Frames, and `clear`s (call-clock times), held back until the zero is known. */
  private held: HeldFrame[] = [];
  private heldClears: number[] = [];
  private scratch = Buffer.alloc(FRAME_BYTES);
  private detached = false;

  constructor(
    private readonly stream: TapSource,
    private readonly recorder: LineRecorder,
    maxQueuedMs: number,
    private readonly settleMs: number,
  ) {
    this.playout = new LinePlayout(maxQueuedMs);
    stream.on('media', this.onMedia);
    stream.on('outbound', this.onOutbound);
    stream.on('cleared', this.onCleared);
    stream.on('closed', this.onClosed);
    if (!stream.isOpen) this.detach();
  }

  /** Stops following the stream; frames held back are written first. Idempotent. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.stream.off('media', this.onMedia);
    this.stream.off('outbound', this.onOutbound);
    this.stream.off('cleared', this.onCleared);
    this.stream.off('closed', this.onClosed);
    this.settle();
    this.playout.clear();
  }

  // Outbound audio is stamped with when it was sent, so no frame plays it before that.
  private readonly onOutbound = (audio: MulawAudio): void => this.playout.push(audio, this.recorder.clockMs());

  private readonly onCleared = (): void => {
    if (this.settled) this.playout.clear();
    else this.heldClears.push(this.recorder.clockMs());
  };

  private readonly onClosed = (): void => this.detach();

  private readonly onMedia = (audio: MulawAudio, timestampMs: number): void => {
    if (this.settled) {
      // The zero is fixed once audio is written: moving it would tear what is already there.
      this.write(timestampMs, audio.bytes);
      return;
    }
    this.zeroMs = Math.min(this.zeroMs, this.recorder.clockMs() - timestampMs);
    this.held.push({ timestampMs, inbound: audio.bytes });
    if (timestampMs - this.held[0]!.timestampMs >= this.settleMs) this.settle();
  };

  /**
   * Fixes the stream's zero and writes what was held back, replaying the outbound side
   * against it: each held frame plays what had been sent by the end of its 20 ms, and a
   * `clear` takes effect from the frame it fell in. Frames that arrived late in a burst
   * (call set-up) thus never pull the greeting earlier than it was sent.
   */
  private settle(): void {
    if (this.settled || this.held.length === 0) return;
    this.settled = true;
    const held = this.held;
    const clears = this.heldClears;
    this.held = [];
    this.heldClears = [];
    let next = 0;
    for (const frame of held) {
      const startMs = this.zeroMs + frame.timestampMs;
      while (next < clears.length && clears[next]! <= startMs) this.playout.clearBefore(clears[next++]!);
      this.write(frame.timestampMs, frame.inbound);
    }
    while (next < clears.length) this.playout.clearBefore(clears[next++]!);
  }

  /** One frame: the caller's audio left, what played to the caller during it right. */
  private write(timestampMs: number, inbound: Buffer): void {
    const n = inbound.length;
    if (this.scratch.length < n) this.scratch = Buffer.alloc(n);
    const endMs = this.zeroMs + timestampMs + n / MULAW_BYTES_PER_MS;
    const line = this.scratch;
    const heard = this.playout.take(n, line, endMs);
    // Interleaved PCM16 (silence past `heard`). Filled through an Int16Array with the table in
    // a local (this runs 50 times a second per call); WAV is little-endian, like every
    // platform Electron ships on.
    const decode = MULAW_DECODE;
    const samples = new Int16Array(n * 2);
    for (let i = 0; i < heard; i++) {
      samples[i * 2] = decode[inbound[i]!]!;
      samples[i * 2 + 1] = decode[line[i]!]!;
    }
    for (let i = heard; i < n; i++) samples[i * 2] = decode[inbound[i]!]!;
    this.recorder.place(this.zeroMs, timestampMs, toLittleEndian(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)));
  }
}

export class LineRecorder {
  private track: StreamTrack | null = null;
  /** Next sample frame to write, on the call clock (8 per ms). */
  private cursor = 0;
  private finished: Promise<WavWriterResult> | null = null;
  /** Redacted spans (or their ends) not written yet: toned as their frames are placed. */
  private tones: PendingTone[] = [];
  readonly clockMs: () => number;
  private readonly maxQueuedMs: number;
  private readonly settleMs: number;

  constructor(private readonly o: LineRecorderOptions) {
    this.clockMs = o.clockMs;
    this.maxQueuedMs = o.maxQueuedMs ?? DEFAULT_MAX_QUEUED_MS;
    this.settleMs = o.settleMs ?? DEFAULT_SETTLE_MS;
  }

  /** ms of the call clock the file covers so far. */
  get durationMs(): number {
    return this.o.writer.durationMs;
  }

  /** Follows the call's (new) media stream; the previous one, if any, is finished first. */
  attach(stream: TapSource): void {
    if (this.finished) return;
    this.track?.detach();
    this.track = new StreamTrack(stream, this, this.maxQueuedMs, this.settleMs);
  }

  /** Stops recording and closes the file with its final header. Idempotent. */
  finish(): Promise<WavWriterResult> {
    this.finished ??= (() => {
      this.track?.detach();
      this.track = null;
      return this.o.writer.close();
    })();
    return this.finished;
  }

  /**
   * Replaces [startMs, endMs) of the call clock on `channel` with the redaction tone (issue 10).
   * What is written already is patched in the file; the rest is toned as it arrives (a final
   * transcript can come before the end of its audio is placed, e.g. while a stream settles).
   * Resolves once the written part is on disk.
   */
  async toneSpan(channel: number, startMs: number, endMs: number): Promise<void> {
    if (this.finished) return;
    const from = Math.max(0, Math.floor(startMs * SAMPLES_PER_MS));
    const to = Math.ceil(endMs * SAMPLES_PER_MS);
    if (to <= from) return;
    if (to > this.cursor && this.tones.length < MAX_PENDING_TONES) this.tones.push({ channel, from: Math.max(from, this.cursor), to });
    if (from < this.cursor) await this.o.writer.toneSpan(channel, from, Math.min(to, this.cursor));
  }

  /** @internal Writes one frame (interleaved stereo PCM16) at its place on the call clock. */
  place(streamZeroMs: number, timestampMs: number, pcm: Buffer): void {
    if (this.finished) return;
    let frame = pcm;
    const at = Math.round((streamZeroMs + timestampMs) * SAMPLES_PER_MS);
    // Nothing written yet: the first frame goes exactly where it belongs.
    const jitter = this.cursor === 0 ? 0 : JITTER_MS * SAMPLES_PER_MS;
    if (at > this.cursor + jitter) {
      // A gap on the call clock (a hand-back, lost frames): silence keeps what follows in place.
      this.o.writer.appendSilence(at - this.cursor);
      this.cursor = at;
    } else if (at < this.cursor - jitter) {
      // Overlaps what is written (duplicated or reordered frames): keep only what is new.
      const skip = (this.cursor - at) * 4;
      if (skip >= frame.length) return;
      frame = frame.subarray(skip);
    }
    if (this.tones.length > 0) frame = this.tone(frame);
    this.o.writer.appendFrames(frame);
    this.cursor += frame.length / 4;
  }

  /** Tones the parts of `frame` (about to go at the cursor) that lie in redacted spans. */
  private tone(frame: Buffer): Buffer {
    const end = this.cursor + frame.length / 4;
    if (!this.tones.some((t) => t.from < end && t.to > this.cursor)) {
      this.tones = this.tones.filter((t) => t.to > end);
      return frame;
    }
    // A copy: the frame may be a view of a buffer someone else holds.
    const toned = Buffer.from(frame);
    for (const t of this.tones) toneChannel(toned, this.cursor, 2, t.channel, t.from, t.to);
    this.tones = this.tones.filter((t) => t.to > end);
    return toned;
  }
}
