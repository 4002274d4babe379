/**
 * Which engines new calls use, and the commands behind the Settings dialog.
 *
 * - The ProviderChoice (offline or a cloud vendor per role) is kept with `conf` in
 *   `providers.json` in the data folder. The default is the cloud vendor for every role:
 *   a role whose key is missing silently runs offline, so setting a key is all it takes.
 * - Every cloud vendor is one row of `VENDORS` (its key, the roles it fills, its URL override,
 *   its connection test and how that test's failures read); each role's engines are built by
 *   `ENGINES` from a key and the choice's model/voice fields. Nothing below names a vendor.
 * - `providersForNextCall()` is asked once per NEW call; live calls keep what they got.
 *   Cloud providers are built lazily and reused across calls (one LLM client, one TTS socket
 *   pool per vendor, key and voice); a changed key, model or voice builds new ones for the next
 *   call. Pools replaced while calls may still be speaking through them are closed by
 *   `close()`, not at once.
 * - Test and benchmark runs point the real SDKs at loopback fakes with
 *   SWITCHBOARD_DEEPGRAM_URL (http://127.0.0.1:P: REST at that origin, WebSockets at ws://),
 *   SWITCHBOARD_GEMINI_URL, SWITCHBOARD_OPENAI_URL, SWITCHBOARD_ELEVENLABS_URL and
 *   SWITCHBOARD_SMALLEST_URL (each the API origin; WebSockets at ws:// of the same origin).
 * - `test(provider)` makes one small real request with the configured key and reports in
 *   plain words what happened. No key reaches a log line, an error or a result.
 * - Saving a key runs that test, and the last result per provider is kept (for the key it was
 *   made with): a key the vendor refused, or a vendor that could not be reached, is left off
 *   new calls (they run offline and say why) until the key changes or a test passes. A new
 *   user who pastes a wrong key learns it at once, not from a call that cannot hear anyone.
 */
import { DeepgramClient, type DeepgramEnvironmentUrls } from '@deepgram/sdk';
import { ApiError as GoogleApiError, GoogleGenAI } from '@google/genai';
import Conf from 'conf';
import { join } from 'node:path';
import type { CommandOutput } from '@shared/contract';
import {
  DEFAULT_ENGINE_OPTIONS,
  ProviderChoice,
  type CloudProvider,
  type ElevenLabsModel,
  type EngineRole,
  type OpenAiModel,
  type SmallestModel,
  type EngineInfo,
  type ProviderCheck,
  type ProviderChecks,
  type SecretName,
  type SecretStatus,
} from '@shared/domain';
import type { AssistEngine } from '../assist/assist-engine';
import type { SecretStore } from '../config/secrets';
import { silentLogger, type Logger } from '../log';
import { PRIVATE_FILE_MODE, tightenFile } from '../privacy/private-files';
import { abortable } from './abortable';
import { hostOf, networkCodeOf, type ProbeFailure } from './failure';
import { createGeminiLlm } from './llm/gemini';
import { LlmUnavailableError, LLM_TOOL_NAMES } from './llm/llm-common';
import { createOpenAiLlm, describeOpenAiFailure, probeOpenAi, type OPENAI_DEFAULT_MODEL, type OPENAI_MODELS } from './llm/openai';
import { createDeepgramStt } from './stt/deepgram';
import { createDeepgramTts } from './tts/deepgram-aura';
import { createElevenLabsTts, type ELEVENLABS_DEFAULT_MODEL, type ELEVENLABS_DEFAULT_VOICE_ID, type ELEVENLABS_MODELS } from './tts/elevenlabs';
import { describeElevenLabsFailure, prepareElevenLabsProbe, probeElevenLabs } from './tts/elevenlabs-probe';
import {
  createSmallestTts,
  describeSmallestFailure,
  probeSmallest,
  type SMALLEST_DEFAULT_MODEL,
  type SMALLEST_DEFAULT_VOICE_ID,
  type SMALLEST_MODELS,
} from './tts/smallest';
import type { LlmProvider, PooledTtsProvider, Providers, SttProvider, TtsProvider } from './types';
import { sttUnavailableReason } from './stt/unavailable';

export type ProvidersState = CommandOutput<'providers.get'>;
export type ProviderTestResult = CommandOutput<'providers.test'>;

/** A cloud engine chosen for a role but left off this call, and why (its key failed the last check). */
export interface EngineLeftOut {
  role: 'stt' | 'llm' | 'tts';
  /** The offline engine used instead. */
  standIn: string;
  reason: string;
}

