/**
 * Asserts the team database holds exactly the desk's synced rows: the same keys, no extra
 * rows, and every column equal (JSON compared as values, booleans as SQLite's 0/1).
 */
import type { Database } from 'better-sqlite3';
import type { ClientBase } from 'pg';
import { expect } from 'vitest';
import { TEAM_PG_TYPES } from '../../src/main/core/sync/pg-types';
import { TEAM_TABLES, type TeamTable } from '../../src/main/core/sync/team-tables';

type Row = Record<string, unknown>;

function normalise(table: TeamTable, row: Row, from: 'desk' | 'team'): Row {
  const out: Row = {};
  for (const column of table.columns) {
    let value: unknown = row[column.name] ?? null;
    if (value !== null && column.type === 'jsonb' && from === 'desk') value = JSON.parse(value as string) as unknown;
    if (value !== null && column.type === 'boolean' && from === 'desk') value = value === 1;
    out[column.name] = value;
  }
  return out;
}

export async function teamRows(team: ClientBase, table: TeamTable, where = 'TRUE', params: unknown[] = []): Promise<Row[]> {
  const columns = table.columns.map((c) => c.name).join(', ');
  const result = await team.query({ text: `SELECT ${columns} FROM ${table.table} WHERE ${where} ORDER BY ${table.key}`, values: params, types: TEAM_PG_TYPES });
  return result.rows.map((row: Row) => normalise(table, row, 'team'));
}

export function deskRows(db: Database, table: TeamTable): Row[] {
  const columns = table.columns.map((c) => c.name).join(', ');
  // COLLATE: SQLite compares text by bytes, PostgreSQL (C.UTF-8 here) too; sort both in JS to be sure.
  return (db.prepare(`SELECT ${columns} FROM ${table.table}`).all() as Row[]).map((row) => normalise(table, row, 'desk'));
}

const byKey = (table: TeamTable) => (a: Row, b: Row) => (String(a[table.key]) < String(b[table.key]) ? -1 : 1);

/** For a team database holding one desk: every table equal to the desk's. */
export async function expectTeamEqualsDesk(db: Database, team: ClientBase): Promise<void> {
  for (const table of TEAM_TABLES) {
    const desk = deskRows(db, table).sort(byKey(table));
    const remote = (await teamRows(team, table)).sort(byKey(table));
    expect(remote.length, `${table.table}: row count`).toBe(desk.length);
    expect(remote, `${table.table}: contents`).toEqual(desk);
  }
}
