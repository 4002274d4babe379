/**
 * The team view through the real boundaries (issue 12): the core's dispatcher with a TeamPort
 * (commands with `source: 'team'`, exports in the real worker thread on their own
 * connection) and the real `switchboard` binary with `--source team`. A desk store is synced
 * into a real PostgreSQL; team answers must equal the desk's, plus the desk.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/shared/contract';
import type { Analytics, ExportJob } from '../../src/shared/history';
import { openDatabase, type Database } from '../../src/main/core/store/db';
import { openTeamPool, type TeamConnection } from '../../src/main/core/sync/team-database';
import type { TeamPort } from '../../src/main/core/team/team-port';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { DESK_A, deskStore, expectSameAnalytics, syncDesk, teamDatabase } from '../support/team-view';
import { csvRecords, parseJsonl } from '../unit/export/helpers';

const BIN = resolve(import.meta.dirname, '../../src/cli/switchboard.mjs');

let server: TestPostgres;
let dir: string;
let url: string;
let harness: CoreHarness;
let pool: pg.Pool;
/** What the port hands out; tests switch it to "not set up" and to an unreachable server. */
let current: { pool: pg.Pool; connection: TeamConnection } | null = null;
const port: TeamPort = { pool: () => current?.pool ?? null, connection: () => current?.connection ?? null };

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'team-console-'));
  const dataDir = join(dir, 'data');
  const built = deskStore(join(dir, 'seed.db'), { calls: 300, lines: 3000, days: 10 });
  built.close();
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(join(dir, 'seed.db'), join(dataDir, 'switchboard.db'));
  // The synthetic calls are from 2025: keep them (retention would purge calls past 90 days).
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ keepCallsDays: 3650, keepRecordingsDays: 3650 }));
  harness = await startHarness(dataDir, { team: port });
  // Synced after the core started (it may close calls an earlier crash left open): the team
  // database then holds exactly what the desk's store holds.
  url = await server.createDatabase('team_console');
  await teamDatabase(url);
  const desk: Database = openDatabase(join(dataDir, 'switchboard.db'));
  try {
    await syncDesk(desk, url, DESK_A);
  } finally {
    desk.close();
  }
  pool = openTeamPool({ url, tls: 'disable' });
  current = { pool, connection: { url, tls: 'disable' } };
});
afterAll(async () => {
  await harness?.core.close();
  await pool?.end();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const both = async <T>(name: 'history.page' | 'history.search' | 'history.facets' | 'history.analytics', input: Record<string, unknown>) => {
  const desk = await harness.core.dispatch(name, { ...input, source: 'desk' });
  const team = await harness.core.dispatch(name, { ...input, source: 'team' });
  if (!desk.ok || !team.ok) throw new Error(`${name}: ${JSON.stringify(desk.ok ? team : desk)}`);
  return { desk: desk.value as T, team: team.value as T };
};

describe('console commands with source: team', () => {
  it('History, search, facets and Analytics answer as the desk does, each row with its desk', async () => {
    const page = await both<{ calls: { id: string; desk?: string }[]; nextCursor: string | null }>('history.page', {
      filter: { direction: 'inbound', search: 'account' },
      sort: { by: 'duration', dir: 'desc' },
      limit: 25,
    });
    expect(page.team.calls.map(({ desk: _d, ...row }) => row)).toEqual(page.desk.calls);
    expect(page.desk.calls.every((c) => c.desk === undefined)).toBe(true); // desk rows stay as they were
    expect(new Set(page.team.calls.map((c) => c.desk))).toEqual(new Set([DESK_A.name]));
    const next = await both<{ calls: { id: string }[] }>('history.page', {
      filter: { direction: 'inbound', search: 'account' },
      sort: { by: 'duration', dir: 'desc' },
      limit: 25,
      cursor: page.desk.nextCursor,
    });
    expect(next.team.calls.map((c) => c.id)).toEqual(next.desk.calls.map((c) => c.id));

    const search = await both<{ hits: { line: { id: string }; call: { desk?: string } }[] }>('history.search', { filter: { search: 'refunds' }, limit: 40 });
    expect(search.team.hits.map((h) => h.line.id)).toEqual(search.desk.hits.map((h) => h.line.id));
    expect(search.team.hits[0]!.call.desk).toBe(DESK_A.name);

    const facets = await both('history.facets', {});
    expect(facets.team).toEqual(facets.desk);

    const analytics = await both<Analytics>('history.analytics', { filter: { takenOver: false }, groupBy: 'week', utcOffsetMin: 60 });
    expectSameAnalytics(analytics.team, analytics.desk);
  });

  it('without a team database: unavailable, saying where to set it up', async () => {
    const saved = current;
    current = null;
    try {
      for (const [name, input] of [
        ['history.page', { source: 'team' }],
        ['history.search', { source: 'team', filter: { search: 'refund' } }],
        ['history.facets', { source: 'team' }],
        ['history.analytics', { source: 'team' }],
        ['export.start', { source: 'team', format: 'csv' }],
      ] as const) {
        expect(await harness.core.dispatch(name, input), name).toEqual({
          ok: false,
          error: { code: 'unavailable', message: 'Team sync is not set up: Settings → Team sync.' },
        });
      }
      // The desk's own views do not need it.
      expect((await harness.core.dispatch('history.page', {})).ok).toBe(true);
    } finally {
      current = saved;
    }
  });

  it('team database unreachable: unavailable in plain words, never the URL or its password', async () => {
    const secretUrl = 'postgres://lead:hunter2-secret@127.0.0.1:1/team';
    const unreachable = openTeamPool({ url: secretUrl, tls: 'disable' });
    const saved = current;
    current = { pool: unreachable, connection: { url: secretUrl, tls: 'disable' } };
    const seen: AnyEvent[] = [];
    const stop = harness.core.subscribe((e) => seen.push(e));
    try {
      const expected = { ok: false, error: { code: 'unavailable', message: 'Could not reach the team database at 127.0.0.1:1: nothing is listening there (connection refused).' } };
      expect(await harness.core.dispatch('history.page', { source: 'team' })).toEqual(expected);
      expect(await harness.core.dispatch('history.analytics', { source: 'team' })).toEqual(expected);
      expect(await harness.core.dispatch('export.start', { source: 'team', format: 'csv' })).toEqual(expected);
      expect(JSON.stringify(seen)).not.toContain('hunter2');
    } finally {
      stop();
      current = saved;
      await unreachable.end();
    }
  });

  it('bad input in a team request: the same clear errors as the desk', async () => {
    for (const input of [{ filter: { search: '!?' } }, { cursor: 'bm90IGEgY3Vyc29y' }]) {
      const desk = await harness.core.dispatch('history.page', { ...input, source: 'desk' });
      const team = await harness.core.dispatch('history.page', { ...input, source: 'team' });
      expect(desk.ok).toBe(false);
      expect(team).toEqual(desk);
    }
    expect(await harness.core.dispatch('history.page', { source: 'teams' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});

describe('team exports (the real worker thread, its own connection)', () => {
  const finished = async (id: string): Promise<ExportJob> => {
    for (let i = 0; i < 1200; i++) {
      const last = harness.events.flatMap((e) => (e.name === 'export.progress' && e.payload.id === id ? [e.payload] : [])).at(-1);
      if (last && last.state !== 'running') return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('export did not finish in 60 s');
  };
  const exportText = async (request: Record<string, unknown>) => {
    const job = await harness.call('export.start', request as never);
    const done = await finished(job.id);
    expect(done.state, done.error ?? '').toBe('done');
    const file = await harness.core.file(done.fileRoute!);
    return { job: done, text: readFileSync(file!.path, 'utf8') };
  };

  it('CSV (calls, lines, both) equals the desk export plus the desk column, every row', async () => {
    for (const content of ['calls', 'lines', 'both'] as const) {
      const filter = content === 'calls' ? {} : { search: 'router', takenOver: false };
      const desk = await exportText({ format: 'csv', content, filter });
      const team = await exportText({ format: 'csv', content, filter, source: 'team' });
      expect(team.job.fileName).toMatch(new RegExp(`^switchboard-team-${content}-`));
      expect(team.job.rowsTotal).toBe(desk.job.rowsTotal);
      const deskRows = csvRecords(desk.text);
      const teamRows = csvRecords(team.text);
      expect(Object.keys(teamRows[0]!)).toEqual(['desk', ...Object.keys(deskRows[0]!)]);
      expect(teamRows.length, content).toBe(deskRows.length);
      expect(teamRows.length).toBeGreaterThan(content === 'calls' ? 299 : 50);
      expect(teamRows.map(({ desk: d, ...row }) => (expect(d).toBe(DESK_A.name), row))).toEqual(deskRows);
    }
  });

  it('JSON Lines (calls with nested lines) equals the desk export byte for byte, but the desk key', async () => {
    const desk = await exportText({ format: 'jsonl', content: 'both' });
    const team = await exportText({ format: 'jsonl', content: 'both', source: 'team' });
    const deskLines = desk.text.split('\n');
    const teamObjects = parseJsonl(team.text);
    expect(teamObjects).toHaveLength(deskLines.length - 1);
    const withWrapUps = teamObjects.filter((o) => o.wrap_up_summary !== null && o.facts !== null && (o.facts as unknown[]).length > 0);
    expect(withWrapUps.length).toBeGreaterThan(0); // wrap-ups, facts and whispers were compared too
    teamObjects.forEach((object, i) => {
      const { desk: name, ...rest } = object;
      expect(name).toBe(DESK_A.name);
      expect(JSON.stringify(rest)).toBe(deskLines[i]);
    });
  });
});

describe('switchboard --source team', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: resolve(import.meta.dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'Europe/Berlin', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  const deskArgs = () => ['--data-dir', harness.dataDir];
  const teamArgs = () => ['--source', 'team', '--team-tls', 'disable'];
  const env = () => ({ SWITCHBOARD_TEAM_DATABASE_URL: url });

  it('export CSV from the team equals the desk export plus the desk column', async () => {
    const deskOut = join(dir, 'desk.csv');
    const teamOut = join(dir, 'team.csv');
    const filter = ['--search', 'payment', '--direction', 'inbound'];
    const desk = await cli(['export', '--content', 'lines', '--out', deskOut, ...filter, ...deskArgs()]);
    const team = await cli(['export', '--content', 'lines', '--out', teamOut, ...filter, ...teamArgs()], env());
    expect(desk.code, desk.stderr).toBe(0);
    expect(team.code, team.stderr).toBe(0);
    const deskRows = csvRecords(readFileSync(deskOut, 'utf8'));
    const teamRows = csvRecords(readFileSync(teamOut, 'utf8'));
    expect(deskRows.length).toBeGreaterThan(20);
    expect(teamRows.map(({ desk: _d, ...row }) => row)).toEqual(deskRows);
    expect(new Set(teamRows.map((r) => r.desk))).toEqual(new Set([DESK_A.name]));
  });

  it('calls and stats read the team database (URL from --team-url too)', async () => {
    const desk = await cli(['calls', '--json', '--limit', '120', '--taken-over', ...deskArgs()]);
    const team = await cli(['calls', '--json', '--limit', '120', '--taken-over', ...teamArgs(), '--team-url', url]);
    expect(team.code, team.stderr).toBe(0);
    const deskCalls = JSON.parse(desk.stdout) as Record<string, unknown>[];
    const teamCalls = JSON.parse(team.stdout) as Record<string, unknown>[];
    expect(deskCalls.length).toBeGreaterThan(10);
    expect(teamCalls.map(({ desk: _d, ...c }) => c)).toEqual(deskCalls);
    const table = await cli(['calls', '--limit', '3', ...teamArgs()], env());
    expect(table.stdout.split('\n')[0]).toMatch(/^DESK\s+STARTED/);
    expect(table.stdout).toContain(DESK_A.name);

    const deskStats = await cli(['stats', '--json', '--group-by', 'week', ...deskArgs()]);
    const teamStats = await cli(['stats', '--json', '--group-by', 'week', ...teamArgs()], env());
    expect(teamStats.code, teamStats.stderr).toBe(0);
    expectSameAnalytics(JSON.parse(teamStats.stdout) as Analytics, JSON.parse(deskStats.stdout) as Analytics);
  });

  it('says plainly what is missing or wrong, in one line, never the password', async () => {
    const none = await cli(['calls', '--source', 'team']);
    expect(none).toMatchObject({ code: 1, stderr: 'switchboard: --source team needs the team database: set SWITCHBOARD_TEAM_DATABASE_URL or pass --team-url\n' });
    const down = await cli(['stats', ...teamArgs()], { SWITCHBOARD_TEAM_DATABASE_URL: 'postgres://lead:hunter2-secret@127.0.0.1:1/team' });
    expect(down).toMatchObject({ code: 1, stderr: 'switchboard: Could not reach the team database at 127.0.0.1:1: nothing is listening there (connection refused).\n' });
    const out = join(dir, 'never.csv');
    const exportDown = await cli(['export', '--out', out, ...teamArgs()], { SWITCHBOARD_TEAM_DATABASE_URL: 'postgres://lead:hunter2-secret@127.0.0.1:1/team' });
    expect(exportDown.code).toBe(1);
    expect(exportDown.stderr).not.toContain('hunter2');
    expect(exportDown.stderr).toContain('Could not reach the team database at 127.0.0.1:1');
    const verify = await cli(['calls', '--source', 'team', '--team-tls', 'verify-full'], env());
    expect(verify).toMatchObject({ code: 1, stderr: 'switchboard: --team-tls verify-full needs --team-ca FILE\n' });
    const deskWithUrl = await cli(['calls', '--team-url', url, ...deskArgs()]);
    expect(deskWithUrl).toMatchObject({ code: 1, stderr: 'switchboard: --team-url and --team-ca are for --source team\n' });
  });
});
