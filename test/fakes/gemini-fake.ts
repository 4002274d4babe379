/**
 * A loopback fake of the Gemini API (generativelanguage, v1beta) for tests that drive the
 * real @google/genai SDK. It speaks the wire protocol described in
 * /work/shared/design/protocols.md:
 *
 *   POST /v1beta/models/{model}:streamGenerateContent?alt=sse   (text/event-stream)
 *   POST /v1beta/models/{model}:generateContent                 (application/json)
 *
 * with the key in the `x-goog-api-key` header. Errors are Google-style JSON
 * (`{error:{code,message,status,details?}}`) as the real service sends them: a missing key
 * is 403 PERMISSION_DENIED, a wrong key 400 INVALID_ARGUMENT with an ErrorInfo detail whose
 * reason is API_KEY_INVALID (the real service does not answer 401 for a bad API key).
 *
 * Each test scripts a queue of replies, taken one per request in order: a stream of chunks
 * (text and functionCall parts, each with an optional delay or a gate the test opens), an
 * HTTP error, a hang (no response at all), or a stream that drops its socket or stalls part
 * way. Every request is recorded (headers, parsed body, and when and how its connection
 * closed) so tests can assert on what the SDK really sent.
 *
 * Benchmarks set `auto` instead: every request that finds the queue empty gets that reply
 * (`sentenceReply()` builds the usual one: a whole first sentence after the first-token
 * delay, then the next sentence), and `keepRequests: false` stops the recording.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakePart =
  | { text: string }
  | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string };

export interface FakeChunk {
  parts: FakePart[];
  /** Wait this long before sending the chunk. */
  delayMs?: number;
  /** Wait for this before sending the chunk (a gate the test opens). */
  waitFor?: Promise<unknown>;
}

export interface FakeStreamReply {
  kind: 'stream';
  chunks: FakeChunk[];
  /**
   * What happens after the chunks: `finish` (the last chunk carries `finishReason`),
   * `drop` (the socket is destroyed mid-stream, no finishReason), or `stall` (the stream
   * stays open and silent until the client goes away or the fake closes).
   */
  end?: 'finish' | 'drop' | 'stall';
  finishReason?: string;
}

export interface FakeErrorReply {
  kind: 'error';
  /** HTTP status, also `error.code`. */
  status: number;
  message?: string;
  /** Google status name (`RESOURCE_EXHAUSTED`, …); derived from `status` when absent. */
  googleStatus?: string;
  details?: unknown[];
}

/** Reads the request and never answers (not even headers). */
export interface FakeHangReply {
  kind: 'hang';
}

export type FakeReply = FakeStreamReply | FakeErrorReply | FakeHangReply;

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  model: string;
  rpc: 'streamGenerateContent' | 'generateContent' | 'unknown';
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (`undefined` if it was not JSON). */
  body: GeminiRequestBody | undefined;
  /** Status the fake answered with (0 if it never answered). */
  status: number;
  /** Chunks written to the wire for this request. */
  chunksSent: number;
  /** Resolves when the connection for this request is gone, for whatever reason. */
  closed: Promise<void>;
  /** True once the client went away before the fake had finished its reply. */
  clientAborted: boolean;
}

/** The parts of a GenerateContentRequest tests look at (loosely typed: it is what the SDK sent). */
export interface GeminiRequestBody {
  contents?: { role?: string; parts?: Record<string, unknown>[] }[];
  systemInstruction?: { role?: string; parts?: { text?: string }[] };
  tools?: { functionDeclarations?: { name: string; description?: string; parametersJsonSchema?: unknown; parameters?: unknown }[] }[];
  toolConfig?: { functionCallingConfig?: { mode?: string } };
  generationConfig?: Record<string, unknown> & { thinkingConfig?: { thinkingBudget?: number } };
  [key: string]: unknown;
}

export interface GeminiFakeOptions {
  /** The key the fake accepts. */
  apiKey: string;
  /** Record every request in `requests` (default true; long benchmarks turn it off). */
  keepRequests?: boolean;
}

