/**
 * Leads for an outbound campaign (issue 15), from a CSV file the team lead picks: the file is
 * previewed (its columns, a few rows, a guessed mapping), the lead maps the columns in the UI
 * (which one is the number, which the name; every other column becomes context the AI may
 * use), then the whole file is imported. A bad row never fails the import: it is reported
 * with its line number and why, and the good rows go through.
 *
 * Parsing is csv-parse's (RFC 4180 quoting, a byte-order mark, CRLF, `,` `;` or tab); numbers
 * are normalised to E.164 with libphonenumber's full metadata, written either in E.164 or in
 * the national format of the campaign's default country. Whether a number may be *dialled*
 * (premium rate, do-not-call, allowed countries and hours) is decided before each dial by the
 * outbound rules, and recorded on the lead then, not here: the list can change after import.
 */
import { parse, type CsvError } from 'csv-parse';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** Files larger than this are refused before parsing (a campaign of 200,000 leads is ~20 MB). */
export const MAX_CSV_BYTES = 50 * 1024 * 1024;
/** Rows past this are refused with the file: a campaign is imported in parts beyond it. */
export const MAX_LEADS = 200_000;
/** A context value longer than this is cut: it ends up in the AI's prompt. */
export const MAX_CONTEXT_CHARS = 500;
const PREVIEW_ROWS = 20;

export interface LeadColumnMapping {
  /** Header of the column holding the phone number. */
  number: string;
  /** Header of the column holding the lead's name, or null. */
  name: string | null;
  /** Headers kept as context for the AI; omitted: every column but the number and the name. */
  context?: readonly string[];
  /** ISO country for numbers written without a country code ("US"); null: E.164 only. */
  defaultCountry: string | null;
}

export interface LeadsCsvPreview {
  headers: string[];
  /** The first rows, as parsed (cells in header order). */
  rows: string[][];
  /** Each of those rows' line in the file, numbered as the import's report numbers them. */
  lines: number[];
  /** Data rows in the file (not counting the header). */
  totalRows: number;
  delimiter: ',' | ';' | '\t';
  /** The mapping the UI starts from: columns named like a phone number and a name. */
  suggested: Pick<LeadColumnMapping, 'number' | 'name'> | null;
}

export interface ImportedLead {
  /** The row's line in the file (the header is line 1; a row with line breaks inside quotes: its last line). */
  line: number;
  /** E.164. */
  number: string;
  country: string | null;
  name: string | null;
  /** Header → value, for the AI; empty values are left out. */
  context: Record<string, string>;
}

export type RejectedReason = 'malformed_row' | 'missing_number' | 'invalid_number' | 'duplicate_number';

export interface RejectedRow {
  line: number;
  reason: RejectedReason;
  message: string;
}

export interface LeadsImport {
  leads: ImportedLead[];
  rejected: RejectedRow[];
}

