/**
 * The Gemini LLM provider (@google/genai, `models.generateContentStream`).
 *
 * - Text parts stream out as `text` chunks the moment they arrive; `transfer_to_agent`,
 *   `end_call` and `record_fact` calls come out as `tool-call` chunks for the call session
 *   (`lookup_knowledge` too, for the timeline only).
 * - `lookup_knowledge` is answered here: the handler's result goes back to the model as a
 *   functionResponse and the reply keeps streaming (at most `maxToolRoundTrips` times;
 *   the last request forbids further calls). `record_fact` is acknowledged the same way so
 *   the model carries on speaking after it.
 * - Thinking is off (budget 0): on a phone line its latency is dead air.
 * - Failures to *start* a reply (429, 5xx, network) are retried with jittered backoff; once
 *   anything has been yielded nothing is retried (the caller may have heard it). Every
 *   failure ends in an `LlmUnavailableError` (reason, HTTP status, attempts) so the call
 *   session can fall back to the offline engine. A reply that sends nothing for
 *   `firstTokenTimeoutMs` is given up, not retried: the caller is already waiting.
 * - House rule 7: no prompt, transcript, tool argument or API key reaches a log line or an
 *   error message; logs carry structured fields only.
 */
import { ApiError, FunctionCallingConfigMode, GoogleGenAI } from '@google/genai';
import type { Content, FunctionDeclaration, GenerateContentConfig, GenerateContentResponse, Part } from '@google/genai';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../log';
import { abortable } from '../abortable';
import type { ChatMessage, LlmChunk, LlmProvider, LlmRequest } from '../types';

// ---------------------------------------------------------------- public API

export const GEMINI_TOOL_NAMES = ['transfer_to_agent', 'end_call', 'lookup_knowledge', 'record_fact'] as const;
export type GeminiToolName = (typeof GEMINI_TOOL_NAMES)[number];

/** Tools whose result the model needs, answered inside `generate()`. */
export interface GeminiToolHandlers {
  /** Returns the knowledge-base passages for `query` as plain text ('' when nothing matched). */
  lookup_knowledge?: (args: { query: string }, signal: AbortSignal) => Promise<string>;
}

export interface GeminiLlmOptions {
  apiKey: string;
  /** Default `gemini-2.5-flash`. */
  model?: string;
  /** Override the API origin (tests: the loopback fake). */
  baseUrl?: string;
  /** Tools declared to the model. `lookup_knowledge` needs `toolHandlers.lookup_knowledge`. */
  tools: readonly GeminiToolName[];
  toolHandlers?: GeminiToolHandlers;
  /** Retries of a reply that failed before its first chunk (429, 5xx, network). Default 2. */
  maxRetries?: number;
  /** Give up if no chunk arrives this long after a request is sent. Default 1500. */
  firstTokenTimeoutMs?: number;
  /** Give up if the stream goes silent this long between chunks. Default 5000. */
  stallTimeoutMs?: number;
  /** First backoff step; each retry doubles it, with full jitter. Default 250. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry; a server asking for longer (RetryInfo) is not retried. Default 2000. */
  maxRetryDelayMs?: number;
  /** Function-response round trips per reply. Default 3. */
  maxToolRoundTrips?: number;
  logger?: Logger;
}

export type LlmUnavailableReason =
  /** The key was rejected (401, 403, 400 API_KEY_INVALID). Never retried. */
  | 'auth'
  /** 429 after the retries (or a server-requested wait longer than we can afford). */
  | 'rate-limited'
  /** 5xx after the retries. */
  | 'server-error'
  /** Connection refused/reset before a reply started, after the retries. */
  | 'network'
  /** Nothing arrived within `firstTokenTimeoutMs`, or the stream stalled. */
  | 'timeout'
  /** The request itself was refused (400, 404: bad model name, malformed request). */
  | 'bad-request'
  /** The stream broke after output had been yielded; not retried. */
  | 'interrupted'
  /** The response could not be understood. */
  | 'protocol';

/**
 * The model could not give a (complete) reply. `partial` tells whether some of the reply
 * was already yielded before the failure. Message and fields never hold the API key or any
 * prompt text.
 */
