/**
 * The one serialiser between the URL's query string and the contract's CallFilter, used by
 * History, Analytics and Export. The URL keeps what the team lead chose (a preset stays a
 * preset: `range=today` means today whenever the link is opened); `toCallFilter` turns it
 * into epoch-ms bounds at the moment a query runs.
 *
 *   range=today|7d|30d|custom  from=YYYY-MM-DD  to=YYYY-MM-DD (inclusive, local days)
 *   direction=inbound|outbound  end=<reason> (repeated)  takenOver=yes|no
 *   minDur=<s>  maxDur=<s>  endedNegative=yes  sentimentBelow=<-1..1>  alerts=yes|no
 *   disposition=<name> (repeated)  profile=<AI profile id> (repeated)  number=<digits>  q=<search text>
 */
import { CallFilter, MAX_SEARCH_CHARS } from '@shared/history';
import { dispositionLabel } from '@shared/wrapup';
import { endReasonLabel, formatScore, formatSeconds } from '../../lib/format';

export type RangePreset = 'today' | '7d' | '30d' | 'custom';

export interface FilterState {
  /** null: all time. */
  range: RangePreset | null;
  /** Local calendar days for a custom range, both inclusive (YYYY-MM-DD). */
  fromDate: string | null;
  toDate: string | null;
  direction: 'inbound' | 'outbound' | null;
  endReasons: string[];
  takenOver: boolean | null;
  minDurationS: number | null;
  maxDurationS: number | null;
  endedNegative: boolean;
  sentimentBelow: number | null;
  hasAlerts: boolean | null;
  /** Wrap-up dispositions (issue 8); a call never wrapped up matches none. */
  dispositions: string[];
  /** AI profiles the calls ran with (issue 15), by id. */
  profileIds: string[];
  numberContains: string;
  search: string;
}

export const EMPTY_FILTER: FilterState = {
  range: null,
  fromDate: null,
  toDate: null,
  direction: null,
  endReasons: [],
  takenOver: null,
  minDurationS: null,
  maxDurationS: null,
  endedNegative: false,
  sentimentBelow: null,
  hasAlerts: null,
  dispositions: [],
  profileIds: [],
  numberContains: '',
  search: '',
};

/** Query keys the filter owns; other keys (sort, grouping) are left alone by writers. */
export const FILTER_KEYS = [
  'range',
  'from',
  'to',
  'direction',
  'end',
  'takenOver',
  'minDur',
  'maxDur',
  'endedNegative',
  'sentimentBelow',
  'alerts',
  'disposition',
  'profile',
  'number',
  'q',
] as const;

export const rangeLabels: Record<RangePreset, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom range',
};

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// eslint-disable-next-line no-control-regex -- the characters the contract's CallFilter refuses in search
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u;

function yesNo(value: string | null): boolean | null {
  if (value === 'yes' || value === 'true' || value === '1') return true;
  if (value === 'no' || value === 'false' || value === '0') return false;
  return null;
}

