import { describe, expect, it } from 'vitest';
import { ClauseSplitter, isBackchannel, substantiveWordCount } from '../../src/main/core/pipeline/clauses';
import { SpokenTurn } from '../../src/main/core/calls/spoken-turn';

describe('clause splitting for streamed replies', () => {
  it('emits each sentence as soon as it is complete, however the text is chunked', () => {
    const splitter = new ClauseSplitter();
    const out: string[] = [];
    for (const chunk of ['I can help', ' with that. Your bill', ' was 42.50 dollars', '! Anything else']) out.push(...splitter.push(chunk));
    expect(out).toEqual(['I can help with that.', 'Your bill was 42.50 dollars!']);
    expect(splitter.flush()).toEqual(['Anything else']);
    expect(splitter.flush()).toEqual([]);
  });

  it('speaks a sentence that ends a chunk without waiting for the next chunk', () => {
    const splitter = new ClauseSplitter();
    expect(splitter.push('Sure, I can help with that.')).toEqual(['Sure, I can help with that.']);
    // A number's decimal point at the end of a chunk is not a sentence end.
    expect(splitter.push(' It costs 3.')).toEqual([]);
    expect(splitter.push('50 a month.')).toEqual(['It costs 3.50 a month.']);
  });

  it('breaks long clauses at commas but keeps short ones whole', () => {
    const splitter = new ClauseSplitter();
    expect(splitter.push('Yes, sure ')).toEqual([]);
    expect(splitter.push('thing, and if the router still shows a red light after that, ')).toEqual([
      'Yes, sure thing, and if the router still shows a red light after that,',
    ]);
  });
});

describe('backchannels', () => {
  it.each(['uh-huh', 'Okay.', 'yeah right', 'mm'])('%s is a backchannel', (text) => expect(isBackchannel(text)).toBe(true));
  it.each(['wait', 'no that is wrong', 'okay but I was charged twice', ''])('%s is not', (text) =>
    expect(isBackchannel(text)).toBe(false),
  );
  it('counts only substantive words towards an interruption', () => {
    expect(substantiveWordCount('uh-huh yeah')).toBe(0);
    expect(substantiveWordCount('yeah but wait')).toBe(2);
  });
});

describe('spoken turn: what the caller heard', () => {
  it('is every clause whose mark came back plus the played share of the current one', () => {
    const turn = new SpokenTurn('t1', 'ai', true);
    turn.addClause('Thanks for waiting.', 1000, 0);
    turn.addClause('Your refund of twenty dollars was sent on Monday.', 2000, 10);
    expect(turn.audible).toBe(true);
    expect(turn.heardText(500)).toBe('Thanks');
    expect(turn.markHeard('t1:0', 1000)).toBe(true);
    expect(turn.markHeard('t1:0', 1000)).toBe(false);
    expect(turn.markHeard('other:0', 1000)).toBe(false);
    // Half-way through the 9-word second clause: 4 words heard.
    expect(turn.heardText(2000)).toBe('Thanks for waiting. Your refund of twenty');
    turn.finishGeneration();
    expect(turn.complete).toBe(false);
    turn.markHeard('t1:1', 3000);
    expect(turn.complete).toBe(true);
    expect(turn.audible).toBe(false);
    expect(turn.heardText(9999)).toBe(turn.plannedText);
  });
});
