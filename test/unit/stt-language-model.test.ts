import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildArpa, buildBigramArpa, buildDomainLanguageModel, markdownToText, parseDictionary, readCorpus } from '../../src/main/core/providers/stt/language-model';

interface Arpa {
  counts: number[];
  unigrams: { logp: number; word: string; bow: number | null }[];
  bigrams: { logp: number; v: string; w: string }[];
}

/** A strict reader for the subset of ARPA we write. */
function parseArpa(text: string): Arpa {
  const lines = text.split('\n');
  expect(lines[0]).toBe('\\data\\');
  expect(text.trimEnd().endsWith('\\end\\')).toBe(true);
  const counts = lines.filter((l) => l.startsWith('ngram ')).map((l) => Number(l.split('=')[1]));
  const section = (name: string) => {
    const start = lines.indexOf(name) + 1;
    const out: string[] = [];
    for (let i = start; i < lines.length && lines[i] !== ''; i++) out.push(lines[i]!);
    return out;
  };
  const unigrams = section('\\1-grams:').map((l) => {
    const [p, word, bow] = l.split(' ');
    return { logp: Number(p), word: word!, bow: bow === undefined ? null : Number(bow) };
  });
  const bigrams = section('\\2-grams:').map((l) => {
    const [p, v, w] = l.split(' ');
    return { logp: Number(p), v: v!, w: w! };
  });
  return { counts, unigrams, bigrams };
}

const tokens = (s: string) => ({ tokens: s.split(' ').map((w) => (w === '_' ? null : w)), weight: 1 });

describe('bigram ARPA builder', () => {
  const corpus = ['i want a refund', 'i want to cancel', 'my internet is slow', 'i was charged twice', 'i want _ refund'].map(tokens);

  it('writes a well-formed model: counts match, log10 probabilities <= 0, backoffs present', () => {
    const arpa = parseArpa(buildBigramArpa(corpus).arpa);
    expect(arpa.counts).toEqual([arpa.unigrams.length, arpa.bigrams.length]);
    expect(arpa.unigrams.map((u) => u.word)).toContain('<s>');
    expect(arpa.unigrams.map((u) => u.word)).toContain('</s>');
    for (const u of arpa.unigrams) {
      expect(u.logp).toBeLessThanOrEqual(0);
      if (u.word !== '</s>') expect(u.bow).not.toBeNull();
    }
    for (const b of arpa.bigrams) expect(b.logp).toBeLessThanOrEqual(0);
    // Contexts with followers reserve mass for unseen words: a negative log backoff.
    expect(arpa.unigrams.find((u) => u.word === 'want')!.bow).toBeLessThan(0);
    expect(arpa.unigrams.find((u) => u.word === '<s>')!.bow).toBeLessThan(0);
  });

  it('every conditional distribution sums to one', () => {
    const arpa = parseArpa(buildBigramArpa(corpus, new Map([['hello', 0.01], ['the', 0.05]]), { generalWeight: 0.1 }).arpa);
    const uni = new Map(arpa.unigrams.map((u) => [u.word, u]));
    const vocab = arpa.unigrams.filter((u) => u.word !== '<s>');
    const uniSum = vocab.reduce((s, u) => s + 10 ** u.logp, 0);
    expect(uniSum).toBeCloseTo(1, 3);
    for (const v of ['<s>', 'i', 'want']) {
      const seen = new Map(arpa.bigrams.filter((b) => b.v === v).map((b) => [b.w, 10 ** b.logp]));
      const bow = 10 ** uni.get(v)!.bow!;
      const total = vocab.reduce((s, u) => s + (seen.get(u.word) ?? bow * 10 ** u.logp), 0);
      expect(total).toBeCloseTo(1, 3);
    }
  });

  it('does not invent bigrams across out-of-vocabulary words', () => {
    const { arpa } = buildBigramArpa([tokens('i want _ refund')]);
    expect(arpa).not.toMatch(/ want refund$/m);
    expect(arpa).not.toMatch(/ <s> refund$/m);
    expect(arpa).toMatch(/ refund <\/s>$/m);
  });

  it('mixes in general English words', () => {
    const { vocabulary } = buildBigramArpa(corpus, new Map([['weather', 1e-4]]), { generalWeight: 0.05 });
    expect(vocabulary.has('weather')).toBe(true);
    expect(buildBigramArpa(corpus, new Map([['weather', 1e-4]]), { generalWeight: 0 }).vocabulary.has('weather')).toBe(false);
  });
});

