/**
 * Analytics off the main thread: each request runs in a short-lived worker thread
 * (analytics-worker.ts) with its own read-only connection. Starting one costs tens of ms;
 * the query it saves the event loop from costs hundreds.
 */
import { Worker } from 'node:worker_threads';
import type { Analytics, AnalyticsInput } from '@shared/history';
import { workerScript } from '../workers/worker-script';
import type { AnalyticsWorkerData, AnalyticsWorkerMessage } from './analytics-worker';
import { HistoryError } from './history-error';

export async function computeAnalyticsOffThread(dbPath: string, input: AnalyticsInput): Promise<Analytics> {
  const script = await workerScript('analytics-worker');
  const data: AnalyticsWorkerData = { dbPath, input };
  const message = await new Promise<AnalyticsWorkerMessage>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    let answered = false;
    worker.once('message', (m: AnalyticsWorkerMessage) => {
      answered = true;
      resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the analytics worker stopped without an answer (exit code ${code})`));
    });
  });
  if (message.ok) return message.value;
  if (message.code === 'bad_request') throw new HistoryError(message.message);
  throw new Error(message.message);
}
