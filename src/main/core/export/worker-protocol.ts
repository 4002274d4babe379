/** Messages between the export worker (worker.ts) and its client (worker-client.ts). */
import type { TeamConnection } from '../sync/team-database';
import type { ExportFileRequest } from './export-file';
import type { ExportErrorCode } from './sink';

export interface ExportWorkerData {
  dbPath: string;
  request: ExportFileRequest;
  /**
   * Set for a team export (request.source 'team'): the worker reads the team database on its
   * own connection instead of dbPath. Holds the URL, a secret: workerData is never logged.
   */
  team?: TeamConnection | null | undefined;
  path: string;
  tmpPath: string;
  /** Int32Array[1] over this: 1 = cancel. */
  cancel: SharedArrayBuffer;
  progressEveryMs: number;
  batchSize?: number | undefined;
}

export type ExportWorkerMessage =
  | { type: 'started'; rowsTotal: number }
  | { type: 'progress'; rowsWritten: number }
  | { type: 'done'; rowsWritten: number; bytes: number }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string; code: ExportErrorCode; started: boolean };
