/**
 * The backtest worker thread: replays one rule over the stored calls (backtestRule) on its own
 * read-only connection, so a 90-day backtest never holds up the main event loop, where live
 * calls' audio is paced. Started per request by backtest-client.ts; always runs bundled (see
 * workers/worker-script.ts).
 *
 * In (workerData): BacktestWorkerData. Out: one BacktestWorkerMessage, then it exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AlertBacktestResult, AlertRule } from '@shared/alerts';
import { openDatabaseReadOnly } from '../store/db';
import { backtestRule } from './backtest';

export interface BacktestWorkerData {
  dbPath: string;
  /** Already parsed by the AlertBacktestInput schema. */
  rule: AlertRule;
  days: number;
  nowMs: number;
}

export type BacktestWorkerMessage = { ok: true; value: AlertBacktestResult } | { ok: false; message: string };

const port = parentPort;
if (!port) throw new Error('backtest worker: must run in a worker thread');
const data = workerData as BacktestWorkerData;

let message: BacktestWorkerMessage;
try {
  const db = openDatabaseReadOnly(data.dbPath);
  try {
    message = { ok: true, value: backtestRule(db, data.rule, data.days, data.nowMs) };
  } finally {
    db.close();
  }
} catch (error) {
  message = { ok: false, message: (error as Error).message ?? String(error) };
}
port.postMessage(message);
