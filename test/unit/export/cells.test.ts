import { describe, expect, it } from 'vitest';
import { createIsoFormatter, isoLocal, msToSeconds, safeText } from '../../../src/main/core/export/cells';
import { CALL_COLUMNS, CALL_LINE_COLUMNS, csvCells, LINE_COLUMNS, xlsxCells, type Column } from '../../../src/main/core/export/columns';
import { HOSTILE_TEXTS } from './helpers';

describe('safeText (formula injection)', () => {
  it.each(HOSTILE_TEXTS)('prefixes %j with an apostrophe', (text) => {
    expect(safeText(text)).toBe(`'${text}`);
  });

  it('prefixes the full-width forms spreadsheets normalise to = + - @', () => {
    for (const ch of ['\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']) expect(safeText(`${ch}1+1`)).toBe(`'${ch}1+1`);
  });

  it('leaves ordinary text alone, including triggers that are not first', () => {
    for (const text of ['', 'hello', ' =1+1', "'already quoted", 'a=b', '1-2', 'email me@example.com', '(555) 0100']) {
      expect(safeText(text)).toBe(text);
    }
  });
});

describe('cell formatting per format', () => {
  type R = { s: string | null; n: number | null; b: boolean; t: number | null; d: number | null };
  const columns: Column<R>[] = [
    { name: 's', kind: 'text', width: 10, get: (r) => r.s },
    { name: 'n', kind: 'number', width: 10, get: (r) => r.n },
    { name: 'b', kind: 'boolean', width: 10, get: (r) => r.b },
    { name: 't', kind: 'time', width: 10, get: (r) => r.t },
    { name: 'd', kind: 'seconds', width: 10, get: (r) => r.d },
  ];
  const record: R = { s: '=1+1', n: -0.61, b: false, t: 0, d: 3200.4 };

  it('keeps numbers numbers: a negative score is never prefixed', () => {
    expect(csvCells(columns)(record)).toEqual(["'=1+1", '-0.61', 'false', isoLocal(0), '3.2']);
    expect(xlsxCells(columns)(record)).toEqual(["'=1+1", -0.61, false, isoLocal(0), 3.2]);
  });

  it('writes no value as an empty cell', () => {
    const empty = { s: null, n: null, b: true, t: null, d: null };
    expect(csvCells(columns)(empty)).toEqual(['', '', 'true', '', '']);
    expect(xlsxCells(columns)(empty)).toEqual([null, null, true, null, null]);
  });

  it('Excel text says LF for every line break (what XML readers make of a CR anyway)', () => {
    expect(xlsxCells(columns)({ ...record, s: '\rone\r\ntwo\rthree' })[0]).toBe("'\none\ntwo\nthree");
  });

  it('caps Excel text at the 32,767 characters a cell can hold', () => {
    const [cell] = xlsxCells(columns)({ ...record, s: 'x'.repeat(40_000) });
    expect((cell as string).length).toBe(32_767);
  });
});

describe('times and durations', () => {
  it('writes ISO 8601 with the local offset, and the instant round-trips', () => {
    for (const ms of [0, 1_768_468_323_120, 1_782_000_000_007]) {
      const text = isoLocal(ms);
      expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
      expect(Date.parse(text)).toBe(ms);
      const offsetMin = -new Date(ms).getTimezoneOffset();
      const sign = offsetMin < 0 ? '-' : '+';
      expect(text.slice(-6)).toBe(`${sign}${String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`);
    }
  });

  it('follows the zone across DST changes, also in half- and quarter-hour zones', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      expect(isoLocal(Date.UTC(2026, 0, 15, 9, 12, 3, 120))).toBe('2026-01-15T10:12:03.120+01:00');
      expect(isoLocal(Date.UTC(2026, 6, 15, 9, 12, 3, 120))).toBe('2026-07-15T11:12:03.120+02:00');
      process.env.TZ = 'America/St_Johns'; // DST from 2026-03-08 02:00 local = 05:30 UTC
      expect(isoLocal(Date.UTC(2026, 2, 8, 5, 29, 59, 999))).toBe('2026-03-08T01:59:59.999-03:30');
      expect(isoLocal(Date.UTC(2026, 2, 8, 5, 30))).toBe('2026-03-08T03:00:00.000-02:30');
      process.env.TZ = 'Asia/Kathmandu';
      expect(isoLocal(Date.UTC(2026, 0, 15, 23, 59))).toBe('2026-01-16T05:44:00.000+05:45');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('turns ms into seconds to the millisecond', () => {
    expect(msToSeconds(3200)).toBe(3.2);
    expect(msToSeconds(95_250)).toBe(95.25);
    expect(msToSeconds(0.4)).toBe(0);
  });
});

describe('column lists', () => {
  it('have unique snake_case names (CSV headers, Excel headers and JSON keys alike)', () => {
    for (const list of [CALL_COLUMNS, LINE_COLUMNS, CALL_LINE_COLUMNS] as readonly (readonly { name: string }[])[]) {
      const names = list.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('carry nothing secret: only call data', () => {
    const names = [...CALL_COLUMNS, ...LINE_COLUMNS].map((c) => c.name).join(' ');
    expect(names).not.toMatch(/token|secret|key|password|auth/i);
  });
});

describe('createIsoFormatter', () => {
  it('agrees with Date for every millisecond pattern, minute and offset change (checked against toISOString)', () => {
    const iso = createIsoFormatter();
    const reference = (ms: number) => {
      const off = -new Date(ms).getTimezoneOffset();
      const abs = Math.abs(off);
      const text = new Date(ms + off * 60_000).toISOString().slice(0, 23);
      return `${text}${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    };
    let ms = Date.UTC(2026, 2, 29, 0, 58, 59, 990); // walks over minute, hour and (Europe) DST boundaries
    for (let i = 0; i < 20_000; i++) {
      ms += (i * 7919) % 9973;
      expect(iso(ms)).toBe(reference(ms));
      expect(iso(ms)).toBe(reference(ms)); // cached answer
    }
    expect(iso(1000.9)).toBe(reference(1000));
  });
});
