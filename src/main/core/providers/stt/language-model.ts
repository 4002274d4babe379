/**
 * Builds the domain-biased trigram language model (ARPA) and matching pronunciation
 * dictionary that make PocketSphinx usable on call-centre speech.
 *
 * Why: the generic en-us model gives 11-41% WER on telephone audio; a bigram model built from
 * what callers of this business actually say gives a few percent. A small weight of general
 * English unigrams is mixed in so sentences outside the corpus still decode.
 *
 * Corpus (whatever exists when the provider starts; other parts of the app write these), with
 * default count weights (DEFAULT_SOURCE_WEIGHTS):
 *   resources/stt/domain-phrases.txt       caller phrases                        3
 *   resources/scenarios/*.json              caller lines: turns[].say             3
 *   resources/intents.json                  intents[].examples (caller phrasing)  3
 *                                           replies, labels (assistant text)      0.5
 *   resources/knowledge-base/**\/*.md       article text                          1
 *
 * Estimation (buildArpa): interpolated trigram, Witten-Bell by default (Kneser-Ney and
 * absolute discounting are options), written as a standard ARPA backoff model whose
 * conditional distributions each sum to one; the unigram level mixes in 10% general English.
 * WER on test/fixtures/stt/sentences.txt, overall / in-corpus / held-out, default tuning:
 *   previous bigram (abs. discounting, 5% general, intents all weight 2):
 *                                      slt 27.3 / 8.7 / 43.1   rms  9.3 / 1.0 / 16.3
 *   trigram Kneser-Ney D 0.7:          slt 24.7 / 9.6 / 37.4   rms 10.1 / 2.9 / 16.3
 *   trigram Witten-Bell:               slt 22.5 / 4.8 / 37.4   rms  9.7 / 2.9 / 15.4
 *   + replies 0.5, general 10% (default): slt 22.5 / 4.8 / 37.4   rms  7.9 / 2.9 / 12.2
 * (bigram KN: slt 29.1, rms 9.7; trigram absolute: slt 22.9, rms 10.6; replies 0 or general
 * 20%: no better; caller weight 5: worse.) Differences of ~1 point are one or two words.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DICT_FILE } from './pocketsphinx-addon';
import { normaliseText } from './text-normalise';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../privacy/private-files';

/** Bump when the output format or the estimation changes, so caches rebuild. */
const BUILDER_VERSION = 4;

export type Smoothing = 'kneser-ney' | 'witten-bell' | 'absolute';

/** How much a sentence of each corpus source counts (a count multiplier; 0 drops the source). */
export interface SourceWeights {
  /** resources/stt/domain-phrases.txt */
  phrases: number;
  /** Caller lines of resources/scenarios/*.json */
  scenarios: number;
  /** intents.json `examples`: what callers say. */
  intentExamples: number;
  /** Every other string of intents.json: reply templates and labels (assistant text). */
  intentReplies: number;
  /** Knowledge-base articles (written prose). */
  knowledgeBase: number;
}

export interface LanguageModelOptions {
  /** N-gram order: 2 (bigram) or 3 (trigram). */
  order?: 2 | 3;
  smoothing?: Smoothing;
  /** Absolute discount subtracted from every (weighted) n-gram count (Kneser-Ney, absolute). */
  discount?: number;
  /** Weight of the general-English unigram distribution in the unigram mixture (0 disables). */
  generalWeight?: number;
  /** How many of the most frequent general-English words to include. */
  generalWords?: number;
  weights?: Partial<SourceWeights>;
}

export const DEFAULT_SOURCE_WEIGHTS: SourceWeights = { phrases: 3, scenarios: 3, intentExamples: 3, intentReplies: 0.5, knowledgeBase: 1 };

export const DEFAULT_LM_OPTIONS: Required<Omit<LanguageModelOptions, 'weights'>> & { weights: SourceWeights } = {
  order: 3,
  smoothing: 'witten-bell',
  discount: 0.7,
  generalWeight: 0.1,
  generalWords: 3000,
  weights: DEFAULT_SOURCE_WEIGHTS,
};

