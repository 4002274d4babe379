/**
 * The export worker thread: runs one export (exportFromDatabase, or exportFromTeam for the
 * team database) off the main event loop and reports to worker-client.ts. Always runs
 * bundled: as out/main/export-worker.js in the built app, or as workers/dev-worker.mjs's
 * bundle when the main side runs from the TypeScript sources.
 *
 * In (workerData): ExportWorkerData. Cancel: the main thread sets cancel[0] = 1; checked
 * after every batch (the worker never has to yield to its event loop to notice).
 * Out: ExportWorkerMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exportFromTeam } from '../team/team-export';
import { exportFromDatabase, type ExportFromDatabaseOptions } from './export-file';
import { ExportCancelled } from './sink';
import type { ExportWorkerData, ExportWorkerMessage } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('export worker: must run in a worker thread');
const data = workerData as ExportWorkerData;
const cancel = new Int32Array(data.cancel);
const controller = new AbortController();
const post = (message: ExportWorkerMessage) => port.postMessage(message);

let lastPostAt = 0;
let started = false;
const options: ExportFromDatabaseOptions = {
  dbPath: data.dbPath,
  request: data.request,
  path: data.path,
  tmpPath: data.tmpPath,
  signal: controller.signal,
  batchSize: data.batchSize,
  onStart: (rowsTotal) => {
    started = true;
    post({ type: 'started', rowsTotal });
  },
  onProgress: (rowsWritten) => {
    if (Atomics.load(cancel, 0) === 1) controller.abort();
    const now = performance.now();
    if (now - lastPostAt >= data.progressEveryMs) {
      lastPostAt = now;
      post({ type: 'progress', rowsWritten });
    }
  },
};
// A team export reads the team database on this thread's own connection; a desk's, its store.
(data.team ? exportFromTeam({ ...options, connection: data.team }) : exportFromDatabase(options)).then(
  (result) => post({ type: 'done', rowsWritten: result.rowsWritten, bytes: result.bytes }),
  (error: unknown) => {
    if (error instanceof ExportCancelled) return post({ type: 'cancelled' });
    const given = (error as { code?: unknown }).code;
    const code = given === 'bad_request' || given === 'unavailable' ? given : 'internal';
    post({ type: 'failed', message: (error as Error).message ?? String(error), code, started });
  },
);
