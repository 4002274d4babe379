/**
 * PII redaction (issue 10): the golden file's recall and false positives, and redact()'s
 * throughput over a realistic transcript corpus. Prints numbers, asserts nothing (the golden
 * goals are asserted by test/unit/privacy/redaction-golden.test.ts).
 *
 *   node test/support/run-ts.mjs test/bench/redaction.bench.ts [--lines 100000] [--runs 5] [--pii-share 0.03]
 *                                                            (wired as `npm run bench:redaction`)
 *
 * stdout, exactly these lines:
 *   redaction recall N % false-positives N %     the golden file, definitions in test/support/redaction-golden.ts
 *   throughput N lines/s N MB/s                   redact(line, LOG_POLICY) over the corpus, median of the runs
 *   log line N µs before N µs, with an error N µs before N µs
 *                                                 one line through createLogger (with its scrubbing) and through
 *                                                 the logger before issue 10 (pino redact paths only)
 * stderr: the load average (first and last), the corpus, every run, the per-policy figures.
 *
 * The corpus: caller and AI lines as the app sees them, drawn (seeded, so every run is the
 * same) from resources/intents.json (caller examples, AI replies with placeholders filled with
 * account numbers, amounts and dates), resources/stt/domain-phrases.txt and the demo scenarios;
 * `--pii-share` of the lines (3 % by default) are the golden file's inputs, positive and
 * negative, so the detectors' slow paths are in the mix at a plausible rate.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createLogger } from '../../src/main/core/log';
import { LOG_POLICY, redact, type RedactionPolicy } from '../../src/main/core/privacy/redaction';
import { loadGolden, scoreGolden, scoreLine } from '../support/redaction-golden';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
    'pii-share': { type: 'string', default: '0.03' },
  },
});
const LINES = Math.max(1000, Number(args.lines));
const RUNS = Math.max(1, Number(args.runs));
const PII_SHARE = Math.min(1, Math.max(0, Number(args['pii-share'])));

const err = (line: string): void => void process.stderr.write(`${line}\n`);
const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
err(`load average ${loadAverage()} (1, 5, 15 min; ${availableParallelism()} cores)`);

// ------------------------------------------------------------------------------ the corpus

const RESOURCES = join(import.meta.dirname, '..', '..', 'resources');
/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(20261130);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

interface Intents {
  intents: Array<{ examples?: string[]; replies?: Array<string | { text?: string }> }>;
}
const intents = JSON.parse(readFileSync(join(RESOURCES, 'intents.json'), 'utf8')) as Intents;
const callerLines = [
  ...intents.intents.flatMap((i) => i.examples ?? []),
  ...readFileSync(join(RESOURCES, 'stt', 'domain-phrases.txt'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')),
  ...['01-double-charge.json', '02-slow-internet.json', '03-cancel.json'].flatMap(
    (f) => (JSON.parse(readFileSync(join(RESOURCES, 'scenarios', f), 'utf8')) as { turns: Array<{ say: string }> }).turns.map((t) => t.say),
  ),
];
const fill = (reply: string): string =>
  reply
    .replaceAll('{business}', 'Northwind Broadband')
    .replaceAll('{account}', String(10_000_000 + Math.floor(random() * 89_999_999)))
    .replaceAll('{amount}', `$${(10 + random() * 190).toFixed(2)}`)
    .replaceAll('{date}', pick(['March 3rd', '12/05/2025', 'the 14th', 'next Tuesday']))
    .replaceAll('{kb}', 'You can find this in your account under Billing.');
const aiLines = intents.intents.flatMap((i) => (i.replies ?? []).flatMap((r) => (typeof r === 'string' ? [r] : r.text ? [r.text] : [])));
const golden = loadGolden();

const corpus: string[] = [];
for (let i = 0; i < LINES; i++) {
  if (random() < PII_SHARE) corpus.push(pick(golden).input);
  else corpus.push(random() < 0.5 ? pick(callerLines) : fill(pick(aiLines)));
}
const corpusBytes = corpus.reduce((n, l) => n + Buffer.byteLength(l), 0);
err(`corpus: ${LINES} lines, ${(corpusBytes / 1e6).toFixed(2)} MB, ${callerLines.length} caller and ${aiLines.length} AI sources, ${(PII_SHARE * 100).toFixed(0)} % golden lines`);

// ------------------------------------------------------------------------------ measuring

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function throughput(policy: RedactionPolicy, label: string): { linesPerS: number; mbPerS: number } {
  let changed = 0;
  for (const line of corpus.slice(0, 2000)) redact(line, policy); // warm the JIT and regex caches
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    changed = 0;
    const start = performance.now();
    for (const line of corpus) if (redact(line, policy).changed) changed++;
    times.push(performance.now() - start);
  }
  const ms = median(times);
  const out = { linesPerS: (LINES / ms) * 1000, mbPerS: corpusBytes / 1e6 / (ms / 1000) };
  err(`  ${label.padEnd(28)} runs ${times.map((t) => t.toFixed(0)).join(' ')} ms; median ${Math.round(out.linesPerS)} lines/s ${out.mbPerS.toFixed(2)} MB/s; ${changed} lines changed`);
  return out;
}

/**
 * µs per log line written to a no-op destination, through createLogger (with its scrubbing) and
 * through the logger as it was before issue 10 (pino's `redact` paths on `field` and
 * `*.field`, nothing read inside strings), for a typical line and a line with an error.
 */
