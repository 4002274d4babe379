/**
 * Team sync on the main thread: turns change recording on or off as the team database URL is
 * set or cleared, runs the sync worker thread (sync-worker.ts) while it is set, reports its
 * status to the console, tests a connection, and lends the team view a connection pool.
 *
 * The URL is a secret (teamDatabaseUrl: write-only, never logged, never sent to the console);
 * the console sees "host:port/database" only. Desk name, TLS mode and CA file are settings;
 * any change restarts the worker with them (nothing is lost: the worker resumes from the
 * outbox and the backfill position stored in the desk's database).
 */
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import type { SecretStatus } from '@shared/domain';
import type { SyncStatus, SyncTestResult } from '@shared/sync';
import type { Database } from 'better-sqlite3';
import type { SecretStore } from '../config/secrets';
import type { SettingsStore } from '../config/settings';
import type { Logger } from '../log';
import { workerScript } from '../workers/worker-script';
import { migrateTeamDatabase } from './pg-migrations';
import { describeTeamDatabaseError, teamHostOf } from './sync-errors';
import { deskId, disableSync, enableSync, targetFingerprint } from './sync-state';
import type { SyncWorkerCommand, SyncWorkerData, SyncWorkerMessage, SyncWorkerStatus } from './sync-worker';
import { openTeamPool, parseTeamUrl, pgConfig, type TeamConnection } from './team-database';

export interface SyncServiceOptions {
  db: Database;
  dbPath: string;
  secrets: SecretStore;
  settings: SettingsStore;
  logger: Logger;
  /** Every status change, for the console ('sync.status' events). */
  onStatus(status: SyncStatus): void;
  /** Worker tuning (tests make backoff short). */
  worker?: Pick<SyncWorkerData, 'batchSize' | 'baseBackoffMs' | 'maxBackoffMs' | 'idlePollMs' | 'heartbeatMs'>;
}

export interface SyncService {
  /** Resolves once the settings at start are applied (the worker started, if sync is set up). */
  readonly started: Promise<void>;
  status(): SyncStatus;
  /** Validates, stores and applies a new team database URL (the worker restarts with it). */
  setUrl(url: string): Promise<SecretStatus>;
  clearUrl(): Promise<SecretStatus>;
  /** Settings changed (desk name, TLS, CA file): applies them. */
  settingsChanged(): Promise<void>;
  /** Connects with the current settings, checks the schema can be used, and says what happened. */
  test(): Promise<SyncTestResult>;
  /** The team view's pool; null when sync is not configured. */
  pool(): pg.Pool | null;
  /** What the pool connects with (a team export's worker opens its own); null when sync is not configured. Holds the secret URL. */
  connection(): TeamConnection | null;
  close(): Promise<void>;
}