export class LlmUnavailableError extends Error {
  override readonly name = 'LlmUnavailableError';
  readonly reason: LlmUnavailableReason;
  /** Last HTTP status from the service, when there was one. */
  readonly status: number | null;
  /** Google status name (`RESOURCE_EXHAUSTED`, …) when the service sent one. */
  readonly googleStatus: string | null;
  /** Requests made for the failing step (1 + retries). */
  readonly attempts: number;
  readonly partial: boolean;

  constructor(
    message: string,
    fields: { reason: LlmUnavailableReason; status: number | null; googleStatus: string | null; attempts: number; partial: boolean },
  ) {
    super(message);
    this.reason = fields.reason;
    this.status = fields.status;
    this.googleStatus = fields.googleStatus;
    this.attempts = fields.attempts;
    this.partial = fields.partial;
  }
}

/** Stage directions used where the call's history alone would not make a valid request. */
export const CALL_CONNECTED_TURN = '[The call has just connected.]';
export const CALLER_SILENT_TURN = '[The caller has not said anything since your last reply.]';

/** How an agent's whisper reads in the request (the system prompt explains the brackets). */
export function supervisorNote(text: string): string {
  return `[Supervisor, not heard by the caller: ${text}]`;
}

/** `gemini-2.5-flash-lite` -> `Gemini 2.5 Flash Lite`. */
export function geminiLabel(model: string): string {
  return model
    .replace(/^models\//, '')
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join(' ');
}

/**
 * Maps the call's history to Gemini contents: `assistant` -> `model`, consecutive turns of
 * one role merged (Gemini wants user and model to alternate), empty lines dropped. The
 * request must open and close on a user turn, so a stage direction is added when the AI
 * spoke first (the greeting) or spoke last (the caller said nothing since).
 */
export function toGeminiContents(history: readonly ChatMessage[]): Content[] {
  const contents: Content[] = [];
  for (const message of history) {
    if (message.text.trim() === '') continue;
    // Gemini has two roles: a whisper rides in the user turn, marked so it is never taken for the caller.
    const role = message.role === 'assistant' ? 'model' : 'user';
    const text = message.role === 'supervisor' ? supervisorNote(message.text) : message.text;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts?.push({ text });
    else contents.push({ role, parts: [{ text }] });
  }
  if (contents[0]?.role !== 'user') contents.unshift({ role: 'user', parts: [{ text: CALL_CONNECTED_TURN }] });
  if (contents[contents.length - 1]?.role !== 'user') contents.push({ role: 'user', parts: [{ text: CALLER_SILENT_TURN }] });
  return contents;
}

// ---------------------------------------------------------------- tools

const REASON_SCHEMA = {
  type: 'object',
  properties: {
    reason: { type: 'string', description: 'A short reason naming the topic (not the caller’s words).' },
  },
  required: ['reason'],
};

const DECLARATIONS: Record<GeminiToolName, FunctionDeclaration> = {
  transfer_to_agent: {
    name: 'transfer_to_agent',
    description: 'Hand the call to a human agent: when the caller asks for a person, or is upset and not getting anywhere.',
    parametersJsonSchema: REASON_SCHEMA,
  },
  end_call: {
    name: 'end_call',
    description: 'End the call, after the caller has finished and you have said a brief goodbye.',
    parametersJsonSchema: REASON_SCHEMA,
  },
  lookup_knowledge: {
    name: 'lookup_knowledge',
    description: 'Search the business knowledge base for policies, prices and procedures. Returns the relevant passages.',
    parametersJsonSchema: {
      type: 'object',
      properties: { query: { type: 'string', description: 'What to look up, in a few words.' } },
      required: ['query'],
    },
  },
  record_fact: {
    name: 'record_fact',
    description: 'Note a fact the caller gave (an order number, a callback time, …) so the team can see it.',
    parametersJsonSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'What the fact is, e.g. "order number".' },
        value: { type: 'string', description: 'The value the caller gave.' },
      },
      required: ['name', 'value'],
    },
  },
};

const ReasonArgs = z.object({ reason: z.string() });
const LookupArgs = z.object({ query: z.string().min(1) });
const FactArgs = z.object({ name: z.string(), value: z.string() });

// ---------------------------------------------------------------- errors

interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; reason?: string; retryDelay?: string }[];
}

/** The SDK's ApiError message is the error body as JSON (possibly after a `got status: …` prefix). */
function parseGoogleError(message: string): GoogleErrorBody | null {
  const start = message.indexOf('{');
  if (start < 0) return null;
  try {
    const parsed = JSON.parse(message.slice(start)) as { error?: GoogleErrorBody };
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : null;
  } catch {
    return null;
  }
}

/** Seconds in a google.protobuf.Duration string (`"17s"`, `"0.5s"`) as ms. */
function durationMs(value: string | undefined): number | null {
  const m = value === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(value);
  return m ? Math.round(Number(m[1]) * 1000) : null;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** `code` of an error or of anything in its `cause` chain. */
function errorCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

interface Failure {
  reason: LlmUnavailableReason;
  status: number | null;
  googleStatus: string | null;
  /** What went wrong, from the service or the transport; the key is redacted later. */
  detail: string;
  retryable: boolean;
  /** Server-requested wait before retrying (RetryInfo), if any. */
  retryAfterMs: number | null;
}

function classify(error: unknown): Failure {
  if (error instanceof ApiError) {
    const body = parseGoogleError(error.message);
    const status = error.status;
    const googleStatus = body?.status ?? null;
    const detail = (body?.message ?? error.message).slice(0, 300);
    const keyInvalid = body?.details?.some((d) => d.reason === 'API_KEY_INVALID') ?? false;
    const retryAfterMs = durationMs(body?.details?.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay);
    const base = { status, googleStatus, detail, retryAfterMs };
    if (status === 401 || status === 403 || keyInvalid) return { ...base, reason: 'auth', retryable: false };
    if (status === 429) return { ...base, reason: 'rate-limited', retryable: true };
    if (status === 408) return { ...base, reason: 'timeout', retryable: true };
    if (status >= 500) return { ...base, reason: 'server-error', retryable: true };
    return { ...base, reason: 'bad-request', retryable: false };
  }
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if ((code !== null && NETWORK_CODES.has(code)) || message === 'fetch failed' || message === 'terminated') {
    return {
      reason: 'network',
      status: null,
      googleStatus: null,
      detail: code ? `${message} (${code})` : message,
      retryable: true,
      retryAfterMs: null,
    };
  }
  return { reason: 'protocol', status: null, googleStatus: null, detail: message.slice(0, 300), retryable: false, retryAfterMs: null };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The reply was aborted', 'AbortError');
}


function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return abortable(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal, abortError);
}

// ---------------------------------------------------------------- the provider

/** One open response stream (closed by aborting its attempt's signal, not by `return()`). */
interface OpenStream {
  chunks: AsyncGenerator<GenerateContentResponse>;
}

