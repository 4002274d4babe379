/**
 * The OpenAI LLM provider (official `openai` SDK, streamed Chat Completions).
 *
 * - Text deltas stream out as `text` chunks the moment they arrive. Tool calls come as
 *   argument fragments joined by `index`; once the stream ends, `transfer_to_agent`,
 *   `end_call` and `record_fact` come out as `tool-call` chunks for the call session
 *   (`lookup_knowledge` too, for the timeline only).
 * - `lookup_knowledge` is answered here: the handler's result goes back as a `tool` message
 *   and the reply keeps streaming (at most `maxToolRoundTrips` times; the last request says
 *   `tool_choice: none`). `record_fact` is acknowledged the same way so the model carries on.
 * - The SDK runs with `maxRetries: 0`: its own backoff (0.5 s doubling to 8 s) is far too slow
 *   for a phone line. Failures to *start* a reply (429, 5xx, network, an error frame before
 *   any content) are retried here with jittered backoff, exactly as gemini.ts does; once
 *   anything has been yielded nothing is retried (the caller may have heard it). Every
 *   failure ends in an `LlmUnavailableError`, so the call session's offline fallback works
 *   unchanged. A reply that sends nothing for `firstTokenTimeoutMs` is given up, not retried.
 * - House rule 7: no prompt, transcript, tool argument or API key reaches a log line or an
 *   error message; the SDK's own logging (which can print request bodies) is switched off.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { silentLogger } from '../../log';
import { abortable } from '../abortable';
import { hostOf, networkCodeOf, type ProbeFailure } from '../failure';
import type { ChatMessage, LlmChunk, LlmProvider, LlmRequest } from '../types';
import {
  abortError,
  CALL_CONNECTED_TURN,
  CALLER_SILENT_TURN,
  FactArgs,
  keyRedactor,
  lookupKnowledge,
  networkErrorCode,
  noApiKeyError,
  ReasonArgs,
  ReplyAttempt,
  resolveVoiceOptions,
  toolsForRequest,
  retryDelayMs,
  sleep,
  supervisorNote,
  timeoutFailure,
  TOOL_DECLARATIONS,
  unavailableError,
  type LlmToolName,
  type LlmFailure,
  type LlmVoiceOptions,
} from './llm-common';

// ---------------------------------------------------------------- public API

export const OPENAI_DEFAULT_MODEL = 'gpt-4o-mini';
/** What Settings offers. */
export const OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4o'] as const;

const OPENAI_ORIGIN = 'https://api.openai.com';

export interface OpenAiLlmOptions extends LlmVoiceOptions {
  /** Default `gpt-4o-mini` (the faster first token; `gpt-4o` is selectable). */
  model?: string;
  /** API origin override, e.g. http://127.0.0.1:P (the fake); '/v1' is appended. */
  baseUrl?: string;
}

/** `gpt-4o-mini` -> `OpenAI gpt-4o-mini` (OpenAI writes its model names in lower case). */
export function openAiLabel(model: string): string {
  return `OpenAI ${model}`;
}

/**
 * Maps the call's history to Chat Completions messages: the system prompt first, `user` and
 * `assistant` as they are, and a supervisor's whisper as a system message marked as the
 * supervising agent's private instruction (the same words Gemini gets, which the persona's
 * system prompt explains). Empty lines are dropped. As for Gemini, a stage direction opens
 * the conversation when the AI spoke first and closes it when the AI spoke last, so the model
 * always answers something the caller did (or did not) say.
 */
export function toOpenAiMessages(system: string, history: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const turns: ChatCompletionMessageParam[] = [];
  for (const message of history) {
    if (message.text.trim() === '') continue;
    if (message.role === 'supervisor') turns.push({ role: 'system', content: supervisorNote(message.text) });
    else turns.push({ role: message.role, content: message.text });
  }
  const spoken = turns.filter((m) => m.role !== 'system');
  if (spoken[0]?.role !== 'user') turns.unshift({ role: 'user', content: CALL_CONNECTED_TURN });
  if (turns[turns.length - 1]?.role === 'assistant') turns.push({ role: 'user', content: CALLER_SILENT_TURN });
  return [{ role: 'system', content: system }, ...turns];
}

