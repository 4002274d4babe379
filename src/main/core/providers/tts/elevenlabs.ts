/**
 * ElevenLabs text to speech over the multi-context streaming WebSocket
 * (`/v1/text-to-speech/{voice}/multi-stream-input`), as telephone audio: `output_format=ulaw_8000`
 * is raw mu-law at 8 kHz, exactly what Twilio plays, so the bytes go through untouched.
 *
 * Why multi-stream-input rather than stream-input: on stream-input the end of a clause is
 * `{"text":""}`, which also ends the socket, so every clause would pay a handshake; and a
 * barge-in could only be honoured by closing the socket. Contexts give each clause its own id
 * on a long-lived socket: `close_context` ends one clause (barge-in) and its stale audio is
 * recognisable by `contextId`, so the socket stays usable.
 *
 * Sockets are pooled like Aura's (socket-pool.ts): a handshake costs about as much as the
 * first byte, and one provider serves every call, so each synthesize() has a socket to itself
 * (one clause at a time) and gives it back afterwards; `warm()` opens one before the first clause.
 * This file is the multi-stream-input protocol: `StreamChannel`.
 *
 * synthesize(text) opens context N on its socket: `{"text":" "}` (a context starts with a
 * space), the clause with `flush: true` (generate now, not when the chunk schedule fills),
 * then `close_context` (which lets the flushed audio finish and makes the server send
 * `isFinal`). It yields every audio frame of context N until that isFinal. Abort (or the
 * consumer stopping early) sends `close_context` again, stops yielding at once and returns
 * the socket to the pool at once: audio still on its way carries the old contextId and is
 * dropped, so the next clause on that socket (a new context id) never hears it.
 *
 * The key goes in the `xi-api-key` upgrade header, never in a URL or message. The server
 * closes a socket with 1008 `input_timeout_exceeded` after `inactivity_timeout` seconds
 * without text; pooled sockets ask for the maximum (180 s), are retired a little before it,
 * and one that was closed anyway is replaced once, transparently, like any pooled socket
 * that died idle.
 *
 * Failures reject with a plain message that never contains the key or the text: a refused
 * handshake (bad key, quota used up, rate limit), an error frame, the socket closing
 * mid-clause, no answer in time. The SDK does not wrap these sockets (only their message
 * types ship), so they are opened with `ws`; the probe uses the SDK's REST client.
 */
// The SDK's wire (snake_case) shapes of the socket's messages, for checking what is sent; types only.
import type { AudioOutputMulti, CloseContext, CloseSocket, FinalOutputMulti, InitialiseContext, SendTextMulti } from '@elevenlabs/elevenlabs-js/serialization';
import { WebSocket, type RawData } from 'ws';
import { silentLogger, type Logger } from '../../log';
import { networkCodeOf } from '../failure';
import type { PooledTtsProvider } from '../types';
import { ClauseAudio, createPooledTts, SilenceWatchdog, type TtsChannel } from './socket-pool';

/** Rachel, a premade voice every account has. */
export const ELEVENLABS_DEFAULT_VOICE_ID = '21m00Tcm4TlvDq8ikWAM';
export const ELEVENLABS_DEFAULT_MODEL = 'eleven_flash_v2_5';
export const ELEVENLABS_MODELS = ['eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_multilingual_v2'] as const;

export interface ElevenLabsTtsOptions {
  apiKey: string;
  voiceId?: string;
  modelId?: string;
  /** API origin override, e.g. http://127.0.0.1:P (REST there, WebSockets at ws://same origin). */
  baseUrl?: string;
  logger?: Logger;
  /** Time allowed to open a socket. */
  connectTimeoutMs?: number;
  /** Longest silence from ElevenLabs while a clause is being spoken (before it fails). */
  responseTimeoutMs?: number;
  /** Open sockets kept for reuse. */
  maxIdleSockets?: number;
}

export const ELEVENLABS_ORIGIN = 'https://api.elevenlabs.io';
/** The longest `inactivity_timeout` the service allows (seconds): pooled sockets sit idle between calls. */
const INACTIVITY_TIMEOUT_S = 180;
/** A pooled socket idle this long is closed by us rather than picked a moment before the server's 1008. */
const RETIRE_IDLE_AFTER_MS = (INACTIVITY_TIMEOUT_S - 10) * 1000;

const LABELS: Record<string, string> = {
  eleven_flash_v2_5: 'ElevenLabs Flash',
  eleven_turbo_v2_5: 'ElevenLabs Turbo',
  eleven_multilingual_v2: 'ElevenLabs Multilingual',
};

type Redact = (text: string) => string;

