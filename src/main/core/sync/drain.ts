/**
 * Moving the desk's rows into the team database, one batch at a time. Runs in the sync
 * worker thread (sync-worker.ts) on its own SQLite connection; tests and the benchmark call
 * it directly.
 *
 * Two sources, in this order:
 * 1. The backfill: when sync is turned on (or pointed at another database), the rows stored
 *    before are sent by walking each table by key, remembering how far it got in
 *    `sync_state` after each committed batch.
 * 2. The outbox (store migration 008): every change since sync was turned on, in the order
 *    it was stored. An entry names a row; the row's current state is sent (or a delete, if it
 *    is gone), so the team database ends with what the desk has.
 *
 * Exactly once, whatever fails: a batch is one PostgreSQL transaction of upserts keyed by the
 * rows' own ids (and deletes by id); only after it commits does the desk forget the batch
 * (outbox entries deleted, backfill position saved). A crash or SIGKILL between the two makes
 * the batch run again, which changes nothing. The backfill runs before the outbox so a row
 * deleted meanwhile is never resurrected by a stale backfill read: the delete's outbox entry
 * comes after it.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ClientBase } from 'pg';
import { TEAM_TABLE, TEAM_TABLES, pgValue, type TeamTable } from './team-tables';

export interface Desk {
  /** Stable, generated once per desk (its data folder). */
  id: string;
  /** What the team view shows; renaming a desk renames it on every row. */
  name: string;
}

export interface BatchOutcome {
  /** Where the batch came from; 'idle' when there was nothing to send. */
  source: 'backfill' | 'outbox' | 'idle';
  upserts: number;
  deletes: number;
}

/** Rows (or outbox entries) per batch: large enough to amortise round trips, small enough to keep a batch well under a second. */
export const DEFAULT_BATCH_SIZE = 5000;

interface SyncStateRow {
  enabled: number;
  backfill_done: number;
  backfill_table: string | null;
  backfill_after: string | null;
}

interface OutboxEntry {
  seq: number;
  tbl: string;
  row_key: string;
  op: 'upsert' | 'delete';
}

type Row = Record<string, unknown>;

/** The desk side of the drain: prepared statements on the worker's connection. */
export class DeskRows {
  private readonly state: Statement<[], SyncStateRow>;
  private readonly outbox: Statement<[number], OutboxEntry>;
  private readonly forget: Statement<[number]>;
  private readonly byKeys = new Map<string, Statement<[string], Row>>();
  private readonly after = new Map<string, Statement<[string, number], Row>>();
  private readonly remainingIn = new Map<string, Statement<[string], { n: number }>>();
  private readonly saveBackfill: Statement<[string | null, string | null, number]>;
  private readonly outboxSpan: Statement<[], { n: number }>;

  constructor(private readonly db: Database) {
    this.state = db.prepare('SELECT enabled, backfill_done, backfill_table, backfill_after FROM sync_state WHERE id = 1');
    this.outbox = db.prepare('SELECT seq, tbl, row_key, op FROM sync_outbox ORDER BY seq LIMIT ?');
    this.forget = db.prepare('DELETE FROM sync_outbox WHERE seq <= ?');
    this.saveBackfill = db.prepare('UPDATE sync_state SET backfill_table = ?, backfill_after = ?, backfill_done = ? WHERE id = 1');
    this.outboxSpan = db.prepare('SELECT coalesce(max(seq) - min(seq) + 1, 0) AS n FROM sync_outbox');
    for (const table of TEAM_TABLES) {
      const columns = table.columns.map((c) => c.name).join(', ');
      this.byKeys.set(table.table, db.prepare(`SELECT ${columns} FROM ${table.table} WHERE ${table.key} IN (SELECT value FROM json_each(?))`));
      this.after.set(table.table, db.prepare(`SELECT ${columns} FROM ${table.table} WHERE ${table.key} > ? ORDER BY ${table.key} LIMIT ?`));
      this.remainingIn.set(table.table, db.prepare(`SELECT count(*) AS n FROM ${table.table} WHERE ${table.key} > ?`));
    }
  }

  syncState(): SyncStateRow {
    return this.state.get()!;
  }

  outboxEntries(limit: number): OutboxEntry[] {
    return this.outbox.all(limit);
  }

  rowsByKeys(table: TeamTable, keys: string[]): Row[] {
    return this.byKeys.get(table.table)!.all(JSON.stringify(keys));
  }

  rowsAfter(table: TeamTable, after: string, limit: number): Row[] {
    return this.after.get(table.table)!.all(after, limit);
  }

  forgetOutboxThrough(seq: number): void {
    this.forget.run(seq);
  }

  saveBackfillPosition(table: string | null, after: string | null, done: boolean): void {
    this.saveBackfill.run(table, after, done ? 1 : 0);
  }

