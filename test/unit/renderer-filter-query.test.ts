import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTER,
  checkFilter,
  filterChips,
  parseFilter,
  phoneNumberSearch,
  problemFromCore,
  toCallFilter,
  writeFilter,
  type FilterState,
} from '../../src/renderer/src/features/filters/filter-query';
import { csvCell, toCsv } from '../../src/renderer/src/lib/csv';

const full: FilterState = {
  range: 'custom',
  fromDate: '2025-03-01',
  toDate: '2025-03-31',
  direction: 'inbound',
  endReasons: ['caller_hangup', 'ai_ended'],
  takenOver: false,
  minDurationS: 30,
  maxDurationS: 600,
  endedNegative: true,
  sentimentBelow: -0.25,
  hasAlerts: true,
  dispositions: ['callback', 'wrong number'],
  profileIds: ['sales-calls'],
  numberContains: '555',
  search: 'refund "today"',
};

describe('the filter in the URL (History, Analytics and Export share it)', () => {
  it('round-trips every field through the query string', () => {
    const query = writeFilter(full).toString();
    expect(parseFilter(query)).toEqual(full);
    expect(parseFilter(writeFilter(EMPTY_FILTER).toString())).toEqual(EMPTY_FILTER);
  });

  it('keeps the view’s own keys and writes the same filter as the same URL', () => {
    const a = writeFilter(full, 'sort=duration&order=asc').toString();
    expect(a).toContain('sort=duration');
    expect(writeFilter(parseFilter(a), a).toString()).toBe(a);
  });

  it('keeps a preset a preset: "today" is resolved when the query runs', () => {
    const state = parseFilter('range=today');
    const nine = new Date(2025, 2, 12, 9, 30).getTime();
    const tomorrow = new Date(2025, 2, 13, 0, 5).getTime();
    expect(toCallFilter(state, nine).from).toBe(new Date(2025, 2, 12).getTime());
    expect(toCallFilter(state, tomorrow).from).toBe(new Date(2025, 2, 13).getTime());
    expect(toCallFilter(parseFilter('range=7d'), nine).from).toBe(new Date(2025, 2, 6).getTime());
  });

  it('turns a custom range of local days into [from, to) bounds', () => {
    const f = toCallFilter(parseFilter('range=custom&from=2025-03-01&to=2025-03-31'));
    expect(f.from).toBe(new Date(2025, 2, 1).getTime());
    expect(f.to).toBe(new Date(2025, 3, 1).getTime());
  });

  it('drops values that make no sense instead of failing', () => {
    expect(parseFilter('direction=sideways&minDur=abc&from=2025-02-31&takenOver=maybe')).toEqual(EMPTY_FILTER);
  });

  it('says what is wrong in plain words, by input', () => {
    expect(checkFilter({ ...EMPTY_FILTER, minDurationS: 300, maxDurationS: 60 }).duration).toMatch(/shortest duration \(5 min\) is longer/);
    expect(checkFilter({ ...EMPTY_FILTER, search: 'x'.repeat(300) }).search).toBe('Search text is too long: 300 characters, at most 200.');
    expect(checkFilter({ ...EMPTY_FILTER, search: 'a\u0000b' }).search).toMatch(/control characters/);
    expect(checkFilter({ ...EMPTY_FILTER, range: 'custom', fromDate: '2025-03-05', toDate: '2025-03-01' }).range).toMatch(/end on or after/);
    expect(checkFilter({ ...EMPTY_FILTER, numberContains: 'abc' }).number).toBeTruthy();
    expect(checkFilter(full)).toEqual({});
  });

  it('maps a refusal from the core to its input', () => {
    expect(problemFromCore('history.page: ✖ search: at most 200 characters\n  → at filter.search')).toEqual({ search: 'At most 200 characters.' });
  });

  it('lists each active filter as a chip that removes only itself', () => {
    const chips = filterChips(full);
    expect(chips.map((c) => c.label)).toEqual([
      expect.stringContaining('–'),
      'Inbound',
      'Ended: Caller hung up',
      'Ended: AI ended',
      'AI only (not taken over)',
      'Duration 30 s – 10 min',
      'Ended negative',
      'Sentiment below −0.25',
      'Has alerts',
      'Wrap-up: Callback',
      'Wrap-up: Wrong number',
      // FilterChips names the profile from the profiles store.
      'AI profile',
      'Number contains 555',
      'Says “refund "today"”',
    ]);
    const withoutAi = chips.find((c) => c.key === 'end:ai_ended')!.without(full);
    expect(withoutAi).toEqual({ ...full, endReasons: ['caller_hangup'] });
    const profileChip = chips.find((c) => c.key === 'profile:sales-calls')!;
    expect(profileChip.profileId).toBe('sales-calls');
    expect(profileChip.without(full)).toEqual({ ...full, profileIds: [] });
    expect(toCallFilter(full).profileIds).toEqual(['sales-calls']);
  });
});

describe('chart CSV made in the browser', () => {
  it('quotes per RFC 4180 and guards against formula injection in text only', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+15550101234')).toBe("'+15550101234");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
    expect(csvCell(-0.42)).toBe('-0.42');
    expect(csvCell(null)).toBe('');
  });

  it('starts with a BOM and ends rows with CRLF', () => {
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('\uFEFFa,b\r\n1,x\r\n');
  });
});

describe('a search that is only a phone number', () => {
  it('gives the digits to look for in the numbers', () => {
    expect(phoneNumberSearch('+1 555 010 4321')).toBe('+15550104321');
    expect(phoneNumberSearch(' (555) 010-4321 ')).toBe('5550104321');
    expect(phoneNumberSearch('4321')).toBe('4321');
    expect(checkFilter({ ...EMPTY_FILTER, numberContains: phoneNumberSearch('+1 555.010.4321')! }).number).toBeUndefined();
  });
  it('leaves words, short digit runs and mixed text to the transcript search', () => {
    for (const text of ['refund', 'order 4321', '123', '+', '', '12-3']) expect(phoneNumberSearch(text)).toBeNull();
  });
});
