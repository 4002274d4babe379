/**
 * A loopback fake of the OpenAI API (Chat Completions) for tests that drive the real `openai`
 * SDK. It speaks the wire protocol described in /work/shared/design/protocols-2.md §4:
 *
 *   POST /v1/chat/completions   stream:true  -> text/event-stream, `data: <chunk>\n\n` per
 *                                               chunk, then `data: [DONE]`
 *                               stream:false -> application/json chat.completion
 *
 * with the key as `Authorization: Bearer …`. Like the service: a streamed reply opens with a
 * `role: assistant` delta, a tool call's `id` and `name` come in its first fragment only and
 * its `arguments` follow in 3+ fragments joined by `index`, the last choice chunk carries
 * `finish_reason`, and the usage chunk (`choices: []`) comes only when
 * `stream_options.include_usage` is set (every other chunk then has `usage: null`). Errors
 * are `{"error":{message,type,param,code}}` with an `x-request-id` header; a wrong key is 401
 * `invalid_api_key` with the key masked as the service masks it; an unknown model is 404
 * `model_not_found`; a conversation whose tool calls are not all answered is a 400.
 *
 * Each test scripts a queue of replies, taken one per request in order: a stream of chunks
 * (text, tool calls, or a mid-stream `{"error":…}` frame, each with an optional delay or a
 * gate the test opens), an HTTP error (429 with or without retry-after, 500, …), a hang (no
 * response at all), or a stream that drops its socket or stalls part way. Every request is
 * recorded (headers, parsed body, and when and how its connection closed).
 *
 * Benchmarks set `auto` instead: every request that finds the queue empty gets that reply
 * (`sentenceReply()` builds the usual one), and `keepRequests: false` stops the recording.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeChunk = (
  | { text: string }
  /** One tool call; the fake splits its JSON arguments over `fragments` (default 3, at least 3) chunks. */
  | { toolCall: { name: string; args: Record<string, unknown>; fragments?: number } }
  /** A mid-stream error frame, as the service sends when it fails while generating; the stream ends after it. */
  | { errorFrame: { message: string; type?: string; code?: string | null } }
) & {
  /** Wait this long before sending the chunk. */
  delayMs?: number;
  /** Wait for this before sending the chunk (a gate the test opens). */
  waitFor?: Promise<unknown>;
};

export interface FakeStreamReply {
  kind: 'stream';
  chunks: FakeChunk[];
  /**
   * What happens after the chunks: `finish` (a chunk with `finish_reason`, the usage chunk if
   * asked for, `[DONE]`), `drop` (the socket is destroyed mid-stream), or `stall` (the stream
   * stays open and silent until the client goes away or the fake closes).
   */
  end?: 'finish' | 'drop' | 'stall';
  /** Default `tool_calls` when the reply made a call, else `stop`. */
  finishReason?: string;
}

export interface FakeErrorReply {
  kind: 'error';
  status: number;
  message?: string;
  type?: string;
  code?: string | null;
  /** Extra response headers (`retry-after`, `x-should-retry`, …). */
  headers?: Record<string, string>;
}

/** Reads the request and never answers (not even headers). */
export interface FakeHangReply {
  kind: 'hang';
}

export type FakeReply = FakeStreamReply | FakeErrorReply | FakeHangReply;

