/**
 * Deepgram live speech to text (Nova-3) over the listen WebSocket, through @deepgram/sdk v5.
 *
 * One socket per stream. Caller audio goes up as raw mu-law 8 kHz binary frames; Deepgram
 * answers with Results (interim, then is_final segments; speech_final when its endpointer
 * decides the caller stopped), SpeechStarted and UtteranceEnd. We emit one `final` per
 * utterance: is_final segments are collected until speech_final, UtteranceEnd or a
 * Finalize answer (from_finalize), then joined. Interims carry the whole utterance so far.
 *
 * Clock: every time is ms of audio since the stream opened. Deepgram's times are seconds
 * since the start of the socket's own audio, so each socket has a base (the stream position
 * of its first byte) that is added to everything it reports.
 *
 * Fault tolerance: the SDK's own reconnect is off (reconnectAttempts 0; it would replay
 * nothing and restart its clock at zero). When a socket drops unexpectedly we open a new one
 * at once (bounded attempts, short backoff) and feed it the audio from the end of the last
 * is_final segment onwards: words Deepgram had only shown as interims are re-recognised, so
 * nothing the caller said is lost, and nothing already final is sent twice. Audio written
 * while reconnecting is held in the same buffer. The new socket's base is that position, so
 * its times continue on the stream clock. After `maxReconnectAttempts` failures, or once the
 * stream has been without a socket for `maxOutageMs` since a failure, the events end with a
 * ProviderFailure (a call then hands the caller's audio to the offline recogniser). A refused
 * key ends them at once: retrying cannot help.
 *
 * SDK quirks handled here: `connect()` returns an unopened socket (call `socket.connect()`);
 * `on(event, cb)` replaces the previous handler, so each socket gets exactly one of each;
 * sendMedia throws unless the socket is open; on a handshake failure the SDK reports
 * `close` (code 1000!) before `error`, so a socket's end is judged a tick after either.
 */
import { DeepgramClient, type Deepgram, type DeepgramEnvironmentUrls } from '@deepgram/sdk';
import { silentLogger, type Logger } from '../../log';
import type { MulawAudio, SttEvent, SttProvider, SttStream, SttUrgency } from '../types';
import { EventQueue } from '../event-queue';
import { hostOf, networkCodeOf, ProviderFailure } from '../failure';

export interface DeepgramSttOptions {
  apiKey: string;
  /** Deepgram model; `nova-3` by default. */
  model?: string;
  /** Service URLs (tests point these at a loopback fake). */
  environment?: DeepgramEnvironmentUrls;
  /** Silence after speech before Deepgram marks a result speech_final. */
  endpointingMs?: number;
  /** Gap between words after which Deepgram sends UtteranceEnd (needs interim results). */
  utteranceEndMs?: number;
  logger?: Logger;
  /** A KeepAlive is sent after this long without audio (Deepgram closes after ~10 s). */
  keepAliveMs?: number;
  /** Reconnect attempts after a drop (or for the first connection) before giving up. */
  maxReconnectAttempts?: number;
  /** Time allowed for one connection attempt. */
  connectTimeoutMs?: number;
  /** After close(): how long to wait for Deepgram's last results and close frame. */
  closeTimeoutMs?: number;
  /** Audio kept for replay beyond the last final result (bounds memory if none come). */
  maxReplayMs?: number;
  /**
   * After a failed connection or a drop, how long the stream may go on reconnecting before it
   * gives up (also bounds an attempt that hangs). A call's recogniser keeps this short: the
   * offline one takes over.
   */
  maxOutageMs?: number;
}

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
type ListenMessage = Deepgram.listen.ListenV1Results | Deepgram.listen.ListenV1Metadata | Deepgram.listen.ListenV1UtteranceEnd | Deepgram.listen.ListenV1SpeechStarted;

const BYTES_PER_MS = 8;
/**
 * While the caller listens quietly to the AI, audio goes to Deepgram 100 ms at a time, not
 * 20: a fifth of the socket writes for what is most of a call's audio (issue 14: 250 calls on
 * two cores). Nothing waits on it: a frame with voice sends what is held at once.
 */
const RELAXED_BATCH_BYTES = 100 * BYTES_PER_MS;
/** The most audio one message carries (a reconnect replays seconds of it). */
const MAX_MEDIA_MESSAGE_BYTES = 500 * BYTES_PER_MS;
/** Delay before reconnect attempt n (0-based); the first is immediate. */
const RECONNECT_BACKOFF_MS = [0, 100, 250, 500, 1000];


