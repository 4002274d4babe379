/**
 * A loopback ElevenLabs: one HTTP server on 127.0.0.1:0 that speaks api.elevenlabs.io's wire
 * protocol (protocols-2.md §2 and "How to fake it on loopback"), so the real
 * @elevenlabs/elevenlabs-js client (`baseUrl`) and our `ws` streaming client can be pointed at it.
 *
 * REST, for the SDK: `GET /v1/user` (the connection test) answers a complete User body that the
 * SDK's strict response schema accepts; `POST /v1/text-to-speech/:voice/stream` answers chunked
 * raw mu-law for `output_format=ulaw_8000`. Both require the `xi-api-key` header (401
 * `{"detail":{"status":"invalid_api_key",…}}` otherwise); `restFailure` answers 429 or 500, or
 * 401 `missing_permissions` on `/v1/user` (a key restricted to speech).
 *
 * WebSocket `GET /v1/text-to-speech/:voice/multi-stream-input?model_id&output_format&inactivity_timeout`:
 * - The key may come as the `xi-api-key` upgrade header (a wrong one is refused at the upgrade:
 *   401 invalid_api_key) or, without the header, in the first message as `xi_api_key` or
 *   `xi-api-key` (both spellings are in the wild; a wrong or missing one: error frame + 1008).
 * - The first message must be `{"text":" "}` (error `invalid_input_message` + 1008 otherwise).
 * - State per `context_id`: text accumulates; `flush:true` "synthesises" what has accumulated:
 *   a tone whose length is proportional to the text (msPerChar), sent after a first-byte delay
 *   as `{"audio":<base64 mu-law>,"normalizedAlignment":…,"alignment":…,"contextId"}` frames
 *   every chunkIntervalMs. `close_context` on a context whose flushed audio is still going lets
 *   it finish (what the SDK's CloseContext documents), then `{"isFinal":true,"contextId"}`; a
 *   second `close_context` (barge-in), or one with nothing flushed, drops its queued audio after
 *   `closeLagChunks` more frames ("in flight") and sends isFinal. `{"text":""}` is a keep-alive;
 *   `close_socket` ends every context and closes 1000. Frames spell it `contextId` (camelCase).
 * - No text for `inactivity_timeout` seconds (default 20; `inactivityTimeoutMs` overrides it for
 *   tests) while nothing is being spoken: the `input_timeout_exceeded` error frame, then close 1008.
 * - `failure` makes new connections misbehave: refused at the upgrade with 401 `quota_exceeded`
 *   or 429 `too_many_concurrent_requests`, the TCP connection cut after a clause's first frame, or
 *   a flush answered with the `quota_exceeded` error frame and 1008.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { tone } from './tone';

export interface ElevenLabsSpeakSettings {
  /** Delay between a flush and the context's first audio frame. */
  firstByteDelayMs: number;
  /** Audio produced per character of text (8 mu-law bytes per ms). */
  msPerChar: number;
  /** Audio bytes per frame. */
  chunkBytes: number;
  /** Delay between frames of one context. */
  chunkIntervalMs: number;
  /** Frames of a context still sent after a barge-in close_context (audio in flight). */
  closeLagChunks: number;
}

export const DEFAULT_ELEVENLABS_SPEAK: ElevenLabsSpeakSettings = { firstByteDelayMs: 40, msPerChar: 60, chunkBytes: 800, chunkIntervalMs: 10, closeLagChunks: 1 };

/** How new streaming connections misbehave; null behaves. */
export type ElevenLabsStreamFailure =
  | null
  /** The upgrade is answered 401 with ElevenLabs' quota_exceeded body. */
  | 'quota-exceeded'
  /** The upgrade is answered 429 too_many_concurrent_requests. */
  | 'rate-limited'
  /** The TCP connection is cut after the first audio frame of a clause. */
  | 'drop-mid-clause'
  /** A flush is answered with the quota_exceeded error frame, then close 1008 (the quota ran out mid-session). */
  | 'quota-exceeded-in-stream';

interface Closed {
  code: number;
  reason: string;
}

