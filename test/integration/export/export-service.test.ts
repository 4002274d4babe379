/**
 * Exports through the real worker thread (bundled from the TypeScript sources by dev-worker.mjs),
 * the way the console runs them: jobs, progress events, cancel, files under <dataDir>/exports.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportJob } from '@shared/history';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExportService, type ExportService } from '../../../src/main/core/export/export-service';
import { runExportWorker } from '../../../src/main/core/export/worker-client';
import { silentLogger } from '../../../src/main/core/log';
import { addBulk, buildFixture, csvRecords, type Fixture } from '../../unit/export/helpers';

describe('export service (worker threads)', () => {
  let fx: Fixture;
  let dataDir: string;
  let events: ExportJob[];
  let service: ExportService | null;

  beforeEach(() => {
    fx = buildFixture();
    dataDir = join(fx.dir, 'data');
    events = [];
    service = null;
  });
  afterEach(async () => {
    await service?.close();
    fx.cleanup();
  });

  const exportsDir = () => join(dataDir, 'exports');
  const start = (options: { progressIntervalMs?: number; maxRunning?: number; now?: () => number } = {}) =>
    (service = createExportService({ dbPath: fx.dbPath, dataDir, emit: (job) => events.push(job), logger: silentLogger, ...options }));
  const finalEvent = async (id: string): Promise<ExportJob> => {
    for (let i = 0; i < 600; i++) {
      const last = events.filter((e) => e.id === id).at(-1);
      if (last && last.state !== 'running') return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('export did not finish in 30 s');
  };

  it('runs an export in a worker: counted job, progress events, a 0600 file served by route', async () => {
    addBulk(fx.store, fx.db, 200, 10);
    const exports = start({ progressIntervalMs: 0 });
    const job = await exports.start({ filter: {}, format: 'csv', content: 'lines' });
    expect(job).toMatchObject({ state: 'running', format: 'csv', content: 'lines', rowsTotal: 2010, fileRoute: null, error: null });
    expect(job.fileName).toMatch(/^switchboard-lines-\d{8}-\d{6}\.csv$/);

    const done = await finalEvent(job.id);
    expect(done).toMatchObject({ state: 'done', rowsWritten: 2010, rowsTotal: 2010, fileRoute: `exports/${job.id}` });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt);
    const mine = events.filter((e) => e.id === job.id);
    expect(mine[0]!.state).toBe('running');
    expect(mine.filter((e) => e.state !== 'running')).toHaveLength(1);
    expect(mine.map((e) => e.rowsWritten)).toEqual([...mine.map((e) => e.rowsWritten)].sort((a, b) => a - b));

    const file = exports.file(job.id)!;
    expect(file).toEqual({ path: join(exportsDir(), `${job.id}.csv`), contentType: 'text/csv; charset=utf-8', downloadName: job.fileName });
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(statSync(file.path).size).toBe(done.bytes);
    expect(statSync(exportsDir()).mode & 0o777).toBe(0o700);
    expect(csvRecords(readFileSync(file.path, 'utf8'))).toHaveLength(2010);
    expect(readdirSync(exportsDir())).toEqual([`${job.id}.csv`]);

    expect(exports.file('../../switchboard.db')).toBeNull();
    expect(exports.file('00000000-0000-0000-0000-000000000000')).toBeNull();
  });

  it('cancel stops the worker and leaves nothing in the exports folder', async () => {
    addBulk(fx.store, fx.db, 1000, 20);
    const exports = start();
    const job = await exports.start({ filter: {}, format: 'xlsx', content: 'both' });
    const cancelled = await exports.cancel(job.id);
    expect(cancelled).toMatchObject({ id: job.id, state: 'cancelled', fileRoute: null });
    expect(cancelled.rowsWritten).toBeLessThan(cancelled.rowsTotal);
    expect((await finalEvent(job.id)).state).toBe('cancelled');
    expect(readdirSync(exportsDir())).toEqual([]);
    expect(exports.file(job.id)).toBeNull();
    // Cancelling again answers the same, finished job.
    expect((await exports.cancel(job.id)).state).toBe('cancelled');
    await expect(exports.cancel('no-such-export')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a worker that does not stop in time is terminated; its partial file is removed', async () => {
    addBulk(fx.store, fx.db, 300, 20);
    const out = join(fx.dir, 'out');
    mkdirSync(out);
    const path = join(out, 'lines.jsonl');
    let progressed: () => void = () => {};
    const firstBatch = new Promise<void>((r) => (progressed = r));
    const handle = runExportWorker({ dbPath: fx.dbPath, request: { filter: {}, format: 'jsonl', content: 'lines' }, path, batchSize: 10, progressEveryMs: 0, onProgress: () => progressed() });
    await firstBatch;
    const outcome = await handle.cancel(0); // no grace: terminate at once
    expect(outcome.state).toBe('cancelled');
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a filter history refuses, and a missing database, without creating a job', async () => {
    const exports = start();
    await expect(exports.start({ filter: { search: '"*"' }, format: 'csv', content: 'calls' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('punctuation alone is not searched'),
    });
    const missing = createExportService({ dbPath: join(fx.dir, 'nope.db'), dataDir, emit: () => {}, logger: silentLogger });
    await expect(missing.start({ filter: {}, format: 'csv', content: 'calls' })).rejects.toThrow(`There is no call database at ${join(fx.dir, 'nope.db')}.`);
    expect(readdirSync(exportsDir())).toEqual([]);
    expect(events).toEqual([]);
  });

  it('removes finished exports older than a day, and leftovers of a crash, at start', async () => {
    mkdirSync(exportsDir(), { recursive: true });
    const old = join(exportsDir(), '11111111-1111-4111-8111-111111111111.csv');
    const fresh = join(exportsDir(), '22222222-2222-4222-8222-222222222222.xlsx');
    const partial = join(exportsDir(), '.33333333-3333-4333-8333-333333333333.csv.partial');
    for (const file of [old, fresh, partial]) writeFileSync(file, 'x');
    const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    start();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('runs at most maxRunning exports at once', async () => {
    addBulk(fx.store, fx.db, 1000, 20);
    const exports = start({ maxRunning: 1 });
    const first = await exports.start({ filter: {}, format: 'xlsx', content: 'lines' });
    await expect(exports.start({ filter: {}, format: 'csv', content: 'calls' })).rejects.toMatchObject({ code: 'conflict' });
    await exports.cancel(first.id);
  });
});
