/**
 * The analytics worker thread: computes one dashboard (computeAnalytics) on its own read-only
 * connection, so a team lead's 30-day query (a quarter of a second or more of SQLite work)
 * never holds up the main event loop, where live calls' audio is paced. Started per request by
 * analytics-client.ts; always runs bundled (see workers/worker-script.ts).
 *
 * In (workerData): AnalyticsWorkerData. Out: one AnalyticsWorkerMessage, then it exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Analytics, AnalyticsInput } from '@shared/history';
import { openDatabaseReadOnly } from '../store/db';
import { computeAnalytics } from './analytics';

export interface AnalyticsWorkerData {
  dbPath: string;
  /** Already parsed by the AnalyticsInput schema. */
  input: AnalyticsInput;
}

export type AnalyticsWorkerMessage =
  | { ok: true; value: Analytics }
  | { ok: false; code: 'bad_request' | 'internal'; message: string };

const port = parentPort;
if (!port) throw new Error('analytics worker: must run in a worker thread');
const data = workerData as AnalyticsWorkerData;

let message: AnalyticsWorkerMessage;
try {
  const db = openDatabaseReadOnly(data.dbPath);
  try {
    message = { ok: true, value: computeAnalytics(db, data.input) };
  } finally {
    db.close();
  }
} catch (error) {
  const code = (error as { code?: unknown }).code === 'bad_request' ? 'bad_request' : 'internal';
  message = { ok: false, code, message: (error as Error).message ?? String(error) };
}
port.postMessage(message);
