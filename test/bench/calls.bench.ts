/**
 * Concurrent calls: N callers (default 100) stream real-time audio both ways through the real
 * media bridge and the real SDK providers; the fakes and callers run in a child process, so
 * what is measured here is the app process alone: its CPU, its event-loop delay
 * (perf_hooks.monitorEventLoopDelay) and whether any audio frame was lost or late.
 * Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/calls.bench.ts [--calls 100] [--lines 4]
 *        [--speech-ms 1200] [--ms-per-char 50] [--stagger-ms 50] [--sweep-from N --sweep-step 25]
 *
 * stdout, for the --calls run:
 *   cpu N %                         (app process, % of one core, whole run)
 *   event-loop delay p99 N ms       (app process)
 *   frames dropped N late N         (both directions; see README for the definitions)
 *   calls N loop-delay p99 N ms dropped N        (the last line)
 * With --sweep-from, smaller runs come first (from, from + step, … below --calls, stopping at
 * the first that misses the loop goal), each printing its `calls N …` line, and
 *   largest calls meeting loop-delay p99 <= 20 ms: N
 * comes before the --calls run's lines (N counts that run too when it meets the goal).
 */
import { parseArgs } from 'node:util';
import { CALLER_LINES, REPLY_SENTENCES, runBench } from './support/harness';
import { ELD_RESOLUTION_MS, ms, summarise } from './support/stats';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '100' },
    lines: { type: 'string', default: '4' },
    'speech-ms': { type: 'string', default: '1200' },
    'ms-per-char': { type: 'string', default: '50' },
    'stagger-ms': { type: 'string', default: '50' },
    'sweep-from': { type: 'string' },
    'sweep-step': { type: 'string', default: '25' },
  },
});
const lines = Number(args.lines);
const speechMs = Number(args['speech-ms']);
const msPerChar = Number(args['ms-per-char']);
/** The goal for the app's event loop under load. */
const LOOP_GOAL_MS = 20;

interface CallsRun {
  calls: number;
  cpuPercent: number;
  loopP99Ms: number;
  dropped: number;
  late: number;
}

const e = (line: string) => process.stderr.write(`${line}\n`);

