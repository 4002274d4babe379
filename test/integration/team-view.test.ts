/**
 * The team view (issue 12): History, search, facets, counts and Analytics read from the team
 * PostgreSQL database answer exactly what the desk's own SQLite answers for the same filter
 * (same calls in the same order, same counts, same figures within float rounding), plus
 * each row's desk. A real desk store (1,000 calls, 10,000 lines, with wrap-ups, facts and
 * whispers) is synced into a real PostgreSQL with the real drain; nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsInput, HistoryPageInput, type CallFilter, type HistorySort, type SearchHit } from '../../src/shared/history';
import { computeAnalytics } from '../../src/main/core/history/analytics';
import { createHistory, type History } from '../../src/main/core/history/history';
import type { Database } from '../../src/main/core/store/db';
import { openTeamPool } from '../../src/main/core/sync/team-database';
import { computeTeamAnalytics } from '../../src/main/core/team/team-analytics';
import { createTeamHistory, type TeamHistory } from '../../src/main/core/team/team-history';
import { HISTORY_STORE_UTC_OFFSET_MIN } from '../bench/support/history-store';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { DESK_A, DESK_B, deskStore, expectSameAnalytics, syncDesk, teamDatabase, withoutDesk } from '../support/team-view';

const DAY_MS = 86_400_000;

let server: TestPostgres;
let dir: string;
let db: Database;
let desk: History;
let pool: pg.Pool;
let team: TeamHistory;
let startAt: number;
let aNumber: string;

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'team-view-'));
  db = deskStore(join(dir, 'a.db'));
  desk = createHistory(db);
  const url = await server.createDatabase('team_one');
  await teamDatabase(url);
  await syncDesk(db, url, DESK_A);
  pool = openTeamPool({ url, tls: 'disable' });
  team = createTeamHistory(pool);
  startAt = (db.prepare('SELECT min(started_at) AS t FROM calls').get() as { t: number }).t;
  const from = (db.prepare('SELECT from_number AS n FROM calls ORDER BY started_at LIMIT 1 OFFSET 17').get() as { n: string }).n;
  aNumber = from.slice(5, 9);
});
afterAll(async () => {
  await pool?.end();
  db?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One filter per CallFilter field (and a few combinations), as the console and CLI send them. */
function filters(): Record<string, CallFilter> {
  const mid = startAt + 12 * DAY_MS;
  return {
    everything: {},
    from: { from: mid },
    to: { to: mid },
    range: { from: startAt + 3 * DAY_MS, to: startAt + 9 * DAY_MS },
    inbound: { direction: 'inbound' },
    outbound: { direction: 'outbound' },
    endReasons: { endReasons: ['caller_hangup', 'no-answer', 'silence_timeout'] },
    takenOver: { takenOver: true },
    notTakenOver: { takenOver: false },
    minDuration: { minDurationS: 90 },
    maxDuration: { maxDurationS: 40 },
    durationBand: { minDurationS: 30, maxDurationS: 120.5 },
    endedNegative: { endedNegative: true },
    notEndedNegative: { endedNegative: false },
    sentimentBelow: { sentimentBelow: -0.2 },
    hasAlerts: { hasAlerts: true },
    noAlerts: { hasAlerts: false },
    disposition: { dispositions: ['resolved'] },
    dispositions: { dispositions: ['CALLBACK', 'Wrong number'] },
    number: { numberContains: aNumber },
    numberPunctuated: { numberContains: `(${aNumber.slice(0, 2)}) ${aNumber.slice(2)}` },
    search: { search: 'refund' },
    stemmed: { search: 'charging' },
    twoWords: { search: 'router restart' },
    stopWord: { search: 'the refund' },
    apostrophe: { search: "I'm sorry" },
    upperCase: { search: 'BROADBAND' },
    combined: { direction: 'inbound', takenOver: false, search: 'account', from: startAt + 2 * DAY_MS },
  };
}

const SORTS: HistorySort[] = [
  { by: 'startedAt', dir: 'desc' },
  { by: 'startedAt', dir: 'asc' },
  { by: 'duration', dir: 'desc' },
  { by: 'duration', dir: 'asc' },
  { by: 'sentiment', dir: 'asc' },
  { by: 'sentiment', dir: 'desc' },
];

async function allPages(source: Pick<TeamHistory, 'page'> | Pick<History, 'page'>, filter: CallFilter, sort: HistorySort, limit: number) {
  const rows = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await source.page({ filter, sort, limit, ...(cursor ? { cursor } : {}) });
    rows.push(...page.calls);
    if (page.nextCursor === null) return rows;
    cursor = page.nextCursor;
  }
  throw new Error('paging never ended');
}

async function allHits(source: Pick<TeamHistory, 'search'> | Pick<History, 'search'>, filter: CallFilter, limit: number): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await source.search({ filter, limit, ...(cursor ? { cursor } : {}) });
    hits.push(...page.hits);
    if (page.nextCursor === null) return hits;
    cursor = page.nextCursor;
  }
  throw new Error('search paging never ended');
}

