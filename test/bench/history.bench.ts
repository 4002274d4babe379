/**
 * The team lead's desk, measured (issue 7, "How fast"): search, History pages, Analytics and
 * exports over a synthetic store of 100,000 calls and 1,000,000 lines (support/history-store.ts,
 * built once and cached in the temp folder). Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/history.bench.ts [--runs 20] [--analytics-runs 7]
 *        [--skip-export]                                   (wired as `npm run bench:history`)
 *
 * stdout ends with exactly these lines (goals in brackets, from issue 7 "How fast"):
 *   search p95 N ms                      first page (50 hits) over common, rare and absent words [≤ 50]
 *   history page p95 N ms                filter combinations × sorts, first and deep keyset pages [≤ 20]
 *   analytics N ms                       the last 30 days by day, median of the runs [≤ 300]
 *   export csv N rows/s peak-rss N MB    1M lines through the real export worker; peak RSS above the
 *                                        process before the first export [≥ 200k, ≤ 200]
 *   export xlsx N rows/s peak-rss N MB   the same as Excel [≥ 50k, ≤ 200]
 *   export loop-delay p99 N ms           the main thread's event-loop delay during both exports [≤ 20]
 * stderr: the load average (first), the store's build or reuse, and a breakdown of every figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AnalyticsInput, HistoryPageInput, SearchPageInput, type CallFilter, type HistorySort } from '@shared/history';
import { measureExport, type MeasuredExport } from '../../src/main/core/export';
import { computeAnalytics } from '../../src/main/core/history/analytics';
import { createHistory } from '../../src/main/core/history/history';
import { openDatabase } from '../../src/main/core/store/db';
import { HISTORY_STORE_UTC_OFFSET_MIN, historyStore } from './support/history-store';
import { delayMs, ELD_RESOLUTION_MS, ms, summarise } from './support/stats';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'analytics-runs': { type: 'string', default: '7' },
    'skip-export': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const ANALYTICS_RUNS = Math.max(1, Number(args['analytics-runs']));

const err = (line: string): void => void process.stderr.write(`${line}\n`);
const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
err(`load average ${loadAverage()} (1, 5, 15 min; ${availableParallelism()} cores)`);

const store = historyStore({ log: err });
const db = openDatabase(store.file);
const history = createHistory(db);
const DAY_MS = 86_400_000;

/** Runs fn once to warm statements and the page cache, then `runs` times; returns the times in ms. */
function time(fn: () => unknown, runs: number): number[] {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return out;
}
const fmt = (n: number): string => (n < 10 ? n.toFixed(1) : String(Math.round(n)));
const row = (label: string, times: readonly number[], extra = ''): void => {
  const s = summarise(times);
  err(`  ${label.padEnd(52)} p50 ${fmt(s.p50).padStart(6)} ms  p95 ${fmt(s.p95).padStart(6)} ms  max ${fmt(s.max).padStart(6)} ms${extra}`);
};

// ---------------------------------------------------------------------------------- search

/** Common words, stems, phrases, rare names and streets, and words that are nowhere. */
const SEARCHES = [
  'refund',
  'charged',
  'internet',
  'bill',
  'router',
  'charges twice',
  'direct debit',
  'speak to a real person',
  'outage area',
  'Okonkwo',
  'Thornbury',
  'kingfisher way',
  'paper clip',
  'ridiculous',
  'zebra',
  'xylophone quartz',
];
err('\nSearch, first page of 50 (newest matching lines first)');
const searchTimes: number[] = [];
for (const text of SEARCHES) {
  const input = SearchPageInput.parse({ filter: { search: text }, limit: 50 });
  let hits = 0;
  const times = time(() => (hits = history.search(input).hits.length), RUNS);
  searchTimes.push(...times);
  row(JSON.stringify(text), times, `  ${hits} hits`);
}

// ---------------------------------------------------------------------------------- pages

