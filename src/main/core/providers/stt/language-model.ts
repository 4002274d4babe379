/**
 * Builds the domain-biased bigram language model (ARPA) and matching pronunciation
 * dictionary that make PocketSphinx usable on call-centre speech.
 *
 * Why: the generic en-us model gives 11-41% WER on telephone audio; a bigram model built from
 * what callers of this business actually say gives a few percent. A small weight of general
 * English unigrams is mixed in so sentences outside the corpus still decode.
 *
 * Corpus (whatever exists when the provider starts; other parts of the app write these):
 *   resources/stt/domain-phrases.txt       caller phrases (weighted highest)
 *   resources/scenarios/*.json              caller lines: turns[].say
 *   resources/intents.json                  every string value
 *   resources/knowledge-base/**\/*.md       article text
 *
 * Smoothing: interpolated absolute discounting, written as a standard ARPA backoff model
 * (the stored bigram probability already includes the interpolated lower order, and the
 * context's backoff weight is exactly the mass reserved by discounting), so every
 * conditional distribution sums to one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DICT_FILE } from './pocketsphinx-addon';
import { normaliseText } from './text-normalise';

/** Bump when the output format or the estimation changes, so caches rebuild. */
const BUILDER_VERSION = 3;

export interface LanguageModelOptions {
  /** Weight of the general-English unigram distribution in the mixture (0 disables). */
  generalWeight?: number;
  /** How many of the most frequent general-English words to include. */
  generalWords?: number;
  /** Absolute discount subtracted from every bigram count. */
  discount?: number;
}

export const DEFAULT_LM_OPTIONS: Required<LanguageModelOptions> = { generalWeight: 0.05, generalWords: 3000, discount: 0.7 };

/** A sentence of the corpus with how much it counts (caller phrasing counts more than articles). */
export interface WeightedText {
  source: string;
  text: string;
  weight: number;
}

export interface BuiltLanguageModel {
  lmPath: string;
  dictPath: string;
  /** Words in the model (excluding <s> and </s>). */
  vocabularySize: number;
  bigramCount: number;
  fromCache: boolean;
}

// ---------------------------------------------------------------- corpus

function walkFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(path, suffix));
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out.sort();
}

