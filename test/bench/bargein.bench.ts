/**
 * Barge-in reaction time: from the fake STT sending its first interim of a caller line spoken
 * over the AI's audio, to Twilio's `clear` reaching that caller. Real media bridge, real SDK
 * providers, fakes in a child process (both timestamps are taken there, on one clock).
 * Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/bargein.bench.ts [--barge-ins 100] [--calls 4]
 *        [--barge-after-ms 300]
 *
 * stdout: exactly one line:  barge-in p50 N ms p95 N ms
 *
 * Onset mode (issue 14), on the caller's clock: voice onset → the AI's audio stops at the
 * caller, and how backchannels and coughs resume (support/onset.ts says how):
 *
 *   node test/support/run-ts.mjs test/bench/bargein.bench.ts --mode onset [--events 60]
 *        [--calls 4] [--first-interim-ms 400] [--vad-mode 1] [--min-voiced-ms 60]
 *        [--resume-window-ms 600]
 *
 * stdout ends with:  onset-to-silence p50 N ms p95 N ms
 *                    false-interruption resumed N % resume-gap p95 N ms words-lost N
 */
import { parseArgs } from 'node:util';
import { CALLER_LINES, REPLY_SENTENCES, runBench } from './support/harness';
import { ms, summarise } from './support/stats';
import { runOnsetBench } from './support/onset';

const { values: args } = parseArgs({
  options: {
    'barge-ins': { type: 'string', default: '100' },
    calls: { type: 'string', default: '4' },
    'barge-after-ms': { type: 'string', default: '300' },
    'speech-ms': { type: 'string', default: '600' },
    mode: { type: 'string', default: 'interim' },
    events: { type: 'string', default: '60' },
    'first-interim-ms': { type: 'string', default: '400' },
    'vad-mode': { type: 'string' },
    'min-voiced-ms': { type: 'string' },
    'resume-window-ms': { type: 'string' },
  },
});
if (args.mode === 'onset') {
  const setting = (name: 'vad-mode' | 'min-voiced-ms' | 'resume-window-ms') => (args[name] === undefined ? undefined : Number(args[name]));
  await runOnsetBench({
    events: Number(args.events),
    calls: Number(args.calls),
    firstInterimMs: Number(args['first-interim-ms']),
    settings: {
      ...(setting('vad-mode') !== undefined && { bargeInVadMode: setting('vad-mode') }),
      ...(setting('min-voiced-ms') !== undefined && { bargeInMinVoicedMs: setting('min-voiced-ms') }),
      ...(setting('resume-window-ms') !== undefined && { bargeInResumeWindowMs: setting('resume-window-ms') }),
    },
  });
  process.exit(0);
}
const bargeIns = Number(args['barge-ins']);
const calls = Math.max(1, Math.min(bargeIns, Number(args.calls)));
// Line 0 answers the greeting; every later line cuts into the reply to the line before.
const lines = Math.ceil(bargeIns / calls) + 1;

const run = await runBench(
  {
    calls,
    lines,
    speechMs: Number(args['speech-ms']),
    turnGapMs: 200,
    bargeInAfterMs: Number(args['barge-after-ms']),
    staggerMs: 250,
    replyTimeoutMs: 5000,
    maxDurationMs: lines * 8000 + 20_000,
    stt: { endpointingMs: 300, interimEveryMs: 100 },
    llm: { firstTokenMs: 400, gapMs: 200, sentences: REPLY_SENTENCES },
    // Long enough replies (about 2 s) that there is something to cut into.
    tts: { firstByteDelayMs: 100, msPerChar: 20 },
    transcripts: CALLER_LINES,
  },
  { deadlineMs: lines * 8000 + 60_000 },
);

const s = summarise(run.world.bargeInMs);
// Loopback reaction is sub-millisecond when idle: one decimal.
console.log(`barge-in p50 ${s.p50.toFixed(1)} ms p95 ${s.p95.toFixed(1)} ms`);
const e = (line: string) => process.stderr.write(`${line}\n`);
e(`-- barge-in bench: ${calls} call(s), ${lines - 1} barge-ins each, ${args['barge-after-ms']} ms into the AI's reply`);
e(`  measured ${s.n}, missed (no clear) ${run.world.bargeInMissed}, app barge_in events ${run.app.bargeInEvents}; max ${ms(s.max)} ms, mean ${s.mean.toFixed(1)} ms`);
e(`  app: cpu ${run.app.cpuPercent.toFixed(1)} % of a core, event-loop delay p99 ${run.app.eventLoop.p99Ms.toFixed(1)} ms; errors ${run.app.errorEvents.length}`);
e(`  world: cpu ${run.world.child.cpuPercent.toFixed(1)} %, event-loop p99 ${run.world.child.eventLoopP99Ms.toFixed(1)} ms; load average ${run.app.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