interface ContextState {
  /** Text received since the last flush. */
  pending: string;
  /** close_context received. */
  closing: boolean;
  /** Audio not sent yet, with the text it stands for (for alignments). */
  job: { timer: NodeJS.Timeout | null; remaining: Buffer; text: string; sentChars: number; lag: number | null } | null;
}

const QUOTA_MESSAGE = 'This request exceeds your quota of 10000. You have 12 credits remaining, while 40 credits are required for this request.';
const INVALID_KEY = { detail: { status: 'invalid_api_key', message: 'Invalid API key' } };

/** One multi-stream-input connection. */
export class ElevenLabsStreamConnection {
  /** Every client message, parsed, in order. */
  readonly messages: Array<Record<string, unknown>> = [];
  /** Audio bytes sent, per context id. */
  readonly audioBytes = new Map<string, number>();
  /** Context ids in the order their isFinal went out. */
  readonly finals: string[] = [];
  /** Context ids whose audio was cut short by a barge-in close_context. */
  readonly interrupted: string[] = [];
  /** Audio bytes sent per context after its barge-in close_context arrived (in flight). */
  readonly bytesAfterInterrupt = new Map<string, number>();
  readonly closed: Promise<Closed>;
  private readonly contexts = new Map<string, ContextState>();
  private authenticated: boolean;
  private inactivity: NodeJS.Timeout | null = null;
  private resolveClosed: (c: Closed) => void = () => undefined;
  private over = false;
  private expireOnNextMessage = false;

