/**
 * A loopback Deepgram: one HTTP server on 127.0.0.1:0 that upgrades `GET /v1/listen?…` (live
 * STT) and `GET /v1/speak?…` (Aura TTS) the way api.deepgram.com does, so the real
 * @deepgram/sdk can be pointed at it (architecture.md rule 3, protocols.md "Deepgram").
 *
 * Both endpoints check `Authorization: Token <key>` during the handshake (401 with Deepgram's
 * JSON error body otherwise) and record the query string.
 *
 * listen: a scripted recogniser. It cannot understand audio, so the test says what it
 * "hears" by audio position: each new connection takes the next script queued with
 * `scriptListen`, and a step fires once that connection has received `atAudioMs` of audio
 * (8 mu-law bytes per ms). Times inside messages (start, duration, timestamp) are seconds
 * on that connection's own clock, as Deepgram's are. Finalize answers with the script's
 * `onFinalize` messages (flagged from_finalize); CloseStream answers with Metadata, then
 * close 1000. Without audio or a text message for `listenIdleTimeoutMs` the connection is
 * closed 1011 "NET-0001", as Deepgram does after ~10 s. A step (or `drop()`) can cut the
 * TCP connection without a close frame, the way a network fault does; with `listenFailure`
 * set, new listen handshakes are then refused (an outage rather than a blip).
 *
 * listen, VAD mode (benchmarks): with `listenVad` set, a connection opened without a script
 * listens to the audio's energy instead, like Deepgram's endpointer does: SpeechStarted when
 * a 10 ms block is loud, an interim Results every `interimEveryMs` of speech, and the final
 * (is_final + speech_final) once `endpointingMs` of silence follows the last loud block, i.e.
 * exactly that much audio after speech ends; then UtteranceEnd after `utterance_end_ms` of
 * silence. The final's start/duration cover the speech itself (start + duration = speech end),
 * like its words' times. Transcripts come from `transcript(connection, n)`. Every VAD message
 * is logged on the connection (`vadLog`) with the performance.now() it went out at.
 *
 * speak: on Flush it "synthesises" the text sent with Speak since the last Flush: a tone
 * whose length is proportional to the text (msPerChar), sent as binary mu-law chunks after
 * a first-byte delay, then `{type:"Flushed", sequence_id}`. Metadata goes out once, before
 * the first audio. Clear stops the audio (after `clearLagChunks` chunks already "in flight")
 * and answers `{type:"Cleared", sequence_id}`; Close closes 1000. `speakFailure` makes it
 * misbehave for the next connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { tone } from './tone';

export type ListenStep =
  /** Sends `send` (a JSON message) once `atAudioMs` of audio has arrived on the connection. */
  | { atAudioMs: number; send: Record<string, unknown> }
  /** Cuts the TCP connection (no close frame) once `atAudioMs` of audio has arrived. */
  | { atAudioMs: number; drop: true }
  /** Sent (with from_finalize: true) when the client sends Finalize. */
  | { onFinalize: Record<string, unknown> };

/** Which way the speak endpoint misbehaves; null behaves. */
export type SpeakFailure =
  | null
  /** The handshake is answered with HTTP 503. */
  | 'reject-upgrade'
  /** Each Flush is answered with a Warning and no audio. */
  | 'warning'
  /** The TCP connection is cut after the first audio chunk of a clause. */
  | 'drop-mid-clause';

/** Energy-driven recognition for connections that have no script (see the header). */
export interface ListenVadSettings {
  /** Mean absolute 16-bit amplitude of a 10 ms block above which it counts as speech. */
  threshold: number;
  /** Silence after speech before the final goes out (Deepgram's endpointing). */
  endpointingMs: number;
  /** An interim goes out after each this-many ms of an utterance. */
  interimEveryMs: number;
  /** Speaking rate used to decide how many words an interim already holds. */
  msPerWord: number;
  /** What the caller "said" in utterance `n` (0-based) of this connection. */
  transcript(connection: ListenConnection, n: number): string;
  /** The first interim comes this long after speech starts (a real service's lag; default interimEveryMs). */
  firstInterimAfterMs?: number;
  /** SpeechStarted goes out this long after speech starts (default 0); null: never. */
  speechStartedAfterMs?: number | null;
}