const last30: CallFilter = { from: store.endAt - 30 * DAY_MS, to: store.endAt };
const PAGES: { label: string; filter: CallFilter; sort: HistorySort }[] = [
  { label: 'all, newest first', filter: {}, sort: { by: 'startedAt', dir: 'desc' } },
  { label: 'all, oldest first', filter: {}, sort: { by: 'startedAt', dir: 'asc' } },
  { label: 'last 30 days, longest first', filter: last30, sort: { by: 'duration', dir: 'desc' } },
  { label: 'last 7 days, most negative first', filter: { from: store.endAt - 7 * DAY_MS, to: store.endAt }, sort: { by: 'sentiment', dir: 'asc' } },
  { label: 'inbound + taken over, newest', filter: { direction: 'inbound', takenOver: true }, sort: { by: 'startedAt', dir: 'desc' } },
  { label: 'ended negative, newest', filter: { endedNegative: true }, sort: { by: 'startedAt', dir: 'desc' } },
  { label: 'sentiment < -0.3, most negative', filter: { sentimentBelow: -0.3 }, sort: { by: 'sentiment', dir: 'asc' } },
  { label: 'caller hung up, ≥ 60 s, newest', filter: { endReasons: ['caller_hangup'], minDurationS: 60 }, sort: { by: 'startedAt', dir: 'desc' } },
  { label: 'outbound + alerts, shortest first', filter: { direction: 'outbound', hasAlerts: true }, sort: { by: 'duration', dir: 'asc' } },
  { label: 'no-answer/busy, last 30 days', filter: { ...last30, endReasons: ['no-answer', 'busy'] }, sort: { by: 'startedAt', dir: 'desc' } },
  { label: '30 s – 2 min, longest first', filter: { minDurationS: 30, maxDurationS: 120 }, sort: { by: 'duration', dir: 'desc' } },
  { label: 'number contains 555 01, newest', filter: { numberContains: '555 01' }, sort: { by: 'startedAt', dir: 'desc' } },
  { label: 'search "refund" + taken over, newest', filter: { search: 'refund', takenOver: true }, sort: { by: 'startedAt', dir: 'desc' } },
];
err('\nHistory pages of 50, first page');
const pageTimes: number[] = [];
for (const { label, filter, sort } of PAGES) {
  const input = HistoryPageInput.parse({ filter, sort, limit: 50 });
  const times = time(() => history.page(input), RUNS);
  pageTimes.push(...times);
  row(label, times);
}

/** Walks `depth` rows down with pages of 200, then measures the page of 50 at that cursor. */
const DEEP: { label: string; filter: CallFilter; sort: HistorySort; depth: number }[] = [
  { label: 'all, newest first, 20,000 rows down', filter: {}, sort: { by: 'startedAt', dir: 'desc' }, depth: 20_000 },
  { label: 'all, longest first, 20,000 rows down', filter: {}, sort: { by: 'duration', dir: 'desc' }, depth: 20_000 },
  { label: 'all, most negative first, 20,000 rows down', filter: {}, sort: { by: 'sentiment', dir: 'asc' }, depth: 20_000 },
  { label: 'inbound, newest first, 50,000 rows down', filter: { direction: 'inbound' }, sort: { by: 'startedAt', dir: 'desc' }, depth: 50_000 },
];
err('History pages of 50, deep (keyset cursor)');
for (const { label, filter, sort, depth } of DEEP) {
  let cursor: string | undefined;
  const walk: number[] = [];
  for (let seen = 0; seen < depth; seen += 200) {
    const start = performance.now();
    const page = history.page(HistoryPageInput.parse({ filter, sort, cursor, limit: 200 }));
    walk.push(performance.now() - start);
    cursor = page.nextCursor ?? undefined;
    if (cursor === undefined) break;
  }
  const input = HistoryPageInput.parse({ filter, sort, cursor, limit: 50 });
  const times = time(() => history.page(input), RUNS);
  pageTimes.push(...times);
  row(label, times, `  (walk: ${walk.length} pages of 200, p95 ${fmt(summarise(walk).p95)} ms)`);
}

// ---------------------------------------------------------------------------------- analytics

const analyticsInput = (filter: CallFilter, groupBy: 'hour' | 'day' | 'week') =>
  AnalyticsInput.parse({ filter, groupBy, utcOffsetMin: HISTORY_STORE_UTC_OFFSET_MIN });
err('\nAnalytics');
const cpuBefore = process.resourceUsage();
const analyticsTimes = time(() => computeAnalytics(db, analyticsInput(last30, 'day')), ANALYTICS_RUNS);
const cpuAfter = process.resourceUsage();
// CPU time beside wall time: on a shared machine the difference is time spent waiting for a core.
const cpuPerRunMs =
  (cpuAfter.userCPUTime + cpuAfter.systemCPUTime - cpuBefore.userCPUTime - cpuBefore.systemCPUTime) / 1000 / (ANALYTICS_RUNS + 1);