  constructor(
    readonly query: URLSearchParams,
    /** The key came in the upgrade header. */
    readonly keyInHeader: boolean,
    private readonly apiKey: string,
    private readonly ws: WebSocket,
    private readonly settings: () => ElevenLabsSpeakSettings,
    private readonly inactivityTimeoutMs: number,
    private readonly failure: ElevenLabsStreamFailure,
  ) {
    this.authenticated = keyInHeader;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.finish({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
    this.armInactivity();
  }

  /** Bytes of audio sent on this connection, all contexts. */
  get bytesSent(): number {
    let n = 0;
    for (const bytes of this.audioBytes.values()) n += bytes;
    return n;
  }

  /**
   * The inactivity timeout fires just as the client's next message is on its way: that message
   * is not processed, the error frame and 1008 follow (the race a pooled socket must survive).
   */
  expireBeforeNextMessage(): void {
    this.expireOnNextMessage = true;
  }

  /** Cuts the TCP connection without a close frame. */
  drop(): void {
    this.ws.terminate();
    this.finish({ code: 1006, reason: 'dropped by test' });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.over) return;
    if (isBinary) return this.refuse('invalid_input_message', 'Binary frames are not accepted.');
    let message: Record<string, unknown>;
    try {
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
      message = JSON.parse(text) as Record<string, unknown>;
      if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new Error('not an object');
    } catch {
      return this.refuse('invalid_input_message', 'Invalid message received.');
    }
    if (this.expireOnNextMessage) return this.timeOut();
    const first = this.messages.length === 0;
    this.messages.push(message);
    if (first) {
      if (!this.authenticated) {
        const key = message.xi_api_key ?? message['xi-api-key'];
        if (key !== this.apiKey) return this.refuse('invalid_api_key', 'Invalid API key.');
        this.authenticated = true;
      }
      if (message.text !== ' ') return this.refuse('invalid_input_message', 'The first message must be a single space.');
    }
    if (message.close_socket === true) return this.closeSocket();
    const contextId = typeof message.context_id === 'string' ? message.context_id : 'default';
    let context = this.contexts.get(contextId);
    const finished = context !== undefined && context.closing && context.job === null;
    if (finished && message.close_context === true && !message.text) return; // closing it again: nothing left to do
    if (!context || finished) {
      // A closed context's id starts a new, unrelated context.
      context = { pending: '', closing: false, job: null };
      this.contexts.set(contextId, context);
    }
    if (typeof message.text === 'string' && message.text !== '') {
      context.pending += message.text;
      this.armInactivity();
    } else if (message.text === '') {
      this.armInactivity(); // keep-alive
    }
    if (message.flush === true) this.flush(contextId, context);
    if (message.close_context === true) this.closeContext(contextId, context);
  }

  private flush(contextId: string, context: ContextState): void {
    const text = context.pending.trim();
    context.pending = '';
    if (!text) return;
    if (this.failure === 'quota-exceeded-in-stream') return this.refuse('quota_exceeded', QUOTA_MESSAGE);
    const audio = tone(Math.round(text.length * this.settings().msPerChar * 8));
    if (context.job) {
      // Queued behind the audio this context is still sending.
      context.job.remaining = Buffer.concat([context.job.remaining, audio]);
      context.job.text += text;
      return;
    }
    context.job = { timer: null, remaining: audio, text, sentChars: 0, lag: null };
    context.job.timer = setTimeout(() => this.pump(contextId, context), this.settings().firstByteDelayMs);
  }

  private closeContext(contextId: string, context: ContextState): void {
    const job = context.job;
    if (!context.closing && job && job.lag === null) {
      // The flushed audio finishes first; pump() sends isFinal after it.
      context.closing = true;
      return;
    }
    context.closing = true;
    context.pending = '';
    if (!job) return this.final(contextId);
    if (job.lag !== null) return;
    this.interrupted.push(contextId);
    this.bytesAfterInterrupt.set(contextId, 0);
    job.lag = this.settings().closeLagChunks;
    if (job.lag <= 0) this.endJob(contextId, context);
  }

  private pump(contextId: string, context: ContextState): void {
    const job = context.job;
    if (!job || this.over) return;
    const settings = this.settings();
    if (job.lag !== null && job.lag-- <= 0) return this.endJob(contextId, context);
    if (job.remaining.length > 0) {
      const chunk = job.remaining.subarray(0, settings.chunkBytes);
      job.remaining = job.remaining.subarray(chunk.length);
      this.sendAudio(contextId, chunk, job);
      if (job.lag !== null) this.bytesAfterInterrupt.set(contextId, (this.bytesAfterInterrupt.get(contextId) ?? 0) + chunk.length);
      if (this.failure === 'drop-mid-clause') return this.drop();
    }
    if (job.remaining.length === 0) return this.endJob(contextId, context);
    job.timer = setTimeout(() => this.pump(contextId, context), settings.chunkIntervalMs);
  }

  /** The context's audio is over (all sent, or cut short): isFinal if it was closed. */
  private endJob(contextId: string, context: ContextState): void {
    if (context.job?.timer) clearTimeout(context.job.timer);
    context.job = null;
    if (context.closing) this.final(contextId);
    this.armInactivity();
  }

  private final(contextId: string): void {
    this.finals.push(contextId);
    this.send({ isFinal: true, contextId });
  }

  private sendAudio(contextId: string, chunk: Buffer, job: NonNullable<ContextState['job']>): void {
    // The characters this chunk "speaks", for the alignment the real service attaches.
    const bytesPerChar = Math.max(1, Math.round(this.settings().msPerChar * 8));
    const chars = [...job.text.slice(job.sentChars, job.sentChars + Math.max(1, Math.round(chunk.length / bytesPerChar)))];
    job.sentChars += chars.length;
    const msPerChar = this.settings().msPerChar;
    const alignment = { charStartTimesMs: chars.map((_, i) => i * msPerChar), charDurationsMs: chars.map(() => msPerChar), chars };
    this.audioBytes.set(contextId, (this.audioBytes.get(contextId) ?? 0) + chunk.length);
    this.send({ audio: chunk.toString('base64'), normalizedAlignment: alignment, alignment, contextId });
  }

  private closeSocket(): void {
    for (const [contextId, context] of this.contexts) {
      if (context.job?.timer) clearTimeout(context.job.timer);
      if (context.job || !context.closing) this.final(contextId);
      context.job = null;
    }
    this.ws.close(1000);
  }

  /** An error frame, then close 1008, as the service ends a session it will not continue. */
  private refuse(error: string, message: string): void {
    this.send({ message, error, code: 1008 });
    this.stopAll();
    this.ws.close(1008, error);
  }

  private armInactivity(): void {
    if (this.inactivity) clearTimeout(this.inactivity);
    this.inactivity = setTimeout(() => {
      // The clock only runs while nothing is being spoken.
      if ([...this.contexts.values()].some((c) => c.job)) return this.armInactivity();
      this.timeOut();
    }, this.inactivityTimeoutMs);
  }

  private timeOut(): void {
    const seconds = Math.round(this.inactivityTimeoutMs / 1000);
    this.refuse('input_timeout_exceeded', `Have not received a new text input within the timeout of ${seconds} seconds. Closing the socket.`);
  }

  private stopAll(): void {
    if (this.inactivity) clearTimeout(this.inactivity);
    this.inactivity = null;
    for (const context of this.contexts.values()) {
      if (context.job?.timer) clearTimeout(context.job.timer);
      context.job = null;
    }
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private finish(closed: Closed): void {
    this.stopAll();
    if (this.over) return;
    this.over = true;
    this.resolveClosed(closed);
  }
}

export interface ElevenLabsFakeOptions {
  apiKey: string;
}

export interface ElevenLabsFake {
  /** For `ElevenLabsClient({ baseUrl })` and `createElevenLabsTts({ baseUrl })`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every WebSocket upgrade, accepted or not. */
  readonly handshakes: Array<{ path: string; status: number }>;
  /** Every REST request. */
  readonly requests: Array<{ method: string; path: string; status: number }>;
  readonly connections: ElevenLabsStreamConnection[];
  speak: ElevenLabsSpeakSettings;
  /** Applies to connections opened from now on. */
  failure: ElevenLabsStreamFailure;
  /** Overrides the query's `inactivity_timeout` for connections opened from now on; null: honour it. */
  inactivityTimeoutMs: number | null;
  /** REST misbehaves: 429 (rate limit), 500, the key lacks the User read permission, or no answer at all; null behaves. */
  restFailure: 429 | 500 | 'missing-permissions' | 'hang' | null;
  /** Characters used and allowed this period (`GET /v1/user`). */
  subscription: { characterCount: number; characterLimit: number };
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${Math.random().toString(36).slice(2, 14)}` });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** `GET /v1/user` as the service answers it (every field the SDK's schema requires). */
function userBody(subscription: { characterCount: number; characterLimit: number }): Record<string, unknown> {
  return {
    user_id: 'u_fake0001',
    workspace_id: 'ws_fake0001',
    subscription: {
      tier: 'creator',
      character_count: subscription.characterCount,
      character_limit: subscription.characterLimit,
      max_character_limit_extension: 0,
      max_credit_limit_extension: 0,
      can_extend_character_limit: true,
      allowed_to_extend_character_limit: false,
      next_character_count_reset_unix: 1_767_225_600,
      voice_slots_used: 0,
      professional_voice_slots_used: 0,
      professional_voice_slots_used_in_workspace: 0,
      voice_limit: 30,
      max_voice_add_edits: 95,
      voice_add_edit_counter: 0,
      professional_voice_limit: 1,
      can_extend_voice_limit: false,
      can_use_instant_voice_cloning: true,
      can_use_professional_voice_cloning: true,
      currency: 'usd',
      current_overage: { amount: '0.00', currency: 'usd' },
      status: 'active',
      billing_period: 'monthly_period',
      character_refresh_period: 'monthly_period',
    },
    is_new_user: false,
    can_use_delayed_payment_methods: false,
    is_onboarding_completed: true,
    is_onboarding_checklist_completed: true,
    first_name: 'Fake',
    is_api_key_hashed: true,
    xi_api_key_preview: 'sk_…',
    created_at: 1_700_000_000,
    seat_type: 'workspace_admin',
  };
}

const STREAM_PATH = /^\/v1\/text-to-speech\/([A-Za-z0-9_-]{1,64})\/multi-stream-input$/;
const REST_STREAM_PATH = /^\/v1\/text-to-speech\/([A-Za-z0-9_-]{1,64})\/stream$/;

export async function startElevenLabsFake(options: ElevenLabsFakeOptions): Promise<ElevenLabsFake> {
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<Socket>();

  const fake: ElevenLabsFake = {
    baseUrl: '',
    port: 0,
    handshakes: [],
    requests: [],
    connections: [],
    speak: { ...DEFAULT_ELEVENLABS_SPEAK },
    failure: null,
    inactivityTimeoutMs: null,
    restFailure: null,
    subscription: { characterCount: 1234, characterLimit: 100_000 },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const answer = (status: number, body: unknown) => {
      fake.requests.push({ method, path: url.pathname, status });
      sendJson(res, status, body);
    };
    const isUser = method === 'GET' && url.pathname === '/v1/user';
    const streamMatch = method === 'POST' ? REST_STREAM_PATH.exec(url.pathname) : null;
    if (!isUser && !streamMatch) return answer(404, { detail: 'Not Found' });
    if (req.headers['xi-api-key'] !== options.apiKey) return answer(401, INVALID_KEY);
    if (fake.restFailure === 'hang') return void fake.requests.push({ method, path: url.pathname, status: 0 }); // close() destroys it
    if (fake.restFailure === 429) return answer(429, { detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests.' } });
    if (fake.restFailure === 500) return answer(500, { detail: { status: 'internal_error', message: 'Internal server error.' } });
    if (isUser && fake.restFailure === 'missing-permissions') {
      return answer(401, { detail: { status: 'missing_permissions', message: 'The API key you used is missing the permission user_read to execute this operation.' } });
    }
    if (isUser) return answer(200, userBody(fake.subscription));
    const body = JSON.parse((await readBody(req)) || '{}') as { text?: unknown; model_id?: unknown };
    if (typeof body.text !== 'string' || body.text.trim() === '') {
      return answer(422, { detail: [{ loc: ['body', 'text'], msg: 'Field required', type: 'missing' }] });
    }
    if (url.searchParams.get('output_format') !== 'ulaw_8000') return answer(422, { detail: { status: 'invalid_output_format', message: 'This fake speaks ulaw_8000 only.' } });
    fake.requests.push({ method, path: url.pathname, status: 200 });
    res.writeHead(200, { 'content-type': 'audio/basic', 'transfer-encoding': 'chunked' });
    const audio = tone(Math.round(body.text.trim().length * fake.speak.msPerChar * 8));
    await new Promise((r) => setTimeout(r, fake.speak.firstByteDelayMs));
    for (let at = 0; at < audio.length && !res.destroyed; at += fake.speak.chunkBytes) {
      res.write(audio.subarray(at, at + fake.speak.chunkBytes));
      await new Promise((r) => setTimeout(r, fake.speak.chunkIntervalMs));
    }
    res.end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { detail: { status: 'internal_error', message: 'fake failed' } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const refuseUpgrade = (socket: Socket, status: number, statusText: string, body: unknown) => {
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const record = (status: number) => fake.handshakes.push({ path, status });
    if (!STREAM_PATH.test(path)) {
      record(404);
      return refuseUpgrade(socket, 404, 'Not Found', { detail: 'Not Found' });
    }
    const headerKey = req.headers['xi-api-key'];
    if (headerKey !== undefined && headerKey !== options.apiKey) {
      record(401);
      return refuseUpgrade(socket, 401, 'Unauthorized', INVALID_KEY);
    }
    if (fake.failure === 'quota-exceeded') {
      record(401);
      return refuseUpgrade(socket, 401, 'Unauthorized', { detail: { status: 'quota_exceeded', message: QUOTA_MESSAGE } });
    }
    if (fake.failure === 'rate-limited') {
      record(429);
      return refuseUpgrade(socket, 429, 'Too Many Requests', {
        detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests. Your current subscription is associated with a maximum of 5 concurrent requests.' },
      });
    }
    record(101);
    const querySeconds = Number(url.searchParams.get('inactivity_timeout') ?? '20');
    const inactivityMs = fake.inactivityTimeoutMs ?? (Number.isFinite(querySeconds) ? Math.min(180, Math.max(1, querySeconds)) : 20) * 1000;
    const failure = fake.failure;
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.connections.push(new ElevenLabsStreamConnection(url.searchParams, headerKey !== undefined, options.apiKey, ws, () => fake.speak, inactivityMs, failure));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(fake, { port, baseUrl: `http://127.0.0.1:${port}` });
  return fake;
}
