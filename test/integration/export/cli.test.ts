/**
 * The real `switchboard` binary (src/cli/switchboard.mjs, the package's bin), spawned as a
 * process against real SQLite files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Analytics } from '@shared/history';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addBulk, buildFixture, csvRecords, parseJsonl, type Fixture } from '../../unit/export/helpers';

const BIN = resolve(import.meta.dirname, '../../../src/cli/switchboard.mjs');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { env?: Record<string, string>; onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: resolve(import.meta.dirname, '../../..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'Europe/Berlin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

describe('switchboard CLI', () => {
  let fx: Fixture;
  let dataDir: string;
  let out: string;

  beforeEach(() => {
    fx = buildFixture();
    dataDir = fx.dir; // the fixture's database is <dir>/switchboard.db, as the app names it
    out = join(fx.dir, 'out');
    mkdirSync(out);
  });
  afterEach(() => fx.cleanup());

  const oneLine = (run: Run) => {
    expect(run.stderr.endsWith('\n')).toBe(true);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^switchboard: /);
  };

  it('--help lists the commands; each command has its own help', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: switchboard');
    for (const command of ['export', 'calls', 'stats']) expect(top.stdout).toContain(command);
    const exportHelp = await cli(['export', '--help']);
    expect(exportHelp.code).toBe(0);
    for (const option of ['--format', '--content', '--out', '--from', '--to', '--search', '--taken-over', '--data-dir']) expect(exportHelp.stdout).toContain(option);
  });

  it('exports CSV with local ISO times (TZ honoured), progress on stderr as plain lines', async () => {
    const file = join(out, 'calls.csv');
    const run = await cli(['export', '--format', 'csv', '--out', file, '--data-dir', dataDir]);
    expect(run.stderr).toContain('export: 3 rows to write');
    expect(run.stderr).toContain('export: 3 of 3 rows (100 %)');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^wrote 3 calls to ${file} \\(\\d+(\\.\\d)? (B|KB)\\)\\n$`));
    const rows = csvRecords(readFileSync(file, 'utf8'));
    expect(rows.map((r) => r.call_id)).toEqual(['c3', 'c2', 'c1']);
    expect(rows[2]!.started_at).toBe('2026-01-15T10:12:03.120+01:00');
    expect(readdirSync(out)).toEqual(['calls.csv']);
  });

  it('takes the format from --out, filters like the console (dates, taken over, search)', async () => {
    const file = join(out, 'lines.jsonl');
    const env = { SWITCHBOARD_DATA_DIR: dataDir };
    const run = await cli(['export', '--content', 'lines', '--out', file, '--from', '2026-01-15', '--to', '2026-01-15', '--not-taken-over', '--search', 'charge'], { env });
    expect(run.code).toBe(0);
    const lines = parseJsonl(readFileSync(file, 'utf8'));
    expect(lines.map((l) => l.line_id)).toEqual(['c1-u1', 'c1-u2', 'c1-u3', 'c1-u4', 'c1-u5', 'c1-u6', 'c1-u7', 'c1-u8']);
    const taken = await cli(['export', '--content', 'lines', '--out', file, '--taken-over'], { env });
    expect(taken.code).toBe(0);
    expect(new Set(parseJsonl(readFileSync(file, 'utf8')).map((l) => l.call_id))).toEqual(new Set(['c2']));
  });

  it('exports Excel with two sheets for --content both', async () => {
    const file = join(out, 'both.xlsx');
    const run = await cli(['export', '--content', 'both', '--out', file, '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote 13 calls and lines');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((s) => [s.name, s.rowCount])).toEqual([
      ['Calls', 4],
      ['Lines', 11],
    ]);
  });

  it('an empty result is still a file (header only) and exit 0', async () => {
    const file = join(out, 'none.csv');
    const run = await cli(['export', '--out', file, '--data-dir', dataDir, '--direction', 'outbound', '--not-taken-over']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote 0 calls');
    expect(readFileSync(file, 'utf8').split('\r\n')[0]).toMatch(/^\uFEFFcall_id,/);
    const calls = await cli(['calls', '--data-dir', dataDir, '--min-duration', '3600']);
    expect(calls.code).toBe(0);
    expect(calls.stdout).toBe('no calls match\n');
  });

  // (The whole bad-input matrix runs in-process in test/unit/export/cli-args.test.ts; these
  // prove the spawned binary reports the same way.)
  it.each([
    [['export', '--out', 'x.csv', '--from', 'yesterday'], /^switchboard: --from: not a date: "yesterday"/],
    [['export', '--format', 'pdf', '--out', 'x.pdf'], /^switchboard: option '--format <format>' argument 'pdf' is invalid/],
    [['calls', '--number', 'abc'], /^switchboard: --number: digits, \+, spaces, brackets and dashes only$/],
  ])('bad input %j: exit 1 with one line saying why', async (args, message) => {
    const run = await cli([...args, '--data-dir', dataDir], {});
    expect(run.code).toBe(1);
    oneLine(run);
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('an unwritable --out path: exit 1, one line, nothing written', async () => {
    writeFileSync(join(out, 'a-file'), '');
    for (const [target, reason] of [
      [join(out, 'missing', 'x.csv'), `the folder ${join(out, 'missing')} does not exist`],
      [join(out, 'a-file', 'x.csv'), `${join(out, 'a-file')} is not a folder`],
      [out, 'it is a folder'],
    ] as const) {
      const run = await cli(['export', '--format', 'csv', '--out', target, '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      oneLine(run);
      expect(run.stderr).toContain(`cannot write ${target}: ${reason}`);
    }
    expect(readdirSync(out)).toEqual(['a-file']);
  });

  it('a missing database: exit 1, one line naming the path and the way out', async () => {
    const run = await cli(['calls', '--data-dir', join(fx.dir, 'elsewhere')]);
    expect(run.code).toBe(1);
    oneLine(run);
    expect(run.stderr).toBe(`switchboard: There is no call database at ${join(fx.dir, 'elsewhere', 'switchboard.db')} (set --data-dir or SWITCHBOARD_DATA_DIR)\n`);
  });

  it('calls: a table, or JSON with the export columns', async () => {
    const table = await cli(['calls', '--data-dir', dataDir]);
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^STARTED\s+DIRECTION\s+FROM\s+TO\s+DURATION/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).at(-1))).toEqual(['c3', 'c2', 'c1']);
    expect(rows[3]).toContain('2026-01-15 10:12:03');
    expect(rows[3]).toContain('1:35');
    expect(rows[2]).toContain('yes, at 0:13');

    const json = await cli(['calls', '--data-dir', dataDir, '--json', '--limit', '2']);
    expect(json.code).toBe(0);
    const calls = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(calls.map((c) => c.call_id)).toEqual(['c3', 'c2']);
    expect(calls[1]).toMatchObject({ direction: 'outbound', taken_over: true, duration_s: 61, from: '+15550100999' });
  });

  it('stats: the dashboard figures as JSON (the Analytics shape) and as text', async () => {
    const json = await cli(['stats', '--data-dir', dataDir, '--json', '--group-by', 'hour', '--from', '2026-01-15', '--to', '2026-01-15']);
    expect(json.code).toBe(0);
    const analytics = Analytics.parse(JSON.parse(json.stdout));
    expect(analytics.groupBy).toBe('hour');
    expect(analytics.totals).toMatchObject({ calls: 3, inbound: 2, outbound: 1 });
    expect(analytics.buckets).toHaveLength(24);

    const text = await cli(['stats', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Calls\s+3 \(inbound 2, outbound 1\)$/m);
    expect(text.stdout).toContain('By day');
  });

  it('exports from a database another connection keeps writing to (WAL), from one consistent snapshot', async () => {
    addBulk(fx.store, fx.db, 400, 20);
    let written = 0;
    const writer = setInterval(() => {
      addBulk(fx.store, fx.db, 1, 20, `live${String(written++).padStart(4, '0')}-`);
    }, 2);
    const file = join(out, 'lines.csv');
    try {
      const run = await cli(['export', '--content', 'lines', '--out', file, '--data-dir', dataDir]);
      expect(run.stderr).toBe(run.stderr); // (for the message on failure)
      expect(run.code).toBe(0);
    } finally {
      clearInterval(writer);
    }
    expect(written).toBeGreaterThan(0);
    const rows = csvRecords(readFileSync(file, 'utf8'));
    const perCall = new Map<string, number>();
    for (const r of rows) perCall.set(r.call_id!, (perCall.get(r.call_id!) ?? 0) + 1);
    // Every call written in one transaction appears whole or not at all.
    for (const [id, n] of perCall) if (id.startsWith('b') || id.startsWith('live')) expect(n).toBe(20);
    expect(rows.length).toBeGreaterThanOrEqual(10 + 400 * 20);
  });

  it('Ctrl-C during an export: exit 130, nothing left behind', async () => {
    addBulk(fx.store, fx.db, 1000, 50);
    const file = join(out, 'big.xlsx');
    let sent = false;
    const run = await cli(['export', '--content', 'lines', '--out', file, '--data-dir', dataDir], {
      onStderr: (text, kill) => {
        if (!sent && text.includes('rows to write')) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('switchboard: export interrupted; nothing was written');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });
});
