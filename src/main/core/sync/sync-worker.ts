/**
 * The sync worker thread: drains the desk's changes into the team database (drain.ts) off the
 * main event loop, where live calls' audio is paced. Own SQLite connection (WAL: the main
 * thread keeps writing meanwhile), own pg client.
 *
 * Loop: connect (and migrate the team schema, under its advisory lock), send batches while
 * there is anything to send, then look again every `idlePollMs` (or at once when the main
 * thread nudges). Any failure (server down, network gone, a refused password) closes the
 * connection and waits with exponential backoff and jitter (so twenty desks coming back
 * online don't knock at the same instant), then starts over; nothing is lost because the
 * desk forgets a batch only after PostgreSQL committed it.
 *
 * In (workerData): SyncWorkerData. Messages in: 'nudge', 'stop'. Out: SyncWorkerStatus after
 * every change of state and batch (at most ~4 a second), and { type: 'stopped' } last.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { openDatabase } from '../store/db';
import { DEFAULT_BATCH_SIZE, DeskRows, syncBatch, type Desk } from './drain';
import { migrateTeamDatabase } from './pg-migrations';
import { describeTeamDatabaseError, teamHostOf } from './sync-errors';
import { pgConfig, type TeamConnection } from './team-database';

export interface SyncWorkerData {
  dbPath: string;
  connection: TeamConnection;
  desk: Desk;
  batchSize?: number;
  /** First retry after this long; doubles up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often an idle worker looks for new changes. */
  idlePollMs?: number;
  /** An idle worker checks the connection this often, so the status says "not connected" even with nothing to send. */
  heartbeatMs?: number;
}

export interface SyncWorkerStatus {
  type: 'status';
  connected: boolean;
  /** Rows and changes not yet in the team database. */
  backlog: number;
  /** Epoch ms of the last committed batch. */
  lastSyncedAt: number | null;
  /** The last failure in plain words; null once a batch succeeds again. */
  lastError: string | null;
  /** Epoch ms of the next attempt while backing off. */
  retryAt: number | null;
  backfilling: boolean;
  /** Rows sent (upserts + deletes) since the worker started. */
  sent: number;
}

export type SyncWorkerMessage = SyncWorkerStatus | { type: 'stopped' };
export type SyncWorkerCommand = { type: 'nudge' } | { type: 'stop' };

const port = parentPort;
if (!port) throw new Error('sync worker: must run in a worker thread');
const data = workerData as SyncWorkerData;
const batchSize = data.batchSize ?? DEFAULT_BATCH_SIZE;
const baseBackoffMs = data.baseBackoffMs ?? 1000;
const maxBackoffMs = data.maxBackoffMs ?? 60_000;
const idlePollMs = data.idlePollMs ?? 500;
const heartbeatMs = data.heartbeatMs ?? 5000;
const where = teamHostOf(data.connection.url);

let stopping = false;
/** Ends the current pause early; a nudge does not cut a backoff short, a stop does. */
let wake: { done: () => void; byNudge: boolean } | null = null;
port.on('message', (command: SyncWorkerCommand) => {
  if (command.type === 'stop') stopping = true;
  if (wake && (command.type === 'stop' || wake.byNudge)) wake.done();
});

function pause(ms: number, byNudge: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake = null;
      resolve();
    }
    wake = { done, byNudge };
  });
}

const db = openDatabase(data.dbPath);
const rows = new DeskRows(db);
const status: SyncWorkerStatus = {
  type: 'status',
  connected: false,
  backlog: rows.backlog(),
  lastSyncedAt: (db.prepare('SELECT last_synced_at AS at FROM sync_state WHERE id = 1').get() as { at: number | null }).at,
  lastError: null,
  retryAt: null,
  backfilling: rows.syncState().backfill_done === 0,
  sent: 0,
};
const saveSyncedAt = db.prepare('UPDATE sync_state SET last_synced_at = ? WHERE id = 1');
let lastPostMs = 0;
let lastCountMs = 0;
let lastPosted = '';

/** Status to the main thread, at most 4 times a second; the backlog (a count over the tables while backfilling) at most once a second. */
function post(force = false): void {
  const now = performance.now();
  if (!force && now - lastPostMs < 250) return;
  lastPostMs = now;
  if (force || now - lastCountMs >= 1000) {
    lastCountMs = now;
    status.backlog = rows.backlog();
  }
  status.backfilling = rows.syncState().backfill_done === 0;
  const message = JSON.stringify(status);
  if (message === lastPosted) return; // an idle worker stays quiet
  lastPosted = message;
  port!.postMessage({ ...status });
}

async function connect(): Promise<pg.Client> {
  const client = new pg.Client(pgConfig(data.connection));
  client.on('error', () => undefined); // a dropped connection surfaces on the next query
  try {
    await client.connect();
    await migrateTeamDatabase(client);
    // The desk's name as set now, even before it has anything to send (a renamed idle desk).
    await client.query(
      `INSERT INTO desks (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
      [data.desk.id, data.desk.name],
    );
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function run(): Promise<void> {
  let failures = 0;
  let client: pg.Client | null = null;
  let idle = false;
  /** When the team database last answered (an idle batch does not ask it anything). */
  let lastContactMs = 0;
  post(true);
  while (!stopping) {
    try {
      client ??= await connect();
      if (!status.connected || status.lastError) {
        Object.assign(status, { connected: true, lastError: null, retryAt: null });
        post(true);
      }
      const outcome = await syncBatch(rows, client, data.desk, batchSize);
      failures = 0;
      if (outcome.source !== 'idle') lastContactMs = performance.now();
      else if (performance.now() - lastContactMs >= heartbeatMs) {
        await client.query('SELECT 1');
        lastContactMs = performance.now();
      }
      if (outcome.source === 'idle') {
        // Caught up: say so at once (backlog 0), then quietly.
        post(!idle);
        idle = true;
        await pause(idlePollMs, true);
        continue;
      }
      idle = false;
      status.sent += outcome.upserts + outcome.deletes;
      status.lastSyncedAt = Date.now();
      saveSyncedAt.run(status.lastSyncedAt);
      post();
    } catch (error) {
      await client?.end().catch(() => undefined);
      client = null;
      failures++;
      // Equal jitter: half the exponential delay fixed, half random.
      const ceiling = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.min(failures - 1, 30));
      const delay = ceiling / 2 + Math.random() * (ceiling / 2);
      Object.assign(status, { connected: false, lastError: describeTeamDatabaseError(error, where), retryAt: Date.now() + delay });
      post(true);
      await pause(delay, false);
    }
  }
  await client?.end().catch(() => undefined);
  post(true);
}

void run().finally(() => {
  db.close();
  port.postMessage({ type: 'stopped' } satisfies SyncWorkerMessage);
});