/** A server frame on multi-stream-input: audio, the end of a context, or an error before a 1008 close. */
type ServerFrame = Partial<AudioOutputMulti.Raw> & Partial<FinalOutputMulti.Raw> & { error?: unknown; message?: unknown };

/** The audio of one clause, spoken as its own context on the socket. */
class ContextClause extends ClauseAudio {
  constructor(readonly contextId: string) {
    super();
  }
}

/** One multi-stream-input socket. */
class StreamChannel implements TtsChannel {
  /** Open and not failed. */
  alive = false;
  /** When it opened or the last clause on it ended (for retiring sockets before the server's inactivity timeout). */
  idleSinceMs = 0;
  private socket: WebSocket | null = null;
  private clause: ContextClause | null = null;
  private contexts = 0;
  private readonly watchdog: SilenceWatchdog;
  /** The server's error frame (`error` code) that came before its close, if any. */
  private serverError: string | null = null;

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly o: ResolvedOptions,
    private readonly redact: Redact,
  ) {
    this.watchdog = new SilenceWatchdog(o.responseTimeoutMs, () => {
      this.fail(new Error(`ElevenLabs TTS: no answer within ${o.responseTimeoutMs} ms`));
      this.destroy();
    });
  }

  /** A late frame of an abandoned context is recognised by its id, so nothing but a closed socket stops reuse. */
  get reusable(): boolean {
    return this.alive;
  }

  /** Resolves once the socket is open; rejects with a plain message otherwise. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(this.url, { headers: { 'xi-api-key': this.apiKey }, handshakeTimeout: this.o.connectTimeoutMs });
      this.socket = socket;
      let settled = false;
      const refuse = (message: string) => {
        if (settled) return;
        settled = true;
        reject(new Error(this.redact(message)));
      };
      socket.on('unexpected-response', (_request, response) => {
        // The handshake was answered with an HTTP error: its JSON body says why (detail.status).
        const parts: Buffer[] = [];
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () => {
          refuse(handshakeRefusal(response.statusCode ?? 0, Buffer.concat(parts).toString('utf8')));
          socket.terminate();
        });
        response.on('error', () => refuse(handshakeRefusal(response.statusCode ?? 0, '')));
      });
      socket.on('open', () => {
        settled = true;
        this.alive = true;
        this.idleSinceMs = performance.now();
        resolve();
      });
      socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
      socket.on('error', (error: Error) => {
        const code = networkCodeOf(error);
        refuse(`ElevenLabs TTS: could not connect (${code ?? error.message})`);
        this.onClosed(code ?? 'socket error');
      });
      socket.on('close', (code: number) => {
        refuse(`ElevenLabs TTS: could not connect (close ${code})`);
        this.onClosed(`close ${code}`);
      });
    });
  }

  /** Starts speaking `text` in a new context; its audio arrives on the returned queue. */
  speak(text: string): ContextClause {
    const clause = new ContextClause(`clause-${++this.contexts}`);
    if (!this.socket || !this.alive) {
      // Closed since it was picked: a failed clause without audio, which synthesize() retries.
      clause.fail(new Error('ElevenLabs TTS: connection closed mid-clause (socket was closed)'));
      return clause;
    }
    this.clause = clause;
    const contextId = clause.contextId;
    // A context starts with a single space; text ends with a space so words are not glued to the next send.
    this.send({ text: ' ', context_id: contextId } satisfies InitialiseContext.Raw);
    this.send({ text: `${text} `, context_id: contextId, flush: true } satisfies SendTextMulti.Raw);
    // Closing right after the flush lets that audio finish and brings isFinal, which ends the clause.
    this.send({ context_id: contextId, close_context: true } satisfies CloseContext.Raw);
    this.watchdog.arm();
    return clause;
  }

  /**
   * Barge-in: close_context, and the socket is reusable at once (the old context's late audio
   * is recognised by its id and dropped).
   */
  abandonClause(): void {
    const clause = this.clause;
    this.clause = null;
    this.watchdog.stop();
    this.idleSinceMs = performance.now();
    if (!clause) return;
    clause.fail(new Error('cancelled'));
    if (this.alive) this.send({ context_id: clause.contextId, close_context: true } satisfies CloseContext.Raw);
  }

  destroy(): void {
    this.alive = false;
    this.watchdog.stop();
    const socket = this.socket;
    if (!socket) return;
    if (socket.readyState === WebSocket.OPEN) {
      this.send({ close_socket: true } satisfies CloseSocket.Raw);
      socket.close(1000);
    } else if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    }
  }

  private send(message: Record<string, unknown>): void {
    try {
      this.socket?.send(JSON.stringify(message));
    } catch {
      // closing: the close handler fails the clause
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return; // audio comes base64 in JSON; nothing binary is expected
    let frame: ServerFrame;
    try {
      frame = JSON.parse(rawText(data)) as ServerFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    if (frame.error !== undefined) {
      // Sent just before a 1008 close. Only a well-formed code is kept: the message may quote the text.
      this.serverError = typeof frame.error === 'string' && /^[a-z0-9_]{1,64}$/.test(frame.error) ? frame.error : 'error';
      return;
    }
    const clause = this.clause;
    // Audio or isFinal of a context we cancelled (or of none) is stale: drop it.
    if (!clause || clause.ended || frame.contextId !== clause.contextId) return;
    if (typeof frame.audio === 'string' && frame.audio.length > 0) {
      clause.push(Buffer.from(frame.audio, 'base64'));
      this.watchdog.arm();
    }
    if (frame.isFinal === true) {
      this.clause = null;
      this.watchdog.stop();
      this.idleSinceMs = performance.now();
      clause.end();
    }
  }

  private onClosed(detail: string): void {
    if (!this.alive && !this.clause) return;
    this.alive = false;
    const error = this.serverError;
    const message =
      error === 'quota_exceeded'
        ? `ElevenLabs TTS: the account's character quota is used up (${error}, ${detail})`
        : error
          ? `ElevenLabs TTS: the service ended the stream (${error}, ${detail})`
          : `ElevenLabs TTS: connection closed mid-clause (${detail})`;
    this.fail(new Error(this.redact(message)));
  }

  /** Fails the clause in progress (if any). */
  private fail(error: Error): void {
    const clause = this.clause;
    this.clause = null;
    this.watchdog.stop();
    clause?.fail(error);
  }

}

interface ResolvedOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  maxIdleSockets: number;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** ElevenLabs' error bodies: `{"detail":{"status":"quota_exceeded","message":…}}` (or a string detail). */
export function detailStatusOf(body: unknown): string | null {
  if (typeof body === 'string') {
    try {
      return detailStatusOf(JSON.parse(body) as unknown);
    } catch {
      return null;
    }
  }
  if (typeof body !== 'object' || body === null) return null;
  const detail = (body as { detail?: unknown }).detail;
  if (typeof detail === 'object' && detail !== null) {
    const status = (detail as { status?: unknown }).status;
    if (typeof status === 'string' && /^[a-z0-9_]{1,64}$/.test(status)) return status;
  }
  return null;
}

/** A refused handshake in one sentence (status and ElevenLabs' reason code, never the body's prose). */
function handshakeRefusal(status: number, body: string): string {
  const reason = detailStatusOf(body);
  const what = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (reason === 'quota_exceeded') return `ElevenLabs TTS: the account's character quota is used up (${what})`;
  if (status === 401 || status === 403) return `ElevenLabs TTS: the API key was refused (${what})`;
  if (status === 429) return `ElevenLabs TTS: too many requests or streams at once (${what})`;
  return `ElevenLabs TTS: could not connect (${what})`;
}

/** 'http://127.0.0.1:5' -> 'ws://127.0.0.1:5'; 'https://api.elevenlabs.io' -> 'wss://api.elevenlabs.io'. */
function webSocketOrigin(origin: string): string {
  return new URL(origin).origin.replace(/^http/, 'ws');
}

export function createElevenLabsTts(options: ElevenLabsTtsOptions): PooledTtsProvider {
  if (!options.apiKey) throw new Error('ElevenLabs TTS needs an API key');
  const o: ResolvedOptions = {
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    responseTimeoutMs: options.responseTimeoutMs ?? 5000,
    maxIdleSockets: options.maxIdleSockets ?? 2,
  };
  const modelId = options.modelId ?? ELEVENLABS_DEFAULT_MODEL;
  const voiceId = options.voiceId ?? ELEVENLABS_DEFAULT_VOICE_ID;
  const apiKey = options.apiKey;
  const redact: Redact = (text) => text.split(apiKey).join('[redacted]');
  const query = new URLSearchParams({ model_id: modelId, output_format: 'ulaw_8000', inactivity_timeout: String(INACTIVITY_TIMEOUT_S) });
  const url = `${webSocketOrigin(options.baseUrl ?? ELEVENLABS_ORIGIN)}/v1/text-to-speech/${encodeURIComponent(voiceId)}/multi-stream-input?${query}`;
  return createPooledTts({
    label: LABELS[modelId] ?? `ElevenLabs ${modelId}`,
    create: () => new StreamChannel(url, apiKey, o, redact),
    maxIdleSockets: o.maxIdleSockets,
    retired: (channel) => performance.now() - channel.idleSinceMs >= RETIRE_IDLE_AFTER_MS,
    logger: options.logger ?? silentLogger,
    logName: 'elevenlabs-tts',
    vendor: 'ElevenLabs',
  });
}
