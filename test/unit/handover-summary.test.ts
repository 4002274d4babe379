import { describe, expect, it } from 'vitest';
import { handoverSummary } from '../../src/main/core/calls/handover-summary';

describe('handover summary', () => {
  it('says what the caller wants, the details, the mood and trend, and the last words', () => {
    expect(
      handoverSummary({
        intent: 'Billing double charge',
        details: ['account number 45678', 'amount 20.00'],
        meanSentiment: -0.3,
        lastSentiment: -0.7,
        lastCallerLine: 'can I speak to a real person please',
      }),
    ).toBe(
      'Wants: Billing double charge. Details: account number 45678; amount 20.00. Mood: unhappy, getting worse. Last said: “can I speak to a real person please”',
    );
  });

  it('leaves out what it does not know', () => {
    expect(handoverSummary({ intent: null, details: [], meanSentiment: null, lastSentiment: null, lastCallerLine: null })).toBe(
      'The caller has not said anything yet.',
    );
    expect(handoverSummary({ intent: 'Opening hours', details: [], meanSentiment: 0.4, lastSentiment: 0.4, lastCallerLine: 'when are you open' })).toBe(
      'Wants: Opening hours. Mood: positive. Last said: “when are you open”',
    );
  });
});
