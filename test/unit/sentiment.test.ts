import { describe, expect, it } from 'vitest';
import { analyseSentiment, sentimentOf } from '../../src/main/core/assist/sentiment';

const label = (line: string) => sentimentOf(line).label;

describe('call-centre sentiment', () => {
  it('reads service problems as negative even when VADER sees nothing', () => {
    const line = 'my internet is still not working';
    expect(analyseSentiment(line).vader).toBe(0);
    expect(label(line)).toBe('negative');
    expect(label('i was charged twice this month')).toBe('negative');
    expect(label('i have no internet')).toBe('negative');
  });

  it('grades frustration: angrier lines score lower', () => {
    const mild = sentimentOf('i was charged twice this month').score;
    const angry = sentimentOf('this is the third time ive called and ive been on hold for an hour this is ridiculous').score;
    expect(angry).toBeLessThan(mild);
    expect(angry).toBeLessThan(-0.6);
  });

  it('reads sarcasm as negative', () => {
    expect(analyseSentiment('oh great another outage').vader).toBeGreaterThan(0.5);
    expect(label('oh great another outage')).toBe('negative');
    expect(label('fantastic my internet is down again')).toBe('negative');
    expect(label('thanks a lot for nothing i am still waiting for my refund')).toBe('negative');
  });

  it('does not read a polite request as happiness', () => {
    // VADER alone scores this clearly positive because of "please" and "help".
    expect(analyseSentiment('could you please help me cancel my account').vader).toBeGreaterThan(0.3);
    expect(sentimentOf('could you please help me cancel my account').score).toBeLessThan(0.05);
    expect(label('yes please')).toBe('neutral');
    expect(label('can you tell me when my bill is due please')).toBe('neutral');
  });

  it('reads thanks and relief as positive', () => {
    expect(label('thank you so much that was really helpful')).toBe('positive');
    expect(label('oh thats great its working again')).toBe('positive');
    expect(sentimentOf('thank you so much').score).toBeGreaterThan(0.5);
  });

  it('keeps neutral lines neutral and scores in range', () => {
    for (const line of ['my account number is four five six', 'i am moving house next month', '', 'okay']) {
      const s = sentimentOf(line);
      expect(s.score).toBeGreaterThanOrEqual(-1);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s.label).toBe('neutral');
    }
  });
});
