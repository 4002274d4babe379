/**
 * The one list of export columns: names, order and how each value is formatted. CSV headers,
 * Excel headers and JSON Lines keys all come from here, so the three formats never disagree.
 *
 * Values: times are ISO 8601 with the machine's UTC offset (cells.isoLocal), durations and
 * offsets into a call are seconds (to the ms), scores are plain numbers. Text goes through
 * safeText (formula injection) in CSV and Excel; JSON Lines keeps text exactly as stored
 * (a JSON string is never evaluated, and rewriting it would corrupt the data for programs).
 *
 * Exports never contain secrets: the columns are the call's own data only (no settings, keys,
 * tokens or stream tokens ever reach a row).
 */
import { factsText, summaryText } from '@shared/wrapup';
import { createIsoFormatter, msToSeconds, safeText } from './cells';
import type { CampaignLead } from '@shared/campaign';
import type { ExportCall, ExportLine } from './source';

/**
 * text: a string as stored; number/integer: a number; boolean; time: epoch ms written as
 * ISO 8601 with offset; seconds: ms written as seconds.
 */
export type CellKind = 'text' | 'number' | 'integer' | 'boolean' | 'time' | 'seconds';
type Raw = string | number | boolean | null;

export interface Column<T> {
  /** CSV/Excel header and JSON Lines key. snake_case, unique within a file. */
  readonly name: string;
  readonly kind: CellKind;
  /** Excel column width, in characters. */
  readonly width: number;
  /** The raw value: epoch ms for `time`, ms for `seconds`; null for "no value". */
  readonly get: (record: T) => Raw;
  /**
   * JSON Lines only: the value as structured data (a list of facts, the summary's sections)
   * where `get` gives the one-cell text CSV and Excel show.
   */
  readonly json?: (record: T) => unknown;
}

const text = <T>(name: string, width: number, get: (r: T) => string | null): Column<T> => ({ name, kind: 'text', width, get });
const num = <T>(name: string, get: (r: T) => number | null, width = 14): Column<T> => ({ name, kind: 'number', width, get });
const int = <T>(name: string, get: (r: T) => number | null, width = 10): Column<T> => ({ name, kind: 'integer', width, get });
const bool = <T>(name: string, get: (r: T) => boolean | null): Column<T> => ({ name, kind: 'boolean', width: 12, get });
const time = <T>(name: string, get: (r: T) => number | null): Column<T> => ({ name, kind: 'time', width: 30, get });
const secs = <T>(name: string, get: (r: T) => number | null): Column<T> => ({ name, kind: 'seconds', width: 12, get });

/** A text column whose JSON Lines value is structured (see Column.json). */
const structured = <T>(name: string, width: number, get: (r: T) => string | null, json: (r: T) => unknown): Column<T> => ({
  name,
  kind: 'text',
  width,
  get,
  json,
});

/** One row per call. */
export const CALL_COLUMNS: readonly Column<ExportCall>[] = [
  text('call_id', 38, (c) => c.id),
  text('call_sid', 36, (c) => c.callSid),
  text('direction', 10, (c) => c.direction),
  text('from', 18, (c) => c.from),
  text('to', 18, (c) => c.to),
  time('started_at', (c) => c.startedAt),
  time('ended_at', (c) => c.endedAt),
  secs('duration_s', (c) => c.durationMs),
  text('status', 10, (c) => c.status),
  text('end_reason', 18, (c) => c.endReason),
  text('controller', 11, (c) => c.controller),
  bool('taken_over', (c) => c.takenOver),
  secs('taken_over_at_s', (c) => c.takeoverAtMs),
  int('line_count', (c) => c.utteranceCount),
  int('alert_count', (c) => c.alertCount),
  num('caller_sentiment_avg', (c) => c.callerSentiment, 20),
  num('caller_sentiment_start', (c) => c.callerSentimentStart, 22),
  num('caller_sentiment_end', (c) => c.callerSentimentEnd, 20),
  text('scenario', 20, (c) => c.scenario),
  // The wrap-up and the AI's recorded facts (issue 8); empty until saved / recorded.
  text('disposition', 16, (c) => c.disposition),
  text('resolution', 11, (c) => c.resolution),
  structured('wrap_up_summary', 60, (c) => (c.wrapUpSummary ? summaryText(c.wrapUpSummary) : null), (c) => c.wrapUpSummary),
  text('wrap_up_notes', 40, (c) => c.wrapUpNotes),
  structured('facts', 40, (c) => (c.facts.length > 0 ? factsText(c.facts) : null), (c) => c.facts),
  // What the agent whispered to the AI: part of the record, though the caller never heard it.
  structured('whispers', 40, (c) => (c.whispers.length > 0 ? c.whispers.map((w) => w.text).join('\n') : null), (c) => c.whispers),
];

