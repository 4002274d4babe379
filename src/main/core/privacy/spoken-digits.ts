/**
 * Rewrites spoken number words into digits so one set of detectors handles "4567",
 * "four five six seven", "double four" and "forty five sixty seven" alike.
 *
 * The result is a normalised copy of the text plus, for every normalised character, the
 * range of the original text it came from; detectors work on the copy and map their matches
 * back with `toOriginal()`, so spans always refer to the original text.
 *
 * Joining rule: inside a run of number words the spaces between words are dropped
 * ("four five six seven" -> "4567") while punctuation pauses (",", ".", "...", "-") become one
 * space ("four five six seven, eight nine" -> "4567 89"), which keeps the groups a caller
 * (or the STT's punctuation) made, the way digits written by hand keep theirs.
 */

const UNITS: Record<string, string> = {
  zero: '0', oh: '0', o: '0', nought: '0', nil: '0',
  one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};
const TEENS: Record<string, string> = {
  ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15',
  sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19',
};
const TENS: Record<string, string> = {
  twenty: '2', thirty: '3', forty: '4', fourty: '4', fifty: '5', sixty: '6', seventy: '7', eighty: '8', ninety: '9',
};
const REPEAT: Record<string, number> = { double: 2, triple: 3 };

/** Words or digit groups; anything else (spaces, punctuation) is the gap between tokens. */
const TOKEN = /[A-Za-z]+|\d+/g;
/** A gap that keeps a run of number tokens together: spaces, dashes, commas, dots, ellipses. */
const RUN_GAP = /^[\s,.\-–—…]{0,4}$/;
/** Whether a gap inside a word run is a pause that should survive as a group break. */
const PAUSE = /[,.\-–—…]/;

export interface Normalised {
  /** The text with spoken numbers as digits; identical to the input when nothing was spoken. */
  text: string;
  /** For normalised char i: the original range [from[i], to[i]) it stands for. Empty when text is unchanged. */
  from: Int32Array;
  to: Int32Array;
  identity: boolean;
}

interface Tok {
  start: number;
  end: number;
  word: string; // lower-cased
  isDigits: boolean;
}

const NUMBER_WORD =
  'zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|fou?rty|fifty|sixty|seventy|eighty|ninety|double|triple|hundred';
/**
 * Whether the text has a spoken number worth rewriting: two number words in a row, or a number
 * word next to digits (a lone "one" or "oh" is ordinary speech and is never rewritten). Lines
 * without one skip the tokenizer: the common case, checked with one regex.
 */
export const SPOKEN_NUMBER = new RegExp(
  String.raw`\b(?:${NUMBER_WORD})\b[\s,.\-–—…]{1,4}(?:(?:${NUMBER_WORD})\b|\d)|\d[\s,.\-–—…]{1,4}(?:${NUMBER_WORD})\b`,
  'i',
);

function isNumberWord(w: string): boolean {
  return w in UNITS || w in TEENS || w in TENS || w in REPEAT || w === 'hundred';
}

export function normaliseSpokenDigits(text: string): Normalised {
  if (!SPOKEN_NUMBER.test(text)) return { text, from: new Int32Array(0), to: new Int32Array(0), identity: true };

  const toks: Tok[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index;
    toks.push({ start, end: start + m[0].length, word: m[0].toLowerCase(), isDigits: /^\d/.test(m[0]) });
  }

  const out: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let copied = 0; // original offset up to which text has been emitted
  const emitOriginal = (upTo: number): void => {
    for (let i = copied; i < upTo; i++) {
      out.push(text[i]!);
      from.push(i);
      to.push(i + 1);
    }
    copied = Math.max(copied, upTo);
  };
  const emitDigits = (digits: string, start: number, end: number): void => {
    for (const d of digits) {
      out.push(d);
      from.push(start);
      to.push(end);
    }
  };

  let changed = false;
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.isDigits || !isNumberWord(t.word)) {
      i++;
      continue;
    }
    // A run of number words (digit groups may sit between them: "four 567 eight").
    let j = i;
    while (j + 1 < toks.length) {
      const next = toks[j + 1]!;
      if (!(next.isDigits || isNumberWord(next.word))) break;
      if (!RUN_GAP.test(text.slice(toks[j]!.end, next.start))) break;
      j++;
    }
    const words = toks.slice(i, j + 1).filter((x) => !x.isDigits);
    // "oh"/"o" alone, or one lone word like "one", is ordinary speech; a single word is never rewritten
    // unless it is next to a digit group, which makes it part of a number ("4567 eight").
    const hasDigits = toks.slice(i, j + 1).some((x) => x.isDigits);
    if (words.length < 2 && !hasDigits) {
      i = j + 1;
      continue;
    }
    emitOriginal(t.start);
    let k = i;
    let prevEnd = -1;
    while (k <= j) {
      const cur = toks[k]!;
      if (prevEnd >= 0) {
        const gap = text.slice(prevEnd, cur.start);
        const prevWasDigits = toks[k - 1]!.isDigits;
        if (cur.isDigits || prevWasDigits) {
          // Keep the gap next to a written digit group as it was ("4567 8901").
          for (let g = prevEnd; g < cur.start; g++) {
            out.push(text[g]!);
            from.push(g);
            to.push(g + 1);
          }
        } else if (PAUSE.test(gap)) {
          out.push(' ');
          from.push(prevEnd);
          to.push(cur.start);
        }
      }
      if (cur.isDigits) {
        for (let g = cur.start; g < cur.end; g++) {
          out.push(text[g]!);
          from.push(g);
          to.push(g + 1);
        }
        prevEnd = cur.end;
        k++;
        continue;
      }
      const consumed = readWordNumber(toks, k, j, text);
      if (consumed.digits === '') {
        // A modifier with nothing after it ("double" at the end): leave the word as it was.
        for (let g = cur.start; g < cur.end; g++) {
          out.push(text[g]!);
          from.push(g);
          to.push(g + 1);
        }
        prevEnd = cur.end;
        k++;
        continue;
      }
      const last = toks[consumed.next - 1]!;
      emitDigits(consumed.digits, cur.start, last.end);
      changed = true;
      prevEnd = last.end;
      k = consumed.next;
    }
    copied = toks[j]!.end;
    i = j + 1;
  }
  if (!changed) return { text, from: new Int32Array(0), to: new Int32Array(0), identity: true };
  emitOriginal(text.length);
  return { text: out.join(''), from: Int32Array.from(from), to: Int32Array.from(to), identity: false };
}