export const DEFAULT_LISTEN_VAD: ListenVadSettings = {
  threshold: 300,
  endpointingMs: 300,
  interimEveryMs: 100,
  msPerWord: 300,
  transcript: () => 'I would like to check the balance on my account please',
};

export interface VadLogEntry {
  kind: 'speech-started' | 'interim' | 'final' | 'utterance-end';
  /** Utterance number on this connection. */
  utterance: number;
  /** Audio position (ms) the message was triggered at. */
  audioMs: number;
  /** performance.now() when it was sent. */
  atPerfMs: number;
}

export interface DeepgramFakeOptions {
  /** The key the fake accepts (`Authorization: Token <apiKey>`). */
  apiKey: string;
  /** Listen connections close 1011 after this long without audio or a text message. */
  listenIdleTimeoutMs?: number;
  /** Called with every binary audio message a listen connection receives (benchmarks' taps). */
  onListenAudio?: (connection: ListenConnection, bytes: Buffer) => void;
}

export interface SpeakSettings {
  /** Delay between Flush and the first audio chunk. */
  firstByteDelayMs: number;
  /** Audio produced per character of text. */
  msPerChar: number;
  /** Bytes per binary frame. */
  chunkBytes: number;
  /** Delay between binary frames. */
  chunkIntervalMs: number;
  /** Audio chunks still sent after a Clear arrives, before Cleared (audio in flight). */
  clearLagChunks: number;
}

const DEFAULT_SPEAK: SpeakSettings = { firstByteDelayMs: 40, msPerChar: 60, chunkBytes: 800, chunkIntervalMs: 10, clearLagChunks: 1 };

/** A Results message as Deepgram sends it. Times in seconds on the connection's clock. */
export function results(r: {
  transcript: string;
  start: number;
  duration: number;
  isFinal?: boolean;
  speechFinal?: boolean;
  fromFinalize?: boolean;
  confidence?: number;
}): Record<string, unknown> {
  const words = r.transcript.split(/\s+/).filter(Boolean);
  const step = words.length ? r.duration / words.length : 0;
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: r.duration,
    start: r.start,
    is_final: r.isFinal ?? false,
    speech_final: r.speechFinal ?? false,
    from_finalize: r.fromFinalize ?? false,
    channel: {
      alternatives: [
        {
          transcript: r.transcript,
          confidence: r.confidence ?? 0.98,
          words: words.map((w, i) => ({
            word: w.toLowerCase().replace(/[^a-z0-9']/g, ''),
            start: r.start + i * step,
            end: r.start + (i + 1) * step,
            confidence: r.confidence ?? 0.98,
            punctuated_word: w,
          })),
        },
      ],
    },
    metadata: {
      request_id: randomUUID(),
      model_info: { name: '2-general-nova', version: '2024-01-18.26916', arch: 'nova-3' },
      model_uuid: randomUUID(),
    },
  };
}

export function speechStarted(timestamp: number): Record<string, unknown> {
  return { type: 'SpeechStarted', channel: [0], timestamp };
}

export function utteranceEnd(lastWordEnd: number): Record<string, unknown> {
  return { type: 'UtteranceEnd', channel: [0, 1], last_word_end: lastWordEnd };
}

interface Closed {
  code: number;
  reason: string;
}

const VAD_BLOCK_MS = 10;
const VAD_BLOCK_BYTES = VAD_BLOCK_MS * 8;

/** G.711 mu-law byte -> linear 16-bit sample. */
const MULAW_DECODE: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) {
    const u = ~i & 0xff;
    const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
    table[i] = u & 0x80 ? 0x84 - t : t - 0x84;
  }
  return table;
})();

interface VadState {
  settings: ListenVadSettings;
  /** From the query (`utterance_end_ms`); null: no UtteranceEnd messages. */
  utteranceEndMs: number | null;
  /** Bytes of an incomplete 10 ms block. */
  partial: Buffer;
  blockStartMs: number;
  /** Utterances finished so far. */
  utterance: number;
  speech: { startMs: number; lastLoudEndMs: number; words: string[]; nextInterimMs: number; speechStartedAtMs: number | null } | null;
  /** End of the last finished utterance, until its UtteranceEnd went out. */
  lastFinalEndMs: number | null;
}

