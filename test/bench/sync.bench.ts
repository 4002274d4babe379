/**
 * Team sync, measured (issue 12, "How fast"), against a private PostgreSQL started for the run
 * (test/support/postgres.ts) and the synthetic store of 100,000 calls / 1,000,000 lines
 * (support/history-store.ts, cached). Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/sync.bench.ts [--lines-per-call-sample 20000]
 *        (wired as `npm run bench:sync`)
 *
 * stdout ends with exactly these lines (goals in brackets):
 *   sync N rows/s               every row of the store (calls, lines, events, turn metrics,
 *                               facts, wrap-ups) drained into an empty team database by the
 *                               real drain (drain.ts), batch after batch as the worker runs it [≥ 20,000]
 *   outbox-write p95 N ms       what recording a change adds to storing one caller line
 *                               (call-store appendUtterance, its own transaction, as a live call
 *                               does): p95 with sync on minus p95 with sync off [≤ 0.2]
 *   team-analytics N ms         Analytics over the whole store (1M lines, 120 days by day) on
 *                               PostgreSQL, median of 5 (the last 30 days go to stderr) [≤ 500]
 * stderr: the load average (first), the build or reuse of the store, and the breakdown.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Utterance } from '@shared/domain';
import { AnalyticsInput } from '@shared/history';
import { createCallStore } from '../../src/main/core/store/call-store';
import { openDatabase } from '../../src/main/core/store/db';
import { DeskRows, syncBatch } from '../../src/main/core/sync/drain';
import { TEAM_PG_TYPES } from '../../src/main/core/sync/pg-types';
import { migrateTeamDatabase } from '../../src/main/core/sync/pg-migrations';
import { disableSync, enableSync } from '../../src/main/core/sync/sync-state';
import { openTeamPool } from '../../src/main/core/sync/team-database';
import { startPostgres } from '../support/postgres';
import { HISTORY_STORE_UTC_OFFSET_MIN, historyStore } from './support/history-store';
import { summarise } from './support/stats';
import { computeTeamAnalytics } from '../../src/main/core/team/team-analytics';

const { values: args } = parseArgs({ options: { 'write-samples': { type: 'string', default: '20000' } } });
const WRITE_SAMPLES = Math.max(1000, Number(args['write-samples']));

const err = (line: string): void => void process.stderr.write(`${line}\n`);
err(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min; ${availableParallelism()} cores)`);

const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
const postgres = await startPostgres();
try {
  // ------------------------------------------------------------------ drain 1M lines
  const store = historyStore({ log: err });
  const file = join(dir, 'desk.db');
  copyFileSync(store.file, file);
  const db = openDatabase(file);
  const team = new pg.Client({ connectionString: postgres.url, types: TEAM_PG_TYPES });
  await team.connect();
  await migrateTeamDatabase(team);
  enableSync(db, 'bench');
  const rows = new DeskRows(db);
  const total = rows.backlog();
  const desk = { id: '00000000-0000-4000-8000-00000000bench', name: 'Bench desk' };
  const started = performance.now();
  let sent = 0;
  for (;;) {
    const outcome = await syncBatch(rows, team, desk);
    if (outcome.source === 'idle') break;
    sent += outcome.upserts + outcome.deletes;
  }
  const drainS = (performance.now() - started) / 1000;
  const lines = (await team.query<{ n: number }>('SELECT count(*) AS n FROM utterances')).rows[0]!.n;
  err(`drain: ${sent.toLocaleString('en-US')} rows (${total.toLocaleString('en-US')} counted before; ${lines.toLocaleString('en-US')} lines) in ${drainS.toFixed(1)} s`);
  const syncRate = Math.round(sent / drainS);
  await team.query('VACUUM ANALYZE');
  await team.end();

  // ------------------------------------------------------------------ team analytics
  // Through a pool, as the app reads the team database (the dashboard uses two connections).
  const teamPool = openTeamPool({ url: postgres.url, tls: 'disable' });
  const DAY_MS = 86_400_000;
  const analyticsRuns = async (label: string, from: number) => {
    const input = AnalyticsInput.parse({ filter: { from, to: store.endAt }, groupBy: 'day', utcOffsetMin: HISTORY_STORE_UTC_OFFSET_MIN });
    await computeTeamAnalytics(teamPool, input); // warm: plans and the buffer cache
    const times: number[] = [];
    let calls = 0;
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      calls = (await computeTeamAnalytics(teamPool, input)).totals.calls;
      times.push(performance.now() - t);
    }
    err(`team analytics, ${label} by day (${calls.toLocaleString('en-US')} calls): ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    return summarise(times).p50;
  };
  await analyticsRuns('last 30 days', store.endAt - 30 * DAY_MS);
  // The goal's figure: every call and all 1M lines (the whole store, 120 days).
  const analyticsMs = await analyticsRuns('the whole store', store.startAt);
  await teamPool.end();
  db.close();

  // ------------------------------------------------------------------ outbox write cost
  const writeDb = openDatabase(join(dir, 'writes.db'));
  const calls = createCallStore(writeDb);
  // A call of 50 caller lines at a time (a long real call): the call row's sentiment triggers
  // average over its lines, so one endless call would measure that average, not the outbox.
  const LINES_PER_CALL = 50;
  const newCall = (n: number) =>
    calls.insertCall({
      id: `bench-call-${n}`,
      callSid: `CAbench${n}`,
      direction: 'inbound',
      from: '+15550100001',
      to: '+15550100999',
      status: 'active',
      controller: 'ai',
      startedAt: Date.now(),
      endedAt: null,
      scenario: null,
      endReason: null,
    });
  let seq = 0;
  const callerLine = (): Utterance => {
    const i = seq++;
    if (i % LINES_PER_CALL === 0) newCall(i / LINES_PER_CALL);
    return {
      id: `bench-line-${i}`,
      callId: `bench-call-${Math.floor(i / LINES_PER_CALL)}`,
      speaker: 'caller',
      text: 'I was charged twice for my order and I would like a refund please',
      final: true,
      startMs: i * 3000,
      endMs: i * 3000 + 2500,
      sentiment: { score: -0.3, label: 'negative' },
      interrupted: false,
    };
  };
  const samples = { off: [] as number[], on: [] as number[] };
  // Alternating blocks of 500, so drift (page cache, WAL growth, checkpoints) hits both alike.
  for (let block = 0; block < (2 * WRITE_SAMPLES) / 500; block++) {
    const on = block % 2 === 1;
    if (on) enableSync(writeDb, 'bench-writes');
    else disableSync(writeDb);
    const into = on ? samples.on : samples.off;
    for (let i = 0; i < 500; i++) {
      const line = callerLine();
      const t = performance.now();
      calls.appendUtterance(line);
      into.push(performance.now() - t);
    }
  }
  writeDb.close();
  const off = summarise(samples.off);
  const on = summarise(samples.on);
  err(`caller line stored, sync off: p50 ${off.p50.toFixed(3)} ms p95 ${off.p95.toFixed(3)} ms (n ${off.n})`);
  err(`caller line stored, sync on:  p50 ${on.p50.toFixed(3)} ms p95 ${on.p95.toFixed(3)} ms (n ${on.n}; the line and its call row's sentiment update each recorded)`);
  const outboxP95 = Math.max(0, on.p95 - off.p95);

  console.log(`sync ${syncRate} rows/s`);
  console.log(`outbox-write p95 ${outboxP95.toFixed(3)} ms`);
  console.log(`team-analytics ${Math.round(analyticsMs)} ms`);
} finally {
  await postgres.close();
  rmSync(dir, { recursive: true, force: true });
}
