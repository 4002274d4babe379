/**
 * Which engines new calls use, and the commands behind the Settings dialog.
 *
 * - The ProviderChoice (offline or a cloud vendor per role) is kept with `conf` in
 *   `providers.json` in the data folder. The default is the cloud vendor for every role:
 *   a role whose key is missing silently runs offline, so setting a key is all it takes.
 * - `providersForNextCall()` is asked once per NEW call; live calls keep what they got.
 *   Cloud providers are built lazily and reused across calls (one Gemini client, one
 *   Deepgram TTS socket pool per key); a changed key builds new ones. Pools replaced while
 *   calls may still be speaking through them are closed by `close()`, not at once.
 * - Test and benchmark runs point the real SDKs at loopback fakes with
 *   SWITCHBOARD_DEEPGRAM_URL (http://127.0.0.1:P: REST at that origin, WebSockets at ws://)
 *   and SWITCHBOARD_GEMINI_URL (the Gemini API origin).
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
  ProviderChoice,
  type CloudProvider,
  type EngineInfo,
  type ProviderCheck,
  type ProviderChecks,
  type ProviderProblem,
  type SecretName,
  type SecretStatus,
} from '@shared/domain';
import type { AssistEngine } from '../assist/assist-engine';
import type { SecretStore } from '../config/secrets';
import { silentLogger, type Logger } from '../log';
import { PRIVATE_FILE_MODE, tightenFile } from '../privacy/private-files';
import { abortable } from './abortable';
import { hostOf, networkCodeOf } from './failure';
import { createGeminiLlm, LlmUnavailableError, GEMINI_TOOL_NAMES } from './llm/gemini';
import { createDeepgramStt } from './stt/deepgram';
import { createDeepgramTts, type DeepgramTtsProvider } from './tts/deepgram-aura';
import type { LlmProvider, Providers, SttProvider, TtsProvider } from './types';

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
  /** The engines for a call starting now (a cloud choice without its key runs offline). */
  providersForNextCall(): CallProviders;
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
  /** SWITCHBOARD_DEEPGRAM_URL / SWITCHBOARD_GEMINI_URL are read from here. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** `test()` gives up after this long. Default 3000. */
  testTimeoutMs?: number;
}

export const DEFAULT_PROVIDER_CHOICE: ProviderChoice = { stt: 'deepgram', llm: 'gemini', tts: 'deepgram' };

export const GEMINI_MODEL = 'gemini-2.5-flash';

/**
 * Gemini on a phone line: dead air before the offline engine steps in must stay under
 * ~1.7 s. gemini.ts gives each attempt `firstTokenTimeoutMs` and does not retry a timeout,
 * but a slow retryable failure (a 5xx after 1.1 s) plus a retry could still take 2×1.2 s;
 * so the whole reply also has a first-chunk deadline (`GEMINI_FIRST_CHUNK_DEADLINE_MS`).
 * Worst case before fallback: 1.6 s. Typical transient failures (reset keep-alive socket,
 * fast 429/503) are retried once after 50–100 ms; a server asking to wait > 200 ms is not.
 */
export const GEMINI_VOICE_OPTIONS = {
  maxRetries: 1,
  retryBaseDelayMs: 100,
  maxRetryDelayMs: 200,
  firstTokenTimeoutMs: 1200,
  stallTimeoutMs: 2000,
} as const;
export const GEMINI_FIRST_CHUNK_DEADLINE_MS = 1600;

const SECRET_FOR: Record<CloudProvider, SecretName> = { deepgram: 'deepgramApiKey', gemini: 'geminiApiKey' };
const PROVIDER_OF: Partial<Record<SecretName, CloudProvider>> = { deepgramApiKey: 'deepgram', geminiApiKey: 'gemini' };

/**
 * How long a call's Deepgram recogniser may be without a socket, after a failure, before the
 * offline recogniser takes over (the first reconnect is immediate, the next after 100 ms).
 */
export const DEEPGRAM_STT_MAX_OUTAGE_MS = 700;
const VENDOR: Record<CloudProvider, string> = { deepgram: 'Deepgram', gemini: 'Gemini' };