export class ListenConnection {
  /** Bytes of audio received (binary frames). */
  bytesReceived = 0;
  /** Text messages received, in order, with the audio position each arrived at. */
  readonly controls: Array<{ type: string; atAudioMs: number }> = [];
  /** Resolves when the connection is over: the fake's close code, or 1006 for a drop. */
  readonly closed: Promise<Closed>;
  private readonly chunks: Buffer[] = [];
  private steps: ListenStep[];
  private idleTimer: NodeJS.Timeout | null = null;
  private resolveClosed: (c: Closed) => void = () => undefined;
  private over = false;
  /** VAD mode: messages sent, in order (empty otherwise). */
  readonly vadLog: VadLogEntry[] = [];
  private vadState: VadState | null = null;

  constructor(
    readonly index: number,
    readonly query: URLSearchParams,
    readonly authorization: string,
    private readonly ws: WebSocket,
    script: ListenStep[],
    private readonly idleTimeoutMs: number,
    vad: ListenVadSettings | null = null,
    private readonly onAudio: ((connection: ListenConnection, bytes: Buffer) => void) | null = null,
  ) {
    this.steps = [...script];
    if (vad) {
      const utteranceEnd = Number(query.get('utterance_end_ms'));
      this.vadState = {
        settings: vad,
        utteranceEndMs: Number.isFinite(utteranceEnd) && utteranceEnd > 0 ? utteranceEnd : null,
        partial: Buffer.alloc(0),
        blockStartMs: 0,
        utterance: 0,
        speech: null,
        lastFinalEndMs: null,
      };
    }
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.finish({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
    this.armIdle();
  }

  /** Bytes in each binary message received, in order (how the client batched its audio). */
  messageSizes(): number[] {
    return this.chunks.map((c) => c.length);
  }

  /** All audio received, concatenated. */
  audio(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get audioMs(): number {
    return this.bytesReceived / 8;
  }

  /** Sends a JSON message now. */
  send(message: Record<string, unknown>): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Cuts the TCP connection without a close frame (the client sees 1006). */
  drop(): void {
    this.ws.terminate();
    this.finish({ code: 1006, reason: 'dropped by test' });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.over) return;
    this.armIdle();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      if (bytes.length === 0) return this.closeStream(); // Deepgram's deprecated close signal
      this.chunks.push(bytes);
      this.bytesReceived += bytes.length;
      this.onAudio?.(this, bytes);
      this.runSteps();
      if (this.vadState) this.runVad(bytes);
      return;
    }
    let message: { type?: unknown };
    try {
      message = JSON.parse(bytes.toString('utf8')) as { type?: unknown };
    } catch {
      this.ws.close(1008, 'DATA-0000');
      return;
    }
    const type = typeof message.type === 'string' ? message.type : '?';
    this.controls.push({ type, atAudioMs: this.audioMs });
    if (type === 'Finalize') this.finalize();
    else if (type === 'CloseStream') this.closeStream();
  }

  private runSteps(): void {
    while (!this.over) {
      const next = this.steps[0];
      if (!next || 'onFinalize' in next || next.atAudioMs > this.audioMs) return;
      this.steps.shift();
      if ('drop' in next) return this.drop();
      this.send(next.send);
    }
  }

  /** VAD mode: judges the new audio 10 ms (80 bytes) at a time. */
  private runVad(bytes: Buffer): void {
    const v = this.vadState!;
    let data = v.partial.length ? Buffer.concat([v.partial, bytes]) : bytes;
    const { settings } = v;
    while (data.length >= VAD_BLOCK_BYTES && !this.over) {
      let sum = 0;
      for (let i = 0; i < VAD_BLOCK_BYTES; i++) sum += Math.abs(MULAW_DECODE[data[i]!]!);
      data = data.subarray(VAD_BLOCK_BYTES);
      const startMs = v.blockStartMs;
      const endMs = (v.blockStartMs += VAD_BLOCK_MS);
      const loud = sum / VAD_BLOCK_BYTES >= settings.threshold;
      const s = v.speech;
      if (loud) {
        if (!s) {
          const words = settings.transcript(this, v.utterance).split(/\s+/).filter(Boolean);
          const startedAfter = settings.speechStartedAfterMs === undefined ? 0 : settings.speechStartedAfterMs;
          v.speech = {
            startMs,
            lastLoudEndMs: endMs,
            words,
            nextInterimMs: startMs + (settings.firstInterimAfterMs ?? settings.interimEveryMs),
            speechStartedAtMs: startedAfter === null ? null : startMs + startedAfter,
          };
          v.lastFinalEndMs = null;
        } else {
          s.lastLoudEndMs = endMs;
        }
      }
      const cur = v.speech;
      if (cur && cur.speechStartedAtMs !== null && endMs > cur.speechStartedAtMs) {
        this.vadSend('speech-started', endMs, speechStarted(cur.startMs / 1000));
        cur.speechStartedAtMs = null;
      }
      if (cur && endMs >= cur.nextInterimMs && endMs - cur.lastLoudEndMs < settings.endpointingMs) {
        cur.nextInterimMs += settings.interimEveryMs;
        const count = Math.min(cur.words.length, Math.max(1, Math.ceil((endMs - cur.startMs) / settings.msPerWord)));
        const transcript = cur.words.slice(0, count).join(' ');
        if (transcript) this.vadSend('interim', endMs, results({ transcript, start: cur.startMs / 1000, duration: (endMs - cur.startMs) / 1000 }));
      }
      if (cur && endMs - cur.lastLoudEndMs >= settings.endpointingMs) {
        const transcript = cur.words.join(' ');
        this.vadSend(
          'final',
          endMs,
          results({ transcript, start: cur.startMs / 1000, duration: (cur.lastLoudEndMs - cur.startMs) / 1000, isFinal: true, speechFinal: true }),
        );
        v.speech = null;
        v.utterance++;
        v.lastFinalEndMs = cur.lastLoudEndMs;
      }
      if (!v.speech && v.lastFinalEndMs !== null && v.utteranceEndMs !== null && endMs - v.lastFinalEndMs >= v.utteranceEndMs) {
        this.vadSend('utterance-end', endMs, utteranceEnd(v.lastFinalEndMs / 1000));
        v.lastFinalEndMs = null;
      }
    }
    v.partial = Buffer.from(data);
  }

  private vadSend(kind: VadLogEntry['kind'], audioMs: number, message: Record<string, unknown>): void {
    this.send(message);
    // An UtteranceEnd follows the final of the utterance before the current one.
    const utterance = this.vadState!.utterance - (kind === 'utterance-end' ? 1 : 0);
    this.vadLog.push({ kind, utterance, audioMs, atPerfMs: performance.now() });
  }

  private finalize(): void {
    const pending = this.steps.filter((s): s is { onFinalize: Record<string, unknown> } => 'onFinalize' in s);
    this.steps = this.steps.filter((s) => !('onFinalize' in s));
    for (const s of pending) this.send({ ...s.onFinalize, is_final: true, from_finalize: true });
  }

  private closeStream(): void {
    this.finalize();
    this.send({
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: randomUUID(),
      sha256: '0'.repeat(64),
      created: new Date().toISOString(),
      duration: this.bytesReceived / 8000,
      channels: 1,
    });
    this.ws.close(1000);
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.ws.close(1011, 'NET-0001'), this.idleTimeoutMs);
  }

