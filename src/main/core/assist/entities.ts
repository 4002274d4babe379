/**
 * Entities in a caller line: account/order numbers, money amounts, dates, email addresses,
 * phone numbers and names, written ("$45.99", "12/03", "jo@example.com", "+44 20 7946
 * 0958") or spoken ("four five six oh double two", "forty five dollars", "the third of
 * march", "jo dot smith at gmail dot com", "my name is jo smith"), since lines come from
 * speech recognition as often as from typed text.
 *
 * Spoken dates stay as said ("next Tuesday", "3 March") rather than resolved to calendar
 * dates with chrono-node: the agent reads them back to the caller, and the cases the
 * architecture note lists are covered by the reader below and its tests.
 */
import { mergeEntities, type CallEntity } from '@shared/wrapup';
import type { Utterance } from '@shared/domain';
import { DIGIT_WORDS, parseNumberWords, STOP_WORDS } from './text';

export type EntityType = 'account_number' | 'order_number' | 'amount' | 'date' | 'email' | 'phone_number' | 'name';

export interface Entity {
  type: EntityType;
  /** The words as they appeared in the line (lowercased). */
  text: string;
  /**
   * Canonical value: digits for numbers ("4567002"), a decimal for amounts
   * ("45.99"), and for dates "3 March", "the 15th", "yesterday", "next Tuesday",
   * or ISO "2024-03-12" when written that way.
   */
  value: string;
}

/** Shortest digit string read as an account or order number (shorter ones are quantities). */
const MIN_ID_DIGITS = 5;

const ORDER_CUES = new Set(['order', 'reference', 'ref', 'ticket', 'case', 'booking', 'tracking']);
const ACCOUNT_CUES = new Set(['account', 'customer', 'membership', 'member', 'policy', 'card']);
/** Words before a digit string that make it a phone number ("call me on", "my mobile is"). */
const PHONE_CUES = new Set(['phone', 'mobile', 'cell', 'telephone', 'landline', 'call', 'reach', 'text', 'ring', 'contact']);
/** Digits in a phone number said with no cue but "number" ("my number is ..."): national and international lengths. */
const PHONE_DIGITS = { min: 10, max: 15 };
const CURRENCY_WORDS: Record<string, string> = {
  dollar: 'USD', dollars: 'USD', bucks: 'USD', pound: 'GBP', pounds: 'GBP', quid: 'GBP',
  euro: 'EUR', euros: 'EUR',
};
const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december',
];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const ORDINAL_UNITS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9,
  tenth: 10, eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15,
  sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30,
};

const DATE_PREPOSITIONS = new Set(['on', 'by', 'from', 'until', 'till', 'before', 'after', 'since', 'due']);

const capitalise = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const ordinalSuffix = (n: number) =>
  n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');