/** The parts of a chat.completions request tests look at (loosely typed: it is what the SDK sent). */
export interface OpenAiRequestBody {
  model?: string;
  messages?: {
    role?: string;
    content?: unknown;
    tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[];
    tool_call_id?: string;
  }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: { type?: string; function?: { name?: string; description?: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  max_completion_tokens?: number;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (`undefined` if it was not JSON). */
  body: OpenAiRequestBody | undefined;
  /** The `x-request-id` the fake answered with. */
  requestId: string;
  /** Status the fake answered with (0 if it never answered). */
  status: number;
  /** `data:` frames written to the wire for this request (`[DONE]` not counted). */
  chunksSent: number;
  /** Resolves when the connection for this request is gone, for whatever reason. */
  closed: Promise<void>;
  /** True once the client went away before the fake had finished its reply. */
  clientAborted: boolean;
}

export interface OpenAiFakeOptions {
  /** The key the fake accepts. */
  apiKey: string;
  /** Models it serves (default gpt-4o-mini and gpt-4o); any other is 404 model_not_found. */
  models?: readonly string[];
  /** Record every request in `requests` (default true; long benchmarks turn it off). */
  keepRequests?: boolean;
}

export interface OpenAiFake {
  /** `http://127.0.0.1:<port>`: the origin; the SDK's baseURL is this plus `/v1`. */
  readonly baseUrl: string;
  readonly requests: readonly RecordedRequest[];
  /** Appends replies to the queue (one is taken per request). */
  script(...replies: FakeReply[]): void;
  /** Replies not yet taken. */
  readonly pending: number;
  /** The reply for every request that finds the queue empty (null: a 500 error). */
  auto: FakeStreamReply | ((request: RecordedRequest) => FakeStreamReply) | null;
  close(): Promise<void>;
}

// ------------------------------------------------------------------ reply helpers

/** A streamed reply of text chunks. */
export function textReply(...texts: string[]): FakeStreamReply {
  return { kind: 'stream', chunks: texts.map((text) => ({ text })) };
}

/** A streamed reply that ends in one tool call (optionally after some text chunks). */
export function toolCallReply(name: string, args: Record<string, unknown>, ...textsBefore: string[]): FakeStreamReply {
  return { kind: 'stream', chunks: [...textsBefore.map((text) => ({ text })), { toolCall: { name, args } }] };
}

/** An HTTP error with the service's body for that status (message/type/code overridable). */
export function errorReply(status: number, overrides: Omit<FakeErrorReply, 'kind' | 'status'> = {}): FakeErrorReply {
  return { kind: 'error', status, ...overrides };
}

/** A 429 as the service sends it, with `retry-after` (seconds) when given. */
export function rateLimitReply(retryAfterSeconds?: number): FakeErrorReply {
  return errorReply(429, retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } });
}

/**
 * A spoken-style streamed reply: the first chunk is the whole first sentence, sent
 * `firstTokenMs` after the request; each later sentence follows `gapMs` after the one before,
 * with the leading space a model's next token carries.
 */
export function sentenceReply(options: { firstTokenMs: number; gapMs: number; sentences: readonly string[] }): FakeStreamReply {
  return {
    kind: 'stream',
    chunks: options.sentences.map((sentence, i) => ({
      text: i === 0 ? sentence : ` ${sentence}`,
      delayMs: i === 0 ? options.firstTokenMs : options.gapMs,
    })),
  };
}

