/**
 * PII redaction: the one pattern module (issue 10). Everything that stores, shows, exports,
 * logs or sends a caller's words to a cloud LLM passes them through `redact()` first; nobody
 * else writes PII patterns.
 *
 * How it works, and why:
 *  - Speech-to-text writes numbers as digits ("4567 8901"), as words ("four five six seven"),
 *    or a mix ("double four 56 oh 7"). `spoken-digits.ts` rewrites spoken number words into
 *    digits in a normalised copy of the text and keeps a map back to the original offsets, so
 *    every detector below sees one form and every span still points into the ORIGINAL text.
 *  - Cards are checked with card-validator (Luhn and the brand's valid lengths/prefixes), so an
 *    order number that merely has 16 digits is left alone; a Luhn-valid number right after
 *    "order number"/"tracking number"/... is also left alone unless the card is named closer.
 *  - Phone numbers come from libphonenumber-js (full metadata), not from our own regex.
 *  - Detectors run in priority order (card, SSN, IBAN, CVV, email, phone) and a later span
 *    never overlaps an earlier one, so a card is never half-masked as a phone number.
 */
import type { PublicSettings } from '@shared/domain';
import { CVV_CONTEXT, detectAll, type Found } from './pii-detectors';

export type PiiKind = 'card' | 'cvv' | 'ssn' | 'iban' | 'email' | 'phone';

/** Which optional kinds to mask. Cards, CVVs, SSNs and IBANs are always masked. */
export interface RedactionPolicy {
  emails: boolean;
  phoneNumbers: boolean;
}

/** One masked stretch; `start`/`end` are offsets in the ORIGINAL text (end exclusive). */
export interface RedactedSpan {
  kind: PiiKind;
  start: number;
  end: number;
}

export interface Redaction {
  /** The text with every span replaced by its typed mask, e.g. "[CARD ••••1234]". */
  text: string;
  spans: RedactedSpan[];
  changed: boolean;
  /**
   * Only with `options.before`: the parts of PII that began in `before` and ended in `text`
   * (a card read in two breaths), as offsets in `before`, for whoever still shows that line.
   */
  spansBefore?: RedactedSpan[];
}

export interface RedactOptions {
  /**
   * What was said just before `text`: the AI's question ("What's the security code?") or the
   * same speaker's previous line. It is read for context (a CVV asked for in one line and
   * answered in the next) and for a number that starts there and ends in `text` (STT ends a
   * line at the pause between card groups); it is never masked in the result's text.
   */
  before?: string;
  /**
   * Spans of `text` to mask whatever the detectors find here: the start of a number that a
   * LATER line completed (its `spansBefore`), so the line already shown can be masked after
   * all, or what another context found (the AI's question before an answer). Masked by kind
   * only ("[CARD]": the last four were said in the other line).
   */
  also?: readonly RedactedSpan[];
}

/** The mask of a span known only by its kind (part of a number completed elsewhere). */
const KIND_MASK: Record<PiiKind, string> = {
  card: '[CARD]',
  cvv: '[CVV]',
  ssn: '[SSN]',
  iban: '[IBAN]',
  email: '[EMAIL]',
  phone: '[PHONE]',
};

/** Strict: every kind, for logs and error text. */
export const LOG_POLICY: RedactionPolicy = Object.freeze({ emails: true, phoneNumbers: true });

export function redactionPolicy(settings: Pick<PublicSettings, 'redactEmails' | 'redactPhoneNumbers'>): RedactionPolicy {
  return { emails: settings.redactEmails, phoneNumbers: settings.redactPhoneNumbers };
}

/** Between `before` and `text`: one space, the way the two would read as one sentence. */
const JOIN = ' ';

export function redact(text: string, policy: RedactionPolicy, options: RedactOptions = {}): Redaction {
  if (typeof text !== 'string') throw new TypeError(`redact() needs a string, got ${text === null ? 'null' : typeof text}`);
  const before = options.before;
  const force = (found: Found[]) => (options.also?.length ? withForced(found, options.also) : found);
  if (before === undefined || before === '') return apply(text, force(detectAll(text, policy)));
  if (typeof before !== 'string') throw new TypeError(`redact() options.before needs a string, got ${typeof before}`);

  const offset = before.length + JOIN.length;
  const inText: Found[] = [];
  const spansBefore: RedactedSpan[] = [];
  for (const f of detectAll(before + JOIN + text, policy)) {
    if (f.end <= offset) continue; // all in `before`: masked when that line was redacted
    if (f.start < before.length) spansBefore.push({ kind: f.kind, start: f.start, end: before.length });
    inText.push({ ...f, start: Math.max(0, f.start - offset), end: f.end - offset });
  }
  // A bare "737" (or "it's seven three seven") answering a question about the security code
  // is one, as if the caller had named it: the CVV rule reads the answer after the question's words.
  if (!inText.some((f) => f.kind === 'cvv') && asksForSecurityCode(before)) {
    for (const f of detectAll(SECURITY_CODE_LEAD + text, policy)) {
      const start = f.start - SECURITY_CODE_LEAD.length;
      if (f.kind === 'cvv' && start >= 0 && !inText.some((o) => start < o.end && f.end - SECURITY_CODE_LEAD.length > o.start)) {
        inText.push({ ...f, start, end: f.end - SECURITY_CODE_LEAD.length });
      }
    }
    inText.sort((a, b) => a.start - b.start);
  }
  return { ...apply(text, force(inText)), spansBefore };
}

/** Read before an answer to a question about the security code: the CVV rule's own context words. */
const SECURITY_CODE_LEAD = 'security code ';

/** Whether the end of `before` (its last sentence or so) asks about a card's security code. */
function asksForSecurityCode(before: string): boolean {
  CVV_CONTEXT.lastIndex = 0;
  return CVV_CONTEXT.test(before.slice(-120));
}

/** `found` plus the `forced` spans; a found span overlapping a forced one is merged into it. */
function withForced(found: Found[], forced: readonly RedactedSpan[]): Found[] {
  const out: Found[] = forced.map((span) => ({ ...span, mask: KIND_MASK[span.kind] }));
  for (const f of found) {
    const overlapping = out.find((o) => f.start < o.end && f.end > o.start);
    if (!overlapping) out.push(f);
    else {
      overlapping.start = Math.min(overlapping.start, f.start);
      overlapping.end = Math.max(overlapping.end, f.end);
    }
  }
  // Widening can make two spans touch: one mask for both, so no character is masked twice.
  const merged: Found[] = [];
  for (const f of out.sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else merged.push(f);
  }
  return merged;
}

function apply(text: string, found: Found[]): Redaction {
  if (found.length === 0) return { text, spans: [], changed: false };
  let out = '';
  let at = 0;
  const spans: RedactedSpan[] = [];
  for (const f of found) {
    out += text.slice(at, f.start) + f.mask;
    at = f.end;
    spans.push({ kind: f.kind, start: f.start, end: f.end });
  }
  out += text.slice(at);
  return { text: out, spans, changed: true };
}

export { maskDtmf, dtmfPrompt, type DtmfPrompt } from './dtmf';
