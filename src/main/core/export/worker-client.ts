/**
 * The main-thread side of one export worker: starts it, relays what it says, cancels it
 * (cooperatively through a shared flag, then by terminating it if it does not stop in time)
 * and makes sure a failed or cancelled export leaves neither its partial nor its final file.
 *
 * Which script runs the worker: see workers/worker-script.ts.
 */
import { rmSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { TeamConnection } from '../sync/team-database';
import type { ExportFileRequest } from './export-file';
import { workerScript } from '../workers/worker-script';
import { tempPathFor, type ExportErrorCode } from './sink';
import type { ExportWorkerData, ExportWorkerMessage } from './worker-protocol';

export type ExportOutcome =
  | { state: 'done'; rowsTotal: number; rowsWritten: number; bytes: number }
  | { state: 'cancelled'; rowsTotal: number; rowsWritten: number }
  | { state: 'failed'; rowsTotal: number; rowsWritten: number; error: string; code: ExportErrorCode; started: boolean };

export interface ExportWorkerOptions {
  dbPath: string;
  request: ExportFileRequest;
  /** A team export's connection (see ExportWorkerData.team). */
  team?: TeamConnection | null;
  path: string;
  tmpPath?: string;
  /** At most one progress report per this many ms (default 100). */
  progressEveryMs?: number;
  batchSize?: number;
  /** The worker's V8 limits (default: EXPORT_WORKER_LIMITS). */
  resourceLimits?: ResourceLimits;
  onStart?: (rowsTotal: number) => void;
  onProgress?: (rowsWritten: number) => void;
}

export interface ExportWorkerHandle {
  /** Settles once (never rejects) when the worker is done, failed or cancelled, and its files are tidied. */
  readonly outcome: Promise<ExportOutcome>;
  /**
   * Asks the worker to stop after its current batch; terminates it after `graceMs` if it has
   * not. Resolves with the outcome: 'cancelled', unless it had already finished or failed.
   */
  cancel(graceMs?: number): Promise<ExportOutcome>;
}

const DEFAULT_CANCEL_GRACE_MS = 2000;

/**
 * A bounded heap for the export worker. An export holds one batch of rows (and Excel's 8 MB
 * zip backlog) at a time, so its live data is a few MB; left to V8's defaults the old
 * generation grows past 100 MB of garbage before it is collected, and that RSS is the app's.
 * The young generation stays roomy: rows die young, and a small one (8 MB) halved CSV speed.
 * Measured on 1M lines (peak RSS above the idle app, rows/s): CSV default 181 MB / 92k,
 * these 114 MB / 104k; Excel default 184 MB, these 138 MB at the same speed. Running out of
 * heap fails the export, never the app.
 */
export const EXPORT_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 32 };