/** A file that cannot be imported at all (rows that cannot are reported, not thrown). */
export class LeadImportError extends Error {
  override readonly name = 'LeadImportError';
}

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * Characters parsed per turn of the event loop: a 100,000-row file is read in a few hundred
 * short steps (a few ms each, with the rows' numbers checked), never in one multi-second
 * stretch that would hold up live calls' audio, and never as one array of every row.
 */
const PIECE_CHARS = 8 * 1024;

/** The delimiter of the header line: the candidate that splits it most (outside quotes). */
function detectDelimiter(text: string): LeadsCsvPreview['delimiter'] {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const unquoted = firstLine.replace(/"[^"]*"/g, '');
  let best: LeadsCsvPreview['delimiter'] = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = unquoted.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

interface CsvRow {
  line: number;
  cells: string[];
}

/** The header and rows of a CSV text, read a piece at a time (see PIECE_CHARS). */
interface CsvReading {
  headers: string[];
  delimiter: LeadsCsvPreview['delimiter'];
  /** Rows csv-parse could not read, reported and skipped. */
  malformed: RejectedRow[];
  /** The data rows, a piece's worth at a time. */
  pieces: AsyncGenerator<CsvRow[]>;
}

async function readCsv(text: string): Promise<CsvReading> {
  if (Buffer.byteLength(text, 'utf8') > MAX_CSV_BYTES) {
    throw new LeadImportError(`the file is over ${MAX_CSV_BYTES / 1024 / 1024} MB; split it and import the parts`);
  }
  const delimiter = detectDelimiter(text);
  const malformed: RejectedRow[] = [];
  const parser = parse({
    bom: true,
    delimiter,
    info: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    // A row csv-parse cannot read (an unclosed quote, a stray quote inside a field) is
    // reported and skipped; the rest of the file still imports.
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (!error) return undefined;
      const line = typeof error.lines === 'number' ? error.lines : 0;
      malformed.push({ line, reason: 'malformed_row', message: `line ${line}: ${error.message}` });
      return undefined;
    },
  });
  // `info: true` makes each record { record, info } (the option's typings do not say so).
  const ready: CsvRow[] = [];
  let failure: Error | null = null;
  parser.on('data', (r: { record: string[]; info: { lines: number } }) => ready.push({ line: r.info.lines, cells: r.record }));
  parser.on('error', (error: Error) => (failure ??= error));
  const ended = new Promise<void>((resolve) => parser.once('end', resolve));
  const failed = () => new LeadImportError(`the file could not be read as CSV: ${failure!.message}`);

  let at = 0;
  /** Feeds pieces until `enough()` or the end of the text, a turn of the event loop each. */
  const feed = async (enough: () => boolean): Promise<void> => {
    while (!enough() && at < text.length) {
      parser.write(text.slice(at, at + PIECE_CHARS));
      at += PIECE_CHARS;
      await new Promise((resolve) => setImmediate(resolve));
      if (failure) throw failed();
    }
    if (at >= text.length && !parser.writableEnded) {
      parser.end();
      await Promise.race([ended, new Promise((resolve) => parser.once('error', resolve))]);
      if (failure) throw failed();
    }
  };

  await feed(() => ready.length > 0);
  const header = ready.shift();
  if (!header) throw new LeadImportError('the file is empty');
  const headers = header.cells.map((h, i) => h || `Column ${i + 1}`);
  const duplicated = headers.find((h, i) => headers.indexOf(h) !== i);
  if (duplicated !== undefined) throw new LeadImportError(`two columns are both called "${duplicated}"; rename one`);

  let rowCount = 0;
  const pieces = (async function* () {
    for (;;) {
      if (ready.length > 0) {
        const rows = ready.splice(0);
        rowCount += rows.length;
        if (rowCount > MAX_LEADS) throw new LeadImportError(`the file has more than ${MAX_LEADS} rows; a campaign imports at most ${MAX_LEADS} at a time`);
        yield rows;
      }
      if (parser.writableEnded && ready.length === 0) return;
      await feed(() => ready.length > 0);
    }
  })();
  return { headers, delimiter, malformed, pieces };
}

const NUMBER_HEADER = /phone|number|mobile|cell|tel|msisdn/i;
const NAME_HEADER = /name/i;

/** The columns, the first rows and the row count: the whole file is read, but only the first rows are kept. */
export async function previewLeadsCsv(text: string): Promise<LeadsCsvPreview> {
  const { headers, delimiter, pieces } = await readCsv(text);
  const first: CsvRow[] = [];
  let totalRows = 0;
  for await (const rows of pieces) {
    totalRows += rows.length;
    if (first.length < PREVIEW_ROWS) first.push(...rows.slice(0, PREVIEW_ROWS - first.length));
  }
  const number = headers.find((h) => NUMBER_HEADER.test(h) && !NAME_HEADER.test(h)) ?? null;
  const name = headers.find((h) => NAME_HEADER.test(h) && h !== number) ?? null;
  return {
    headers,
    rows: first.map((r) => r.cells),
    lines: first.map((r) => r.line),
    totalRows,
    delimiter,
    suggested: number === null ? null : { number, name },
  };
}

/** The number in E.164, or null: written in E.164, or nationally for `defaultCountry`. */
export function normaliseLeadNumber(raw: string, defaultCountry: string | null): { e164: string; country: string | null } | null {
  const text = raw.trim();
  if (text === '') return null;
  const international = text.startsWith('+') || text.startsWith('00');
  if (!international && defaultCountry === null) return null;
  const parsed = parsePhoneNumberFromString(text.startsWith('00') ? `+${text.slice(2)}` : text, international ? undefined : (defaultCountry as CountryCode));
  if (!parsed || !parsed.isValid()) return null;
  return { e164: parsed.number, country: parsed.country ?? null };
}

/**
 * Imports every row: leads for the good ones, a reason for each bad one. The file is read a
 * piece at a time; each piece's good leads go to `onLeads` (a campaign stores them as they
 * come) before the next is read, so a big file never sits in memory as rows or leads. Without
 * `onLeads`, the leads are collected and returned.
 */
export async function importLeadsCsv(
  text: string,
  mapping: LeadColumnMapping,
  onLeads?: (leads: ImportedLead[]) => void | Promise<void>,
): Promise<LeadsImport & { imported: number }> {
  if (mapping.defaultCountry !== null && !/^[A-Z]{2}$/.test(mapping.defaultCountry)) {
    throw new LeadImportError(`"${mapping.defaultCountry}" is not a country code (two capital letters, such as US or GB)`);
  }
  const { headers, malformed, pieces } = await readCsv(text);
  const column = (header: string, role: string): number => {
    const index = headers.indexOf(header);
    if (index < 0) throw new LeadImportError(`the ${role} column "${header}" is not in the file (its columns: ${headers.join(', ')})`);
    return index;
  };
  const numberAt = column(mapping.number, 'number');
  const nameAt = mapping.name === null ? null : column(mapping.name, 'name');
  const contextHeaders = mapping.context ?? headers.filter((h) => h !== mapping.number && h !== mapping.name);
  const contextAt = contextHeaders.map((h) => [h, column(h, 'context')] as const);

  const collected: ImportedLead[] = [];
  const rejected: RejectedRow[] = [];
  /** Each number's first line: a number is one lead (~50 bytes an entry, 10 MB at the 200,000-row limit). */
  const firstLineOf = new Map<string, number>();
  let imported = 0;
  for await (const rows of pieces) {
    const leads: ImportedLead[] = [];
    for (const { line, cells } of rows) {
      const raw = cells[numberAt] ?? '';
      if (raw === '') {
        rejected.push({ line, reason: 'missing_number', message: `line ${line}: no number in "${mapping.number}"` });
        continue;
      }
      const number = normaliseLeadNumber(raw, mapping.defaultCountry);
      if (!number) {
        const hint = mapping.defaultCountry === null ? ' (write it as +<country code><number>, or choose a default country)' : '';
        rejected.push({ line, reason: 'invalid_number', message: `line ${line}: "${raw}" is not a valid phone number${hint}` });
        continue;
      }
      const first = firstLineOf.get(number.e164);
      if (first !== undefined) {
        rejected.push({ line, reason: 'duplicate_number', message: `line ${line}: ${number.e164} is already on line ${first}` });
        continue;
      }
      firstLineOf.set(number.e164, line);
      const context: Record<string, string> = {};
      for (const [header, at] of contextAt) {
        const value = cells[at] ?? '';
        if (value !== '') context[header] = value.length > MAX_CONTEXT_CHARS ? `${value.slice(0, MAX_CONTEXT_CHARS - 1)}…` : value;
      }
      const name = nameAt === null ? '' : (cells[nameAt] ?? '');
      leads.push({ line, number: number.e164, country: number.country, name: name === '' ? null : name, context });
    }
    imported += leads.length;
    if (onLeads) await onLeads(leads);
    else collected.push(...leads);
  }
  rejected.push(...malformed);
  rejected.sort((a, b) => a.line - b.line);
  return { leads: collected, rejected, imported };
}