  private finish(closed: Closed): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.over) return;
    this.over = true;
    this.resolveClosed(closed);
  }
}

export class SpeakConnection {
  /** Texts of Speak messages, in order. */
  readonly texts: string[] = [];
  /** Types of all text messages received, in order. */
  readonly controls: string[] = [];
  /** Audio bytes sent to the client. */
  bytesSent = 0;
  readonly closed: Promise<Closed>;
  private pendingText = '';
  private sequenceId = 0;
  private metadataSent = false;
  private job: { timer: NodeJS.Timeout | null; remaining: Buffer; sequenceId: number; lag: number | null } | null = null;
  private resolveClosed: (c: Closed) => void = () => undefined;
  private over = false;

  constructor(
    readonly query: URLSearchParams,
    private readonly ws: WebSocket,
    private readonly settings: () => SpeakSettings,
    private readonly failure: SpeakFailure,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.finish({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
  }

  /** Cuts the TCP connection without a close frame. */
  drop(): void {
    this.ws.terminate();
    this.finish({ code: 1006, reason: 'dropped by test' });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.over) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) return void this.ws.close(1003, 'binary frames are not accepted');
    let message: { type?: unknown; text?: unknown };
    try {
      message = JSON.parse(bytes.toString('utf8')) as { type?: unknown; text?: unknown };
    } catch {
      return void this.ws.close(1008, 'DATA-0000');
    }
    const type = typeof message.type === 'string' ? message.type : '?';
    this.controls.push(type);
    switch (type) {
      case 'Speak':
        if (typeof message.text === 'string') {
          this.texts.push(message.text);
          this.pendingText += message.text;
        }
        break;
      case 'Flush':
        this.flush();
        break;
      case 'Clear':
        this.clear();
        break;
      case 'Close':
        this.stopJob();
        this.ws.close(1000);
        break;
    }
  }

