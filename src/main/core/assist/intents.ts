/**
 * Intent catalogue (resources/intents.json) and a classifier for caller lines.
 *
 * The classifier is BM25 over the catalogue's example phrasings (minisearch),
 * on stemmed tokens with fuzzy and prefix matching, because the input is speech
 * recognition output: no punctuation, numbers as words, and the odd misheard
 * word ("rooter" for "router"). An intent's score adds its best example to a
 * fraction of its next best, so an intent that several examples support beats
 * one lucky example.
 */
import { readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { STOP_WORDS, stem, tokens } from './text';

/** What a reply does besides speaking. */
export const IntentAction = z.enum(['transfer', 'end_call']);
export type IntentAction = z.infer<typeof IntentAction>;

const FollowUp = z.object({
  /** Intent (or follow-up) id to answer with when the caller says yes to this reply's question. */
  onAffirm: z.string().optional(),
  /** Same, for no. */
  onDeny: z.string().optional(),
});

/** A reply template: plain text, or text plus where a yes/no answer to its question leads. */
export const ReplyTemplate = z.union([z.string(), FollowUp.extend({ text: z.string().min(1) })]);
export type ReplyTemplate = z.infer<typeof ReplyTemplate>;

export const IntentDefinition = z.object({
  id: z.string().regex(/^[a-z_]+$/),
  label: z.string(),
  /** Natural spoken phrasings. Empty for the fallback and for follow-ups, which are never classified. */
  examples: z.array(z.string()).default([]),
  replies: z.array(ReplyTemplate).min(1),
  /** Knowledge-base article ids (file names without .md) this intent is about. */
  kbArticles: z.array(z.string()).default([]),
  action: IntentAction.optional(),
  /** Default yes/no routing for replies that don't set their own. */
  followUp: FollowUp.optional(),
  /**
   * What the agent might have the AI say while it has a call about this intent (a retention
   * offer, a goodwill credit): `label` is the gist on the button, `say` the line itself,
   * sent as a "say: …" whisper, which both an LLM and the offline engine speak.
   */
  coaching: z.object({ label: z.string().min(1).max(60), say: z.string().min(1).max(400) }).optional(),
});
export type IntentDefinition = z.infer<typeof IntentDefinition>;
export type IntentCoaching = NonNullable<IntentDefinition['coaching']>;

export const IntentCatalogue = z
  .object({
    version: z.literal(1),
    fallbackIntent: z.string(),
    intents: z.array(IntentDefinition).min(1),
    /** Reply-only states reached through a yes/no (e.g. "confirm the text alert"). */
    followUps: z.array(IntentDefinition).default([]),
  })
  .superRefine((catalogue, ctx) => {
    const ids = new Set([...catalogue.intents, ...catalogue.followUps].map((i) => i.id));
    if (!ids.has(catalogue.fallbackIntent)) {
      ctx.addIssue({ code: 'custom', message: `fallbackIntent "${catalogue.fallbackIntent}" is not defined` });
    }
    for (const intent of [...catalogue.intents, ...catalogue.followUps]) {
      const targets = [intent.followUp?.onAffirm, intent.followUp?.onDeny];
      for (const reply of intent.replies) {
        if (typeof reply !== 'string') targets.push(reply.onAffirm, reply.onDeny);
      }
      for (const target of targets) {
        if (target !== undefined && !ids.has(target)) {
          ctx.addIssue({ code: 'custom', message: `intent "${intent.id}" refers to unknown "${target}"` });
        }
      }
    }
  });
export type IntentCatalogue = z.infer<typeof IntentCatalogue>;

/** Reads and validates intents.json; a malformed file is a clear error at startup. */
export function loadIntentCatalogue(file: string): IntentCatalogue {
  const parsed = IntentCatalogue.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface IntentMatch {
  /** Intent id; the catalogue's fallback when nothing is confident enough. */
  intent: string;
  /** In [0, 1]. */
  confidence: number;
  /** The best intent before the threshold was applied, and its confidence. */
  best: { intent: string; confidence: number } | null;
}

export interface IntentClassifier {
  readonly catalogue: IntentCatalogue;
  classify(text: string): IntentMatch;
  /** Any intent or follow-up by id (follow-ups are reply-only). */
  definition(id: string): IntentDefinition | undefined;
}

export interface IntentClassifierOptions {
  /** Below this confidence the fallback intent is returned. */
  threshold?: number;
}

export const DEFAULT_INTENT_THRESHOLD = 0.35;

interface ExampleDoc {
  id: number;
  intent: string;
  text: string;
}

/** Index and query terms: stemmed, stop words dropped (minisearch drops a term mapped to null). */
function processTerm(term: string): string | null {
  return STOP_WORDS.has(term) ? null : stem(term);
}

export function createIntentClassifier(
  catalogue: IntentCatalogue,
  options: IntentClassifierOptions = {},
): IntentClassifier {
  const threshold = options.threshold ?? DEFAULT_INTENT_THRESHOLD;
  const byId = new Map([...catalogue.intents, ...catalogue.followUps].map((i) => [i.id, i]));

  const index = new MiniSearch<ExampleDoc>({
    fields: ['text'],
    storeFields: ['intent'],
    tokenize: (text) => tokens(text),
    processTerm,
    searchOptions: {
      // Short words get no fuzziness: "no" must not match "not" or "now".
      fuzzy: (term) => (term.length >= 5 ? 0.25 : false),
      prefix: (term) => term.length >= 4,
      combineWith: 'OR',
      weights: { fuzzy: 0.3, prefix: 0.3 },
    },
  });
  let nextId = 0;
  for (const intent of catalogue.intents) {
    for (const text of intent.examples) index.add({ id: nextId++, intent: intent.id, text });
  }

  function classify(text: string): IntentMatch {
    const fallback: IntentMatch = { intent: catalogue.fallbackIntent, confidence: 0, best: null };
    const queryTerms = tokens(text).map(processTerm).filter((t): t is string => t !== null);
    if (queryTerms.length === 0) return fallback;

    const querySet = new Set(queryTerms);
    const perIntent = new Map<string, { scores: number[]; exact: Set<string>; near: Set<string> }>();
    for (const result of index.search(text)) {
      const intent = String(result['intent']);
      const entry = perIntent.get(intent) ?? { scores: [], exact: new Set(), near: new Set() };
      entry.scores.push(result.score);
      for (const term of Object.keys(result.match)) if (querySet.has(term)) entry.exact.add(term);
      for (const term of result.queryTerms) entry.near.add(term);
      perIntent.set(intent, entry);
    }

    const ranked = [...perIntent.entries()]
      .map(([intent, { scores, exact, near }]) => {
        // How much of the line this intent explains, across all its examples; words
        // matched only fuzzily or by prefix count half, because a misheard word is
        // weaker evidence than a heard one ("contract" is not "contact").
        const coverage = (exact.size + 0.5 * (near.size - exact.size)) / querySet.size;
        // minisearch returns results best first, so each intent's scores are descending.
        const evidence = (scores[0] ?? 0) + 0.3 * (scores[1] ?? 0) + 0.1 * (scores[2] ?? 0);
        return { intent, score: evidence * (0.5 + coverage), coverage };
      })
      .sort((a, b) => b.score - a.score);
    const top = ranked[0];
    if (top === undefined) return fallback;
    const runnerUp = ranked[1]?.score ?? 0;

    // Confidence blends how much of the line the intent explains with how clearly it
    // beats the runner-up: a line that is half about billing and half unknown words is
    // less certain than one fully explained, however big its raw BM25 score.
    const margin = top.score / (top.score + runnerUp);
    const confidence = Math.min(1, Math.max(0, 0.5 * Math.sqrt(top.coverage) + 0.5 * margin));
    const best = { intent: top.intent, confidence };
    return confidence >= threshold ? { intent: top.intent, confidence, best } : { ...fallback, best };
  }

  return { catalogue, classify, definition: (id) => byId.get(id) };
}
