/**
 * An incremental, crash-tolerant WAV writer.
 *
 * Audio is appended in memory and written out at least every `flushIntervalMs` (1 s) or
 * every `maxBufferedBytes` (64 KiB), so a call never sits in memory and a crash loses at most
 * the last second. After each write the header's RIFF and data sizes are rewritten to cover
 * what is on disk: a file a crash left is then already playable up to its last flush, and
 * `repairWav` (run at the next start) makes it exact. Data goes before the header, so the
 * header never claims bytes that are not there.
 *
 * Writes are asynchronous (the event loop carries live calls) and strictly ordered through
 * one promise chain; positions are explicit, so nothing depends on a file offset. No fsync
 * per flush: what write() handed the OS survives a crash of this process, which is the
 * requirement (same trade-off as the database's synchronous=NORMAL); close() fsyncs once.
 *
 * A failing disk (ENOSPC, EIO) stops the recording, never the call: `onError` is told once,
 * later audio is dropped, and close() still fixes the header over what made it to disk.
 */
import { close as closeFd, closeSync, fsync, openSync, read, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { toneChannel } from './redaction-tone';
import { blockAlign, MAX_WAV_DATA_BYTES, wavDurationMs, wavHeader, WAV_HEADER_BYTES, type WavFormat } from './wav';

const writeAsync = promisify(write);
const readAsync = promisify(read);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(closeFd);

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024;
/** Silence is written from one shared zero buffer, this big at a time (never allocated per gap). */
const ZEROES = Buffer.alloc(64 * 1024);

export interface WavWriterOptions {
  /** Buffered audio is written at least this often, ms. */
  flushIntervalMs?: number;
  /** ...or as soon as this many bytes are buffered. */
  maxBufferedBytes?: number;
  /** Called once when a write fails; the writer then drops further audio. */
  onError?(error: Error): void;
}

export interface WavWriterResult {
  /** PCM bytes on disk after the header. */
  dataBytes: number;
  durationMs: number;
}

/** Pending work, in order: PCM bytes, or a run of silent bytes. */
type Op = Buffer | number;

export class WavWriter {
  private fd: number | null;
  private readonly align: number;
  private pending: Op[] = [];
  private pendingBytes = 0;
  /** Bytes accepted (written + pending), and bytes on disk. */
  private acceptedBytes = 0;
  private diskBytes = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private error: Error | null = null;
  private closing: Promise<WavWriterResult> | null = null;
  private readonly maxBufferedBytes: number;

  private constructor(
    readonly path: string,
    readonly format: WavFormat,
    fd: number,
    private readonly options: WavWriterOptions,
  ) {
    this.fd = fd;
    this.align = blockAlign(format);
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * Creates `path` (which must not exist: 'wx', never overwriting a recording) readable by
   * this user only (0600: recordings are personal data), with a header for no data yet.
   * Synchronous on purpose: it runs once per call, when its stream is admitted, and the
   * first audio frame must find the file there.
   */
  static create(path: string, format: WavFormat, options: WavWriterOptions = {}): WavWriter {
    // wx+: exclusive create, and readable too (toneSpan reads back audio to redact it).
    const fd = openSync(path, 'wx+', 0o600);
    try {
      writeSync(fd, wavHeader(format, 0), 0, WAV_HEADER_BYTES, 0);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new WavWriter(path, format, fd, options);
  }

  /** PCM bytes accepted so far (on disk or about to be). */
  get dataBytes(): number {
    return this.acceptedBytes;
  }

  /** Sample frames (one sample per channel) accepted so far. */
  get frames(): number {
    return this.acceptedBytes / this.align;
  }

  get durationMs(): number {
    return wavDurationMs(this.format, this.acceptedBytes);
  }

  /** The write that failed, if one did (the recording stopped there). */
  get failed(): Error | null {
    return this.error;
  }

  /** Appends interleaved PCM16 little-endian frames (length a multiple of the block size). */
  appendFrames(pcm: Buffer): void {
    if (pcm.length % this.align !== 0) throw new RangeError(`appendFrames: ${pcm.length} bytes is not a whole number of ${this.align}-byte frames`);
    const bytes = this.admit(pcm.length);
    if (bytes === 0) return;
    this.enqueue(bytes === pcm.length ? pcm : pcm.subarray(0, bytes), bytes);
  }

  /** Appends `frames` of digital silence (gaps on the call's clock). */
  appendSilence(frames: number): void {
    if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`appendSilence: ${frames} is not a frame count`);
    const bytes = this.admit(frames * this.align);
    if (bytes === 0) return;
    const last = this.pending.at(-1);
    if (typeof last === 'number') this.pending[this.pending.length - 1] = last + bytes;
    else this.pending.push(bytes);
    this.pendingBytes += bytes;
    // Silence costs no memory while pending, but flushes like audio so the file keeps up.
    if (this.pendingBytes >= this.maxBufferedBytes) void this.flush();
  }

  /**
   * Replaces frames [fromFrame, toFrame) of one channel, already accepted, with the redaction
   * tone (issue 10: a line whose words were redacted is only known once its final transcript
   * arrives, after its audio was written). Everything accepted is flushed first, then the span
   * is read back and rewritten in place, in order with every other write, so the header and
   * the file's length never change and crash repair (repair.ts: header sizes, torn tail) is
   * unaffected; a crash between the flush and the patch leaves that span as it was said.
   * Frames not yet accepted are not touched (the caller tones those as they come). Resolves
   * when the patch is on disk; false when nothing could be patched (closed, failed, out of range).
   */
  toneSpan(channel: number, fromFrame: number, toFrame: number): Promise<boolean> {
    const from = Math.max(0, Math.floor(fromFrame));
    const to = Math.min(this.frames, Math.ceil(toFrame));
    if (channel < 0 || channel >= this.format.channels || to <= from || this.closing || this.error) return Promise.resolve(false);
    void this.flush();
    let patched = false;
    this.chain = this.chain.then(async () => {
      const fd = this.fd;
      if (fd === null || this.error) return;
      // What reached the disk (a failed write stops short of what was accepted).
      const end = Math.min(to, this.diskBytes / this.align);
      if (end <= from) return;
      const position = WAV_HEADER_BYTES + from * this.align;
      const span = Buffer.alloc((end - from) * this.align);
      try {
        for (let done = 0; done < span.length; ) {
          const { bytesRead } = await readAsync(fd, span, done, span.length - done, position + done);
          if (bytesRead <= 0) throw new Error('read made no progress');
          done += bytesRead;
        }
        toneChannel(span, from, this.format.channels, channel, from, end, this.format.sampleRateHz);
        await writeFully(fd, span, position);
        patched = true;
      } catch (error) {
        this.fail(error as Error);
      }
    });
    return this.chain.then(() => patched);
  }

  /** Writes everything accepted so far, then the header over it. Resolves when on disk. */
  flush(): Promise<void> {
    if (this.pending.length > 0 && this.fd !== null && !this.error) {
      const ops = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      this.chain = this.chain.then(() => this.writeOps(ops));
    }
    return this.chain;
  }

  /** Flushes, fixes the header, fsyncs and closes. Idempotent; never rejects. */
  close(): Promise<WavWriterResult> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.flush();
      const fd = this.fd;
      this.fd = null;
      if (fd !== null) {
        try {
          await this.writeHeader(fd);
          await fsyncAsync(fd);
        } catch (error) {
          this.fail(error as Error);
        } finally {
          await closeAsync(fd).catch(() => undefined);
        }
      }
      return { dataBytes: this.diskBytes, durationMs: wavDurationMs(this.format, this.diskBytes) };
    })();
    return this.closing;
  }

  /** How many of `bytes` may still be accepted (the RIFF size field is 32 bits). */
  private admit(bytes: number): number {
    if (this.error || this.closing || bytes === 0) return 0;
    const room = MAX_WAV_DATA_BYTES - this.acceptedBytes;
    const allowed = Math.min(bytes, room - (room % this.align));
    this.acceptedBytes += allowed;
    return allowed;
  }

  private enqueue(op: Buffer, bytes: number): void {
    this.pending.push(op);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.maxBufferedBytes) void this.flush();
  }

  private async writeOps(ops: Op[]): Promise<void> {
    const fd = this.fd;
    if (fd === null || this.error) return;
    try {
      for (const op of coalesce(ops)) {
        if (typeof op === 'number') {
          for (let left = op; left > 0; ) {
            const n = Math.min(left, ZEROES.length);
            await writeFully(fd, ZEROES.subarray(0, n), WAV_HEADER_BYTES + this.diskBytes);
            this.diskBytes += n;
            left -= n;
          }
        } else {
          await writeFully(fd, op, WAV_HEADER_BYTES + this.diskBytes);
          this.diskBytes += op.length;
        }
      }
      await this.writeHeader(fd);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private async writeHeader(fd: number): Promise<void> {
    await writeFully(fd, wavHeader(this.format, this.diskBytes), 0);
  }

  private fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    this.pending = [];
    this.pendingBytes = 0;
    this.options.onError?.(error);
  }
}

/** Joins runs of small PCM buffers (one per 20 ms frame) so a flush is a few writes, not fifty. */
function coalesce(ops: Op[]): Op[] {
  const out: Op[] = [];
  let run: Buffer[] = [];
  const end = () => {
    if (run.length > 0) out.push(run.length === 1 ? run[0]! : Buffer.concat(run));
    run = [];
  };
  for (const op of ops) {
    if (typeof op === 'number') {
      end();
      out.push(op);
    } else {
      run.push(op);
    }
  }
  end();
  return out;
}

/** write() may write less than asked; keep going until all of `buffer` is at `position`. */
async function writeFully(fd: number, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length; ) {
    const { bytesWritten } = await writeAsync(fd, buffer, done, buffer.length - done, position + done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}
