/**
 * The redaction golden file (test/fixtures/redaction-golden.json) and how it is scored; shared
 * by test/unit/privacy/redaction-golden.test.ts and test/bench/redaction.bench.ts so both print
 * the same `redaction recall N % false-positives N %` line from the same definitions.
 *
 * Definitions:
 *  - A PII item is one mask in an example's expected text ("[CARD ••••1111]", "[SSN]", ...).
 *    An example with at least one is a positive example; one whose expected text equals its
 *    input is a negative example (nothing in it may change under its policy).
 *  - An item is caught when the same mask text appears in the actual output, counted as a
 *    multiset per example (two expected "[PHONE]" need two in the output; a card masked with the
 *    wrong last four digits is not caught).
 *  - recall = caught items / all items, over every positive example.
 *  - false positives = negative examples whose output differs from their input / all negative
 *    examples. (Extra masks inside a positive example show up as a text mismatch, listed apart.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact, type RedactionPolicy } from '../../src/main/core/privacy/redaction';

export interface GoldenExample {
  /** The line said just before, read for context: redact(input, policy, { before }). */
  before?: string;
  input: string;
  policy: RedactionPolicy;
  expected: string;
  note?: string;
}

export const GOLDEN_FILE = join(import.meta.dirname, '..', 'fixtures', 'redaction-golden.json');
/** Written without reading the detector, to check the golden file's score is not self-fulfilling. */
export const HELDOUT_FILE = join(import.meta.dirname, '..', 'fixtures', 'redaction-heldout.json');

export function loadGolden(file: string = GOLDEN_FILE): GoldenExample[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { examples?: unknown };
  if (!Array.isArray(parsed.examples)) throw new Error(`${file}: expected { "examples": [...] }`);
  return parsed.examples.map((e: unknown, i: number) => {
    const x = e as Partial<GoldenExample>;
    if ((x.before !== undefined && typeof x.before !== 'string') || typeof x.input !== 'string' || typeof x.expected !== 'string' || typeof x.policy?.emails !== 'boolean' || typeof x.policy?.phoneNumbers !== 'boolean') {
      throw new Error(`${file}: example ${i} needs input, expected and policy { emails, phoneNumbers } (and before, if any, a string)`);
    }
    return x as GoldenExample;
  });
}

const MASK = /\[(?:CARD ••••\d{4}|IBAN ••••[A-Z0-9]{4}|CVV|SSN|EMAIL|PHONE)\]/g;
export const masksIn = (text: string): string[] => text.match(MASK) ?? [];
const kindOf = (mask: string): string => mask.slice(1).split(/[ \]]/)[0]!.toLowerCase();

export interface GoldenMiss {
  example: GoldenExample;
  actual: string;
  /** Expected masks not in the output. */
  missed: string[];
}

export interface GoldenScore {
  items: number;
  caught: number;
  negatives: number;
  falsePositives: number;
  /** Items missed per kind (card, ssn, ...). */
  missedByKind: Record<string, number>;
  misses: GoldenMiss[];
  /** Negative examples that were changed. */
  changedNegatives: Array<{ example: GoldenExample; actual: string }>;
  /** Positive examples with every item caught but some other difference (an extra mask, a mask too wide). */
  otherMismatches: Array<{ example: GoldenExample; actual: string }>;
}

export function scoreGolden(examples: readonly GoldenExample[]): GoldenScore {
  const score: GoldenScore = { items: 0, caught: 0, negatives: 0, falsePositives: 0, missedByKind: {}, misses: [], changedNegatives: [], otherMismatches: [] };
  for (const example of examples) {
    const actual = redact(example.input, example.policy, example.before === undefined ? {} : { before: example.before }).text;
    const expectedMasks = masksIn(example.expected);
    if (expectedMasks.length === 0) {
      score.negatives++;
      if (actual !== example.input) {
        score.falsePositives++;
        score.changedNegatives.push({ example, actual });
      }
      continue;
    }
    const left = masksIn(actual);
    const missed: string[] = [];
    for (const mask of expectedMasks) {
      const at = left.indexOf(mask);
      if (at >= 0) left.splice(at, 1);
      else missed.push(mask);
    }
    score.items += expectedMasks.length;
    score.caught += expectedMasks.length - missed.length;
    for (const m of missed) score.missedByKind[kindOf(m)] = (score.missedByKind[kindOf(m)] ?? 0) + 1;
    if (missed.length > 0) score.misses.push({ example, actual, missed });
    else if (actual !== example.expected) score.otherMismatches.push({ example, actual });
  }
  return score;
}

export const recallPercent = (s: GoldenScore): number => (s.items === 0 ? 0 : (100 * s.caught) / s.items);
export const falsePositivePercent = (s: GoldenScore): number => (s.negatives === 0 ? 0 : (100 * s.falsePositives) / s.negatives);
const pct = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The headline line, printed by the test and the bench alike. */
/** Every miss, false positive and wrong text of a score, one block each ('' when none). */
export function scoreReport(score: GoldenScore): string {
  return [
    ...score.misses.map((m) => `MISSED ${m.missed.join(' ')}\n  in:  ${m.example.input}\n  got: ${m.actual}`),
    ...score.changedNegatives.map((m) => `FALSE POSITIVE\n  in:  ${m.example.input}\n  got: ${m.actual}`),
    ...score.otherMismatches.map((m) => `MISMATCH\n  in:  ${m.example.input}\n  exp: ${m.example.expected}\n  got: ${m.actual}`),
  ].join('\n');
}

export function scoreLine(s: GoldenScore): string {
  return `redaction recall ${pct(recallPercent(s))} % false-positives ${pct(falsePositivePercent(s))} %`;
}