function logLineCost(): { ours: number; before: number; oursErr: number; beforeErr: number } {
  const sink = { write: (_line: string) => {} };
  const bindings = { callId: '9fb8c88a-f0b4-4889-8db4-ee41769bb05d', callSid: 'CAb0b530d41d64eed6b5c0efcf49f620d4' };
  const ours = createLogger({ level: 'debug', destination: sink }).child(bindings);
  const beforeFields = ['text', 'from', 'to', 'digit', 'digits', 'phone', 'transcript', 'apiKey', 'token', 'authToken'];
  const before = pino({ level: 'debug', base: undefined, redact: { paths: beforeFields.flatMap((f) => [f, `*.${f}`]), censor: '[redacted]' } }, sink).child(bindings);
  const fields = { provider: 'gemini', model: 'gemini-2.5-flash', attempt: 1, firstChunkMs: 322 };
  const error = new Error('Gemini unavailable after 1 attempt: HTTP 503 UNAVAILABLE: The model is overloaded. Please try again later.');
  const n = 20_000;
  const time = (write: () => void): number => {
    for (let i = 0; i < 2000; i++) write();
    const runs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const start = performance.now();
      for (let i = 0; i < n; i++) write();
      runs.push(((performance.now() - start) * 1000) / n);
    }
    return median(runs);
  };
  return {
    ours: time(() => ours.debug(fields, 'gemini first chunk')),
    before: time(() => before.debug(fields, 'gemini first chunk')),
    oursErr: time(() => ours.warn({ err: error, role: 'llm' }, 'provider failed; offline engine stands in')),
    beforeErr: time(() => before.warn({ err: error, role: 'llm' }, 'provider failed; offline engine stands in')),
  };
}

/** Hostile or odd input (a huge log field): redact() must stay near linear. Reported, not asserted. */
function worstCases(): void {
  const cases: Record<string, string> = {
    'digits and spaces': '1 '.repeat(50_000),
    '3-2 digit groups': '123 45 '.repeat(15_000),
    'spoken words': 'one two '.repeat(12_500),
    'email-like dots': `${'a.'.repeat(50_000)} at b dot`,
    'a stack trace': (new Error('x').stack ?? '').repeat(400),
  };
  for (const [label, text] of Object.entries(cases)) {
    const start = performance.now();
    redact(text, LOG_POLICY);
    err(`  ${label.padEnd(28)} ${(text.length / 1000).toFixed(0)} kB in ${(performance.now() - start).toFixed(0)} ms`);
  }
}

const score = scoreGolden(golden);
// The corpus's own lines hold no PII (account numbers are 8 digits, amounts and dates): any
// change there is a false positive the golden file did not foresee.
const ordinary = [...new Set(corpus)].filter((l) => !golden.some((g) => g.input === l));
const changedOrdinary = ordinary.filter((l) => redact(l, LOG_POLICY).changed);
err(`ordinary lines changed: ${changedOrdinary.length} of ${ordinary.length} distinct${changedOrdinary.length ? `, e.g. ${JSON.stringify(changedOrdinary.slice(0, 3))}` : ''}`);
err(`golden: ${golden.length} examples, ${score.items} PII items, ${score.negatives} negatives; missed ${JSON.stringify(score.missedByKind)}`);
err('throughput (median of the runs):');
const strict = throughput(LOG_POLICY, 'LOG_POLICY (all kinds)');
throughput({ emails: false, phoneNumbers: false }, 'cards/CVV/SSN/IBAN only');
err('worst cases (one call each):');
worstCases();
const cost = logLineCost();
err(`log line: ${cost.ours.toFixed(2)} µs now, ${cost.before.toFixed(2)} µs before issue 10 (typical fields)`);
err(`log line with an error: ${cost.oursErr.toFixed(2)} µs now, ${cost.beforeErr.toFixed(2)} µs before`);
err(`\nload average ${loadAverage()} at the end`);

console.log(scoreLine(score));
console.log(`throughput ${Math.round(strict.linesPerS)} lines/s ${strict.mbPerS.toFixed(2)} MB/s`);
console.log(`log line ${cost.ours.toFixed(1)} µs before ${cost.before.toFixed(1)} µs, with an error ${cost.oursErr.toFixed(1)} µs before ${cost.beforeErr.toFixed(1)} µs`);