  private flush(): void {
    const text = this.pendingText;
    this.pendingText = '';
    const sequenceId = this.sequenceId++;
    if (this.failure === 'warning') {
      this.send({ type: 'Warning', description: 'Text exceeds the character limit for this model.', code: 'TEXT_TOO_LONG' });
      return;
    }
    if (!this.metadataSent) {
      this.metadataSent = true;
      this.send({ type: 'Metadata', request_id: randomUUID(), model_name: this.query.get('model') ?? 'aura-2-thalia-en', model_version: '2025-04-07.0', model_uuid: randomUUID() });
    }
    const settings = this.settings();
    // Queued behind any clause still being sent, like the real service.
    const audio = tone(Math.round(text.length * settings.msPerChar * 8));
    if (this.job) {
      this.job.remaining = Buffer.concat([this.job.remaining, audio]);
      return;
    }
    this.job = { timer: null, remaining: audio, sequenceId, lag: null };
    this.job.timer = setTimeout(() => this.pump(), settings.firstByteDelayMs);
  }

  private pump(): void {
    const job = this.job;
    if (!job || this.over) return;
    const settings = this.settings();
    if (job.lag !== null && job.lag-- <= 0) return this.finishClear();
    if (job.remaining.length > 0) {
      const chunk = job.remaining.subarray(0, settings.chunkBytes);
      job.remaining = job.remaining.subarray(chunk.length);
      this.ws.send(chunk, { binary: true });
      this.bytesSent += chunk.length;
      if (this.failure === 'drop-mid-clause') return this.drop();
    }
    if (job.remaining.length === 0 && job.lag === null) {
      this.job = null;
      this.send({ type: 'Flushed', sequence_id: job.sequenceId });
      return;
    }
    if (job.remaining.length === 0) return this.finishClear();
    job.timer = setTimeout(() => this.pump(), settings.chunkIntervalMs);
  }

  private clear(): void {
    this.pendingText = '';
    const job = this.job;
    if (!job) return void this.send({ type: 'Cleared', sequence_id: this.sequenceId });
    if (job.lag !== null) return;
    job.lag = this.settings().clearLagChunks;
    if (job.lag <= 0) this.finishClear();
  }

  private finishClear(): void {
    this.stopJob();
    this.send({ type: 'Cleared', sequence_id: this.sequenceId });
  }

