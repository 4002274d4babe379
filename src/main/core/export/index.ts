/** Exports (issue 7): CSV, JSON Lines and Excel writers over history's iterators, run in a worker thread. */
export { safeText, isoLocal, msToSeconds } from './cells';
export { CALL_COLUMNS, LINE_COLUMNS, LINE_OWN_COLUMNS, CALL_LINE_COLUMNS, type Column, type CellKind } from './columns';
export {
  countRows,
  exportFromDatabase,
  writeExport,
  EXPORT_CONTENT_TYPES,
  EXPORT_EXTENSIONS,
  type ExportResult,
  type WriteExportOptions,
} from './export-file';
export { createExportService, type ExportService, type ExportServiceOptions } from './export-service';
export { ExportCancelled, ExportError } from './sink';
export type { ExportSource, ExportLine, CallWithLines } from './source';
export { measureExport, runExportWorker, type ExportOutcome, type MeasuredExport } from './worker-client';
