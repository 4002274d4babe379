/**
 * The business's knowledge base: a folder of short Markdown articles (first line
 * `# Title`, then plain spoken prose). Indexed with minisearch for the agent's
 * suggestion panel and for the offline reply engine's facts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import MiniSearch from 'minisearch';
import type { KnowledgeArticleRef } from '@shared/domain';
import { STOP_WORDS, isNumberWord, stem, tokens } from './text';

export interface KnowledgeArticle {
  /** File name without `.md`, e.g. "router-reset". */
  id: string;
  title: string;
  /** Article text without the title line. */
  body: string;
  sentences: readonly string[];
}

export interface KnowledgeBase {
  readonly articles: readonly KnowledgeArticle[];
  get(id: string): KnowledgeArticle | undefined;
  /** Best articles for a caller line or query, best first, each with its most relevant 1-2 sentences. */
  search(text: string, limit?: number): KnowledgeArticleRef[];
  /** The sentence(s) of one article that best answer `text` (the article's first sentence if none match). */
  snippet(articleId: string, text: string): string;
}

/**
 * Minimum minisearch score for `search` to return an article. Caller lines are
 * full of words that appear somewhere in the knowledge base ("my", "month"), and a
 * single weak fuzzy hit is noise, not a suggestion.
 */
export const MIN_ARTICLE_SCORE = 3;

/**
 * On top of the general stop words: question words and generic verbs, which
 * matter for telling intents apart but only add noise to topic search (every
 * "how do i" question would otherwise find "How to restart your router").
 */
const SEARCH_STOP_WORDS: ReadonlySet<string> = new Set([
  ...STOP_WORDS, 'how', 'what', 'whats', 'when', 'where', 'why', 'which', 'who', 'can', 'could',
  'would', 'will', 'should', 'much', 'many', 'long', 'not', 'no', 'yes', 'yeah', 'please', 'want',
  'need', 'know', 'tell', 'happen', 'happens', 'take', 'make', 'if', 'any', 'some', 'about', 'but',
  'hello', 'hi', 'thanks', 'thank', 'okay', 'ok', 'dont', 'cant', 'time',
]);

/** Number words are everywhere in spoken articles ("five working days"), so they say nothing about the topic. */
function processTerm(term: string): string | null {
  return SEARCH_STOP_WORDS.has(term) || isNumberWord(term) ? null : stem(term);
}

function termSet(text: string): Set<string> {
  return new Set(tokens(text).map(processTerm).filter((t): t is string => t !== null));
}

function splitSentences(body: string): string[] {
  return body
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseArticle(id: string, markdown: string): KnowledgeArticle {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const first = lines[0] ?? '';
  if (!first.startsWith('# ')) throw new Error(`knowledge-base article "${id}" must start with "# Title"`);
  const body = lines.slice(1).join('\n').trim();
  return { id, title: first.slice(2).trim(), body, sentences: splitSentences(body) };
}

export function loadKnowledgeBase(folder: string): KnowledgeBase {
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.md'))
    .sort();
  const articles = files.map((f) => parseArticle(basename(f, '.md'), readFileSync(join(folder, f), 'utf8')));
  return createKnowledgeBase(articles);
}

export function createKnowledgeBase(articles: readonly KnowledgeArticle[]): KnowledgeBase {
  const byId = new Map(articles.map((a) => [a.id, a]));
  const index = new MiniSearch<KnowledgeArticle>({
    fields: ['title', 'body'],
    tokenize: (text) => tokens(text),
    processTerm,
    searchOptions: {
      boost: { title: 3 },
      // Fuzzy and prefix for misheard words ("rooter", "refun"); never on short words.
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      prefix: (term) => term.length >= 4,
      combineWith: 'OR',
      weights: { fuzzy: 0.3, prefix: 0.3 },
    },
  });
  index.addAll(articles);

  // Sentence-level document frequency, so a snippet is chosen for the caller's rare,
  // telling words ("late", "saturday") rather than for common ones ("pay", "bill").
  const sentenceTerms = new Map(articles.map((a) => [a.id, a.sentences.map(termSet)]));
  const sentenceHasNumber = new Map(
    articles.map((a) => [a.id, a.sentences.map((s) => tokens(s).some((t) => isNumberWord(t) || /\d/.test(t)))]),
  );
  const sentenceFrequency = new Map<string, number>();
  let sentenceCount = 0;
  for (const sets of sentenceTerms.values()) {
    for (const set of sets) {
      sentenceCount++;
      for (const t of set) sentenceFrequency.set(t, (sentenceFrequency.get(t) ?? 0) + 1);
    }
  }
  const idf = (t: string) => Math.log(1 + sentenceCount / (1 + (sentenceFrequency.get(t) ?? 0)));

  function snippet(articleId: string, text: string): string {
    const article = byId.get(articleId);
    if (article === undefined) return '';
    const query = termSet(text);
    // "How much" wants the sentence with a price in it; "how long" or "when", one with a number.
    const lower = text.toLowerCase();
    const wantsMoney = /\b(how much|cost|price|fee|charge)\b/.test(lower);
    const wantsQuantity = wantsMoney || /\b(how (long|many|soon)|when|what (time|day|date))\b/.test(lower);
    const sets = sentenceTerms.get(articleId) ?? [];
    let bestIndex = 0;
    let bestScore = 0;
    sets.forEach((terms, i) => {
      let weight = 0;
      // Squared idf: one rare, telling word ("ultra") outweighs a couple of common ones ("plan").
      for (const t of query) if (terms.has(t)) weight += idf(t) ** 2;
      // A mild length penalty, so a long sentence doesn't win on length alone.
      const quantified = wantsQuantity && sentenceHasNumber.get(articleId)?.[i] === true;
      const priced = wantsMoney && /\bdollars?\b/i.test(article.sentences[i] ?? '');
      const score = (weight / (1 + 0.05 * terms.size)) * (quantified ? 1.5 : 1) * (priced ? 1.5 : 1);
      if (score > bestScore) {
        bestScore = score;
        bestIndex = i;
      }
    });
    const best = article.sentences[bestIndex] ?? '';
    const next = article.sentences[bestIndex + 1];
    // A short sentence is usually a lead-in ("A factory reset is different."); its follower carries the fact.
    return best.split(' ').length < 12 && next !== undefined ? `${best} ${next}` : best;
  }

  function search(text: string, limit = 3): KnowledgeArticleRef[] {
    if (termSet(text).size === 0) return [];
    const results = index.search(text);
    const top = results[0]?.score ?? 0;
    return results
      // Weak hits next to a strong one are incidental word overlap, not alternatives.
      .filter((r) => r.score >= MIN_ARTICLE_SCORE && r.score >= 0.1 * top)
      .slice(0, limit)
      .map((r) => {
        const article = byId.get(String(r.id));
        return {
          id: String(r.id),
          title: article?.title ?? String(r.id),
          snippet: snippet(String(r.id), text),
          score: Math.round(r.score * 100) / 100,
        };
      });
  }

  return { articles, get: (id) => byId.get(id), search, snippet };
}