// ---------------------------------------------------------------- tools

const FUNCTION_TOOLS: Record<LlmToolName, ChatCompletionTool> = Object.fromEntries(
  Object.values(TOOL_DECLARATIONS).map(({ name, description, parameters }) => [
    name,
    { type: 'function', function: { name, description, parameters } },
  ]),
) as Record<LlmToolName, ChatCompletionTool>;

/** One tool call as its fragments arrived, joined by `index`. */
interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Tool arguments are a JSON string the model wrote; a malformed one counts as no arguments. */
function parseArguments(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- errors

/** The wait a response asks for: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
function retryAfterMsOf(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers?.get('retry-after');
  if (value === null || value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** The service's own words for an API error, with its code and request id (neither is secret). */
function apiErrorDetail(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  const code = typeof error.code === 'string' ? ` [${error.code}]` : '';
  const request = error.requestID ? ` (request ${error.requestID})` : '';
  return `${message.slice(0, 300)}${code}${request}`;
}

function classify(error: unknown): LlmFailure {
  if (error instanceof APIConnectionError) {
    // Includes the SDK's own timeout, which only guards the wait for response headers.
    const code = networkErrorCode(error);
    const timeout = error instanceof APIConnectionTimeoutError;
    return {
      reason: 'network',
      status: null,
      googleStatus: null,
      detail: code ? `${error.message} (${code})` : timeout ? 'the connection timed out' : error.message,
      retryable: true,
      retryAfterMs: null,
    };
  }
  if (error instanceof APIError) {
    const detail = apiErrorDetail(error);
    const status = error.status ?? null;
    const retryAfterMs = retryAfterMsOf(error.headers);
    // The server may say outright whether a retry can help.
    const shouldRetry = error.headers?.get('x-should-retry');
    const veto = shouldRetry === 'false';
    const base = { status, googleStatus: null, detail, retryAfterMs };
    // An `{"error":…}` frame inside a 200 stream: the service failed while generating.
    if (status === null) return { ...base, reason: 'server-error', retryable: true };
    if (status === 401 || status === 403) return { ...base, reason: 'auth', retryable: false };
    // No credit left is a 429 too, but waiting will not bring it back.
    if (status === 429) return { ...base, reason: 'rate-limited', retryable: !veto && error.code !== 'insufficient_quota' };
    if (status === 408 || status === 409) return { ...base, reason: status === 408 ? 'timeout' : 'server-error', retryable: !veto };
    if (status >= 500) return { ...base, reason: 'server-error', retryable: !veto };
    return { ...base, reason: 'bad-request', retryable: false };
  }
  // A body cut off mid-stream surfaces from undici as `TypeError: terminated` (cause: the socket).
  const code = networkErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== null || message === 'fetch failed' || message === 'terminated') {
    return { reason: 'network', status: null, googleStatus: null, detail: code ? `${message} (${code})` : message, retryable: true, retryAfterMs: null };
  }
  return { reason: 'protocol', status: null, googleStatus: null, detail: message.slice(0, 300), retryable: false, retryAfterMs: null };
}

/** A client that reads nothing from the environment but what we pass (no OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_LOG, …). */
function createClient(apiKey: string, baseUrl: string | undefined, timeoutMs: number): OpenAI {
  return new OpenAI({
    apiKey,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    baseURL: `${(baseUrl ?? OPENAI_ORIGIN).replace(/\/+$/, '')}/v1`,
    maxRetries: 0,
    timeout: timeoutMs,
    logLevel: 'off',
  });
}

// ---------------------------------------------------------------- the provider