  /** Rows and changes not yet in the team database. */
  backlog(): number {
    let rows = this.outboxSpan.get()!.n;
    const state = this.syncState();
    if (!state.backfill_done) {
      const from = state.backfill_table ? TEAM_TABLES.findIndex((t) => t.table === state.backfill_table) : 0;
      TEAM_TABLES.forEach((table, i) => {
        if (i < from) return;
        const after = i === from ? (state.backfill_after ?? '') : '';
        rows += this.remainingIn.get(table.table)!.get(after)!.n;
      });
    }
    return rows;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

/** The team side: one upsert and one delete statement per table, as text (pg prepares them per connection). */
const upsertSql = new Map<string, string>();

function upsertStatement(table: TeamTable): string {
  let sql = upsertSql.get(table.table);
  if (sql) return sql;
  const names = table.columns.map((c) => c.name);
  // unnest has no jsonb[] literal path from text; send JSON as text and cast per row.
  const arrays = table.columns.map((c, i) => `$${i + 1}::${c.type === 'jsonb' ? 'text' : c.type}[]`);
  const selected = table.columns.map((c) => (c.type === 'jsonb' ? `u.${c.name}::jsonb` : `u.${c.name}`));
  const withDesk = table.table === 'calls';
  const targetColumns = withDesk ? [...names, 'desk_id'] : names;
  if (withDesk) selected.push(`$${names.length + 1}::text`);
  const updates = targetColumns.filter((n) => n !== table.key).map((n) => `${n} = EXCLUDED.${n}`);
  sql =
    `INSERT INTO ${table.table} (${targetColumns.join(', ')}) ` +
    `SELECT ${selected.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')}) ` +
    `ON CONFLICT (${table.key}) DO UPDATE SET ${updates.join(', ')}`;
  upsertSql.set(table.table, sql);
  return sql;
}

async function upsertRows(pg: ClientBase, table: TeamTable, rows: Row[], desk: Desk): Promise<void> {
  if (rows.length === 0) return;
  const columns = table.columns.map((column) => rows.map((row) => pgValue(column, row[column.name])));
  const params: unknown[] = table.table === 'calls' ? [...columns, desk.id] : columns;
  await pg.query(upsertStatement(table), params);
}

async function deleteKeys(pg: ClientBase, table: TeamTable, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await pg.query(`DELETE FROM ${table.table} WHERE ${table.key} = ANY($1::text[])`, [keys]);
}

/** Runs `write` in one team-database transaction that also says this desk was seen. */
async function inTeamTransaction(pg: ClientBase, desk: Desk, write: () => Promise<void>): Promise<void> {
  await pg.query('BEGIN');
  try {
    await pg.query(
      `INSERT INTO desks (id, name, last_sync_at) VALUES ($1, $2, now())
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, last_sync_at = EXCLUDED.last_sync_at`,
      [desk.id, desk.name],
    );
    await write();
    await pg.query('COMMIT');
  } catch (error) {
    await pg.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** One backfill batch; null when the backfill is done (or was never needed). */
async function backfillBatch(rows: DeskRows, pg: ClientBase, desk: Desk, batchSize: number): Promise<BatchOutcome | null> {
  const state = rows.syncState();
  if (state.backfill_done) return null;
  let index = state.backfill_table ? TEAM_TABLES.findIndex((t) => t.table === state.backfill_table) : 0;
  let after = state.backfill_table ? (state.backfill_after ?? '') : '';
  if (index < 0) index = 0; // a table this build does not know: start over (upserts are idempotent)
  for (; index < TEAM_TABLES.length; index++, after = '') {
    const table = TEAM_TABLES[index]!;
    const batch = rows.rowsAfter(table, after, batchSize);
    if (batch.length === 0) continue;
    await inTeamTransaction(pg, desk, () => upsertRows(pg, table, batch, desk));
    const last = String(batch.at(-1)![table.key]);
    rows.saveBackfillPosition(table.table, last, false);
    return { source: 'backfill', upserts: batch.length, deletes: 0 };
  }
  rows.saveBackfillPosition(null, null, true);
  return null;
}

/** One outbox batch; null when the outbox is empty. */
async function outboxBatch(rows: DeskRows, pg: ClientBase, desk: Desk, batchSize: number): Promise<BatchOutcome | null> {
  const entries = rows.outboxEntries(batchSize);
  if (entries.length === 0) return null;
  // Each named row once: its state now decides (present: upsert; gone: delete).
  const keysByTable = new Map<TeamTable, Set<string>>();
  for (const entry of entries) {
    const table = TEAM_TABLE[entry.tbl as TeamTable['table']];
    if (!table) continue; // a table a newer build syncs: nothing to send from here
    let keys = keysByTable.get(table);
    if (!keys) keysByTable.set(table, (keys = new Set()));
    keys.add(entry.row_key);
  }
  let upserts = 0;
  let deletes = 0;
  const plan: Array<{ table: TeamTable; present: Row[]; gone: string[] }> = [];
  // One read transaction: every row as of the same moment.
  rows.transaction(() => {
    for (const table of TEAM_TABLES) {
      const keys = keysByTable.get(table);
      if (!keys) continue;
      const present = rows.rowsByKeys(table, [...keys]);
      const found = new Set(present.map((row) => String(row[table.key])));
      const gone = [...keys].filter((key) => !found.has(key));
      plan.push({ table, present, gone });
      upserts += present.length;
      deletes += gone.length;
    }
  });
  await inTeamTransaction(pg, desk, async () => {
    for (const { table, present, gone } of plan) {
      await upsertRows(pg, table, present, desk);
      await deleteKeys(pg, table, gone);
    }
  });
  rows.forgetOutboxThrough(entries.at(-1)!.seq);
  return { source: 'outbox', upserts, deletes };
}

/** Sends one batch (backfill first, then the outbox); `source: 'idle'` when everything is in the team database. */
export async function syncBatch(rows: DeskRows, pg: ClientBase, desk: Desk, batchSize = DEFAULT_BATCH_SIZE): Promise<BatchOutcome> {
  return (
    (await backfillBatch(rows, pg, desk, batchSize)) ?? (await outboxBatch(rows, pg, desk, batchSize)) ?? { source: 'idle', upserts: 0, deletes: 0 }
  );
}
