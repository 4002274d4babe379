/**
 * Retention (issue 10): calls are kept `keepCallsDays` and recordings `keepRecordingsDays`
 * (Settings → Privacy). A purge runs when the core starts and then every hour.
 *
 * - A call older than its days goes with every row that belongs to it: every child table
 *   references calls(id) ON DELETE CASCADE (utterances, events, turn metrics, recordings,
 *   facts, wrap-ups; a schema test checks that any table added later does too), and the FTS
 *   triggers on utterances keep the search index in step, in the same transaction.
 * - Its recording files are deleted first, then its rows: a file whose row is gone could never
 *   be found again, while a row whose file could not be deleted is retried at the next purge
 *   (the call is kept until then). A file already missing is fine.
 * - A recording older than its days is deleted on its own (file, then row); its call stays.
 * - Never a live call, nor a recording still being written (no length yet).
 * - Small batches, each one short transaction, yielding to the event loop between them
 *   (setImmediate): the store shares this thread with live calls' audio, so one long purge
 *   of a year's calls must not hold it (nor SQLite's write lock) for seconds.
 * - Age is by start time (the calls_by_started_at index), and the clock is injected, so
 *   tests move time instead of waiting for it.
 * - The log gets counts only, never ids, numbers or words.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicSettings } from '@shared/domain';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../log';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
/**
 * How long one batch may hold the thread. Measured on the build machine: a call of 40 lines
 * and 20 events takes ~0.3 ms to delete (its FTS entries with it), so 200 calls at once held
 * the thread ~70 ms, several 20 ms audio frames of every live call. Calls vary in size (a
 * long call has hundreds of lines), so the batch is sized by time, not by a fixed count: each
 * batch's size is scaled from the last one's measured time towards this target.
 */
export const TARGET_BATCH_MS = 8;
/** The first batch's size, and the bounds the adaptive size stays within. */
export const FIRST_BATCH_SIZE = 20;
export const MAX_BATCH_SIZE = 200;

/** What one purge removed (counts only), and when it ran. */
export interface PurgeResult {
  /** Epoch ms when the purge started (the injected clock). */
  at: number;
  /** Calls deleted with all their rows and recordings. */
  calls: number;
  /** Recordings deleted: those of the deleted calls plus those past keepRecordingsDays. */
  recordings: number;
  /** Recording files that could not be deleted (their rows, and calls, are kept for the next purge). */
  failedFiles: number;
}

export interface RetentionOptions {
  db: Database;
  /** The folder holding recording files (rows name bare files in it). */
  recordingsDir: string;
  settings(): Pick<PublicSettings, 'keepCallsDays' | 'keepRecordingsDays'>;
  /** Whether a call is live now (the CallManager's view): live calls are never purged. */
  isLive(callId: string): boolean;
  logger: Logger;
  /** Epoch ms; injected so tests control the clock. */
  now?: () => number;
  /** At most this many calls or recordings per transaction (default MAX_BATCH_SIZE). */
  maxBatchSize?: number;
  intervalMs?: number;
}

interface CallRow {
  id: string;
  started_at: number;
}

interface RecordingFileRow {
  id: string;
  call_id: string;
  file_name: string;
  created_at: number;
}

export class RetentionPurge {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly maxBatchSize: number;
  /** Adapted from batch to batch (see TARGET_BATCH_MS). */
  private batchSize: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PurgeResult | null> | null = null;
  private closed = false;
  private last: PurgeResult | null = null;
  private readonly oldCalls;
  private readonly recordingsOfCall;
  private readonly deleteCall;
  private readonly oldRecordings;
  private readonly deleteRecording;

  constructor(private readonly o: RetentionOptions) {
    this.log = o.logger.child({ component: 'retention' });
    this.now = o.now ?? Date.now;
    this.maxBatchSize = o.maxBatchSize ?? MAX_BATCH_SIZE;
    this.batchSize = Math.min(FIRST_BATCH_SIZE, this.maxBatchSize);
    // Keyset pages over (started_at, id): calls skipped in a page (live, or a file that would
    // not go) are not read again, so a page of them can never stall the loop.
    this.oldCalls = o.db.prepare<[number, number, string, number], CallRow>(
      `SELECT id, started_at FROM calls
       WHERE started_at < ? AND (started_at, id) > (?, ?) AND ended_at IS NOT NULL
       ORDER BY started_at, id LIMIT ?`,
    );
    this.recordingsOfCall = o.db.prepare<[string], RecordingFileRow>('SELECT id, call_id, file_name, created_at FROM recordings WHERE call_id = ?');
    this.deleteCall = o.db.prepare<[string]>('DELETE FROM calls WHERE id = ?');
    this.oldRecordings = o.db.prepare<[number, number, string, number], RecordingFileRow>(
      // A call without an end is live (or left open by a crash, closed at the next start).
      `SELECT r.id, r.call_id, r.file_name, r.created_at FROM recordings r JOIN calls c ON c.id = r.call_id
       WHERE r.created_at < ? AND (r.created_at, r.id) > (?, ?) AND r.duration_ms IS NOT NULL AND c.ended_at IS NOT NULL
       ORDER BY r.created_at, r.id LIMIT ?`,
    );
    this.deleteRecording = o.db.prepare<[string]>('DELETE FROM recordings WHERE id = ?');
  }

