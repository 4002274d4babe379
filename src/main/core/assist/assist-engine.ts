/**
 * The assist engine: one analysis of a caller line (intent, sentiment, knowledge,
 * entities, next reply) shared by the agent's suggestion panel and the offline
 * reply engine, so what the agent is offered and what the offline AI says never
 * disagree.
 *
 * Replies come from templates in intents.json. The conversation state needed to
 * answer a bare "yes" or "no", or a bare account number, is recovered from the
 * history itself (which template produced the AI's last line), so the engine is
 * stateless and one instance serves every call.
 */
import { join } from 'node:path';
import type { KnowledgeArticleRef, Sentiment } from '@shared/domain';
import type { ChatMessage } from '../providers/types';
import { extractEntities, speakDigits, type Entity } from './entities';
import {
  createIntentClassifier,
  loadIntentCatalogue,
  type IntentAction,
  type IntentClassifier,
  type IntentCoaching,
  type IntentDefinition,
  type IntentMatch,
  type ReplyTemplate,
} from './intents';
import { loadKnowledgeBase, type KnowledgeBase } from './knowledge-base';
import { sentimentOf } from './sentiment';
import { STOP_WORDS, tokens } from './text';

export const DEFAULT_BUSINESS_NAME = 'Brightwave Broadband';

export interface AssistAnalysis {
  /** What the caller said, as classified (e.g. "affirm" for "yes"); the fallback id when unsure. */
  intent: string;
  intentLabel: string;
  intentConfidence: number;
  sentiment: Sentiment;
  /** Up to 3 articles, the intent's own articles first. */
  articles: KnowledgeArticleRef[];
  entities: Entity[];
  /** Spoken-style reply, 1-3 sentences, no markdown. */
  suggestedReply: string;
  /**
   * Which intent or follow-up the reply answers: differs from `intent` when context
   * decides (a "yes" to "shall I transfer you?" is answered as `human_agent`).
   */
  replyIntent: string;
  /** What the AI should do after speaking the reply. */
  action: IntentAction | null;
  /** The line the agent might have the AI say about `intent` (intents.json), if it has one. */
  coaching: IntentCoaching | null;
}

export interface AnalyseOptions {
  /** Overrides the engine's business name in replies. */
  businessName?: string;
}

export interface AssistEngine {
  /**
   * Analyses one caller line. `history` is the conversation before it (a trailing
   * copy of the same line as a user message is ignored). Pure and synchronous.
   */
  analyse(callerText: string, history?: readonly ChatMessage[], options?: AnalyseOptions): AssistAnalysis;
  /** The AI's opening line, which says it is an automated assistant. */
  greeting(options?: AnalyseOptions): string;
  readonly knowledgeBase: KnowledgeBase;
  readonly intents: IntentClassifier;
  /** The business name in force now (Settings may change it between calls). */
  readonly businessName: string;
}

export interface AssistEngineOptions {
  /** Folder holding `knowledge-base/*.md` and `intents.json`. */
  resourcesDir: string;
  /** A function reads the name afresh for each reply, so a change in Settings reaches the next call. */
  businessName?: string | (() => string);
  /** Intent confidence below which the fallback intent is used. */
  intentThreshold?: number;
  /** The articles to answer from (an AI profile's, issue 15); default: resourcesDir/knowledge-base. */
  knowledgeBase?: KnowledgeBase;
  /**
   * Articles as shipped (same id, same words). An intent's reply templates state the shipped
   * articles' facts ("a ten dollar late fee"): where the profile changed or removed one of its
   * articles, the reply comes from the profile's knowledge base instead. Default: all of them.
   */
  trustedArticles?: ReadonlySet<string>;
}

/** A knowledge-base hit must score this much for the fallback reply to quote it. */
const FALLBACK_KB_MIN_SCORE = 8;
/** Longest knowledge-base sentence worth speaking inside a reply. */
const MAX_SPOKEN_SNIPPET_WORDS = 32;
/** How much of a past AI line must agree with a template to count as produced by it. */
const ATTRIBUTION_MIN_OVERLAP = 0.8;

