/**
 * Exports as the console runs them: 'export.start' / 'export.cancel', each export in its own
 * worker thread (the main event loop keeps serving live calls), progress as 'export.progress'
 * events (a few a second, then one final), finished files in <dataDir>/exports/ (0600),
 * served to the console by id through the core's file routes.
 *
 * Jobs are kept in memory; finished files older than a day (and partial files a crash left)
 * are removed when the service starts and whenever an export starts.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportJob } from '@shared/history';
import { ApiError } from '../api/dispatcher';
import type { TeamConnection } from '../sync/team-database';
import { TEAM_NOT_SET_UP } from '../team/team-port';
import type { CoreFile } from '../core-types';
import type { Logger } from '../log';
import { EXPORT_CONTENT_TYPES, EXPORT_EXTENSIONS, type ExportFileRequest } from './export-file';
import { runExportWorker, type ExportOutcome, type ExportWorkerHandle } from './worker-client';

export interface ExportServiceOptions {
  /** The call database the workers read (read-only, their own connection). */
  dbPath: string;
  /**
   * The team database, for exports with source 'team' (issue 12); null (or absent) while
   * Team sync is not set up. Read per export; handed to the worker only.
   */
  team?: () => TeamConnection | null;
  /** Finished exports go to <dataDir>/exports/. */
  dataDir: string;
  /** Every change of a job worth showing: throttled while running, always the final state. */
  emit: (job: ExportJob) => void;
  logger: Logger;
  /** Least time between two progress events of one job (default 250 ms). */
  progressIntervalMs?: number;
  /** Finished exports older than this are removed (default one day). */
  maxAgeMs?: number;
  /** Exports running at once (default 2: this machine class has two cores, calls need one). */
  maxRunning?: number;
  /** How long a cancelled worker gets to stop by itself before it is terminated (default 2 s). */
  cancelGraceMs?: number;
  now?: () => number;
}

export interface ExportService {
  start(request: ExportFileRequest): Promise<ExportJob>;
  cancel(id: string): Promise<ExportJob>;
  get(id: string): ExportJob | null;
  /** The finished file of a done job (route `exports/<id>`), else null. */
  file(id: string): CoreFile | null;
  /** Cancels running exports and waits for their workers. */
  close(): Promise<void>;
}

