/**
 * The golden file of redaction examples (test/fixtures/redaction-golden.json): spoken and
 * written cards, CVVs, SSNs, IBANs, emails and phone numbers, and the numbers that are none
 * of those (order and tracking numbers, dates, times, prices, zip codes, years).
 * Prints `redaction recall N % false-positives N %` (definitions in test/support/redaction-golden.ts).
 * Fails when any card or SSN is missed, when false positives exceed 2 %, or when recall over
 * the other kinds falls under 95 %.
 */
import { describe, expect, it } from 'vitest';
import { falsePositivePercent, loadGolden, masksIn, recallPercent, scoreGolden, scoreLine, scoreReport } from '../../support/redaction-golden';

const examples = loadGolden();

describe('redaction golden file', () => {
  it('holds at least 150 examples, positive and negative, with well-formed masks', () => {
    expect(examples.length).toBeGreaterThanOrEqual(150);
    const positives = examples.filter((e) => masksIn(e.expected).length > 0);
    const negatives = examples.filter((e) => e.expected === e.input);
    expect(positives.length).toBeGreaterThanOrEqual(60);
    expect(negatives.length).toBeGreaterThanOrEqual(60);
    // Every example is either a negative or has masks (no typo'd expected text that is neither).
    expect(positives.length + negatives.length).toBe(examples.length);
    for (const kind of ['[CARD', '[CVV]', '[SSN]', '[IBAN', '[EMAIL]', '[PHONE]']) {
      expect(positives.some((e) => e.expected.includes(kind)), kind).toBe(true);
    }
  });

  it('catches every card and SSN, with false positives at most 2 %', () => {
    const score = scoreGolden(examples);
    const line = scoreLine(score);
    console.log(line);
    const report = scoreReport(score);
    if (report) console.log(report);

    expect(score.missedByKind.card ?? 0, report).toBe(0);
    expect(score.missedByKind.ssn ?? 0, report).toBe(0);
    expect(falsePositivePercent(score), report).toBeLessThanOrEqual(2);
    expect(recallPercent(score), report).toBeGreaterThanOrEqual(95);
    // A caught item masked too widely or next to an extra mask is still wrong text.
    expect(score.otherMismatches.length, report).toBe(0);
    expect(line).toMatch(/^redaction recall \d+(\.\d)? % false-positives \d+(\.\d)? %$/);
  });
});
