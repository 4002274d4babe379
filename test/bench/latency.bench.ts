/**
 * Voice-to-voice latency through the real media bridge and the real SDK providers
 * (@deepgram/sdk; @google/genai or openai; Aura, ElevenLabs over its WebSocket, or our
 * Smallest.AI client) against fakes with set delays: STT final 300 ms after speech ends, LLM
 * first token 400 ms (a whole sentence), TTS first byte 100 ms, the same on every fake.
 * Overhead is voice-to-voice minus those 800 ms: what the app itself adds. Prints numbers,
 * asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/latency.bench.ts [--turns 100] [--calls 1]
 *        [--llm gemini|openai] [--tts deepgram|elevenlabs|smallest]
 *        [--speech-ms 600] [--llm-gap-ms 200] [--ms-per-char 10] [--turn-gap-ms 200] [--json]
 *
 * stdout: exactly two lines (caller-side figures, see README):
 *   voice-to-voice p50 N ms p95 N ms
 *   overhead p50 N ms p95 N ms
 * stderr: the app's own TurnMetrics figures, the stage breakdown and the run's conditions.
 */
import { parseArgs } from 'node:util';
import { CALLER_LINES, REPLY_SENTENCES, runBench } from './support/harness';
import { ms, summarise } from './support/stats';
import type { BenchEngines } from './support/engines';

const STT_MS = 300;
const LLM_MS = 400;
const TTS_MS = 100;
const SET_DELAYS_MS = STT_MS + LLM_MS + TTS_MS;

const { values: args } = parseArgs({
  options: {
    turns: { type: 'string', default: '100' },
    calls: { type: 'string', default: '1' },
    'speech-ms': { type: 'string', default: '600' },
    'llm-gap-ms': { type: 'string', default: '200' },
    'ms-per-char': { type: 'string', default: '10' },
    'turn-gap-ms': { type: 'string', default: '200' },
    llm: { type: 'string', default: 'gemini' },
    tts: { type: 'string', default: 'deepgram' },
    json: { type: 'boolean', default: false },
  },
});
const LLMS = ['gemini', 'openai'] as const;
const TTSS = ['deepgram', 'elevenlabs', 'smallest'] as const;
const isOneOf = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);
if (!isOneOf(LLMS, args.llm) || !isOneOf(TTSS, args.tts)) {
  process.stderr.write(`--llm is one of ${LLMS.join(', ')}; --tts one of ${TTSS.join(', ')}\n`);
  process.exit(2);
}
const engines: BenchEngines = { llm: args.llm, tts: args.tts };
const turns = Number(args.turns);
const calls = Math.max(1, Math.min(turns, Number(args.calls)));
const lines = Math.ceil(turns / calls);

const run = await runBench(
  {
    calls,
    lines,
    speechMs: Number(args['speech-ms']),
    turnGapMs: Number(args['turn-gap-ms']),
    staggerMs: 333,
    replyTimeoutMs: 5000,
    maxDurationMs: lines * 8000 + 20_000,
    stt: { endpointingMs: STT_MS, interimEveryMs: 100 },
    llm: { firstTokenMs: LLM_MS, gapMs: Number(args['llm-gap-ms']), sentences: REPLY_SENTENCES },
    tts: { firstByteDelayMs: TTS_MS, msPerChar: Number(args['ms-per-char']) },
    transcripts: CALLER_LINES,
    engines,
  },
  { deadlineMs: lines * 8000 + 60_000 },
);

const replies = run.world.lines.filter((l) => !l.afterTimeout).slice(0);
const caller = summarise(replies.flatMap((l) => (l.voiceToVoiceMs === null ? [] : [l.voiceToVoiceMs])));
const t = run.app.turns;
const appV2v = summarise(t.flatMap((m) => (m.firstAudioAtMs === null ? [] : [m.firstAudioAtMs - m.speechEndAtMs])));
const stage = (f: (m: (typeof t)[number]) => number | null) => summarise(t.flatMap((m) => { const v = f(m); return v === null ? [] : [v]; }));
const stt = stage((m) => m.sttFinalAtMs - m.speechEndAtMs - STT_MS);
const llm = stage((m) => (m.llmFirstTokenAtMs === null ? null : m.llmFirstTokenAtMs - m.sttFinalAtMs - LLM_MS));
const clause = stage((m) => (m.ttsFirstByteAtMs === null || m.llmFirstTokenAtMs === null ? null : m.ttsFirstByteAtMs - m.llmFirstTokenAtMs - TTS_MS));
const send = stage((m) => (m.firstAudioAtMs === null || m.ttsFirstByteAtMs === null ? null : m.firstAudioAtMs - m.ttsFirstByteAtMs));
const fakeStt = summarise(replies.flatMap((l) => (l.sttFinalMs === null ? [] : [l.sttFinalMs - STT_MS])));

console.log(`voice-to-voice p50 ${ms(caller.p50)} ms p95 ${ms(caller.p95)} ms`);
console.log(`overhead p50 ${ms(caller.p50 - SET_DELAYS_MS)} ms p95 ${ms(caller.p95 - SET_DELAYS_MS)} ms`);

const e = (s: string) => process.stderr.write(`${s}\n`);
const row = (name: string, s: ReturnType<typeof summarise>) =>
  e(`  ${name.padEnd(34)} n ${String(s.n).padStart(3)}  p50 ${ms(s.p50).padStart(5)}  p95 ${ms(s.p95).padStart(5)}  max ${ms(s.max).padStart(5)} ms`);
e(`-- latency bench: Deepgram + ${engines.llm} + ${engines.tts}, ${turns} turns over ${calls} call(s), set delays STT ${STT_MS} + LLM ${LLM_MS} + TTS ${TTS_MS} ms; 2nd LLM chunk +${args['llm-gap-ms']} ms`);
e(`headline = caller side (last speech frame sent -> first AI media frame received, one clock)`);
row('voice-to-voice, caller side', caller);
row('voice-to-voice, app TurnMetrics', appV2v);
e(`  app-side overhead p50 ${ms(appV2v.p50 - SET_DELAYS_MS)} p95 ${ms(appV2v.p95 - SET_DELAYS_MS)} ms (TurnMetrics are whole ms)`);
e('overhead by stage (app TurnMetrics, set delay subtracted):');
row('speech end -> STT final  (-300)', stt);
row('STT final -> LLM 1st chunk (-400)', llm);
row('LLM 1st chunk -> TTS 1st byte (-100)', clause);
row('TTS 1st byte -> audio sent', send);
row('fake STT: final sent - speech end (-300)', fakeStt);
e(`turns measured: app ${t.length}, caller ${caller.n}; caller lines after a reply timeout: ${run.world.lines.filter((l) => l.afterTimeout).length}`);
e(`app: cpu ${run.app.cpuPercent.toFixed(1)} % of a core, event-loop delay p99 ${run.app.eventLoop.p99Ms.toFixed(1)} ms max ${run.app.eventLoop.maxMs.toFixed(1)} ms; errors ${run.app.errorEvents.length}, fallbacks ${run.app.fallbackEvents}`);
e(`world: cpu ${run.world.child.cpuPercent.toFixed(1)} %, event-loop p99 ${run.world.child.eventLoopP99Ms.toFixed(1)} ms; load average ${run.app.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
if (run.app.errorEvents.length) e(`first error: ${JSON.stringify(run.app.errorEvents[0])}`);
if (args.json) e(JSON.stringify({ caller, appV2v, stt, llm, clause, send, fakeStt }));
