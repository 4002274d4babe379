/**
 * Deepgram Aura-2 text to speech over the speak WebSocket, through @deepgram/sdk v5, as
 * telephone audio (mu-law 8 kHz, no header) that can go straight to Twilio.
 *
 * Sockets are pooled (socket-pool.ts, shared with the other cloud voices), not opened per
 * clause: a WebSocket handshake (TCP + TLS + upgrade) costs a round trip or three, about as
 * much as Aura's whole time to first byte, and a turn is spoken clause by clause. They are not
 * shared between concurrent clauses either: one provider serves every call, Deepgram answers
 * a socket's Flushes in order, and a Clear wipes everything queued on the socket, so one
 * call's barge-in would cut another call's speech. So each synthesize() takes an idle open
 * socket (or opens one), has it to itself until Flushed, and hands it back. `warm()` opens
 * one ahead of the first clause. This file is the speak protocol: `SpeakChannel`.
 *
 * synthesize(text): Speak + Flush, then yields each binary frame as it arrives until
 * Flushed. Abort (or the consumer stopping early) sends Clear and stops yielding at once
 * (the pending read rejects with the signal's reason, like the other providers); audio that
 * still arrives before Cleared is dropped, and only then does the socket go back to the pool.
 *
 * Failures reject with a message that says what happened and never contains the key:
 * refused handshake, Warning, socket closed mid-clause, no answer in time. A pooled socket
 * that turns out to be dead before any audio came is replaced once, transparently.
 *
 * SDK quirks: binary frames arrive as Blob, whose bytes can only be read asynchronously, so
 * messages are handled through one promise chain per socket (else a Flushed could overtake
 * the audio before it); `on(event, cb)` replaces the previous handler; on a failed handshake
 * the SDK reports `close` (code 1000) before `error`, so a socket's end is judged a tick later.
 */
import { DeepgramClient, type Deepgram, type DeepgramEnvironmentUrls } from '@deepgram/sdk';
import { silentLogger, type Logger } from '../../log';
import type { PooledTtsProvider } from '../types';
import { ClauseAudio, createPooledTts, SilenceWatchdog, type TtsChannel } from './socket-pool';

export interface DeepgramTtsOptions {
  apiKey: string;
  /** Aura voice; `aura-2-thalia-en` by default. */
  model?: string;
  /** Service URLs (tests point these at a loopback fake). */
  environment?: DeepgramEnvironmentUrls;
  logger?: Logger;
  /** Time allowed to open a socket. */
  connectTimeoutMs?: number;
  /** Longest silence from Deepgram while a clause is being spoken (before it fails). */
  responseTimeoutMs?: number;
  /** After Clear, how long to wait for Cleared before the socket is thrown away. */
  clearTimeoutMs?: number;
  /** Open sockets kept for reuse. */
  maxIdleSockets?: number;
}

export type DeepgramTtsProvider = PooledTtsProvider;

type SpeakSocket = Awaited<ReturnType<DeepgramClient['speak']['v1']['connect']>>;
type SpeakMessage = Deepgram.speak.SpeakV1Metadata | Deepgram.speak.SpeakV1Flushed | Deepgram.speak.SpeakV1Cleared | Deepgram.speak.SpeakV1Warning;

type Redact = (text: string) => string;

/** One speak socket. */
class SpeakChannel implements TtsChannel {
  /** Open and not failed. */
  alive = false;
  /** Waiting for Cleared: not reusable yet. */
  private clearing = false;
  private socket: SpeakSocket | null = null;
  private clause: ClauseAudio | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly watchdog: SilenceWatchdog;
  private ended = false;
  private endScheduled = false;
  private closeCode: number | null = null;
  private error: Error | null = null;
  private onCleared: (() => void) | null = null;
  private onDead: (() => void) | null = null;

  constructor(
    private readonly client: DeepgramClient,
    private readonly o: ResolvedOptions,
    private readonly redact: Redact,
  ) {
    this.watchdog = new SilenceWatchdog(o.responseTimeoutMs, () => {
      this.fail(new Error(`Deepgram TTS: no answer within ${o.responseTimeoutMs} ms`));
      this.destroy();
    });
  }

  get reusable(): boolean {
    return this.alive && !this.clearing;
  }

