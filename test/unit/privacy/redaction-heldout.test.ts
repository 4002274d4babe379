/**
 * A held-out set of redaction examples (test/fixtures/redaction-heldout.json), written from the
 * issue and the redaction API alone, without reading the detector, so that its score is an
 * independent estimate (the golden file was written alongside the detector). Same scorer as the
 * golden test; prints `redaction held-out recall N % false-positives N %`.
 * Fails when any card or SSN is missed, when false positives exceed 2 %, when recall over all
 * kinds falls under 95 % or when a mask is too wide (as the golden test does).
 */
import { describe, expect, it } from 'vitest';
import { HELDOUT_FILE, falsePositivePercent, loadGolden, masksIn, recallPercent, scoreGolden, scoreLine, scoreReport } from '../../support/redaction-golden';

const examples = loadGolden(HELDOUT_FILE);

describe('redaction held-out set', () => {
  it('holds at least 120 examples with at least 60 negatives and every kind of PII', () => {
    expect(examples.length).toBeGreaterThanOrEqual(120);
    const positives = examples.filter((e) => masksIn(e.expected).length > 0);
    const negatives = examples.filter((e) => e.expected === e.input);
    expect(negatives.length).toBeGreaterThanOrEqual(60);
    expect(positives.length + negatives.length).toBe(examples.length);
    for (const kind of ['[CARD', '[CVV]', '[SSN]', '[IBAN', '[EMAIL]', '[PHONE]']) {
      expect(positives.some((e) => e.expected.includes(kind)), kind).toBe(true);
    }
  });

  it('catches every card and SSN, with false positives at most 2 %', () => {
    const score = scoreGolden(examples);
    const line = scoreLine(score).replace(/^redaction /, 'redaction held-out ');
    console.log(line);
    const report = scoreReport(score);
    if (report) console.log(report);

    expect(score.missedByKind.card ?? 0, report).toBe(0);
    expect(score.missedByKind.ssn ?? 0, report).toBe(0);
    expect(falsePositivePercent(score), report).toBeLessThanOrEqual(2);
    // The same bar as the golden file for the other kinds, and no mask too wide or misplaced.
    expect(recallPercent(score), report).toBeGreaterThanOrEqual(95);
    expect(score.otherMismatches.length, report).toBe(0);
    expect(line).toMatch(/^redaction held-out recall \d+(\.\d)? % false-positives \d+(\.\d)? %$/);
  });
});