export function runExportWorker(options: ExportWorkerOptions): ExportWorkerHandle {
  const tmpPath = options.tmpPath ?? tempPathFor(options.path);
  const cancelFlag = new SharedArrayBuffer(4);
  const data: ExportWorkerData = {
    dbPath: options.dbPath,
    request: options.request,
    team: options.team ?? null,
    path: options.path,
    tmpPath,
    cancel: cancelFlag,
    progressEveryMs: options.progressEveryMs ?? 100,
    batchSize: options.batchSize,
  };

  let rowsTotal = 0;
  let rowsWritten = 0;
  let started = false;
  let cancelRequested = false;
  let settle: (outcome: ExportOutcome) => void = () => {};
  const outcome = new Promise<ExportOutcome>((resolve) => (settle = resolve));
  let settled = false;
  const finish = (result: ExportOutcome) => {
    if (settled) return;
    settled = true;
    // A cancel wins over a result that raced it: the user asked for nothing to be left.
    const final: ExportOutcome = cancelRequested && result.state === 'done' ? { state: 'cancelled', rowsTotal, rowsWritten } : result;
    if (final.state !== 'done') rmSync(tmpPath, { force: true }); // a terminated worker cannot tidy up
    if (final !== result) rmSync(options.path, { force: true }); // finished, but the user had cancelled
    settle(final);
  };

  let worker: Worker | null = null;
  const attach = (w: Worker) => {
    worker = w;
    w.on('message', onMessage);
    w.on('error', (error) => {
      finish({ state: 'failed', rowsTotal, rowsWritten, error: `export worker failed: ${error.message}`, code: 'internal', started });
    });
    w.on('exit', (code) => {
      // Let a last message still in flight be handled first.
      setImmediate(() => {
        if (cancelRequested) finish({ state: 'cancelled', rowsTotal, rowsWritten });
        else finish({ state: 'failed', rowsTotal, rowsWritten, error: `export worker stopped unexpectedly (exit code ${code})`, code: 'internal', started });
      });
    });
  };
  workerScript('export-worker').then(
    (script) => {
      if (cancelRequested) return finish({ state: 'cancelled', rowsTotal, rowsWritten });
      try {
        attach(new Worker(script, { workerData: data, resourceLimits: options.resourceLimits ?? EXPORT_WORKER_LIMITS }));
      } catch (error) {
        finish({ state: 'failed', rowsTotal, rowsWritten, error: (error as Error).message, code: 'internal', started });
      }
    },
    (error: Error) => finish({ state: 'failed', rowsTotal, rowsWritten, error: error.message, code: 'internal', started }),
  );

  const onMessage = (message: ExportWorkerMessage) => {
    switch (message.type) {
      case 'started':
        started = true;
        rowsTotal = message.rowsTotal;
        options.onStart?.(rowsTotal);
        break;
      case 'progress':
        rowsWritten = message.rowsWritten;
        options.onProgress?.(rowsWritten);
        break;
      case 'done':
        rowsWritten = message.rowsWritten;
        finish({ state: 'done', rowsTotal, rowsWritten, bytes: message.bytes });
        break;
      case 'cancelled':
        finish({ state: 'cancelled', rowsTotal, rowsWritten });
        break;
      case 'failed':
        finish({ state: 'failed', rowsTotal, rowsWritten, error: message.message, code: message.code, started: message.started });
        break;
    }
  };

  return {
    outcome,
    async cancel(graceMs = DEFAULT_CANCEL_GRACE_MS) {
      if (settled) return outcome;
      cancelRequested = true;
      Atomics.store(new Int32Array(cancelFlag), 0, 1);
      const timer = setTimeout(() => void (worker as Worker | null)?.terminate(), graceMs);
      const result = await outcome;
      clearTimeout(timer);
      return result;
    },
  };
}

export interface MeasuredExport {
  rows: number;
  rowsTotal: number;
  bytes: number;
  /** From the first row (after the count) to the renamed file: what rows/s is computed over. */
  ms: number;
  /** Starting the worker thread and counting the rows (from the TypeScript sources this includes bundling the worker, once per process). */
  bootMs: number;
  /** Highest process RSS seen during the export (sampled every 20 ms; includes the worker thread), MB. */
  peakRssMb: number;
  /** The process's RSS just before the export started, MB. */
  startRssMb: number;
}

/**
 * One export through the real worker, measured (for `npm run bench:history`). Rejects with
 * the worker's message if the export fails. The main thread stays free: measure its event
 * loop meanwhile (perf_hooks.monitorEventLoopDelay).
 */
export async function measureExport(options: Omit<ExportWorkerOptions, 'onStart'>): Promise<MeasuredExport> {
  const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  let startedAt = t0;
  try {
    const handle = runExportWorker({ ...options, onStart: () => (startedAt = performance.now()) });
    const outcome = await handle.outcome;
    const ms = performance.now() - startedAt;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (outcome.state !== 'done') throw new Error(outcome.state === 'failed' ? outcome.error : 'export cancelled');
    return {
      rows: outcome.rowsWritten,
      rowsTotal: outcome.rowsTotal,
      bytes: outcome.bytes,
      ms,
      bootMs: startedAt - t0,
      peakRssMb: mb(peakRss),
      startRssMb: mb(startRss),
    };
  } finally {
    clearInterval(sampler);
  }
}
