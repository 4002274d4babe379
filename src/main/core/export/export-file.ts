/**
 * One export, start to finish, in the calling thread: count, write the rows as the history
 * iterators hand them over, rename into place. The console runs this in a worker thread
 * (worker.ts); the CLI runs it in its own process. Both go through exportFromDatabase (or,
 * for the team database, team/team-export.ts's exportFromTeam, over the same writers).
 */
import type { DataSource, ExportContent, ExportFormat, ExportRequest } from '@shared/history';
import { createHistory } from '../history/history';
import { openDatabaseReadOnly } from '../store/db';
import type { CampaignLead } from '@shared/campaign';
import { createLeadReader } from '../campaigns/campaign-store';
import { exportColumns, LEAD_COLUMNS, LINE_OWN_COLUMNS, jsonObject, type CallLine, type ExportColumns } from './columns';
import { ExportCancelled, ExportError, FileSink } from './sink';
import type { CallWithLines, ExportRows, ExportSource } from './source';
import { writeCsv, writeJsonl, XlsxWriter, type PumpOptions } from './writers';

/** What an export writes; without `source`, a desk's own export. */
export type ExportFileRequest = Pick<ExportRequest, 'filter' | 'format' | 'content'> & { source?: DataSource | undefined; campaignId?: string | undefined };

/** A campaign's leads as an export reads them (content 'leads', issue 15). */
export interface LeadRows {
  count(campaignId: string): number;
  all(campaignId: string): Iterable<CampaignLead>;
}