/** What a new call gets: its engines, and the offline stand-ins for when a cloud one fails. */
export interface CallProviders {
  providers: Providers;
  fallback: { llm: LlmProvider; tts: TtsProvider; stt: SttProvider };
  /** Cloud engines not used for this call because their key failed its last check. */
  leftOut: EngineLeftOut[];
}

export interface ProviderService {
  /** `providers.get` */
  state(): ProvidersState;
  /** `providers.update`: applies to calls that start afterwards. */
  update(patch: Partial<ProviderChoice>): ProvidersState;
  /** `secrets.set` (write-only); a cloud provider's key is tested as it is saved. */
  setSecret(name: SecretName, value: string): Promise<SecretStatus & { check: ProviderCheck | null }>;
  /** `secrets.clear` */
  clearSecret(name: SecretName): SecretStatus;
  /** `providers.test`: one small real request with the configured key; kept as the provider's last check. Never throws. */
  test(provider: CloudProvider): Promise<ProviderTestResult>;
  /** The last check of each provider's current key (null: none since the key was set). */
  checks(): ProviderChecks;
  /**
   * The engines for a call starting now (a cloud choice without its key runs offline).
   * `overrides`: the call's AI profile's engines and voices (issue 15) over Settings' choice.
   */
  providersForNextCall(overrides?: Partial<ProviderChoice>): CallProviders;
  /** What `providersForNextCall()` would give now, for app.info and the Settings dialog. */
  engines(): EngineInfo[];
  /** Closes pooled sockets (current and replaced pools). */
  close(): Promise<void>;
}

export interface ProviderServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  /** The offline engine set (createOfflineProviders): the default and the fallback. */
  offline: { providers: Providers; assist: AssistEngine };
  /** The SWITCHBOARD_<VENDOR>_URL overrides are read from here. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** `test()` gives up after this long. Default 3000. */
  testTimeoutMs?: number;
}

export const DEFAULT_PROVIDER_CHOICE: ProviderChoice = { stt: 'deepgram', llm: 'gemini', tts: 'deepgram', ...DEFAULT_ENGINE_OPTIONS };

export const GEMINI_MODEL = 'gemini-2.5-flash';

/**
 * A cloud LLM on a phone line (Gemini and OpenAI alike): dead air before the offline engine
 * steps in must stay under ~1.7 s. Each provider gives each attempt `firstTokenTimeoutMs` and
 * does not retry a timeout, but a slow retryable failure (a 5xx after 1.1 s) plus a retry could
 * still take 2×1.2 s; so the whole reply also has a first-chunk deadline
 * (`LLM_FIRST_CHUNK_DEADLINE_MS`). Worst case before fallback: 1.6 s. Typical transient
 * failures (reset keep-alive socket, fast 429/503) are retried once after 50–100 ms; a server
 * asking to wait > 200 ms is not.
 */
export const LLM_VOICE_OPTIONS = {
  maxRetries: 1,
  retryBaseDelayMs: 100,
  maxRetryDelayMs: 200,
  firstTokenTimeoutMs: 1200,
  stallTimeoutMs: 2000,
} as const;
export const LLM_FIRST_CHUNK_DEADLINE_MS = 1600;

/**
 * How long a call's Deepgram recogniser may be without a socket, after a failure, before the
 * offline recogniser takes over (the first reconnect is immediate, the next after 100 ms).
 */
export const DEEPGRAM_STT_MAX_OUTAGE_MS = 700;

// Settings offers the models domain.ts lists, with its defaults; the provider modules list what
// they are built for, with theirs. Both must say the same: this fails to compile if either drifts.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const domainAgreesWithProviders: [
  SameSet<OpenAiModel, (typeof OPENAI_MODELS)[number]>,
  SameSet<ElevenLabsModel, (typeof ELEVENLABS_MODELS)[number]>,
  SameSet<SmallestModel, (typeof SMALLEST_MODELS)[number]>,
  SameSet<typeof DEFAULT_ENGINE_OPTIONS.openaiModel, typeof OPENAI_DEFAULT_MODEL>,
  SameSet<typeof DEFAULT_ENGINE_OPTIONS.elevenlabsVoiceId, typeof ELEVENLABS_DEFAULT_VOICE_ID>,
  SameSet<typeof DEFAULT_ENGINE_OPTIONS.elevenlabsModel, typeof ELEVENLABS_DEFAULT_MODEL>,
  SameSet<typeof DEFAULT_ENGINE_OPTIONS.smallestVoiceId, typeof SMALLEST_DEFAULT_VOICE_ID>,
  SameSet<typeof DEFAULT_ENGINE_OPTIONS.smallestModel, typeof SMALLEST_DEFAULT_MODEL>,
] = [true, true, true, true, true, true, true, true];
void domainAgreesWithProviders;

