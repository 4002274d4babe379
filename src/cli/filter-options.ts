/**
 * The filter options every `switchboard` command takes, turned into the one CallFilter
 * (src/shared/history.ts) and validated by its zod schema, as the console's filters are.
 * Bad input is a CliError: one line saying which option and why.
 */
import { Option, type Command } from 'commander';
import { CallFilter } from '@shared/history';

/** Bad input from the command line: printed as one line, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface FilterOptions {
  from?: string;
  to?: string;
  search?: string;
  takenOver?: boolean;
  notTakenOver?: boolean;
  direction?: 'inbound' | 'outbound';
  endReason?: string[];
  minDuration?: string;
  maxDuration?: string;
  endedNegative?: boolean;
  sentimentBelow?: string;
  hasAlerts?: boolean;
  number?: string;
  disposition?: string[];
}

const DATE_HELP = 'YYYY-MM-DD (local day) or an ISO 8601 time such as 2026-11-30T09:00 or 2026-11-30T09:00:00+01:00';

export function addFilterOptions(command: Command): Command {
  return command
    .option('--from <date>', `calls that started at or after this (${DATE_HELP})`)
    .option('--to <date>', 'calls that started before this time; a plain date includes that whole day')
    .option('--search <text>', 'transcript search: every word in one line (stemmed: "charge" finds "charged")')
    .option('--taken-over', 'only calls an agent took over')
    .option('--not-taken-over', 'only calls the AI handled alone')
    .addOption(new Option('--direction <direction>', 'inbound or outbound').choices(['inbound', 'outbound']))
    .option('--end-reason <reason>', 'how the call ended (caller_hangup, agent_ended, silence_timeout, …); repeat or separate with commas', collect)
    .option('--min-duration <seconds>', 'calls at least this long')
    .option('--max-duration <seconds>', 'calls at most this long')
    .option('--ended-negative', "the caller's last scored line was negative")
    .option('--sentiment-below <score>', 'mean caller sentiment below this (-1 to 1)')
    .option('--has-alerts', 'calls with alerts (take-over requests, fallbacks, errors)')
    .option('--number <digits>', "caller's or callee's number contains these digits")
    .option('--disposition <name>', 'wrap-up disposition (resolved, callback, "wrong number", …); repeat or separate with commas', collect);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/**
 * `YYYY-MM-DD` is that local day's midnight (with `endOfDay`, the next midnight, so `--to`
 * includes the day); a date-time without an offset is local time. Anything else is refused.
 */
export function parseDate(option: string, text: string, endOfDay = false): number {
  const fail = () => new CliError(`${option}: not a date: ${JSON.stringify(text)} (use ${DATE_HELP})`);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const date = new Date(y, m - 1, d + (endOfDay ? 1 : 0));
    const check = new Date(y, m - 1, d);
    if (check.getFullYear() !== y || check.getMonth() !== m - 1 || check.getDate() !== d) throw fail();
    return date.getTime();
  }
  const time = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!time) throw fail();
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = time;
  const ms = Number(frac.padEnd(3, '0'));
  let at: number;
  if (zone === undefined) {
    const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    if (date.getMonth() !== Number(mo) - 1 || date.getDate() !== Number(d) || date.getHours() !== Number(h)) throw fail();
    at = date.getTime();
  } else {
    at = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s.padStart(2, '0')}.${String(ms).padStart(3, '0')}${zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')}`);
    const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw fail();
  }
  if (!Number.isFinite(at) || at < 0) throw fail();
  return at;
}

function parseNumber(option: string, text: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new CliError(`${option}: not a number: ${JSON.stringify(text)}`);
  return value;
}

/** CallFilter field -> the option that sets it, for messages. */
const OPTION_OF: Record<string, string> = {
  from: '--from',
  to: '--to',
  direction: '--direction',
  endReasons: '--end-reason',
  takenOver: '--taken-over',
  minDurationS: '--min-duration',
  maxDurationS: '--max-duration',
  endedNegative: '--ended-negative',
  sentimentBelow: '--sentiment-below',
  hasAlerts: '--has-alerts',
  numberContains: '--number',
  dispositions: '--disposition',
  search: '--search',
};

export function buildFilter(options: FilterOptions): CallFilter {
  if (options.takenOver && options.notTakenOver) throw new CliError('--taken-over and --not-taken-over exclude each other');
  const raw: Record<string, unknown> = {};
  if (options.from !== undefined) raw.from = parseDate('--from', options.from);
  if (options.to !== undefined) raw.to = parseDate('--to', options.to, true);
  if (options.search !== undefined) raw.search = options.search;
  if (options.takenOver) raw.takenOver = true;
  if (options.notTakenOver) raw.takenOver = false;
  if (options.direction !== undefined) raw.direction = options.direction;
  if (options.endReason !== undefined && options.endReason.length > 0) raw.endReasons = options.endReason;
  if (options.minDuration !== undefined) raw.minDurationS = parseNumber('--min-duration', options.minDuration);
  if (options.maxDuration !== undefined) raw.maxDurationS = parseNumber('--max-duration', options.maxDuration);
  if (options.endedNegative) raw.endedNegative = true;
  if (options.sentimentBelow !== undefined) raw.sentimentBelow = parseNumber('--sentiment-below', options.sentimentBelow);
  if (options.hasAlerts) raw.hasAlerts = true;
  if (options.number !== undefined) raw.numberContains = options.number;
  if (options.disposition !== undefined && options.disposition.length > 0) raw.dispositions = options.disposition;

  const parsed = CallFilter.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  if (field === 'to' && raw.from !== undefined && raw.to !== undefined && (raw.from as number) >= (raw.to as number)) {
    throw new CliError('--from must be before --to');
  }
  if (field === 'maxDurationS' && issue.code === 'custom') throw new CliError('--min-duration must not exceed --max-duration');
  const option = OPTION_OF[field];
  const message = issue.message.replace(new RegExp(`^${field}: `), '');
  throw new CliError(option ? `${option}: ${message}` : message);
}
