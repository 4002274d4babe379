/**
 * What a call is about, smoothed over its caller lines, so one noisy line ("hang on, the dog
 * is barking", half-heard and matched to something) does not flip the agent's panel.
 *
 * Each line's intent confidence (above the classifier's own threshold, where it is still only
 * a guess) and its article matches are evidence that fades as the call goes on (exponential
 * decay per topical line). The intent shown is the one with the most evidence,
 * and a challenger only takes over once its evidence clearly outweighs the intent shown; a
 * clear new request (a line the classifier is very sure of) counts double, so it still moves
 * at once. Confidence is the shown intent's share of all the evidence, plus a little
 * pseudo-evidence for "something else", so one line or a split call reads as low confidence.
 *
 * One instance per call (it lives in the call's CallerInsight, inside its CallSession).
 */
import type { IntentCertainty, KnowledgeArticleRef } from '@shared/domain';
import { DEFAULT_INTENT_THRESHOLD, type IntentCoaching } from './intents';

/** One analysed caller line, as far as the smoothing needs it. */
export interface LineEvidence {
  intent: string;
  intentLabel?: string | undefined;
  intentConfidence: number;
  /** Best first, as the assist engine ranks them (the intent's own articles first). */
  articles: readonly KnowledgeArticleRef[];
  coaching?: IntentCoaching | null | undefined;
}

export type SmoothedArticle = KnowledgeArticleRef & { weak: boolean };

export interface SmoothedView {
  /** The intent the call is about so far; FALLBACK_INTENT until a topical line. */
  intent: string;
  /** Its label, empty for FALLBACK_INTENT. */
  intentLabel: string;
  /** The intent's share of the evidence, in [0, 1] (2 decimals). */
  confidence: number;
  certainty: IntentCertainty;
  /** The line the agent might have the AI say about `intent`, if it has one. */
  coaching: IntentCoaching | null;
  /** Up to 3, most evidence first; `score` is the smoothed evidence (2 decimals). */
  articles: SmoothedArticle[];
  /** Topical lines in a row whose own intent was `intent` (small talk neither counts nor breaks it). */
  streak: number;
}

/** The intent catalogue's fallback (resources/intents.json): nothing understood. */
export const FALLBACK_INTENT = 'unknown';

/**
 * Intents that answer the AI or pass the time rather than say what the call is about: a "yes"
 * mid-call keeps the topic as it is, neither adding to it nor wearing it down.
 */
export const NON_TOPIC_INTENTS: ReadonlySet<string> = new Set([FALLBACK_INTENT, 'affirm', 'deny', 'greeting', 'thanks_goodbye']);

/** Evidence kept from one topical line to the next: 0.8 means a line 3 lines back counts about half. */
export const EVIDENCE_DECAY = 0.8;
/** A line at least this sure of its intent is a clear request ("I want to cancel"; see intents.test.ts for typical values). */
export const CLEAR_LINE_CONFIDENCE = 0.85;
/** How much a clear request's line counts, compared with an ordinary one. */
export const CLEAR_LINE_WEIGHT = 2;
/** A challenger replaces the shown intent only with this many times its evidence (hysteresis, so two close intents don't flicker). */
export const SWITCH_MARGIN = 1.25;
/** Pseudo-evidence for "something else": one ordinary line alone stays below HIGH_CONFIDENCE. */
export const UNEXPLAINED_EVIDENCE = 0.5;
/** Below this share of the evidence the panel says "Low confidence". */
export const HIGH_CONFIDENCE = 0.6;

/** An article hit of this minisearch score is a strong match (the score the engine needs to quote an article in a reply). */
const STRONG_ARTICLE_SCORE = 8;
/** How much the 1st, 2nd and 3rd article of a line count. */
const ARTICLE_RANK_WEIGHTS = [1, 0.6, 0.35] as const;
/** Smoothed article evidence below this is marked weak. */
export const WEAK_ARTICLE_BELOW = 0.5;
/** Article evidence below this has faded out of the list. */
const FADED_ARTICLE_BELOW = 0.05;
const MAX_ARTICLES = 3;

interface ArticleEvidence {
  ref: KnowledgeArticleRef;
  evidence: number;
}

export class CallEvidence {
  private readonly intentEvidence = new Map<string, number>();
  private readonly labels = new Map<string, string>();
  private readonly coachings = new Map<string, IntentCoaching | null>();
  private readonly articleEvidence = new Map<string, ArticleEvidence>();
  private shown: string = FALLBACK_INTENT;
  private streak = 0;

