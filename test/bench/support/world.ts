/**
 * The world outside the app, for benchmarks: the Deepgram fake (listen in VAD mode, speak),
 * the LLM fakes (Gemini, OpenAI: auto replies), the other TTS fakes (ElevenLabs, Smallest.AI)
 * and the callers, all in this CHILD process, so the process being measured (the parent,
 * running the core) is the app alone. Every fake runs; `config.engines` says which LLM and TTS
 * the run's replies come from (the app is pointed at all of them and chooses those). Started
 * with child_process.fork of test/support/run-ts.mjs; talks to the parent over IPC:
 *
 *   child  -> parent  { type: 'ready', env }       (keys and SWITCHBOARD_*_URL for the app)
 *   parent -> child   { type: 'run', config: WorldConfig }
 *   child  -> parent  { type: 'dialled' }          (every call has been dialled)
 *   child  -> parent  { type: 'result', result: WorldResult }
 *   parent -> child   { type: 'close' }            (the child closes the fakes and exits)
 *
 * Every timestamp compared here (caller frames, fake messages, clears) is performance.now() of
 * this one process. The run is bounded: callers hang up by themselves (lines spoken, reply
 * timeout, maxDurationMs) and the child exits if the parent goes away.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_LISTEN_VAD, startDeepgramFake, type ListenConnection } from '../../fakes/deepgram-fake';
import { startElevenLabsFake } from '../../fakes/elevenlabs-fake';
import { sentenceReply, startGeminiFake } from '../../fakes/gemini-fake';
import { sentenceReply as openAiSentenceReply, startOpenAiFake } from '../../fakes/openai-fake';
import { startSmallestFake } from '../../fakes/smallest-fake';
import { BenchCaller, readTag, type CallerResult } from './bench-caller';
import { FRAME_BYTES } from '../../../src/main/core/pipeline/audio';
import type { SimulatedCallCredentials } from '../../../src/main/core/telephony/call-registry';
import { DEFAULT_BENCH_ENGINES, type BenchEngines } from './engines';
import { delayMs, ELD_RESOLUTION_MS, percentile } from './stats';

export const DEEPGRAM_KEY = 'bench-deepgram-key-0000000000000001';
export const GEMINI_KEY = 'bench-gemini-key-00000000000000000001';
export const OPENAI_KEY = 'bench-openai-key-00000000000000000001';
export const ELEVENLABS_KEY = 'bench-elevenlabs-key-000000000000001';
export const SMALLEST_KEY = 'bench-smallest-key-0000000000000001';

export interface WorldConfig {
  bridgeUrl: string;
  /** One registration per call (Core.simulatedCall in the parent, which runs the core). */
  credentials: SimulatedCallCredentials[];
  calls: number;
  /** Caller lines per call. */
  lines: number;
  speechMs: number;
  turnGapMs: number;
  bargeInAfterMs?: number | undefined;
  /** Delay between dialling one call and the next. */
  staggerMs: number;
  replyTimeoutMs: number;
  maxDurationMs: number;
  stt: { endpointingMs: number; interimEveryMs: number };
  llm: { firstTokenMs: number; gapMs: number; sentences: string[] };
  tts: { firstByteDelayMs: number; msPerChar: number };
  /** Caller lines the fake STT "hears", in turn (first words must not be backchannels). */
  transcripts: string[];
  /** Which LLM and TTS fakes answer (the app is told the same with providers.update). Default Gemini + Aura. */
  engines?: BenchEngines;
}

export interface LineTiming {
  call: number;
  line: number;
  bargeIn: boolean;
  afterTimeout: boolean;
  /** Caller side: first AI audio frame arrived minus the caller's speech end. */
  voiceToVoiceMs: number | null;
  /** Fake STT side: final sent minus speech end (both in this process). */
  sttFinalMs: number | null;
}

export interface WorldResult {
  lines: LineTiming[];
  /** Fake STT's first interim of a barge-in line -> `clear` at that caller. */
  bargeInMs: number[];
  /** Barge-in lines that never got a `clear` (the AI had stopped or the app missed it). */
  bargeInMissed: number;
  callers: Array<Omit<CallerResult, 'sentAt' | 'lines' | 'clears'> & { clears: number }>;
  inbound: {
    framesSent: number;
    framesChecked: number;
    dropped: number;
    /** Caller frame sent -> the same frame reached the Deepgram fake (through the app). */
    transitP50Ms: number;
    transitP99Ms: number;
    transitMaxMs: number;
    lateOver40Ms: number;
  };
  outbound: { ttsBytesSent: number; bytesReceived: number; underrunTicks: number };
  listenConnections: number;
  /** TTS sockets the chosen voice's fake accepted. */
  speakConnections: number;
  /** Requests the chosen LLM's fake answered (Gemini or OpenAI). */
  geminiRequests: number;
  child: { eventLoopP99Ms: number; cpuPercent: number; lateTicks: number };
}