async function runCalls(calls: number): Promise<CallsRun> {
  const run = await runBench(
    {
      calls,
      lines,
      speechMs,
      turnGapMs: 400,
      staggerMs: Number(args['stagger-ms']),
      replyTimeoutMs: 10_000,
      maxDurationMs: 30_000 + lines * (speechMs + 12_000),
      stt: { endpointingMs: 300, interimEveryMs: 100 },
      llm: { firstTokenMs: 400, gapMs: 200, sentences: REPLY_SENTENCES },
      tts: { firstByteDelayMs: 100, msPerChar },
      transcripts: CALLER_LINES,
    },
    { deadlineMs: 120_000 + lines * (speechMs + 12_000) },
  );
  const w = run.world;
  const outboundMissingFrames = Math.max(0, Math.ceil((w.outbound.ttsBytesSent - w.outbound.bytesReceived) / 160));
  const v2v = summarise(w.lines.flatMap((l) => (l.voiceToVoiceMs === null || l.afterTimeout ? [] : [l.voiceToVoiceMs])));
  const appV2v = summarise(run.app.turns.flatMap((m) => (m.firstAudioAtMs === null ? [] : [m.firstAudioAtMs - m.speechEndAtMs])));
  const ended = w.callers.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.endedBy]: (acc[c.endedBy] ?? 0) + 1 }), {});
  e(`-- calls bench: ${calls} calls x ${lines} lines, ${speechMs} ms lines, ${(run.app.wallMs / 1000).toFixed(1)} s`);
  e(`  app: cpu ${run.app.cpuPercent.toFixed(1)} % of one core, main thread busy ${run.app.eventLoopUtilisation.toFixed(1)} %; event-loop delay p50 ${run.app.eventLoop.p50Ms.toFixed(1)} p99 ${run.app.eventLoop.p99Ms.toFixed(1)} max ${run.app.eventLoop.maxMs.toFixed(1)} ms`);
  e(`  app after all calls were dialled: event-loop delay p50 ${run.app.eventLoopAfterDialling.p50Ms.toFixed(1)} p99 ${run.app.eventLoopAfterDialling.p99Ms.toFixed(1)} max ${run.app.eventLoopAfterDialling.maxMs.toFixed(1)} ms (ELD figures are samples minus the ${ELD_RESOLUTION_MS} ms resolution)`);
  e(`  inbound (caller -> app -> STT): ${w.inbound.framesSent} frames sent, ${w.inbound.framesChecked} checked, ${w.inbound.dropped} dropped; transit (newest frame of each message) p50 ${w.inbound.transitP50Ms.toFixed(1)} p99 ${w.inbound.transitP99Ms.toFixed(1)} max ${w.inbound.transitMaxMs.toFixed(1)} ms; ${w.inbound.lateOver40Ms} > 40 ms`);
  e(`  outbound (TTS -> app -> caller): ${w.outbound.ttsBytesSent} bytes from TTS, ${w.outbound.bytesReceived} at callers (${outboundMissingFrames} frames missing); ${w.outbound.underrunTicks} underrun ticks (20 ms of silence inside a reply)`);
  e(`  voice-to-voice: caller side p50 ${ms(v2v.p50)} p95 ${ms(v2v.p95)} max ${ms(v2v.max)} ms (n ${v2v.n}); app TurnMetrics p50 ${ms(appV2v.p50)} p95 ${ms(appV2v.p95)} ms (n ${appV2v.n})`);
  e(`  calls ended by: ${JSON.stringify(ended)}; lines after reply timeout ${w.lines.filter((l) => l.afterTimeout).length}; errors ${run.app.errorEvents.length}, fallbacks ${run.app.fallbackEvents}`);
  e(`  connections: listen ${w.listenConnections}, speak ${w.speakConnections}; gemini requests ${w.geminiRequests}`);
  e(`  world (child): cpu ${w.child.cpuPercent.toFixed(1)} %, event-loop p99 ${w.child.eventLoopP99Ms.toFixed(1)} ms, late caller ticks ${w.child.lateTicks}; load average ${run.app.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
  if (run.app.errorEvents.length) e(`  first error: ${JSON.stringify(run.app.errorEvents[0])}`);
  return {
    calls,
    cpuPercent: run.app.cpuPercent,
    loopP99Ms: run.app.eventLoop.p99Ms,
    dropped: w.inbound.dropped + outboundMissingFrames,
    late: w.inbound.lateOver40Ms + w.outbound.underrunTicks,
  };
}

const callsLine = (r: CallsRun) => `calls ${r.calls} loop-delay p99 ${r.loopP99Ms.toFixed(1)} ms dropped ${r.dropped}`;
const meetsGoal = (r: CallsRun) => r.loopP99Ms <= LOOP_GOAL_MS && r.dropped === 0;

const target = Number(args.calls);
let largest: number | null = null;
if (args['sweep-from'] !== undefined) {
  const step = Number(args['sweep-step']);
  for (let calls = Number(args['sweep-from']); calls < target; calls += step) {
    const r = await runCalls(calls);
    console.log(callsLine(r));
    if (!meetsGoal(r)) break;
    largest = calls;
  }
}
const final = await runCalls(target);
if (args['sweep-from'] !== undefined) {
  if (meetsGoal(final)) largest = target;
  console.log(`largest calls meeting loop-delay p99 <= ${LOOP_GOAL_MS} ms: ${largest ?? 'none'}`);
}
console.log(`cpu ${ms(final.cpuPercent)} %`);
console.log(`event-loop delay p99 ${final.loopP99Ms.toFixed(1)} ms`);
console.log(`frames dropped ${final.dropped} late ${final.late}`);
console.log(callsLine(final));
