/**
 * What an export reads: the history read side's counts and row iterators (core/history), or
 * the team view's (core/team, issue 12), whose counts are promises and whose rows arrive as
 * async iterables. Exports never filter rows themselves; the filter -> SQL translation is
 * history's (or the team view's).
 */
import type { CallFilter } from '@shared/history';
import type { CallWithLines, ExportCall, ExportLine } from '../history/history';

export type { CallWithLines, ExportCall, ExportLine } from '../history/history';

/** Rows as a desk's SQLite hands them (synchronously) or as the team database does (asynchronously). */
export type ExportRows<T> = Iterable<T> | AsyncIterable<T>;

/** The part of History an export uses (tests can hand in a stand-in, e.g. one that fails mid-way). */
export interface ExportSource {
  countCalls(filter: CallFilter): number | Promise<number>;
  countLines(filter: CallFilter): number | Promise<number>;
  /** Newest call first. */
  iterateCalls(filter: CallFilter): ExportRows<ExportCall>;
  /** Lines of the matching calls: newest call first, each call's lines in order. */
  iterateLines(filter: CallFilter): ExportRows<ExportLine>;
  /** Each matching call with its lines (calls without lines too), newest call first. */
  iterateCallsWithLines(filter: CallFilter): ExportRows<CallWithLines>;
}
