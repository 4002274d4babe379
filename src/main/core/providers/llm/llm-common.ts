/**
 * What every cloud LLM provider shares, so Gemini and OpenAI mean the same thing by the same
 * words: the options and their defaults, the four tools (names, descriptions, JSON schemas,
 * argument checks, the knowledge lookup), how a supervisor's whisper and the stage directions
 * read, the `LlmUnavailableError` the call session falls back on, and the abort, timeout and
 * retry helpers. Vendor files only translate these into their SDK's shapes; what to retry and
 * when a reply counts as heard stay there, because the two streams differ (Gemini commits to
 * an attempt at its first chunk, OpenAI only once something was yielded to the caller).
 */
import { z } from 'zod';
import type { Logger } from '../../log';
import { abortable } from '../abortable';
import type { LlmRequest } from '../types';

// ---------------------------------------------------------------- options

/** The options every cloud LLM provider takes; the vendor's own add `model` and `baseUrl`. */
export interface LlmVoiceOptions {
  apiKey: string;
  /** Tools declared to the model (the same four, with the same meaning, for every vendor). `lookup_knowledge` needs `toolHandlers.lookup_knowledge`. */
  tools: readonly LlmToolName[];
  toolHandlers?: LlmToolHandlers;
  /** Retries of a reply that failed before its first output (429, 5xx, network). Default 2. */
  maxRetries?: number;
  /** Give up if no chunk arrives this long after a request is sent. Default 1500. */
  firstTokenTimeoutMs?: number;
  /** Give up if the stream goes silent this long between chunks. Default 5000. */
  stallTimeoutMs?: number;
  /** First backoff step; each retry doubles it, with full jitter. Default 250. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry; a server asking for longer (Gemini's RetryInfo, OpenAI's retry-after) is not retried. Default 2000. */
  maxRetryDelayMs?: number;
  /** Tool round trips (answers sent back to the model) per reply. Default 3. */
  maxToolRoundTrips?: number;
  logger?: Logger;
}

/** `LlmVoiceOptions` with the defaults filled in and the tools checked. */
export interface LlmVoiceSettings {
  maxRetries: number;
  firstTokenTimeoutMs: number;
  stallTimeoutMs: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  maxToolRoundTrips: number;
  /** The declared tools, each once. */
  tools: LlmToolName[];
  handlers: LlmToolHandlers;
}

/** Fills in the defaults; throws (naming `factory`) when `lookup_knowledge` is declared without its handler. */
export function resolveVoiceOptions(options: LlmVoiceOptions, factory: string): LlmVoiceSettings {
  const handlers = options.toolHandlers ?? {};
  const tools = [...new Set(options.tools)];
  if (tools.includes('lookup_knowledge') && !handlers.lookup_knowledge) {
    throw new Error(`${factory}: the lookup_knowledge tool needs toolHandlers.lookup_knowledge`);
  }
  return {
    maxRetries: Math.max(0, options.maxRetries ?? 2),
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 1500,
    stallTimeoutMs: options.stallTimeoutMs ?? 5000,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 250,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 2000,
    maxToolRoundTrips: Math.max(0, options.maxToolRoundTrips ?? 3),
    tools,
    handlers,
  };
}

/**
 * The tools and handlers one request may use: the engine's, narrowed to the call's profile's
 * tools, with the call's own knowledge base answering `lookup_knowledge` when it has one.
 */
export function toolsForRequest(settings: Pick<LlmVoiceSettings, 'tools' | 'handlers'>, request: Pick<LlmRequest, 'tools' | 'lookupKnowledge'>): { tools: LlmToolName[]; handlers: LlmToolHandlers } {
  const allowed = request.tools;
  const handlers = request.lookupKnowledge ? { ...settings.handlers, lookup_knowledge: request.lookupKnowledge } : settings.handlers;
  return { tools: allowed ? settings.tools.filter((name) => allowed.includes(name)) : settings.tools, handlers };
}

// ---------------------------------------------------------------- tools

export const LLM_TOOL_NAMES = ['transfer_to_agent', 'end_call', 'lookup_knowledge', 'record_fact'] as const;
export type LlmToolName = (typeof LLM_TOOL_NAMES)[number];

/** Tools whose result the model needs, answered inside `generate()`. */
export interface LlmToolHandlers {
  /** Returns the knowledge-base passages for `query` as plain text ('' when nothing matched). */
  lookup_knowledge?: (args: { query: string }, signal: AbortSignal) => Promise<string>;
}

/** A tool as every vendor declares it: a name, what it is for, and its arguments as JSON Schema. */
export interface LlmToolDeclaration {
  name: LlmToolName;
  description: string;
  parameters: Record<string, unknown>;
}

const REASON_SCHEMA = {
  type: 'object',
  properties: {
    reason: { type: 'string', description: 'A short reason naming the topic (not the caller’s words).' },
  },
  required: ['reason'],
};

export const TOOL_DECLARATIONS: Record<LlmToolName, LlmToolDeclaration> = {
  transfer_to_agent: {
    name: 'transfer_to_agent',
    description: 'Hand the call to a human agent: when the caller asks for a person, or is upset and not getting anywhere.',
    parameters: REASON_SCHEMA,
  },
  end_call: {
    name: 'end_call',
    description: 'End the call, after the caller has finished and you have said a brief goodbye.',
    parameters: REASON_SCHEMA,
  },
  lookup_knowledge: {
    name: 'lookup_knowledge',
    description: 'Search the business knowledge base for policies, prices and procedures. Returns the relevant passages.',
    parameters: {
      type: 'object',
      properties: { query: { type: 'string', description: 'What to look up, in a few words.' } },
      required: ['query'],
    },
  },
  record_fact: {
    name: 'record_fact',
    description: 'Note a fact the caller gave (an order number, a callback time, …) so the team can see it.',
    parameters: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'What the fact is, e.g. "order number".' },
        value: { type: 'string', description: 'The value the caller gave.' },
      },
      required: ['name', 'value'],
    },
  },
};

