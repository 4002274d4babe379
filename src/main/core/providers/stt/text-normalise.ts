/**
 * Turns written text into the words a caller would say, as PocketSphinx's dictionary spells
 * them: lowercase, digits spelled out, punctuation dropped. Used both to build the language
 * model and to compare transcripts (word error rate), so the two always agree.
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORDINAL_WORDS: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', four: 'fourth', five: 'fifth', six: 'sixth', seven: 'seventh',
  eight: 'eighth', nine: 'ninth', ten: 'tenth', eleven: 'eleventh', twelve: 'twelfth', thirteen: 'thirteenth',
  fourteen: 'fourteenth', fifteen: 'fifteenth', sixteen: 'sixteenth', seventeen: 'seventeenth',
  eighteen: 'eighteenth', nineteen: 'nineteenth', twenty: 'twentieth', thirty: 'thirtieth', forty: 'fortieth',
  fifty: 'fiftieth', sixty: 'sixtieth', seventy: 'seventieth', eighty: 'eightieth', ninety: 'ninetieth',
  hundred: 'hundredth', thousand: 'thousandth', million: 'millionth',
};
const CURRENCY: Record<string, string> = { '£': 'pounds', $: 'dollars', '€': 'euros' };

function underThousand(n: number): string {
  const parts: string[] = [];
  if (n >= 100) {
    parts.push(ONES[Math.floor(n / 100)]!, 'hundred');
    n %= 100;
    // British usage, which is how these callers speak: "one hundred and twenty".
    if (n > 0) parts.push('and');
  }
  if (n >= 20) {
    parts.push(TENS[Math.floor(n / 10)]!);
    if (n % 10) parts.push(ONES[n % 10]!);
  } else if (n > 0 || parts.length === 0) {
    parts.push(ONES[n]!);
  }
  return parts.join(' ');
}

/** Cardinal number in words: 42 -> "forty two", 1005 -> "one thousand and five". */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`numberToWords: unsupported number ${n}`);
  if (n < 1000) return underThousand(n);
  const parts: string[] = [];
  for (const [size, name] of [[1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']] as const) {
    if (n >= size) {
      parts.push(underThousand(Math.floor(n / size)), name);
      n %= size;
    }
  }
  if (n > 0) parts.push(n < 100 ? `and ${underThousand(n)}` : underThousand(n));
  return parts.join(' ');
}

/** 3 -> "third", 21 -> "twenty first". */
export function ordinalToWords(n: number): string {
  const words = numberToWords(n).split(' ');
  const last = words.pop()!;
  words.push(ORDINAL_WORDS[last] ?? `${last}th`);
  return words.join(' ');
}

/** Years are said in pairs: 1985 -> "nineteen eighty five", 2024 -> "twenty twenty four". */
function yearToWords(n: number): string {
  const high = Math.floor(n / 100);
  const low = n % 100;
  if (low === 0) return `${numberToWords(high)} hundred`;
  return `${numberToWords(high)} ${low < 10 ? `oh ${ONES[low]}` : numberToWords(low)}`;
}

function digitsToWords(digits: string): string {
  return [...digits].map((d) => ONES[Number(d)]).join(' ');
}

/**
 * How a run of digits is said: order and account numbers (5+ digits, or a leading zero)
 * digit by digit, plausible years in pairs, everything else as a cardinal.
 */
export function digitStringToWords(digits: string): string {
  if (digits.length >= 5 || (digits.length > 1 && digits.startsWith('0'))) return digitsToWords(digits);
  const n = Number(digits);
  if (digits.length === 4 && ((n >= 1100 && n < 2000) || (n >= 2010 && n < 2100))) return yearToWords(n);
  return numberToWords(n);
}

/** Expands the number-like tokens of lowercased text into words. */
function expandNumbers(text: string): string {
  return (
    text
      // Currency with an optional two-digit fraction: "£42.99" -> "forty two pounds ninety nine".
      .replace(/([£$€])\s?(\d[\d,]*)(?:\.(\d{2}))?\b/g, (_m, sym: string, whole: string, frac?: string) => {
        const amount = `${digitStringToWords(whole.replace(/,/g, ''))} ${CURRENCY[sym]}`;
        return ` ${amount}${frac && frac !== '00' ? ` ${numberToWords(Number(frac))}` : ''} `;
      })
      .replace(/\b(\d+)(st|nd|rd|th)\b/g, (_m, n: string) => ` ${ordinalToWords(Number(n))} `)
      .replace(/\b(\d{1,2}):(\d{2})\b/g, (_m, h: string, m: string) =>
        ` ${numberToWords(Number(h))} ${m === '00' ? "o'clock" : Number(m) < 10 ? `oh ${ONES[Number(m)]}` : numberToWords(Number(m))} `)
      .replace(/(\d)%/g, '$1 percent')
      // Thousands separators: "1,000" is one number.
      .replace(/\b(\d{1,3}(?:,\d{3})+)\b/g, (m) => m.replace(/,/g, ''))
      // Prices and amounts without a symbol: "42.99" -> "forty two ninety nine".
      .replace(/\b(\d+)\.(\d{2})\b/g, (_m, w: string, f: string) => ` ${digitStringToWords(w)} ${f === '00' ? '' : numberToWords(Number(f))} `)
      .replace(/\b(\d+)\.(\d+)\b/g, (_m, w: string, f: string) => ` ${digitStringToWords(w)} point ${digitsToWords(f)} `)
      .replace(/\d+/g, (m) => ` ${digitStringToWords(m)} `)
  );
}

/**
 * Splits text into sentences of spoken words. Sentence ends (. ! ? ; : and newlines) become
 * boundaries; all other punctuation is dropped; apostrophes inside words are kept
 * ("don't", "i'm") because the dictionary spells them that way.
 */
export function normaliseText(text: string): string[][] {
  const cleaned = expandNumbers(
    text
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc`]/g, "'")
      .replace(/&/g, ' and ')
      .replace(/\+/g, ' plus ')
      .replace(/@/g, ' at '),
  );
  const sentences: string[][] = [];
  // A full stop between letters (e.g. "e.g") is not a sentence end, but a full stop followed by space is.
  for (const chunk of cleaned.split(/[.!?;:\n\r]+(?=\s|$)|[!?;\n\r]+/)) {
    const words = chunk
      .split(/[^a-z']+/)
      .map((w) => w.replace(/^'+|'+$/g, ''))
      .filter((w) => w.length > 0);
    if (words.length > 0) sentences.push(words);
  }
  return sentences;
}

/** A transcript as one normalised line of words, for comparing hypotheses with references. */
export function normaliseTranscript(text: string): string {
  return normaliseText(text)
    .map((s) => s.join(' '))
    .join(' ');
}
