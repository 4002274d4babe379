/**
 * A loopback Smallest.AI Waves API: one HTTP server on 127.0.0.1:0 serving the routes the
 * real api.smallest.ai has for Lightning (protocols-2.md "Smallest.AI", from the vendor's
 * tts-openapi.yaml and tts-ws.yaml), so the Switchboard client and anything else that speaks
 * the documented protocol can be pointed at it:
 *
 *  - `POST /waves/v1/tts` (sync): the whole clip in one binary body (pcm, ulaw, alaw or wav);
 *  - `POST /waves/v1/tts/live` (SSE): `event: audio` frames `{"audio":<b64 pcm>,"done":false,
 *    "status":"206"}`, then `{"status":"200","done":true}`;
 *  - `GET /waves/v1/tts/live` upgraded to a WebSocket: each JSON request is answered with
 *    `{"status":"chunk","data":{"audio":<b64 pcm16 le>}}` frames, then `{"status":"complete"}`
 *    (both carrying session_id, the server's own request_id, and the client's request_id echoed
 *    as external_request_id). Text is buffered per request_id while `continue` is true and
 *    not flushed. `complete` follows the last chunk after `complete_backoff_ms` (4000 by
 *    default, as documented). Requests on one socket are generated one after another.
 *
 * Every route checks `Authorization: Bearer <key>` (401 `{"error":"Unauthorized",
 * "message":…}` otherwise, refused at the upgrade for the socket) and validates `sample_rate`
 * (8000, 16000, 24000 or 44100), `voice_id` and `text`. A socket that receives nothing for its
 * `?timeout=` seconds (60 by default, or `idleTimeoutMs`) gets the documented
 * `{"status":"error","message":"Connection timed out after N seconds of inactivity"}` and is
 * closed.
 *
 * "Synthesis" is a 440 Hz tone, `msPerChar` ms of it per character, as 16-bit little-endian PCM
 * (sync/SSE can also encode it), sent in `chunkBytes` pieces (odd sizes split a sample, as a
 * real network may) every `chunkIntervalMs` after `firstByteDelayMs`. `tonePcm()` gives the
 * same samples so tests can check every byte.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { encodeMulawSample } from '../../src/main/core/pipeline/audio';

export const SMALLEST_SAMPLE_RATES = [8000, 16000, 24000, 44100] as const;
const REQUEST_ID = /^[a-zA-Z0-9_\-.]{1,128}$/;

/** Which way the fake misbehaves; null behaves. Applies from the next request or handshake on. */
export type SmallestFailure =
  | null
  /** Every request (HTTP and socket handshake) is answered 429. */
  | 'rate-limited'
  /** Socket handshakes are answered 503. */
  | 'reject-upgrade'
  /** Each socket request is answered with an error frame and no audio. */
  | 'error-frame'
  /** The TCP connection is cut after the first audio chunk of a request. */
  | 'drop-mid-stream'
  /** Requests are accepted and never answered. */
  | 'hang';

export interface SmallestSpeechSettings {
  /** Delay between a request (or flush) and its first audio chunk. */
  firstByteDelayMs: number;
  /** Audio produced per character of text. */
  msPerChar: number;
  /** PCM bytes per chunk (odd values split samples across chunks). */
  chunkBytes: number;
  /** Delay between chunks. */
  chunkIntervalMs: number;
}

const DEFAULT_SPEECH: SmallestSpeechSettings = { firstByteDelayMs: 40, msPerChar: 60, chunkBytes: 801, chunkIntervalMs: 10 };

export interface SmallestFakeOptions {
  /** The key the fake accepts (`Authorization: Bearer <apiKey>`). */
  apiKey: string;
  /** Idle timeout of sockets opened without `?timeout=` (default 60 s, as documented). */
  idleTimeoutMs?: number;
}

/** A received WebSocket request, as parsed. */
export type LiveRequest = Record<string, unknown>;

