/**
 * What the call has learnt about its caller, line by line: sentiment (mean and trend), the
 * intent and details they gave (for the agent's hand-over summary), and the latest
 * suggestion for the agent.
 */
import type { CallSummary, Suggestion, Utterance } from '@shared/domain';
import type { ChatMessage } from '../providers/types';
import { CallSuggestions } from '../assist/call-suggestions';
import { handoverSummary } from './handover-summary';
import type { CallAssist } from './ports';

/** Intents (resources/intents.json) that answer the AI rather than say what the caller wants. */
const SMALL_TALK_INTENTS = new Set(['unknown', 'affirm', 'deny', 'greeting', 'thanks_goodbye']);
/** Points of the caller's sentiment trend a live row draws. */
const TREND_POINTS = 20;

export class CallerInsight {
  private sentimentSum = 0;
  private lines = 0;
  private trend: number[] = [];
  private intent: string | null = null;
  private readonly details: string[] = [];
  private lastSentiment: number | null = null;
  private lastLine: string | null = null;
  private latest: Suggestion | null = null;
  private readonly suggestions: CallSuggestions;

  constructor(
    callId: string,
    private readonly assist: CallAssist,
  ) {
    this.suggestions = new CallSuggestions(callId);
  }

  /**
   * Analyses a final caller line: sets its sentiment (and its intent, when confident and
   * substantive) on `line`, and returns what changes on the call's summary and the new suggestion.
   */
  analyse(line: Utterance, historyBefore: readonly ChatMessage[]): { patch: Pick<CallSummary, 'callerSentiment' | 'sentimentTrend'>; suggestion: Suggestion } {
    const analysis = this.assist.analyse(line.text, historyBefore);
    // A confident, substantive intent says what the caller wants; "yes", "my number is…" do not.
    if (!SMALL_TALK_INTENTS.has(analysis.intent) && analysis.intentConfidence >= 0.6) {
      this.intent = analysis.intentLabel ?? analysis.intent;
      // Stored with the line: the call's first one is what History and Analytics call its intent.
      line.intent = analysis.intent;
    }
    for (const entity of analysis.entities ?? []) {
      const detail = `${entity.type.replace(/_/g, ' ')} ${entity.value}`;
      if (!this.details.includes(detail)) this.details.push(detail);
    }
    const score = analysis.sentiment.score;
    this.lastSentiment = score;
    this.lastLine = line.text;
    line.sentiment = analysis.sentiment;
    this.lines++;
    this.sentimentSum += score;
    this.trend = [...this.trend, round2(score)].slice(-TREND_POINTS);
    // Intent and articles smoothed over the call; actions for the agent beside the reply.
    this.latest = this.suggestions.next(line.id, analysis, this.trend);
    return { patch: { callerSentiment: this.meanSentiment, sentimentTrend: this.trend }, suggestion: this.latest };
  }

  get suggestion(): Suggestion | null {
    return this.latest;
  }

  /** Mean caller sentiment so far (2 decimals), null before the caller has said anything. */
  get meanSentiment(): number | null {
    return this.lines === 0 ? null : round2(this.sentimentSum / this.lines);
  }

  /** What the agent is told on take-over: the latest intent, details given, last words. */
  handoverText(): string {
    return handoverSummary({
      intent: this.intent,
      details: this.details,
      meanSentiment: this.meanSentiment,
      lastSentiment: this.lastSentiment,
      lastCallerLine: this.lastLine,
    });
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