  /** The last purge that ran to its end, or null before the first. */
  get lastPurge(): PurgeResult | null {
    return this.last;
  }

  /** Purges now (unless one is running: then its result), and every interval after. */
  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => void this.purge(), this.o.intervalMs ?? PURGE_INTERVAL_MS);
    // The hourly purge must never keep the process alive on its own.
    this.timer.unref();
    void this.purge();
  }

  /**
   * One purge. Never throws: a failure (the disk, a lock held by another process past the
   * busy timeout) is logged and the next purge tries again. Resolves null when closed first.
   */
  purge(): Promise<PurgeResult | null> {
    if (this.closed) return Promise.resolve(null);
    this.running ??= this.run()
      .catch((error: unknown) => {
        this.log.error({ err: error }, 'retention purge failed; it runs again within the hour');
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops the timer and waits for a running purge to stop at its next batch. Call before closing the database. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async run(): Promise<PurgeResult | null> {
    const at = this.now();
    const { keepCallsDays, keepRecordingsDays } = this.o.settings();
    const result: PurgeResult = { at, calls: 0, recordings: 0, failedFiles: 0 };
    /** Files that would not go in this purge: counted once, not tried again until the next. */
    const failedFiles = new Set<string>();
    const removeFile = (fileName: string): boolean => {
      if (failedFiles.has(fileName)) return false;
      if (this.removeFile(fileName)) return true;
      failedFiles.add(fileName);
      result.failedFiles += 1;
      return false;
    };

    // 1. Calls past their days, with everything they own.
    const callCutoff = at - keepCallsDays * DAY_MS;
    let after: [number, string] = [-Infinity, ''];
    for (;;) {
      if (!(await this.yieldUnlessClosed())) return null;
      const page = this.oldCalls.all(callCutoff, after[0], after[1], this.batchSize);
      if (page.length === 0) break;
      const lastRow = page[page.length - 1]!;
      after = [lastRow.started_at, lastRow.id];
      const deletable: string[] = [];
      for (const call of page) {
        if (this.o.isLive(call.id)) continue;
        const files = this.recordingsOfCall.all(call.id);
        // Every file is tried (so one stuck file does not keep the others), then the call goes only if all went.
        const removed = files.map((row) => removeFile(row.file_name));
        if (removed.includes(false)) continue;
        deletable.push(call.id);
        result.recordings += files.length;
      }
      this.timed(() => {
        for (const id of deletable) this.deleteCall.run(id);
      }, page.length);
      result.calls += deletable.length;
    }

    // 2. Recordings past their own days; their calls stay.
    const recordingCutoff = at - keepRecordingsDays * DAY_MS;
    let afterRecording: [number, string] = [-Infinity, ''];
    for (;;) {
      if (!(await this.yieldUnlessClosed())) return null;
      const page = this.oldRecordings.all(recordingCutoff, afterRecording[0], afterRecording[1], this.batchSize);
      if (page.length === 0) break;
      const lastRow = page[page.length - 1]!;
      afterRecording = [lastRow.created_at, lastRow.id];
      const deletable = page.filter((row) => !this.o.isLive(row.call_id) && removeFile(row.file_name));
      this.timed(() => {
        for (const row of deletable) this.deleteRecording.run(row.id);
      }, page.length);
      result.recordings += deletable.length;
    }

    this.last = result;
    const counts = { calls: result.calls, recordings: result.recordings, failedFiles: result.failedFiles, keepCallsDays, keepRecordingsDays };
    if (result.failedFiles > 0) this.log.warn(counts, 'retention purge: some recording files could not be deleted; their calls are kept until the next purge');
    else if (result.calls > 0 || result.recordings > 0) this.log.info(counts, 'retention purge removed old calls and recordings');
    else this.log.debug(counts, 'retention purge: nothing to remove');
    return result;
  }

  /** Runs one batch's deletes as one transaction and sizes the next batch from how long it took. */
  private timed(deletes: () => void, pageSize: number): void {
    const started = performance.now();
    this.o.db.transaction(deletes)();
    const elapsedMs = performance.now() - started;
    // Only a full page says how fast a full page is; a short last page says nothing new.
    if (pageSize < this.batchSize) return;
    const scaled = Math.round((this.batchSize * TARGET_BATCH_MS) / Math.max(elapsedMs, 0.1));
    // At most double per step, so one fast batch of tiny calls does not jump to a huge one.
    this.batchSize = Math.max(1, Math.min(this.maxBatchSize, scaled, this.batchSize * 2));
  }

  /** Lets queued work (a live call's audio, a command) run between batches; false once closed. */
  private async yieldUnlessClosed(): Promise<boolean> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return !this.closed;
  }

  /** Deletes a recording file; a missing one counts as deleted. */
  private removeFile(fileName: string): boolean {
    // Rows hold bare names (migration 004); anything else is not ours to delete.
    if (fileName.includes('/') || fileName.includes('\\') || fileName === '..' || fileName === '.') return false;
    try {
      rmSync(join(this.o.recordingsDir, fileName), { force: true });
      return true;
    } catch (error) {
      this.log.warn({ code: (error as NodeJS.ErrnoException).code }, 'retention purge could not delete a recording file');
      return false;
    }
  }
}