export interface GeminiFake {
  /** `http://127.0.0.1:<port>`, for `httpOptions.baseUrl`. */
  readonly baseUrl: string;
  readonly requests: readonly RecordedRequest[];
  /** Appends replies to the queue (one is taken per request). */
  script(...replies: FakeReply[]): void;
  /** Replies not yet taken. */
  readonly pending: number;
  /** The reply for every request that finds the queue empty (null: a 500 error, as before). */
  auto: FakeStreamReply | ((request: RecordedRequest) => FakeStreamReply) | null;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

// ------------------------------------------------------------------ reply helpers

/** A streamed reply of text chunks, one part each. */
export function textReply(...texts: string[]): FakeStreamReply {
  return { kind: 'stream', chunks: texts.map((text) => ({ parts: [{ text }] })) };
}

/** A streamed reply that is one functionCall part (optionally after some text chunks). */
export function functionCallReply(name: string, args: Record<string, unknown>, ...textsBefore: string[]): FakeStreamReply {
  return {
    kind: 'stream',
    chunks: [...textsBefore.map((text) => ({ parts: [{ text }] })), { parts: [{ functionCall: { name, args } }] }],
  };
}

export function errorReply(status: number, message?: string, details?: unknown[]): FakeErrorReply {
  return { kind: 'error', status, ...(message !== undefined ? { message } : {}), ...(details ? { details } : {}) };
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
      parts: [{ text: i === 0 ? sentence : ` ${sentence}` }],
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

function googleError(status: number, message: string, googleStatus?: string, details?: unknown[]): string {
  return JSON.stringify(
    { error: { code: status, message, status: googleStatus ?? STATUS_NAMES[status] ?? 'UNKNOWN', ...(details ? { details } : {}) } },
    null,
    2,
  );
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin, X-Origin, Referer' });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Checks the request the way the real service does, returning an error body or null. */
function validate(body: GeminiRequestBody | undefined): { status: number; message: string } | null {
  if (body === undefined) return { status: 400, message: 'Invalid JSON payload received.' };
  const contents = body.contents ?? [];
  if (contents.length === 0) return { status: 400, message: '* GenerateContentRequest.contents: contents is not specified\n' };
  let previousRole: string | undefined;
  for (const [i, content] of contents.entries()) {
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model') {
      return { status: 400, message: `Please use a valid role: user, model. (contents[${i}].role=${role})` };
    }
    if ((content.parts ?? []).length === 0) {
      return { status: 400, message: `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n` };
    }
    if (role === previousRole) {
      return { status: 400, message: 'Please ensure that multiturn requests alternate between user and model.' };
    }
    // A function-response turn must answer every call of the model turn before it.
    const calls = i > 0 ? (contents[i - 1]?.parts ?? []).filter((p) => 'functionCall' in p).length : 0;
    const responses = (content.parts ?? []).filter((p) => 'functionResponse' in p).length;
    if (responses > 0 && responses !== calls) {
      return {
        status: 400,
        message:
          'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
      };
    }
    previousRole = role;
  }
  return null;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function partTokens(parts: readonly FakePart[]): number {
  return parts.reduce((n, p) => n + estimateTokens('text' in p ? p.text : JSON.stringify(p.functionCall)), 0);
}

function sleep(ms: number, cancelled: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), cancelled]);
}