function num(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function validDate(value: string | null): string | null {
  if (!value || !DATE_RE.test(value)) return null;
  return Number.isNaN(localDay(value)) ? null : value;
}

/** Reads the filter from a query string; values that make no sense are dropped. */
export function parseFilter(search: string | URLSearchParams): FilterState {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const range = p.get('range');
  const direction = p.get('direction');
  const fromDate = validDate(p.get('from'));
  const toDate = validDate(p.get('to'));
  return {
    range:
      range === 'today' || range === '7d' || range === '30d' || range === 'custom'
        ? range
        : fromDate || toDate
          ? 'custom'
          : null,
    fromDate,
    toDate,
    direction: direction === 'inbound' || direction === 'outbound' ? direction : null,
    endReasons: [...new Set(p.getAll('end').filter((r) => r.trim() !== ''))],
    takenOver: yesNo(p.get('takenOver')),
    minDurationS: num(p.get('minDur')),
    maxDurationS: num(p.get('maxDur')),
    endedNegative: yesNo(p.get('endedNegative')) === true,
    sentimentBelow: num(p.get('sentimentBelow')),
    hasAlerts: yesNo(p.get('alerts')),
    dispositions: [...new Set(p.getAll('disposition').filter((d) => d.trim() !== ''))],
    profileIds: [...new Set(p.getAll('profile').filter((id) => id.trim() !== ''))],
    numberContains: p.get('number') ?? '',
    search: p.get('q') ?? '',
  };
}

/**
 * Writes the filter into `base` (other keys kept, filter keys replaced) in a stable order,
 * so the same filter is always the same URL.
 */
export function writeFilter(state: FilterState, base: string | URLSearchParams = ''): URLSearchParams {
  const p = new URLSearchParams(base);
  for (const key of FILTER_KEYS) p.delete(key);
  if (state.range) p.set('range', state.range);
  if (state.range === 'custom') {
    if (state.fromDate) p.set('from', state.fromDate);
    if (state.toDate) p.set('to', state.toDate);
  }
  if (state.direction) p.set('direction', state.direction);
  for (const r of state.endReasons) p.append('end', r);
  if (state.takenOver !== null) p.set('takenOver', state.takenOver ? 'yes' : 'no');
  if (state.minDurationS !== null) p.set('minDur', String(state.minDurationS));
  if (state.maxDurationS !== null) p.set('maxDur', String(state.maxDurationS));
  if (state.endedNegative) p.set('endedNegative', 'yes');
  if (state.sentimentBelow !== null) p.set('sentimentBelow', String(state.sentimentBelow));
  if (state.hasAlerts !== null) p.set('alerts', state.hasAlerts ? 'yes' : 'no');
  for (const d of state.dispositions) p.append('disposition', d);
  for (const id of state.profileIds) p.append('profile', id);
  if (state.numberContains !== '') p.set('number', state.numberContains);
  if (state.search !== '') p.set('q', state.search);
  return p;
}

/** Just the filter's part of a query string (for links from one view to another). */
export function filterQuery(state: FilterState): string {
  return writeFilter(state).toString();
}

/** Epoch ms of local midnight on a YYYY-MM-DD day. */
function localDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(y, m - 1, d).getTime();
  const back = new Date(t);
  return back.getFullYear() === y && back.getMonth() === m - 1 && back.getDate() === d ? t : NaN;
}

function startOfDay(epochMs: number, daysBack = 0): number {
  const d = new Date(epochMs);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - daysBack).getTime();
}

function nextDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + 1).getTime();
}

/** The [from, to) epoch-ms bounds a range means at `now` (presets are relative to today). */
export function rangeBounds(state: Pick<FilterState, 'range' | 'fromDate' | 'toDate'>, now: number): { from?: number; to?: number } {
  switch (state.range) {
    case 'today':
      return { from: startOfDay(now) };
    case '7d':
      return { from: startOfDay(now, 6) };
    case '30d':
      return { from: startOfDay(now, 29) };
    case 'custom': {
      const out: { from?: number; to?: number } = {};
      if (state.fromDate) out.from = localDay(state.fromDate);
      if (state.toDate) out.to = nextDay(state.toDate);
      return out;
    }
    default:
      return {};
  }
}

/** The contract's CallFilter for this state at `now` (unvalidated: see `checkFilter`). */
export function toCallFilter(state: FilterState, now = Date.now()): CallFilter {
  const f: CallFilter = { ...rangeBounds(state, now) };
  if (state.direction) f.direction = state.direction;
  if (state.endReasons.length) f.endReasons = state.endReasons;
  if (state.takenOver !== null) f.takenOver = state.takenOver;
  if (state.minDurationS !== null) f.minDurationS = state.minDurationS;
  if (state.maxDurationS !== null) f.maxDurationS = state.maxDurationS;
  if (state.endedNegative) f.endedNegative = true;
  if (state.sentimentBelow !== null) f.sentimentBelow = state.sentimentBelow;
  if (state.hasAlerts !== null) f.hasAlerts = state.hasAlerts;
  if (state.dispositions.length) f.dispositions = state.dispositions;
  if (state.profileIds.length) f.profileIds = state.profileIds;
  if (state.numberContains.trim() !== '') f.numberContains = state.numberContains.trim();
  if (state.search.trim() !== '') f.search = state.search;
  return f;
}