interface Entry {
  job: ExportJob;
  path: string;
  handle: ExportWorkerHandle | null;
  /** Resolves once the job has reached its final state (and the final event was emitted). */
  finished: Promise<void>;
  lastEmitAt: number;
  pendingEmit: NodeJS.Timeout | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Finished jobs remembered (the files stay on disk until they are a day old). */
const MAX_REMEMBERED = 100;

export function createExportService(options: ExportServiceOptions): ExportService {
  const { dbPath, emit, logger } = options;
  const now = options.now ?? Date.now;
  const interval = options.progressIntervalMs ?? 250;
  const maxAgeMs = options.maxAgeMs ?? DAY_MS;
  const maxRunning = options.maxRunning ?? 2;
  const dir = join(options.dataDir, 'exports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const entries = new Map<string, Entry>();
  /** Workers started whose job is not in `entries` yet (start() awaits their count). */
  const starting = new Map<string, ExportWorkerHandle>();
  let closing = false;

  const snapshot = (entry: Entry): ExportJob => ({ ...entry.job });

  const emitNow = (entry: Entry) => {
    if (entry.pendingEmit) clearTimeout(entry.pendingEmit);
    entry.pendingEmit = null;
    entry.lastEmitAt = performance.now();
    emit(snapshot(entry));
  };
  /** At most one event per interval; the latest state goes out at the end of it. */
  const emitThrottled = (entry: Entry) => {
    if (entry.pendingEmit) return;
    const wait = entry.lastEmitAt + interval - performance.now();
    if (wait <= 0) emitNow(entry);
    else entry.pendingEmit = setTimeout(() => emitNow(entry), wait);
  };

  function removeOldFiles(): void {
    const cutoff = now() - maxAgeMs;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const running = new Set([...starting.keys(), ...[...entries.values()].filter((e) => e.job.state === 'running').map((e) => e.job.id)]);
    for (const name of names) {
      const id = name.replace(/^\./, '').split('.')[0] ?? '';
      if (running.has(id)) continue;
      const file = join(dir, name);
      try {
        // Partial files are only ever written by a running export: any other is a crash's leftover.
        if (name.endsWith('.partial') || statSync(file).mtimeMs < cutoff) {
          rmSync(file, { force: true });
          entries.delete(id);
        }
      } catch (error) {
        logger.warn({ err: error, file: name }, 'could not remove an old export');
      }
    }
    // Forget the oldest finished jobs beyond the cap (their files age out on their own).
    const finished = [...entries.values()].filter((e) => e.job.state !== 'running');
    for (const entry of finished.slice(0, Math.max(0, finished.length - MAX_REMEMBERED))) entries.delete(entry.job.id);
  }
  removeOldFiles();

  function fileName(request: ExportFileRequest, at: number): string {
    const d = new Date(at);
    const p = (n: number) => String(n).padStart(2, '0');
    const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
    const what = request.source === 'team' ? `team-${request.content}` : request.content;
    return `switchboard-${what}-${stamp}.${EXPORT_EXTENSIONS[request.format]}`;
  }

  function settle(entry: Entry, outcome: ExportOutcome): void {
    const { job } = entry;
    job.state = outcome.state;
    job.rowsWritten = outcome.rowsWritten;
    job.finishedAt = now();
    entry.handle = null;
    if (outcome.state === 'done') {
      job.bytes = outcome.bytes;
      job.fileRoute = `exports/${job.id}`;
    } else {
      rmSync(entry.path, { force: true });
      if (outcome.state === 'failed') {
        job.error = outcome.error;
        logger.warn({ exportId: job.id, error: outcome.error }, 'export failed');
      }
    }
    logger.info({ exportId: job.id, state: job.state, rows: job.rowsWritten, bytes: job.bytes }, 'export finished');
    emitNow(entry);
  }

  return {
    async start(request) {
      if (closing) throw new ApiError('unavailable', 'the console is closing');
      const running = starting.size + [...entries.values()].filter((e) => e.job.state === 'running').length;
      if (running >= maxRunning) {
        throw new ApiError('conflict', `${running} exports are already running; wait for one to finish or cancel it`);
      }
      const team = request.source === 'team' ? (options.team?.() ?? null) : null;
      if (request.source === 'team' && team === null) throw new ApiError('unavailable', TEAM_NOT_SET_UP);
      removeOldFiles();
      const id = randomUUID();
      const startedAt = now();
      const path = join(dir, `${id}.${EXPORT_EXTENSIONS[request.format]}`);
      const job: ExportJob = {
        id,
        format: request.format,
        content: request.content,
        state: 'running',
        rowsWritten: 0,
        rowsTotal: 0,
        startedAt,
        finishedAt: null,
        error: null,
        fileName: fileName(request, startedAt),
        fileRoute: null,
        bytes: null,
      };
      let started: () => void = () => {};
      const startedOrOver = new Promise<void>((resolve) => (started = resolve));
      const entry: Entry = { job, path, handle: null, finished: Promise.resolve(), lastEmitAt: 0, pendingEmit: null };
      const handle = runExportWorker({
        dbPath,
        request,
        team,
        path,
        tmpPath: join(dir, `.${id}.${EXPORT_EXTENSIONS[request.format]}.partial`),
        onStart: (rowsTotal) => {
          job.rowsTotal = rowsTotal;
          started();
        },
        onProgress: (rowsWritten) => {
          job.rowsWritten = rowsWritten;
          if (entries.has(id)) emitThrottled(entry);
        },
      });
      entry.handle = handle;
      starting.set(id, handle);
      // Answer once the worker has counted (so the job carries its total) or has failed to start.
      const early = await Promise.race([startedOrOver.then(() => null), handle.outcome]);
      starting.delete(id);
      if (early !== null && early.state === 'failed' && !early.started) {
        rmSync(path, { force: true });
        throw new ApiError(early.code, early.error);
      }
      entries.set(id, entry);
      entry.finished = handle.outcome.then((outcome) => settle(entry, outcome));
      logger.info({ exportId: id, format: request.format, content: request.content, source: request.source ?? 'desk', rowsTotal: job.rowsTotal }, 'export started');
      if (early === null) emitNow(entry);
      return snapshot(entry);
    },

    async cancel(id) {
      const entry = entries.get(id);
      if (!entry) throw new ApiError('not_found', `no export ${id}`);
      if (entry.handle) {
        await entry.handle.cancel(options.cancelGraceMs);
        await entry.finished;
      }
      return snapshot(entry);
    },

    get(id) {
      const entry = entries.get(id);
      return entry ? snapshot(entry) : null;
    },

    file(id) {
      if (!ID_PATTERN.test(id)) return null;
      const entry = entries.get(id);
      if (!entry || entry.job.state !== 'done') return null;
      return { path: entry.path, contentType: EXPORT_CONTENT_TYPES[entry.job.format], downloadName: entry.job.fileName };
    },

    async close() {
      closing = true;
      await Promise.all([
        ...[...starting.values()].map((handle) => handle.cancel(options.cancelGraceMs)),
        ...[...entries.values()].map(async (entry) => {
          await entry.handle?.cancel(options.cancelGraceMs);
          await entry.finished;
        }),
      ]);
    },
  };
}