/** What a line row carries about its call (lines export), ahead of the line's own columns. */
const LINE_CALL_COLUMNS: readonly Column<ExportLine>[] = [
  text('call_id', 38, (l) => l.callId),
  text('call_sid', 36, (l) => l.callSid),
  time('call_started_at', (l) => l.callStartedAt),
  text('direction', 10, (l) => l.direction),
  text('from', 18, (l) => l.from),
  text('to', 18, (l) => l.to),
];

/** The line itself. `at` is the wall-clock time the line started; start_s/end_s are seconds into the call. */
export const LINE_OWN_COLUMNS: readonly Column<ExportLine>[] = [
  text('line_id', 38, (l) => l.lineId),
  int('seq', (l) => l.seq, 6),
  text('speaker', 9, (l) => l.speaker),
  time('at', (l) => l.callStartedAt + l.startMs),
  secs('start_s', (l) => l.startMs),
  secs('end_s', (l) => l.endMs),
  text('text', 80, (l) => l.text),
  text('intent', 18, (l) => l.intent),
  num('sentiment_score', (l) => l.sentimentScore, 16),
  text('sentiment_label', 16, (l) => l.sentimentLabel),
  bool('interrupted', (l) => l.interrupted),
];

/** One row per transcript line. */
export const LINE_COLUMNS: readonly Column<ExportLine>[] = [...LINE_CALL_COLUMNS, ...LINE_OWN_COLUMNS];

/** A line with its whole call (CSV 'both'); `line` is null for a call without lines. */
export interface CallLine {
  call: ExportCall;
  line: ExportLine | null;
}

/** CSV 'both': every call column, then the line's own columns. */
export const CALL_LINE_COLUMNS: readonly Column<CallLine>[] = [
  ...CALL_COLUMNS.map((c) => via(c, (r: CallLine) => r.call)),
  ...LINE_OWN_COLUMNS.map((c) => via(c, (r: CallLine) => r.line)),
];

/** The columns of one export: a team export (issue 12) leads every row with the desk the call was taken on. */
export interface ExportColumns {
  calls: readonly Column<ExportCall>[];
  lines: readonly Column<ExportLine>[];
  callLines: readonly Column<CallLine>[];
}

const DESK_EXPORT_COLUMNS: ExportColumns = { calls: CALL_COLUMNS, lines: LINE_COLUMNS, callLines: CALL_LINE_COLUMNS };
const TEAM_EXPORT_COLUMNS: ExportColumns = {
  calls: [text('desk', 16, (c) => c.desk ?? null), ...CALL_COLUMNS],
  lines: [text('desk', 16, (l) => l.desk ?? null), ...LINE_COLUMNS],
  callLines: [text('desk', 16, (r) => r.call.desk ?? null), ...CALL_LINE_COLUMNS],
};

/** A desk's own exports are exactly as before; team exports add the `desk` column first. */
/** One row per lead of a campaign (issue 15): its outcome, attempts, last call and wrap-up, and the list's own columns. */
export const LEAD_COLUMNS: readonly Column<CampaignLead>[] = [
  int('lead_id', (l) => l.id),
  text('number', 18, (l) => l.number),
  text('name', 24, (l) => l.name),
  text('state', 10, (l) => l.state),
  text('outcome', 12, (l) => l.outcome),
  int('attempts', (l) => l.attempts),
  time('last_attempt_at', (l) => l.lastAttemptAt),
  time('next_attempt_at', (l) => l.nextAt),
  text('last_call_id', 38, (l) => l.lastCallId),
  text('refusal', 40, (l) => l.refusal),
  text('disposition', 16, (l) => l.disposition),
  text('summary', 60, (l) => l.summary),
  structured(
    'context',
    40,
    (l) => Object.entries(l.context).map(([k, v]) => `${k}: ${v}`).join('; ') || null,
    (l) => l.context,
  ),
];

