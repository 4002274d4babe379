import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBigramArpa, buildDomainLanguageModel, markdownToText, parseDictionary } from '../../src/main/core/providers/stt/language-model';

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

  it('strips markdown down to prose', () => {
    expect(markdownToText('# Title\n\n- item **one**\n[link](http://a.b) `code`')).not.toMatch(/[#*[\]`]|http/);
  });
});
