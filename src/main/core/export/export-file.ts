/**
 * One export, start to finish, in the calling thread: count, write the rows as the history
 * iterators hand them over, rename into place. The console runs this in a worker thread
 * (worker.ts); the CLI runs it in its own process. Both go through exportFromDatabase.
 */
import type { ExportContent, ExportFormat, ExportRequest } from '@shared/history';
import { createHistory } from '../history/history';
import { openDatabaseReadOnly } from '../store/db';
import { CALL_COLUMNS, CALL_LINE_COLUMNS, LINE_COLUMNS, LINE_OWN_COLUMNS, jsonObject, type CallLine } from './columns';
import { ExportCancelled, ExportError, FileSink } from './sink';
import type { CallWithLines, ExportSource } from './source';
import { writeCsv, writeJsonl, XlsxWriter, type PumpOptions } from './writers';

export interface WriteExportOptions {
  source: ExportSource;
  request: Pick<ExportRequest, 'filter' | 'format' | 'content'>;
  /** The finished file. Its folder must exist; an existing file is replaced only on success. */
  path: string;
  /** Where to write until done (default: a hidden .partial file beside `path`). */
  tmpPath?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Once counted, before the first row: the progress bar's end. */
  onStart?: ((rowsTotal: number) => void) | undefined;
  /** After every batch (unthrottled: callers throttle). */
  onProgress?: ((rowsWritten: number, rowsTotal: number) => void) | undefined;
  batchSize?: number | undefined;
}

export interface ExportResult {
  /**
   * Rows written: calls for 'calls', lines for 'lines'; for 'both', calls and lines together
   * (each call and each line once, whatever the file's layout), the same unit as rowsTotal.
   */
  rowsWritten: number;
  rowsTotal: number;
  bytes: number;
  path: string;
}

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', jsonl: 'jsonl', xlsx: 'xlsx' };
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Rows the progress bar counts for this content (see ExportResult.rowsWritten). */
export function countRows(source: ExportSource, request: Pick<ExportRequest, 'filter' | 'content'>): number {
  const { filter, content } = request;
  if (content === 'calls') return source.countCalls(filter);
  if (content === 'lines') return source.countLines(filter);
  return source.countCalls(filter) + source.countLines(filter);
}

/**
 * Writes one export to `path` through a temporary file. On any failure or cancel the
 * temporary file is removed and `path` is left as it was; the error is an ExportError with
 * plain words (or ExportCancelled).
 */
export async function writeExport(options: WriteExportOptions): Promise<ExportResult> {
  const { source, request, path } = options;
  const rowsTotal = countRows(source, request);
  options.onStart?.(rowsTotal);
  if (options.signal?.aborted) throw new ExportCancelled();

  const sink = new FileSink(path, options.tmpPath);
  const pumping: PumpOptions = {
    batchSize: options.batchSize,
    signal: options.signal,
    onProgress: options.onProgress && ((n) => options.onProgress?.(n, rowsTotal)),
  };
  try {
    const rowsWritten = await writeContent(sink, source, request.format, request.content, request.filter, pumping);
    const bytes = await sink.commit();
    return { rowsWritten, rowsTotal, bytes, path };
  } catch (error) {
    sink.discard();
    if (error instanceof ExportCancelled || error instanceof ExportError) throw error;
    // A failure while reading rows (the database) rather than writing them.
    throw new ExportError(`export failed: ${(error as Error).message}`, 'internal', { cause: error });
  } finally {
    sink.discard(); // no-op after a successful rename; closes the stream if anything threw early
  }
}

function writeContent(
  sink: FileSink,
  source: ExportSource,
  format: ExportFormat,
  content: ExportContent,
  filter: ExportRequest['filter'],
  pumping: PumpOptions,
): Promise<number> {
  switch (format) {
    case 'csv':
      if (content === 'calls') return writeCsv(sink, CALL_COLUMNS, source.iterateCalls(filter), pumping);
      if (content === 'lines') return writeCsv(sink, LINE_COLUMNS, source.iterateLines(filter), pumping);
      // both: one row per line carrying every call column; a call without lines is one row.
      return writeCsv(sink, CALL_LINE_COLUMNS, callLines(source.iterateCallsWithLines(filter)), { ...pumping, units: (r) => r.units });
    case 'jsonl':
      if (content === 'calls') return writeJsonl(sink, jsonObject(CALL_COLUMNS), source.iterateCalls(filter), pumping);
      if (content === 'lines') return writeJsonl(sink, jsonObject(LINE_COLUMNS), source.iterateLines(filter), pumping);
      // both: one object per call, its lines nested under "lines".
      return writeJsonl(sink, nestedCall(), source.iterateCallsWithLines(filter), { ...pumping, units: (r) => 1 + r.lines.length });
    case 'xlsx':
      return writeXlsx(sink, source, content, filter, pumping);
  }
}

async function writeXlsx(
  sink: FileSink,
  source: ExportSource,
  content: ExportContent,
  filter: ExportRequest['filter'],
  pumping: PumpOptions,
): Promise<number> {
  const writer = new XlsxWriter(sink);
  let written = 0;
  if (content !== 'lines') written = await writer.table({ name: 'Calls', columns: CALL_COLUMNS, records: source.iterateCalls(filter) }, pumping);
  if (content !== 'calls') written = await writer.table({ name: 'Lines', columns: LINE_COLUMNS, records: source.iterateLines(filter) }, pumping);
  await writer.finish();
  return written;
}

/** Calls with their lines -> one record per line (or one for a call without lines), with its progress units. */
function* callLines(calls: Iterable<CallWithLines>): Generator<CallLine & { units: number }> {
  for (const { call, lines } of calls) {
    if (lines.length === 0) {
      yield { call, line: null, units: 1 };
      continue;
    }
    let units = 2; // the call itself, counted with its first line
    for (const line of lines) {
      yield { call, line, units };
      units = 1;
    }
  }
}

function nestedCall(): (record: CallWithLines) => Record<string, unknown> {
  const call = jsonObject(CALL_COLUMNS);
  const line = jsonObject(LINE_OWN_COLUMNS);
  return (record) => ({ ...call(record.call), lines: record.lines.map(line) });
}

export interface ExportFromDatabaseOptions extends Omit<WriteExportOptions, 'source'> {
  /** The call database (opened read-only; the app may be writing to it meanwhile). */
  dbPath: string;
}

/**
 * Opens the database read-only and exports from one read snapshot: the count and every row
 * come from the same committed state even while the app keeps writing (WAL), so a 'both'
 * export's sheets agree and the progress bar ends exactly at its total.
 */
export async function exportFromDatabase(options: ExportFromDatabaseOptions): Promise<ExportResult> {
  let db;
  try {
    db = openDatabaseReadOnly(options.dbPath);
  } catch (error) {
    throw new ExportError((error as Error).message, 'internal', { cause: error });
  }
  try {
    db.exec('BEGIN'); // deferred: the first read below pins the snapshot until ROLLBACK
    return await writeExport({ ...options, source: createHistory(db) });
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}