/** One cloud vendor: its key, the roles it can fill, where it lives, and its connection test. */
interface Vendor {
  name: string;
  secret: SecretName;
  /** The roles it fills: exactly those with a builder in STT_ENGINES / LLM_ENGINES / TTS_ENGINES. */
  roles: readonly EngineRole[];
  /** SWITCHBOARD_<VENDOR>_URL: an http(s) origin the SDK is pointed at instead (a loopback fake). */
  urlVariable: string;
  /** Where the real service is, for the "could not reach … at <host>" sentence. */
  defaultOrigin: string;
  /** Made ready before the test's deadline starts (an SDK that takes seconds to load): the deadline is for the vendor. */
  prepare?(): Promise<void>;
  /** One small real request with `key`; resolves to a detail such as "gpt-4o-mini answered". */
  probe(key: string, origin: string | undefined, signal: AbortSignal, timeoutMs: number): Promise<string>;
  /** The vendor's own reading of a failed probe; null leaves it to the generic one (network codes, timeouts). */
  describe(error: unknown, origin: string | undefined): ProbeFailure | null;
}

/** `http://127.0.0.1:P` -> the SDK's four service URLs (REST and WebSocket at that origin). */
export function deepgramEnvironmentFromUrl(raw: string): DeepgramEnvironmentUrls {
  const url = parseHttpUrl(raw, 'SWITCHBOARD_DEEPGRAM_URL');
  const ws = url.origin.replace(/^http/, 'ws');
  return { base: url.origin, production: ws, agent: ws, agentRest: url.origin };
}

const VENDORS: Record<CloudProvider, Vendor> = {
  deepgram: {
    name: 'Deepgram',
    secret: 'deepgramApiKey',
    roles: ['stt', 'tts'],
    urlVariable: 'SWITCHBOARD_DEEPGRAM_URL',
    defaultOrigin: 'https://api.deepgram.com',
    probe: (key, origin, signal, timeoutMs) => probeDeepgram(key, origin ? deepgramEnvironmentFromUrl(origin) : undefined, signal, timeoutMs),
    describe: describeDeepgramFailure,
  },
  gemini: {
    name: 'Gemini',
    secret: 'geminiApiKey',
    roles: ['llm'],
    urlVariable: 'SWITCHBOARD_GEMINI_URL',
    defaultOrigin: 'https://generativelanguage.googleapis.com',
    probe: (key, origin, signal) => probeGemini(key, origin, signal),
    describe: describeGeminiFailure,
  },
  openai: {
    name: 'OpenAI',
    secret: 'openaiApiKey',
    roles: ['llm'],
    urlVariable: 'SWITCHBOARD_OPENAI_URL',
    defaultOrigin: 'https://api.openai.com',
    // The cheapest model answers the test: the key, not the model choice, is what is checked.
    probe: (key, origin, signal) => probeOpenAi(key, DEFAULT_ENGINE_OPTIONS.openaiModel, origin, signal),
    describe: (error) => describeOpenAiFailure(error),
  },
  elevenlabs: {
    name: 'ElevenLabs',
    secret: 'elevenlabsApiKey',
    roles: ['tts'],
    urlVariable: 'SWITCHBOARD_ELEVENLABS_URL',
    defaultOrigin: 'https://api.elevenlabs.io',
    prepare: prepareElevenLabsProbe,
    probe: (key, origin, signal, timeoutMs) => probeElevenLabs(key, origin, signal, timeoutMs),
    describe: (error) => describeElevenLabsFailure(error),
  },
  smallest: {
    name: 'Smallest.AI',
    secret: 'smallestApiKey',
    roles: ['tts'],
    urlVariable: 'SWITCHBOARD_SMALLEST_URL',
    defaultOrigin: 'https://api.smallest.ai',
    probe: (key, origin, signal) => probeSmallest(key, origin, signal),
    describe: (error) => describeSmallestFailure(error),
  },
};

const CLOUD_PROVIDERS = Object.keys(VENDORS) as CloudProvider[];
const PROVIDER_OF = new Map<SecretName, CloudProvider>(CLOUD_PROVIDERS.map((p) => [VENDORS[p].secret, p]));

