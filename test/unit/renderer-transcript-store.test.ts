import { describe, expect, it } from 'vitest';
import type { Utterance } from '../../src/shared/domain';
import { mergeUtterance } from '../../src/renderer/src/features/calls/store';

const line = (id: string, startMs: number, text: string, final: boolean): Utterance => ({
  id,
  callId: 'c1',
  speaker: 'ai',
  text,
  final,
  startMs,
  endMs: startMs + 500,
  sentiment: null,
  interrupted: false,
});

describe('transcript merging in the console', () => {
  it('replaces interim lines in place and keeps lines in time order', () => {
    let lines = mergeUtterance([], line('a', 0, 'Hello', false));
    lines = mergeUtterance(lines, line('b', 2000, 'Later', true));
    lines = mergeUtterance(lines, line('c', 1000, 'Between', true));
    lines = mergeUtterance(lines, line('a', 0, 'Hello there.', true));
    expect(lines.map((l) => [l.id, l.text, l.final])).toEqual([
      ['a', 'Hello there.', true],
      ['c', 'Between', true],
      ['b', 'Later', true],
    ]);
  });

  it('never downgrades a final line to an interim one', () => {
    const lines = mergeUtterance([line('a', 0, 'Done.', true)], line('a', 0, 'Do', false));
    expect(lines[0]!.text).toBe('Done.');
  });

  it('drops a line whose final text is empty (cut off before a word was heard)', () => {
    let lines = mergeUtterance([], line('a', 0, 'Let me check that for you.', false));
    lines = mergeUtterance(lines, line('a', 0, '', true));
    expect(lines).toEqual([]);
    expect(mergeUtterance([], line('z', 0, '', true))).toEqual([]);
  });
});