  /** Adds one caller line's evidence and returns the call's smoothed view. */
  add(line: LineEvidence): SmoothedView {
    const topical = !NON_TOPIC_INTENTS.has(line.intent) && line.intentConfidence > 0;
    if (topical) {
      fade(this.intentEvidence);
      const weight = lineWeight(line.intentConfidence);
      this.intentEvidence.set(line.intent, (this.intentEvidence.get(line.intent) ?? 0) + weight);
      this.labels.set(line.intent, line.intentLabel ?? line.intent);
      this.coachings.set(line.intent, line.coaching ?? null);
      this.shown = this.leader();
      this.streak = line.intent === this.shown ? this.streak + 1 : 0;
    }
    // Articles fade on every line that brings any, or that is about something: a "yes" keeps them.
    if (topical || line.articles.length > 0) {
      for (const entry of this.articleEvidence.values()) entry.evidence *= EVIDENCE_DECAY;
      line.articles.slice(0, ARTICLE_RANK_WEIGHTS.length).forEach((ref, rank) => {
        const strength = Math.min(1, Math.max(0, ref.score) / STRONG_ARTICLE_SCORE);
        const entry = this.articleEvidence.get(ref.id);
        const gained = ARTICLE_RANK_WEIGHTS[rank]! * strength;
        // The newest snippet answers the newest line.
        this.articleEvidence.set(ref.id, { ref, evidence: (entry?.evidence ?? 0) + gained });
      });
    }
    return this.view();
  }

  /** The smoothed view without adding a line (before the first line: nothing known). */
  view(): SmoothedView {
    const total = [...this.intentEvidence.values()].reduce((a, b) => a + b, 0);
    const own = this.intentEvidence.get(this.shown) ?? 0;
    const known = this.shown !== FALLBACK_INTENT && own > 0;
    // Two decimals, as the panel shows it (a percentage): 0.599 must not read "60%, low confidence".
    const confidence = known ? round(own / (total + UNEXPLAINED_EVIDENCE), 2) : 0;
    return {
      intent: known ? this.shown : FALLBACK_INTENT,
      intentLabel: known ? (this.labels.get(this.shown) ?? this.shown) : '',
      confidence,
      certainty: !known ? 'unknown' : confidence >= HIGH_CONFIDENCE ? 'high' : 'low',
      coaching: known ? (this.coachings.get(this.shown) ?? null) : null,
      articles: [...this.articleEvidence.values()]
        .filter((a) => a.evidence >= FADED_ARTICLE_BELOW)
        .sort((a, b) => b.evidence - a.evidence)
        .slice(0, MAX_ARTICLES)
        .map(({ ref, evidence }) => ({ ...ref, score: round(evidence, 2), weak: evidence < WEAK_ARTICLE_BELOW })),
      streak: known ? this.streak : 0,
    };
  }

  /** The intent to show: the one shown so far unless another clearly outweighs it. */
  private leader(): string {
    let best = this.shown;
    let bestEvidence = this.intentEvidence.get(this.shown) ?? 0;
    for (const [intent, evidence] of this.intentEvidence) {
      if (intent === this.shown) continue;
      const needed = this.shown === FALLBACK_INTENT ? bestEvidence : Math.max(bestEvidence, (this.intentEvidence.get(this.shown) ?? 0) * SWITCH_MARGIN);
      if (evidence > needed) {
        best = intent;
        bestEvidence = evidence;
      }
    }
    return best;
  }
}

/**
 * What one line's intent confidence is worth. The classifier is fairly sure of most lines, noise
 * included (0.45 to 0.65 for a half-heard aside), so what counts is how far a line is above its
 * threshold (DEFAULT_INTENT_THRESHOLD, the fallback below it): 0.9 is worth four times 0.5.
 */
function lineWeight(confidence: number): number {
  const aboveThreshold = Math.max(0, (confidence - DEFAULT_INTENT_THRESHOLD) / (1 - DEFAULT_INTENT_THRESHOLD));
  return aboveThreshold * (confidence >= CLEAR_LINE_CONFIDENCE ? CLEAR_LINE_WEIGHT : 1);
}

function fade(evidence: Map<string, number>): void {
  for (const [key, value] of evidence) evidence.set(key, value * EVIDENCE_DECAY);
}

function round(n: number, places: number): number {
  const f = 10 ** places;
  return Math.round(n * f) / f;
}
