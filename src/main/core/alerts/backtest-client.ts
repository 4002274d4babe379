/**
 * Backtests off the main thread: each request runs in a short-lived worker thread
 * (backtest-worker.ts) with its own read-only connection, as Analytics does. Starting one
 * costs tens of ms; a replay over a big store costs seconds.
 */
import { Worker } from 'node:worker_threads';
import type { AlertBacktestResult, AlertRule } from '@shared/alerts';
import { workerScript } from '../workers/worker-script';
import type { BacktestWorkerData, BacktestWorkerMessage } from './backtest-worker';

export async function backtestOffThread(dbPath: string, rule: AlertRule, days: number, nowMs = Date.now()): Promise<AlertBacktestResult> {
  const script = await workerScript('alerts-backtest-worker');
  const data: BacktestWorkerData = { dbPath, rule, days, nowMs };
  const message = await new Promise<BacktestWorkerMessage>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    let answered = false;
    worker.once('message', (m: BacktestWorkerMessage) => {
      answered = true;
      resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the backtest worker stopped without an answer (exit code ${code})`));
    });
  });
  if (message.ok) return message.value;
  throw new Error(message.message);
}
