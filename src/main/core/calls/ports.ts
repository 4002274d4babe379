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
  /** `redaction`: the PII kinds masked in the line (issue 10), so a crashed recording can still be toned there. */
  appendUtterance(utterance: Utterance, redaction?: { kinds: readonly string[] }): void;
  appendEvent(event: CallEvent): void;
  appendTurnMetrics(metrics: TurnMetrics): void;
}

export interface CallerLineAnalysis {
  intent: string;
  intentConfidence: number;
  sentiment: Sentiment;
  articles: KnowledgeArticleRef[];
  suggestedReply: string;
  /** Human label of the intent ("Billing double charge"). */
  intentLabel?: string;
  /** Details in the line: account/order numbers, amounts, dates. */
  entities?: ReadonlyArray<{ type: string; value: string }>;
  /** A line the agent might have the AI say about this intent (intents.json `coaching`). */
  coaching?: { label: string; say: string } | null;
}

/** Understands caller lines for the agent (sentiment, intent, knowledge, next reply). */
export interface CallAssist {
  analyse(callerText: string, history: readonly ChatMessage[]): CallerLineAnalysis;
}

/**
 * The phone line behind a call, for calls that can leave our media stream: a real Twilio
 * call is put through to the agent's softphone on take-over and brought back to a new
 * stream on hand-back. Simulated calls have none: the agent's typed lines are spoken.
 */
export interface CallControl {
  readonly kind: 'twilio';
  /** Rings the agent's softphone (`identity`) with the caller; the AI's stream ends. */
  redirectToAgent(identity: string): Promise<void>;
  /** The TwiML that puts the caller through to `identity` (a relay session's action callback answers it). */
  agentTwiml(identity: string): string;
  /** Connects the caller to a new AI media stream (it arrives through the bridge). */
  returnToAi(): Promise<void>;
  /** Ends the phone call. */
  hangUp(): Promise<void>;
  /** Puts the caller on hold (the agent's leg drops; the caller hears hold music). */
  hold(): Promise<void>;
}