export function createSyncService(options: SyncServiceOptions): SyncService {
  const { db, secrets, settings } = options;
  const log = options.logger.child({ component: 'sync' });
  let worker: Worker | null = null;
  let workerStatus: SyncWorkerStatus | null = null;
  let pool: { pool: pg.Pool; key: string } | null = null;
  /** Serialises restarts: a settings change while the worker is stopping waits for it. */
  let applying: Promise<void> = Promise.resolve();

  const url = () => secrets.get('teamDatabaseUrl');
  const connection = (): TeamConnection | null => {
    const value = url();
    if (!value) return null;
    const s = settings.get();
    return { url: value, tls: s.teamTls, caFile: s.teamCaFile || null };
  };

  function server(value: string | null): string | null {
    if (!value) return null;
    try {
      const u = new URL(value);
      return `${teamHostOf(value)}/${decodeURIComponent(u.pathname.replace(/^\//, '')) || u.username}`;
    } catch {
      return null;
    }
  }

  function status(): SyncStatus {
    const s = settings.get();
    const value = url();
    const base = {
      configured: value !== null,
      urlSource: secrets.status('teamDatabaseUrl').source,
      server: server(value),
      deskName: s.teamDeskName,
      tls: s.teamTls,
      caFile: s.teamCaFile,
    };
    if (!value || !worker) {
      return { ...base, state: 'off', backlog: 0, backfilling: false, lastSyncedAt: workerStatus?.lastSyncedAt ?? null, lastError: null, retryAt: null };
    }
    const w = workerStatus;
    return {
      ...base,
      state: !w ? 'connecting' : w.connected ? 'connected' : w.lastError ? 'offline' : 'connecting',
      backlog: w?.backlog ?? 0,
      backfilling: w?.backfilling ?? false,
      lastSyncedAt: w?.lastSyncedAt ?? null,
      lastError: w?.lastError ?? null,
      retryAt: w?.retryAt ?? null,
    };
  }

  const publish = () => options.onStatus(status());

  async function stopWorker(): Promise<void> {
    const current = worker;
    if (!current) return;
    worker = null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void current.terminate().then(() => resolve()), 10_000);
      current.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      current.postMessage({ type: 'stop' } satisfies SyncWorkerCommand);
    });
  }

  async function startWorker(conn: TeamConnection): Promise<void> {
    const data: SyncWorkerData = { dbPath: options.dbPath, connection: conn, desk: { id: deskId(db), name: settings.get().teamDeskName }, ...options.worker };
    const script = await workerScript('sync-worker');
    const started = new Worker(script, { workerData: data });
    worker = started;
    workerStatus = null;
    let lastError: string | null = null;
    started.on('message', (message: SyncWorkerMessage) => {
      if (message.type !== 'status' || worker !== started) return;
      workerStatus = message;
      // Each new failure once in the log, in words (the URL is never in them).
      if (message.lastError && message.lastError !== lastError) log.warn({ reason: message.lastError, backlog: message.backlog }, 'team sync failing; retrying');
      if (!message.lastError && lastError) log.info({ backlog: message.backlog }, 'team sync connected again');
      lastError = message.lastError;
      publish();
    });
    started.on('error', (error) => {
      log.error({ err: error }, 'team sync worker failed');
      if (worker === started) {
        worker = null;
        workerStatus = workerStatus && { ...workerStatus, connected: false, lastError: 'The sync worker stopped unexpectedly; it restarts with the next settings change or app start.' };
        publish();
      }
    });
    publish();
  }

  /** Brings recording, the worker and the pool in line with the URL and settings. */
  function apply(): Promise<void> {
    applying = applying.then(async () => {
      await stopWorker();
      const conn = connection();
      const key = conn ? JSON.stringify(conn) : '';
      if (pool && pool.key !== key) {
        const old = pool.pool;
        pool = null;
        void old.end().catch(() => undefined);
      }
      if (!conn) {
        disableSync(db);
        publish();
        return;
      }
      try {
        pgConfig(conn); // a bad URL or unreadable CA file: said in the status, no worker
      } catch (error) {
        workerStatus = { type: 'status', connected: false, backlog: 0, lastSyncedAt: null, lastError: describeTeamDatabaseError(error, teamHostOf(conn.url)), retryAt: null, backfilling: false, sent: 0 };
        publish();
        return;
      }
      enableSync(db, targetFingerprint(conn.url));
      await startWorker(conn);
      log.info({ server: server(conn.url), tls: conn.tls }, 'team sync on');
    });
    return applying;
  }

  const started = apply().catch((error: unknown) => log.error({ err: error }, 'team sync could not start'));

  return {
    started,
    status,
    async setUrl(value) {
      const parsed = parseTeamUrl(value);
      const saved = secrets.set('teamDatabaseUrl', parsed.toString());
      await apply();
      return saved;
    },
    async clearUrl() {
      const cleared = secrets.clear('teamDatabaseUrl');
      await apply();
      return cleared;
    },
    settingsChanged: () => apply(),
    async test() {
      const conn = connection();
      const checkedAt = Date.now();
      if (!conn) return { ok: false, message: 'No team database URL is set.', latencyMs: null, checkedAt };
      const started = performance.now();
      let client: pg.Client | null = null;
      try {
        client = new pg.Client(pgConfig(conn));
        client.on('error', () => undefined);
        await client.connect();
        const { rows } = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
        const { to } = await migrateTeamDatabase(client);
        const latencyMs = Math.round(performance.now() - started);
        return { ok: true, message: `Connected to PostgreSQL ${rows[0]?.version ?? ''} at ${server(conn.url)}; team schema version ${to}.`, latencyMs, checkedAt };
      } catch (error) {
        return { ok: false, message: describeTeamDatabaseError(error, teamHostOf(conn.url)), latencyMs: null, checkedAt };
      } finally {
        await client?.end().catch(() => undefined);
      }
    },
    connection,
    pool() {
      const conn = connection();
      if (!conn) return null;
      const key = JSON.stringify(conn);
      if (pool?.key !== key) {
        try {
          pool = { pool: openTeamPool(conn), key };
        } catch {
          return null;
        }
      }
      return pool.pool;
    },
    async close() {
      await applying.catch(() => undefined);
      await stopWorker();
      await pool?.pool.end().catch(() => undefined);
      pool = null;
    },
  };
}
