/** A Try it conversation: what was typed as the caller, what the AI answered, and with what. */
import type { CommandOutput } from '@shared/contract';
import type { TryMessage } from '@shared/ai-profile';

export type TryReply = CommandOutput<'profiles.try'>;

export interface TryTurn {
  caller: string;
  /** Null while the reply is on its way. */
  reply: Omit<TryReply, 'greeting'> | null;
}

export interface TrySession {
  /** Bumps on Reset, so an answer to the conversation before it is dropped. */
  id: number;
  direction: 'inbound' | 'outbound';
  /** The call's opening line, as the core composes it (null until it answered). */
  greeting: string | null;
  /** The profile version the greeting came from. */
  version: number | null;
  turns: TryTurn[];
  /** Why the last request failed (its caller line goes back into the box). */
  error: string | null;
}

/** The contract takes at most 60 messages: this many exchanges, plus the new caller line. */
export const MAX_TRY_TURNS = 29;

/** The conversation so far as the contract takes it (an empty reply, e.g. only a tool, is left out). */
export function messagesOf(turns: readonly TryTurn[]): TryMessage[] {
  const messages: TryMessage[] = [];
  for (const t of turns) {
    messages.push({ role: 'caller', text: t.caller });
    const reply = t.reply?.reply.trim() ?? '';
    if (reply !== '') messages.push({ role: 'ai', text: reply.slice(0, 2000) });
  }
  return messages;
}