export async function startGeminiFake(options: GeminiFakeOptions): Promise<GeminiFake> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let closing = false;
  let closeAll!: () => void;
  const closed = new Promise<void>((resolve) => {
    closeAll = resolve;
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/.exec(url.pathname);
    const raw = await readBody(req);
    let body: GeminiRequestBody | undefined;
    try {
      body = JSON.parse(raw) as GeminiRequestBody;
    } catch {
      body = undefined;
    }
    let clientGone!: () => void;
    const gone = new Promise<void>((resolve) => {
      clientGone = resolve;
    });
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      model: match?.[1] ?? '',
      rpc: (match?.[2] as RecordedRequest['rpc'] | undefined) ?? 'unknown',
      headers: req.headers,
      body,
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

    const fail = (status: number, message: string, googleStatus?: string, details?: unknown[]): void => {
      record.status = status;
      sendJson(res, status, googleError(status, message, googleStatus, details));
    };

    if (req.method !== 'POST' || match === null) {
      fail(404, `Method not found: ${req.method ?? ''} ${url.pathname}`, 'NOT_FOUND');
      return;
    }
    const key = req.headers['x-goog-api-key'];
    if (key === undefined || key === '') {
      fail(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
      return;
    }
    if (key !== options.apiKey) {
      fail(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]);
      return;
    }
    const streaming = record.rpc === 'streamGenerateContent';
    if (streaming && url.searchParams.get('alt') !== 'sse') {
      // The real service answers a JSON array without alt=sse; the SDK always asks for SSE.
      fail(400, 'fake: streamGenerateContent needs alt=sse');
      return;
    }
    const invalid = validate(body);
    if (invalid) {
      fail(invalid.status, invalid.message, 'INVALID_ARGUMENT');
      return;
    }

    const auto = fake.auto;
    const reply = queue.shift() ?? (typeof auto === 'function' ? auto(record) : (auto ?? undefined));
    if (reply === undefined) {
      fail(500, 'fake: no scripted reply left for this request');
      return;
    }
    if (reply.kind === 'hang') {
      await cancelled;
      return;
    }
    if (reply.kind === 'error') {
      fail(reply.status, reply.message ?? `fake error ${reply.status}`, reply.googleStatus, reply.details);
      return;
    }

    const modelVersion = record.model;
    const responseId = randomBytes(12).toString('base64url');
    const promptTokenCount = estimateTokens(JSON.stringify(body?.contents ?? []) + JSON.stringify(body?.systemInstruction ?? ''));
    const end = reply.end ?? 'finish';
    const finishReason = reply.finishReason ?? 'STOP';
    const chunks = reply.chunks.length > 0 || end !== 'finish' ? reply.chunks : [{ parts: [{ text: '' }] }];
    let candidatesTokenCount = 0;
    const responseFor = (chunk: FakeChunk, last: boolean): Record<string, unknown> => {
      candidatesTokenCount += partTokens(chunk.parts);
      return {
        candidates: [
          {
            content: { parts: chunk.parts, role: 'model' },
            ...(last && end === 'finish' ? { finishReason } : {}),
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount },
        modelVersion,
        responseId,
      };
    };

    if (!streaming) {
      // Non-streaming: the whole reply as one response (delays and gates still apply).
      const parts: FakePart[] = [];
      for (const chunk of chunks) {
        if (chunk.waitFor) await Promise.race([chunk.waitFor, cancelled]);
        if (chunk.delayMs) await sleep(chunk.delayMs, cancelled);
        parts.push(...chunk.parts);
      }
      if (record.clientAborted || closing) return;
      record.status = 200;
      record.chunksSent = 1;
      sendJson(res, 200, JSON.stringify(responseFor({ parts }, true), null, 2));
      return;
    }

    record.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'content-disposition': 'attachment',
      vary: 'Origin, X-Origin, Referer',
      'x-content-type-options': 'nosniff',
    });
    res.flushHeaders();
    for (const [i, chunk] of chunks.entries()) {
      if (chunk.waitFor) await Promise.race([chunk.waitFor, cancelled]);
      if (chunk.delayMs) await sleep(chunk.delayMs, cancelled);
      if (record.clientAborted || closing) return;
      res.write(`data: ${JSON.stringify(responseFor(chunk, i === chunks.length - 1))}\n\n`);
      record.chunksSent++;
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
    res.end();
  }

  const fake: GeminiFake = {
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
      if (!res.headersSent) sendJson(res, 500, googleError(500, `fake crashed: ${String(error)}`));
      else res.destroy();
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
