/**
 * Caller keypresses (DTMF) as caller input. A single key answers a menu the AI just spoke
 * ("press 1 for billing"); anything else is a digit string (an account or order number)
 * that ends with `#` or a pause in the typing.
 */
import { dtmfPrompt } from '../privacy/redaction';

export interface KeypadEntry {
  digits: string;
  kind: 'menu' | 'digits';
  /** The menu choice the key stands for ("billing"), when the AI's last line offered one. */
  option: string | null;
}

/** A pause this long after the last key ends a digit string (people type 8 digits in ~3 s). */
export const KEYPAD_PAUSE_MS = 2500;
/** No account number is longer; a stuck key must not grow a string forever. */
const MAX_DIGITS = 32;

const KEY_WORDS: Record<string, string> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  star: '*', pound: '#', hash: '#',
};
const KEY = String.raw`(\d|zero|one|two|three|four|five|six|seven|eight|nine|star|pound|hash)`;
const OPTION = String.raw`([a-z][a-z' -]{0,40}?)`;
// "press 1 for billing", "press two to pay a bill" … and "for billing, press 1".
const PRESS_FOR = new RegExp(String.raw`\bpress\s+${KEY}\s+(?:for|to)\s+${OPTION}(?=\s*(?:[,.;:!?]|$|\bor\b|\band\b))`, 'gi');
const FOR_PRESS = new RegExp(String.raw`\b(?:for|to)\s+${OPTION},?\s+press\s+${KEY}\b`, 'gi');

/** The menu an AI line offers, key -> choice ("1" -> "billing"); empty when it offers none. */
export function menuOptions(aiLine: string): Map<string, string> {
  const options = new Map<string, string>();
  const key = (word: string) => KEY_WORDS[word.toLowerCase()] ?? word;
  for (const m of aiLine.matchAll(PRESS_FOR)) options.set(key(m[1]!), m[2]!.trim());
  for (const m of aiLine.matchAll(FOR_PRESS)) if (!options.has(key(m[2]!))) options.set(key(m[2]!), m[1]!.trim());
  return options;
}

/** How a keypad entry reads in the AI's history: plain words an LLM (and the offline engine) understands. */
export function keypadHistoryText(entry: KeypadEntry): string {
  if (entry.kind === 'menu') return `(keypad: the caller pressed ${entry.digits}${entry.option ? ` for ${entry.option}` : ''})`;
  return `(keypad: the caller keyed in ${entry.digits})`;
}

// A keyed-in entry may be masked (issue 10): "[PIN]", "[CARD ••••1234]" (spaces inside).
const HISTORY_PATTERN = /^\(keypad: the caller (?:pressed (\S+)(?: for (.+))?|keyed in (\S+|\[[^\]]+\]))\)$/;

/** Whether keyed-in digits are a mask ("[PIN]", "[CARD ••••1234]") rather than the keys pressed. */
export function isMaskedKeypadDigits(digits: string): boolean {
  return /^\[[^\]]+\]$/.test(digits);
}

/** Reads back what `keypadHistoryText` wrote, or null for anything else. */
export function parseKeypadHistoryText(text: string): KeypadEntry | null {
  const m = HISTORY_PATTERN.exec(text.trim());
  if (!m) return null;
  return m[3] !== undefined ? { digits: m[3], kind: 'digits', option: null } : { digits: m[1]!, kind: 'menu', option: m[2] ?? null };
}

/** What the AI's last line asked the caller to key in: a card number, a PIN, or anything else. */
export type KeypadAsked = ReturnType<typeof dtmfPrompt>;

/** Collects one call's keypresses into entries. */
export class KeypadCollector {
  private buffer = '';
  private timer: NodeJS.Timeout | null = null;
  private menu = new Map<string, string>();
  /** What the AI's last line asked for, and what it had asked when the entry in progress began. */
  private prompt: KeypadAsked = 'other';
  private bufferAsked: KeypadAsked = 'other';

  constructor(
    /** `asked`: what the AI had asked for when the entry's first key was pressed (issue 10: cards and PINs are masked). */
    private readonly onEntry: (entry: KeypadEntry, asked: KeypadAsked) => void,
    private readonly pauseMs = KEYPAD_PAUSE_MS,
  ) {}

  /** The AI finished a line: a menu in it makes the next single key a choice; a request for a card or PIN makes the next entry private. */
  heardAiLine(text: string): void {
    this.menu = menuOptions(text);
    this.prompt = dtmfPrompt(text);
  }

  /** What the next key belongs to: the entry in progress's request, or the AI's last line's. */
  get asking(): KeypadAsked {
    return this.buffer === '' ? this.prompt : this.bufferAsked;
  }

  press(key: string): void {
    this.stopTimer();
    if (key === '#') {
      this.flush();
      return;
    }
    const option = this.menu.get(key);
    if (this.buffer === '' && option !== undefined) {
      // A menu is answered once; the next line the AI speaks may offer another.
      this.menu = new Map();
      this.onEntry({ digits: key, kind: 'menu', option }, 'other');
      return;
    }
    if (this.buffer === '') this.bufferAsked = this.prompt;
    this.buffer += key;
    if (this.buffer.length >= MAX_DIGITS) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => this.flush(), this.pauseMs);
    this.timer.unref();
  }

  /** Drops anything half-typed (the call ended or left the AI). */
  reset(): void {
    this.stopTimer();
    this.buffer = '';
  }

  private flush(): void {
    this.stopTimer();
    const digits = this.buffer;
    this.buffer = '';
    if (digits === '') return;
    // The request stands until the AI's next line: a card keyed in two goes is masked twice.
    const asked = this.bufferAsked;
    this.onEntry({ digits, kind: digits.length === 1 ? 'menu' : 'digits', option: null }, asked);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
