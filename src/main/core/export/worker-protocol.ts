/** Messages between the export worker (worker.ts) and its client (worker-client.ts). */
import type { ExportRequest } from '@shared/history';

export interface ExportWorkerData {
  dbPath: string;
  request: Pick<ExportRequest, 'filter' | 'format' | 'content'>;
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
  | { type: 'failed'; message: string; code: 'bad_request' | 'internal'; started: boolean };
