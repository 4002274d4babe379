/**
 * The team view's tests (issue 12): a desk store with everything a filter or an export can
 * touch (the history bench's synthetic calls, plus wrap-ups, facts and whispers), synced into
 * a real PostgreSQL database with the real drain, and comparisons of desk and team answers.
 */
import { copyFileSync } from 'node:fs';
import pg from 'pg';
import { expect } from 'vitest';
import type { Analytics } from '../../src/shared/history';
import { openDatabase, type Database } from '../../src/main/core/store/db';
import { DeskRows, syncBatch, type Desk } from '../../src/main/core/sync/drain';
import { migrateTeamDatabase } from '../../src/main/core/sync/pg-migrations';
import { enableSync } from '../../src/main/core/sync/sync-state';
import { historyStore, type HistoryStoreOptions } from '../bench/support/history-store';

export const DESK_A: Desk = { id: '3f1c9a52-7d0e-4b8e-9a41-2c5d7e000a01', name: 'Leeds desk' };
export const DESK_B: Desk = { id: '3f1c9a52-7d0e-4b8e-9a41-2c5d7e000b02', name: 'Bristol desk' };

/** Dispositions given to every 7th call (mixed case, as agents pick them from Settings). */
const DISPOSITIONS = ['Resolved', 'Callback', 'resolved', 'Wrong number', 'Escalated'];

/**
 * Copies the cached synthetic store to `file` and adds what it lacks: wrap-ups (with
 * dispositions and summaries), the AI's recorded facts and the agent's whispers.
 */
export function deskStore(file: string, options: HistoryStoreOptions = { calls: 1000, lines: 10_000, days: 30 }): Database {
  copyFileSync(historyStore(options).file, file);
  const db = openDatabase(file);
  const calls = db.prepare('SELECT id, started_at, ended_at FROM calls WHERE ended_at IS NOT NULL ORDER BY started_at').all() as {
    id: string;
    started_at: number;
    ended_at: number;
  }[];
  const wrapUp = db.prepare(
    `INSERT INTO wrap_ups (call_id, disposition, resolution, summary, notes, source, proposed_disposition, started_at, saved_at, wrap_up_ms)
     VALUES (?, ?, ?, ?, ?, 'offline', ?, ?, ?, ?)`,
  );
  const fact = db.prepare('INSERT INTO call_facts (id, call_id, seq, key, value, at_ms) VALUES (?, ?, ?, ?, ?, ?)');
  const whisper = db.prepare("INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES (?, ?, ?, 'whisper', ?, ?)");
  db.transaction(() => {
    calls.forEach((call, i) => {
      if (i % 7 === 0) {
        const disposition = DISPOSITIONS[(i / 7) % DISPOSITIONS.length]!;
        const resolution = i % 3 === 0 ? 'yes' : i % 3 === 1 ? 'partial' : 'no';
        const summary = { reason: `Reason ${i}`, actions: 'Checked the account, "quoted" the fee.', resolution, followUps: i % 2 ? ['Call back Friday'] : [] };
        wrapUp.run(call.id, disposition, resolution, JSON.stringify(summary), i % 2 ? `Notes, line one\nline two ${i}` : '', disposition, call.ended_at, call.ended_at + 30_000, 30_000);
      }
      if (i % 11 === 0) {
        fact.run(`${call.id}-f1`, call.id, 1, 'account_number', `AC${i}`, 1000);
        fact.run(`${call.id}-f2`, call.id, 2, 'callback_time', 'Friday 3pm', 2000);
      }
      if (i % 13 === 0) whisper.run(`${call.id}-w1`, call.id, 100_000, 1500, JSON.stringify({ text: `Offer the loyalty discount ${i}` }));
    });
  })();
  return db;
}

/** A migrated, empty team database on `server`. */
export async function teamDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrateTeamDatabase(client);
  } finally {
    await client.end();
  }
}

/** Sends everything `db` holds to the team database at `url` as `desk`, with the real drain. */
export async function syncDesk(db: Database, url: string, desk: Desk): Promise<void> {
  enableSync(db, `test:${url}`);
  const rows = new DeskRows(db);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < 10_000; i++) {
      if ((await syncBatch(rows, client, desk, 5000)).source === 'idle') return;
    }
    throw new Error('the drain never went idle');
  } finally {
    await client.end();
  }
}

/** A team row without its desk: what the desk's own row is. */
export function withoutDesk<T extends { desk?: string }>(row: T): Omit<T, 'desk'> {
  const { desk: _desk, ...rest } = row;
  return rest;
}

/**
 * Team analytics equal the desk's: counts exactly, figures within float rounding (sums of
 * doubles in another order; a mean or percentile rounded to the ms or 0.1 ms may land one
 * unit apart when the exact value sits on the rounding edge).
 */
export function expectSameAnalytics(team: Analytics, desk: Analytics, path = 'analytics'): void {
  compare(team, desk, path, '');
}

function compare(team: unknown, desk: unknown, path: string, key: string): void {
  if (typeof desk === 'number' && typeof team === 'number') {
    if (Number.isInteger(desk) && Number.isInteger(team) && !/S$|Ms$/.test(key)) {
      expect(team, path).toBe(desk);
      return;
    }
    const tolerance = /Ms$/.test(key) ? 0.1 : /S$/.test(key) ? 0.001 : 1e-9;
    expect(Math.abs(team - desk), `${path}: ${team} vs ${desk}`).toBeLessThanOrEqual(tolerance + 1e-12);
    return;
  }
  if (Array.isArray(desk)) {
    expect(Array.isArray(team), path).toBe(true);
    expect((team as unknown[]).length, `${path}.length`).toBe(desk.length);
    desk.forEach((d, i) => compare((team as unknown[])[i], d, `${path}[${i}]`, key));
    return;
  }
  if (desk !== null && typeof desk === 'object') {
    expect(Object.keys(team as object).sort(), path).toEqual(Object.keys(desk).sort());
    for (const [k, d] of Object.entries(desk)) compare((team as Record<string, unknown>)[k], d, `${path}.${k}`, k);
    return;
  }
  expect(team, path).toEqual(desk);
}