/** Removes the API key from any text that may reach a log or the UI. */
function redactor(apiKey: string): (text: string) => string {
  return (text) => (apiKey ? text.split(apiKey).join('[redacted]') : text);
}

/** One connection attempt and what became of it. */
interface Attempt {
  socket: ListenSocket | null;
  /** Stream position (bytes) of this socket's first audio byte. */
  baseBytes: number;
  opened: boolean;
  /** We closed it on purpose (abort, replaced); its events are ignored. */
  discarded: boolean;
  closeCode: number | null;
  closeReason: string;
  error: Error | null;
  endScheduled: boolean;
  /** Finalize + CloseStream went out on this socket. */
  closeStreamSent: boolean;
}

class DeepgramStream implements SttStream {
  readonly events = new EventQueue<SttEvent>();
  private readonly client: DeepgramClient;
  private readonly redact: (text: string) => string;
  private readonly log: Logger;

  /** Audio not yet confirmed final, from stream position `bufferStartBytes`. */
  private buffer: Buffer[] = [];
  private bufferStartBytes = 0;
  private bufferBytes = 0;
  /** Stream position: all audio written. */
  private writtenBytes = 0;
  /** Stream position up to which the current socket has been sent audio. */
  private sentBytes = 0;
  /** Stream position up to which Deepgram has given is_final results. */
  private committedBytes = 0;

  private attempt: Attempt | null = null;
  private failedAttempts = 0;
  /** Some socket of this stream has been open (later failures are reconnects). */
  private everOpened = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Since when (performance.now) and from which audio position no socket has worked; null while one does. */
  private outage: { sincePerfMs: number; sinceAudioMs: number; lastReason: string; lastError: Error | null } | null = null;
  private outageTimer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private lastSendAt = Date.now();

  /** The utterance being built from is_final segments. */
  private segments: string[] = [];
  /** The final segments' words with their times, for the utterance they make up. */
  private words: Array<{ text: string; startMs: number; endMs: number }> = [];
  private utteranceStartMs: number | null = null;
  private utteranceEndMs = 0;
  private confidenceSum = 0;
  private lastSpeechStartedMs = -1;