  private stopJob(): void {
    if (this.job?.timer) clearTimeout(this.job.timer);
    this.job = null;
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private finish(closed: Closed): void {
    this.stopJob();
    if (this.over) return;
    this.over = true;
    this.resolveClosed(closed);
  }
}

export interface DeepgramFake {
  /** For `new DeepgramClient({ apiKey, environment })`. */
  readonly environment: { base: string; production: string; agent: string; agentRest: string };
  readonly port: number;
  /** Every upgrade request, accepted or not. */
  readonly handshakes: Array<{ path: string; status: number }>;
  readonly listenConnections: ListenConnection[];
  readonly speakConnections: SpeakConnection[];
  /** Queues a script for the next listen connection (connections without one hear nothing). */
  scriptListen(steps: ListenStep[]): void;
  /** Resolves with listen connection number `index` (0-based) once it exists. */
  listenConnection(index: number, timeoutMs?: number): Promise<ListenConnection>;
  speak: SpeakSettings;
  /** Applies to speak connections opened from now on. */
  speakFailure: SpeakFailure;
  /** 'reject-upgrade': listen handshakes from now on are answered 503 (the service is down). */
  listenFailure: 'reject-upgrade' | null;
  /** VAD mode for listen connections opened from now on without a script; null: off. */
  listenVad: ListenVadSettings | null;
  close(): Promise<void>;
}

export async function startDeepgramFake(options: DeepgramFakeOptions): Promise<DeepgramFake> {
  const idleTimeoutMs = options.listenIdleTimeoutMs ?? 10_000;
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<Socket>();
  const scripts: ListenStep[][] = [];
  const waiters: Array<() => void> = [];

  const server: Server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ err_code: 'NOT_FOUND', err_msg: 'This fake serves WebSocket upgrades only.' }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const reject = (socket: Socket, status: number, statusText: string, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json\r\ndg-error: ${String(body.err_msg)}\r\n` +
        `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  };

  const fake: DeepgramFake = {
    environment: { base: '', production: '', agent: '', agentRest: '' },
    port: 0,
    handshakes: [],
    listenConnections: [],
    speakConnections: [],
    speak: { ...DEFAULT_SPEAK },
    speakFailure: null,
    listenFailure: null,
    listenVad: null,
    scriptListen(steps) {
      scripts.push(steps);
    },
    async listenConnection(index, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!fake.listenConnections[index]) {
        if (Date.now() > deadline) throw new Error(`no listen connection #${index} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 50);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return fake.listenConnections[index]!;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const record = (status: number) => fake.handshakes.push({ path, status });
    if (path !== '/v1/listen' && path !== '/v1/speak') {
      record(404);
      return reject(socket, 404, 'Not Found', { err_code: 'NOT_FOUND', err_msg: 'Unknown path.' });
    }
    const authorization = req.headers.authorization ?? '';
    if (authorization !== `Token ${options.apiKey}`) {
      record(401);
      return reject(socket, 401, 'Unauthorized', {
        err_code: 'INVALID_AUTH',
        err_msg: 'Invalid credentials.',
        request_id: randomUUID(),
      });
    }
    if (path === '/v1/listen' && fake.listenFailure === 'reject-upgrade') {
      record(503);
      return reject(socket, 503, 'Service Unavailable', { err_code: 'SERVICE_UNAVAILABLE', err_msg: 'Service unavailable.' });
    }
    if (path === '/v1/speak' && fake.speakFailure === 'reject-upgrade') {
      record(503);
      return reject(socket, 503, 'Service Unavailable', { err_code: 'SERVICE_UNAVAILABLE', err_msg: 'Service unavailable.' });
    }
    record(101);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (path === '/v1/listen') {
        const script = scripts.shift();
        const vad = script === undefined ? fake.listenVad : null;
        const conn = new ListenConnection(
          fake.listenConnections.length,
          url.searchParams,
          authorization,
          ws,
          script ?? [],
          idleTimeoutMs,
          vad,
          options.onListenAudio ?? null,
        );
        fake.listenConnections.push(conn);
        for (const wake of waiters.splice(0)) wake();
      } else {
        fake.speakConnections.push(new SpeakConnection(url.searchParams, ws, () => fake.speak, fake.speakFailure));
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(fake, {
    port,
    environment: {
      base: `http://127.0.0.1:${port}`,
      production: `ws://127.0.0.1:${port}`,
      agent: `ws://127.0.0.1:${port}`,
      agentRest: `http://127.0.0.1:${port}`,
    },
  });
  return fake;
}