/** Which input a problem belongs to, so its message shows next to it. */
export type FilterField = 'range' | 'duration' | 'sentiment' | 'number' | 'search' | 'endReasons' | 'other';

export type FilterProblems = Partial<Record<FilterField, string>>;

const plain: Record<string, string> = {
  to: 'The range must end after it starts.',
  from: 'The range must end after it starts.',
  maxDurationS: 'The shortest duration is longer than the longest.',
};

function fieldOf(path: PropertyKey[]): FilterField {
  const key = String(path.at(-1) === undefined ? '' : path[path.length - 1]);
  const top = String(path[0] ?? '');
  const name = /^\d+$/.test(key) ? top : key;
  switch (name) {
    case 'from':
    case 'to':
      return 'range';
    case 'minDurationS':
    case 'maxDurationS':
      return 'duration';
    case 'sentimentBelow':
      return 'sentiment';
    case 'numberContains':
      return 'number';
    case 'search':
      return 'search';
    case 'endReasons':
      return 'endReasons';
    default:
      return 'other';
  }
}

/** Drops the "field: " prefix the contract's messages carry and makes the rest a sentence. */
function sentence(message: string): string {
  const text = message.replace(/^[a-zA-Z.]+:\s*/, '');
  const s = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/**
 * What is wrong with the filter, by input, in plain words; empty when the core will take it.
 * Checked against the contract's own schema, so the console and the core agree.
 */
export function checkFilter(state: FilterState, now = Date.now()): FilterProblems {
  const problems: FilterProblems = {};
  if (state.range === 'custom' && state.fromDate && state.toDate && state.fromDate > state.toDate) {
    problems.range = 'The range must end on or after the day it starts.';
  }
  if (state.minDurationS !== null && state.minDurationS < 0) problems.duration = 'Durations cannot be negative.';
  if (state.maxDurationS !== null && state.maxDurationS < 0) problems.duration = 'Durations cannot be negative.';
  if (
    !problems.duration &&
    state.minDurationS !== null &&
    state.maxDurationS !== null &&
    state.minDurationS > state.maxDurationS
  ) {
    problems.duration = `The shortest duration (${formatSeconds(state.minDurationS)}) is longer than the longest (${formatSeconds(state.maxDurationS)}).`;
  }
  if (state.search.length > MAX_SEARCH_CHARS) {
    problems.search = `Search text is too long: ${state.search.length} characters, at most ${MAX_SEARCH_CHARS}.`;
  } else if (CONTROL_CHARS.test(state.search)) {
    problems.search = 'Search can’t contain control characters (such as NUL or other invisible codes). Type plain words.';
  }
  if (state.sentimentBelow !== null && (state.sentimentBelow < -1 || state.sentimentBelow > 1)) {
    problems.sentiment = 'Sentiment runs from −1 (very negative) to +1 (very positive).';
  }
  const parsed = CallFilter.safeParse(toCallFilter(state, now));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      if (problems[field]) continue;
      const key = String(issue.path.at(-1) ?? '');
      problems[field] = plain[key] ?? sentence(issue.message);
    }
  }
  return problems;
}

/**
 * The digits of a search that is only a phone number ("+1 555 010 4321", "(555) 010-4321"),
 * or null. Search looks in what was said; an agent who types a number usually wants the
 * calls from or to it, so History offers that when such a search finds no lines.
 */