  /** Resolves once the socket is open; rejects with a clear message (never the key) otherwise. */
  async open(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(this.redact(message.startsWith('Deepgram TTS') ? message : `Deepgram TTS: could not connect (${message})`));
    }
  }

  private async connect(): Promise<void> {
    const socket = await this.client.speak.v1.connect({
      model: this.o.model,
      encoding: 'mulaw',
      sample_rate: '8000',
      reconnectAttempts: 0,
      connectionTimeoutInSeconds: this.o.connectTimeoutMs / 1000,
    });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => {
        this.alive = true;
        resolve();
      });
      socket.on('message', (message) => {
        // Serialised: a Blob's bytes arrive asynchronously and must not be overtaken.
        this.chain = this.chain.then(() => this.onMessage(message as SpeakMessage | Blob | string)).catch(() => undefined);
      });
      socket.on('close', (event) => {
        this.closeCode ??= event.code;
        this.scheduleEnd(reject);
      });
      socket.on('error', (error) => {
        this.error ??= error;
        this.scheduleEnd(reject);
      });
      socket.connect();
    });
  }

  /** Starts speaking `text`; the audio arrives on the returned queue. */
  speak(text: string): ClauseAudio {
    const socket = this.socket;
    if (!socket || !this.alive) throw new Error('Deepgram TTS: socket is not open');
    const clause = new ClauseAudio();
    this.clause = clause;
    socket.sendText({ type: 'Speak', text });
    socket.sendFlush({ type: 'Flush' });
    this.watchdog.arm();
    return clause;
  }

  /** Stops the current clause: Clear, drop whatever audio is still on its way, and resolve at Cleared. */
  abandonClause(): Promise<void> {
    const clause = this.clause;
    this.clause = null;
    clause?.fail(new Error('cleared'));
    if (!this.alive || !this.socket) return Promise.resolve();
    this.clearing = true;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.onCleared = null;
        this.destroy(); // never answered: not trustworthy for reuse
        resolve();
      }, this.o.clearTimeoutMs);
      this.onCleared = () => {
        clearTimeout(timer);
        this.onCleared = null;
        this.clearing = false;
        resolve();
      };
      this.onDead = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        this.socket!.sendClear({ type: 'Clear' });
      } catch {
        this.onDead();
      }
    });
  }

  destroy(): void {
    this.alive = false;
    this.watchdog.stop();
    if (this.ended) return;
    this.ended = true;
    try {
      this.socket?.sendClose({ type: 'Close' });
    } catch {
      // not open
    }
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
  }

  private async onMessage(message: SpeakMessage | Blob | string): Promise<void> {
    if (message instanceof Blob) {
      const bytes = Buffer.from(await message.arrayBuffer());
      if (this.clause && !this.clause.ended) {
        this.clause.push(bytes);
        this.watchdog.arm();
      }
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'Flushed': {
        if (this.clearing) return; // a Flushed overtaken by our Clear belongs to the cleared clause
        const clause = this.clause;
        this.clause = null;
        this.watchdog.stop();
        clause?.end();
        return;
      }
      case 'Cleared':
        this.watchdog.stop();
        this.onCleared?.();
        return;
      case 'Warning': {
        const w = message as Deepgram.speak.SpeakV1Warning;
        this.fail(new Error(this.redact(`Deepgram TTS warning ${w.code}: ${w.description}`)));
        this.destroy();
        return;
      }
      default:
        return; // Metadata
    }
  }

  /** Fails the clause in progress (if any). */
  private fail(error: Error): void {
    const clause = this.clause;
    this.clause = null;
    this.watchdog.stop();
    clause?.fail(error);
  }

  private scheduleEnd(rejectOpen: (error: Error) => void): void {
    if (this.endScheduled) return;
    this.endScheduled = true;
    setImmediate(() => {
      const wasOpen = this.alive;
      this.alive = false;
      this.ended = true;
      this.watchdog.stop();
      const detail = this.redact(
        [this.error?.message, this.closeCode !== null && !(this.error && this.closeCode === 1000) ? `close ${this.closeCode}` : null].filter(Boolean).join('; ') ||
          'connection closed',
      );
      if (!wasOpen) {
        const refused = /\b40[13]\b/.test(detail);
        rejectOpen(new Error(refused ? `Deepgram TTS: the API key was refused (${detail})` : `Deepgram TTS: could not connect (${detail})`));
      }
      // Let the audio already received be handled first, then fail what is left.
      this.chain = this.chain.then(() => {
        this.fail(new Error(`Deepgram TTS: connection closed mid-clause (${detail})`));
        this.onDead?.();
      });
    });
  }

}

interface ResolvedOptions {
  model: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  clearTimeoutMs: number;
  maxIdleSockets: number;
}

export function createDeepgramTts(options: DeepgramTtsOptions): DeepgramTtsProvider {
  if (!options.apiKey) throw new Error('Deepgram TTS needs an API key');
  const o: ResolvedOptions = {
    model: options.model ?? 'aura-2-thalia-en',
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    responseTimeoutMs: options.responseTimeoutMs ?? 5000,
    clearTimeoutMs: options.clearTimeoutMs ?? 2000,
    maxIdleSockets: options.maxIdleSockets ?? 2,
  };
  const apiKey = options.apiKey;
  const redact: Redact = (text) => text.split(apiKey).join('[redacted]');
  const client = new DeepgramClient({ apiKey, ...(options.environment ? { environment: options.environment } : {}) });
  return createPooledTts({
    label: 'Deepgram Aura-2',
    create: () => new SpeakChannel(client, o, redact),
    maxIdleSockets: o.maxIdleSockets,
    logger: options.logger ?? silentLogger,
    logName: 'deepgram-tts',
    vendor: 'Deepgram',
  });
}