  private closing = false;
  private finished = false;
  private closed: Promise<void> | null = null;
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly o: Required<Omit<DeepgramSttOptions, 'environment' | 'logger'>> & { environment?: DeepgramEnvironmentUrls; logger: Logger },
    signal: AbortSignal,
  ) {
    this.client = new DeepgramClient({ apiKey: o.apiKey, ...(o.environment ? { environment: o.environment } : {}) });
    this.redact = redactor(o.apiKey);
    this.log = o.logger;
    if (signal.aborted) {
      this.abort();
      return;
    }
    signal.addEventListener('abort', () => this.abort(), { once: true });
    this.keepAliveTimer = setInterval(() => this.keepAlive(), Math.max(50, Math.min(1000, o.keepAliveMs / 4)));
    this.connect();
  }

  write(audio: MulawAudio, urgency: SttUrgency = 'now'): void {
    if (this.finished || this.closing || audio.bytes.length === 0) return;
    this.buffer.push(audio.bytes);
    this.bufferBytes += audio.bytes.length;
    this.writtenBytes += audio.bytes.length;
    this.trimBuffer();
    if (urgency === 'relaxed' && this.writtenBytes - this.sentBytes < RELAXED_BATCH_BYTES) return;
    this.sendPending();
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = new Promise<void>((resolve) => {
        this.resolveClosed = resolve;
        if (this.finished) return resolve();
        this.closing = true;
        this.sendCloseStream();
        // Bounded: if Deepgram never answers, end with what we have.
        this.closeTimer = setTimeout(() => {
          this.log.warn({ provider: 'deepgram-stt' }, 'no close from Deepgram after CloseStream; ending the stream');
          this.finish();
        }, this.o.closeTimeoutMs);
      });
    }
    return this.closed;
  }

  // ------------------------------------------------------------------ connection

  private connect(): void {
    const attempt: Attempt = {
      socket: null,
      baseBytes: this.committedBytes,
      opened: false,
      discarded: false,
      closeCode: null,
      closeReason: '',
      error: null,
      endScheduled: false,
      closeStreamSent: false,
    };
    this.attempt = attempt;
    void this.client.listen.v1
      .connect({
        model: this.o.model,
        encoding: 'mulaw',
        sample_rate: 8000,
        channels: 1,
        interim_results: 'true',
        endpointing: this.o.endpointingMs,
        utterance_end_ms: this.o.utteranceEndMs,
        smart_format: 'true',
        vad_events: 'true',
        reconnectAttempts: 0,
        connectionTimeoutInSeconds: this.o.connectTimeoutMs / 1000,
      })
      .then((socket) => {
        if (attempt.discarded) return void socket.close();
        attempt.socket = socket;
        socket.on('open', () => this.onOpen(attempt));
        socket.on('message', (message) => this.onMessage(attempt, message as ListenMessage));
        socket.on('close', (event) => {
          attempt.closeCode ??= event.code;
          attempt.closeReason ||= event.reason ?? '';
          this.scheduleEnded(attempt);
        });
        socket.on('error', (error) => {
          attempt.error ??= error;
          this.scheduleEnded(attempt);
        });
        socket.connect();
      })
      .catch((error: unknown) => {
        attempt.error = error instanceof Error ? error : new Error(String(error));
        this.scheduleEnded(attempt);
      });
  }

  private onOpen(attempt: Attempt): void {
    if (attempt.discarded || this.finished) return;
    attempt.opened = true;
    this.everOpened = true;
    this.failedAttempts = 0;
    this.outage = null;
    if (this.outageTimer) clearTimeout(this.outageTimer);
    this.outageTimer = null;
    // Replay: everything after the last final result, including audio written while
    // (re)connecting, goes to the new socket; its clock starts at that position.
    attempt.baseBytes = this.committedBytes;
    this.sentBytes = this.committedBytes;
    if (attempt.baseBytes > 0) {
      this.log.info({ provider: 'deepgram-stt', replayMs: (this.writtenBytes - attempt.baseBytes) / BYTES_PER_MS }, 'Deepgram reconnected; replaying audio');
    }
    this.sendPending();
    if (this.closing) this.sendCloseStream();
  }

  /** Close and error may both fire (in either order) for one failure: judge it a tick later. */
  private scheduleEnded(attempt: Attempt): void {
    if (attempt.endScheduled || attempt.discarded) return;
    attempt.endScheduled = true;
    setImmediate(() => this.onEnded(attempt));
  }

  private onEnded(attempt: Attempt): void {
    if (attempt.discarded || this.finished || this.attempt !== attempt) return;
    this.attempt = null;
    // The normal end: Deepgram closes 1000 after CloseStream (and Metadata).
    if (attempt.opened && attempt.closeStreamSent && attempt.error === null && attempt.closeCode === 1000) return this.finish();

    const reason = this.describe(attempt);
    const refused = /\b(401|403)\b/.exec(reason)?.[1];
    if (refused) {
      return this.finish(
        new ProviderFailure(`Deepgram STT: the API key was refused (${reason})`, 'rejected', `Deepgram refused the API key (HTTP ${refused}).`, this.writtenBytes / BYTES_PER_MS),
      );
    }
    // The outage starts at the first failure; a slow but working handshake is not one.
    if (!this.outage) {
      this.outage = { sincePerfMs: performance.now(), sinceAudioMs: this.writtenBytes / BYTES_PER_MS, lastReason: reason, lastError: attempt.error };
      this.outageTimer = setTimeout(() => this.giveUp(`no connection within ${this.o.maxOutageMs} ms`), this.o.maxOutageMs);
    }
    this.outage.lastReason = reason;
    this.outage.lastError = attempt.error;
    if (attempt.opened) {
      this.log.warn({ provider: 'deepgram-stt', code: attempt.closeCode, reason }, 'Deepgram socket dropped; reconnecting');
    } else {
      this.failedAttempts++;
      this.log.warn({ provider: 'deepgram-stt', attempt: this.failedAttempts, reason }, 'Deepgram connection attempt failed');
    }
    // After a drop every attempt is a reconnect; at start the first one is not.
    if (this.everOpened && this.failedAttempts >= this.o.maxReconnectAttempts) {
      return this.giveUp(`${this.failedAttempts} reconnect attempts failed`);
    }
    if (!this.everOpened && this.failedAttempts > this.o.maxReconnectAttempts) {
      return this.giveUp(`${this.failedAttempts} attempts`);
    }
    const delay = RECONNECT_BACKOFF_MS[Math.min(this.failedAttempts, RECONNECT_BACKOFF_MS.length - 1)] ?? 0;
    // An attempt that would start after the outage budget cannot help: give up now.
    if (performance.now() + delay - this.outage.sincePerfMs >= this.o.maxOutageMs) return this.giveUp(`no connection within ${this.o.maxOutageMs} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.finished) this.connect();
    }, delay);
  }

  /** Ends the events: no socket could be (re)opened. `why` says which limit was reached. */
  private giveUp(why: string): void {
    if (this.finished) return;
    const outage = this.outage;
    const reason = outage?.lastReason ?? 'connection closed';
    const message = this.everOpened
      ? `Deepgram STT: connection lost and ${why} (last: ${reason})`
      : `Deepgram STT: could not connect (${why}; last: ${reason})`;
    const code = networkCodeOf(outage?.lastError ?? reason);
    const host = hostOf(this.o.environment?.production ?? 'https://api.deepgram.com');
    const sentence = this.everOpened
      ? `Lost the connection to Deepgram at ${host}${code ? ` (${code})` : ''}; it did not come back.`
      : `Could not reach Deepgram at ${host}${code ? ` (${code})` : ''}.`;
    this.finish(new ProviderFailure(message, 'unreachable', sentence, outage?.sinceAudioMs ?? this.writtenBytes / BYTES_PER_MS));
  }

  private describe(attempt: Attempt): string {
    const parts: string[] = [];
    if (attempt.error) parts.push(attempt.error.message || attempt.error.name);
    if (attempt.closeCode !== null && !(attempt.error && attempt.closeCode === 1000)) {
      parts.push(`close ${attempt.closeCode}${attempt.closeReason ? ` ${attempt.closeReason}` : ''}`);
    }
    return this.redact(parts.join('; ') || 'connection closed');
  }

  private get openSocket(): ListenSocket | null {
    const a = this.attempt;
    return a?.opened && a.socket && a.socket.readyState === 1 ? a.socket : null;
  }

  private sendPending(): void {
    const socket = this.openSocket;
    if (!socket || this.sentBytes >= this.writtenBytes) return;
    // The buffer holds [bufferStartBytes, writtenBytes); send what this socket lacks. Walk
    // back from the newest chunk: usually only the last one is unsent, and the buffer can
    // hold many seconds of audio, so a scan from the front would cost every frame.
    let index = this.buffer.length;
    let position = this.writtenBytes;
    while (index > 0 && position > this.sentBytes) position -= this.buffer[--index]!.length;
    // Frames held back (relaxed) or replayed on a new socket go out together, a message per
    // MAX_MEDIA_MESSAGE_BYTES: every message is a socket write.
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const sendBatch = () => {
      if (batchBytes === 0) return;
      socket.sendMedia(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes));
      batch = [];
      batchBytes = 0;
    };
    for (; index < this.buffer.length; index++) {
      const chunk = this.buffer[index]!;
      const end = position + chunk.length;
      if (end > this.sentBytes) {
        const unsent = position >= this.sentBytes ? chunk : chunk.subarray(this.sentBytes - position);
        if (batchBytes > 0 && batchBytes + unsent.length > MAX_MEDIA_MESSAGE_BYTES) sendBatch();
        batch.push(unsent);
        batchBytes += unsent.length;
      }
      position = end;
    }
    sendBatch();
    this.sentBytes = this.writtenBytes;
    this.lastSendAt = Date.now();
  }

  private sendCloseStream(): void {
    const socket = this.openSocket;
    const attempt = this.attempt;
    if (!socket || !attempt || attempt.closeStreamSent) return;
    this.sendPending();
    socket.sendFinalize({ type: 'Finalize' });
    socket.sendCloseStream({ type: 'CloseStream' });
    attempt.closeStreamSent = true;
    this.lastSendAt = Date.now();
  }

  private keepAlive(): void {
    const socket = this.openSocket;
    if (!socket || this.attempt?.closeStreamSent || Date.now() - this.lastSendAt < this.o.keepAliveMs) return;
    socket.sendKeepAlive({ type: 'KeepAlive' });
    this.lastSendAt = Date.now();
  }

  /** Drops audio that is final (never replayed again), and audio beyond the replay bound. */
  private trimBuffer(): void {
    const keepFrom = Math.max(this.committedBytes, this.writtenBytes - this.o.maxReplayMs * BYTES_PER_MS);
    while (this.buffer.length > 0) {
      const first = this.buffer[0]!;
      const end = this.bufferStartBytes + first.length;
      if (end > keepFrom) break;
      this.buffer.shift();
      this.bufferStartBytes = end;
      this.bufferBytes -= first.length;
    }
    // Past the bound, a replay starts where the kept audio starts.
    this.committedBytes = Math.max(this.committedBytes, this.bufferStartBytes);
  }

  // ------------------------------------------------------------------ results

  private onMessage(attempt: Attempt, message: ListenMessage): void {
    if (attempt.discarded || this.finished || this.attempt !== attempt || typeof message !== 'object' || message === null) return;
    const baseMs = attempt.baseBytes / BYTES_PER_MS;
    switch (message.type) {
      case 'Results':
        return this.onResults(baseMs, message);
      case 'SpeechStarted': {
        const atMs = Math.round(baseMs + message.timestamp * 1000);
        // A replay after a reconnect can report the same onset again.
        if (atMs <= this.lastSpeechStartedMs) return;
        this.lastSpeechStartedMs = atMs;
        return this.events.push({ type: 'speech-started', atMs });
      }
      case 'UtteranceEnd':
        return this.emitFinal();
      case 'Metadata':
        return;
    }
  }

  private onResults(baseMs: number, r: Deepgram.listen.ListenV1Results): void {
    const alternative = r.channel.alternatives[0];
    const text = alternative?.transcript.trim() ?? '';
    const startMs = Math.round(baseMs + r.start * 1000);
    const endMs = Math.round(baseMs + (r.start + r.duration) * 1000);
    if (r.is_final) {
      // Everything up to here is final: a reconnect replays only what comes after.
      this.committedBytes = Math.min(this.writtenBytes, Math.max(this.committedBytes, endMs * BYTES_PER_MS));
      this.trimBuffer();
      if (text) {
        this.segments.push(text);
        // Word times for a redacted span's tone in the recording (call clock, like the line's).
        for (const w of alternative?.words ?? []) {
          this.words.push({ text: w.punctuated_word ?? w.word, startMs: Math.round(baseMs + w.start * 1000), endMs: Math.round(baseMs + w.end * 1000) });
        }
        this.utteranceStartMs ??= startMs;
        this.utteranceEndMs = endMs;
        this.confidenceSum += alternative?.confidence ?? 0;
      }
      if (r.speech_final || r.from_finalize) this.emitFinal();
      else if (text) this.events.push({ type: 'interim', text: this.segments.join(' '), startMs: this.utteranceStartMs ?? startMs, endMs });
      return;
    }
    if (!text) return;
    this.events.push({ type: 'interim', text: [...this.segments, text].join(' '), startMs: this.utteranceStartMs ?? startMs, endMs });
  }

  private emitFinal(): void {
    if (this.segments.length === 0 || this.utteranceStartMs === null) return;
    const confidence = this.confidenceSum / this.segments.length;
    this.events.push({
      type: 'final',
      text: this.segments.join(' '),
      startMs: this.utteranceStartMs,
      endMs: this.utteranceEndMs,
      confidence: Number.isFinite(confidence) ? confidence : null,
      ...(this.words.length > 0 ? { words: this.words } : {}),
    });
    this.segments = [];
    this.words = [];
    this.utteranceStartMs = null;
    this.confidenceSum = 0;
  }

  // ------------------------------------------------------------------ ending

  private stopTimers(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.closeTimer) clearTimeout(this.closeTimer);
    if (this.outageTimer) clearTimeout(this.outageTimer);
    this.keepAliveTimer = this.reconnectTimer = this.closeTimer = this.outageTimer = null;
  }

  private dropSocket(): void {
    const attempt = this.attempt;
    this.attempt = null;
    if (!attempt) return;
    attempt.discarded = true;
    try {
      attempt.socket?.close();
    } catch {
      // already closed
    }
  }

  private abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    this.dropSocket();
    this.buffer = [];
    this.events.end(true);
    this.resolveClosed();
  }

  private finish(failure: Error | null = null): void {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    this.dropSocket();
    this.buffer = [];
    // Segments Deepgram made final but never closed with speech_final/UtteranceEnd.
    this.emitFinal();
    if (failure) this.log.error({ provider: 'deepgram-stt', err: failure }, 'Deepgram STT stream failed');
    this.events.end(false, failure);
    this.resolveClosed();
  }
}

export function createDeepgramStt(options: DeepgramSttOptions): SttProvider {
  const o = {
    apiKey: options.apiKey,
    model: options.model ?? 'nova-3',
    environment: options.environment,
    endpointingMs: options.endpointingMs ?? 300,
    utteranceEndMs: options.utteranceEndMs ?? 1000,
    logger: options.logger ?? silentLogger,
    keepAliveMs: options.keepAliveMs ?? 5000,
    maxReconnectAttempts: options.maxReconnectAttempts ?? 3,
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    closeTimeoutMs: options.closeTimeoutMs ?? 5000,
    maxReplayMs: options.maxReplayMs ?? 30_000,
    maxOutageMs: options.maxOutageMs ?? 3000,
  };
  if (!o.apiKey) throw new Error('Deepgram STT needs an API key');
  return {
    label: 'Deepgram Nova-3',
    offline: false,
    capabilities: { interimResults: true },
    open({ signal }) {
      return new DeepgramStream(o, signal);
    },
  };
}
