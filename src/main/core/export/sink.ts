/**
 * The file an export is written to: a temporary file in the destination folder (0600, never
 * an existing file), renamed over the destination only once it is complete, and removed on
 * any failure or cancel. So a destination either holds a whole export or is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, fsyncSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A failure the user can act on; `message` is plain words (no stack, no errno soup). */
export type ExportErrorCode = 'bad_request' | 'unavailable' | 'internal';

export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    message: string,
    /** bad_request: the request or destination is wrong; unavailable: the team database cannot be used; internal: anything else. */
    readonly code: ExportErrorCode = 'internal',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown when an export is cancelled; nothing is left on disk. */
export class ExportCancelled extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('export cancelled');
  }
}

/** Where to write the partial file for `path`: hidden, same folder (so the rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
}

/** An errno from fs, said in plain words about the file or folder it concerns. */
export function describeFsError(error: unknown, path: string): ExportError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const folder = dirname(path);
  const say = (message: string, kind: 'bad_request' | 'internal' = 'bad_request') => new ExportError(message, kind, { cause: error });
  switch (code) {
    case 'ENOENT':
      return say(`cannot write ${path}: the folder ${folder} does not exist (or was removed)`);
    case 'ENOTDIR':
      return say(`cannot write ${path}: ${folder} is not a folder`);
    case 'EACCES':
    case 'EPERM':
      return say(`cannot write ${path}: permission denied`);
    case 'EROFS':
      return say(`cannot write ${path}: the file system is read-only`);
    case 'EISDIR':
      return say(`cannot write ${path}: it is a folder`);
    case 'ENOSPC':
    case 'EDQUOT':
      return say(`cannot write ${path}: the disk is full`, 'internal');
    case 'EXDEV':
      return say(`cannot write ${path}: the temporary file is on another file system`, 'internal');
    default:
      return say(`cannot write ${path}: ${(error as Error | null)?.message ?? String(error)}`, 'internal');
  }
}

export class FileSink {
  readonly stream: WriteStream;
  /** The first write error, if any (the stream reports it asynchronously). */
  error: ExportError | null = null;
  /** Rejects with `error` when the file fails (for racing against other waits); never resolves. */
  readonly failed: Promise<never>;
  private closed = false;

  /** Creates the temporary file at once, so a bad destination fails here with a clear message. */
  constructor(
    readonly path: string,
    readonly tmpPath: string = tempPathFor(path),
  ) {
    let fd: number;
    try {
      fd = openSync(tmpPath, 'wx', 0o600);
    } catch (error) {
      throw describeFsError(error, path);
    }
    this.stream = createWriteStream(tmpPath, { fd, highWaterMark: 1 << 20 });
    let fail: (error: ExportError) => void = () => {};
    this.failed = new Promise<never>((_, reject) => (fail = reject));
    this.failed.catch(() => {}); // only ever raced; an unraced failure is reported through `error`
    this.stream.on('error', (error) => {
      this.error ??= describeFsError(error, path);
      fail(this.error);
    });
  }

  /** Writes a chunk; the promise (only when the stream's buffer is full) resolves once it drains. */
  write(chunk: string | Buffer): Promise<void> | undefined {
    if (this.error) throw this.error;
    if (this.stream.write(chunk)) return undefined;
    return this.drained();
  }

  /** Resolves when the stream has room again; rejects if it fails first. */
  drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        if (error || this.error) reject(this.error ?? describeFsError(error, this.path));
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  /** Ends the stream (if the writer has not), flushes it to disk and moves it over `path`. Returns the size. */
  async commit(): Promise<number> {
    if (this.error) throw this.error;
    await new Promise<void>((resolve, reject) => {
      const onClose = () => (this.error ? reject(this.error) : resolve());
      if (this.stream.closed) onClose();
      else this.stream.once('close', onClose);
      if (!this.stream.writableEnded) this.stream.end();
    });
    this.closed = true;
    try {
      // fsync through a fresh descriptor (fsync is per file): a crash right after the rename
      // must not leave a renamed but empty file.
      const fd = openSync(this.tmpPath, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(this.tmpPath, this.path);
      return statSync(this.path).size;
    } catch (error) {
      throw describeFsError(error, this.path);
    }
  }

  /** Stops writing and removes the temporary file. Safe to call more than once, and after commit. */
  discard(): void {
    if (!this.closed) {
      this.closed = true;
      this.stream.destroy();
    }
    rmSync(this.tmpPath, { force: true });
  }
}
