/**
 * The agent's suggestion after each caller line of one call: the intent and articles smoothed
 * over the call (call-evidence.ts), a reply for the agent to send when they have the call, and
 * what the agent might do while the AI has it (take over and why, a line to whisper, an
 * article to read).
 *
 * Both halves go out with every suggestion, and the renderer shows the half that matches who
 * has the call now (CallSummary.state), so the panel follows a take-over, hand-back or pause at
 * once without the core re-emitting anything.
 */
import type { AgentAction, KnowledgeArticleRef, Suggestion } from '@shared/domain';
import { readCallerSentiment } from '@shared/sentiment';
import { CallEvidence, type LineEvidence, type SmoothedView } from './call-evidence';

/** One analysed caller line (the assist engine's analysis, as the call sees it). */
export interface AnalysedLine extends LineEvidence {
  articles: KnowledgeArticleRef[];
  suggestedReply: string;
  entities?: ReadonlyArray<{ type: string; value: string }> | undefined;
}

/** The catalogue's "wants a person" intent (resources/intents.json). */
const HUMAN_AGENT_INTENT = 'human_agent';
/** A line asking for a person counts from this confidence, even before the smoothed intent moves. */
const ASKS_FOR_PERSON_CONFIDENCE = 0.5;
/** The smoothed intent's confidence from which its coaching line is offered (HIGH_CONFIDENCE is where the panel stops saying "Low confidence"). */
const COACHING_MIN_CONFIDENCE = 0.45;
/** Topical lines in a row on one intent after which an unhappy caller is probably going round in circles with the AI. */
const LOOPING_STREAK = 3;

export class CallSuggestions {
  private readonly evidence = new CallEvidence();

  constructor(private readonly callId: string) {}

  /**
   * The suggestion after caller line `utteranceId`. `sentimentTrend` is the call's caller
   * sentiment so far, oldest first, including this line.
   */
  next(utteranceId: string, line: AnalysedLine, sentimentTrend: readonly number[]): Suggestion {
    const view = this.evidence.add(line);
    return {
      callId: this.callId,
      utteranceId,
      intent: view.intent,
      intentLabel: view.intentLabel,
      intentConfidence: view.confidence,
      intentCertainty: view.certainty,
      reply: line.suggestedReply,
      articles: view.articles,
      entities: (line.entities ?? []).map(({ type, value }) => ({ type, value })),
      agentActions: agentActions(view, line, sentimentTrend),
    };
  }
}

/** What the agent might do while the AI has the call, most pressing first. */
export function agentActions(view: SmoothedView, line: LineEvidence, sentimentTrend: readonly number[]): AgentAction[] {
  const actions: AgentAction[] = [];
  const reason = takeOverReason(view, line, sentimentTrend);
  if (reason !== null) actions.push({ kind: 'take_over', reason });
  // Coaching on a wild guess would steer the AI wrong; a likely intent shown as low confidence is the agent's call.
  if (view.coaching !== null && view.confidence >= COACHING_MIN_CONFIDENCE) {
    actions.push({ kind: 'whisper', label: view.coaching.label, text: `say: ${view.coaching.say}` });
  }
  const article = view.articles.find((a) => !a.weak);
  if (article !== undefined) actions.push({ kind: 'article', articleId: article.id, title: article.title });
  return actions;
}

/** Why the agent should take the call now, or null: the caller asked for a person, is upset and getting more so, or the AI is looping. */
export function takeOverReason(view: SmoothedView, line: LineEvidence, sentimentTrend: readonly number[]): string | null {
  const askedNow = line.intent === HUMAN_AGENT_INTENT && line.intentConfidence >= ASKS_FOR_PERSON_CONFIDENCE;
  if (askedNow || view.intent === HUMAN_AGENT_INTENT) return 'The caller asked for a person';
  // The same reading (and words) as the call's row, header and sentiment card: "negative · falling".
  const mood = readCallerSentiment(sentimentTrend);
  const negative = mood !== null && (mood.band === 'negative' || mood.band === 'very_negative');
  if (negative && mood.direction === 'falling') return 'The caller is upset, and getting more so';
  // Several lines on one topic is an ordinary call; still asking, and unhappy about it, is a loop.
  if (view.streak >= LOOPING_STREAK && negative) {
    return `The caller has raised “${view.intentLabel}” ${view.streak} times in a row: the AI may be going round in circles`;
  }
  return null;
}
