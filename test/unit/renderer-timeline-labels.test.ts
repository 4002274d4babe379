import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/shared/domain';
import { eventLabel, eventTone } from '../../src/renderer/src/features/call-view/timeline';

const ev = (type: CallEvent['type'], data: Record<string, unknown> = {}): CallEvent => ({
  id: 'e',
  callId: 'c',
  type,
  atMs: 0,
  data,
});

describe('timeline labels for the AI’s tools, fallbacks and requests', () => {
  it('says what the AI did in plain words', () => {
    expect(eventLabel(ev('tool_call', { tool: 'lookup_knowledge', args: { query: 'refund' } }))).toBe(
      'AI used lookup_knowledge',
    );
    expect(eventLabel(ev('tool_call', { tool: 'transfer_to_agent', args: { reason: 'wants a manager' } }))).toBe(
      'AI asked to transfer: wants a manager',
    );
    expect(eventLabel(ev('tool_call', { tool: 'transfer_to_agent', reason: 'billing dispute' }))).toBe(
      'AI asked to transfer: billing dispute',
    );
    expect(eventLabel(ev('tool_call', {}))).toBe('AI used a tool');
    expect(eventLabel(ev('takeover_requested', { reason: 'Caller is upset' }))).toBe('AI asked for a person: Caller is upset');
    expect(eventLabel(ev('fallback', { role: 'llm', reason: 'timeout after 4 s' }))).toBe(
      'Gemini failed — offline engine answered: timeout after 4 s',
    );
    expect(eventLabel(ev('fallback', { role: 'tts' }))).toBe('Deepgram voice failed — offline voice is speaking');
    expect(eventLabel(ev('silence', { attempt: 2 }))).toBe('Caller went quiet — AI checked in · attempt 2');
  });

  it('makes a request for a person stand out and a fallback read as a problem', () => {
    expect(eventTone(ev('takeover_requested'))).toBe('attention');
    expect(eventTone(ev('fallback'))).toBe('problem');
    expect(eventTone(ev('tool_call'))).toBe('muted');
  });
});
