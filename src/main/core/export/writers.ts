/**
 * The three file formats. Each takes records from an iterator in batches, turns them into
 * cells with the shared column list (columns.ts) and writes them as it goes, waiting whenever
 * the file (or Excel's zip) has a backlog. Never more than one batch of rows in memory.
 */
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { csvCells, xlsxCells, type Column } from './columns';
import { ExportCancelled, type FileSink } from './sink';
import type { ExportRows } from './source';

/** Rows per batch: big enough to amortise a write() and a progress check, small enough to stay light. */
export const DEFAULT_BATCH_SIZE = 1000;
/** Longest stretch of writing without giving the event loop a turn. */
const YIELD_EVERY_MS = 50;

export interface PumpOptions {
  batchSize?: number;
  signal?: AbortSignal | undefined;
  /** Called after every batch with the units written so far (see `units`). */
  onProgress?: ((unitsWritten: number) => void) | undefined;
}

/**
 * Feeds `records` to `writeBatch` a batch at a time, awaiting its backpressure promise.
 * `units` says how much progress a record is (default 1; a call with its lines counts 1 + lines).
 * Checks the signal after every batch; leaving early closes the iterator (and its SQL statement or cursor).
 */
export async function pump<T>(
  records: ExportRows<T>,
  writeBatch: (batch: T[]) => Promise<void> | undefined | void,
  options: PumpOptions & { units?: (record: T) => number; startAt?: number },
): Promise<number> {
  const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const units = options.units;
  let written = options.startAt ?? 0;
  let batch: T[] = [];
  let yieldedAt = performance.now();
  const flush = async () => {
    const pending = writeBatch(batch);
    if (pending) await pending;
    batch = [];
    options.onProgress?.(written);
    // Let the thread's event loop run now and then even when the file never pushes back
    // (a signal handler, a progress bar's timer, a cancel message).
    if (performance.now() - yieldedAt > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      yieldedAt = performance.now();
    }
    if (options.signal?.aborted) throw new ExportCancelled();
  };
  if (options.signal?.aborted) throw new ExportCancelled();
  // Two loops with one body: a desk's rows come synchronously and must not pay an await each.
  if (Symbol.asyncIterator in records) {
    for await (const record of records) {
      batch.push(record);
      written += units ? units(record) : 1;
      if (batch.length >= size) await flush();
    }
  } else {
    for (const record of records) {
      batch.push(record);
      written += units ? units(record) : 1;
      if (batch.length >= size) await flush();
    }
  }
  if (batch.length > 0) await flush();
  return written;
}

// ---------------------------------------------------------------------------------------
// CSV: UTF-8 with a byte order mark (Excel otherwise reads it as the local code page),
// CRLF line ends (RFC 4180), fields quoted only when they must be.

const CSV_OPTIONS = { record_delimiter: 'windows', eof: true } as const;
const BOM = '\uFEFF';

export async function writeCsv<T>(sink: FileSink, columns: readonly Column<T>[], records: ExportRows<T>, options: PumpOptions & { units?: (r: T) => number }): Promise<number> {
  await sink.write(BOM + stringify([columns.map((c) => c.name)], CSV_OPTIONS));
  const cells = csvCells(columns);
  return pump(records, (batch) => sink.write(stringify(batch.map(cells), CSV_OPTIONS)), options);
}

// ---------------------------------------------------------------------------------------
// JSON Lines: one JSON object per line, keys = column names.

export async function writeJsonl<T>(
  sink: FileSink,
  toObject: (record: T) => Record<string, unknown>,
  records: ExportRows<T>,
  options: PumpOptions & { units?: (r: T) => number },
): Promise<number> {
  return pump(
    records,
    (batch) => {
      let chunk = '';
      for (const record of batch) chunk += `${JSON.stringify(toObject(record))}\n`;
      return sink.write(chunk);
    },
    options,
  );
}

// ---------------------------------------------------------------------------------------
// Excel: exceljs's streaming WorkbookWriter, one worksheet per table, written and committed
// in turn (a sheet is finished before the next starts). Inline strings (no shared-strings
// table, which would hold every distinct text in memory) and no styles.

/** Backlog (bytes of sheet XML not yet taken by the zip) above which the writer waits. */
const XLSX_BACKLOG_BYTES = 8 << 20;
/**
 * Deflate level: 3 compresses a transcript sheet within ~10 % of the default (6) at well
 * under half the CPU, which keeps the zip from being the bottleneck.
 */
const XLSX_ZLIB_LEVEL = 3;

export interface XlsxTable<T> {
  name: string;
  columns: readonly Column<T>[];
  records: ExportRows<T>;
}

export class XlsxWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private written = 0;

  constructor(private readonly sink: FileSink) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: sink.stream,
      useSharedStrings: false,
      useStyles: false,
      zip: { zlib: { level: XLSX_ZLIB_LEVEL } },
    });
    // The zip reports write failures here too; the sink already recorded them.
    (this.workbook as unknown as { zip: NodeJS.EventEmitter }).zip.on('error', () => {});
  }

  async table<T>(table: XlsxTable<T>, options: PumpOptions): Promise<number> {
    const { columns } = table;
    const sheet = this.workbook.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c) => ({ key: c.name, width: c.width }));
    sheet.addRow(columns.map((c) => c.name)).commit();
    const cells = xlsxCells(columns);
    this.written = await pump(
      table.records,
      (batch) => {
        for (const record of batch) sheet.addRow(cells(record)).commit();
        return this.backlogDrained(sheet);
      },
      { ...options, startAt: this.written },
    );
    sheet.commit();
    return this.written;
  }

  async finish(): Promise<void> {
    if (this.sink.error) throw this.sink.error;
    await this.workbook.commit();
  }

  /**
   * exceljs writes a sheet's XML into the zip without waiting for it (its StreamBuf ignores
   * backpressure), so a fast producer would buffer the whole sheet in memory. The zip reads
   * the sheet through a PassThrough; wait while that holds more than XLSX_BACKLOG_BYTES.
   * (exceljs internals: if they change, this degrades to no waiting, never to a hang.)
   */
  private backlogDrained(sheet: ExcelJS.Worksheet): Promise<void> | undefined {
    const pipe = (sheet as unknown as { _stream?: { pipes?: NodeJS.EventEmitter[] } })._stream?.pipes?.[0] as
      | (NodeJS.EventEmitter & { _writableState?: { length?: number } })
      | undefined;
    const backlog = pipe?._writableState?.length;
    if (this.sink.error) throw this.sink.error;
    if (pipe === undefined || typeof backlog !== 'number' || backlog <= XLSX_BACKLOG_BYTES) return undefined;
    return Promise.race([once(pipe, 'drain').then(() => undefined), this.sink.failed]);
  }
}
