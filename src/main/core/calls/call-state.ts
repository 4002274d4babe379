/**
 * Who has a call, as one state with its allowed moves (issue 8): several booleans could say
 * "on the agent's phone" and "waiting for the AI's stream" at once; one state cannot.
 *
 *   ai ◀──pause/resume──▶ ai_paused  (the AI listens and says nothing; the agent steers)
 *   ai, ai_paused ──take over──▶ agent          (simulated call: the agent types, we speak)
 *   ai, ai_paused ──take over──▶ agent_phone    (real call: put through to the agent's softphone)
 *   agent_phone ◀──hold/resume──▶ agent_hold
 *   agent_phone, agent_hold ──hand back──▶ returning   (REST redirect; a new stream is coming)
 *   returning ──stream arrived──▶ ai
 *   agent ──hand back──▶ ai
 *   agent_phone ──redirect failed──▶ ai                 (the caller never left our stream)
 *   returning ──take over──▶ agent_phone                (taken again before the stream came)
 *   any but ended ──▶ ended
 */

import type { CallState } from '@shared/domain';

export type { CallState };

const MOVES: Record<CallState, readonly CallState[]> = {
  ai: ['ai_paused', 'agent', 'agent_phone', 'ended'],
  ai_paused: ['ai', 'agent', 'agent_phone', 'ended'],
  agent: ['ai', 'ended'],
  // Back to 'ai' only when the redirect to the softphone failed (the caller never left us).
  agent_phone: ['agent_hold', 'returning', 'ai', 'ended'],
  agent_hold: ['agent_phone', 'returning', 'ended'],
  returning: ['ai', 'agent_phone', 'ended'],
  ended: [],
};

export function canMove(from: CallState, to: CallState): boolean {
  return MOVES[from].includes(to);
}

/** Who the console shows as handling the call. */
export function controllerOf(state: CallState): 'ai' | 'agent' {
  return state === 'ai' || state === 'ai_paused' || state === 'returning' ? 'ai' : 'agent';
}

/** The caller is not on our media stream (a closing stream then does not end the call). */
export function offOurStream(state: CallState): boolean {
  return state === 'agent_phone' || state === 'agent_hold' || state === 'returning';
}

/** One call's state; a move the diagram does not allow is a bug, and throws. */
export class CallStateMachine {
  private current: CallState = 'ai';

  get state(): CallState {
    return this.current;
  }

  move(to: CallState): void {
    if (this.current === to) return;
    if (!canMove(this.current, to)) throw new Error(`call state: no move from ${this.current} to ${to}`);
    this.current = to;
  }
}
