/**
 * Smallest.AI Lightning text to speech over the Waves live WebSocket (`/waves/v1/tts/live`),
 * as telephone audio (mu-law 8 kHz, no header) that can go straight to Twilio.
 *
 * There is no official SDK for the current API (npm `smallestai` only wraps the legacy
 * `/api/v1/lightning*` routes), so this is a small client: `ws` for the socket, `fetch` for
 * the connection test. Wire format: protocols-2.md "Smallest.AI".
 *
 * The socket has no output_format field and sends PCM, taken to be 16-bit little-endian like
 * the sync route's `pcm` (the docs do not say; protocols-2.md marks it unconfirmed). So we ask
 * for `sample_rate: 8000` and encode to mu-law here, with no resampling; a chunk may end
 * half-way through a sample, so the odd byte is carried over to the next chunk of the request.
 *
 * Sockets are pooled like Aura's (socket-pool.ts): a handshake costs about as much as the
 * time to first byte, and one socket serves one clause at a time, so one call's barge-in can
 * never cut another call's speech. Each synthesize() sends one request with its own
 * request_id, `continue: false` (the clause is whole) and `complete_backoff_ms: 0` (the
 * server otherwise waits 4 s after the last chunk before it says `complete`, which would hold
 * up the next clause), then yields audio until that request's `complete`.
 *
 * Abort: the protocol has no cancel message, and closing the socket would cost the next
 * clause a handshake. So abort stops yielding at once (the pending read rejects with the
 * signal's reason), every later chunk of that request is dropped, and the socket goes back to
 * the pool only once the server has said `complete` for it (Lightning generates a clause in
 * well under a second), so stale audio can never reach the next clause; a socket that does not
 * finish within `responseTimeoutMs` is closed instead.
 *
 * The docs say the server may close the socket after `complete`, and that it closes a socket
 * idle for 60 s with `{"status":"error","message":"Connection timed out…"}`. Either way the
 * pooled socket is dead before its next clause: it is dropped, and a clause that finds its
 * reused socket dead before any audio came is retried once on a fresh one.
 *
 * Failures reject with a plain message that never contains the key or the clause text:
 * refused handshake (401/429/…), an error frame, socket closed mid-clause, no answer in time.
 */
import { randomUUID } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import { silentLogger, type Logger } from '../../log';
import { pcmToMulaw } from '../../pipeline/audio';
import { hostOf, networkCodeOf, type ProbeFailure } from '../failure';
import type { PooledTtsProvider } from '../types';
import { ClauseAudio, createPooledTts, SilenceWatchdog, type TtsChannel } from './socket-pool';

/**
 * A voice of the Lightning v3.1 standard catalog (American English, conversational), as listed
 * in the vendor's get_voices example (each model has its own catalog: a Pro voice needs the Pro model).
 */
export const SMALLEST_DEFAULT_VOICE_ID = 'avery';
export const SMALLEST_DEFAULT_MODEL = 'lightning_v3.1';
export const SMALLEST_MODELS = ['lightning_v3.1', 'lightning_v3.1_pro'] as const;

const DEFAULT_ORIGIN = 'https://api.smallest.ai';
const LIVE_PATH = '/waves/v1/tts/live';
const SYNC_PATH = '/waves/v1/tts';
const SAMPLE_RATE_HZ = 8000;

export interface SmallestTtsOptions {
  apiKey: string;
  voiceId?: string;
  model?: string;
  /** API origin override, e.g. http://127.0.0.1:P (REST there, WebSocket at ws://same origin). */
  baseUrl?: string;
  logger?: Logger;
  /** Time allowed to open a socket. */
  connectTimeoutMs?: number;
  /** Longest silence from the server while a clause is being spoken (before it fails). */
  responseTimeoutMs?: number;
  /** Open sockets kept for reuse. */
  maxIdleSockets?: number;
}

type Scrub = (text: string) => string;

/** A server frame on the live socket (only the fields we read). */
interface LiveFrame {
  status?: unknown;
  request_id?: unknown;
  external_request_id?: unknown;
  message?: unknown;
  data?: { audio?: unknown } | null;
  error?: { message?: unknown; code?: unknown } | null;
}