/** `http://127.0.0.1:P` -> the SDK's four service URLs (REST and WebSocket at that origin). */
export function deepgramEnvironmentFromUrl(raw: string): DeepgramEnvironmentUrls {
  const url = parseHttpUrl(raw, 'SWITCHBOARD_DEEPGRAM_URL');
  const ws = url.origin.replace(/^http/, 'ws');
  return { base: url.origin, production: ws, agent: ws, agentRest: url.origin };
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
  const deepgramUrl = env.SWITCHBOARD_DEEPGRAM_URL?.trim();
  const deepgramEnvironment = deepgramUrl ? deepgramEnvironmentFromUrl(deepgramUrl) : undefined;
  const geminiUrl = env.SWITCHBOARD_GEMINI_URL?.trim();
  const geminiBaseUrl = geminiUrl ? parseHttpUrl(geminiUrl, 'SWITCHBOARD_GEMINI_URL').origin : undefined;
  if (deepgramEnvironment) log.info({ url: deepgramEnvironment.base }, 'Deepgram URL overridden');
  if (geminiBaseUrl) log.info({ url: geminiBaseUrl }, 'Gemini URL overridden');

  const conf = openChoiceFile(options.dataDir);
  const readChoice = (): ProviderChoice => {
    // A hand-edited file may hold anything: fall back per role, never crash.
    const stored: Record<string, unknown> = conf.store;
    const choice: Record<string, unknown> = {};
    for (const [role, field] of Object.entries(ProviderChoice.shape)) {
      const parsed = field.safeParse(stored[role]);
      choice[role] = parsed.success ? parsed.data : DEFAULT_PROVIDER_CHOICE[role as keyof ProviderChoice];
    }
    return choice as ProviderChoice;
  };

  // ------------------------------------------------------------------ cloud providers, reused per key

  let stt: { key: string; provider: SttProvider } | null = null;
  let llm: { key: string; provider: LlmProvider } | null = null;
  let tts: { key: string; provider: DeepgramTtsProvider } | null = null;
  /** Pools replaced by a new key: live calls may still speak through them until close(). */
  const retired: DeepgramTtsProvider[] = [];

  const knowledgeLookup = ({ query }: { query: string }): Promise<string> =>
    Promise.resolve(
      offline.assist.knowledgeBase
        .search(query, 3)
        .map((a) => `${a.title}: ${a.snippet}`)
        .join('\n'),
    );

  const deepgramStt = (key: string): SttProvider => {
    if (stt?.key !== key) {
      // A call whose recogniser is down falls back to the offline one once the socket has been
      // gone this long: the caller's words meanwhile are replayed to it (fallback.ts), and the
      // whole switch stays within 1 s of the failure.
      stt = { key, provider: createDeepgramStt({ apiKey: key, environment: deepgramEnvironment, logger: log, maxOutageMs: DEEPGRAM_STT_MAX_OUTAGE_MS }) };
    }
    return stt.provider;
  };
  const geminiLlm = (key: string): LlmProvider => {
    if (llm?.key !== key) {
      const provider = createGeminiLlm({
        apiKey: key,
        model: GEMINI_MODEL,
        ...(geminiBaseUrl ? { baseUrl: geminiBaseUrl } : {}),
        tools: GEMINI_TOOL_NAMES,
        toolHandlers: { lookup_knowledge: knowledgeLookup },
        ...GEMINI_VOICE_OPTIONS,
        logger: log,
      });
      llm = { key, provider: withFirstChunkDeadline(provider, GEMINI_FIRST_CHUNK_DEADLINE_MS) };
    }
    return llm.provider;
  };
  const deepgramTts = (key: string): DeepgramTtsProvider => {
    if (tts?.key !== key) {
      if (tts) retired.push(tts.provider);
      // Every call warms a socket; keeping many idle saves a TLS handshake on each reply
      // (bench:calls opened ~270 speak sockets for 100 calls with a pool of 2).
      tts = { key, provider: createDeepgramTts({ apiKey: key, environment: deepgramEnvironment, logger: log, maxIdleSockets: 64 }) };
    }
    return tts.provider;
  };

  // ------------------------------------------------------------------ last checks, per key

  /** The last test per provider, with the key it tested: a changed key makes it stale. */
  const lastChecks: Record<CloudProvider, { key: string; check: ProviderCheck } | null> = { deepgram: null, gemini: null };
  const currentCheck = (provider: CloudProvider): ProviderCheck | null => {
    const last = lastChecks[provider];
    return last && last.key === secrets.get(SECRET_FOR[provider]) ? last.check : null;
  };
  /** A key the vendor refused, or a vendor not reached, at the last check: kept off new calls. */
  const failedCheck = (provider: CloudProvider): ProviderCheck | null => {
    const check = currentCheck(provider);
    return check && (check.problem === 'rejected' || check.problem === 'unreachable') ? check : null;
  };
  /** The usable key of a provider: set, and not failed at its last check. */
  const usableKey = (provider: CloudProvider): string | null => {
    const key = secrets.get(SECRET_FOR[provider]);
    return key && !failedCheck(provider) ? key : null;
  };

  /** The engines a call starting now gets. */
  const resolve = (): { providers: Providers; ttsPool: DeepgramTtsProvider | null; leftOut: EngineLeftOut[] } => {
    const choice = readChoice();
    const deepgramKey = usableKey('deepgram');
    const geminiKey = usableKey('gemini');
    // A key that is gone must not keep its pool warm for the next call either.
    if (tts && tts.key !== deepgramKey) {
      retired.push(tts.provider);
      tts = null;
    }
    const ttsPool = choice.tts === 'deepgram' && deepgramKey ? deepgramTts(deepgramKey) : null;
    const providers: Providers = {
      stt: choice.stt === 'deepgram' && deepgramKey ? deepgramStt(deepgramKey) : offline.providers.stt,
      llm: choice.llm === 'gemini' && geminiKey ? geminiLlm(geminiKey) : offline.providers.llm,
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
    return (['stt', 'llm', 'tts'] as const).map((role) => ({ role, label: providers[role].label, offline: providers[role].offline }));
  };

  const checks = (): ProviderChecks => ({ deepgram: currentCheck('deepgram'), gemini: currentCheck('gemini') });

  const state = (): ProvidersState => ({
    choice: readChoice(),
    secrets: (['deepgramApiKey', 'geminiApiKey'] as const).map((name) => secrets.status(name)),
    engines: engines(),
    checks: checks(),
  });

  // ------------------------------------------------------------------ connection tests

  const redactKeys = (text: string): string => {
    let out = text;
    for (const name of ['deepgramApiKey', 'geminiApiKey'] as const) {
      const key = secrets.get(name);
      if (key && key.length >= 4) out = out.split(key).join('[redacted]');
    }
    return out;
  };

  async function test(provider: CloudProvider): Promise<ProviderTestResult> {
    const key = secrets.get(SECRET_FOR[provider]);
    if (!key) return { ok: false, latencyMs: null, message: `No ${VENDOR[provider]} API key is set.`, problem: null, checkedAt: Date.now() };
    const check = await probe(provider, key);
    // Kept for the key it tested; a key changed meanwhile is not judged by it.
    if (secrets.get(SECRET_FOR[provider]) === key) lastChecks[provider] = { key, check };
    return check;
  }

  async function probe(provider: CloudProvider, key: string): Promise<ProviderCheck> {
    const vendor = VENDOR[provider];
    const startedMs = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new TestTimeout()), testTimeoutMs);
    try {
      const attempt =
        provider === 'deepgram'
          ? probeDeepgram(key, deepgramEnvironment, deadline.signal, testTimeoutMs)
          : probeGemini(key, geminiBaseUrl, deadline.signal);
      const detail = await abortable(attempt, deadline.signal);
      const latencyMs = Math.round(performance.now() - startedMs);
      log.info({ provider, latencyMs }, 'provider test passed');
      return { ok: true, latencyMs, message: `${vendor} accepted the key: ${detail}.`, problem: null, checkedAt: Date.now() };
    } catch (error) {
      const failure: Failure =
        error instanceof TestTimeout
          ? { message: `${vendor} did not answer within ${formatSeconds(testTimeoutMs)}.`, problem: 'unreachable' }
          : describeFailure(vendor, error, provider === 'deepgram' ? (deepgramEnvironment?.base ?? 'https://api.deepgram.com') : (geminiBaseUrl ?? 'https://generativelanguage.googleapis.com'));
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
      return state();
    },
    async setSecret(name, value) {
      const status = secrets.set(name, value);
      resolve(); // retire a pool built on the old key
      const provider = PROVIDER_OF[name];
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
    providersForNextCall() {
      const { providers, ttsPool, leftOut } = resolve();
      // Open a socket now, so the greeting's first clause doesn't wait for a handshake.
      ttsPool?.warm().catch((error: unknown) => log.warn({ err: redactError(error, redactKeys) }, 'Deepgram TTS warm-up failed'));
      return { providers, fallback: { llm: offline.providers.llm, tts: offline.providers.tts, stt: offline.providers.stt }, leftOut };
    },
    engines,
    async close() {
      const pools = [...retired.splice(0), ...(tts ? [tts.provider] : [])];
      tts = null;
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

interface Failure {
  message: string;
  problem: ProviderProblem;
}

/** A plain-language sentence for a failed probe, and what kind of failure it was. The caller redacts keys. */
function describeFailure(vendor: string, error: unknown, origin: string): Failure {
  const host = hostOf(origin);
  const rejected = (message: string): Failure => ({ message, problem: 'rejected' });
  const failed = (message: string): Failure => ({ message, problem: 'failed' });
  if (error instanceof GoogleApiError) {
    const text = error.message;
    const status = error.status;
    if (status === 401 || status === 403 || /API_KEY_INVALID|API key not valid/i.test(text)) {
      return rejected(`${vendor}: the API key was refused (HTTP ${status}).`);
    }
    if (status === 429) return failed(`${vendor}: the key works but its quota or rate limit is used up (HTTP 429).`);
    if (status === 404) return failed(`${vendor}: the model ${GEMINI_MODEL} is not available to this key (HTTP 404).`);
    if (status >= 500) return failed(`${vendor} had a server error (HTTP ${status}); try again shortly.`);
    return failed(`${vendor} refused the request (HTTP ${status}).`);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof DeepgramHandshakeError || vendor === 'Deepgram') {
    if (/\b(401|403)\b/.test(message)) return rejected(`${vendor}: the API key was refused (HTTP ${/\b40[13]\b/.exec(message)?.[0]}).`);
    const http = /\b([45]\d\d)\b/.exec(message)?.[1];
    if (http) return failed(`${vendor} refused the connection (HTTP ${http}).`);
  }
  const code = networkCodeOf(error);
  if (code) return { message: `Could not reach ${vendor} at ${host} (${code}).`, problem: 'unreachable' };
  if (/timeout/i.test(message)) return { message: `${vendor} did not answer in time.`, problem: 'unreachable' };
  return failed(`${vendor}: the test failed (${message.slice(0, 200)}).`);
}

function redactError(error: unknown, redact: (text: string) => string): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: redact(error.message) } : { name: 'Error', message: redact(String(error)) };
}