/** Any-order ARPA: n-gram -> [log10 p, log10 backoff]. */
function parseNgrams(text: string): { order: number; grams: Map<string, [number, number]> } {
  const grams = new Map<string, [number, number]>();
  let n = 0;
  const declared: number[] = [];
  const seen: number[] = [];
  for (const line of text.split('\n')) {
    const header = /^\\(\d)-grams:$/.exec(line);
    if (header) {
      n = Number(header[1]);
      seen[n - 1] = 0;
      continue;
    }
    if (line.startsWith('ngram ')) declared.push(Number(line.split('=')[1]));
    if (!n || !line.trim() || line.startsWith('\\')) continue;
    const parts = line.split(' ');
    expect(parts.length === n + 1 || parts.length === n + 2).toBe(true);
    grams.set(parts.slice(1, n + 1).join(' '), [Number(parts[0]), parts.length === n + 2 ? Number(parts[n + 1]) : 0]);
    seen[n - 1]!++;
  }
  expect(seen).toEqual(declared);
  return { order: declared.length, grams };
}

/** log10 P(w | context) the way a decoder reads an ARPA backoff model. */
function arpaLogProb(grams: Map<string, [number, number]>, context: string[], w: string): number {
  let bo = 0;
  for (let k = 0; k <= context.length; k++) {
    const ctx = context.slice(k);
    const hit = grams.get([...ctx, w].join(' '));
    if (hit) return bo + hit[0];
    bo += grams.get(ctx.join(' '))?.[1] ?? 0;
  }
  return -Infinity;
}

describe('trigram ARPA builder', () => {
  const corpus = [
    'i want a refund', 'i want to cancel my contract', 'i want to cancel', 'my internet is slow', 'my internet is down again',
    'i was charged twice', 'i want _ refund', 'is my internet down', 'cancel my order please',
  ].map(tokens);
  const general = new Map([['hello', 0.01], ['the', 0.05], ['want', 0.002]]);

  for (const smoothing of ['kneser-ney', 'witten-bell', 'absolute'] as const) {
    it(`${smoothing}: every conditional distribution sums to one (unigram, bigram and trigram contexts)`, () => {
      const heavy = [...corpus, { ...tokens('i want to cancel my contract'), weight: 3 }];
      const { arpa, vocabulary } = buildArpa(heavy, general, { order: 3, smoothing, discount: 0.7, generalWeight: 0.1 });
      const { order, grams } = parseNgrams(arpa);
      expect(order).toBe(3);
      const words = [...vocabulary, '</s>'];
      const contexts = [[], ['<s>'], ['want'], ['my'], ['<s>', 'i'], ['i', 'want'], ['want', 'to'], ['my', 'internet'], ['cancel', 'my'], ['the', 'refund']];
      for (const context of contexts) {
        const total = words.reduce((s, w) => s + 10 ** arpaLogProb(grams, context, w), 0);
        expect(total, `context "${context.join(' ')}"`).toBeCloseTo(1, 4);
      }
      // The trigram remembers two words of context: "to" after "i want" is likelier than after "<s>".
      expect(arpaLogProb(grams, ['i', 'want'], 'to')).toBeGreaterThan(arpaLogProb(grams, ['<s>'], 'to'));
      // Every trigram's two prefixes exist as bigrams (PocketSphinx needs the context's backoff).
      for (const key of grams.keys()) {
        const k = key.split(' ');
        if (k.length === 3) {
          expect(grams.has(k.slice(0, 2).join(' ')), key).toBe(true);
          expect(grams.has(k.slice(1).join(' ')), key).toBe(true);
        }
      }
    });
  }

  it('does not invent trigrams across out-of-vocabulary words', () => {
    const { grams } = parseNgrams(buildArpa([tokens('i want _ a refund')], new Map(), { order: 3 }).arpa);
    expect([...grams.keys()].filter((k) => k.includes('want a') || k.includes('want refund'))).toEqual([]);
    expect(grams.has('a refund </s>')).toBe(true);
    expect(grams.has('<s> i want')).toBe(true);
  });
});