/** Frames whose transit is measured: after the first second (the STT socket is opening). */
const WARMUP_FRAMES = 50;
/** Frames at the end of a call that may still be in flight when the call is hung up. */
const IN_FLIGHT_FRAMES = 25;

async function main(): Promise<void> {
  const send = (message: unknown) => process.send?.(message);
  const callers: BenchCaller[] = [];
  const transit: number[] = [];
  const arrived: Uint8Array[] = [];
  const connCall = new Map<ListenConnection, number>();

  const deepgram = await startDeepgramFake({
    apiKey: DEEPGRAM_KEY,
    listenIdleTimeoutMs: 30_000,
    onListenAudio(connection, bytes) {
      const now = performance.now();
      for (let offset = 0; offset + FRAME_BYTES <= bytes.length; offset += FRAME_BYTES) {
        const tag = readTag(bytes, offset);
        if (!tag) continue;
        const caller = callers[tag.callIndex];
        if (!caller) continue;
        if (!connCall.has(connection)) connCall.set(connection, tag.callIndex);
        const seen = (arrived[tag.callIndex] ??= new Uint8Array(1 << 16));
        if (tag.frameNo < seen.length) seen[tag.frameNo] = 1;
        // Transit is the newest frame's: the app holds quiet frames while the caller listens
        // to the AI and sends them together (SttUrgency 'relaxed'); the older ones in a
        // message waited on purpose, the newest shows how late the app itself was.
        const newest = offset + 2 * FRAME_BYTES > bytes.length;
        const sentAt = caller.result.sentAt[tag.frameNo];
        if (newest && tag.frameNo > WARMUP_FRAMES && sentAt !== undefined) transit.push(now - sentAt);
      }
    },
  });
  const gemini = await startGeminiFake({ apiKey: GEMINI_KEY, keepRequests: false });
  const openai = await startOpenAiFake({ apiKey: OPENAI_KEY, keepRequests: false });
  const elevenlabs = await startElevenLabsFake({ apiKey: ELEVENLABS_KEY });
  const smallest = await startSmallestFake({ apiKey: SMALLEST_KEY });
  let geminiRequests = 0;

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    for (const c of callers) c.hangUp('timeout');
    await Promise.allSettled([deepgram.close(), gemini.close(), openai.close(), elevenlabs.close(), smallest.close()]);
    process.exit(0);
  };
  process.on('disconnect', () => void close());

  process.on('message', (message: { type: string; config?: WorldConfig }) => {
    if (message.type === 'close') void close();
    if (message.type === 'run' && message.config) {
      run(message.config).then(
        (result) => send({ type: 'result', result }),
        (error: unknown) => send({ type: 'error', message: String((error as Error)?.stack ?? error) }),
      );
    }
  });

  async function run(config: WorldConfig): Promise<WorldResult> {
    const engines = config.engines ?? DEFAULT_BENCH_ENGINES;
    // The same set delays on whichever fakes answer.
    deepgram.speak = { ...deepgram.speak, firstByteDelayMs: config.tts.firstByteDelayMs, msPerChar: config.tts.msPerChar };
    elevenlabs.speak = { ...elevenlabs.speak, firstByteDelayMs: config.tts.firstByteDelayMs, msPerChar: config.tts.msPerChar };
    smallest.speech = { ...smallest.speech, firstByteDelayMs: config.tts.firstByteDelayMs, msPerChar: config.tts.msPerChar };
    let transcriptNo = 0;
    deepgram.listenVad = {
      ...DEFAULT_LISTEN_VAD,
      endpointingMs: config.stt.endpointingMs,
      interimEveryMs: config.stt.interimEveryMs,
      transcript: () => config.transcripts[transcriptNo++ % config.transcripts.length]!,
    };
    gemini.auto = () => {
      geminiRequests++;
      return sentenceReply(config.llm);
    };
    openai.auto = () => {
      geminiRequests++;
      return openAiSentenceReply(config.llm);
    };

    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    eld.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();

    const finished: Promise<CallerResult>[] = [];
    for (let i = 0; i < config.calls; i++) {
      const caller = new BenchCaller({
        bridgeUrl: config.bridgeUrl,
        credentials: config.credentials[i]!,
        index: i,
        lines: config.lines,
        speechMs: config.speechMs,
        turnGapMs: config.turnGapMs,
        bargeInAfterMs: config.bargeInAfterMs,
        replyTimeoutMs: config.replyTimeoutMs,
        maxDurationMs: config.maxDurationMs,
      });
      callers.push(caller);
      finished.push(caller.start().then(() => caller.done, (error: unknown) => {
        caller.result.endedBy = 'error';
        process.stderr.write(`world: call ${i} could not connect: ${String(error)}\n`);
        return caller.result;
      }));
      if (config.staggerMs > 0) await new Promise((r) => setTimeout(r, config.staggerMs));
    }
    send({ type: 'dialled' });
    const results = await Promise.all(finished);
    // Let in-flight fake messages settle before reading the logs.
    await new Promise((r) => setTimeout(r, 200));
    eld.disable();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;

    const connOf = new Map<number, ListenConnection>();
    for (const [conn, call] of connCall) connOf.set(call, conn);

    const lines: LineTiming[] = [];
    const bargeInMs: number[] = [];
    let bargeInMissed = 0;
    for (const r of results) {
      const vadLog = connOf.get(r.index)?.vadLog ?? [];
      r.lines.forEach((line, n) => {
        const final = vadLog.find((e) => e.kind === 'final' && e.utterance === n);
        lines.push({
          call: r.index,
          line: n,
          bargeIn: line.bargeIn,
          afterTimeout: line.afterTimeout,
          voiceToVoiceMs: line.firstAudioAt !== null && line.speechEndAt > 0 ? line.firstAudioAt - line.speechEndAt : null,
          sttFinalMs: final && line.speechEndAt > 0 ? final.atPerfMs - line.speechEndAt : null,
        });
        if (!line.bargeIn) return;
        const firstInterim = vadLog.find((e) => e.kind === 'interim' && e.utterance === n);
        const clear = firstInterim && r.clears.find((t) => t >= firstInterim.atPerfMs && t <= line.speechEndAt + 1000);
        if (firstInterim && clear !== undefined) bargeInMs.push(clear - firstInterim.atPerfMs);
        else bargeInMissed++;
      });
    }

    let framesChecked = 0;
    let dropped = 0;
    for (const r of results) {
      const seen = arrived[r.index];
      const last = Math.min(r.framesSent - IN_FLIGHT_FRAMES, (seen?.length ?? 0) - 1);
      for (let f = 1; f <= last; f++) {
        framesChecked++;
        if (!seen?.[f]) dropped++;
      }
    }
    const sorted = [...transit].sort((a, b) => a - b);
    const ttsConnections: ReadonlyArray<{ bytesSent: number }> =
      engines.tts === 'elevenlabs' ? elevenlabs.connections : engines.tts === 'smallest' ? smallest.connections : deepgram.speakConnections;
    return {
      lines,
      bargeInMs,
      bargeInMissed,
      callers: results.map(({ sentAt: _s, lines: _l, clears, ...rest }) => ({ ...rest, clears: clears.length })),
      inbound: {
        framesSent: results.reduce((n, r) => n + r.framesSent, 0),
        framesChecked,
        dropped,
        transitP50Ms: percentile(sorted, 50),
        transitP99Ms: percentile(sorted, 99),
        transitMaxMs: sorted.at(-1) ?? 0,
        lateOver40Ms: sorted.filter((t) => t > 40).length,
      },
      outbound: {
        ttsBytesSent: ttsConnections.reduce((n, c) => n + c.bytesSent, 0),
        bytesReceived: results.reduce((n, r) => n + r.bytesReceived, 0),
        underrunTicks: results.reduce((n, r) => n + r.underrunTicks, 0),
      },
      listenConnections: deepgram.listenConnections.length,
      speakConnections: ttsConnections.length,
      geminiRequests,
      child: {
        eventLoopP99Ms: delayMs(eld.percentile(99)),
        cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        lateTicks: results.reduce((n, r) => n + r.lateTicks, 0),
      },
    };
  }

  const env: Record<string, string> = {
    DEEPGRAM_API_KEY: DEEPGRAM_KEY,
    GEMINI_API_KEY: GEMINI_KEY,
    OPENAI_API_KEY: OPENAI_KEY,
    ELEVENLABS_API_KEY: ELEVENLABS_KEY,
    SMALLEST_API_KEY: SMALLEST_KEY,
    SWITCHBOARD_DEEPGRAM_URL: deepgram.environment.base,
    SWITCHBOARD_GEMINI_URL: gemini.baseUrl,
    SWITCHBOARD_OPENAI_URL: openai.baseUrl,
    SWITCHBOARD_ELEVENLABS_URL: elevenlabs.baseUrl,
    SWITCHBOARD_SMALLEST_URL: smallest.baseUrl,
  };
  send({ type: 'ready', env });
}

await main();
