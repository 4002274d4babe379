import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isoLocal } from '../../../src/main/core/export/cells';
import { exportFromDatabase, writeExport } from '../../../src/main/core/export/export-file';
import { ExportCancelled, ExportError } from '../../../src/main/core/export/sink';
import type { ExportSource } from '../../../src/main/core/export/source';
import { createHistory } from '../../../src/main/core/history/history';
import { addBulk, buildFixture, csvRecords, HOSTILE_TEXTS, parseJsonl, T0, type Fixture } from './helpers';

describe('export files', () => {
  let fx: Fixture;
  let out: string;

  beforeEach(() => {
    fx = buildFixture();
    out = join(fx.dir, 'out');
    mkdirSync(out);
  });
  afterEach(() => fx.cleanup());

  /** Nothing but `names` in the output folder: no partial files left behind. */
  const expectOnly = (...names: string[]) => expect(readdirSync(out).sort()).toEqual(names.sort());

  describe('CSV', () => {
    it('writes calls newest first, UTF-8 with a BOM, CRLF, ISO times with offset, durations in seconds', async () => {
      const path = join(out, 'calls.csv');
      const result = await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'csv', content: 'calls' }, path });
      expect(result).toMatchObject({ rowsWritten: 3, rowsTotal: 3, path });
      const bytes = readFileSync(path);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(result.bytes).toBe(bytes.length);
      const text = bytes.toString('utf8');
      expect(text.split('\r\n')[0]).toBe(
        '\uFEFFcall_id,call_sid,direction,from,to,started_at,ended_at,duration_s,status,end_reason,controller,taken_over,taken_over_at_s,line_count,alert_count,caller_sentiment_avg,caller_sentiment_start,caller_sentiment_end,scenario,disposition,resolution,wrap_up_summary,wrap_up_notes,facts,whispers',
      );
      const rows = csvRecords(text);
      expect(rows.map((r) => r.call_id)).toEqual(['c3', 'c2', 'c1']);
      const [c3, c2, c1] = rows;
      expect(c1).toMatchObject({
        direction: 'inbound',
        from: "'+15550100001", // a leading + is a formula trigger too: kept as text
        started_at: isoLocal(T0),
        ended_at: isoLocal(T0 + 95_250),
        duration_s: '95.25',
        taken_over: 'false',
        taken_over_at_s: '',
        line_count: '8',
        caller_sentiment_start: '-0.61', // a number: no apostrophe
        caller_sentiment_end: '-0.4',
      });
      expect(Number(c1!.caller_sentiment_avg)).toBeCloseTo((-0.61 + 0.25 - 0.4) / 3, 10);
      expect(c2).toMatchObject({ direction: 'outbound', taken_over: 'true', taken_over_at_s: '12.5', alert_count: '1', end_reason: 'agent_ended' });
      expect(c3).toMatchObject({ status: 'active', ended_at: '', duration_s: '', line_count: '0', caller_sentiment_avg: '' });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expectOnly('calls.csv');
    });

    it('neutralises formula injection in text cells (and keeps quotes, commas, newlines, non-ASCII)', async () => {
      const path = join(out, 'lines.csv');
      await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'csv', content: 'lines' }, path });
      const rows = csvRecords(readFileSync(path, 'utf8'));
      const c1 = rows.filter((r) => r.call_id === 'c1');
      expect(c1.map((r) => r.seq)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      const texts = c1.map((r) => r.text);
      for (const hostile of HOSTILE_TEXTS) expect(texts).toContain(`'${hostile}`);
      expect(texts).toContain('I was charged twice, "twice"!\nOn two lines — Über-sorry 💳');
      const negative = c1.find((r) => r.seq === '2')!;
      expect(negative).toMatchObject({ sentiment_score: '-0.61', sentiment_label: 'negative', speaker: 'caller', start_s: '8', end_s: '11.2' });
      expect(negative.at).toBe(isoLocal(T0 + 8000));
      expect(c1.find((r) => r.seq === '7')!.interrupted).toBe('true');
      // Every raw field that starts with a trigger is an apostrophe-prefixed one.
      for (const r of rows) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+@\t\r]|^-[^0-9]/);
    });

    it("'both' writes one row per line with every call column, and a call without lines once", async () => {
      const path = join(out, 'both.csv');
      const result = await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'csv', content: 'both' }, path });
      const rows = csvRecords(readFileSync(path, 'utf8'));
      expect(rows).toHaveLength(1 + 2 + 8);
      expect(result).toMatchObject({ rowsTotal: 3 + 10, rowsWritten: 13 });
      expect(rows[0]).toMatchObject({ call_id: 'c3', line_id: '', text: '', line_count: '0' });
      expect(rows[1]).toMatchObject({ call_id: 'c2', taken_over: 'true', seq: '1', speaker: 'ai' });
      expect(rows[3]).toMatchObject({ call_id: 'c1', duration_s: '95.25', seq: '1' });
    });

    it('filters with the history filter (the same rows History shows)', async () => {
      const path = join(out, 'out.csv');
      const result = await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: { takenOver: true }, format: 'csv', content: 'lines' }, path });
      expect(result.rowsWritten).toBe(2);
      expect(csvRecords(readFileSync(path, 'utf8')).map((r) => r.call_id)).toEqual(['c2', 'c2']);
    });

    it('an empty result is a header-only file', async () => {
      const path = join(out, 'none.csv');
      const result = await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: { direction: 'outbound', takenOver: false }, format: 'csv', content: 'calls' }, path });
      expect(result).toMatchObject({ rowsWritten: 0, rowsTotal: 0 });
      expect(readFileSync(path, 'utf8').split('\r\n')).toHaveLength(2); // header + final CRLF
    });
  });

  describe('JSON Lines', () => {
    it('writes one object per line with the same keys, typed values, text exactly as stored', async () => {
      const path = join(out, 'lines.jsonl');
      await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'jsonl', content: 'lines' }, path });
      const rows = parseJsonl(readFileSync(path, 'utf8'));
      expect(rows).toHaveLength(10);
      const negative = rows.find((r) => r.line_id === 'c1-u2')!;
      expect(negative).toEqual({
        call_id: 'c1',
        call_sid: `CA${'c1'.padStart(32, '0')}`,
        call_started_at: isoLocal(T0),
        direction: 'inbound',
        from: '+15550100001',
        to: '+15550100999',
        line_id: 'c1-u2',
        seq: 2,
        speaker: 'caller',
        at: isoLocal(T0 + 8000),
        start_s: 8,
        end_s: 11.2,
        text: HOSTILE_TEXTS[0],
        intent: null,
        sentiment_score: -0.61,
        sentiment_label: 'negative',
        interrupted: false,
      });
    });

    it("'both' nests each call's lines", async () => {
      const path = join(out, 'both.jsonl');
      await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'jsonl', content: 'both' }, path });
      const calls = parseJsonl(readFileSync(path, 'utf8'));
      expect(calls.map((c) => c.call_id)).toEqual(['c3', 'c2', 'c1']);
      expect(calls.map((c) => (c.lines as unknown[]).length)).toEqual([0, 2, 8]);
      expect((calls[2]!.lines as Record<string, unknown>[])[0]).toMatchObject({ line_id: 'c1-u1', seq: 1, speaker: 'ai' });
      expect(calls[1]).toMatchObject({ taken_over: true, taken_over_at_s: 12.5, duration_s: 61 });
    });
  });

  describe('Excel', () => {
    async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(path);
      return workbook;
    }
    const values = (row: ExcelJS.Row) => (row.values as ExcelJS.CellValue[]).slice(1);

    it("'both' writes two sheets, Calls and Lines, typed cells, formula triggers as text", async () => {
      const path = join(out, 'both.xlsx');
      const result = await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'xlsx', content: 'both' }, path });
      expect(result).toMatchObject({ rowsWritten: 13, rowsTotal: 13 });
      const workbook = await readWorkbook(path);
      expect(workbook.worksheets.map((s) => s.name)).toEqual(['Calls', 'Lines']);
      const calls = workbook.getWorksheet('Calls')!;
      const lines = workbook.getWorksheet('Lines')!;
      expect(calls.rowCount).toBe(4);
      expect(lines.rowCount).toBe(11);
      expect(values(calls.getRow(1))[0]).toBe('call_id');
      const header = values(lines.getRow(1)) as string[];
      const col = (name: string) => header.indexOf(name) + 1;
      const lineRows = Array.from({ length: 10 }, (_, i) => lines.getRow(i + 2));
      const texts = lineRows.map((r) => r.getCell(col('text')).value);
      // (XML turns a raw CR into LF for every reader, so the writer stores LF.)
      for (const hostile of HOSTILE_TEXTS) expect(texts).toContain(`'${hostile.replace(/\r/g, '\n')}`);
      const negative = lineRows.find((r) => r.getCell(col('line_id')).value === 'c1-u2')!;
      expect(negative.getCell(col('sentiment_score')).value).toBe(-0.61);
      expect(negative.getCell(col('sentiment_score')).type).toBe(ExcelJS.ValueType.Number);
      expect(negative.getCell(col('start_s')).value).toBe(8);
      expect(negative.getCell(col('interrupted')).value).toBe(false);
      expect(negative.getCell(col('at')).value).toBe(isoLocal(T0 + 8000));
      for (const row of lineRows) expect(row.getCell(col('text')).type).not.toBe(ExcelJS.ValueType.Formula);
      const c2 = calls.getRow(3);
      expect(c2.getCell(1).value).toBe('c2');
      expect(c2.getCell(12).value).toBe(true); // taken_over
      expect(c2.getCell(8).value).toBe(61); // duration_s
      expectOnly('both.xlsx');
    });

    it('a lines export over many rows reads back complete', async () => {
      addBulk(fx.store, fx.db, 300, 20);
      const path = join(out, 'lines.xlsx');
      const result = await exportFromDatabase({ dbPath: fx.dbPath, request: { filter: {}, format: 'xlsx', content: 'lines' }, path, batchSize: 250 });
      expect(result.rowsWritten).toBe(6010);
      const sheet = (await readWorkbook(path)).getWorksheet('Lines')!;
      expect(sheet.rowCount).toBe(6011);
    });
  });

  describe('failures and cancel leave no partial file', () => {
    const history = () => createHistory(fx.db);

    /** History, but the line iterator fails after `n` lines (a database error mid-export). */
    function failingAfter(n: number, act: () => void = () => { throw new Error('disk I/O error'); }): ExportSource {
      const real = history();
      return {
        ...real,
        *iterateLines(filter) {
          let i = 0;
          for (const line of real.iterateLines(filter)) {
            if (i++ === n) act();
            yield line;
          }
        },
      };
    }

    it('a read failure mid-write: clear error, no partial file, an existing file is left untouched', async () => {
      addBulk(fx.store, fx.db, 50, 20);
      const path = join(out, 'lines.csv');
      writeFileSync(path, 'the previous export');
      const attempt = writeExport({ source: failingAfter(500), request: { filter: {}, format: 'csv', content: 'lines' }, path, batchSize: 100 });
      await expect(attempt).rejects.toThrow(ExportError);
      await expect(attempt).rejects.toThrow('export failed: disk I/O error');
      expect(readFileSync(path, 'utf8')).toBe('the previous export');
      expectOnly('lines.csv');
    });

    it.each(['csv', 'jsonl', 'xlsx'] as const)('%s: the output folder removed mid-write: says so, leaves nothing', async (format) => {
      addBulk(fx.store, fx.db, 50, 20);
      const path = join(out, `lines.${format}`);
      const source = failingAfter(300, () => rmSync(out, { recursive: true, force: true }));
      const attempt = writeExport({ source, request: { filter: {}, format, content: 'lines' }, path, batchSize: 100 });
      await expect(attempt).rejects.toThrow(`the folder ${out} does not exist (or was removed)`);
      expect(existsSync(out)).toBe(false);
    });

    it('a destination folder that does not exist, or is a file: clear error before any row', async () => {
      const request = { filter: {}, format: 'csv', content: 'calls' } as const;
      await expect(writeExport({ source: history(), request, path: join(out, 'missing', 'x.csv') })).rejects.toThrow(
        `cannot write ${join(out, 'missing', 'x.csv')}: the folder ${join(out, 'missing')} does not exist`,
      );
      writeFileSync(join(out, 'file'), '');
      await expect(writeExport({ source: history(), request, path: join(out, 'file', 'x.csv') })).rejects.toThrow('is not a folder');
      await expect(writeExport({ source: history(), request, path: out })).rejects.toThrow(ExportError);
      expectOnly('file');
    });

    it.each(['csv', 'jsonl', 'xlsx'] as const)('%s: cancel mid-way stops after the batch and removes the partial file', async (format) => {
      addBulk(fx.store, fx.db, 100, 20);
      const path = join(out, `lines.${format}`);
      const controller = new AbortController();
      const progress: number[] = [];
      const attempt = writeExport({
        source: history(),
        request: { filter: {}, format, content: 'lines' },
        path,
        batchSize: 100,
        signal: controller.signal,
        onProgress: (n) => {
          progress.push(n);
          if (n >= 500) controller.abort();
        },
      });
      await expect(attempt).rejects.toThrow(ExportCancelled);
      expect(progress.at(-1)).toBe(500);
      expectOnly();
    });

    it('reports progress after every batch, ending at the total', async () => {
      addBulk(fx.store, fx.db, 10, 20);
      const seen: [number, number][] = [];
      let total = -1;
      await writeExport({
        source: history(),
        request: { filter: {}, format: 'jsonl', content: 'lines' },
        path: join(out, 'x.jsonl'),
        batchSize: 64,
        onStart: (n) => (total = n),
        onProgress: (n, t) => seen.push([n, t]),
      });
      expect(total).toBe(210);
      expect(seen.map(([n]) => n)).toEqual([64, 128, 192, 210]);
      expect(seen.every(([, t]) => t === 210)).toBe(true);
    });
  });

  it('refuses a missing database in plain words', async () => {
    await expect(
      exportFromDatabase({ dbPath: join(fx.dir, 'nope.db'), request: { filter: {}, format: 'csv', content: 'calls' }, path: join(out, 'x.csv') }),
    ).rejects.toThrow(`There is no call database at ${join(fx.dir, 'nope.db')}.`);
    expectOnly();
  });
});
