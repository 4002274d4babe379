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
import { silentLogger } from '../../log';
import { abortable } from '../abortable';
import type { ChatMessage, LlmChunk, LlmProvider, LlmRequest } from '../types';
import {
  abortError,
  CALL_CONNECTED_TURN,
  CALLER_SILENT_TURN,
  errorCode,
  FactArgs,
  keyRedactor,
  lookupKnowledge,
  NETWORK_ERROR_CODES,
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

export interface GeminiLlmOptions extends LlmVoiceOptions {
  /** Default `gemini-2.5-flash`. */
  model?: string;
  /** Override the API origin (tests: the loopback fake). */
  baseUrl?: string;
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

const DECLARATIONS: Record<LlmToolName, FunctionDeclaration> = Object.fromEntries(
  Object.values(TOOL_DECLARATIONS).map(({ name, description, parameters }) => [name, { name, description, parametersJsonSchema: parameters }]),
) as Record<LlmToolName, FunctionDeclaration>;

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

function classify(error: unknown): LlmFailure {
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
  if ((code !== null && NETWORK_ERROR_CODES.has(code)) || message === 'fetch failed' || message === 'terminated') {
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

// ---------------------------------------------------------------- the provider

/** One open response stream (closed by aborting its attempt's signal, not by `return()`). */
interface OpenStream {
  chunks: AsyncGenerator<GenerateContentResponse>;
}

export function createGeminiLlm(options: GeminiLlmOptions): LlmProvider {
  const model = options.model ?? 'gemini-2.5-flash';
  const settings = resolveVoiceOptions(options, 'createGeminiLlm');
  const { maxRetries, firstTokenTimeoutMs, stallTimeoutMs, retryBaseDelayMs, maxRetryDelayMs, maxToolRoundTrips } = settings;
  const log = (options.logger ?? silentLogger).child({ provider: 'gemini', model });
  const apiKey = options.apiKey;
  // No client without a key: the SDK would only print a warning and send unauthenticated requests.
  const ai =
    apiKey.trim() === '' ? null : new GoogleGenAI({ apiKey, ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}) });

  const redact = keyRedactor(apiKey);

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
      const thisAttempt = new ReplyAttempt(signal, 'Gemini');
      let stream: OpenStream | undefined;
      let received = 0;
      let retryInMs = 0;
      const startedMs = performance.now();
      try {
        thisAttempt.startClock(firstTokenTimeoutMs);
        const response = await abortable(
          ai.models.generateContentStream({ model, contents, config: { ...config, abortSignal: thisAttempt.signal } }),
          thisAttempt.signal,
          abortError,
        );
        stream = { chunks: response };
        for (;;) {
          // The clock runs only while we wait on the service, never while the consumer
          // (TTS, at its own pace) holds a chunk.
          if (received > 0) thisAttempt.startClock(stallTimeoutMs);
          const next = await abortable(stream.chunks.next(), thisAttempt.signal, abortError);
          thisAttempt.stopClock();
          if (next.done) return;
          if (received === 0) log.debug({ attempt, firstChunkMs: Math.round(performance.now() - startedMs) }, 'gemini first chunk');
          received++;
          yield next.value;
        }
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        const failure = thisAttempt.timedOut ? timeoutFailure(received, settings) : classify(error);
        const partial = received > 0 || yieldedBefore();
        if (received > 0) {
          log.warn({ reason: failure.reason, status: failure.status, attempt, chunks: received }, 'gemini stream broke off');
          throw unavailableError(
            { ...failure, reason: failure.reason === 'timeout' ? 'timeout' : 'interrupted' },
            attempt,
            true,
            'Gemini stream broke off mid-reply (not retried)',
            redact,
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
          throw unavailableError(failure, attempt, partial, summary, redact);
        }
        retryInMs = retryDelayMs(attempt, retryBaseDelayMs, maxRetryDelayMs, failure.retryAfterMs);
        log.warn({ reason: failure.reason, status: failure.status, attempt, retryInMs }, 'gemini attempt failed, retrying');
      } finally {
        // Closes the connection if the response is still streaming (a consumer that stopped
        // early, an abort, a failure): the SDK's reader only releases its lock on return.
        thisAttempt.end();
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
      throw noApiKeyError('Gemini');
    }
    const contents = toGeminiContents(request.history);
    const { tools, handlers } = toolsForRequest(settings, request);
    const declarations = tools.map((name) => DECLARATIONS[name]);
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
          'lookup' in entry ? { functionResponse: { name: 'lookup_knowledge', response: await lookupKnowledge(handlers, entry.lookup, signal, log) } } : entry,
        );
      }
      // The model's turn goes back as received (thought signatures included), then the answers.
      contents.push({ role: 'model', parts: modelParts }, { role: 'user', parts: answers });
    }
  }

  return {
    label: geminiLabel(model),
    offline: false,
    capabilities: { tools: true },
    generate,
  };
}