export interface WriteExportOptions {
  source: ExportSource;
  /** Where content 'leads' comes from (a desk's store). */
  leads?: LeadRows | undefined;
  /** `source: 'team'` adds the desk column (the rows must come from the team database). */
  request: ExportFileRequest;
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
export async function countRows(source: ExportSource, request: Pick<ExportRequest, 'filter' | 'content'>): Promise<number> {
  const { filter, content } = request;
  if (content === 'calls') return source.countCalls(filter);
  if (content === 'lines') return source.countLines(filter);
  return (await source.countCalls(filter)) + (await source.countLines(filter));
}

/**
 * Writes one export to `path` through a temporary file. On any failure or cancel the
 * temporary file is removed and `path` is left as it was; the error is an ExportError with
 * plain words (or ExportCancelled).
 */
export async function writeExport(options: WriteExportOptions): Promise<ExportResult> {
  const { source, request, leads } = options;
  if (request.content === 'leads') {
    const campaignId = request.campaignId;
    if (!leads || campaignId === undefined) throw new ExportError("a campaign's leads are exported from this desk's store, naming the campaign", 'bad_request');
    return intoFile(options, leads.count(campaignId), (sink, pumping) => writeLeads(sink, request.format, leads.all(campaignId), pumping));
  }
  const rowsTotal = await countRows(source, request);
  const columns = exportColumns(request.source);
  return intoFile(options, rowsTotal, (sink, pumping) => writeContent(sink, source, columns, request.format, request.content, request.filter, pumping));
}

/** Runs `write` into a temporary file renamed into place when it succeeds; removed on any failure or cancel. */
async function intoFile(options: WriteExportOptions, rowsTotal: number, write: (sink: FileSink, pumping: PumpOptions) => Promise<number>): Promise<ExportResult> {
  options.onStart?.(rowsTotal);
  if (options.signal?.aborted) throw new ExportCancelled();
  const sink = new FileSink(options.path, options.tmpPath);
  const pumping: PumpOptions = {
    batchSize: options.batchSize,
    signal: options.signal,
    onProgress: options.onProgress && ((n) => options.onProgress?.(n, rowsTotal)),
  };
  try {
    const rowsWritten = await write(sink, pumping);
    const bytes = await sink.commit();
    return { rowsWritten, rowsTotal, bytes, path: options.path };
  } catch (error) {
    sink.discard();
    if (error instanceof ExportCancelled || error instanceof ExportError) throw error;
    // A failure while reading rows (the database) rather than writing them.
    throw new ExportError(`export failed: ${(error as Error).message}`, 'internal', { cause: error });
  } finally {
    sink.discard(); // no-op after a successful rename; closes the stream if anything threw early
  }
}

/** A campaign's leads, one row each (one sheet in Excel). */
async function writeLeads(sink: FileSink, format: ExportFormat, rows: Iterable<CampaignLead>, pumping: PumpOptions): Promise<number> {
  if (format === 'csv') return writeCsv(sink, LEAD_COLUMNS, rows, pumping);
  if (format === 'jsonl') return writeJsonl(sink, jsonObject(LEAD_COLUMNS), rows, pumping);
  const writer = new XlsxWriter(sink);
  const written = await writer.table({ name: 'Leads', columns: LEAD_COLUMNS, records: rows }, pumping);
  await writer.finish();
  return written;
}

function writeContent(
  sink: FileSink,
  source: ExportSource,
  columns: ExportColumns,
  format: ExportFormat,
  content: ExportContent,
  filter: ExportRequest['filter'],
  pumping: PumpOptions,
): Promise<number> {
  switch (format) {
    case 'csv':
      if (content === 'calls') return writeCsv(sink, columns.calls, source.iterateCalls(filter), pumping);
      if (content === 'lines') return writeCsv(sink, columns.lines, source.iterateLines(filter), pumping);
      // both: one row per line carrying every call column; a call without lines is one row.
      return writeCsv(sink, columns.callLines, callLines(source.iterateCallsWithLines(filter)), { ...pumping, units: (r) => r.units });
    case 'jsonl':
      if (content === 'calls') return writeJsonl(sink, jsonObject(columns.calls), source.iterateCalls(filter), pumping);
      if (content === 'lines') return writeJsonl(sink, jsonObject(columns.lines), source.iterateLines(filter), pumping);
      // both: one object per call, its lines nested under "lines".
      return writeJsonl(sink, nestedCall(columns), source.iterateCallsWithLines(filter), { ...pumping, units: (r) => 1 + r.lines.length });
    case 'xlsx':
      return writeXlsx(sink, source, columns, content, filter, pumping);
  }
}

async function writeXlsx(
  sink: FileSink,
  source: ExportSource,
  columns: ExportColumns,
  content: ExportContent,
  filter: ExportRequest['filter'],
  pumping: PumpOptions,
): Promise<number> {
  const writer = new XlsxWriter(sink);
  let written = 0;
  if (content !== 'lines') written = await writer.table({ name: 'Calls', columns: columns.calls, records: source.iterateCalls(filter) }, pumping);
  if (content !== 'calls') written = await writer.table({ name: 'Lines', columns: columns.lines, records: source.iterateLines(filter) }, pumping);
  await writer.finish();
  return written;
}

type CallLineRecord = CallLine & { units: number };

/** Calls with their lines -> one record per line (or one for a call without lines), with its progress units. */
function callLines(calls: ExportRows<CallWithLines>): ExportRows<CallLineRecord> {
  if (Symbol.asyncIterator in calls) {
    return (async function* () {
      for await (const withLines of calls) yield* linesOfCall(withLines);
    })();
  }
  return (function* () {
    for (const withLines of calls) yield* linesOfCall(withLines);
  })();
}

function linesOfCall({ call, lines }: CallWithLines): CallLineRecord[] {
  if (lines.length === 0) return [{ call, line: null, units: 1 }];
  // The call itself is counted with its first line.
  return lines.map((line, i) => ({ call, line, units: i === 0 ? 2 : 1 }));
}

function nestedCall(columns: ExportColumns): (record: CallWithLines) => Record<string, unknown> {
  const call = jsonObject(columns.calls);
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
    return await writeExport({ ...options, source: createHistory(db), leads: createLeadReader(db) });
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}
