/**
 * The team view, measured (issue 12): History pages, search, Analytics and a CSV export read
 * from the team PostgreSQL database, holding the history bench's synthetic store (100,000
 * calls, 1,000,000 lines; support/history-store.ts) synced with the real drain into a private
 * PostgreSQL (test/support/postgres.ts). Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/team-view.bench.ts [--calls N --lines N --days N]
 *        [--runs 10] [--analytics-runs 7] [--skip-export]            (npm run bench:team)
 *
 * stdout ends with exactly these lines:
 *   team-analytics N ms            the whole store (every matching call, 1M lines), by week, median
 *   team-analytics 30d N ms        the last 30 days by day (the desk bench's figure), median
 *   team search p95 N ms           first page (50 hits) over common, rare and absent words
 *   team history page p95 N ms     filter combinations × sorts, first and deep keyset pages
 *   team export csv N rows/s peak-rss N MB   every line through the real export worker
 * stderr: the store's build or reuse, the sync (rows/s), and a breakdown of every figure.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AnalyticsInput, HistoryPageInput, SearchPageInput, type CallFilter, type HistorySort } from '@shared/history';
import { measureExport } from '../../src/main/core/export';
import { openDatabase } from '../../src/main/core/store/db';
import { DeskRows, syncBatch } from '../../src/main/core/sync/drain';
import { migrateTeamDatabase } from '../../src/main/core/sync/pg-migrations';
import { enableSync } from '../../src/main/core/sync/sync-state';
import { openTeamPool } from '../../src/main/core/sync/team-database';
import { computeTeamAnalytics } from '../../src/main/core/team/team-analytics';
import { createTeamHistory } from '../../src/main/core/team/team-history';
import { startPostgres } from '../support/postgres';
import { HISTORY_STORE_UTC_OFFSET_MIN, historyStore } from './support/history-store';
import { ms, summarise } from './support/stats';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '100000' },
    lines: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '120' },
    runs: { type: 'string', default: '10' },
    'analytics-runs': { type: 'string', default: '7' },
    'skip-export': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const ANALYTICS_RUNS = Math.max(1, Number(args['analytics-runs']));
const DAY_MS = 86_400_000;

const err = (line: string): void => void process.stderr.write(`${line}\n`);
err(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min; ${availableParallelism()} cores)`);

const store = historyStore({ calls: Number(args.calls), lines: Number(args.lines), days: Number(args.days), log: err });
const dir = mkdtempSync(join(tmpdir(), 'team-bench-'));
const server = await startPostgres();
try {
  // ---------------------------------------------------------------------------- fill the team database
  const file = join(dir, 'desk.db');
  copyFileSync(store.file, file); // enableSync writes to the store: never to the cached one
  const db = openDatabase(file);
  enableSync(db, 'bench');
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await migrateTeamDatabase(client);
  const rows = new DeskRows(db);
  const syncStart = performance.now();
  let sent = 0;
  for (;;) {
    const outcome = await syncBatch(rows, client, { id: 'bench-desk', name: 'Bench desk' }, 5000);
    if (outcome.source === 'idle') break;
    sent += outcome.upserts + outcome.deletes;
  }
  const syncMs = performance.now() - syncStart;
  // What autovacuum does on a live server a little later; a bulk-loaded table has no statistics yet.
  await client.query('VACUUM ANALYZE');
  await client.end();
  db.close();
  err(`synced ${sent.toLocaleString('en-US')} rows in ${(syncMs / 1000).toFixed(1)} s (${Math.round(sent / (syncMs / 1000)).toLocaleString('en-US')} rows/s), then VACUUM ANALYZE`);

  const pool = openTeamPool({ url: server.url, tls: 'disable' });
  const history = createTeamHistory(pool);

  const time = async (fn: () => Promise<unknown>, runs: number): Promise<number[]> => {
    await fn();
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await fn();
      out.push(performance.now() - start);
    }
    return out;
  };
  const fmt = (n: number): string => (n < 10 ? n.toFixed(1) : String(Math.round(n)));
  const row = (label: string, times: readonly number[], extra = ''): void => {
    const s = summarise(times);
    err(`  ${label.padEnd(52)} p50 ${fmt(s.p50).padStart(6)} ms  p95 ${fmt(s.p95).padStart(6)} ms  max ${fmt(s.max).padStart(6)} ms${extra}`);
  };

  // ---------------------------------------------------------------------------- search
  const SEARCHES = ['refund', 'charged', 'internet', 'bill', 'router', 'charges twice', 'direct debit', 'speak to a real person', 'Okonkwo', 'Thornbury', 'ridiculous', 'zebra', 'xylophone quartz'];
  err('\nTeam search, first page of 50');
  const searchTimes: number[] = [];
  for (const text of SEARCHES) {
    const input = SearchPageInput.parse({ filter: { search: text }, limit: 50 });
    let hits = 0;
    const times = await time(async () => (hits = (await history.search(input)).hits.length), RUNS);
    searchTimes.push(...times);
    row(JSON.stringify(text), times, `  ${hits} hits`);
  }

  // ---------------------------------------------------------------------------- pages
  const last30: CallFilter = { from: store.endAt - 30 * DAY_MS, to: store.endAt };
  const PAGES: { label: string; filter: CallFilter; sort: HistorySort }[] = [
    { label: 'all, newest first', filter: {}, sort: { by: 'startedAt', dir: 'desc' } },
    { label: 'last 30 days, longest first', filter: last30, sort: { by: 'duration', dir: 'desc' } },
    { label: 'last 7 days, most negative first', filter: { from: store.endAt - 7 * DAY_MS, to: store.endAt }, sort: { by: 'sentiment', dir: 'asc' } },
    { label: 'inbound + taken over, newest', filter: { direction: 'inbound', takenOver: true }, sort: { by: 'startedAt', dir: 'desc' } },
    { label: 'caller hung up, ≥ 60 s, newest', filter: { endReasons: ['caller_hangup'], minDurationS: 60 }, sort: { by: 'startedAt', dir: 'desc' } },
    { label: 'number contains 555 01, newest', filter: { numberContains: '555 01' }, sort: { by: 'startedAt', dir: 'desc' } },
    { label: 'search "refund" + taken over, newest', filter: { search: 'refund', takenOver: true }, sort: { by: 'startedAt', dir: 'desc' } },
    { label: 'search "zebra", newest', filter: { search: 'zebra' }, sort: { by: 'startedAt', dir: 'desc' } },
  ];
  err('\nTeam History pages of 50, first page');
  const pageTimes: number[] = [];
  for (const { label, filter, sort } of PAGES) {
    const input = HistoryPageInput.parse({ filter, sort, limit: 50 });
    const times = await time(() => history.page(input), RUNS);
    pageTimes.push(...times);
    row(label, times);
  }
  err('Team History pages of 50, 20,000 rows down (keyset cursor)');
  for (const sort of [{ by: 'startedAt', dir: 'desc' }, { by: 'duration', dir: 'desc' }, { by: 'sentiment', dir: 'asc' }] as HistorySort[]) {
    let cursor: string | undefined;
    for (let seen = 0; seen < 20_000; seen += 200) {
      const page = await history.page(HistoryPageInput.parse({ sort, cursor, limit: 200 }));
      cursor = page.nextCursor ?? undefined;
      if (cursor === undefined) break;
    }
    const input = HistoryPageInput.parse({ sort, cursor, limit: 50 });
    const times = await time(() => history.page(input), RUNS);
    pageTimes.push(...times);
    row(`all, by ${sort.by} ${sort.dir}`, times);
  }

  // ---------------------------------------------------------------------------- analytics
  const analyticsInput = (filter: CallFilter, groupBy: 'hour' | 'day' | 'week') => AnalyticsInput.parse({ filter, groupBy, utcOffsetMin: HISTORY_STORE_UTC_OFFSET_MIN });
  err('\nTeam Analytics (one statement), median of the runs');
  const whole = await time(() => computeTeamAnalytics(pool, analyticsInput({}, 'week')), ANALYTICS_RUNS);
  row(`all ${args.days} days by week`, whole);
  const month = await time(() => computeTeamAnalytics(pool, analyticsInput(last30, 'day')), ANALYTICS_RUNS);
  row('last 30 days by day', month);
  row('last 30 days, inbound taken over', await time(() => computeTeamAnalytics(pool, analyticsInput({ ...last30, direction: 'inbound', takenOver: true }, 'day')), ANALYTICS_RUNS));
  row('last 30 days, search "refund"', await time(() => computeTeamAnalytics(pool, analyticsInput({ ...last30, search: 'refund' }, 'day')), ANALYTICS_RUNS));
  await pool.end();

  // ---------------------------------------------------------------------------- export
  let exportLine = 'team export csv skipped';
  if (!args['skip-export']) {
    err('\nTeam export: every line as CSV, through the real export worker on its own connection');
    const measured = await measureExport({
      dbPath: '',
      team: { url: server.url, tls: 'disable' },
      request: { filter: {}, format: 'csv', content: 'lines', source: 'team' },
      path: join(dir, 'lines.csv'),
    });
    const rowsPerS = Math.round(measured.rows / (measured.ms / 1000));
    err(`  ${measured.rows.toLocaleString('en-US')} rows in ${(measured.ms / 1000).toFixed(1)} s, ${(measured.bytes / 1e6).toFixed(0)} MB; count ${Math.round(measured.bootMs)} ms; peak RSS ${measured.peakRssMb} MB (from ${measured.startRssMb})`);
    exportLine = `team export csv ${rowsPerS} rows/s peak-rss ${Math.round(measured.peakRssMb - measured.startRssMb)} MB`;
  }

  console.log(`team-analytics ${ms(summarise(whole).p50)} ms`);
  console.log(`team-analytics 30d ${ms(summarise(month).p50)} ms`);
  console.log(`team search p95 ${ms(summarise(searchTimes).p95)} ms`);
  console.log(`team history page p95 ${ms(summarise(pageTimes).p95)} ms`);
  console.log(exportLine);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