export const ReasonArgs = z.object({ reason: z.string() });
export const LookupArgs = z.object({ query: z.string().min(1) });
export const FactArgs = z.object({ name: z.string(), value: z.string() });

/**
 * Runs the model's `lookup_knowledge` call: the answer to send back (`output`, or an `error`
 * the model can word around). Only an abort rejects; a failed lookup is logged by name only.
 */
export async function lookupKnowledge(
  handlers: LlmToolHandlers,
  args: Record<string, unknown>,
  signal: AbortSignal,
  log: Logger,
): Promise<Record<string, unknown>> {
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

// ---------------------------------------------------------------- history rendering

/** Stage directions used where the call's history alone would not make a valid request. */
export const CALL_CONNECTED_TURN = '[The call has just connected.]';
export const CALLER_SILENT_TURN = '[The caller has not said anything since your last reply.]';

/** How an agent's whisper reads in the request (the system prompt explains the brackets). */
export function supervisorNote(text: string): string {
  return `[Supervisor, not heard by the caller: ${text}]`;
}

// ---------------------------------------------------------------- errors

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
  /** Google status name (`RESOURCE_EXHAUSTED`, …) when the service sent one (null for other vendors). */
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

/** Why one attempt at a reply failed, as the retry decision and the final error need it. */
export interface LlmFailure {
  reason: LlmUnavailableReason;
  status: number | null;
  /** Google's status name (Gemini only; null otherwise). */
  googleStatus: string | null;
  /** What went wrong, from the service or the transport; the key is redacted later. */
  detail: string;
  retryable: boolean;
  /** Server-requested wait before retrying (Gemini's RetryInfo, OpenAI's retry-after), if any. */
  retryAfterMs: number | null;
}

/** The failure of an attempt whose first-token or stall clock ran out (`received`: chunks before that). */
export function timeoutFailure(received: number, settings: LlmVoiceSettings): LlmFailure {
  return {
    reason: 'timeout',
    status: null,
    googleStatus: null,
    detail:
      received === 0 ? `no response within ${settings.firstTokenTimeoutMs} ms (first-token timeout)` : `stream silent for ${settings.stallTimeoutMs} ms`,
    retryable: false,
    retryAfterMs: null,
  };
}

/** Hides `apiKey` in a message: the service or a proxy might echo it. */
export function keyRedactor(apiKey: string): (text: string) => string {
  return (text) => (apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text);
}

/** The error a provider ends with: `summary`, then the HTTP status and the failure's detail, the key redacted. */
export function unavailableError(
  failure: LlmFailure,
  attempts: number,
  partial: boolean,
  summary: string,
  redact: (text: string) => string,
): LlmUnavailableError {
  const http = failure.status !== null ? `HTTP ${failure.status}${failure.googleStatus ? ` ${failure.googleStatus}` : ''}: ` : '';
  return new LlmUnavailableError(redact(`${summary}: ${http}${failure.detail}`), {
    reason: failure.reason,
    status: failure.status,
    googleStatus: failure.googleStatus,
    attempts,
    partial,
  });
}

/** A provider configured without a key: unavailable before any request (an SDK would send one anyway, or read the environment). */
export function noApiKeyError(vendor: string): LlmUnavailableError {
  return new LlmUnavailableError(`${vendor} has no API key configured`, {
    reason: 'auth',
    status: null,
    googleStatus: null,
    attempts: 0,
    partial: false,
  });
}

/** Transport failures worth a retry before the first chunk (Node and undici codes). */
export const NETWORK_ERROR_CODES = new Set([
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
export function errorCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

/** The first network code in an error's cause chain (an SDK may set its own non-network `code` on the outer error). */
export function networkErrorCode(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
  }
  return null;
}

/** The rejection for an aborted reply: the caller's own AbortError, or a fresh one. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The reply was aborted', 'AbortError');
}

/**
 * One request attempt of a streamed reply: its own abort signal, aborted by the reply's
 * signal, by the first-token or stall clock, or by `end()`, which is what makes the SDK close
 * a connection that is still streaming.
 */
export class ReplyAttempt {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** The clock ran out (so the failure is a timeout, not the caller's abort). */
  timedOut = false;
  private readonly onReplyAbort = (): void => this.controller.abort(this.reply.reason);

  /** `vendor` names the service in the timeout's DOMException. */
  constructor(
    private readonly reply: AbortSignal,
    private readonly vendor: string,
  ) {
    reply.addEventListener('abort', this.onReplyAbort, { once: true });
  }

  /** For the SDK call and every read of its stream. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Gives up on the attempt unless `stopClock()` comes within `ms`. */
  startClock(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException(`${this.vendor} timed out`, 'TimeoutError'));
    }, ms);
  }

  stopClock(): void {
    clearTimeout(this.timer);
  }

  /** The attempt is over, however it went: stop the clock, let go of the reply's signal, close the request. */
  end(): void {
    clearTimeout(this.timer);
    this.reply.removeEventListener('abort', this.onReplyAbort);
    this.controller.abort(new DOMException('stream closed', 'AbortError'));
  }
}

/** Waits `ms`, or rejects with an AbortError the moment `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return abortable(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal, abortError);
}

/**
 * Delay before retry number `attempt` (1-based): exponential from `baseMs`, capped at `maxMs`,
 * with half of it jittered so concurrent calls hitting one outage do not retry in step; never
 * sooner than the server asked (`retryAfterMs`).
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, retryAfterMs: number | null): number {
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.max(retryAfterMs ?? 0, Math.round(step / 2 + (Math.random() * step) / 2));
}
