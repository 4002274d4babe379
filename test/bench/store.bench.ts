/**
 * Call-store benchmark: prints numbers, asserts nothing (timing goals live here, not in tests).
 *   node test/support/run-ts.mjs test/bench/store.bench.ts      (wired as `npm run bench:store`)
 * Uses a real file in a temp folder, the real store and the real pragmas.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Utterance } from '@shared/domain';
import { createCallStore, type CallStore, type NewCall } from '../../src/main/core/store/call-store';
import { openDatabase, type Database } from '../../src/main/core/store/db';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));

function call(id: string, startedAt: number, live: boolean): NewCall {
  return {
    id,
    callSid: `CA${id.padStart(32, '0')}`,
    direction: 'inbound',
    from: '+15550100001',
    to: '+15550100999',
    status: live ? 'active' : 'ended',
    controller: 'ai',
    startedAt,
    endedAt: live ? null : startedAt + 180_000,
    scenario: null,
    endReason: live ? null : 'completed',
  };
}

const WORDS = 'I was charged twice for my order and I would like a refund please the app keeps crashing'.split(' ');
function line(callId: string, i: number): Utterance {
  const caller = i % 2 === 0;
  return {
    id: `${callId}-u${i}`,
    callId,
    speaker: caller ? 'caller' : 'ai',
    text: Array.from({ length: 8 + (i % 12) }, (_, k) => WORDS[(i + k) % WORDS.length]).join(' '),
    final: true,
    startMs: i * 3000,
    endMs: i * 3000 + 2500,
    sentiment: caller ? { score: ((i % 11) - 5) / 10, label: 'neutral' } : null,
    interrupted: false,
  };
}

function open(name: string): { db: Database; store: CallStore } {
  const db = openDatabase(join(dir, name));
  return { db, store: createCallStore(db) };
}

/** Appends `count` lines, each its own transaction (as a live call does); returns lines/s. */
function insertRate(store: CallStore, count: number): number {
  store.insertCall(call('rate', Date.now(), true));
  const start = performance.now();
  for (let i = 0; i < count; i++) store.appendUtterance(line('rate', i));
  return count / ((performance.now() - start) / 1000);
}

function timings(fn: () => unknown, iterations: number): { p50: number; p95: number; max: number } {
  fn(); // warm the statement and page cache
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), max: at(1) };
}

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 3 : 0 });
const row = (label: string, t: { p50: number; p95: number; max: number }): void =>
  console.log(`  ${label.padEnd(44)} p50 ${fmt(t.p50).padStart(7)} ms   p95 ${fmt(t.p95).padStart(7)} ms   max ${fmt(t.max).padStart(7)} ms`);

try {
  console.log('Utterance inserts, one transaction per final line');
  {
    const { db, store } = open('rate-normal.db');
    console.log(`  WAL + synchronous=NORMAL (shipped)   ${fmt(insertRate(store, 20_000)).padStart(8)} lines/s`);
    db.close();
  }
  {
    const { db, store } = open('rate-full.db');
    db.pragma('synchronous = FULL'); // comparison only: fsync on every commit
    console.log(`  WAL + synchronous=FULL (comparison)  ${fmt(insertRate(store, 2_000)).padStart(8)} lines/s`);
    db.close();
  }

  const CALLS = 10_000;
  const LINES_PER_CALL = 10;
  const LIVE = 20;
  const { db, store } = open('history.db');
  const seedStart = performance.now();
  db.transaction(() => {
    const t0 = Date.now() - CALLS * 60_000;
    for (let c = 0; c < CALLS; c++) {
      const id = `c${c}`;
      store.insertCall(call(id, t0 + c * 60_000, c >= CALLS - LIVE));
      for (let i = 0; i < LINES_PER_CALL; i++) store.appendUtterance(line(id, i));
    }
  })();
  console.log(
    `\nHistory: ${fmt(CALLS)} calls, ${fmt(CALLS * LINES_PER_CALL)} lines ` +
      `(seeded in ${fmt(performance.now() - seedStart)} ms, one transaction; file ${fmt(statSync(join(dir, 'history.db')).size / 1e6)} MB + WAL)`,
  );
  db.pragma('wal_checkpoint(TRUNCATE)');
  row("listCalls({ scope: 'all', limit: 50 })", timings(() => store.listCalls({ scope: 'all', limit: 50 }), 500));
  row("listCalls({ scope: 'ended', limit: 50 })", timings(() => store.listCalls({ scope: 'ended', limit: 50 }), 500));
  row("listCalls({ scope: 'live', limit: 50 })", timings(() => store.listCalls({ scope: 'live', limit: 50 }), 500));
  row("listCalls({ scope: 'all', limit: 10000 })", timings(() => store.listCalls({ scope: 'all', limit: 10_000 }), 20));
  row('getCall(id) (10 lines)', timings(() => store.getCall(`c${CALLS >> 1}`), 500));
  row("searchUtterances('refund crashing')", timings(() => store.searchUtterances('refund crashing'), 100));
  row(`markInterruptedCallsEnded (${LIVE} live calls)`, timings(() => store.markInterruptedCallsEnded(Date.now()), 1));
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
