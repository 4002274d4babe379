/**
 * What a call session needs from the rest of the core, as narrow interfaces, so the
 * session can be tested and the pieces behind them swapped.
 */
import type { CallEvent, CallSummary, KnowledgeArticleRef, Sentiment, TurnMetrics, Utterance } from '@shared/domain';
import type { ChatMessage } from '../providers/types';

/** Durable record of calls. Writes are synchronous and committed when they return. */
export interface CallRecorder {
  insertCall(call: CallSummary): void;
  updateCall(id: string, patch: Partial<CallSummary>): void;
  appendUtterance(utterance: Utterance): void;
  appendEvent(event: CallEvent): void;
  appendTurnMetrics(metrics: TurnMetrics): void;
}

export interface CallerLineAnalysis {
  intent: string;
  intentConfidence: number;
  sentiment: Sentiment;
  articles: KnowledgeArticleRef[];
  suggestedReply: string;
}

/** Understands caller lines for the agent (sentiment, intent, knowledge, next reply). */
export interface CallAssist {
  analyse(callerText: string, history: readonly ChatMessage[]): CallerLineAnalysis;
}