/** The samples of `ms` of the fake's tone at `sampleRateHz`: what every route "says". */
export function tonePcm(ms: number, sampleRateHz = 8000): Int16Array {
  const n = Math.round((ms * sampleRateHz) / 1000);
  const samples = new Int16Array(n);
  for (let i = 0; i < n; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRateHz));
  return samples;
}

function pcmBytes(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

function rawText(data: RawData): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
}

/** Why a request body is invalid, or null. */
function invalidRequest(body: Record<string, unknown>): string | null {
  if (typeof body.voice_id !== 'string' || !body.voice_id) return 'voice_id is required';
  if (typeof body.text !== 'string') return 'text is required';
  if (body.sample_rate !== undefined && !(SMALLEST_SAMPLE_RATES as readonly unknown[]).includes(body.sample_rate)) {
    return `sample_rate must be one of ${SMALLEST_SAMPLE_RATES.join(', ')}`;
  }
  if (body.model !== undefined && body.model !== 'lightning_v3.1' && body.model !== 'lightning_v3.1_pro') return 'model is not supported';
  if (body.request_id !== undefined && (typeof body.request_id !== 'string' || !REQUEST_ID.test(body.request_id))) return 'request_id is invalid';
  return null;
}

interface Job {
  externalId: string | null;
  requestId: string;
  remaining: Buffer;
  /** false: more text may follow for this request (continue), so no `complete` yet. */
  final: boolean;
  backoffMs: number;
}

/** One live WebSocket. */
export class LiveConnection {
  /** Every JSON request received, in order. */
  readonly requests: LiveRequest[] = [];
  /** PCM bytes sent to the client. */
  bytesSent = 0;
  /** Frames sent, in order, as `status` plus the client's request id. */
  readonly sent: Array<{ status: string; requestId: string | null }> = [];
  readonly sessionId = `ws_${randomUUID()}`;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly pending = new Map<string, string>();
  private readonly jobs: Job[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private over = false;
  private resolveClosed: (c: { code: number; reason: string }) => void = () => undefined;

  constructor(
    readonly query: URLSearchParams,
    private readonly ws: WebSocket,
    private readonly settings: () => SmallestSpeechSettings,
    private readonly failure: SmallestFailure,
    private readonly idleTimeoutMs: number,
    private readonly closeAfterComplete: boolean,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.finish({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
    this.armIdle();
  }

  /** Cuts the TCP connection without a close frame. */
  drop(): void {
    this.ws.terminate();
    this.finish({ code: 1006, reason: 'dropped by test' });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.over) return;
    this.armIdle();
    if (isBinary) return this.error('Binary messages are not supported', 'invalid_message', null);
    let body: LiveRequest;
    try {
      body = JSON.parse(rawText(data)) as LiveRequest;
    } catch {
      return this.error('Invalid JSON', 'invalid_message', null);
    }
    this.requests.push(body);
    const externalId = typeof body.request_id === 'string' ? body.request_id : null;
    const invalid = invalidRequest(body);
    if (invalid) return this.error(invalid, 'invalid_request', externalId);
    if (this.failure === 'hang') return;
    if (this.failure === 'error-frame') return this.error('Insufficient credits for this request', 'insufficient_credits', externalId);
    const key = externalId ?? '';
    const text = (this.pending.get(key) ?? '') + (body.text as string);
    const final = body.continue !== true;
    if (!final && body.flush !== true) {
      this.pending.set(key, text);
      return;
    }
    this.pending.delete(key);
    const settings = this.settings();
    const sampleRate = typeof body.sample_rate === 'number' ? body.sample_rate : 44100;
    const backoff = typeof body.complete_backoff_ms === 'number' ? Math.min(Math.max(body.complete_backoff_ms, 0), 10_000) : 4000;
    this.jobs.push({
      externalId,
      requestId: `task_${randomUUID()}`,
      remaining: pcmBytes(tonePcm(text.length * settings.msPerChar, sampleRate)),
      final,
      backoffMs: backoff,
    });
    if (!this.busy) {
      this.busy = true;
      this.timer = setTimeout(() => this.pump(), settings.firstByteDelayMs);
    }
  }

  private pump(): void {
    const job = this.jobs[0];
    if (!job || this.over) {
      this.busy = false;
      return;
    }
    const settings = this.settings();
    if (job.remaining.length > 0) {
      const chunk = job.remaining.subarray(0, settings.chunkBytes);
      job.remaining = job.remaining.subarray(chunk.length);
      this.send(job, 'chunk', { data: { audio: chunk.toString('base64') } });
      this.bytesSent += chunk.length;
      if (this.failure === 'drop-mid-stream') return this.drop();
      if (job.remaining.length > 0) {
        this.timer = setTimeout(() => this.pump(), settings.chunkIntervalMs);
        return;
      }
    }
    // This request's audio is all out.
    this.jobs.shift();
    const next = (): void => {
      if (this.jobs.length > 0) this.timer = setTimeout(() => this.pump(), settings.firstByteDelayMs);
      else this.busy = false;
    };
    if (!job.final) return next();
    this.timer = setTimeout(() => {
      this.send(job, 'complete', {});
      // The vendor's docs say the server closes the socket after `complete`; off by default.
      if (this.closeAfterComplete) return void this.ws.close(1000);
      next();
    }, job.backoffMs);
  }

  private send(job: Job, status: string, extra: Record<string, unknown>): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.sent.push({ status, requestId: job.externalId });
    this.ws.send(
      JSON.stringify({
        session_id: this.sessionId,
        request_id: job.requestId,
        ...(job.externalId !== null ? { external_request_id: job.externalId } : {}),
        status,
        ...extra,
      }),
    );
  }

  private error(message: string, code: string, externalId: string | null): void {
    this.sent.push({ status: 'error', requestId: externalId });
    if (this.ws.readyState === this.ws.OPEN) {
      this.ws.send(JSON.stringify({ ...(externalId !== null ? { external_request_id: externalId } : {}), status: 'error', error: { message, code } }));
    }
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.over || this.ws.readyState !== this.ws.OPEN) return;
      const seconds = this.idleTimeoutMs / 1000;
      this.sent.push({ status: 'error', requestId: null });
      this.ws.send(JSON.stringify({ status: 'error', message: `Connection timed out after ${seconds} seconds of inactivity` }));
      this.ws.close(1000);
    }, this.idleTimeoutMs);
  }

  private finish(closed: { code: number; reason: string }): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.over) return;
    this.over = true;
    this.resolveClosed(closed);
  }
}

