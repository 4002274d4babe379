/**
 * Text helpers shared by the assist modules. Caller lines arrive from speech
 * recognition: lowercase, unpunctuated, numbers spelled out, words misheard. Both
 * the indexes and the queries go through the same normalisation so that typed
 * text (examples, articles) and recognised speech meet in the middle.
 */
import { stemmer as porterStem } from 'stemmer';

/** Lowercases, folds curly quotes, drops apostrophes ("don't" -> "dont") and punctuation. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019']/g, '')
    .replace(/[^a-z0-9\s]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function tokens(text: string): string[] {
  const n = normalise(text);
  return n === '' ? [] : n.split(' ');
}

/**
 * Porter stemming (the `stemmer` package): "charged", "charges", "charging" and "charge" all
 * become "charg". The same algorithm as the store's FTS5 `porter` tokenizer, so the knowledge
 * base, intents, alert phrases and transcript search all stem alike. Tokens shorter than 3 or
 * longer than 64 characters pass through unchanged, as FTS5's porter tokenizer leaves them.
 */
export function stem(token: string): string {
  return token.length < 3 || token.length > 64 ? token : porterStem(token);
}

/** Words that carry no topic in a caller line. Negations and question words are kept on purpose. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'i', 'im', 'ive', 'id', 'me', 'my', 'mine', 'we', 'us', 'our', 'you', 'your',
  'it', 'its', 'is', 'am', 'are', 'was', 'were', 'be', 'been', 'to', 'of', 'in', 'on', 'at', 'for',
  'and', 'or', 'so', 'that', 'this', 'these', 'those', 'with', 'um', 'uh', 'er', 'erm', 'just',
  'there', 'theyre', 'they', 'them', 'he', 'she', 'do', 'does', 'did', 'have', 'has', 'had',
  'uhm', 'hmm', 'ah', 'oh', 'well', 'like', 'really', 'very', 'got', 'get', 'gotten', 'now', 'then',
  'actually', 'basically', 'literally',
]);

const UNITS: Record<string, number> = {
  zero: 0, oh: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80,
  ninety: 90,
};

export const DIGIT_WORDS: Readonly<Record<string, number>> = {
  zero: 0, oh: 0, o: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8,
  nine: 9,
};

export function isNumberWord(word: string): boolean {
  return word in UNITS || word in TENS || word === 'hundred' || word === 'thousand';
}

/**
 * Reads a spelled-out cardinal ("one hundred and twenty five") starting at
 * `start`. Returns the value and how many tokens it used, or null. "oh" is
 * only a digit inside digit strings, so it is not accepted here.
 */
export function parseNumberWords(
  words: readonly string[],
  start: number,
): { value: number; length: number } | null {
  const first = words[start] ?? '';
  if (/^\d+$/.test(first)) return { value: Number(first), length: 1 };
  let total = 0;
  let current = 0;
  // What the previous word was, so "five five" reads as two numbers, not ten.
  let last: 'unit' | 'tens' | 'scale' | null = null;
  let used = 0;
  for (let i = start; i < words.length; i++) {
    const w = words[i] ?? '';
    const unit = UNITS[w];
    const tens = TENS[w];
    if (w !== 'oh' && unit !== undefined) {
      if (last === 'unit' || (last === 'tens' && unit >= 10)) break;
      current += unit;
      last = 'unit';
    } else if (tens !== undefined) {
      if (last === 'unit' || last === 'tens') break;
      current += tens;
      last = 'tens';
    } else if (w === 'hundred' && last !== null && last !== 'scale') {
      current *= 100;
      last = 'scale';
    } else if (w === 'thousand' && last !== null && last !== 'scale') {
      total += current * 1000;
      current = 0;
      last = 'scale';
    } else if (w === 'and' && last === 'scale' && isNumberWord(words[i + 1] ?? '')) {
      // "one hundred and twenty": the "and" belongs to the number.
    } else {
      break;
    }
    used = i - start + 1;
  }
  return last === null ? null : { value: total + current, length: used };
}