describe('team view = desk view, on the same calls', () => {
  it('the test data exercises every filter (each matches some calls, but not all)', async () => {
    const total = desk.countCalls({});
    expect(total).toBe(1000);
    for (const [name, filter] of Object.entries(filters())) {
      if (name === 'everything') continue;
      const n = desk.countCalls(filter);
      expect(n, name).toBeGreaterThan(0);
      expect(n, name).toBeLessThan(total);
    }
  });

  it('counts calls and lines alike for every filter', async () => {
    for (const [name, filter] of Object.entries(filters())) {
      expect(await team.countCalls(filter), `${name}: calls`).toBe(desk.countCalls(filter));
      expect(await team.countLines(filter), `${name}: lines`).toBe(desk.countLines(filter));
    }
  });

  it('pages the same rows in the same order, every sort, through deep keyset pages; each row names its desk', async () => {
    for (const [name, filter] of Object.entries(filters())) {
      for (const sort of name === 'everything' || name === 'combined' || name === 'stemmed' ? SORTS : SORTS.slice(0, 3)) {
        const want = await allPages(desk, filter, sort, 37);
        const got = await allPages(team, filter, sort, 37);
        const label = `${name} by ${sort.by} ${sort.dir}`;
        expect(got.map((r) => r.id), label).toEqual(want.map((r) => r.id));
        expect(got.map(withoutDesk), label).toEqual(want);
        expect(new Set(got.map((r) => r.desk)), label).toEqual(got.length > 0 ? new Set([DESK_A.name]) : new Set());
      }
    }
  });

  it('a page as the contract parses it: defaults and the largest page', async () => {
    const input = HistoryPageInput.parse({ limit: 200, source: 'team' });
    const want = desk.page(input);
    const got = await team.page(input);
    expect(got.calls.map(withoutDesk)).toEqual(want.calls);
    expect(got.nextCursor).toBe(want.nextCursor); // (started_at, id) cursors: the same position on both
  });

  it('search finds the same lines in the same order, stemmed, with the matched words marked', async () => {
    const searches = Object.entries(filters()).filter(([, f]) => f.search !== undefined);
    for (const [name, filter] of searches) {
      const want = await allHits(desk, filter, 29);
      const got = await allHits(team, filter, 29);
      expect(got.length, name).toBeGreaterThan(0);
      expect(got.map((h) => h.line.id), name).toEqual(want.map((h) => h.line.id));
      expect(got.map((h) => withoutDesk(h.call)), name).toEqual(want.map((h) => h.call));
      for (const [i, hit] of got.entries()) {
        const text = want[i]!.line.segments.map((s) => s.text).join('');
        expect(hit.line.segments.map((s) => s.text).join(''), `${name}: the line's text, whole`).toBe(text);
        expect(hit.call.desk).toBe(DESK_A.name);
        expect({ speaker: hit.line.speaker, startMs: hit.line.startMs }).toEqual({ speaker: want[i]!.line.speaker, startMs: want[i]!.line.startMs });
      }
    }
    // Stemming: "charging" finds "charged" and "charges", and marks those words.
    const marked = (await allHits(team, { search: 'charging' }, 200)).flatMap((h) => h.line.segments.filter((s) => s.hit).map((s) => s.text.toLowerCase()));
    expect(new Set(marked)).toEqual(new Set(['charge', 'charged', 'charges']));
    // Most lines are marked exactly as the desk marks them (the two stemmers are both Porter's).
    const want = await allHits(desk, { search: 'refund' }, 200);
    const got = await allHits(team, { search: 'refund' }, 200);
    const same = got.filter((hit, i) => JSON.stringify(hit.line.segments) === JSON.stringify(want[i]!.line.segments)).length;
    expect(same / got.length).toBeGreaterThan(0.95);
  });

  it('facets list the same end reasons', async () => {
    expect(await team.facets()).toEqual(desk.facets());
  });

  it('analytics give the same figures for every filter and grouping', async () => {
    const inputs = Object.entries(filters()).map(([name, filter]) => [name, AnalyticsInput.parse({ filter, utcOffsetMin: HISTORY_STORE_UTC_OFFSET_MIN })] as const);
    inputs.push(
      ['hourly', AnalyticsInput.parse({ filter: { from: startAt, to: startAt + 5 * DAY_MS }, groupBy: 'hour', utcOffsetMin: 330 })],
      ['weekly', AnalyticsInput.parse({ groupBy: 'week', utcOffsetMin: -600, abandonWithinS: 30 })],
      ['empty', AnalyticsInput.parse({ filter: { from: 1, to: 2 } })],
    );
    for (const [name, input] of inputs) {
      const want = computeAnalytics(db, input);
      const got = await computeTeamAnalytics(pool, input);
      expectSameAnalytics(got, want, name);
      if (name === 'everything') {
        // The data has every part of the dashboard (so the comparison above covered each).
        expect(want.intents.length).toBeGreaterThan(3);
        expect(want.incidents.length).toBeGreaterThan(0);
        expect(want.dispositions.length).toBeGreaterThan(2);
        expect(want.latency.every((l) => l.turns > 0)).toBe(true);
      }
    }
  });

  it('answers many dashboards at once on a pool of four connections (each takes two)', async () => {
    const input = AnalyticsInput.parse({ filter: filters().range, utcOffsetMin: HISTORY_STORE_UTC_OFFSET_MIN });
    const want = computeAnalytics(db, input);
    const pages = Array.from({ length: 3 }, () => team.page({ filter: {}, sort: { by: 'startedAt', dir: 'desc' }, limit: 20 }));
    const dashboards = await Promise.all(Array.from({ length: 9 }, () => computeTeamAnalytics(pool, input)));
    for (const got of dashboards) expectSameAnalytics(got, want, 'at once');
    for (const page of await Promise.all(pages)) expect(page.calls).toHaveLength(20);
  });

  it('refuses bad input with the desk’s own words', async () => {
    const sort: HistorySort = { by: 'startedAt', dir: 'desc' };
    const same = async (team: () => Promise<unknown>, desk: () => unknown) => {
      let want: unknown;
      try {
        desk();
      } catch (error) {
        want = error;
      }
      expect(want, 'the desk refuses it too').toBeInstanceOf(Error);
      await expect(team()).rejects.toMatchObject({ name: 'HistoryError', code: 'bad_request', message: (want as Error).message });
    };
    await same(() => team.page({ filter: { search: '?! …' }, sort, limit: 5 }), () => desk.page({ filter: { search: '?! …' }, sort, limit: 5 }));
    await same(() => team.search({ filter: { search: '"*"' }, limit: 5 }), () => desk.search({ filter: { search: '"*"' }, limit: 5 }));
    await same(
      () => team.page({ filter: {}, sort, limit: 5, cursor: 'not-a-cursor' }),
      () => desk.page({ filter: {}, sort, limit: 5, cursor: 'not-a-cursor' }),
    );
    const byDuration = desk.page({ filter: {}, sort: { by: 'duration', dir: 'asc' }, limit: 5 }).nextCursor!;
    await same(() => team.page({ filter: {}, sort, limit: 5, cursor: byDuration }), () => desk.page({ filter: {}, sort, limit: 5, cursor: byDuration }));
    await same(
      () => computeTeamAnalytics(pool, AnalyticsInput.parse({ filter: { from: 0, to: 400 * DAY_MS }, groupBy: 'hour' })),
      () => computeAnalytics(db, AnalyticsInput.parse({ filter: { from: 0, to: 400 * DAY_MS }, groupBy: 'hour' })),
    );
    // A search cursor from the desk is not a team position (the desk's counts lines by storage order).
    const deskSearch = desk.search({ filter: { search: 'refund' }, limit: 5 }).nextCursor!;
    await expect(team.search({ filter: { search: 'refund' }, limit: 5, cursor: deskSearch })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('SQL in a search is only words: quotes, operators and tsquery syntax find what they say, never fail', async () => {
    for (const search of ["refund' OR 1=1 --", 'refund & !router', 'refund:* | (x', "o'brien's", 'e-mail']) {
      const want = desk.countCalls({ search });
      expect(await team.countCalls({ search }), search).toBe(want);
    }
  });
});

describe('two desks in one team database', () => {
  let both: pg.Pool;
  let deskB: Database;

  beforeAll(async () => {
    const url = await server.createDatabase('team_two');
    await teamDatabase(url);
    deskB = deskStore(join(dir, 'b.db'), { calls: 200, lines: 2000, days: 10, seed: 7 });
    await Promise.all([syncDesk(db, url, DESK_A), syncDesk(deskB, url, DESK_B)]);
    both = openTeamPool({ url, tls: 'disable' });
  });
  afterAll(async () => {
    await both?.end();
    deskB?.close();
  });

  it('shows both desks’ calls, each with its desk, newest first across them', async () => {
    const teamBoth = createTeamHistory(both);
    const rows = await allPages(teamBoth, {}, { by: 'startedAt', dir: 'desc' }, 200);
    expect(rows).toHaveLength(1200);
    const byDesk = new Map<string, string[]>();
    for (const row of rows) byDesk.set(row.desk!, [...(byDesk.get(row.desk!) ?? []), row.id]);
    expect(byDesk.get(DESK_A.name)).toEqual((await allPages(desk, {}, { by: 'startedAt', dir: 'desc' }, 200)).map((r) => r.id));
    expect(byDesk.get(DESK_B.name)).toEqual((await allPages(createHistory(deskB), {}, { by: 'startedAt', dir: 'desc' }, 200)).map((r) => r.id));
    const starts = rows.map((r) => r.startedAt);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));

    const hits = await allHits(teamBoth, { search: 'refund' }, 200);
    expect(new Set(hits.map((h) => h.call.desk))).toEqual(new Set([DESK_A.name, DESK_B.name]));
    expect(hits).toHaveLength((await allHits(desk, { search: 'refund' }, 200)).length + (await allHits(createHistory(deskB), { search: 'refund' }, 200)).length);

    const input = AnalyticsInput.parse({});
    const figures = await computeTeamAnalytics(both, input);
    expect(figures.totals.calls).toBe(1200);
    expect(figures.totals.inbound).toBe(computeAnalytics(db, input).totals.inbound + computeAnalytics(deskB, input).totals.inbound);
  });
});