function resolveOptions(options: LanguageModelOptions = {}) {
  return { ...DEFAULT_LM_OPTIONS, ...options, weights: { ...DEFAULT_SOURCE_WEIGHTS, ...options.weights } };
}

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
  /** Number of n-grams of each order, unigrams first. */
  ngramCounts: number[];
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

/**
 * intents.json strings split by who says them: `examples` arrays are caller phrasing; replies,
 * labels and the rest are the assistant's text (and `{placeholders}`), which callers do not say.
 */
function intentStrings(value: unknown): { examples: string[]; other: string[] } {
  const examples: string[] = [];
  const other: string[] = [];
  const visit = (v: unknown, inExamples: boolean) => {
    if (typeof v === 'string') (inExamples ? examples : other).push(...jsonStrings(v));
    else if (Array.isArray(v)) for (const x of v) visit(x, inExamples);
    else if (v && typeof v === 'object') for (const [key, x] of Object.entries(v)) visit(x, inExamples || key === 'examples');
  };
  visit(value, false);
  return { examples, other };
}

/** Reads every corpus source under `resourcesDir` that exists (sources weighted 0 are left out). */
export function readCorpus(resourcesDir: string, sourceWeights: Partial<SourceWeights> = {}): WeightedText[] {
  const weights = { ...DEFAULT_SOURCE_WEIGHTS, ...sourceWeights };
  const corpus: WeightedText[] = [];
  const add = (source: string, text: string, weight: number) => {
    if (weight > 0) corpus.push({ source, text, weight });
  };
  const phrases = join(resourcesDir, 'stt', 'domain-phrases.txt');
  if (existsSync(phrases)) {
    const lines = readFileSync(phrases, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
    for (const text of lines) add('stt/domain-phrases.txt', `${text}.`, weights.phrases);
  }
  for (const path of walkFiles(join(resourcesDir, 'scenarios'), '.json')) {
    for (const text of scenarioCallerLines(readJson(path))) add(path, `${text}.`, weights.scenarios);
  }
  const intents = join(resourcesDir, 'intents.json');
  if (existsSync(intents)) {
    const { examples, other } = intentStrings(readJson(intents));
    for (const text of examples) add('intents.json#examples', `${text}.`, weights.intentExamples);
    for (const text of other) add('intents.json', `${text.replace(/\{\w+\}/g, ' qqplaceholderqq ')}.`, weights.intentReplies); // OOV: breaks the n-gram chain
  }
  for (const path of walkFiles(join(resourcesDir, 'knowledge-base'), '.md')) {
    add(path, markdownToText(readFileSync(path, 'utf8')), weights.knowledgeBase);
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
  /** Number of n-grams of each order, unigrams first. */
  ngramCounts: number[];
}

const SEP = ' ';
const UNK = '<unk>';

/** Sorts n-gram keys word by word (ARPA readers expect a stable order). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Estimates an interpolated n-gram model (order 2 or 3) and writes it as a standard ARPA
 * backoff model. `sentences` are token lists where `null` marks an out-of-vocabulary word: it
 * breaks the n-gram chain without pretending a sentence ended. Counts are weighted (a caller
 * phrase of weight 3 counts as three occurrences).
 *
 * Every order above the unigram is interpolated with the next lower order:
 *   P(w|h) = a(h,w) / c(h) + g(h) P(w|h'),  g(h) = 1 - sum_w a(h,w) / c(h)
 * where h' drops the oldest word of h and
 *   kneser-ney:  a = max(c(h,w) - D, 0); below the top order c() are continuation counts,
 *                the summed weights of the distinct words seen before the n-gram (raw counts
 *                for n-grams starting with <s>, which have no left context)
 *   absolute:    the same with raw counts at every order
 *   witten-bell: a = c(h,w) * c(h) / (c(h) + N1+(h .)), raw counts.
 * In ARPA form a seen n-gram stores the interpolated P(w|h) and the context h stores g(h) as
 * its backoff weight; an unseen w then gets exactly g(h) P(w|h'), so each conditional
 * distribution sums to one. The unigram level is a mixture of the domain unigram
 * distribution and `generalWeight` of general English.
 */
export function buildArpa(
  sentences: ReadonlyArray<{ tokens: ReadonlyArray<string | null>; weight: number }>,
  general: ReadonlyMap<string, number> = new Map(),
  options: LanguageModelOptions = {},
): ArpaResult {
  const { order, smoothing, discount, generalWeight } = resolveOptions(options);
  if (order !== 2 && order !== 3) throw new RangeError(`order must be 2 or 3, got ${order}`);
  // raw[n-1]: weighted count of each n-gram; left[n-1]: n-gram -> (left neighbour -> max weight).
  const raw = Array.from({ length: order }, () => new Map<string, number>());
  const left = Array.from({ length: order }, () => new Map<string, Map<string, number>>());
  for (const { tokens, weight } of sentences) {
    if (!(weight > 0) || !tokens.some((t) => t !== null)) continue;
    const seq = [BOS, ...tokens, EOS];
    for (let i = 1; i < seq.length; i++) {
      for (let n = 1; n <= order && i - n + 1 >= 0; n++) {
        const gram = seq.slice(i - n + 1, i + 1);
        if (gram.some((t) => t === null)) break; // longer n-grams contain the same gap
        const key = gram.join(SEP);
        raw[n - 1]!.set(key, (raw[n - 1]!.get(key) ?? 0) + weight);
        if (i - n >= 0 && n < order) {
          const x = seq[i - n] ?? UNK; // an OOV word is still a distinct left context
          let m = left[n - 1]!.get(key);
          if (!m) left[n - 1]!.set(key, (m = new Map()));
          m.set(x, Math.max(m.get(x) ?? 0, weight));
        }
        if (gram[0] === BOS) break;
      }
    }
  }

  // The counts each order is estimated from.
  const counts = raw.map((m, idx) => {
    const n = idx + 1;
    if (smoothing !== 'kneser-ney' || n === order) return m;
    const out = new Map<string, number>();
    for (const [key, c] of m) {
      const l = left[idx]!.get(key);
      out.set(key, key.startsWith(`${BOS}${SEP}`) || !l ? c : [...l.values()].reduce((s, v) => s + v, 0));
    }
    return out;
  });

  // Unigrams: domain distribution (from counts[0]) mixed with general English.
  const uniCounts = counts[0]!;
  let total = 0;
  for (const c of uniCounts.values()) total += c;
  const vocabulary = new Set<string>([...uniCounts.keys()].filter((w) => w !== EOS));
  const mixGeneral = generalWeight > 0 && general.size > 0 && total > 0;
  let generalTotal = 0;
  if (mixGeneral) {
    for (const [w, p] of general) {
      if (w === EOS || w === BOS) continue;
      vocabulary.add(w);
      generalTotal += p;
    }
  }
  const prob: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  const backoff: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  for (const w of [...vocabulary, EOS]) {
    const domain = total > 0 ? (uniCounts.get(w) ?? 0) / total : 0;
    const gen = mixGeneral && w !== EOS ? (general.get(w) ?? 0) / generalTotal : 0;
    prob[0]!.set(w, mixGeneral ? (1 - generalWeight) * domain + generalWeight * gen : domain);
  }

  /** P(w | context words) of the finished lower orders, following backoffs like a decoder. */
  const lookup = (context: string[], w: string): number => {
    for (let k = 0; ; k++) {
      const ctx = context.slice(k);
      const n = ctx.length + 1;
      const p = prob[n - 1]!.get([...ctx, w].join(SEP));
      if (p !== undefined) {
        let bo = 1;
        for (let j = 0; j < k; j++) bo *= backoff[context.length - j - 1]!.get(context.slice(j).join(SEP)) ?? 1;
        return bo * p;
      }
      if (ctx.length === 0) return 0;
    }
  };

  for (let n = 2; n <= order; n++) {
    const byContext = new Map<string, [string, number][]>();
    for (const [key, c] of counts[n - 1]!) {
      const cut = key.lastIndexOf(SEP);
      const h = key.slice(0, cut);
      let list = byContext.get(h);
      if (!list) byContext.set(h, (list = []));
      list.push([key.slice(cut + 1), c]);
    }
    for (const [h, followers] of byContext) {
      const ch = followers.reduce((s, [, c]) => s + c, 0);
      const kept = followers.map(([w, c]): [string, number] => [
        w,
        smoothing === 'witten-bell' ? (c * ch) / (ch + followers.length) : Math.max(c - discount, 0),
      ]);
      const gamma = 1 - kept.reduce((s, [, a]) => s + a, 0) / ch;
      backoff[n - 2]!.set(h, gamma);
      const lower = h.split(SEP).slice(1);
      for (const [w, a] of kept) prob[n - 1]!.set(`${h}${SEP}${w}`, Math.min(1, a / ch + gamma * lookup(lower, w)));
    }
  }

  const sections: string[][] = [];
  const unigramLines = [`-99 ${BOS} ${log10(backoff[0]!.get(BOS) ?? 1)}`];
  for (const w of [EOS, ...[...vocabulary].sort()]) {
    const p = log10(prob[0]!.get(w) ?? 0);
    unigramLines.push(w === EOS ? `${p} ${EOS}` : `${p} ${w} ${log10(backoff[0]!.get(w) ?? 1)}`);
  }
  sections.push(unigramLines);
  for (let n = 2; n <= order; n++) {
    const lines: string[] = [];
    for (const key of [...prob[n - 1]!.keys()].sort(compareKeys)) {
      const bo = n < order && !key.endsWith(`${SEP}${EOS}`) ? ` ${log10(backoff[n - 1]!.get(key) ?? 1)}` : '';
      lines.push(`${log10(prob[n - 1]!.get(key)!)} ${key}${bo}`);
    }
    sections.push(lines);
  }
  const arpa = [
    '\\data\\',
    ...sections.map((s, i) => `ngram ${i + 1}=${s.length}`),
    '',
    ...sections.flatMap((s, i) => [`\\${i + 1}-grams:`, ...s, '']),
    '\\end\\',
    '',
  ].join('\n');
  return { arpa, vocabulary, ngramCounts: sections.map((s) => s.length) };
}

/** The model as a bigram (kept for callers of the earlier builder). */
export function buildBigramArpa(
  sentences: ReadonlyArray<{ tokens: ReadonlyArray<string | null>; weight: number }>,
  general: ReadonlyMap<string, number> = new Map(),
  options: LanguageModelOptions = {},
): ArpaResult {
  return buildArpa(sentences, general, { ...options, order: 2 });
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
  const options = resolveOptions(opts.options);
  const cmudictPath = opts.cmudictPath ?? DEFAULT_DICT_FILE;
  const corpus = readCorpus(opts.resourcesDir, options.weights);
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
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { vocabularySize: number; ngramCounts: number[] };
    return { lmPath, dictPath, ...meta, fromCache: true };
  }

  const dict = parseDictionary(readFileSync(cmudictPath, 'utf8'));
  const { sentences } = tokeniseCorpus(corpus, dict);
  const general = new Map([...readGeneralUnigrams(generalPath, options.generalWords)].filter(([w]) => dict.has(w)));
  const { arpa, vocabulary, ngramCounts } = buildArpa(sentences, general, options);
  if (vocabulary.size === 0) throw new Error(`no speech corpus found under ${opts.resourcesDir} (resources/stt/domain-phrases.txt)`);

  // Write to a temporary folder and rename, so a concurrent reader never sees half a model.
  // The cache lives in the data folder, where everything is this user's alone (issue 10).
  mkdirSync(opts.cacheDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true, mode: PRIVATE_DIR_MODE });
  writeFileSync(join(tmp, 'domain.lm'), arpa, { mode: PRIVATE_FILE_MODE });
  writeFileSync(join(tmp, 'domain.dict'), formatDictionary(vocabulary, dict), { mode: PRIVATE_FILE_MODE });
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify({ vocabularySize: vocabulary.size, ngramCounts }), { mode: PRIVATE_FILE_MODE });
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process built the same model first; theirs is identical.
    rmSync(tmp, { recursive: true, force: true });
  }
  return { lmPath, dictPath, vocabularySize: vocabulary.size, ngramCounts, fromCache: false };
}