/** What building an engine may use besides the key: the vendor's origin override, the log, the knowledge base. */
interface BuildContext {
  origin: string | undefined;
  logger: Logger;
  knowledgeLookup: (args: { query: string }) => Promise<string>;
}

/**
 * How one vendor fills one role. `options` picks the choice's fields this engine is built
 * from (model, voice): a change there builds a new engine for the next call.
 */
interface EngineBuilder<P> {
  options(choice: ProviderChoice): Record<string, string>;
  build(key: string, options: Record<string, string>, context: BuildContext): P;
}

const NO_OPTIONS = (): Record<string, string> => ({});

const STT_ENGINES: Partial<Record<CloudProvider, EngineBuilder<SttProvider>>> = {
  deepgram: {
    options: NO_OPTIONS,
    // A call whose recogniser is down falls back to the offline one once the socket has been
    // gone this long: the caller's words meanwhile are replayed to it (fallback.ts), and the
    // whole switch stays within 1 s of the failure.
    build: (apiKey, _options, { origin, logger }) =>
      createDeepgramStt({ apiKey, environment: origin ? deepgramEnvironmentFromUrl(origin) : undefined, logger, maxOutageMs: DEEPGRAM_STT_MAX_OUTAGE_MS }),
  },
};

const LLM_ENGINES: Partial<Record<CloudProvider, EngineBuilder<LlmProvider>>> = {
  gemini: {
    options: NO_OPTIONS,
    build: (apiKey, _options, { origin, logger, knowledgeLookup }) =>
      withFirstChunkDeadline(
        createGeminiLlm({
          apiKey,
          model: GEMINI_MODEL,
          ...(origin ? { baseUrl: origin } : {}),
          tools: LLM_TOOL_NAMES,
          toolHandlers: { lookup_knowledge: knowledgeLookup },
          ...LLM_VOICE_OPTIONS,
          logger,
        }),
        LLM_FIRST_CHUNK_DEADLINE_MS,
      ),
  },
  openai: {
    options: (choice) => ({ model: choice.openaiModel }),
    // The same retry policy and first-chunk deadline as Gemini: the phone line's dead-air budget is the vendor's too.
    build: (apiKey, { model }, { origin, logger, knowledgeLookup }) =>
      withFirstChunkDeadline(
        createOpenAiLlm({
          apiKey,
          model,
          ...(origin ? { baseUrl: origin } : {}),
          tools: LLM_TOOL_NAMES,
          toolHandlers: { lookup_knowledge: knowledgeLookup },
          ...LLM_VOICE_OPTIONS,
          logger,
        }),
        LLM_FIRST_CHUNK_DEADLINE_MS,
      ),
  },
};

/**
 * Every call warms a socket; keeping many idle saves a TLS handshake on each reply
 * (bench:calls opened ~270 speak sockets for 100 calls with a pool of 2).
 */
const TTS_MAX_IDLE_SOCKETS = 64;

const TTS_ENGINES: Partial<Record<CloudProvider, EngineBuilder<PooledTtsProvider>>> = {
  deepgram: {
    options: NO_OPTIONS,
    build: (apiKey, _options, { origin, logger }) =>
      createDeepgramTts({ apiKey, environment: origin ? deepgramEnvironmentFromUrl(origin) : undefined, logger, maxIdleSockets: TTS_MAX_IDLE_SOCKETS }),
  },
  elevenlabs: {
    options: (choice) => ({ voiceId: choice.elevenlabsVoiceId, modelId: choice.elevenlabsModel }),
    build: (apiKey, { voiceId, modelId }, { origin, logger }) =>
      createElevenLabsTts({ apiKey, voiceId, modelId, ...(origin ? { baseUrl: origin } : {}), logger, maxIdleSockets: TTS_MAX_IDLE_SOCKETS }),
  },
  smallest: {
    options: (choice) => ({ voiceId: choice.smallestVoiceId, model: choice.smallestModel }),
    build: (apiKey, { voiceId, model }, { origin, logger }) =>
      createSmallestTts({ apiKey, voiceId, model, ...(origin ? { baseUrl: origin } : {}), logger, maxIdleSockets: TTS_MAX_IDLE_SOCKETS }),
  },
};

// A vendor listed for a role it has no builder for would silently run offline there; one with a
// builder it does not list would be chosen nowhere. Caught when the module loads, not on a call.
for (const provider of CLOUD_PROVIDERS) {
  for (const [role, builders] of [['stt', STT_ENGINES], ['llm', LLM_ENGINES], ['tts', TTS_ENGINES]] as const) {
    if (VENDORS[provider].roles.includes(role) !== (builders[provider] !== undefined)) {
      throw new Error(`provider-service: ${provider} and the ${role} engines disagree`);
    }
  }
}

