import { describe, expect, it } from 'vitest';
import { CallStateMachine, canMove, controllerOf, offOurStream, type CallState } from '../../src/main/core/calls/call-state';

const ALL: CallState[] = ['ai', 'ai_paused', 'agent', 'agent_phone', 'agent_hold', 'returning', 'ended'];

describe('call state (who has the call)', () => {
  it('allows exactly the moves of the diagram', () => {
    const allowed = ALL.flatMap((from) => ALL.filter((to) => canMove(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(
      [
        'ai->ai_paused',
        'ai->agent',
        'ai->agent_phone',
        'ai->ended',
        'ai_paused->ai',
        'ai_paused->agent',
        'ai_paused->agent_phone',
        'ai_paused->ended',
        'agent->ai',
        'agent->ended',
        'agent_phone->agent_hold',
        'agent_phone->returning',
        'agent_phone->ai',
        'agent_phone->ended',
        'agent_hold->agent_phone',
        'agent_hold->returning',
        'agent_hold->ended',
        'returning->ai',
        'returning->agent_phone',
        'returning->ended',
      ].sort(),
    );
  });

  it('ends from anywhere, and nothing leaves ended', () => {
    for (const from of ALL.filter((s) => s !== 'ended')) expect(canMove(from, 'ended'), from).toBe(true);
    for (const to of ALL) expect(canMove('ended', to), to).toBe(false);
  });

  it('says who the console shows and whether the caller is on our stream', () => {
    expect(ALL.map((s) => controllerOf(s))).toEqual(['ai', 'ai', 'agent', 'agent', 'agent', 'ai', 'agent']);
    expect(ALL.filter(offOurStream)).toEqual(['agent_phone', 'agent_hold', 'returning']);
  });

  it('walks a real call through take-over, hold, hand-back and back on a new stream', () => {
    const call = new CallStateMachine();
    for (const step of ['agent_phone', 'agent_hold', 'agent_phone', 'returning', 'ai', 'agent_phone', 'ended'] as const) {
      call.move(step);
      expect(call.state).toBe(step);
    }
  });

  it('pauses and resumes the AI, and a paused call can be taken over but not put on hold', () => {
    const call = new CallStateMachine();
    call.move('ai_paused');
    call.move('ai');
    call.move('ai_paused');
    expect(() => call.move('agent_hold')).toThrow(/ai_paused to agent_hold/);
    expect(() => call.move('returning')).toThrow(/ai_paused to returning/);
    call.move('agent');
    expect(() => call.move('ai_paused')).toThrow(/agent to ai_paused/);
  });

  it('refuses an impossible move loudly, and keeps its state', () => {
    const call = new CallStateMachine();
    expect(() => call.move('agent_hold')).toThrow(/no move from ai to agent_hold/);
    expect(() => call.move('returning')).toThrow(/no move from ai to returning/);
    expect(call.state).toBe('ai');
    call.move('agent');
    expect(() => call.move('agent_hold')).toThrow(/agent to agent_hold/);
    call.move('ended');
    expect(() => call.move('ai')).toThrow(/ended to ai/);
    call.move('ended'); // staying put is not a move
  });
});