/** An HTTP request the fake received. */
export interface RecordedHttpRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
  body: Record<string, unknown> | null;
  status: number;
}

export interface SmallestFake {
  /** For `baseUrl` (REST here, the socket at ws:// of the same origin). */
  readonly baseUrl: string;
  readonly port: number;
  /** Every upgrade request, accepted or not. */
  readonly handshakes: Array<{ path: string; status: number; authorization: string | undefined }>;
  readonly connections: LiveConnection[];
  readonly httpRequests: RecordedHttpRequest[];
  speech: SmallestSpeechSettings;
  /** Applies to requests and sockets from now on. */
  failure: SmallestFailure;
  /** Sockets opened from now on are closed by the server after each `complete` (what the docs describe). */
  closeAfterComplete: boolean;
  close(): Promise<void>;
}

export async function startSmallestFake(options: SmallestFakeOptions): Promise<SmallestFake> {
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const json = (res: ServerResponse, status: number, body: Record<string, unknown>): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const unauthorized = { error: 'Unauthorized', message: 'Invalid or missing API key. Pass it as Authorization: Bearer <key>.' };
  const rateLimited = { error: 'Too Many Requests', message: 'Rate limit exceeded. Please retry later.' };

  const fake: SmallestFake = {
    baseUrl: '',
    port: 0,
    handshakes: [],
    connections: [],
    httpRequests: [],
    speech: { ...DEFAULT_SPEECH },
    failure: null,
    closeAfterComplete: false,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const handleHttp = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    let body: Record<string, unknown> | null = null;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    const record = (status: number): void => {
      fake.httpRequests.push({ method: req.method ?? '?', path, authorization: req.headers.authorization, accept: req.headers.accept, body, status });
    };
    if (req.method !== 'POST' || (path !== '/waves/v1/tts' && path !== '/waves/v1/tts/live')) {
      record(404);
      return json(res, 404, { error: 'Not Found', message: 'Unknown route.' });
    }
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      record(401);
      return json(res, 401, unauthorized);
    }
    if (fake.failure === 'rate-limited') {
      record(429);
      return json(res, 429, rateLimited);
    }
    const invalid = body ? invalidRequest(body) : 'A JSON body is required';
    if (invalid || !body) {
      record(400);
      return json(res, 400, { error: 'Bad Request', message: invalid ?? 'A JSON body is required' });
    }
    if (fake.failure === 'hang') return record(0);
    record(200);
    const settings = fake.speech;
    const sampleRate = typeof body.sample_rate === 'number' ? body.sample_rate : 44100;
    const samples = tonePcm((body.text as string).length * settings.msPerChar, sampleRate);
    if (path === '/waves/v1/tts') {
      const format = typeof body.output_format === 'string' ? body.output_format : 'pcm';
      const audio = encode(samples, sampleRate, format);
      res.writeHead(200, { 'content-type': format === 'wav' ? 'audio/wav' : format === 'mp3' ? 'audio/mpeg' : 'application/octet-stream' });
      return void later(() => res.end(audio), settings.firstByteDelayMs);
    }
    // SSE: PCM chunks, then the `done` terminator.
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let remaining = pcmBytes(samples);
    const pump = (): void => {
      if (res.destroyed) return;
      if (remaining.length > 0) {
        const chunk = remaining.subarray(0, settings.chunkBytes);
        remaining = remaining.subarray(chunk.length);
        res.write(`event: audio\ndata: ${JSON.stringify({ audio: chunk.toString('base64'), done: false, status: '206' })}\n\n`);
        if (fake.failure === 'drop-mid-stream') return void res.socket?.destroy();
        return later(pump, settings.chunkIntervalMs);
      }
      res.end(`data: ${JSON.stringify({ status: '200', done: true })}\n\n`);
    };
    later(pump, settings.firstByteDelayMs);
  };

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => handleHttp(req, res, Buffer.concat(parts).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const refuse = (socket: Socket, status: number, statusText: string, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const authorization = req.headers.authorization;
    const record = (status: number) => fake.handshakes.push({ path, status, authorization });
    if (path !== '/waves/v1/tts/live') {
      record(404);
      return refuse(socket, 404, 'Not Found', { error: 'Not Found', message: 'Unknown route.' });
    }
    if (authorization !== `Bearer ${options.apiKey}`) {
      record(401);
      return refuse(socket, 401, 'Unauthorized', unauthorized);
    }
    if (fake.failure === 'rate-limited') {
      record(429);
      return refuse(socket, 429, 'Too Many Requests', rateLimited);
    }
    if (fake.failure === 'reject-upgrade') {
      record(503);
      return refuse(socket, 503, 'Service Unavailable', { error: 'Service Unavailable', message: 'Please retry shortly.' });
    }
    const timeoutS = Number(url.searchParams.get('timeout'));
    const idleTimeoutMs = Number.isInteger(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : (options.idleTimeoutMs ?? 60_000);
    record(101);
    const failure = fake.failure;
    const closeAfterComplete = fake.closeAfterComplete;
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.connections.push(new LiveConnection(url.searchParams, ws, () => fake.speech, failure, idleTimeoutMs, closeAfterComplete));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(fake, { port, baseUrl: `http://127.0.0.1:${port}` });
  return fake;
}

/** The sync route's body in the requested output format. */
function encode(samples: Int16Array, sampleRate: number, format: string): Buffer {
  if (format === 'ulaw') return Buffer.from(Array.from(samples, (sample) => encodeMulawSample(sample)));
  const pcm = pcmBytes(samples);
  if (format !== 'wav') return pcm; // pcm (the default); alaw and mp3 are not needed by any test
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