export function createGeminiLlm(options: GeminiLlmOptions): LlmProvider {
  const model = options.model ?? 'gemini-2.5-flash';
  const maxRetries = Math.max(0, options.maxRetries ?? 2);
  const firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? 1500;
  const stallTimeoutMs = options.stallTimeoutMs ?? 5000;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 250;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 2000;
  const maxToolRoundTrips = Math.max(0, options.maxToolRoundTrips ?? 3);
  const handlers = options.toolHandlers ?? {};
  const log = (options.logger ?? silentLogger).child({ provider: 'gemini', model });
  const tools = [...new Set(options.tools)];
  if (tools.includes('lookup_knowledge') && !handlers.lookup_knowledge) {
    throw new Error('createGeminiLlm: the lookup_knowledge tool needs toolHandlers.lookup_knowledge');
  }
  const declarations = tools.map((name) => DECLARATIONS[name]);
  const apiKey = options.apiKey;
  // No client without a key: the SDK would only print a warning and send unauthenticated requests.
  const ai =
    apiKey.trim() === '' ? null : new GoogleGenAI({ apiKey, ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}) });

  /** Nothing secret leaves in a message: the service or a proxy might echo the key. */
  const redact = (text: string): string => (apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text);

  function unavailable(failure: Failure, attempts: number, partial: boolean, summary: string): LlmUnavailableError {
    const http = failure.status !== null ? `HTTP ${failure.status}${failure.googleStatus ? ` ${failure.googleStatus}` : ''}: ` : '';
    return new LlmUnavailableError(redact(`${summary}: ${http}${failure.detail}`), {
      reason: failure.reason,
      status: failure.status,
      googleStatus: failure.googleStatus,
      attempts,
      partial,
    });
  }

  /**
   * Streams one request's response chunks. Opens it with retries (only before the first
   * chunk, and only while nothing has been yielded to the caller), enforces the first-token
   * and stall timeouts, and always closes the HTTP connection when it stops.
   */
  async function* streamOnce(
    ai: GoogleGenAI,
    contents: Content[],
    config: GenerateContentConfig,
    signal: AbortSignal,
    yieldedBefore: () => boolean,
  ): AsyncGenerator<GenerateContentResponse> {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      const attemptCtl = new AbortController();
      const onAbort = (): void => attemptCtl.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          attemptCtl.abort(new DOMException('Gemini timed out', 'TimeoutError'));
        }, ms);
      };
      let stream: OpenStream | undefined;
      let received = 0;
      let retryInMs = 0;
      const startedMs = performance.now();
      try {
        arm(firstTokenTimeoutMs);
        const response = await abortable(
          ai.models.generateContentStream({ model, contents, config: { ...config, abortSignal: attemptCtl.signal } }),
          attemptCtl.signal,
          abortError,
        );
        stream = { chunks: response };
        for (;;) {
          // The clock runs only while we wait on the service, never while the consumer
          // (TTS, at its own pace) holds a chunk.
          if (received > 0) arm(stallTimeoutMs);
          const next = await abortable(stream.chunks.next(), attemptCtl.signal, abortError);
          clearTimeout(timer);
          if (next.done) return;
          if (received === 0) log.debug({ attempt, firstChunkMs: Math.round(performance.now() - startedMs) }, 'gemini first chunk');
          received++;
          yield next.value;
        }
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        const failure: Failure = timedOut
          ? {
              reason: 'timeout',
              status: null,
              googleStatus: null,
              detail:
                received === 0
                  ? `no response within ${firstTokenTimeoutMs} ms (first-token timeout)`
                  : `stream silent for ${stallTimeoutMs} ms`,
              retryable: false,
              retryAfterMs: null,
            }
          : classify(error);
        const partial = received > 0 || yieldedBefore();
        if (received > 0) {
          log.warn({ reason: failure.reason, status: failure.status, attempt, chunks: received }, 'gemini stream broke off');
          throw unavailable(
            { ...failure, reason: failure.reason === 'timeout' ? 'timeout' : 'interrupted' },
            attempt,
            true,
            'Gemini stream broke off mid-reply (not retried)',
          );
        }
        const tooLong = failure.retryAfterMs !== null && failure.retryAfterMs > maxRetryDelayMs;
        const retry = failure.retryable && !tooLong && !partial && attempt <= maxRetries;
        if (!retry) {
          log.warn(
            { reason: failure.reason, status: failure.status, googleStatus: failure.googleStatus, attempts: attempt },
            'gemini unavailable',
          );
          const summary =
            failure.reason === 'auth'
              ? 'Gemini rejected the API key'
              : tooLong
                ? `Gemini asked to wait ${Math.round((failure.retryAfterMs ?? 0) / 1000)} s before retrying`
                : `Gemini unavailable after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
          throw unavailable(failure, attempt, partial, summary);
        }
        const step = Math.min(maxRetryDelayMs, retryBaseDelayMs * 2 ** (attempt - 1));
        retryInMs = Math.max(failure.retryAfterMs ?? 0, Math.round(step / 2 + (Math.random() * step) / 2));
        log.warn({ reason: failure.reason, status: failure.status, attempt, retryInMs }, 'gemini attempt failed, retrying');
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        // Closes the connection if the response is still streaming (a consumer that stopped
        // early, an abort, a failure): the SDK's reader only releases its lock on return.
        attemptCtl.abort(new DOMException('stream closed', 'AbortError'));
        if (stream) stream.chunks.return(undefined).catch(() => undefined);
      }
      // Only a retryable failure gets here (success returns, anything else threw).
      await sleep(retryInMs, signal);
    }
  }

  async function* generate(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) throw abortError(signal);
    if (ai === null) {
      // The SDK would send the request anyway (after a console warning) and get a 403.
      throw new LlmUnavailableError('Gemini has no API key configured', {
        reason: 'auth',
        status: null,
        googleStatus: null,
        attempts: 0,
        partial: false,
      });
    }
    const contents = toGeminiContents(request.history);
    let yielded = false;

    for (let round = 0; ; round++) {
      const lastRound = round >= maxToolRoundTrips;
      const config: GenerateContentConfig = {
        systemInstruction: request.system,
        thinkingConfig: { thinkingBudget: 0 },
        // The SDK would otherwise resume dropped streams on its own; retries are ours to decide.
        automaticContinuation: false,
        ...(declarations.length > 0
          ? {
              tools: [{ functionDeclarations: declarations }],
              ...(lastRound ? { toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } } } : {}),
            }
          : {}),
      };

      const modelParts: Part[] = [];
      /** One entry per function call, in order: a response, or a lookup to run once the stream ends. */
      const responses: (Part | { lookup: Record<string, unknown> })[] = [];
      let handOff = false;
      for await (const response of streamOnce(ai, contents, config, signal, () => yielded)) {
        for (const part of response.candidates?.[0]?.content?.parts ?? []) {
          modelParts.push(part);
          if (typeof part.text === 'string' && part.text !== '' && part.thought !== true) {
            yielded = true;
            yield { type: 'text', text: part.text };
            continue;
          }
          const call = part.functionCall;
          if (!call?.name) continue;
          const name = call.name;
          const args = call.args ?? {};
          const known = (tools as readonly string[]).includes(name);
          if (known && (name === 'transfer_to_agent' || name === 'end_call')) {
            const parsed = ReasonArgs.safeParse(args);
            handOff = true;
            yielded = true;
            yield { type: 'tool-call', name, args: parsed.success ? parsed.data : { reason: '' } };
          } else if (known && name === 'record_fact') {
            const parsed = FactArgs.safeParse(args);
            if (parsed.success) {
              yielded = true;
              yield { type: 'tool-call', name, args: parsed.data };
            }
            responses.push({
              functionResponse: { name, response: parsed.success ? { output: 'recorded' } : { error: 'name and value are required' } },
            });
          } else if (known && name === 'lookup_knowledge') {
            // Shown on the call's timeline; nothing was said, so it does not count as output.
            yield { type: 'tool-call', name, args: args ?? {} };
            // Run after the stream ends, so a slow lookup can't trip the stall timeout.
            responses.push({ lookup: args });
          } else {
            log.warn({ tool: name }, 'gemini called an undeclared function');
            responses.push({ functionResponse: { name, response: { error: `unknown function ${name}` } } });
          }
        }
      }
      // A transfer or hang-up ends the AI's part; there is nothing more to ask the model.
      if (handOff || responses.length === 0) return;
      if (lastRound) {
        log.warn({ round }, 'gemini still calling functions after the last round trip');
        return;
      }
      log.debug({ round: round + 1, calls: responses.length }, 'gemini function round trip');
      const answers: Part[] = [];
      for (const entry of responses) {
        answers.push(
          'lookup' in entry ? { functionResponse: { name: 'lookup_knowledge', response: await lookup(entry.lookup, signal) } } : entry,
        );
      }
      // The model's turn goes back as received (thought signatures included), then the answers.
      contents.push({ role: 'model', parts: modelParts }, { role: 'user', parts: answers });
    }
  }

  async function lookup(args: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const parsed = LookupArgs.safeParse(args);
    if (!parsed.success) return { error: 'query is required' };
    try {
      const handler = handlers.lookup_knowledge;
      if (!handler) return { error: 'lookup is not available' };
      const output = await abortable(handler(parsed.data, signal), signal, abortError);
      return { output: output === '' ? 'No matching information found.' : output };
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      log.warn({ tool: 'lookup_knowledge', err: { name: (error as Error).name } }, 'knowledge lookup failed');
      return { error: 'lookup failed' };
    }
  }

  return {
    label: geminiLabel(model),
    offline: false,
    capabilities: { tools: true },
    generate,
  };
}