describe('domain language model from resources', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every corpus source, keeps only dictionary words and caches by corpus hash', () => {
    dir = mkdtempSync(join(tmpdir(), 'lm-test-'));
    const resources = join(dir, 'resources');
    mkdirSync(join(resources, 'stt'), { recursive: true });
    mkdirSync(join(resources, 'knowledge-base', 'billing'), { recursive: true });
    mkdirSync(join(resources, 'scenarios'), { recursive: true });
    writeFileSync(join(resources, 'stt', 'domain-phrases.txt'), '# comment\nmy router is broken\n');
    writeFileSync(join(resources, 'knowledge-base', 'billing', 'refunds.md'), '# Refunds\n\nWe refund [double charges](http://x) within 5 days.\n');
    writeFileSync(join(resources, 'intents.json'), JSON.stringify({ intents: [{ id: 'cancel_contract', examples: ['cancel my xyzzyq contract'] }] }));
    writeFileSync(join(resources, 'scenarios', 'a.json'), JSON.stringify({ turns: [{ say: 'Hello, is anyone there?' }] }));
    writeFileSync(join(resources, 'scenarios', 'broken.json'), '{ "turns": [');
    const cmudict = join(dir, 'dict');
    writeFileSync(
      cmudict,
      ['my M AY', 'router R AW T ER', 'router(2) R UW T ER', 'is IH Z', 'broken B R OW K AH N', 'we W IY', 'refund R IH F AH N D',
        'double D AH B AH L', 'charges CH AA R JH AH Z', 'within W IH DH IH N', 'five F AY V', 'days D EY Z', 'refunds R IH F AH N D Z',
        'cancel K AE N S AH L', 'contract K AA N T R AE K T', 'hello HH AH L OW', 'anyone EH N IY W AH N', 'there DH EH R', 'unused AH N Y UW Z D'].join('\n'),
    );
    const cacheDir = join(dir, 'cache');
    const built = buildDomainLanguageModel({ resourcesDir: resources, cacheDir, cmudictPath: cmudict });
    expect(built.fromCache).toBe(false);
    const dict = parseDictionary(readFileSync(built.dictPath, 'utf8'));
    expect([...dict.keys()].sort()).toEqual(
      ['anyone', 'broken', 'cancel', 'charges', 'contract', 'days', 'double', 'five', 'hello', 'is', 'my', 'refund', 'refunds', 'router', 'there', 'we', 'within'],
    );
    expect(dict.get('router')).toHaveLength(2);
    const arpa = parseArpa(readFileSync(built.lmPath, 'utf8'));
    expect(arpa.counts[0]).toBe(dict.size + 2);
    expect(arpa.bigrams.some((b) => b.v === 'refund' && b.w === 'double')).toBe(true);

    expect(buildDomainLanguageModel({ resourcesDir: resources, cacheDir, cmudictPath: cmudict }).fromCache).toBe(true);
    writeFileSync(join(resources, 'stt', 'domain-phrases.txt'), 'my router is broken\nhello\n');
    expect(buildDomainLanguageModel({ resourcesDir: resources, cacheDir, cmudictPath: cmudict }).fromCache).toBe(false);
  });

  it('weights caller phrasing above assistant replies and articles', () => {
    dir = mkdtempSync(join(tmpdir(), 'lm-test-'));
    writeFileSync(join(dir, 'intents.json'), JSON.stringify({ intents: [{ id: 'refund', examples: ['i want my money back'], replies: ['Sure, {business} can refund that.'] }] }));
    const corpus = readCorpus(dir, { intentExamples: 3, intentReplies: 0.5 });
    expect(corpus.find((c) => c.text.startsWith('i want'))!.weight).toBe(3);
    const reply = corpus.find((c) => c.text.startsWith('Sure'))!;
    expect(reply.weight).toBe(0.5);
    expect(reply.text).not.toContain('business');
    expect(readCorpus(dir, { intentReplies: 0 }).some((c) => c.text.startsWith('Sure'))).toBe(false);
  });

  it('strips markdown down to prose', () => {
    expect(markdownToText('# Title\n\n- item **one**\n[link](http://a.b) `code`')).not.toMatch(/[#*[\]`]|http/);
  });
});