export function exportColumns(source: 'desk' | 'team' = 'desk'): ExportColumns {
  return source === 'team' ? TEAM_EXPORT_COLUMNS : DESK_EXPORT_COLUMNS;
}

function via<T, U>(column: Column<U>, pick: (record: T) => U | null): Column<T> {
  const { get, json } = column;
  return {
    name: column.name,
    kind: column.kind,
    width: column.width,
    get: (record) => {
      const inner = pick(record);
      return inner === null ? null : get(inner);
    },
    ...(json
      ? {
          json: (record: T) => {
            const inner = pick(record);
            return inner === null ? null : json(inner);
          },
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Per-format cell formatting. Each builds one function per column up front, so the per-row
// work is a loop over the columns with no branching on kinds.

/** The exported value, format-neutral: times as ISO strings, durations as seconds. */
function exported<T>(column: Column<T>): (record: T) => Raw {
  const get = column.get;
  switch (column.kind) {
    case 'time': {
      const iso = createIsoFormatter(); // its caches follow this column's values only
      return (r) => {
        const v = get(r) as number | null;
        return v === null ? null : iso(v);
      };
    }
    case 'seconds':
      return (r) => {
        const v = get(r) as number | null;
        return v === null ? null : msToSeconds(v);
      };
    default:
      return get;
  }
}

/** CSV: every cell a string ('' for no value); text through safeText; booleans true/false. */
export function csvCells<T>(columns: readonly Column<T>[]): (record: T) => string[] {
  const cells = columns.map((column): ((r: T) => string) => {
    const value = exported(column);
    if (column.kind === 'text') {
      return (r) => {
        const v = value(r) as string | null;
        return v === null ? '' : safeText(v);
      };
    }
    return (r) => {
      const v = value(r);
      return v === null ? '' : String(v);
    };
  });
  return rowOf(cells);
}

/** Longest text Excel accepts in a cell. */
export const EXCEL_MAX_CELL_CHARS = 32_767;

/**
 * Excel: numbers and booleans as typed cells, text through safeText, null as an empty cell.
 * Line breaks become LF: the sheet is XML, whose readers (Excel included) turn a raw CR into
 * LF anyway, so the file says what every reader will see.
 */
export function xlsxCells<T>(columns: readonly Column<T>[]): (record: T) => Raw[] {
  const cells = columns.map((column): ((r: T) => Raw) => {
    const value = exported(column);
    if (column.kind !== 'text') return value;
    return (r) => {
      const v = value(r) as string | null;
      if (v === null) return null;
      let safe = safeText(v);
      if (safe.includes('\r')) safe = safe.replace(/\r\n?/g, '\n');
      return safe.length > EXCEL_MAX_CELL_CHARS ? `${safe.slice(0, EXCEL_MAX_CELL_CHARS - 1)}…` : safe;
    };
  });
  return rowOf(cells);
}

/** JSON Lines: an object keyed by column name; text exactly as stored, structured columns as data. */
export function jsonObject<T>(columns: readonly Column<T>[]): (record: T) => Record<string, unknown> {
  const names = columns.map((c) => c.name);
  const values = columns.map((c): ((r: T) => unknown) => c.json ?? exported(c));
  const n = columns.length;
  return (record) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) out[names[i]!] = values[i]!(record);
    return out;
  };
}

function rowOf<T, V>(cells: ((r: T) => V)[]): (record: T) => V[] {
  const n = cells.length;
  return (record) => {
    const row = new Array<V>(n);
    for (let i = 0; i < n; i++) row[i] = cells[i]!(record);
    return row;
  };
}