const LEADING_YES_NO = /^\s*(yes|yeah|yep|yup|sure|okay|ok|no+|nope|nah)\b[\s,.!]*/i;
/** After a "no": the problem is still there, which answers "did that help?" rather than raising a new topic. */
const PROBLEM_PERSISTS = /\b(still|same|didnt|didn't|doesnt|doesn't|hasnt|hasn't|no change|no difference)\b/i;

function leadingAnswer(text: string): 'affirm' | 'deny' | null {
  const m = LEADING_YES_NO.exec(text);
  if (m === null) return null;
  return /^(no+|nope|nah)$/i.test(m[1] ?? '') ? 'deny' : 'affirm';
}

/** True when a line is little more than the entities in it ("on the third of june"). */
function mostlyEntities(text: string, entities: readonly Entity[]): boolean {
  if (entities.length === 0) return false;
  const entityWords = new Set(entities.flatMap((e) => tokens(e.text)));
  const rest = tokens(text).filter((t) => !entityWords.has(t) && !STOP_WORDS.has(t) && t !== 'its' && t !== 'yeah' && t !== 'yes');
  return rest.length <= 1;
}

interface Template {
  intentId: string;
  text: string;
  onAffirm: string | undefined;
  onDeny: string | undefined;
  placeholders: string[];
  literalTokens: Set<string>;
}

const ENTITY_PLACEHOLDERS: Record<string, Entity['type'][]> = {
  account: ['account_number', 'order_number'],
  amount: ['amount'],
  date: ['date'],
};

function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
}

function toTemplate(intent: IntentDefinition, reply: ReplyTemplate): Template {
  const text = typeof reply === 'string' ? reply : reply.text;
  const own: { onAffirm?: string | undefined; onDeny?: string | undefined } = typeof reply === 'string' ? {} : reply;
  return {
    intentId: intent.id,
    text,
    onAffirm: own.onAffirm ?? intent.followUp?.onAffirm,
    onDeny: own.onDeny ?? intent.followUp?.onDeny,
    placeholders: placeholdersOf(text),
    literalTokens: new Set(tokens(text.replace(/\{\w+\}/g, ' '))),
  };
}

/** Spoken form of an amount: "45 dollars 99", which speech engines read naturally. */
function speakAmount(value: string): string {
  const [whole = '0', cents = '00'] = value.split('.');
  return cents === '00' ? `${whole} dollars` : `${whole} dollars ${cents}`;
}

