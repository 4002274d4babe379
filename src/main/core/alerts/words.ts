/**
 * How alert rules read a line: split into words exactly as the store's full-text index does
 * (FTS5 `unicode61 remove_diacritics 2`: letters and digits make words, everything else
 * separates them, accents folded) and Porter-stemmed as its `porter` tokenizer does (the same
 * stem() the knowledge base and intents use). A phrase then matches a live line exactly when
 * the index would find it, which lets the backtest narrow stored lines with an FTS query and
 * confirm them with this same code.
 */
import { STOP_WORDS, stem } from '../assist/text';

/** Lowercase words with accents folded, as FTS5's unicode61 tokenizer splits them. */
export function indexWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter((w) => w !== '');
}

export function stemmedWords(text: string): string[] {
  return indexWords(text).map(stem);
}

/** A phrase ready to match: its stemmed words. */
export interface PhraseMatcher {
  phrase: string;
  words: readonly string[];
}

export function phraseMatchers(phrases: readonly string[]): PhraseMatcher[] {
  return phrases.map((phrase) => ({ phrase, words: stemmedWords(phrase) })).filter((m) => m.words.length > 0);
}

/** The first phrase whose words appear, in order and next to each other, in `lineWords`. */
export function findPhrase(matchers: readonly PhraseMatcher[], lineWords: readonly string[]): PhraseMatcher | null {
  for (const matcher of matchers) {
    const n = matcher.words.length;
    for (let i = 0; i + n <= lineWords.length; i++) {
      let all = true;
      for (let j = 0; j < n && all; j++) all = lineWords[i + j] === matcher.words[j];
      if (all) return matcher;
    }
  }
  return null;
}

/** The FTS5 query that finds every line any of these phrases could match (each a quoted phrase, OR-ed). */
export function phrasesFtsQuery(phrases: readonly string[]): string | null {
  const parts = phrases.map((p) => indexWords(p)).filter((w) => w.length > 0).map((w) => `"${w.join(' ')}"`);
  return parts.length === 0 ? null : parts.join(' OR ');
}

/**
 * The words that say what a line is about (stemmed, without filler and one-letter pieces such
 * as the "m" of "I'm"), for telling whether two lines say the same thing.
 */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const word of indexWords(text)) {
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    words.add(stem(word));
  }
  return words;
}

/** Jaccard overlap of two word sets (1 = the same words). */
export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}