/** A gate a scripted chunk can wait for: the test calls `open()` when it is ready. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// ------------------------------------------------------------------ the server

const DEFAULT_ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to sample from this model', type: 'invalid_request_error', code: null },
  404: { message: 'The requested resource was not found.', type: 'invalid_request_error', code: null },
  429: {
    message: 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

/** `sk-proj-abcdef…wxyz` -> `sk-proj-********************wxyz`, as the service prints a wrong key. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  const prefix = /^sk-(proj-)?/.exec(key)?.[0] ?? key.slice(0, 3);
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

interface ErrorFields {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

interface Invalid {
  status: number;
  message: string;
  param: string | null;
  code: string | null;
}

function invalid(message: string, param: string | null = null, code: string | null = null, status = 400): Invalid {
  return { status, message, param, code };
}

function unansweredCalls(ids: Set<string>, param: string): Invalid {
  return invalid(
    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
      `The following tool_call_ids did not have response messages: ${[...ids].join(', ')}`,
    param,
  );
}

/** Checks the request the way the real service does, returning an error or null. */
function validate(body: OpenAiRequestBody | undefined, models: readonly string[]): Invalid | null {
  if (body === undefined) {
    return invalid("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)");
  }
  if (typeof body.model !== 'string' || body.model === '') return invalid('you must provide a model parameter');
  if (!models.includes(body.model)) {
    return invalid(`The model \`${body.model}\` does not exist or you do not have access to it.`, null, 'model_not_found', 404);
  }
  const messages = body.messages ?? [];
  if (messages.length === 0) {
    const message = "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
    return invalid(message, 'messages', 'empty_array');
  }
  if (body.stream_options && body.stream !== true) {
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  if (body.tool_choice !== undefined && (body.tools ?? []).length === 0) {
    return invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  }
  // Every tool call of an assistant message must be answered by the tool messages right after it.
  const unanswered = new Set<string>();
  for (const [i, message] of messages.entries()) {
    const role = message.role ?? '';
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(role)) {
      return invalid(
        `Invalid value: '${role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `messages[${i}].role`,
        'invalid_value',
      );
    }
    if (role === 'tool') {
      if (!message.tool_call_id || !unanswered.delete(message.tool_call_id)) {
        return invalid(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      }
      continue;
    }
    if (unanswered.size > 0) return unansweredCalls(unanswered, `messages.[${i}].role`);
    for (const call of message.tool_calls ?? []) if (call.id) unanswered.add(call.id);
  }
  if (unanswered.size > 0) return unansweredCalls(unanswered, 'messages');
  return null;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function sleep(ms: number, cancelled: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), cancelled]);
}

/** `text` cut into `count` pieces of near-equal length (some may be empty for very short text). */
function split(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size));
}

export async function startOpenAiFake(options: OpenAiFakeOptions): Promise<OpenAiFake> {
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4o'];
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let closing = false;
  let closeAll!: () => void;
  const closed = new Promise<void>((resolve) => {
    closeAll = resolve;
  });
  let callCounter = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    let body: OpenAiRequestBody | undefined;
    try {
      body = JSON.parse(raw) as OpenAiRequestBody;
    } catch {
      body = undefined;
    }
    let clientGone!: () => void;
    const gone = new Promise<void>((resolve) => {
      clientGone = resolve;
    });
    const requestId = `req_${randomBytes(16).toString('hex')}`;
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      headers: req.headers,
      body,
      requestId,
      status: 0,
      chunksSent: 0,
      closed: gone,
      clientAborted: false,
    };
    if (options.keepRequests !== false) requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.clientAborted = true;
      clientGone();
    });
    const cancelled = Promise.race([gone, closed]);

    const fail = (status: number, error: ErrorFields, headers: Record<string, string> = {}): void => {
      record.status = status;
      const fallback = DEFAULT_ERRORS[status] ?? {
        message: `fake error ${status}`,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        code: null,
      };
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId, ...headers });
      res.end(
        JSON.stringify(
          {
            error: {
              message: error.message ?? fallback.message,
              type: error.type ?? fallback.type,
              param: error.param ?? null,
              code: error.code !== undefined ? error.code : fallback.code,
            },
          },
          null,
          2,
        ),
      );
    };

    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      fail(404, { message: `Invalid URL (${req.method ?? ''} ${url.pathname})`, type: 'invalid_request_error', code: null });
      return;
    }
    const auth = req.headers.authorization ?? '';
    const key = /^Bearer (.*)$/.exec(auth)?.[1] ?? '';
    if (key === '') {
      fail(401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
          "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API " +
          'from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.',
        code: null,
      });
      return;
    }
    if (key !== options.apiKey) {
      fail(401, {
        message: `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        code: 'invalid_api_key',
      });
      return;
    }
    const invalid = validate(body, models);
    if (invalid) {
      fail(invalid.status, { message: invalid.message, type: 'invalid_request_error', code: invalid.code, param: invalid.param });
      return;
    }

    const auto = fake.auto;
    const reply = queue.shift() ?? (typeof auto === 'function' ? auto(record) : (auto ?? undefined));
    if (reply === undefined) {
      fail(500, { message: 'fake: no scripted reply left for this request' });
      return;
    }
    if (reply.kind === 'hang') {
      await cancelled;
      return;
    }
    if (reply.kind === 'error') {
      const fields: ErrorFields = {
        ...(reply.message !== undefined ? { message: reply.message } : {}),
        ...(reply.type ? { type: reply.type } : {}),
        ...(reply.code !== undefined ? { code: reply.code } : {}),
      };
      fail(reply.status, fields, reply.headers);
      return;
    }

    const model = body?.model ?? '';
    const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = estimateTokens(JSON.stringify(body?.messages ?? []) + JSON.stringify(body?.tools ?? []));
    let completionTokens = 0;
    const end = reply.end ?? 'finish';
    const madeCall = reply.chunks.some((c) => 'toolCall' in c);
    const finishReason = reply.finishReason ?? (madeCall ? 'tool_calls' : 'stop');

    if (body?.stream !== true) {
      // Non-streaming (the connection test): the whole reply at once, cut to max tokens.
      let content = '';
      for (const chunk of reply.chunks) {
        if (chunk.waitFor) await Promise.race([chunk.waitFor, cancelled]);
        if (chunk.delayMs) await sleep(chunk.delayMs, cancelled);
        if ('text' in chunk) content += chunk.text;
      }
      if (record.clientAborted || closing) return;
      const limit = body?.max_completion_tokens ?? body?.max_tokens ?? null;
      const cut = limit !== null && estimateTokens(content) > limit;
      if (cut) content = content.slice(0, limit * 4);
      record.status = 200;
      record.chunksSent = 1;
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId, 'openai-model': model });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content, refusal: null, annotations: [] },
              logprobs: null,
              finish_reason: cut ? 'length' : 'stop',
            },
          ],
          usage: { prompt_tokens: promptTokens, completion_tokens: estimateTokens(content), total_tokens: promptTokens + estimateTokens(content) },
          service_tier: 'default',
          system_fingerprint: 'fp_fake',
        }),
      );
      return;
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const frame = (choices: unknown[], usage?: unknown): string =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
        choices,
        ...(includeUsage ? { usage: usage ?? null } : {}),
      })}\n\n`;
    const deltaFrame = (delta: Record<string, unknown>, finish: string | null = null): string =>
      frame([{ index: 0, delta, logprobs: null, finish_reason: finish }]);
    const send = (data: string): boolean => {
      if (record.clientAborted || closing) return false;
      res.write(data);
      record.chunksSent++;
      return true;
    };

    record.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': requestId,
      'openai-model': model,
      'openai-processing-ms': '42',
    });
    res.flushHeaders();
    let opened = false;
    let toolIndex = 0;
    for (const chunk of reply.chunks) {
      if (chunk.waitFor) await Promise.race([chunk.waitFor, cancelled]);
      if (chunk.delayMs) await sleep(chunk.delayMs, cancelled);
      if (record.clientAborted || closing) return;
      if ('errorFrame' in chunk) {
        // The SDK throws an APIError on any `data:` payload with an `error` key.
        const { message, type, code } = chunk.errorFrame;
        send(`data: ${JSON.stringify({ error: { message, type: type ?? 'server_error', param: null, code: code ?? null } })}\n\n`);
        res.end();
        return;
      }
      // The service opens every stream with the assistant role (and empty content) at its first token.
      if (!opened) {
        opened = true;
        if (!send(deltaFrame({ role: 'assistant', content: 'text' in chunk ? '' : null, refusal: null }))) return;
      }
      if ('text' in chunk) {
        completionTokens += estimateTokens(chunk.text);
        if (!send(deltaFrame({ content: chunk.text }))) return;
        continue;
      }
      const index = toolIndex++;
      const callId = `call_${randomBytes(12).toString('base64url')}${++callCounter}`;
      const args = JSON.stringify(chunk.toolCall.args);
      completionTokens += estimateTokens(args);
      const opening = { index, id: callId, type: 'function', function: { name: chunk.toolCall.name, arguments: '' } };
      if (!send(deltaFrame({ tool_calls: [opening] }))) return;
      for (const piece of split(args, Math.max(3, chunk.toolCall.fragments ?? 3))) {
        if (!send(deltaFrame({ tool_calls: [{ index, function: { arguments: piece } }] }))) return;
      }
    }
    if (end === 'drop') {
      // Let the written chunks reach the client, then cut the connection without ending the body.
      await sleep(20, cancelled);
      req.socket.destroy();
      return;
    }
    if (end === 'stall') {
      await cancelled;
      return;
    }
    if (!opened && !send(deltaFrame({ role: 'assistant', content: '', refusal: null }))) return;
    if (!send(deltaFrame({}, finishReason))) return;
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (includeUsage && !send(frame([], usage))) return;
    res.write('data: [DONE]\n\n');
    res.end();
  }

  const fake: OpenAiFake = {
    baseUrl: '',
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    get pending() {
      return queue.length;
    },
    auto: null,
    close: async () => {
      closing = true;
      closeAll();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake crashed: ${String(error)}`, type: 'server_error', param: null, code: null } }));
      } else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  Object.assign(fake, { baseUrl: `http://127.0.0.1:${port}` });
  return fake;
}