export function createOpenAiLlm(options: OpenAiLlmOptions): LlmProvider {
  const model = options.model ?? OPENAI_DEFAULT_MODEL;
  const settings = resolveVoiceOptions(options, 'createOpenAiLlm');
  const { maxRetries, firstTokenTimeoutMs, stallTimeoutMs, retryBaseDelayMs, maxRetryDelayMs, maxToolRoundTrips } = settings;
  const log = (options.logger ?? silentLogger).child({ provider: 'openai', model });
  const apiKey = options.apiKey;
  // No client without a key: the SDK would throw at construction, or fall back to OPENAI_API_KEY.
  // Its own timeout only covers the wait for headers; ours (first token) is shorter, so it is a backstop.
  const client = apiKey.trim() === '' ? null : createClient(apiKey, options.baseUrl, Math.max(10_000, firstTokenTimeoutMs * 2));

  const redact = keyRedactor(apiKey);

  /**
   * Streams one request's chunks, each tagged with its attempt (a retry starts the reply
   * over, so the consumer drops what it gathered from the failed attempt). Opens it with
   * retries (only while nothing has been yielded to the caller: tool-call fragments still
   * being gathered were heard by no one), enforces the first-token and stall timeouts, and
   * always closes the HTTP connection when it stops.
   */
  async function* streamOnce(
    openai: OpenAI,
    body: ChatCompletionCreateParamsStreaming,
    signal: AbortSignal,
    /** How many chunks the reply has yielded to the caller so far (across attempts and rounds). */
    yieldedSoFar: () => number,
  ): AsyncGenerator<{ chunk: ChatCompletionChunk; attempt: number }> {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      const thisAttempt = new ReplyAttempt(signal, 'OpenAI');
      let chunks: AsyncIterator<ChatCompletionChunk> | undefined;
      let received = 0;
      /** Output yielded during this attempt means the caller may have heard it: no retry then. */
      const yieldedAtStart = yieldedSoFar();
      let retryInMs = 0;
      const startedMs = performance.now();
      try {
        thisAttempt.startClock(firstTokenTimeoutMs);
        const stream = await abortable(openai.chat.completions.create(body, { signal: thisAttempt.signal }), thisAttempt.signal, abortError);
        chunks = stream[Symbol.asyncIterator]();
        for (;;) {
          // The clock runs only while we wait on the service, never while the consumer
          // (TTS, at its own pace) holds a chunk.
          if (received > 0) thisAttempt.startClock(stallTimeoutMs);
          const next = await abortable(chunks.next(), thisAttempt.signal, abortError);
          thisAttempt.stopClock();
          if (next.done) return;
          if (received === 0) log.debug({ attempt, firstChunkMs: Math.round(performance.now() - startedMs) }, 'openai first chunk');
          received++;
          yield { chunk: next.value, attempt };
        }
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        const failure = thisAttempt.timedOut ? timeoutFailure(received, settings) : classify(error);
        const partial = yieldedSoFar() > 0;
        if (yieldedSoFar() > yieldedAtStart) {
          log.warn({ reason: failure.reason, status: failure.status, attempt, chunks: received }, 'openai stream broke off');
          throw unavailableError(
            { ...failure, reason: failure.reason === 'timeout' ? 'timeout' : 'interrupted' },
            attempt,
            true,
            'OpenAI stream broke off mid-reply (not retried)',
            redact,
          );
        }
        const tooLong = failure.retryAfterMs !== null && failure.retryAfterMs > maxRetryDelayMs;
        const retry = failure.retryable && !tooLong && !partial && attempt <= maxRetries;
        if (!retry) {
          log.warn({ reason: failure.reason, status: failure.status, attempts: attempt }, 'openai unavailable');
          const summary =
            failure.reason === 'auth'
              ? 'OpenAI rejected the API key'
              : tooLong && failure.retryable
                ? `OpenAI asked to wait ${Math.round((failure.retryAfterMs ?? 0) / 1000)} s before retrying`
                : `OpenAI unavailable after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
          throw unavailableError(failure, attempt, partial, summary, redact);
        }
        retryInMs = retryDelayMs(attempt, retryBaseDelayMs, maxRetryDelayMs, failure.retryAfterMs);
        log.warn({ reason: failure.reason, status: failure.status, attempt, retryInMs }, 'openai attempt failed, retrying');
      } finally {
        // Closes the connection if the response is still streaming (a consumer that stopped
        // early, an abort, a failure): the SDK ties the request's fetch to this signal.
        thisAttempt.end();
        if (chunks) chunks.return?.(undefined).catch(() => undefined);
      }
      // Only a retryable failure gets here (success returns, anything else threw).
      await sleep(retryInMs, signal);
    }
  }

  async function* generate(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmChunk> {
    if (signal.aborted) throw abortError(signal);
    if (client === null) throw noApiKeyError('OpenAI');
    const messages = toOpenAiMessages(request.system, request.history);
    const { tools, handlers } = toolsForRequest(settings, request);
    const functionTools = tools.map((name) => FUNCTION_TOOLS[name]);
    /** Chunks yielded that the caller may have heard or the session acted on (lookups excluded). */
    let yielded = 0;

    for (let round = 0; ; round++) {
      const lastRound = round >= maxToolRoundTrips;
      const body: ChatCompletionCreateParamsStreaming = {
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(functionTools.length > 0 ? { tools: functionTools, ...(lastRound ? { tool_choice: 'none' as const } : {}) } : {}),
      };

      let text = '';
      const calls = new Map<number, PendingToolCall>();
      let attemptSeen = 1;
      for await (const { chunk, attempt } of streamOnce(client, body, signal, () => yielded)) {
        if (attempt !== attemptSeen) {
          // A retried request: fragments of the failed attempt's tool calls would corrupt the new ones.
          attemptSeen = attempt;
          text = '';
          calls.clear();
        }
        if (chunk.usage) {
          log.debug({ promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens }, 'openai usage');
        }
        const choice = chunk.choices[0];
        if (!choice) continue;
        const content = choice.delta.content;
        if (typeof content === 'string' && content !== '') {
          text += content;
          yielded++;
          yield { type: 'text', text: content };
        }
        // `id` and `name` come with a call's first fragment only; the rest carry more `arguments`.
        for (const fragment of choice.delta.tool_calls ?? []) {
          const call = calls.get(fragment.index) ?? { id: '', name: '', arguments: '' };
          if (fragment.id) call.id = fragment.id;
          if (fragment.function?.name) call.name = fragment.function.name;
          call.arguments += fragment.function?.arguments ?? '';
          calls.set(fragment.index, call);
        }
      }
      if (calls.size === 0) return;

      const ordered = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
      /** One answer per call, in order: a tool message, or a lookup to run before the next request. */
      const answers: { call: PendingToolCall; output?: Record<string, unknown>; lookup?: Record<string, unknown> }[] = [];
      for (const call of ordered) {
        const name = call.name;
        const args = parseArguments(call.arguments);
        const known = (tools as readonly string[]).includes(name);
        if (known && (name === 'transfer_to_agent' || name === 'end_call')) {
          const parsed = ReasonArgs.safeParse(args);
          yielded++;
          yield { type: 'tool-call', name, args: parsed.success ? parsed.data : { reason: '' } };
          // A transfer or hang-up ends the AI's part; there is nothing more to ask the model.
          return;
        }
        if (known && name === 'record_fact') {
          const parsed = FactArgs.safeParse(args);
          if (parsed.success) {
            yielded++;
            yield { type: 'tool-call', name, args: parsed.data };
          }
          answers.push({ call, output: parsed.success ? { output: 'recorded' } : { error: 'name and value are required' } });
        } else if (known && name === 'lookup_knowledge') {
          // Shown on the call's timeline; nothing was said, so it does not count as output.
          yield { type: 'tool-call', name, args };
          answers.push({ call, lookup: args });
        } else {
          log.warn({ tool: name }, 'openai called an undeclared function');
          answers.push({ call, output: { error: `unknown function ${name}` } });
        }
      }
      if (lastRound) {
        log.warn({ round }, 'openai still calling functions after the last round trip');
        return;
      }
      log.debug({ round: round + 1, calls: answers.length }, 'openai function round trip');
      const toolCalls: ChatCompletionMessageFunctionToolCall[] = ordered.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
      // The model's turn goes back as it came (its words and calls), then one answer per call id.
      messages.push({ role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls });
      for (const answer of answers) {
        const result = answer.lookup ? await lookupKnowledge(handlers, answer.lookup, signal, log) : (answer.output ?? {});
        messages.push({ role: 'tool', tool_call_id: answer.call.id, content: JSON.stringify(result) });
      }
    }
  }

  return {
    label: openAiLabel(model),
    offline: false,
    capabilities: { tools: true },
    generate,
  };
}

// ---------------------------------------------------------------- connection test

/** A failed probe, with what describeOpenAiFailure needs to name the place and model (never the key). */
class OpenAiProbeError extends Error {
  override readonly name = 'OpenAiProbeError';
  constructor(
    readonly host: string,
    readonly model: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** One tiny real request (max 1 output token) with the key; resolves to a detail such as 'gpt-4o-mini answered'. */
export async function probeOpenAi(apiKey: string, model: string, baseUrl: string | undefined, signal: AbortSignal): Promise<string> {
  const host = hostOf(baseUrl ?? OPENAI_ORIGIN);
  try {
    const client = createClient(apiKey, baseUrl, 30_000);
    await client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'Reply with the single word OK.' }], max_completion_tokens: 1 },
      { signal },
    );
    return `${model} answered`;
  } catch (error) {
    throw new OpenAiProbeError(host, model, error);
  }
}

/**
 * A failed probe in one plain sentence (401/403 -> problem 'rejected'; 429/5xx/404 -> 'failed';
 * network -> 'unreachable'); null if not recognised.
 */
export function describeOpenAiFailure(error: unknown): ProbeFailure | null {
  const where = error instanceof OpenAiProbeError ? error : null;
  const cause: unknown = where ? where.cause : error;
  const vendor = 'OpenAI';
  if (cause instanceof APIConnectionTimeoutError) return { message: `${vendor} did not answer in time.`, problem: 'unreachable' };
  if (cause instanceof APIConnectionError) {
    const code = networkCodeOf(cause);
    const at = where ? ` at ${where.host}` : '';
    return { message: `Could not reach ${vendor}${at}${code ? ` (${code})` : ''}.`, problem: 'unreachable' };
  }
  if (cause instanceof APIError && typeof cause.status === 'number') {
    const status = cause.status;
    if (status === 401 || status === 403) return { message: `${vendor}: the API key was refused (HTTP ${status}).`, problem: 'rejected' };
    if (status === 429 && cause.code === 'insufficient_quota') {
      return { message: `${vendor}: the key works but its account has no credit left (HTTP 429).`, problem: 'failed' };
    }
    if (status === 429) return { message: `${vendor}: the key works but its rate limit is used up (HTTP 429).`, problem: 'failed' };
    if (status === 404) {
      const model = where ? `the model ${where.model}` : 'the model';
      return { message: `${vendor}: ${model} is not available to this key (HTTP 404).`, problem: 'failed' };
    }
    if (status >= 500) return { message: `${vendor} had a server error (HTTP ${status}); try again shortly.`, problem: 'failed' };
    return { message: `${vendor} refused the request (HTTP ${status}).`, problem: 'failed' };
  }
  const code = networkCodeOf(cause);
  if (code) return { message: `Could not reach ${vendor}${where ? ` at ${where.host}` : ''} (${code}).`, problem: 'unreachable' };
  return null;
}