/** Splits keeping money and date punctuation ("$45.99", "12/03/2024") inside tokens. */
function splitWords(line: string): string[] {
  return line
    .toLowerCase()
    .replace(/[\u2018\u2019']/g, '')
    .replace(/[^a-z0-9$£€./\-\s]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^[.\-/]+|[.\-/]+$/g, ''))
    .filter((w) => w !== '');
}

/** A spoken ordinal day ("third", "twenty first", "21st") at `i`, or null. */
function readOrdinal(words: readonly string[], i: number): { day: number; length: number } | null {
  const w = words[i] ?? '';
  const numeric = /^(\d{1,2})(st|nd|rd|th)$/.exec(w);
  if (numeric) return { day: Number(numeric[1]), length: 1 };
  if (w in ORDINAL_UNITS) return { day: ORDINAL_UNITS[w]!, length: 1 };
  const next = words[i + 1] ?? '';
  if ((w === 'twenty' || w === 'thirty') && next in ORDINAL_UNITS && ORDINAL_UNITS[next]! < 10) {
    return { day: (w === 'twenty' ? 20 : 30) + ORDINAL_UNITS[next]!, length: 2 };
  }
  return null;
}

/** A run of single digits, spoken or written, with "double"/"triple" ("double five" = 55). */
function readDigitRun(words: readonly string[], i: number): { digits: string; length: number } | null {
  let digits = '';
  let j = i;
  while (j < words.length) {
    const w = words[j] ?? '';
    const repeat = w === 'double' ? 2 : w === 'triple' ? 3 : 0;
    const digitAfter = DIGIT_WORDS[words[j + 1] ?? ''];
    if (repeat > 0 && digitAfter !== undefined) {
      digits += String(digitAfter).repeat(repeat);
      j += 2;
    } else if (/^\d+$/.test(w)) {
      digits += w;
      j++;
    } else if (/^\d+(-\d+)+$/.test(w)) {
      digits += w.replace(/-/g, '');
      j++;
    } else if (DIGIT_WORDS[w] !== undefined && w !== 'o' && w !== 'oh') {
      digits += String(DIGIT_WORDS[w]);
      j++;
    } else if ((w === 'o' || w === 'oh') && digits !== '') {
      // "oh" is zero only inside a number; at the start it is usually "oh, right".
      digits += '0';
      j++;
    } else {
      break;
    }
  }
  return digits === '' ? null : { digits, length: j - i };
}

function readAmount(words: readonly string[], i: number): { entity: Entity; length: number } | null {
  const w = words[i] ?? '';
  const symbol = /^[$£€](\d+(?:\.\d{1,2})?)$/.exec(w);
  if (symbol) return { entity: { type: 'amount', text: w, value: Number(symbol[1]).toFixed(2) }, length: 1 };

  const whole = parseNumberWords(words, i) ?? (/^\d+\.\d{1,2}$/.test(w) ? { value: Number(w), length: 1 } : null);
  if (whole === null) return null;
  let j = i + whole.length;
  let value = whole.value;
  if (words[j] === 'point') {
    // "forty five point nine nine"
    const decimals = readDigitRun(words, j + 1);
    if (decimals === null) return null;
    value = Number(`${Math.floor(value)}.${decimals.digits}`);
    j += 1 + decimals.length;
  }
  const currency = CURRENCY_WORDS[words[j] ?? ''];
  if (currency === undefined) return null;
  j++;
  // "... dollars and ninety nine cents" / "... dollars fifty"
  let k = j;
  if (words[k] === 'and') k++;
  const cents = parseNumberWords(words, k);
  if (cents !== null && cents.value < 100) {
    const after = words[k + cents.length];
    if (after === 'cents' || after === 'pence' || after === 'cent' || after === 'p') {
      value += cents.value / 100;
      j = k + cents.length + 1;
    }
  }
  return {
    entity: { type: 'amount', text: words.slice(i, j).join(' '), value: value.toFixed(2) },
    length: j - i,
  };
}

function readDate(words: readonly string[], i: number): { entity: Entity; length: number } | null {
  const w = words[i] ?? '';
  const entity = (length: number, value: string) => ({
    entity: { type: 'date' as const, text: words.slice(i, i + length).join(' '), value },
    length,
  });

  if (w === 'today' || w === 'yesterday' || w === 'tomorrow') return entity(1, w);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(w);
  if (iso) return entity(1, w);
  const slashed = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?$/.exec(w);
  if (slashed) return entity(1, w);

  if ((w === 'last' || w === 'next' || w === 'this' || w === 'on') && WEEKDAYS.includes(words[i + 1] ?? '')) {
    const day = capitalise(words[i + 1] ?? '');
    return entity(2, w === 'on' ? day : `${w} ${day}`);
  }
  if (w === 'next' && (words[i + 1] === 'week' || words[i + 1] === 'month')) return entity(2, `next ${words[i + 1]}`);

  // "the third of march", "third of march", "the fifteenth"
  const start = w === 'the' ? i + 1 : i;
  const ordinal = readOrdinal(words, start);
  if (ordinal !== null && ordinal.day >= 1 && ordinal.day <= 31) {
    const j = start + ordinal.length;
    if (words[j] === 'of' && MONTHS.includes(words[j + 1] ?? '')) {
      return entity(j + 2 - i, `${ordinal.day} ${capitalise(words[j + 1] ?? '')}`);
    }
    if (MONTHS.includes(words[j] ?? '')) return entity(j + 1 - i, `${ordinal.day} ${capitalise(words[j] ?? '')}`);
    // A bare ordinal is a date only as "on the fifth", never in "the third time".
    if (w === 'the' && DATE_PREPOSITIONS.has(words[i - 1] ?? '')) {
      return entity(j - i, `the ${ordinal.day}${ordinalSuffix(ordinal.day)}`);
    }
  }

  // "march the third", "march third", "march 3"
  if (MONTHS.includes(w) && w !== 'may') return readMonthFirst(words, i, entity);
  if (w === 'may') {
    // "may" is usually the verb; only a date when a day follows.
    return readMonthFirst(words, i, entity, true);
  }
  return null;
}

function readMonthFirst(
  words: readonly string[],
  i: number,
  entity: (length: number, value: string) => { entity: Entity; length: number },
  dayRequired = false,
): { entity: Entity; length: number } | null {
  const month = capitalise(words[i] ?? '');
  let j = i + 1;
  if (words[j] === 'the') j++;
  const ordinal = readOrdinal(words, j);
  if (ordinal !== null) return entity(j + ordinal.length - i, `${ordinal.day} ${month}`);
  const n = /^\d{1,2}$/.test(words[j] ?? '') ? Number(words[j]) : null;
  if (n !== null && n >= 1 && n <= 31) return entity(j + 1 - i, `${n} ${month}`);
  return dayRequired ? null : entity(1, month);
}

/** What a digit string is, by the words just before it. */
function numberType(before: readonly string[], digits: string): EntityType {
  if (before.some((b) => ORDER_CUES.has(b))) return 'order_number';
  if (before.some((b) => ACCOUNT_CUES.has(b))) return 'account_number';
  if (before.some((b) => PHONE_CUES.has(b))) return 'phone_number';
  if (before.includes('number') && digits.length >= PHONE_DIGITS.min && digits.length <= PHONE_DIGITS.max) return 'phone_number';
  return 'account_number';
}

/** Written emails. */
const WRITTEN_EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi;
/** Written international numbers ("+44 20 7946 0958", "+1 (555) 010-1234"). */
const WRITTEN_PHONE = /\+\d[\d\s().-]{6,}\d/g;
/** The last word of a spoken email's domain. */
const SPOKEN_TLDS = new Set(['com', 'net', 'org', 'co', 'uk', 'io', 'de', 'fr', 'ie', 'au', 'ca', 'us', 'edu', 'gov', 'info', 'me']);
const EMAIL_JOINERS: Record<string, string> = { dot: '.', underscore: '_', dash: '-', hyphen: '-' };

/**
 * Emails and international numbers as written, taken out of the line before it is split into
 * words (splitting would break them at "@" and "+").
 */
function takeWritten(line: string): { rest: string; found: Entity[] } {
  const found: Entity[] = [];
  let rest = line.replace(WRITTEN_EMAIL, (m) => {
    found.push({ type: 'email', text: m.toLowerCase(), value: m.toLowerCase() });
    return ' ';
  });
  rest = rest.replace(WRITTEN_PHONE, (m) => {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return m;
    found.push({ type: 'phone_number', text: m.trim(), value: `+${digits}` });
    return ' ';
  });
  return { rest, found };
}

/** "jo dot smith at gmail dot com" starting at the "at" in words[at], or null. */
function readSpokenEmail(words: readonly string[], at: number): { start: number; end: number; value: string } | null {
  if (words[at] !== 'at') return null;
  // Domain: word (dot word)+, ending in a known top-level domain.
  let j = at + 1;
  const domain: string[] = [];
  if (!/^[a-z0-9-]+$/.test(words[j] ?? '')) return null;
  domain.push(words[j]!);
  j++;
  let tldEnd = -1;
  while (words[j] === 'dot' && /^[a-z0-9-]+$/.test(words[j + 1] ?? '')) {
    domain.push('.', words[j + 1]!);
    j += 2;
    if (SPOKEN_TLDS.has(words[j - 1]!)) tldEnd = j;
  }
  if (tldEnd < 0) return null;
  const domainText = domain.slice(0, domain.length - (j - tldEnd)).join('');
  // Local part: the word before "at", and any "dot"/"underscore"-joined words before it.
  let i = at - 1;
  if (i < 0 || !/^[a-z0-9]+$/.test(words[i]!) || STOP_WORDS.has(words[i]!) || words[i] === 'is') return null;
  const local = [words[i]!];
  while (i >= 2 && EMAIL_JOINERS[words[i - 1]!] !== undefined && /^[a-z0-9]+$/.test(words[i - 2]!)) {
    local.unshift(words[i - 2]!, EMAIL_JOINERS[words[i - 1]!]!);
    i -= 2;
  }
  return { start: i, end: tldEnd, value: `${local.join('')}@${domainText}` };
}

/** Names after a clear cue: "my name is ...", "name's ...", "surname is ...", "you're speaking to ...". */
const NAME_CUE = /\b(?:my (?:first |full |last |sur)?name is|my name's|(?:first |last |sur)?name's|the name is|(?:first |last |sur)name is|you're speaking (?:to|with))\s+/gi;
/** "this is Jo Smith speaking": the name sits between the cue's two parts. */
const SPEAKING_CUE = /\bthis is ([A-Za-z][\w'-]*(?: [A-Za-z][\w'-]*)?) speaking\b/gi;
/** Words that follow a name cue but are not names ("my name is not on the account"). */
const NOT_NAMES = new Set([
  ...STOP_WORDS, 'not', 'no', 'yes', 'calling', 'spelled', 'spelt', 'from', 'here', 'still', 'also', 'wrong', 'on', 'under',
  'speaking', 'please', 'thanks', 'thank', 'sorry', 'okay', 'ok', 'right', 'account', 'order', 'number', 'email', 'phone',
  'address', 'about', 'regarding', 'ringing', 'but', 'and', 'because',
]);
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mister', 'doctor', 'dr']);

function readNames(line: string): Entity[] {
  const found: Entity[] = [];
  for (const match of line.matchAll(SPEAKING_CUE)) {
    const words = (match[1] ?? '').split(' ').filter((w) => !NOT_NAMES.has(w.toLowerCase()));
    if (words.length > 0) found.push(nameEntity(words));
  }
  for (const match of line.matchAll(NAME_CUE)) {
    const after = line.slice((match.index ?? 0) + match[0].length).split(/\s+/);
    const words: string[] = [];
    for (const raw of after) {
      const w = raw.replace(/[^A-Za-z'-]/g, '');
      const lower = w.toLowerCase();
      if (w === '' || NOT_NAMES.has(lower)) break;
      if (!(TITLES.has(lower) && words.length === 0)) words.push(w); // "my name is Mrs Jones"
      // A name ends at punctuation ("my name is Sam Lee, account ...") or after three words.
      if (/[,.;!?]$/.test(raw) || words.length === 3) break;
    }
    if (words.length > 0) found.push(nameEntity(words));
  }
  return found;
}

function nameEntity(words: readonly string[]): Entity {
  const value = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  return { type: 'name', text: words.join(' ').toLowerCase(), value };
}

export function extractEntities(line: string): Entity[] {
  const written = takeWritten(line);
  const words = splitWords(written.rest);
  const found: Entity[] = [...readNames(written.rest), ...written.found];
  // Spoken emails first: their words ("gmail dot com") are not anything else.
  const spent = new Set<number>();
  for (let k = 0; k < words.length; k++) {
    const email = readSpokenEmail(words, k);
    if (email === null) continue;
    found.push({ type: 'email', text: words.slice(email.start, email.end).join(' '), value: email.value });
    for (let n = email.start; n < email.end; n++) spent.add(n);
    k = email.end - 1;
  }
  // A spent word becomes a separator no reader takes, so the words either side never join up.
  found.push(...extractFromWords(words.map((w, n) => (spent.has(n) ? '|' : w))));
  return found;
}

/**
 * A call's details so far from its caller lines (final lines, in call order): newest first,
 * each once. What 'calls.get' returns, so a reloaded console shows what the live one did.
 */
export function callEntities(lines: readonly Pick<Utterance, 'speaker' | 'text' | 'final'>[]): CallEntity[] {
  let all: CallEntity[] = [];
  for (const line of lines) {
    if (line.speaker !== 'caller' || !line.final) continue;
    all = mergeEntities(all, extractEntities(line.text).map(({ type, value }) => ({ type, value })));
  }
  return all;
}

function extractFromWords(words: readonly string[]): Entity[] {
  const found: Entity[] = [];
  let i = 0;
  while (i < words.length) {
    const date = readDate(words, i);
    if (date !== null) {
      found.push(date.entity);
      i += date.length;
      continue;
    }
    const amount = readAmount(words, i);
    if (amount !== null) {
      found.push(amount.entity);
      i += amount.length;
      continue;
    }
    let run = readDigitRun(words, i);
    // "oh seven seven ..." after "call me on": a leading "oh" is a zero in a phone number.
    if (run === null && (words[i] === 'oh' || words[i] === 'o') && words.slice(Math.max(0, i - 4), i).some((b) => PHONE_CUES.has(b) || b === 'number')) {
      const rest = readDigitRun(words, i + 1);
      if (rest !== null) run = { digits: `0${rest.digits}`, length: rest.length + 1 };
    }
    if (run !== null && run.digits.length >= MIN_ID_DIGITS) {
      const before = words.slice(Math.max(0, i - 4), i);
      const type = numberType(before, run.digits);
      found.push({ type, text: words.slice(i, i + run.length).join(' '), value: run.digits });
      i += run.length;
      continue;
    }
    i += run?.length ?? 1;
  }
  return found;
}

/** Digits spaced out ("4 5 6 7"), so text-to-speech reads them one by one, not as a big number. */
export function speakDigits(digits: string): string {
  return digits.split('').join(' ');
}
