import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallFilter, CallHistoryRow, HistoryPageInput, SearchPageInput, type HistorySort } from '@shared/history';
import { callFilterSql } from '../../../src/main/core/history/filter-sql';
import { createHistory, segmentsOf, type History } from '../../../src/main/core/history/history';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase, openDatabaseReadOnly } from '../../../src/main/core/store/db';
import { StoreError } from '../../../src/main/core/store/errors';
import { event, finalLine, makeTempDir, newCall } from '../store/helpers';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);

interface Seed {
  id: string;
  startedAt: number;
  durationS: number | null;
  direction?: 'inbound' | 'outbound';
  from?: string;
  endReason?: string | null;
  callerScores?: number[];
  takeoverAtMs?: number;
  alerts?: number;
  lines?: string[];
}

describe('history (the read side)', () => {
  let cleanup: () => void;
  let file: string;
  let db: Database;
  let store: CallStore;
  let history: History;

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir('switchboard-history-'));
    file = join(dir, 'calls.db');
    db = openDatabase(file);
    store = createCallStore(db);
    history = createHistory(db);
  });
  afterEach(() => {
    if (db.open) db.close();
    cleanup();
  });

  function seed(s: Seed): void {
    const ended = s.durationS !== null;
    store.insertCall(
      newCall({
        id: s.id,
        callSid: `CA${s.id}`,
        direction: s.direction ?? 'inbound',
        from: s.from ?? '+15550100001',
        startedAt: s.startedAt,
        status: ended ? 'ended' : 'active',
        endedAt: ended ? s.startedAt + s.durationS! * 1000 : null,
        endReason: ended ? (s.endReason ?? 'caller_hangup') : null,
      }),
    );
    let t = 0;
    for (const [i, score] of (s.callerScores ?? []).entries()) {
      store.appendUtterance(
        finalLine({
          id: `${s.id}-c${i}`,
          callId: s.id,
          text: s.lines?.[i] ?? `caller line ${i}`,
          startMs: t,
          endMs: t + 1000,
          sentiment: { score, label: score <= -0.1 ? 'negative' : score >= 0.1 ? 'positive' : 'neutral' },
        }),
      );
      store.appendUtterance(finalLine({ id: `${s.id}-a${i}`, callId: s.id, speaker: 'ai', text: 'okay', startMs: t + 1200, endMs: t + 2000 }));
      t += 3000;
    }
    if (s.takeoverAtMs !== undefined) {
      store.appendEvent(event({ id: `${s.id}-t`, callId: s.id, type: 'takeover', atMs: s.takeoverAtMs }));
    }
    for (let i = 0; i < (s.alerts ?? 0); i++) {
      // Alerts are 'alert' events (migration 006); a fallback alone no longer counts as one.
      store.appendEvent(event({ id: `${s.id}-f${i}`, callId: s.id, type: 'fallback', atMs: 10, data: { role: 'llm' } }));
      store.appendEvent(
        event({ id: `${s.id}-a${i}`, callId: s.id, type: 'alert', atMs: 10, data: { ruleId: 'fallback', kind: 'fallback', severity: 'warning', title: 'An engine failed' } }),
      );
    }
  }

  const page = (input: unknown) => history.page(HistoryPageInput.parse(input));
  const allPages = (filter: unknown, sort: HistorySort, limit: number): CallHistoryRow[] => {
    const rows: CallHistoryRow[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const result = page({ filter, sort, cursor, limit });
      rows.push(...result.calls);
      if (result.nextCursor === null) return rows;
      cursor = result.nextCursor;
    }
    throw new Error('pagination did not end');
  };

  describe('pages', () => {
    beforeEach(() => {
      // Equal start times and equal durations on purpose: the id must break ties.
      seed({ id: 'a', startedAt: T0, durationS: 60, callerScores: [-0.5, -0.3] });
      seed({ id: 'b', startedAt: T0, durationS: 30, callerScores: [0.4] });
      seed({ id: 'c', startedAt: T0 + 1000, durationS: 30 });
      seed({ id: 'd', startedAt: T0 + 2000, durationS: null, callerScores: [0.2] });
      seed({ id: 'e', startedAt: T0 + 3000, durationS: 120, callerScores: [0.1, -0.6], takeoverAtMs: 4000, alerts: 2 });
      seed({ id: 'f', startedAt: T0 - DAY, durationS: 5 });
    });

    it('walks every sort in both directions with keyset pages: complete, no repeats, nulls last', () => {
      const expected: Record<string, string[]> = {
        'startedAt.desc': ['e', 'd', 'c', 'b', 'a', 'f'],
        'startedAt.asc': ['f', 'a', 'b', 'c', 'd', 'e'],
        // d is live (no duration) and comes last either way.
        'duration.desc': ['e', 'a', 'c', 'b', 'f', 'd'],
        'duration.asc': ['f', 'b', 'c', 'a', 'e', 'd'],
        // mean caller sentiment: a -0.4, e -0.25, d 0.2, b 0.4; c and f never scored, last.
        'sentiment.asc': ['a', 'e', 'd', 'b', 'c', 'f'],
        'sentiment.desc': ['b', 'd', 'e', 'a', 'f', 'c'],
      };
      for (const [key, ids] of Object.entries(expected)) {
        const [by, dir] = key.split('.') as [HistorySort['by'], HistorySort['dir']];
        for (const limit of [1, 2, 4, 50]) {
          expect(allPages({}, { by, dir }, limit).map((c) => c.id), `${key} limit ${limit}`).toEqual(ids);
        }
      }
    });

    it('derives duration, take-over, alerts and start/end sentiment from the stored record', () => {
      const [e] = page({ filter: { takenOver: true } }).calls;
      expect(CallHistoryRow.parse(e)).toMatchObject({
        id: 'e',
        durationMs: 120_000,
        takenOver: true,
        takeoverAtMs: 4000,
        alertCount: 2,
        callerSentimentStart: 0.1,
        callerSentimentEnd: -0.6,
        callerSentiment: -0.25,
        utteranceCount: 4,
      });
    });

    it('applies each filter, and all of them together', () => {
      const ids = (filter: unknown) => allPages(filter, { by: 'startedAt', dir: 'asc' }, 50).map((c) => c.id);
      expect(ids({ from: T0, to: T0 + 2000 })).toEqual(['a', 'b', 'c']);
      expect(ids({ takenOver: false })).toEqual(['f', 'a', 'b', 'c', 'd']);
      expect(ids({ minDurationS: 30, maxDurationS: 60 })).toEqual(['a', 'b', 'c']);
      expect(ids({ endedNegative: true })).toEqual(['a', 'e']);
      expect(ids({ endedNegative: false })).toEqual(['f', 'b', 'c', 'd']);
      expect(ids({ sentimentBelow: 0 })).toEqual(['a', 'e']);
      expect(ids({ hasAlerts: true })).toEqual(['e']);
      expect(ids({ endReasons: ['caller_hangup'] })).toEqual(['f', 'a', 'b', 'c', 'e']);
      expect(ids({ from: T0, endedNegative: true, hasAlerts: true, minDurationS: 100 })).toEqual(['e']);
    });

    it('refuses a cursor from another sort or a forged one, with a plain message', () => {
      const first = page({ sort: { by: 'duration', dir: 'desc' }, limit: 2 });
      expect(() => page({ sort: { by: 'startedAt', dir: 'desc' }, cursor: first.nextCursor, limit: 2 })).toThrow(/another sort order/);
      expect(() => page({ cursor: 'not-a-cursor', limit: 2 })).toThrow(/not valid/);
      expect(() => page({ cursor: Buffer.from('["startedAt.desc","x","y",0]').toString('base64url') })).toThrow(/not valid/);
    });
  });

  describe('numbers and directions', () => {
    it('matches digits anywhere in either number, ignoring spaces and dashes typed by a person', () => {
      seed({ id: 'x', startedAt: T0, durationS: 10, from: '+442079460123' });
      seed({ id: 'y', startedAt: T0 + 1, durationS: 10, direction: 'outbound', from: '+15550100001' });
      const ids = (filter: unknown) => page({ filter }).calls.map((c) => c.id);
      expect(ids({ numberContains: '7946 0123' })).toEqual(['x']);
      expect(ids({ numberContains: '555-0100 001' })).toEqual(['y']);
      expect(ids({ numberContains: '0100999' })).toEqual(['y', 'x']);
      expect(ids({ direction: 'outbound' })).toEqual(['y']);
      // % and _ are not wildcards: they are refused by the schema as non-digits.
      expect(CallFilter.safeParse({ numberContains: '5%' }).success).toBe(false);
    });
  });

  describe('search', () => {
    beforeEach(() => {
      seed({ id: 'old', startedAt: T0 - 3 * DAY, durationS: 60, callerScores: [-0.5], lines: ['I was charged twice for May'] });
      seed({ id: 'new', startedAt: T0, durationS: 60, callerScores: [-0.2, 0.3], lines: ['my internet is down', 'the charge on my bill is wrong'] });
      seed({ id: 'quote', startedAt: T0 + 1, durationS: 60, callerScores: [0], lines: ['he said "refund" OR NEAR(credit) -x *'] });
    });

    const search = (input: unknown) => history.search(SearchPageInput.parse(input));

    it('is stemmed and marks the matched words, newest line first', () => {
      const result = search({ filter: { search: 'charge' } });
      expect(result.hits.map((h) => h.call.id)).toEqual(['new', 'old']);
      expect(result.hits[1]!.line.segments).toEqual([
        { text: 'I was ', hit: false },
        { text: 'charged', hit: true },
        { text: ' twice for May', hit: false },
      ]);
      expect(result.hits[0]!.line).toMatchObject({ id: 'new-c1', speaker: 'caller', startMs: 3000 });
    });

    it('combines with the other filters and pages by keyset', () => {
      expect(search({ filter: { search: 'charge', from: T0 - DAY } }).hits.map((h) => h.call.id)).toEqual(['new']);
      const first = search({ filter: { search: 'charge' }, limit: 1 });
      expect(first.hits.map((h) => h.call.id)).toEqual(['new']);
      const second = search({ filter: { search: 'charge' }, limit: 1, cursor: first.nextCursor });
      expect(second.hits.map((h) => h.call.id)).toEqual(['old']);
      expect(second.nextCursor).toBeNull();
      // The History list with a search shows the calls that have a matching line.
      expect(page({ filter: { search: 'charges' } }).calls.map((c) => c.id)).toEqual(['new', 'old']);
    });

    it('searches quotes and FTS operators literally, never as syntax', () => {
      for (const text of ['"refund"', 'OR NEAR(credit)', '-x', 'refund OR', 'NEAR(', 'credit*', 'a"b']) {
        expect(() => search({ filter: { search: text } }), text).not.toThrow();
      }
      expect(search({ filter: { search: '"refund" OR' } }).hits.map((h) => h.call.id)).toEqual(['quote']);
      expect(search({ filter: { search: 'refund bogusword' } }).hits).toEqual([]);
    });

    it('refuses control characters, over-long input and punctuation-only searches with a clear message', () => {
      expect(SearchPageInput.safeParse({ filter: { search: 'refund\u0000' } }).error?.message).toMatch(/control characters/);
      expect(SearchPageInput.safeParse({ filter: { search: 'x'.repeat(201) } }).error?.message).toMatch(/at most 200/);
      expect(SearchPageInput.safeParse({ filter: { search: '   ' } }).error?.message).toMatch(/type something/);
      expect(() => search({ filter: { search: '*** ""' } })).toThrow(/at least one letter or digit/);
      expect(() => page({ filter: { search: '!!!' } })).toThrow(/at least one letter or digit/);
    });

    it('narrows calls the same way whether it collects matching calls or probes each call', () => {
      const ids = (strategy: 'set' | 'probe', filter: CallFilter) => {
        const { sql, params } = callFilterSql(filter, { includeSearch: true, searchStrategy: strategy });
        return db.prepare(`SELECT c.id FROM calls c WHERE ${sql} ORDER BY c.started_at DESC, c.id DESC`).pluck().all(params);
      };
      for (const filter of [{ search: 'charge' }, { search: 'refund' }, { search: 'charged twice', from: T0 - 4 * DAY }, { search: 'nothing here' }]) {
        expect(ids('probe', filter), filter.search).toEqual(ids('set', filter));
      }
    });

    it('pages a common word (thousands of matching lines) as completely as a rare one', () => {
      const many = db.transaction(() => {
        for (let i = 0; i < 700; i++) seed({ id: `m${String(i).padStart(3, '0')}`, startedAt: T0 + 10 + i, durationS: 30, callerScores: Array(8).fill(0), lines: Array(8).fill('refund please') });
      });
      many();
      const walked = allPages({ search: 'refunds' }, { by: 'startedAt', dir: 'desc' }, 50).map((c) => c.id);
      expect(walked).toHaveLength(701);
      expect(walked.slice(0, 2)).toEqual(['m699', 'm698']);
      expect(walked.at(-1)).toBe('quote');
    });

    it('finds a line whose text was rewritten in place (barge-in trim, redaction)', () => {
      store.appendUtterance(finalLine({ id: 'old-c0', callId: 'old', text: 'I want a refund please', sentiment: { score: -0.5, label: 'negative' } }));
      expect(search({ filter: { search: 'charged' } }).hits.map((h) => h.call.id)).toEqual(['new']);
      expect(search({ filter: { search: 'refunds' } }).hits.map((h) => h.call.id)).toEqual(['quote', 'old']);
    });
  });

  describe('iterators and counts (what exports stream)', () => {
    it('stream every matching call and line in order, calls without lines included', () => {
      seed({ id: 'a', startedAt: T0, durationS: 60, callerScores: [-0.5, 0.2] });
      seed({ id: 'b', startedAt: T0 + 1, durationS: 10 });
      seed({ id: 'c', startedAt: T0 + 2, durationS: 20, callerScores: [0.5], direction: 'outbound' });
      expect(history.countCalls({})).toBe(3);
      expect(history.countLines({})).toBe(6);
      expect([...history.iterateCalls({})].map((c) => c.id)).toEqual(['c', 'b', 'a']);
      expect([...history.iterateLines({})].map((l) => l.lineId)).toEqual(['c-c0', 'c-a0', 'a-c0', 'a-a0', 'a-c1', 'a-a1']);
      expect([...history.iterateCallsWithLines({})].map((g) => [g.call.id, g.lines.length])).toEqual([
        ['c', 2],
        ['b', 0],
        ['a', 4],
      ]);
      expect(history.countLines({ direction: 'outbound' })).toBe(2);
      expect([...history.iterateLines({ direction: 'outbound' })][0]).toMatchObject({
        callId: 'c',
        seq: 1,
        speaker: 'caller',
        sentimentScore: 0.5,
        sentimentLabel: 'positive',
        interrupted: false,
      });
    });

    it('read from a read-only connection while the app keeps writing (WAL)', () => {
      seed({ id: 'a', startedAt: T0, durationS: 60, callerScores: [0.1] });
      const reader = openDatabaseReadOnly(file);
      try {
        const readOnly = createHistory(reader);
        const calls = readOnly.iterateCalls({});
        expect(calls.next().value?.id).toBe('a');
        seed({ id: 'b', startedAt: T0 + 1, durationS: 60 });
        calls.return?.(undefined);
        expect(readOnly.countCalls({})).toBe(2);
        expect(() => reader.prepare('DELETE FROM calls').run()).toThrow(/readonly/);
      } finally {
        reader.close();
      }
    });
  });

  it('lists the end reasons seen, for the filter menu', () => {
    seed({ id: 'a', startedAt: T0, durationS: 60, endReason: 'silence_timeout' });
    seed({ id: 'b', startedAt: T0, durationS: 60, endReason: 'agent_ended' });
    seed({ id: 'c', startedAt: T0, durationS: null });
    expect(history.facets()).toEqual({ endReasons: ['agent_ended', 'silence_timeout'] });
  });

  it('refuses to open a missing file read-only, with the path in plain words', () => {
    expect(() => openDatabaseReadOnly(join(file, '..', 'nope.db'))).toThrow(StoreError);
    expect(() => openDatabaseReadOnly(join(file, '..', 'nope.db'))).toThrow(/no call database/);
  });
});

describe('segmentsOf', () => {
  it('splits highlight markers into plain segments', () => {
    expect(segmentsOf('\u0001a\u0002 b \u0001c\u0002')).toEqual([
      { text: 'a', hit: true },
      { text: ' b ', hit: false },
      { text: 'c', hit: true },
    ]);
    expect(segmentsOf('')).toEqual([]);
  });
});
