/** A record_fact tool call reads as the fact on the transcript's timeline. */
import { describe, expect, it } from 'vitest';
import { eventLabel } from '../../../src/renderer/src/features/call-view/timeline';

describe('the timeline label of a recorded fact', () => {
  it('says what the AI noted, or that it noted something when the arguments are unusable', () => {
    const ev = (args: unknown) => ({ id: 'e1', callId: 'c1', type: 'tool_call' as const, atMs: 1000, data: { tool: 'record_fact', args } });
    expect(eventLabel(ev({ name: 'order number', value: '99812' }))).toBe('AI noted order number: 99812');
    expect(eventLabel(ev({ name: '' }))).toBe('AI noted a fact');
  });
});