/** The request a socket is serving: its id, its consumer, and half a sample left over. */
interface Request {
  id: string;
  text: string;
  clause: ClauseAudio;
  carry: Buffer | null;
}

/** One live socket. */
class LiveChannel implements TtsChannel {
  /** Open and not failed. */
  alive = false;
  /** An abandoned request is still being generated: not reusable until its `complete`. */
  private draining = false;
  private ws: WebSocket | null = null;
  private request: Request | null = null;
  /** Every request id sent on this socket, so a stale one's frames are recognised. */
  private readonly sentIds = new Set<string>();
  private readonly watchdog: SilenceWatchdog;
  private onDrained: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly o: ResolvedOptions,
    private readonly scrub: Scrub,
    private readonly log: Logger,
  ) {
    this.watchdog = new SilenceWatchdog(o.responseTimeoutMs, () => {
      this.fail(new Error(`Smallest.AI TTS: no answer within ${o.responseTimeoutMs} ms`));
      this.onDrained?.();
      this.destroy();
    });
  }

  get reusable(): boolean {
    return this.alive && !this.draining;
  }

  /** Resolves once the socket is open; rejects with a plain message otherwise. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.destroy();
        reject(new Error(this.scrub(message)));
      };
      const ws = new WebSocket(this.o.liveUrl, { headers: { Authorization: `Bearer ${this.o.apiKey}` }, handshakeTimeout: this.o.connectTimeoutMs });
      this.ws = ws;
      // handshakeTimeout covers the upgrade; this also covers a TCP connect that never completes.
      const timer = setTimeout(() => fail(`Smallest.AI TTS: could not connect within ${this.o.connectTimeoutMs} ms`), this.o.connectTimeoutMs);
      ws.on('unexpected-response', (_req, res) => {
        res.resume(); // the body is the vendor's wording; the status says it all
        fail(handshakeRefusal(res.statusCode ?? 0));
      });
      ws.on('open', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.alive = true;
        resolve();
      });
      ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
      ws.on('error', (error) => {
        const code = networkCodeOf(error);
        fail(`Smallest.AI TTS: could not connect (${code ?? error.message})`);
        if (settled) this.lost(`(${code ?? 'socket error'})`);
      });
      ws.on('close', (code) => {
        fail(`Smallest.AI TTS: could not connect (close ${code})`);
        this.lost(`(close ${code})`);
      });
    });
  }

  /** Starts speaking `text`; the audio arrives on the returned queue. */
  speak(text: string): ClauseAudio {
    const ws = this.ws;
    if (!ws || !this.alive) throw new Error('Smallest.AI TTS: socket is not open');
    const request: Request = { id: `sb-${randomUUID()}`, text, clause: new ClauseAudio(), carry: null };
    this.request = request;
    this.sentIds.add(request.id);
    ws.send(
      JSON.stringify({
        voice_id: this.o.voiceId,
        text,
        model: this.o.model,
        sample_rate: SAMPLE_RATE_HZ,
        speed: 1,
        language: 'en',
        continue: false,
        flush: true,
        max_buffer_flush_ms: 0,
        complete_backoff_ms: 0,
        request_id: request.id,
      }),
    );
    this.watchdog.arm();
    return request.clause;
  }

  /**
   * Gives up on the current request (the protocol has no cancel message): its consumer gets
   * nothing more, and the socket stays out of the pool until the server's `complete` for it
   * (resolves then), or is closed if that does not come within responseTimeoutMs.
   */
  async abandonClause(): Promise<void> {
    await this.drain();
    this.log.debug({ provider: 'smallest-tts', reused: this.alive }, 'interrupted Smallest.AI request has finished on its socket');
  }

  /** Resolves once the abandoned request is over on this socket: its `complete`, an error frame, or the socket closing. */
  private drain(): Promise<void> {
    const request = this.request;
    this.request = null;
    request?.clause.fail(new Error('abandoned'));
    if (!this.alive || !request) return Promise.resolve();
    this.draining = true;
    return new Promise<void>((resolve) => {
      this.onDrained = () => {
        this.onDrained = null;
        this.draining = false;
        this.watchdog.stop();
        resolve();
      };
      this.watchdog.arm();
    });
  }

  destroy(): void {
    this.alive = false;
    this.watchdog.stop();
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.close(1000);
      else this.ws?.terminate();
    } catch {
      // already closed
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return; // the protocol sends JSON only
    let frame: LiveFrame;
    try {
      frame = JSON.parse(rawText(data)) as LiveFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    // The server echoes our id as external_request_id (older builds as request_id). A frame
    // for an id we sent earlier on this socket is stale; an unknown id is the current request's.
    const id = typeof frame.external_request_id === 'string' ? frame.external_request_id : typeof frame.request_id === 'string' ? frame.request_id : null;
    const request = this.request;
    const stale = !request || (id !== null && id !== request.id && this.sentIds.has(id));
    switch (frame.status) {
      case 'chunk': {
        if (stale) {
          if (this.draining) this.watchdog.arm(); // still generating the abandoned clause
          return;
        }
        const audio = typeof frame.data?.audio === 'string' ? Buffer.from(frame.data.audio, 'base64') : null;
        if (!audio) return;
        // Half a sample makes no audio yet (it is carried over to the next chunk).
        const mulaw = this.toMulaw(request, audio);
        if (mulaw.length > 0) request.clause.push(mulaw);
        this.watchdog.arm();
        return;
      }
      case 'complete':
        if (stale) {
          this.onDrained?.();
          return;
        }
        this.request = null;
        this.watchdog.stop();
        request.clause.end();
        return;
      case 'error': {
        const message = errorMessageOf(frame);
        if (/timed out/i.test(message) && !request) {
          // The idle timeout on a pooled socket: the server closes it next. Not a failure of
          // anything, just a socket the pool must not hand out again.
          this.destroy();
          return;
        }
        const code = frame.error && (typeof frame.error.code === 'string' || typeof frame.error.code === 'number') ? ` ${frame.error.code}` : '';
        const readable = request ? message.split(request.text).join('[text]') : message;
        this.fail(new Error(this.scrub(`Smallest.AI TTS error${code}: ${readable.slice(0, 160) || 'no detail'}`)));
        this.onDrained?.();
        this.destroy(); // what else the server has queued on it is unknown: not reused
        return;
      }
      default:
        return; // word_timestamp and anything newer
    }
  }

  /** PCM16 LE -> mu-law, carrying an odd trailing byte over to the request's next chunk. */
  private toMulaw(request: Request, pcm: Buffer): Buffer {
    const bytes = request.carry ? Buffer.concat([request.carry, pcm]) : pcm;
    const whole = bytes.length - (bytes.length % 2);
    request.carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : null;
    const samples = new Int16Array(whole / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
    return pcmToMulaw({ encoding: 'pcm16', sampleRateHz: SAMPLE_RATE_HZ, samples }).bytes;
  }

  /** The socket went away: whatever it was doing fails (open() has its own rejection). */
  private lost(detail: string): void {
    const wasAlive = this.alive;
    this.alive = false;
    this.closed = true;
    this.watchdog.stop();
    if (wasAlive) this.fail(new Error(`Smallest.AI TTS: connection closed mid-clause ${detail}`));
    this.onDrained?.();
  }

  /** Fails the clause in progress (if any). */
  private fail(error: Error): void {
    const request = this.request;
    this.request = null;
    this.watchdog.stop();
    request?.clause.fail(error);
  }

}

/** A refused handshake in one sentence. */
function handshakeRefusal(status: number): string {
  if (status === 401 || status === 403) return `Smallest.AI TTS: the API key was refused (HTTP ${status})`;
  if (status === 429) return 'Smallest.AI TTS: rate or concurrency limit reached (HTTP 429)';
  return `Smallest.AI TTS: could not connect (HTTP ${status})`;
}

function errorMessageOf(frame: LiveFrame): string {
  if (frame.error && typeof frame.error.message === 'string') return frame.error.message;
  if (typeof frame.message === 'string') return frame.message;
  return '';
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

interface ResolvedOptions {
  apiKey: string;
  voiceId: string;
  model: string;
  liveUrl: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  maxIdleSockets: number;
}

/** `http(s)://host:port[/…]` -> its origin; the live socket is at the same origin as ws(s). */
function originOf(baseUrl: string | undefined): string {
  return new URL(baseUrl ?? DEFAULT_ORIGIN).origin;
}

export function createSmallestTts(options: SmallestTtsOptions): PooledTtsProvider {
  if (!options.apiKey) throw new Error('Smallest.AI TTS needs an API key');
  const apiKey = options.apiKey;
  const model = options.model ?? SMALLEST_DEFAULT_MODEL;
  const o: ResolvedOptions = {
    apiKey,
    voiceId: options.voiceId ?? SMALLEST_DEFAULT_VOICE_ID,
    model,
    liveUrl: `${originOf(options.baseUrl).replace(/^http/, 'ws')}${LIVE_PATH}`,
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    responseTimeoutMs: options.responseTimeoutMs ?? 5000,
    maxIdleSockets: options.maxIdleSockets ?? 2,
  };
  const log = options.logger ?? silentLogger;
  const scrub: Scrub = (text) => text.split(apiKey).join('[redacted]');
  return createPooledTts({
    label: model === 'lightning_v3.1_pro' ? 'Smallest.AI Lightning Pro' : 'Smallest.AI Lightning',
    create: () => new LiveChannel(o, scrub, log),
    maxIdleSockets: o.maxIdleSockets,
    logger: log,
    logName: 'smallest-tts',
    vendor: 'Smallest.AI',
  });
}

// ---------------------------------------------------------------------- connection test

/** A failed connection test: the HTTP status (null: no answer) and where it was sent. */
export class SmallestRequestError extends Error {
  override readonly name = 'SmallestRequestError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly origin: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Speaks two characters through the synchronous route (`POST /waves/v1/tts`): the route checks
 * the key and the synthesis path calls depend on, for a negligible cost. (The voice list
 * route would be free but is documented as unauthenticated, so it proves nothing about a key.)
 */
export async function probeSmallest(apiKey: string, baseUrl: string | undefined, signal: AbortSignal): Promise<string> {
  const origin = originOf(baseUrl);
  let response: Response;
  try {
    response = await fetch(`${origin}${SYNC_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', Accept: 'audio/wav' },
      body: JSON.stringify({
        text: 'Hi',
        voice_id: SMALLEST_DEFAULT_VOICE_ID,
        model: SMALLEST_DEFAULT_MODEL,
        sample_rate: SAMPLE_RATE_HZ,
        speed: 1,
        language: 'en',
        output_format: 'ulaw',
      }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    const code = networkCodeOf(error);
    throw new SmallestRequestError(`Smallest.AI: request failed (${code ?? 'network error'})`, null, origin, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new SmallestRequestError(`Smallest.AI: HTTP ${response.status}`, response.status, origin);
  }
  const audio = Buffer.from(await response.arrayBuffer());
  if (audio.length === 0) throw new SmallestRequestError('Smallest.AI: empty audio', response.status, origin);
  return `${SMALLEST_DEFAULT_MODEL} spoke a test word`;
}

/** A failed probe in one plain sentence; null if the error is not one of ours. */
export function describeSmallestFailure(error: unknown): ProbeFailure | null {
  if (!(error instanceof SmallestRequestError)) return null;
  const status = error.status;
  if (status === null) {
    const code = networkCodeOf(error) ?? 'no answer';
    return { message: `Could not reach Smallest.AI at ${hostOf(error.origin)} (${code}).`, problem: 'unreachable' };
  }
  if (status === 401 || status === 403) return { message: `Smallest.AI: the API key was refused (HTTP ${status}).`, problem: 'rejected' };
  if (status === 429) return { message: 'Smallest.AI: the key works but its rate or concurrency limit is used up (HTTP 429).', problem: 'failed' };
  if (status >= 500) return { message: `Smallest.AI had a server error (HTTP ${status}); try again shortly.`, problem: 'failed' };
  if (status >= 200 && status < 300) return { message: 'Smallest.AI answered the test with no audio.', problem: 'failed' };
  return { message: `Smallest.AI refused the test request (HTTP ${status}).`, problem: 'failed' };
}
