/**
 * Offline engines under a burst (issue 14): `--calls` callers (default 20) dial in at the same
 * moment, on the offline engines (PocketSphinx, flite, the offline reply engine), and each
 * measures on its own clock how long after its stream started the AI's first audio reached it
 * (the greeting). `--rounds` bursts (default 3), each on a quiet core; the calls of a round
 * hang up before the next. Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/offline-calls.bench.ts [--calls 20] [--rounds 3]
 *
 * stdout ends with:  offline 20-call first-audio p95 N ms
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { startHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';
import { summarise } from './support/stats';

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const calls = Number(args.calls);
const rounds = Number(args.rounds);
const load = loadavg();
const harness = await startHarness();
const firstAudioMs: number[] = [];
const e = (line: string) => process.stderr.write(`${line}\n`);

for (let round = 0; round < rounds; round++) {
  const callers = Array.from(
    { length: calls },
    (_, i) =>
      new CallerSimulator({
        ...harness.core.simulatedCall(),
        bridgeUrl: harness.core.bridgeUrl,
        // No lines to synthesise first: every caller connects at once and only listens.
        scenario: { id: 'burst', title: 'burst', description: '', from: `+1555010${String(4000 + i)}`, to: '+15550109999', voice: 'rms', turns: [], afterLastTurn: 'stay' },
        voice: createFliteTts({ voice: 'rms' }),
        maxDurationMs: 60_000,
      }),
  );
  await Promise.all(callers.map((c) => c.start()));
  await until(() => callers.every((c) => c.report.received.length > 0), 30_000, 'every caller to hear the AI');
  const round_ = callers.map((c) => c.report.received[0]!.atMs);
  firstAudioMs.push(...round_);
  const s = summarise(round_);
  e(`  round ${round + 1}: first audio p50 ${Math.round(s.p50)} ms p95 ${Math.round(s.p95)} ms max ${Math.round(s.max)} ms`);
  for (const c of callers) c.hangUp();
  await until(() => harness.events.filter((ev) => ev.name === 'call.updated' && ev.payload.status === 'ended').length >= (round + 1) * calls, 20_000, 'the calls to end');
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
await harness.core.close();

const s = summarise(firstAudioMs);
const cold = summarise(firstAudioMs.slice(0, calls));
const warm = summarise(firstAudioMs.slice(calls));
e(`  first round (the app's first calls): p95 ${Math.round(cold.p95)} ms; later rounds: p95 ${Math.round(warm.p95)} ms`);
e(`-- offline burst: ${rounds} x ${calls} calls at once; first audio p50 ${Math.round(s.p50)} ms, max ${Math.round(s.max)} ms (caller clock, 20 ms frames); load average at start ${load.map((l) => l.toFixed(2)).join(' ')}`);
console.log(`offline ${calls}-call first-audio p95 ${Math.round(s.p95)} ms`);
