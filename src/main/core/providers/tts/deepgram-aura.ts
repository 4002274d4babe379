/**
 * Deepgram Aura-2 text to speech over the speak WebSocket, through @deepgram/sdk v5, as
 * telephone audio (mu-law 8 kHz, no header) that can go straight to Twilio.
 *
 * Sockets are pooled, not opened per clause: a WebSocket handshake (TCP + TLS + upgrade)
 * costs a round trip or three, about as much as Aura's whole time to first byte, and a turn
 * is spoken clause by clause. They are not shared between concurrent clauses either: one
 * provider serves every call, Deepgram answers a socket's Flushes in order, and a Clear
 * wipes everything queued on the socket, so one call's barge-in would cut another call's
 * speech. So each synthesize() takes an idle open socket (or opens one), has it to itself
 * until Flushed, and hands it back. `warm()` opens one ahead of the first clause.
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
import { mulawAudio } from '../../pipeline/audio';
import { abortable } from '../abortable';
import type { MulawAudio, PooledTtsProvider } from '../types';

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

/** The audio of one clause, read by one consumer. */
class ClauseQueue {
  private items: Buffer[] = [];
  private waiting: { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: unknown) => void } | null = null;
  private done = false;
  private failure: unknown = null;
  /** Audio bytes received for this clause. */
  bytes = 0;

  get ended(): boolean {
    return this.done;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    this.bytes += chunk.length;
    if (this.waiting) {
      this.waiting.resolve({ value: chunk, done: false });
      this.waiting = null;
    } else {
      this.items.push(chunk);
    }
  }

  /** Ends the clause: normally (Flushed), or with `failure` (dropping unread audio). */
  end(failure: unknown = null): void {
    if (this.done) return;
    this.done = true;
    this.failure = failure;
    if (failure) this.items = [];
    if (this.waiting) {
      if (failure) this.waiting.reject(failure);
      else this.waiting.resolve({ value: undefined, done: true });
      this.waiting = null;
    }
  }

  next(): Promise<IteratorResult<Buffer>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.done) return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}

/** One speak socket. */
class SpeakChannel {
  /** Open and not failed. */
  alive = false;
  /** Waiting for Cleared: not reusable yet. */
  clearing = false;
  private socket: SpeakSocket | null = null;
  private clause: ClauseQueue | null = null;
  private chain: Promise<void> = Promise.resolve();
  private watchdog: NodeJS.Timeout | null = null;
  private ended = false;
  private endScheduled = false;
  private closeCode: number | null = null;
  private error: Error | null = null;
  private onCleared: (() => void) | null = null;
  private onDead: (() => void) | null = null;

  constructor(
    private readonly o: ResolvedOptions,
    private readonly redact: Redact,
  ) {}

  /** Resolves once the socket is open; rejects with a clear message otherwise. */
  async open(client: DeepgramClient): Promise<void> {
    const socket = await client.speak.v1.connect({
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
  speak(text: string): ClauseQueue {
    const socket = this.socket;
    if (!socket || !this.alive) throw new Error('Deepgram TTS: socket is not open');
    const clause = new ClauseQueue();
    this.clause = clause;
    socket.sendText({ type: 'Speak', text });
    socket.sendFlush({ type: 'Flush' });
    this.armWatchdog();
    return clause;
  }

  /** Stops the current clause: Clear, drop whatever audio is still on its way. */
  clear(): Promise<void> {
    const clause = this.clause;
    this.clause = null;
    clause?.end(new Error('cleared'));
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
    this.stopWatchdog();
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
        this.armWatchdog();
      }
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'Flushed': {
        if (this.clearing) return; // a Flushed overtaken by our Clear belongs to the cleared clause
        const clause = this.clause;
        this.clause = null;
        this.stopWatchdog();
        clause?.end();
        return;
      }
      case 'Cleared':
        this.stopWatchdog();
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
    this.stopWatchdog();
    clause?.end(error);
  }

  private scheduleEnd(rejectOpen: (error: Error) => void): void {
    if (this.endScheduled) return;
    this.endScheduled = true;
    setImmediate(() => {
      const wasOpen = this.alive;
      this.alive = false;
      this.ended = true;
      this.stopWatchdog();
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

  private armWatchdog(): void {
    this.stopWatchdog();
    this.watchdog = setTimeout(() => {
      this.fail(new Error(`Deepgram TTS: no answer within ${this.o.responseTimeoutMs} ms`));
      this.destroy();
    }, this.o.responseTimeoutMs);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }
}

interface ResolvedOptions {
  model: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  clearTimeoutMs: number;
  maxIdleSockets: number;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
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
  const log = options.logger ?? silentLogger;
  const apiKey = options.apiKey;
  const redact: Redact = (text) => text.split(apiKey).join('[redacted]');
  const client = new DeepgramClient({ apiKey, ...(options.environment ? { environment: options.environment } : {}) });
  const idle: SpeakChannel[] = [];
  const all = new Set<SpeakChannel>();

  const openChannel = async (): Promise<SpeakChannel> => {
    const channel = new SpeakChannel(o, redact);
    all.add(channel);
    try {
      await channel.open(client);
      return channel;
    } catch (error) {
      all.delete(channel);
      channel.destroy();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(redact(message.startsWith('Deepgram TTS') ? message : `Deepgram TTS: could not connect (${message})`));
    }
  };

  /** An idle open socket, or a new one. */
  const acquire = async (): Promise<{ channel: SpeakChannel; fresh: boolean }> => {
    while (idle.length > 0) {
      const channel = idle.pop()!;
      if (channel.alive && !channel.clearing) return { channel, fresh: false };
      all.delete(channel);
    }
    return { channel: await openChannel(), fresh: true };
  };

  const release = (channel: SpeakChannel) => {
    if (channel.alive && !channel.clearing && idle.length < o.maxIdleSockets) idle.push(channel);
    else {
      all.delete(channel);
      channel.destroy();
    }
  };

  return {
    label: 'Deepgram Aura-2',
    offline: false,
    capabilities: { streaming: true },

    async warm() {
      release(await openChannel());
    },

    async close() {
      idle.length = 0;
      for (const channel of all) channel.destroy();
      all.clear();
      await Promise.resolve();
    },

    async *synthesize(text: string, signal: AbortSignal): AsyncIterable<MulawAudio> {
      const clean = text.replace(/\s+/g, ' ').trim();
      if (!clean) return;
      signal.throwIfAborted();
      for (let tries = 0; ; tries++) {
        const pending = acquire();
        // A socket opened for an aborted clause is still warm: keep it for the next one.
        pending.then(({ channel }) => signal.aborted && release(channel)).catch(() => undefined);
        const { channel, fresh } = await abortable(pending, signal, abortReason);
        const clause = channel.speak(clean);
        let finished = false;
        try {
          for (;;) {
            let result: IteratorResult<Buffer>;
            try {
              result = await abortable(clause.next(), signal, abortReason);
            } catch (error) {
              // A reused socket that had died idle: try once more on a fresh one.
              if (!signal.aborted && !fresh && tries === 0 && clause.bytes === 0 && !channel.alive) break;
              throw error;
            }
            if (result.done) {
              finished = true;
              return;
            }
            yield mulawAudio(result.value);
          }
        } finally {
          if (finished) release(channel);
          else if (channel.alive) {
            // Aborted, failed or abandoned mid-clause: Clear before the socket is reused.
            void channel.clear().then(() => release(channel));
          } else {
            all.delete(channel);
          }
        }
        log.warn({ provider: 'deepgram-tts' }, 'pooled Deepgram socket was closed; retrying on a new one');
      }
    },
  };
}
