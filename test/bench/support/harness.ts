/**
 * Runs one benchmark: the app (a real core: media bridge, call sessions, the real SDK
 * providers: Deepgram STT, then Gemini or OpenAI, then Aura, ElevenLabs or Smallest.AI) in THIS
 * process, the fakes and callers in a forked child (./world.ts), so CPU and event-loop delay
 * measured here are the app's alone.
 *
 * The providers are selected the way a user would: API keys and service URLs in the
 * environment (DEEPGRAM_API_KEY, SWITCHBOARD_DEEPGRAM_URL, … one pair per vendor), then the
 * `providers.update` command with the run's engines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance as nodePerformance } from 'node:perf_hooks';
import type { AnyEvent } from '../../../src/shared/contract';
import type { TurnMetrics } from '../../../src/shared/domain';
import { startCore } from '../../../src/main/core/app';
import { DEFAULT_TELEPHONY_SETTINGS } from '../../../src/main/core/telephony/twilio-settings';
import { silentLogger } from '../../../src/main/core/log';
import type { Core } from '../../../src/main/core/core-types';
import { delayMs, ELD_RESOLUTION_MS } from './stats';
import { BENCH_FROM, BENCH_TO } from './bench-caller';
import { DEFAULT_BENCH_ENGINES } from './engines';
import type { WorldConfig, WorldResult } from './world';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface AppMeasurements {
  turns: TurnMetrics[];
  bargeInEvents: number;
  errorEvents: Array<Record<string, unknown>>;
  fallbackEvents: number;
  cpuPercent: number;
  /** Share of the run the main thread was busy (performance.eventLoopUtilization), %. */
  eventLoopUtilisation: number;
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number };
  /** The same, from the moment every call had been dialled (no call set-up in it). */
  eventLoopAfterDialling: { p50Ms: number; p99Ms: number; maxMs: number };
  wallMs: number;
  loadAverage: number[];
}

export interface BenchRun {
  app: AppMeasurements;
  world: WorldResult;
}

export type WorldSettings = Omit<WorldConfig, 'bridgeUrl' | 'credentials'>;

interface Ready {
  type: 'ready';
  /** API keys and SWITCHBOARD_*_URL overrides pointing at the world's fakes. */
  env: Record<string, string>;
}

