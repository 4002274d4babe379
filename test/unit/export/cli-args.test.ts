/**
 * The CLI's argument handling, in-process (the spawned binary is tested in
 * test/integration/export/cli.test.ts): every bad input is exit 1 and one line saying why.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDate } from '../../../src/cli/filter-options';
import { run } from '../../../src/cli/main';
import { buildFixture, type Fixture } from './helpers';

function capture() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: Object.assign({ write: (s: string) => ((out += s), true) }, {}) as unknown as NodeJS.WritableStream,
      stderr: Object.assign({ write: (s: string) => ((err += s), true) }, {}) as unknown as NodeJS.WritableStream,
      env: {},
    },
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
  };
}

describe('switchboard arguments', () => {
  let fx: Fixture;
  beforeAll(() => (fx = buildFixture()));
  afterAll(() => fx.cleanup());

  it.each([
    [['export', '--out', 'x.csv', '--from', 'yesterday'], /^switchboard: --from: not a date: "yesterday" \(use YYYY-MM-DD/],
    [['export', '--out', 'x.csv', '--to', '2026-02-30'], /^switchboard: --to: not a date: "2026-02-30"/],
    [['export', '--out', 'x.csv', '--from', '2026-01-15T25:00'], /^switchboard: --from: not a date/],
    [['export', '--out', 'x.csv', '--from', '2026-03-02', '--to', '2026-03-01'], /^switchboard: --from must be before --to$/],
    [['export', '--out', 'x.pdf'], /^switchboard: --format: say csv, jsonl or xlsx/],
    [['export', '--format', 'pdf', '--out', 'x.pdf'], /^switchboard: option '--format <format>' argument 'pdf' is invalid/],
    [['export', '--format', 'csv'], /^switchboard: required option '--out <file>' not specified$/],
    [['export', '--out', 'x.csv', '--content', 'everything'], /^switchboard: option '--content <content>' argument 'everything' is invalid/],
    [['calls', '--sentiment-below', '2'], /^switchboard: --sentiment-below: /],
    [['calls', '--min-duration', 'long'], /^switchboard: --min-duration: not a number: "long"$/],
    [['calls', '--min-duration', '60', '--max-duration', '30'], /^switchboard: --min-duration must not exceed --max-duration$/],
    [['calls', '--taken-over', '--not-taken-over'], /^switchboard: --taken-over and --not-taken-over exclude each other$/],
    [['calls', '--number', 'abc'], /^switchboard: --number: digits, \+, spaces, brackets and dashes only$/],
    [['calls', '--search', 'x'.repeat(201)], /^switchboard: --search: at most 200 characters$/],
    [['calls', '--search', 'a\u0000b'], /^switchboard: --search: control characters are not allowed$/],
    [['calls', '--limit', '0'], /^switchboard: --limit: not a positive whole number/],
    [['calls', '--search', '"*"'], /^switchboard: Search needs at least one letter or digit/],
    [['calls', '--colour'], /^switchboard: unknown option '--colour'/],
    [['colls'], /^switchboard: unknown command 'colls'/],
    [['stats', '--group-by', 'month'], /^switchboard: option '--group-by <unit>' argument 'month' is invalid/],
    [['stats', '--abandon-within', '0'], /^switchboard: --abandon-within: /],
  ])('%j: exit 1, one line', async (args, message) => {
    const c = capture();
    const status = await run([...args, '--data-dir', fx.dir], c.io);
    expect(status).toBe(1);
    expect(c.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(c.stderr.trimEnd()).toMatch(message);
    expect(c.stdout).toBe('');
  });

  it('accepts the filters together and lists with them', async () => {
    const c = capture();
    const args = ['calls', '--data-dir', fx.dir, '--from', '2026-01-15T00:00+01:00', '--to', '2026-01-16', '--direction', 'inbound'];
    const status = await run([...args, '--end-reason', 'caller_hangup,agent_ended', '--end-reason', 'x', '--max-duration', '100', '--number', '0100', '--json'], c.io);
    expect(c.stderr).toBe('');
    expect(status).toBe(0);
    expect((JSON.parse(c.stdout) as { call_id: string }[]).map((r) => r.call_id)).toEqual(['c1']);
  });

  it('a negative number is a value, not an option', async () => {
    const c = capture();
    expect(await run(['calls', '--data-dir', fx.dir, '--sentiment-below', '-0.1', '--json'], c.io)).toBe(0);
    expect((JSON.parse(c.stdout) as { call_id: string }[]).map((r) => r.call_id)).toEqual(['c1']);
  });

  it('reads dates as local days and times, with or without an offset', () => {
    expect(parseDate('--from', '2026-01-15')).toBe(new Date(2026, 0, 15).getTime());
    expect(parseDate('--to', '2026-01-15', true)).toBe(new Date(2026, 0, 16).getTime());
    expect(parseDate('--from', '2026-01-15T09:30')).toBe(new Date(2026, 0, 15, 9, 30).getTime());
    expect(parseDate('--from', '2026-01-15T09:30:15.5Z')).toBe(Date.UTC(2026, 0, 15, 9, 30, 15, 500));
    expect(parseDate('--from', '2026-01-15T09:30:00+01:00')).toBe(Date.UTC(2026, 0, 15, 8, 30));
    expect(parseDate('--from', '2026-01-15 09:30-0500')).toBe(Date.UTC(2026, 0, 15, 14, 30));
    for (const bad of ['2026-1-5', '15/01/2026', '2026-02-29', '2026-01-15T24:00', 'now', '']) expect(() => parseDate('--from', bad)).toThrow('not a date');
  });

  it('--help is exit 0 on stdout', async () => {
    const c = capture();
    expect(await run(['export', '--help'], c.io)).toBe(0);
    expect(c.stdout).toContain('Usage: switchboard export');
    expect(c.stderr).toBe('');
  });

  it('a missing data folder says where it looked', async () => {
    const c = capture();
    expect(await run(['stats', '--data-dir', join(fx.dir, 'nope')], c.io)).toBe(1);
    expect(c.stderr).toBe(`switchboard: There is no call database at ${join(fx.dir, 'nope', 'switchboard.db')} (set --data-dir or SWITCHBOARD_DATA_DIR)\n`);
  });
});