export function createAssistEngine(options: AssistEngineOptions): AssistEngine {
  const knowledgeBase = options.knowledgeBase ?? loadKnowledgeBase(join(options.resourcesDir, 'knowledge-base'));
  const catalogue = loadIntentCatalogue(join(options.resourcesDir, 'intents.json'));
  const intents = createIntentClassifier(
    catalogue,
    options.intentThreshold === undefined ? {} : { threshold: options.intentThreshold },
  );
  const configuredName = options.businessName ?? DEFAULT_BUSINESS_NAME;
  const currentBusinessName = (): string => (typeof configuredName === 'function' ? configuredName() : configuredName);
  const fallbackId = catalogue.fallbackIntent;

  const templatesByIntent = new Map<string, Template[]>();
  for (const intent of [...catalogue.intents, ...catalogue.followUps]) {
    templatesByIntent.set(intent.id, intent.replies.map((r) => toTemplate(intent, r)));
  }
  const allTemplates = [...templatesByIntent.values()].flat();

  /** Which template produced a past AI line, if any (tolerates filled placeholders and cut-off lines). */
  function attribute(aiText: string): Template | null {
    const heard = new Set(tokens(aiText));
    if (heard.size < 3) return null;
    let best: Template | null = null;
    let bestShared = 0;
    let bestRatio = 0;
    for (const template of allTemplates) {
      let shared = 0;
      for (const t of heard) if (template.literalTokens.has(t)) shared++;
      const ratio = shared / Math.min(heard.size, template.literalTokens.size);
      if (ratio >= ATTRIBUTION_MIN_OVERLAP && (ratio > bestRatio || (ratio === bestRatio && shared > bestShared))) {
        best = template;
        bestShared = shared;
        bestRatio = ratio;
      }
    }
    return best;
  }

  function spokenSnippet(articleId: string, query: string): string | null {
    const snippet = knowledgeBase.snippet(articleId, query);
    const firstSentence = snippet.split(/(?<=[.!?])\s+/)[0] ?? '';
    for (const candidate of [snippet, firstSentence]) {
      if (candidate !== '' && candidate.split(/\s+/).length <= MAX_SPOKEN_SNIPPET_WORDS) return candidate;
    }
    return null;
  }

  function analyse(
    callerText: string,
    history: readonly ChatMessage[] = [],
    analyseOptions: AnalyseOptions = {},
  ): AssistAnalysis {
    const last = history.at(-1);
    const prior = last?.role === 'user' && last.text.trim() === callerText.trim() ? history.slice(0, -1) : history;
    const aiTurns = prior.filter((m) => m.role === 'assistant').map((m) => m.text);
    const lastAi = aiTurns.at(-1) ?? null;
    const previous = lastAi === null ? null : attribute(lastAi);

    const match = intents.classify(callerText);
    const entities = extractEntities(callerText);
    // Entities the caller gave earlier still fill templates ("your account 1 2 3 4 5").
    const known = [
      ...entities,
      ...prior
        .filter((m) => m.role === 'user')
        .reverse()
        .flatMap((m) => extractEntities(m.text)),
    ];

    const replyIntent = chooseReplyIntent(callerText, match, entities, previous);
    const sentiment = sentimentOf(callerText);
    const articles = relatedArticles(callerText, match.intent === fallbackId ? null : match.intent);
    const business = analyseOptions.businessName ?? currentBusinessName();
    const suggestedReply = composeReply(speaksForArticles(replyIntent) ? replyIntent : fallbackId, callerText, known, aiTurns, business);
    const definition = intents.definition(match.intent);
    return {
      intent: match.intent,
      intentLabel: definition?.label ?? match.intent,
      intentConfidence: Math.round(match.confidence * 1000) / 1000,
      sentiment,
      articles,
      entities,
      suggestedReply,
      replyIntent,
      action: intents.definition(replyIntent)?.action ?? null,
      coaching: definition?.coaching ?? null,
    };
  }

  function chooseReplyIntent(
    callerText: string,
    match: IntentMatch,
    entities: readonly Entity[],
    previous: Template | null,
  ): string {
    const { intent, confidence } = match;
    if (previous !== null) {
      // The caller answered the AI's request for details ("it's four five six seven
      // eight", "on the third of june"): carry on with the previous topic, now with
      // the details filled in.
      const wanted = (templatesByIntent.get(previous.intentId) ?? []).flatMap((t) => t.placeholders);
      const supplies = entities.some((e) =>
        wanted.some((p) => (ENTITY_PLACEHOLDERS[p] ?? []).includes(e.type)),
      );
      const weak =
        intent === fallbackId || intent === 'affirm' || intent === 'deny' || confidence < 0.5 || mostlyEntities(callerText, entities);
      if (supplies && (weak || intent === previous.intentId)) return previous.intentId;

      // A yes or no answers the AI's last question, also when the caller says more
      // ("no, it's still not working"), unless they go on to raise something new
      // ("yes, and I was charged twice").
      const answer = intent === 'affirm' || intent === 'deny' ? intent : leadingAnswer(callerText);
      const target = answer === 'affirm' ? previous.onAffirm : answer === 'deny' ? previous.onDeny : undefined;
      if (answer !== null && target !== undefined) {
        const rest = callerText.replace(LEADING_YES_NO, '');
        const restMatch = intent === answer ? null : intents.classify(rest);
        const newTopic =
          restMatch !== null &&
          restMatch.intent !== fallbackId &&
          restMatch.intent !== 'affirm' &&
          restMatch.intent !== 'deny' &&
          restMatch.confidence >= 0.5 &&
          !PROBLEM_PERSISTS.test(rest);
        if (!newTopic) return target;
        return restMatch.intent;
      }
    }
    // Intent and knowledge base disagree on a line the classifier is unsure of (say
    // "do you do static ip addresses" half-matching "moving to a new address"):
    // answer from the knowledge base instead.
    const own = intents.definition(intent)?.kbArticles ?? [];
    if (own.length > 0 && confidence < 0.7) {
      const hit = knowledgeBase.search(callerText, 1)[0];
      if (hit !== undefined && hit.score >= FALLBACK_KB_MIN_SCORE && !own.includes(hit.id)) return fallbackId;
    }
    return intent;
  }

  /** Whether an intent's templates still hold: every article they speak for is as shipped. */
  function speaksForArticles(intentId: string): boolean {
    const trusted = options.trustedArticles;
    return trusted === undefined || (intents.definition(intentId)?.kbArticles ?? []).every((id) => trusted.has(id));
  }

  function relatedArticles(callerText: string, intent: string | null): KnowledgeArticleRef[] {
    const found = knowledgeBase.search(callerText, 3);
    const hinted = intent === null ? [] : (intents.definition(intent)?.kbArticles ?? []);
    const topScore = found[0]?.score ?? 1;
    const own = hinted.map(
      (id) =>
        found.find((a) => a.id === id) ?? {
          id,
          title: knowledgeBase.get(id)?.title ?? id,
          snippet: knowledgeBase.snippet(id, callerText),
          score: topScore,
        },
    );
    const rest = found.filter((a) => !hinted.includes(a.id));
    return [...own, ...rest].slice(0, 3);
  }

  function composeReply(
    intentId: string,
    callerText: string,
    known: readonly Entity[],
    aiTurns: readonly string[],
    business: string,
  ): string {
    const templates = templatesByIntent.get(intentId) ?? templatesByIntent.get(fallbackId) ?? [];
    const definition = intents.definition(intentId);

    const values: Record<string, string | null> = { business };
    const entity = (types: Entity['type'][]) => known.find((e) => types.includes(e.type)) ?? null;
    const account = entity(ENTITY_PLACEHOLDERS['account'] ?? []);
    values['account'] = account === null ? null : speakDigits(account.value);
    const amount = entity(['amount']);
    values['amount'] = amount === null ? null : speakAmount(amount.value);
    values['date'] = entity(['date'])?.value ?? null;
    const hintedArticle = definition?.kbArticles[0];
    if (hintedArticle !== undefined) {
      values['kb'] = spokenSnippet(hintedArticle, callerText);
    } else {
      const hit = knowledgeBase.search(callerText, 1)[0];
      values['kb'] = hit !== undefined && hit.score >= FALLBACK_KB_MIN_SCORE ? spokenSnippet(hit.id, callerText) : null;
    }

    const render = (t: Template) => t.text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
    const eligible = templates.filter((t) => t.placeholders.every((p) => values[p] != null));
    // A reply that uses what the caller told us beats a generic one.
    const specific = eligible.filter((t) => t.placeholders.some((p) => p !== 'business'));
    const pool = specific.length > 0 ? specific : eligible;
    if (pool.length === 0) return '';

    // Rotate through the pool as this topic comes up again, and never say exactly
    // what the caller just heard.
    const timesAnswered = aiTurns.filter((t) => attribute(t)?.intentId === intentId).length;
    const lastAi = aiTurns.at(-1);
    const ordered = [...pool.slice(timesAnswered % pool.length), ...pool.slice(0, timesAnswered % pool.length)];
    for (const template of [...ordered, ...eligible]) {
      const text = render(template);
      if (text !== lastAi) return text;
    }
    return render(ordered[0]!);
  }

  function greeting(greetingOptions: AnalyseOptions = {}): string {
    const business = greetingOptions.businessName ?? currentBusinessName();
    return `Hello, thanks for calling ${business}. I'm an automated assistant, and this call may be recorded. How can I help you today?`;
  }

  return {
    analyse,
    greeting,
    knowledgeBase,
    intents,
    get businessName() {
      return currentBusinessName();
    },
  };
}
