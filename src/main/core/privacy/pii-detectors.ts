/**
 * The detectors behind `redact()`. Each works on the normalised text (spoken digits already
 * turned into digits, see spoken-digits.ts) and reports ranges in that text; `detectAll` maps
 * them back to the original and resolves overlaps by priority.
 */
import cardValidator from 'card-validator';
import luhn10 from 'card-validator/dist/luhn-10.js';
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import type { PiiKind, RedactionPolicy } from './redaction';
import { normaliseSpokenDigits, SPOKEN_NUMBER, toOriginal, type Normalised } from './spoken-digits';

export interface Found {
  kind: PiiKind;
  start: number;
  end: number;
  mask: string;
}

/**
 * Cheap pre-check, so most lines (and most log fields) skip the detectors: every kind needs at
 * least 3 digits (a CVV; cards, SSNs, IBANs and phone numbers need more), an '@', a spoken
 * email ("... at ... dot com") or a spoken number.
 */
function mayHoldPii(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++digits >= 3) return true;
  }
  if (text.includes('@')) return true;
  if (/\bdot\b/i.test(text) && /\bat\b/i.test(text)) return true;
  return SPOKEN_NUMBER.test(text);
}

export function detectAll(text: string, policy: RedactionPolicy): Found[] {
  if (text.length === 0 || !mayHoldPii(text)) return [];
  const n = normaliseSpokenDigits(text);
  const t = n.text;
  const taken: Array<{ kind: PiiKind; start: number; end: number; mask: string }> = [];
  const overlaps = (s: number, e: number): boolean => taken.some((x) => s < x.end && e > x.start);
  const add = (kind: PiiKind, s: number, e: number, mask: string): void => {
    if (!overlaps(s, e)) taken.push({ kind, start: s, end: e, mask });
  };

  // IBANs first: a country code, check digits and mod 97 are far stronger evidence than Luhn
  // (1 in 10), so a German IBAN's digits that happen to pass Luhn stay one IBAN, not "DE44 [CARD]".
  for (const s of findIbans(t)) add('iban', s.start, s.end, `[IBAN ••••${s.last4}]`);
  for (const c of findCards(t)) add('card', c.start, c.end, cardMask(c.last4));
  for (const s of findSsns(t)) add('ssn', s.start, s.end, '[SSN]');
  for (const s of findCvvs(t)) add('cvv', s.start, s.end, '[CVV]');
  if (policy.emails) for (const s of findEmails(t)) add('email', s.start, s.end, '[EMAIL]');
  if (policy.phoneNumbers) {
    // What is already masked is blanked first (same length, so offsets hold): a card is never
    // re-read as a phone number, and a line whose only long number was a card skips libphonenumber.
    let rest = t;
    for (const x of taken) rest = rest.slice(0, x.start) + ' '.repeat(x.end - x.start) + rest.slice(x.end);
    for (const s of findPhones(rest)) add('phone', s.start, s.end, '[PHONE]');
  }

  return taken
    .map((x) => ({ ...x, ...toOriginal(n, x.start, x.end) }))
    .sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------
// Payment cards

/** A run of digits with the separators people and STT put between groups. */
const DIGIT_RUN = /\d(?:[ \t\-–.,]{0,3}\d)*/g;

/**
 * Words that make a Luhn-valid number something else, unless the card is named after them.
 * Identifier words stand alone ("tracking 1Z...", "reference 5555..."); everyday words need
 * "number"/"#"/"id" after them ("order number", "account #"), so "the card on my account is
 * 4111..." is still a card.
 */
const NOT_A_CARD_CONTEXT =
  /\b(?:(?:tracking|reference|ref|confirmation|invoice|imei|iccid|serial|routing|sku|transaction)\b|(?:order|account|acct|policy|member(?:ship)?|ticket|case|claim|booking|reservation|shipment|parcel|package|customer|sim|gift\s+card|loyalty(?:\s+card)?)\s*(?:number\b|no\b\.?|num\b|id\b|#|code\b|reference\b))/gi;
const CARD_CONTEXT = /\b(?:card|credit|debit|visa|master\s?card|amex|american express|discover|maestro|pan|long number)\b/gi;

function lastMatchEnd(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let end = -1;
  for (const m of s.matchAll(re)) end = m.index + m[0].length;
  return end;
}

interface Group {
  start: number;
  end: number;
  digits: string;
}

export function findCards(t: string): Array<{ start: number; end: number; last4: string }> {
  const found: Array<{ start: number; end: number; last4: string }> = [];
  for (const run of t.matchAll(DIGIT_RUN)) {
    const runText = run[0];
    // Count digits first: most runs (times, prices, years) are far too short to be a card.
    let count = 0;
    for (let i = 0; i < runText.length; i++) if (runText.charCodeAt(i) >= 48 && runText.charCodeAt(i) <= 57) count++;
    if (count < 13) continue;
    const groups: Group[] = [];
    for (const g of runText.matchAll(/\d+/g)) groups.push({ start: run.index + g.index, end: run.index + g.index + g[0].length, digits: g[0] });
    let i = 0;
    while (i < groups.length) {
      let hit = longestCardFrom(groups, i);
      // Digits said just before a card ("it was 49.99, 4111 1111 1111 1111") can make a
      // valid-looking window that stops short of the card's last group. A window starting
      // inside this one that reaches further right wins: the digits left visible must never be
      // the card's own.
      for (let k = i + 1; hit && k < hit.nextGroup; k++) {
        const later = longestCardFrom(groups, k);
        if (later && later.end > hit.end) hit = later;
      }
      if (hit && !namedAsSomethingElse(t, hit.start)) {
        found.push({ start: hit.start, end: hit.end, last4: hit.digits.slice(-4) });
        i = hit.nextGroup;
      } else i++;
    }
  }
  return found;
}

/** The typed mask of a card: its last four digits only. */
export const cardMask = (digits: string): string => `[CARD ••••${digits.slice(-4)}]`;

/** Whether a digit string is a payment card: 13-19 digits, Luhn, and a brand's prefix and length (card-validator). */
export function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  // card-validator's own Luhn check first: it is cheap, and 9 in 10 candidates fail it, so the
  // brand lookup (the costly part) runs rarely even on a long run of digits.
  if (!luhn10(digits)) return false;
  // card-validator lists Visa as 16/18/19 digits only, but Visa issued 13-digit numbers, some
  // still in use, and the issue asks for 13-19 digits: a Luhn-valid 13-digit "4..." is a card.
  if (digits.length === 13) return digits[0] === '4';
  return cardValidator.number(digits).isValid;
}

/**
 * The longest valid card that starts at group i and ends on a group boundary; a single group
 * longer than a card (digits said with no pause) is also searched inside.
 */
function longestCardFrom(groups: Group[], i: number): { start: number; end: number; digits: string; nextGroup: number } | null {
  let digits = '';
  let best: { start: number; end: number; digits: string; nextGroup: number } | null = null;
  for (let j = i; j < groups.length; j++) {
    digits += groups[j]!.digits;
    if (digits.length > 19) break;
    if (isCardNumber(digits)) best = { start: groups[i]!.start, end: groups[j]!.end, digits, nextGroup: j + 1 };
  }
  if (best) return best;
  const g = groups[i]!;
  if (g.digits.length > 19) {
    // Digits run together ("4111111111111111 1225" said as one string): take the first valid card prefix.
    for (let len = 19; len >= 13; len--) {
      const d = g.digits.slice(0, len);
      if (isCardNumber(d)) return { start: g.start, end: g.start + len, digits: d, nextGroup: i + 1 };
    }
  }
  return null;
}

function namedAsSomethingElse(t: string, start: number): boolean {
  const before = t.slice(Math.max(0, start - 60), start);
  const other = lastMatchEnd(NOT_A_CARD_CONTEXT, before);
  if (other < 0) return false;
  return lastMatchEnd(CARD_CONTEXT, before) < other;
}

// ---------------------------------------------------------------------------------------------
// US social security numbers

/** 3-2-4 with dashes (written, or said: "dash", "hyphen") or single spaces between the parts. */
const SSN_SEP = String.raw`(?:\s*(?:-|–|\bdash\b|\bhyphen\b)\s*|\s)`;
const SSN_FORMATTED = new RegExp(String.raw`(?<![\d-])(\d{3})(${SSN_SEP})(\d{2})(${SSN_SEP})(\d{4})(?![\d]|-\d)`, 'gi');
const SSN_PLAIN = /(?<!\d)\d{9}(?!\d)/g;
const SSN_CONTEXT = /\b(?:social(?:\s+security)?|ssn|ss\s?#|ss\s+number|ssn?\s*#?)\b/i;

function validSsnParts(area: string, group: string, serial: string): boolean {
  // SSA never issues area 000, 666 or 900-999, group 00 or serial 0000.
  if (area === '000' || area === '666' || area[0] === '9') return false;
  return group !== '00' && serial !== '0000';
}

export function findSsns(t: string): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  for (const m of t.matchAll(SSN_FORMATTED)) {
    if (!validSsnParts(m[1]!, m[3]!, m[5]!)) continue;
    // Spaces alone are weaker evidence than dashes: ask for the context then.
    const spacesOnly = m[2]!.trim() === '' && m[4]!.trim() === '';
    if (spacesOnly && !SSN_CONTEXT.test(t.slice(Math.max(0, m.index - 60), m.index))) continue;
    found.push({ start: m.index, end: m.index + m[0].length });
  }
  for (const m of t.matchAll(SSN_PLAIN)) {
    const d = m[0];
    if (!validSsnParts(d.slice(0, 3), d.slice(3, 5), d.slice(5))) continue;
    if (!SSN_CONTEXT.test(t.slice(Math.max(0, m.index - 60), m.index))) continue;
    found.push({ start: m.index, end: m.index + d.length });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// IBANs (ISO 13616): country, check digits, BBAN; validated by length per country and mod 97.

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/gi;

function ibanChecksumOk(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const v = code >= 65 ? code - 55 : code - 48; // A=10 ... Z=35
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

export function findIbans(t: string): Array<{ start: number; end: number; last4: string }> {
  const found: Array<{ start: number; end: number; last4: string }> = [];
  for (const m of t.matchAll(IBAN_CANDIDATE)) {
    const country = m[0].slice(0, 2).toUpperCase();
    const len = IBAN_LENGTHS[country];
    if (!len) continue;
    // Take exactly the country's length in characters; the regex may have run into the next word.
    let chars = '';
    let end = m.index;
    for (let i = 0; i < m[0].length && chars.length < len; i++) {
      const ch = m[0][i]!;
      if (ch !== ' ') chars += ch.toUpperCase();
      end = m.index + i + 1;
    }
    if (chars.length !== len || !ibanChecksumOk(chars)) continue;
    // The IBAN must end at a word boundary, not in the middle of a longer token.
    if (/[A-Za-z0-9]/.test(t[end] ?? '')) continue;
    found.push({ start: m.index, end, last4: chars.slice(-4) });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Card security codes: 3-4 digits soon after the code is named.

export const CVV_CONTEXT =
  /\b(?:security\s+code|cvv2?|cvc2?|cid|csc|card\s+verification(?:\s+(?:code|value|number))?|(?:3|4|three|four)\s+digits?\s+on\s+the\s+(?:back|front)|code\s+on\s+the\s+back)\b/gi;
const CVV_MAX_WORDS_BETWEEN = 4;
/** 3-4 digits, written together or one by one as STT writes digits said slowly ("7 3 7"). */
const CVV_NUMBER = /(?<![\d-])(?:\d{3,4}|\d(?: \d){2,3})(?![\d-]|[.,]\d| \d)/g;

export function findCvvs(t: string): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  CVV_CONTEXT.lastIndex = 0;
  for (const c of t.matchAll(CVV_CONTEXT)) {
    const from = c.index + c[0].length;
    const window = t.slice(from, from + 40);
    CVV_NUMBER.lastIndex = 0;
    const m = CVV_NUMBER.exec(window);
    // The code follows its name closely ("is 737", "on it is 737", "? It's 909"); a number
    // several words on is about something else ("I don't have it, it was 2019").
    if (m && (window.slice(0, m.index).match(/[A-Za-z']+/g)?.length ?? 0) <= CVV_MAX_WORDS_BETWEEN) {
      found.push({ start: from + m.index, end: from + m.index + m[0].length });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Emails, written or spoken ("john dot smith at gmail dot com").

// Every repetition is bounded (RFC 5321 limits: 64 for the local part, 63 per label): an
// unbounded one lets a long string of "a.a.a..." or "x dot x dot ..." take quadratic time.
const EMAIL_WRITTEN = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
// The local part may be spelled out letter by letter ("j o h n at gmail dot com", "a n n a dot
// b r o w n at ..."); a letter just after an apostrophe is a contraction ("it's"), never the start.
const EMAIL_SPOKEN =
  /(?<!['’])\b(?:[a-z0-9](?:\s[a-z0-9]){1,40}|[a-z0-9][a-z0-9._-]{0,63})(?:\s{1,3}(?:dot|underscore|dash|hyphen)\s{1,3}(?:[a-z0-9](?:\s[a-z0-9]){1,40}\b|[a-z0-9._-]{1,63})){0,6}\s{1,3}at\s{1,3}[a-z0-9-]{1,63}(?:\s{1,3}dot\s{1,3}[a-z0-9-]{1,63}){0,4}\s{1,3}dot\s{1,3}(?:com|net|org|edu|gov|io|co|uk|de|fr|us|ca|info|biz|me|ie|au)\b/gi;

export function findEmails(t: string): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  if (t.includes('@')) for (const m of t.matchAll(EMAIL_WRITTEN)) found.push({ start: m.index, end: m.index + m[0].length });
  if (/\bdot\b/i.test(t)) for (const m of t.matchAll(EMAIL_SPOKEN)) found.push({ start: m.index, end: m.index + m[0].length });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers: libphonenumber-js with full metadata. A number written with '+' and a country
// code is taken when it is merely possible (logs carry E.164 numbers that metadata may not list).

/** At least 7 digits with only phone punctuation between them (the shortest numbers libphonenumber accepts). */
const PHONE_RUN = /\d(?:[\s().\-–]{0,3}\d){6,}/g;
/** Context either side of a run ("+", "(", a letter that makes it part of a word). */
const PHONE_MARGIN = 8;
/** The longest text handed to libphonenumber at once: a formatted international number is under 30 characters. */
const PHONE_WINDOW = 64;
const PHONE_RUN_MAX = 256;
const E164 = /\+\d[\d ().-]{6,20}\d/g;

export function findPhones(t: string): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  // libphonenumber is the costly part of redact() (tens of µs a call, and it grows with the
  // text): it only reads windows around runs of 7+ digits, and a long run in slices.
  for (const run of t.matchAll(PHONE_RUN)) {
    // Hundreds of digits with only spaces, dots or dashes between them are a dump (readings, a
    // hex or number list), not speech; reading them in windows would cost ~0.3 ms per 32
    // characters. Cards in them are still found (findCards), and "+" numbers below.
    if (run[0].length > PHONE_RUN_MAX) continue;
    const seen = new Set<number>();
    for (let from = Math.max(0, run.index - PHONE_MARGIN); from < run.index + run[0].length; from += PHONE_WINDOW / 2) {
      const to = Math.min(t.length, Math.max(from + PHONE_WINDOW, run.index + Math.min(run[0].length, PHONE_WINDOW) + PHONE_MARGIN));
      for (const f of findPhoneNumbersInText(t.slice(from, to), { defaultCountry: 'US' })) {
        // North American numbers a caller gives have 10 digits; libphonenumber also accepts
        // Canada's 7-digit "310-xxxx" service numbers, which an 8-digit account number like
        // 13106827 matches.
        if (f.number.countryCallingCode === '1' && f.number.nationalNumber.length !== 10) continue;
        if (seen.has(from + f.startsAt)) continue;
        seen.add(from + f.startsAt);
        found.push({ start: from + f.startsAt, end: from + f.endsAt });
      }
      // A run opening with the trunk prefix 0 cannot be a North American number (no area code
      // starts with 0 or 1), so it is read as a UK national number too ("020 7946 0321").
      // A UK mobile ("07xxx xxxxxx") is taken when merely possible: the metadata's valid ranges
      // lag allocation (and skip Ofcom's reserved 07700 900xxx), and the shape alone is distinctive.
      if (run[0][0] === '0') {
        const mobile = run[0][1] === '7' && run[0].replace(/\D/g, '').length === 11;
        for (const f of findPhoneNumbersInText(t.slice(from, to), { defaultCountry: 'GB', ...(mobile ? { leniency: 'POSSIBLE' as const } : {}) })) {
          if (seen.has(from + f.startsAt)) continue;
          seen.add(from + f.startsAt);
          found.push({ start: from + f.startsAt, end: from + f.endsAt });
        }
      }
      if (to >= run.index + run[0].length) break;
    }
  }
  if (t.includes('+')) {
    for (const m of t.matchAll(E164)) {
      const digits = m[0].replace(/\D/g, '');
      if (digits.length >= 8 && digits.length <= 15) found.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  return found;
}

export type { Normalised };
