/**
 * The offline stand-in for the LLM: no model, just the assist engine's intent +
 * knowledge-base reply, streamed clause by clause so text-to-speech can start on
 * the first clause, followed by a tool call when the reply hands over or ends
 * the call. Works with no API keys and no network.
 */
import type { AssistEngine } from '../../assist/assist-engine';
import { isMaskedKeypadDigits, parseKeypadHistoryText } from '../../calls/keypad';
import type { ChatMessage, LlmChunk, LlmProvider, LlmRequest } from '../types';

export interface OfflineReplyEngineOptions {
  /** A function reads the name afresh for each reply, so a change in Settings reaches the next call. */
  businessName: string | (() => string);
}

export const OFFLINE_LLM_LABEL = 'intent + knowledge base (offline)';

/** Shortest clause (in words) worth sending to TTS on its own; shorter ones ride with the next. */
const MIN_CLAUSE_WORDS = 3;

/**
 * Splits a reply at sentence ends and at commas, keeping every character, so the
 * chunks concatenate back to the reply exactly.
 */
export function splitIntoClauses(text: string): string[] {
  const pieces = text.match(/[^.!?,;]+(?:[.!?,;]+|$)\s*/g) ?? [];
  const clauses: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    // A short piece ("Sure.", "please?") rides with its neighbour: TTS sounds choppy on one word.
    if (pending.trim().split(/\s+/).length >= MIN_CLAUSE_WORDS) {
      clauses.push(pending);
      pending = '';
    }
  }
  if (pending !== '') {
    // A short tail ("please.") joins the clause before it rather than stand alone.
    if (clauses.length > 0) clauses[clauses.length - 1] += pending;
    else clauses.push(pending);
  }
  return clauses;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The reply was aborted', 'AbortError');
}

/** The caller's words since the AI last spoke (they may have said two things in a row). */
function latestCallerTurn(history: readonly ChatMessage[]): { text: string; before: readonly ChatMessage[] } {
  let start = history.length;
  while (start > 0 && history[start - 1]?.role === 'user') start--;
  const text = history
    .slice(start)
    .map((m) => m.text.trim())
    .filter((t) => t !== '')
    .join(' ');
  return { text, before: history.slice(0, start) };
}

const TOOL_FOR_ACTION = { transfer: 'transfer_to_agent', end_call: 'end_call' } as const;

export function createOfflineReplyEngine(assist: AssistEngine, options: OfflineReplyEngineOptions): LlmProvider {
  async function* generate(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) throw abortError(signal);
    // This engine cannot follow instructions: whispers are for the record (the session speaks
    // the "say: …" ones itself).
    const { text: said, before } = latestCallerTurn(request.history.filter((m) => m.role !== 'supervisor'));
    const businessName = typeof options.businessName === 'function' ? options.businessName() : options.businessName;
    const keypad = parseKeypadHistoryText(said);
    // A menu key stands for its choice; a keyed-in number is acknowledged by its last digits only.
    const text = keypad?.kind === 'menu' && keypad.option ? keypad.option : said;

    let reply: string;
    let tool: LlmChunk | null = null;
    if (keypad && keypad.kind === 'digits' && isMaskedKeypadDigits(keypad.digits)) {
      // A card or PIN keyed in when asked reaches this engine masked (issue 10): nothing to read back.
      reply = 'Thank you, I have that. How else can I help?';
    } else if (keypad && keypad.kind === 'digits') {
      reply = `Thank you, I have the number ending ${keypad.digits.slice(-4).split('').join(' ')}. How can I help with it?`;
    } else if (keypad && !keypad.option) {
      reply = `You pressed ${keypad.digits}. Could you tell me in a few words what you're calling about?`;
    } else if (text === '') {
      // Nothing from the caller yet: open the call (saying we are an automated assistant).
      reply = before.length === 0 ? assist.greeting({ businessName }) : 'Are you still there? How can I help?';
    } else {
      const analysis = assist.analyse(text, before, { businessName });
      reply = analysis.suggestedReply;
      if (analysis.action !== null) {
        tool = {
          type: 'tool-call',
          name: TOOL_FOR_ACTION[analysis.action],
          // The reason names the topic, never the caller's words: tool calls end up in logs.
          args: { reason: assist.intents.definition(analysis.replyIntent)?.label ?? analysis.replyIntent },
        };
      }
    }

    for (const clause of splitIntoClauses(reply)) {
      // Yield to the event loop between clauses so an abort (barge-in) lands before
      // the next clause is handed to TTS, not after the whole reply.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) throw abortError(signal);
      yield { type: 'text', text: clause };
    }
    if (tool !== null) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) throw abortError(signal);
      yield tool;
    }
  }

  return {
    label: OFFLINE_LLM_LABEL,
    offline: true,
    capabilities: { tools: true },
    generate,
  };
}