function parseHttpUrl(raw: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${variable} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${variable} must be an http(s) URL`);
  return url;
}

export function createProviderService(options: ProviderServiceOptions): ProviderService {
  const env = options.env ?? process.env;
  const log = (options.logger ?? silentLogger).child({ component: 'providers' });
  const { secrets, offline } = options;
  const testTimeoutMs = options.testTimeoutMs ?? 3000;
  /** Each vendor's origin override (undefined: the real service). A malformed one fails the start, loudly. */
  const origins = {} as Record<CloudProvider, string | undefined>;
  for (const provider of CLOUD_PROVIDERS) {
    const { urlVariable, name } = VENDORS[provider];
    const raw = env[urlVariable]?.trim();
    origins[provider] = raw ? parseHttpUrl(raw, urlVariable).origin : undefined;
    if (raw) log.info({ url: origins[provider] }, `${name} URL overridden`);
  }

  const conf = openChoiceFile(options.dataDir);
  const readChoice = (): ProviderChoice => {
    // A hand-edited file, or one an older build wrote without the newer fields, may hold
    // anything: fall back per field, never crash.
    const stored: Record<string, unknown> = conf.store;
    const choice: Record<string, unknown> = {};
    for (const [field, schema] of Object.entries(ProviderChoice.shape)) {
      const parsed = schema.safeParse(stored[field]);
      choice[field] = parsed.success ? parsed.data : DEFAULT_PROVIDER_CHOICE[field as keyof ProviderChoice];
    }
    return choice as ProviderChoice;
  };

  // ------------------------------------------------------------------ cloud providers, reused per key and options

  const knowledgeLookup = ({ query }: { query: string }): Promise<string> =>
    Promise.resolve(
      offline.assist.knowledgeBase
        .search(query, 3)
        .map((a) => `${a.title}: ${a.snippet}`)
        .join('\n'),
    );
  const context = (provider: CloudProvider): BuildContext => ({ origin: origins[provider], logger: log, knowledgeLookup });

  interface Built<P> {
    vendor: CloudProvider;
    key: string;
    /** The choice's fields it was built from, as one comparable string. */
    options: string;
    provider: P;
  }
  /**
   * One engine per vendor, role and options (a voice): a vendor or voice not chosen right now
   * keeps its engine (and warm pool) for when it is again, and AI profiles with different
   * voices (issue 15) each keep theirs instead of rebuilding one another's.
   */
  const built = {
    stt: new Map<string, Built<SttProvider>>(),
    llm: new Map<string, Built<LlmProvider>>(),
    tts: new Map<string, Built<PooledTtsProvider>>(),
  };
  /** Pools replaced by a new key, model or voice: live calls may still speak through them until close(). */
  const retired: PooledTtsProvider[] = [];

  function engineFor<P>(role: EngineRole, builders: Partial<Record<CloudProvider, EngineBuilder<P>>>, cache: Map<string, Built<P>>, vendor: CloudProvider, key: string, choice: ProviderChoice): P | null {
    const builder = builders[vendor];
    if (!builder) return null;
    const fields = builder.options(choice);
    const optionsKey = JSON.stringify(fields);
    const cacheKey = `${vendor}|${optionsKey}`;
    const current = cache.get(cacheKey);
    if (current?.key === key) return current.provider;
    if (current && role === 'tts') retired.push(current.provider as PooledTtsProvider);
    const provider = builder.build(key, fields, context(vendor));
    cache.set(cacheKey, { vendor, key, options: optionsKey, provider });
    if (current) log.info({ role, provider: vendor, options: fields }, 'engine rebuilt for new calls (key or options changed)');
    return provider;
  }

  // ------------------------------------------------------------------ last checks, per key

  /** The last test per provider, with the key it tested: a changed key makes it stale. */
  const lastChecks = new Map<CloudProvider, { key: string; check: ProviderCheck }>();
  const currentCheck = (provider: CloudProvider): ProviderCheck | null => {
    const last = lastChecks.get(provider);
    return last && last.key === secrets.get(VENDORS[provider].secret) ? last.check : null;
  };
  /** A key the vendor refused, or a vendor not reached, at the last check: kept off new calls. */
  const failedCheck = (provider: CloudProvider): ProviderCheck | null => {
    const check = currentCheck(provider);
    return check && (check.problem === 'rejected' || check.problem === 'unreachable') ? check : null;
  };
  /** The usable key of a provider: set, and not failed at its last check. */
  const usableKey = (provider: CloudProvider): string | null => {
    const key = secrets.get(VENDORS[provider].secret);
    return key && !failedCheck(provider) ? key : null;
  };

  /** The engines a call starting now gets. */
  const resolve = (overrides: Partial<ProviderChoice> = {}): { providers: Providers; ttsPool: PooledTtsProvider | null; leftOut: EngineLeftOut[] } => {
    const choice = { ...readChoice(), ...overrides };
    // A key that is gone must not keep its pool warm for the next call either.
    for (const [cacheKey, pool] of built.tts) {
      if (pool.key !== usableKey(pool.vendor)) {
        retired.push(pool.provider);
        built.tts.delete(cacheKey);
      }
    }
    const cloud = <P>(role: EngineRole, builders: Partial<Record<CloudProvider, EngineBuilder<P>>>, cache: Map<string, Built<P>>): P | null => {
      const vendor = choice[role];
      if (vendor === 'offline') return null;
      const key = usableKey(vendor);
      return key ? engineFor(role, builders, cache, vendor, key, choice) : null;
    };
    const ttsPool = cloud('tts', TTS_ENGINES, built.tts);
    const providers: Providers = {
      stt: cloud('stt', STT_ENGINES, built.stt) ?? offline.providers.stt,
      llm: cloud('llm', LLM_ENGINES, built.llm) ?? offline.providers.llm,
      tts: ttsPool ?? offline.providers.tts,
    };
    const leftOut: EngineLeftOut[] = [];
    for (const role of ['stt', 'llm', 'tts'] as const) {
      const vendor = choice[role];
      const failed = vendor === 'offline' ? null : failedCheck(vendor);
      if (failed) leftOut.push({ role, standIn: providers[role].label, reason: failed.message });
    }
    return { providers, ttsPool, leftOut };
  };

  const engines = (): EngineInfo[] => {
    const { providers } = resolve();
    return (['stt', 'llm', 'tts'] as const).map((role) => {
      const unavailable = role === 'stt' ? sttUnavailableReason(providers.stt) : null;
      return { role, label: providers[role].label, offline: providers[role].offline, ...(unavailable ? { unavailable } : {}) };
    });
  };

  const checks = (): ProviderChecks => Object.fromEntries(CLOUD_PROVIDERS.map((p) => [p, currentCheck(p)])) as ProviderChecks;

  const state = (): ProvidersState => ({
    choice: readChoice(),
    secrets: CLOUD_PROVIDERS.map((p) => secrets.status(VENDORS[p].secret)),
    engines: engines(),
    checks: checks(),
  });

  // ------------------------------------------------------------------ connection tests

  const redactKeys = (text: string): string => {
    let out = text;
    for (const provider of CLOUD_PROVIDERS) {
      const key = secrets.get(VENDORS[provider].secret);
      if (key && key.length >= 4) out = out.split(key).join('[redacted]');
    }
    return out;
  };

  async function test(provider: CloudProvider): Promise<ProviderTestResult> {
    const { secret, name } = VENDORS[provider];
    const key = secrets.get(secret);
    if (!key) return { ok: false, latencyMs: null, message: `No ${name} API key is set.`, problem: null, checkedAt: Date.now() };
    const check = await probe(provider, key);
    // Kept for the key it tested; a key changed meanwhile is not judged by it.
    if (secrets.get(secret) === key) lastChecks.set(provider, { key, check });
    return check;
  }

  async function probe(provider: CloudProvider, key: string): Promise<ProviderCheck> {
    const vendor = VENDORS[provider];
    const origin = origins[provider];
    if (vendor.prepare) {
      try {
        await vendor.prepare();
      } catch (error) {
        const message = `${vendor.name}: the connection test could not start (${(error as Error).message}).`;
        log.error({ provider, err: error }, 'provider test could not start');
        return { ok: false, latencyMs: null, message, problem: 'failed', checkedAt: Date.now() };
      }
    }
    const startedMs = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new TestTimeout()), testTimeoutMs);
    try {
      const detail = await abortable(vendor.probe(key, origin, deadline.signal, testTimeoutMs), deadline.signal);
      const latencyMs = Math.round(performance.now() - startedMs);
      log.info({ provider, latencyMs }, 'provider test passed');
      return { ok: true, latencyMs, message: `${vendor.name} accepted the key: ${detail}.`, problem: null, checkedAt: Date.now() };
    } catch (error) {
      const failure: ProbeFailure =
        error instanceof TestTimeout
          ? { message: `${vendor.name} did not answer within ${formatSeconds(testTimeoutMs)}.`, problem: 'unreachable' }
          : (vendor.describe(error, origin) ?? describeAnyFailure(vendor.name, error, origin ?? vendor.defaultOrigin));
      const message = redactKeys(failure.message);
      log.warn({ provider, reason: message, problem: failure.problem }, 'provider test failed');
      return { ok: false, latencyMs: null, message, problem: failure.problem, checkedAt: Date.now() };
    } finally {
      clearTimeout(timer);
      deadline.abort(new TestTimeout());
    }
  }

  return {
    state,
    update(patch) {
      const next = ProviderChoice.parse({ ...readChoice(), ...patch });
      conf.set(next);
      log.info({ choice: next }, 'provider choice changed (applies to new calls)');
      // A vendor whose connection test takes seconds to get ready (ElevenLabs' SDK): start now,
      // so the test that follows choosing it (saving its key) does not wait for it.
      for (const role of ['stt', 'llm', 'tts'] as const) {
        const vendor = next[role] === 'offline' ? null : VENDORS[next[role]];
        void vendor?.prepare?.().catch(() => undefined);
      }
      return state();
    },
    async setSecret(name, value) {
      const status = secrets.set(name, value);
      resolve(); // retire a pool built on the old key
      const provider = PROVIDER_OF.get(name);
      // A key is tested as it is saved: a wrong or unreachable one is reported now, and kept off new calls.
      return { ...status, check: provider ? await test(provider) : null };
    },
    clearSecret(name) {
      const status = secrets.clear(name);
      resolve();
      return status;
    },
    test,
    checks,
    providersForNextCall(overrides) {
      const { providers, ttsPool, leftOut } = resolve(overrides);
      // Open a socket now, so the greeting's first clause doesn't wait for a handshake.
      ttsPool?.warm().catch((error: unknown) => log.warn({ err: redactError(error, redactKeys), engine: ttsPool.label }, 'TTS warm-up failed'));
      return { providers, fallback: { llm: offline.providers.llm, tts: offline.providers.tts, stt: offline.providers.stt }, leftOut };
    },
    engines,
    async close() {
      const pools = [...retired.splice(0), ...[...built.tts.values()].map((b) => b.provider)];
      built.tts.clear();
      await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
    },
  };
}

function openChoiceFile(dataDir: string): Conf<ProviderChoice> {
  try {
    // privacy (issue 10): 0600, also when an older build wrote it 0644.
    tightenFile(join(dataDir, 'providers.json'));
    return new Conf<ProviderChoice>({ cwd: dataDir, configName: 'providers', defaults: DEFAULT_PROVIDER_CHOICE, configFileMode: PRIVATE_FILE_MODE });
  } catch (error) {
    // Refuse rather than overwrite, like settings.json.
    if (error instanceof SyntaxError) throw new Error(`${join(dataDir, 'providers.json')} is not valid JSON; fix or remove it`);
    throw error;
  }
}

// ---------------------------------------------------------------------- Gemini deadline

/**
 * Gives up on a reply whose first chunk has not come within `deadlineMs`, whatever the
 * retries inside are doing, with the same LlmUnavailableError the provider throws.
 */
export function withFirstChunkDeadline(inner: LlmProvider, deadlineMs: number): LlmProvider {
  return {
    label: inner.label,
    offline: inner.offline,
    capabilities: inner.capabilities,
    async *generate(request, signal) {
      const ctl = new AbortController();
      const onAbort = (): void => ctl.abort(signal.reason);
      if (signal.aborted) ctl.abort(signal.reason);
      else signal.addEventListener('abort', onAbort, { once: true });
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        ctl.abort(new DOMException('first-chunk deadline', 'AbortError'));
      }, deadlineMs);
      try {
        for await (const chunk of inner.generate(request, ctl.signal)) {
          clearTimeout(timer);
          yield chunk;
        }
      } catch (error) {
        if (expired && !signal.aborted) {
          throw new LlmUnavailableError(`${inner.label}: no reply within ${deadlineMs} ms`, {
            reason: 'timeout',
            status: null,
            googleStatus: null,
            attempts: error instanceof LlmUnavailableError ? error.attempts : 1,
            partial: false,
          });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

// ---------------------------------------------------------------------- probes

class TestTimeout extends Error {
  override readonly name = 'TestTimeout';
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}


/** A handshake failure as the SDK reports it: close and/or error events. */
class DeepgramHandshakeError extends Error {
  override readonly name = 'DeepgramHandshakeError';
  constructor(
    message: string,
    readonly closeCode: number | null,
  ) {
    super(message);
  }
}

/** Opens one live-STT socket (what calls use) and closes it again. Costs no audio. */
async function probeDeepgram(
  apiKey: string,
  environment: DeepgramEnvironmentUrls | undefined,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<string> {
  const client = new DeepgramClient({ apiKey, ...(environment ? { environment } : {}) });
  const socket = await client.listen.v1.connect({
    model: 'nova-3',
    encoding: 'mulaw',
    sample_rate: 8000,
    channels: 1,
    reconnectAttempts: 0,
    connectionTimeoutInSeconds: timeoutMs / 1000,
  });
  const stop = (): void => {
    try {
      socket.close();
    } catch {
      // not open
    }
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      let error: Error | null = null;
      let closeCode: number | null = null;
      let judged = false;
      // The SDK may report close (1000) before error for one failed handshake: judge a tick later.
      const judge = (): void => {
        if (judged) return;
        judged = true;
        setImmediate(() => reject(new DeepgramHandshakeError(error?.message || `connection closed (${closeCode ?? '?'})`, closeCode)));
      };
      socket.on('open', () => resolve());
      socket.on('error', (e) => {
        error ??= e;
        judge();
      });
      socket.on('close', (event) => {
        closeCode ??= event.code;
        judge();
      });
      socket.connect();
    });
    try {
      socket.sendCloseStream({ type: 'CloseStream' });
    } catch {
      // closing anyway
    }
    return 'a speech-to-text connection opened';
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/** One generate call capped at one output token. */
async function probeGemini(apiKey: string, baseUrl: string | undefined, signal: AbortSignal): Promise<string> {
  const ai = new GoogleGenAI({ apiKey, ...(baseUrl ? { httpOptions: { baseUrl } } : {}) });
  await ai.models.generateContent({
    model: GEMINI_MODEL,
    contents: 'Reply with the single word OK.',
    config: { maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 0 }, abortSignal: signal },
  });
  return `${GEMINI_MODEL} answered`;
}

/** Gemini's own failures (the SDK's ApiError): a refused key, a quota, a missing model, a server error. */
function describeGeminiFailure(error: unknown): ProbeFailure | null {
  if (!(error instanceof GoogleApiError)) return null;
  const rejected = (message: string): ProbeFailure => ({ message, problem: 'rejected' });
  const failed = (message: string): ProbeFailure => ({ message, problem: 'failed' });
  const text = error.message;
  const status = error.status;
  if (status === 401 || status === 403 || /API_KEY_INVALID|API key not valid/i.test(text)) {
    return rejected(`Gemini: the API key was refused (HTTP ${status}).`);
  }
  if (status === 429) return failed('Gemini: the key works but its quota or rate limit is used up (HTTP 429).');
  if (status === 404) return failed(`Gemini: the model ${GEMINI_MODEL} is not available to this key (HTTP 404).`);
  if (status >= 500) return failed(`Gemini had a server error (HTTP ${status}); try again shortly.`);
  return failed(`Gemini refused the request (HTTP ${status}).`);
}

/** A refused WebSocket handshake: the SDK only gives the status inside the message ("… 401 …"). */
function describeDeepgramFailure(error: unknown): ProbeFailure | null {
  const message = error instanceof Error ? error.message : String(error);
  if (/\b(401|403)\b/.test(message)) return { message: `Deepgram: the API key was refused (HTTP ${/\b40[13]\b/.exec(message)?.[0]}).`, problem: 'rejected' };
  const http = /\b([45]\d\d)\b/.exec(message)?.[1];
  if (http) return { message: `Deepgram refused the connection (HTTP ${http}).`, problem: 'failed' };
  return null;
}

/** A failed probe no vendor reading recognised: the network, a timeout, or anything else. The caller redacts keys. */
function describeAnyFailure(vendor: string, error: unknown, origin: string): ProbeFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = networkCodeOf(error);
  if (code) return { message: `Could not reach ${vendor} at ${hostOf(origin)} (${code}).`, problem: 'unreachable' };
  if (/timeout/i.test(message)) return { message: `${vendor} did not answer in time.`, problem: 'unreachable' };
  return { message: `${vendor}: the test failed (${message.slice(0, 200)}).`, problem: 'failed' };
}

function redactError(error: unknown, redact: (text: string) => string): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: redact(error.message) } : { name: 'Error', message: redact(String(error)) };
}