/** Markdown to plain prose: keep the words, drop markup, links' targets and code. */
export function markdownToText(md: string): string {
  return md
    .replace(/^---\n[\s\S]*?\n---\n/, '') // front matter
    .replace(/```[\s\S]*?```/g, '\n')
    .replace(/`[^`]*`/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/^\s{0,3}#{1,6}\s*/gm, '')
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, '')
    .replace(/[*_~>|]/g, ' ')
    .replace(/\n/g, '.\n'); // headings, list items and table rows are separate sentences
}

/** Every string value in a JSON document except identifiers ("billing_dispute", "kb.refunds"). */
function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (!/^[\w.-]+$/.test(value) || !/[_.]/.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) jsonStrings(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) jsonStrings(v, out);
  }
  return out;
}

/** Caller lines of a scenario: the `say` of every entry of any `turns` array. */
function scenarioCallerLines(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) scenarioCallerLines(v, out);
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'turns' && Array.isArray(v)) {
        for (const turn of v) {
          const say = (turn as { say?: unknown } | null)?.say;
          if (typeof say === 'string') out.push(say);
        }
      } else {
        scenarioCallerLines(v, out);
      }
    }
  }
  return out;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // a file another engineer is mid-way through writing: skip it
  }
}

/** Reads every corpus source under `resourcesDir` that exists. */
export function readCorpus(resourcesDir: string): WeightedText[] {
  const corpus: WeightedText[] = [];
  const phrases = join(resourcesDir, 'stt', 'domain-phrases.txt');
  if (existsSync(phrases)) {
    const lines = readFileSync(phrases, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
    for (const text of lines) corpus.push({ source: 'stt/domain-phrases.txt', text: `${text}.`, weight: 3 });
  }
  for (const path of walkFiles(join(resourcesDir, 'scenarios'), '.json')) {
    for (const text of scenarioCallerLines(readJson(path))) corpus.push({ source: path, text: `${text}.`, weight: 3 });
  }
  const intents = join(resourcesDir, 'intents.json');
  if (existsSync(intents)) {
    for (const text of jsonStrings(readJson(intents))) corpus.push({ source: 'intents.json', text: `${text}.`, weight: 2 });
  }
  for (const path of walkFiles(join(resourcesDir, 'knowledge-base'), '.md')) {
    corpus.push({ source: path, text: markdownToText(readFileSync(path, 'utf8')), weight: 1 });
  }
  return corpus;
}

// ---------------------------------------------------------------- dictionary

export type Pronunciations = Map<string, string[]>;

/** Parses cmudict-en-us.dict ("word PH ON ES", alternates as "word(2) ..."). */
export function parseDictionary(text: string): Pronunciations {
  const dict: Pronunciations = new Map();
  for (const line of text.split('\n')) {
    const match = /^(\S+?)(?:\(\d+\))?\s+(.+?)\s*$/.exec(line);
    if (!match || line.startsWith(';;;')) continue;
    const [, word, phones] = match as unknown as [string, string, string];
    const list = dict.get(word);
    if (list) list.push(phones);
    else dict.set(word, [phones]);
  }
  return dict;
}

function formatDictionary(words: Iterable<string>, dict: Pronunciations): string {
  const lines: string[] = [];
  for (const word of [...words].sort()) {
    (dict.get(word) ?? []).forEach((phones, i) => lines.push(`${i === 0 ? word : `${word}(${i + 1})`} ${phones}`));
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- estimation

const BOS = '<s>';
const EOS = '</s>';

function log10(p: number): string {
  return p > 0 ? Math.log10(p).toFixed(5) : '-99';
}

export interface ArpaResult {
  arpa: string;
  /** Words in the model other than <s> and </s>. */
  vocabulary: Set<string>;
  bigramCount: number;
}

/**
 * Estimates the bigram model. `sentences` are token lists where `null` marks an
 * out-of-vocabulary word: it breaks the bigram chain without pretending a sentence ended.
 */
export function buildBigramArpa(
  sentences: ReadonlyArray<{ tokens: ReadonlyArray<string | null>; weight: number }>,
  general: ReadonlyMap<string, number> = new Map(),
  options: LanguageModelOptions = {},
): ArpaResult {
  const { generalWeight, discount } = { ...DEFAULT_LM_OPTIONS, ...options };
  const unigram = new Map<string, number>();
  const bigram = new Map<string, Map<string, number>>();
  let total = 0;
  const addBigram = (v: string, w: string, c: number) => {
    let next = bigram.get(v);
    if (!next) bigram.set(v, (next = new Map()));
    next.set(w, (next.get(w) ?? 0) + c);
  };
  for (const { tokens, weight } of sentences) {
    if (!tokens.some((t) => t !== null)) continue;
    const seq = [BOS, ...tokens, EOS];
    for (let i = 1; i < seq.length; i++) {
      const w = seq[i];
      if (w === null || w === undefined) continue;
      unigram.set(w, (unigram.get(w) ?? 0) + weight);
      total += weight;
      const v = seq[i - 1];
      if (v !== null && v !== undefined) addBigram(v, w, weight);
    }
  }

  // Unigram mixture: domain relative frequencies plus a little general English.
  const vocabulary = new Set<string>([...unigram.keys()].filter((w) => w !== EOS));
  const mixGeneral = generalWeight > 0 && general.size > 0 && total > 0;
  if (mixGeneral) for (const w of general.keys()) vocabulary.add(w);
  let generalTotal = 0;
  if (mixGeneral) for (const p of general.values()) generalTotal += p;
  const uni = new Map<string, number>();
  for (const w of [...vocabulary, EOS]) {
    const domain = total > 0 ? (unigram.get(w) ?? 0) / total : 0;
    const gen = mixGeneral && w !== EOS ? (general.get(w) ?? 0) / generalTotal : 0;
    uni.set(w, mixGeneral ? (1 - generalWeight) * domain + generalWeight * gen : domain);
  }

  // Interpolated absolute discounting, stored as backoff: for seen (v,w)
  // P(w|v) = (c(v,w) - D)/c(v) + bow(v) P(w), with bow(v) = D * N1+(v .) / c(v).
  const bigramLines: string[] = [];
  const backoff = new Map<string, number>();
  for (const [v, next] of [...bigram.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let cv = 0;
    for (const c of next.values()) cv += c;
    const d = Math.min(discount, ...next.values());
    const bow = (d * next.size) / cv;
    backoff.set(v, bow);
    for (const [w, c] of [...next.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const p = (c - d) / cv + bow * (uni.get(w) ?? 0);
      bigramLines.push(`${log10(Math.min(p, 1))} ${v} ${w}`);
    }
  }

  const unigramLines = [`-99 ${BOS} ${log10(backoff.get(BOS) ?? 1)}`];
  for (const w of [EOS, ...[...vocabulary].sort()]) {
    const p = log10(Math.min(uni.get(w) ?? 0, 1));
    unigramLines.push(w === EOS ? `${p} ${EOS}` : `${p} ${w} ${log10(backoff.get(w) ?? 1)}`);
  }
  const arpa = [
    '\\data\\',
    `ngram 1=${unigramLines.length}`,
    `ngram 2=${bigramLines.length}`,
    '',
    '\\1-grams:',
    ...unigramLines,
    '',
    '\\2-grams:',
    ...bigramLines,
    '',
    '\\end\\',
    '',
  ].join('\n');
  return { arpa, vocabulary, bigramCount: bigramLines.length };
}

/** Reads resources/stt/general-english-unigrams.txt ("log10prob<TAB>word"), top `limit` words. */
export function readGeneralUnigrams(path: string, limit: number): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (out.size >= limit) break;
    const [logp, word] = line.split('\t');
    if (!word || line.startsWith('#')) continue;
    out.set(word.trim(), 10 ** Number(logp));
  }
  return out;
}

/** Normalises the corpus into token lists, marking words the dictionary cannot say as null. */
export function tokeniseCorpus(corpus: readonly WeightedText[], dict: Pronunciations) {
  const sentences: { tokens: (string | null)[]; weight: number }[] = [];
  let oov = 0;
  for (const { text, weight } of corpus) {
    for (const words of normaliseText(text)) {
      const tokens = words.map((w) => (dict.has(w) ? w : null));
      oov += tokens.filter((t) => t === null).length;
      sentences.push({ tokens, weight });
    }
  }
  return { sentences, oov };
}

// ---------------------------------------------------------------- build + cache

/**
 * Builds (or reuses from `cacheDir`) the language model and dictionary for the corpus under
 * `resourcesDir`. The cache key hashes the corpus, the general word list, the options and
 * the builder version, so any edit to the knowledge base rebuilds it.
 */
export function buildDomainLanguageModel(opts: {
  resourcesDir: string;
  cacheDir: string;
  cmudictPath?: string;
  options?: LanguageModelOptions;
}): BuiltLanguageModel {
  const options = { ...DEFAULT_LM_OPTIONS, ...opts.options };
  const cmudictPath = opts.cmudictPath ?? DEFAULT_DICT_FILE;
  const corpus = readCorpus(opts.resourcesDir);
  const generalPath = join(opts.resourcesDir, 'stt', 'general-english-unigrams.txt');
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ v: BUILDER_VERSION, options, cmudictPath }));
  for (const { source, text, weight } of corpus) hash.update(`\0${source}\0${weight}\0${text}`);
  if (existsSync(generalPath)) hash.update(readFileSync(generalPath));
  const key = hash.digest('hex').slice(0, 16);

  const dir = join(opts.cacheDir, `pocketsphinx-lm-${key}`);
  const lmPath = join(dir, 'domain.lm');
  const dictPath = join(dir, 'domain.dict');
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath) && existsSync(lmPath) && existsSync(dictPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { vocabularySize: number; bigramCount: number };
    return { lmPath, dictPath, ...meta, fromCache: true };
  }

  const dict = parseDictionary(readFileSync(cmudictPath, 'utf8'));
  const { sentences } = tokeniseCorpus(corpus, dict);
  const general = new Map([...readGeneralUnigrams(generalPath, options.generalWords)].filter(([w]) => dict.has(w)));
  const { arpa, vocabulary, bigramCount } = buildBigramArpa(sentences, general, options);
  if (vocabulary.size === 0) throw new Error(`no speech corpus found under ${opts.resourcesDir} (resources/stt/domain-phrases.txt)`);

  // Write to a temporary folder and rename, so a concurrent reader never sees half a model.
  mkdirSync(opts.cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'domain.lm'), arpa);
  writeFileSync(join(tmp, 'domain.dict'), formatDictionary(vocabulary, dict));
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify({ vocabularySize: vocabulary.size, bigramCount }));
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process built the same model first; theirs is identical.
    rmSync(tmp, { recursive: true, force: true });
  }
  return { lmPath, dictPath, vocabularySize: vocabulary.size, bigramCount, fromCache: false };
}
