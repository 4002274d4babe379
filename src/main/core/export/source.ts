/**
 * What an export reads: the history read side's counts and row iterators (core/history).
 * Exports never filter rows themselves; the filter -> SQL translation is history's.
 */
import type { History } from '../history/history';

export type { CallWithLines, ExportCall, ExportLine } from '../history/history';

/** The part of History an export uses (tests can hand in a stand-in, e.g. one that fails mid-way). */
export type ExportSource = Pick<History, 'countCalls' | 'countLines' | 'iterateCalls' | 'iterateLines' | 'iterateCallsWithLines'>;