function startWorld(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(join(ROOT, 'test/support/run-ts.mjs'), [join(ROOT, 'test/bench/support/world.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error('the world process did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the world process exited early (${code})`)));
    child.on('message', (message: { type: string }) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolveReady({ child, ready: message as Ready });
      }
    });
  });
}

/** Runs the world's callers against a fresh core and returns both sides' measurements. */
export async function runBench(
  settings: WorldSettings,
  options: { deadlineMs: number; /** Starts the app; startCore by default. */ startApp?: (dataDir: string) => Promise<Core> },
): Promise<BenchRun> {
  const { child, ready } = await startWorld();
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const env = ready.env;
  const benchEngines = settings.engines ?? DEFAULT_BENCH_ENGINES;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const core = options.startApp
    ? await options.startApp(dataDir)
    : await startCore({ dataDir, resourcesDir: join(ROOT, 'resources'), transport: 'websocket', logger: silentLogger });
  try {
    // The bridge admits at most Settings → Telephony → "Live calls at once" (200 by default);
    // a bench of more calls raises it for its own core, or the rest are refused with 503.
    if (settings.calls > DEFAULT_TELEPHONY_SETTINGS.maxLiveStreams) {
      const raised = await core.dispatch('telephony.update', { maxLiveStreams: settings.calls + 10 });
      if (!raised.ok) throw new Error(`telephony.update failed: ${raised.error.code}: ${raised.error.message}`);
    }
    const chosen = await core.dispatch('providers.update', { stt: 'deepgram', llm: benchEngines.llm, tts: benchEngines.tts });
    if (!chosen.ok) throw new Error(`providers.update failed: ${chosen.error.code}: ${chosen.error.message}`);
    const engines = (chosen.value as { engines?: Array<{ role: string; label: string; offline: boolean }> }).engines ?? [];
    if (engines.some((e) => e.offline)) {
      throw new Error(`cloud providers not in use (${engines.map((e) => `${e.role}=${e.label}`).join(', ')}): check the keys and URLs`);
    }

    const turns: TurnMetrics[] = [];
    const errorEvents: Array<Record<string, unknown>> = [];
    let bargeInEvents = 0;
    let fallbackEvents = 0;
    core.subscribe((event: AnyEvent) => {
      if (event.name === 'call.turn') turns.push(event.payload);
      else if (event.name === 'call.event') {
        if (event.payload.type === 'barge_in') bargeInEvents++;
        else if (event.payload.type === 'fallback') fallbackEvents++;
        else if (event.payload.type === 'error') errorEvents.push(event.payload.data);
      }
    });

    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    eld.enable();
    const eldSteady = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    const cpu0 = process.cpuUsage();
    const elu0 = nodePerformance.eventLoopUtilization();
    const t0 = performance.now();
    const world = await new Promise<WorldResult>((resolveRun, reject) => {
      const timer = setTimeout(() => reject(new Error(`the benchmark did not finish within ${options.deadlineMs} ms`)), options.deadlineMs);
      child.on('message', (message: { type: string; result?: WorldResult; message?: string }) => {
        if (message.type === 'dialled') eldSteady.enable();
        if (message.type === 'result' && message.result) {
          clearTimeout(timer);
          resolveRun(message.result);
        } else if (message.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`world: ${message.message}`));
        }
      });
      const credentials = Array.from({ length: settings.calls }, () => core.simulatedCall({ from: BENCH_FROM, to: BENCH_TO }));
      child.send({ type: 'run', config: { ...settings, bridgeUrl: core.bridgeUrl, credentials } satisfies WorldConfig });
    });
    eld.disable();
    eldSteady.disable();
    const cpu = process.cpuUsage(cpu0);
    const elu = nodePerformance.eventLoopUtilization(elu0);
    const wallMs = performance.now() - t0;
    // Numbers from the offline engines would look plausible and mean nothing here.
    // Each turn's engines must be the ones chosen (a fallback's offline label, or another vendor, is not).
    const vendorOf = (label: string) => /^(Deepgram|Gemini|OpenAI|ElevenLabs|Smallest\.AI)\b/.exec(label)?.[1]?.toLowerCase().replace('.ai', '') ?? label;
    const others = new Set(
      turns.flatMap((m) => [
        ...(vendorOf(m.sttLabel) === 'deepgram' ? [] : [m.sttLabel]),
        ...(vendorOf(m.llmLabel) === benchEngines.llm ? [] : [m.llmLabel]),
        ...(vendorOf(m.ttsLabel) === benchEngines.tts ? [] : [m.ttsLabel]),
      ]),
    );
    if (others.size > 0) {
      throw new Error(`the calls ran on other engines (${[...others].join(', ')}), not Deepgram + ${benchEngines.llm} + ${benchEngines.tts}: is providers.update wired to new calls?`);
    }
    const { loadavg } = await import('node:os');
    return {
      world,
      app: {
        turns,
        bargeInEvents,
        errorEvents,
        fallbackEvents,
        cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        eventLoopUtilisation: elu.utilization * 100,
        // The histogram records the interval between its timer ticks: subtract the resolution.
        eventLoop: { p50Ms: delayMs(eld.percentile(50)), p99Ms: delayMs(eld.percentile(99)), maxMs: delayMs(eld.max) },
        eventLoopAfterDialling: {
          p50Ms: delayMs(eldSteady.percentile(50)),
          p99Ms: delayMs(eldSteady.percentile(99)),
          maxMs: delayMs(eldSteady.max),
        },
        wallMs,
        loadAverage: loadavg(),
      },
    };
  } finally {
    await core.close().catch(() => undefined);
    child.send({ type: 'close' });
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        child.kill();
        r();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Caller lines the fake STT hears; each starts with a word that is not a backchannel. */
export const CALLER_LINES = [
  'Hi, I would like to check the balance on my account please',
  'Sorry, can you tell me when my next payment is due',
  'Actually I also need to update my home address',
  'Great, and could you send me a copy of my last statement',
  'Wait, I think I was charged twice this month',
];

export const REPLY_SENTENCES = ['Sure, I can help you with that.', 'Let me pull up the details on your account now, it will only take a moment.'];