/**
 * Reads one spoken number starting at word token k (never past token `last`): a unit, a teen,
 * "forty five", "double four", "four hundred (and) twelve". Returns its digits and the next token.
 */
function readWordNumber(toks: Tok[], k: number, last: number, text: string): { digits: string; next: number } {
  const w = toks[k]!.word;
  const wordAt = (n: number): string | undefined => (n <= last && !toks[n]!.isDigits ? toks[n]!.word : undefined);
  // The words of one number ("forty five") are said together: only plain spaces or a hyphen between them.
  const joined = (n: number): boolean => n <= last && /^(?:\s+|-)$/.test(text.slice(toks[n - 1]!.end, toks[n]!.start));

  if (w in REPEAT) {
    const times = REPEAT[w]!;
    const nextWord = wordAt(k + 1);
    if (nextWord !== undefined && nextWord in UNITS && joined(k + 1)) return { digits: UNITS[nextWord]!.repeat(times), next: k + 2 };
    return { digits: '', next: k + 1 };
  }
  if (w in UNITS) {
    const nextWord = wordAt(k + 1);
    if (nextWord === 'hundred' && joined(k + 1) && w !== 'oh' && w !== 'o') {
      const rest = readBelowHundred(toks, k + 2, last, text);
      return { digits: UNITS[w]! + (rest ? rest.digits.padStart(2, '0') : '00'), next: rest ? rest.next : k + 2 };
    }
    return { digits: UNITS[w]!, next: k + 1 };
  }
  if (w in TEENS) return { digits: TEENS[w]!, next: k + 1 };
  if (w in TENS) {
    const nextWord = wordAt(k + 1);
    if (nextWord !== undefined && nextWord in UNITS && UNITS[nextWord] !== '0' && joined(k + 1)) {
      return { digits: TENS[w]! + UNITS[nextWord]!, next: k + 2 };
    }
    return { digits: TENS[w]! + '0', next: k + 1 };
  }
  return { digits: '', next: k + 1 }; // a stray "hundred"
}

function readBelowHundred(toks: Tok[], k: number, last: number, text: string): { digits: string; next: number } | null {
  if (k > last || toks[k]!.isDigits) return null;
  if (!/^(?:\s+|-)$/.test(text.slice(toks[k - 1]!.end, toks[k]!.start))) return null;
  const w = toks[k]!.word;
  if (w in TEENS) return { digits: TEENS[w]!, next: k + 1 };
  if (w in TENS) {
    const n = toks[k + 1];
    if (k + 1 <= last && n && !n.isDigits && n.word in UNITS && UNITS[n.word] !== '0' && /^(?:\s+|-)$/.test(text.slice(toks[k]!.end, n.start))) {
      return { digits: TENS[w]! + UNITS[n.word]!, next: k + 2 };
    }
    return { digits: TENS[w]! + '0', next: k + 1 };
  }
  if (w in UNITS && UNITS[w] !== '0') return { digits: '0' + UNITS[w]!, next: k + 1 };
  return null;
}

/** Maps a normalised range [start, end) back to the original text. */
export function toOriginal(n: Normalised, start: number, end: number): { start: number; end: number } {
  if (n.identity) return { start, end };
  return { start: n.from[start]!, end: n.to[end - 1]! };
}