export function phoneNumberSearch(search: string): string | null {
  const text = search.trim();
  if (!/^\+?[\d\s().-]+$/.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 4 ? `${text.startsWith('+') ? '+' : ''}${digits}` : null;
}

/** Maps a message from the core (e.g. "history.page: ✖ search: at most 200 characters …") to an input. */
export function problemFromCore(message: string): FilterProblems {
  const m = /\b(from|to|minDurationS|maxDurationS|sentimentBelow|numberContains|search|endReasons)\b/.exec(message);
  const field = m ? fieldOf([m[1]!]) : 'other';
  const text = message.replace(/^[a-z]+\.[a-z]+:\s*/i, '').replace(/✖\s*/g, '').replace(/\s*→ at [\w.[\]]+/g, '');
  return { [field]: sentence(text.trim()) };
}

export interface FilterChip {
  key: string;
  label: string;
  /** The state without this chip's condition. */
  without: (state: FilterState) => FilterState;
  /** An AI profile chip: FilterChips names the profile (the list of names lives in the profiles store). */
  profileId?: string;
}

function formatDay(date: string): string {
  const t = localDay(date);
  return Number.isNaN(t) ? date : new Date(t).toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
}

function rangeLabel(state: FilterState): string | null {
  if (!state.range) return null;
  if (state.range !== 'custom') return rangeLabels[state.range];
  if (state.fromDate && state.toDate) return `${formatDay(state.fromDate)} – ${formatDay(state.toDate)}`;
  if (state.fromDate) return `From ${formatDay(state.fromDate)}`;
  if (state.toDate) return `Until ${formatDay(state.toDate)}`;
  return null;
}

function durationLabel(min: number | null, max: number | null): string | null {
  if (min !== null && max !== null) return `Duration ${formatSeconds(min)} – ${formatSeconds(max)}`;
  if (min !== null) return `Longer than ${formatSeconds(min)}`;
  if (max !== null) return `Shorter than ${formatSeconds(max)}`;
  return null;
}

/** The active filters as chips, each removable on its own. */
export function filterChips(state: FilterState): FilterChip[] {
  const chips: FilterChip[] = [];
  const range = rangeLabel(state);
  if (range) chips.push({ key: 'range', label: range, without: (s) => ({ ...s, range: null, fromDate: null, toDate: null }) });
  if (state.direction) {
    chips.push({
      key: 'direction',
      label: state.direction === 'inbound' ? 'Inbound' : 'Outbound',
      without: (s) => ({ ...s, direction: null }),
    });
  }
  for (const reason of state.endReasons) {
    chips.push({
      key: `end:${reason}`,
      label: `Ended: ${endReasonLabel(reason)}`,
      without: (s) => ({ ...s, endReasons: s.endReasons.filter((r) => r !== reason) }),
    });
  }
  if (state.takenOver !== null) {
    chips.push({
      key: 'takenOver',
      label: state.takenOver ? 'Taken over' : 'AI only (not taken over)',
      without: (s) => ({ ...s, takenOver: null }),
    });
  }
  const duration = durationLabel(state.minDurationS, state.maxDurationS);
  if (duration) chips.push({ key: 'duration', label: duration, without: (s) => ({ ...s, minDurationS: null, maxDurationS: null }) });
  if (state.endedNegative) chips.push({ key: 'endedNegative', label: 'Ended negative', without: (s) => ({ ...s, endedNegative: false }) });
  if (state.sentimentBelow !== null) {
    chips.push({
      key: 'sentimentBelow',
      label: `Sentiment below ${formatScore(state.sentimentBelow)}`,
      without: (s) => ({ ...s, sentimentBelow: null }),
    });
  }
  if (state.hasAlerts !== null) {
    chips.push({ key: 'alerts', label: state.hasAlerts ? 'Has alerts' : 'No alerts', without: (s) => ({ ...s, hasAlerts: null }) });
  }
  for (const disposition of state.dispositions) {
    chips.push({
      key: `disposition:${disposition}`,
      label: `Wrap-up: ${dispositionLabel(disposition)}`,
      without: (s) => ({ ...s, dispositions: s.dispositions.filter((d) => d !== disposition) }),
    });
  }
  for (const profileId of state.profileIds) {
    chips.push({
      key: `profile:${profileId}`,
      label: 'AI profile',
      profileId,
      without: (s) => ({ ...s, profileIds: s.profileIds.filter((id) => id !== profileId) }),
    });
  }
  if (state.numberContains.trim() !== '') {
    chips.push({ key: 'number', label: `Number contains ${state.numberContains.trim()}`, without: (s) => ({ ...s, numberContains: '' }) });
  }
  if (state.search.trim() !== '') {
    const text = state.search.trim();
    chips.push({
      key: 'search',
      label: `Says “${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`,
      without: (s) => ({ ...s, search: '' }),
    });
  }
  return chips;
}

export function isEmptyFilter(state: FilterState): boolean {
  return filterChips(state).length === 0;
}