const dashboard = computeAnalytics(db, analyticsInput(last30, 'day'));
row(
  'last 30 days by day (the headline)',
  analyticsTimes,
  `  cpu ${fmt(cpuPerRunMs)} ms/run; ${dashboard.totals.calls} calls, ${dashboard.latency[0]!.turns} turns`,
);
row('last 30 days by hour', time(() => computeAnalytics(db, analyticsInput(last30, 'hour')), ANALYTICS_RUNS));
row('last 7 days by hour', time(() => computeAnalytics(db, analyticsInput({ from: store.endAt - 7 * DAY_MS, to: store.endAt }, 'hour')), ANALYTICS_RUNS));
row('last 30 days, inbound taken over', time(() => computeAnalytics(db, analyticsInput({ ...last30, direction: 'inbound', takenOver: true }, 'day')), ANALYTICS_RUNS));
row('last 30 days, search "refund"', time(() => computeAnalytics(db, analyticsInput({ ...last30, search: 'refund' }, 'day')), ANALYTICS_RUNS));
row('all 120 days by week', time(() => computeAnalytics(db, analyticsInput({}, 'week')), ANALYTICS_RUNS));
const t = dashboard.totals;
err(
  `  30 days: ${t.calls} calls (${t.inbound} in, ${t.outbound} out), handle avg ${t.avgHandleS} s p90 ${t.p90HandleS} s, ` +
    `containment ${pct(t.containmentRate)}, take-over ${pct(t.takeoverRate)} after ${t.avgTimeToTakeoverS} s, ` +
    `abandoned ${pct(t.abandonmentRate)}, negative ${pct(t.negativeShare)}, fallbacks ${t.fallbacks}, errors ${t.errors}`,
);
err(`  latency: ${dashboard.latency.map((l) => `${l.stage} p50 ${l.p50Ms} p95 ${l.p95Ms}`).join(' · ')} ms`);
function pct(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)} %`;
}

// ---------------------------------------------------------------------------------- export

let csv: MeasuredExport | null = null;
let xlsx: MeasuredExport | null = null;
let loopDelayP99: number | null = null;
/** The process at rest before any export: what each export's peak RSS is compared with. */
let idleRssMb = 0;
if (!args['skip-export']) {
  idleRssMb = process.memoryUsage.rss() / (1024 * 1024);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-export-'));
  const loop = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const p99s: number[] = [];
  try {
    for (const format of ['csv', 'xlsx'] as const) {
      err(`\nExport of every line as ${format} (the real worker thread) …`);
      loop.reset();
      loop.enable();
      const measured = await measureExport({
        dbPath: store.file,
        request: { filter: {}, format, content: 'lines' },
        path: join(dir, `lines.${format}`),
      });
      loop.disable();
      const p99 = delayMs(loop.percentile(99));
      p99s.push(p99);
      err(
        `  ${measured.rows.toLocaleString('en-US')} rows in ${fmt(measured.ms / 1000)} s (+ ${fmt(measured.bootMs)} ms to start the worker and count), ` +
          `${(measured.bytes / 1e6).toFixed(0)} MB; RSS idle ${fmt(idleRssMb)} MB, ${measured.startRssMb} MB at its start, peak ${measured.peakRssMb} MB; ` +
          `main-thread loop delay p99 ${fmt(p99)} ms, max ${fmt(delayMs(loop.max))} ms`,
      );
      if (format === 'csv') csv = measured;
      else xlsx = measured;
      rmSync(join(dir, `lines.${format}`), { force: true });
    }
    loopDelayP99 = Math.max(...p99s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

db.close();
err(`\nload average ${loadAverage()} at the end`);

const rowsPerS = (m: MeasuredExport | null): string => (m === null ? 'n/a' : String(Math.round(m.rows / (m.ms / 1000))));
// Above the idle process (before the first export), not above each export's own start: memory
// an export leaves behind (the allocator keeps it) is part of what exports cost the app.
const rssAbove = (m: MeasuredExport | null): string => (m === null ? 'n/a' : String(Math.round(m.peakRssMb - idleRssMb)));
console.log(`search p95 ${ms(summarise(searchTimes).p95)} ms`);
console.log(`history page p95 ${ms(summarise(pageTimes).p95)} ms`);
console.log(`analytics ${ms(summarise(analyticsTimes).p50)} ms`);
console.log(`export csv ${rowsPerS(csv)} rows/s peak-rss ${rssAbove(csv)} MB`);
console.log(`export xlsx ${rowsPerS(xlsx)} rows/s peak-rss ${rssAbove(xlsx)} MB`);
console.log(`export loop-delay p99 ${loopDelayP99 === null ? 'n/a' : ms(loopDelayP99)} ms`);
