/**
 * The socket pool and synthesize() loop the streaming cloud voices share (deepgram-aura.ts,
 * elevenlabs.ts, smallest.ts). Each vendor file keeps its protocol in a channel (one
 * WebSocket, see `TtsChannel`, built with the `ClauseAudio` queue and `SilenceWatchdog`
 * below); this module decides which socket a clause gets and what happens to it afterwards.
 *
 * Sockets are pooled, not opened per clause: a WebSocket handshake (TCP + TLS + upgrade)
 * costs a round trip or three, about as much as a vendor's whole time to first byte, and a
 * turn is spoken clause by clause. They are not shared between concurrent clauses either: one
 * provider serves every call, and one call's barge-in must never cut another call's speech.
 * So each synthesize() takes an idle open socket (or opens one), has it to itself for one
 * clause, and hands it back; `warm()` opens one ahead of the first clause.
 *
 * A reused socket that turns out to be dead before any audio came (the server's idle
 * timeout, a close after the last clause) is replaced once, transparently. Abort (or the
 * consumer stopping early) stops yielding at once: the pending read rejects with the signal's
 * reason. A clause given up midway is handed to its channel's `abandonClause()` (so none of its
 * late audio can reach the next clause) before the socket goes back to the pool.
 */
import type { Logger } from '../../log';
import { mulawAudio } from '../../pipeline/audio';
import { abortable } from '../abortable';
import { EventQueue } from '../event-queue';
import type { MulawAudio, PooledTtsProvider } from '../types';

/** The audio of one clause, read by one consumer. */
export class ClauseAudio extends EventQueue<Buffer> {
  /** Audio bytes received for this clause: a reused socket that failed with none is retried. */
  bytes = 0;

  override push(chunk: Buffer): void {
    if (!this.ended) this.bytes += chunk.length;
    super.push(chunk);
  }

  /** Ends the clause with `error`; audio not read yet is dropped. */
  fail(error: unknown): void {
    this.end(true, error);
  }
}

/**
 * A channel's guard against the vendor going silent mid-clause: re-armed by every frame that
 * shows progress, stopped when the clause is over; `onSilence` runs when nothing came for `ms`.
 */
export class SilenceWatchdog {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ms: number,
    private readonly onSilence: () => void,
  ) {}

  arm(): void {
    this.stop();
    this.timer = setTimeout(this.onSilence, this.ms);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** One vendor socket, as the pool sees it; what goes over the wire stays in the vendor's file. */
export interface TtsChannel {
  /** Open and not failed. */
  readonly alive: boolean;
  /** Can take a clause: alive, and not still busy with an abandoned one. */
  readonly reusable: boolean;
  /** Resolves once the socket is open; rejects with a plain message (never the key) otherwise. */
  open(): Promise<void>;
  /** Starts speaking one clause; its audio arrives on the returned queue until the vendor says it is done. */
  speak(text: string): ClauseAudio;
  /**
   * The clause in progress was given up (abort, failure, the consumer stopping early) while
   * the socket is still open: make sure none of its audio reaches the next clause on this
   * socket. A promise means the socket must wait for the server before it is reused (it goes
   * back to the pool once that settles); nothing returned means it is reusable at once.
   */
  abandonClause(): Promise<void> | void;
  /** Closes the socket for good. */
  destroy(): void;
}

export interface ChannelPoolOptions<C extends TtsChannel> {
  /** A new channel, not yet opened. */
  create(): C;
  /** Open sockets kept for reuse. */
  maxIdleSockets: number;
  /**
   * An idle socket not to hand out although it is open (ElevenLabs: about to reach the
   * server's idle timeout). Asked when an idle socket is taken, not when one is given back:
   * that one has just been used.
   */
  retired?(channel: C): boolean;
}

/** Open sockets for one provider: the idle ones, and every one not yet closed (so close() reaches the busy ones too). */
class ChannelPool<C extends TtsChannel> {
  private readonly idle: C[] = [];
  private readonly all = new Set<C>();

  constructor(private readonly options: ChannelPoolOptions<C>) {}

  /** A newly opened socket; one that fails to open is destroyed and its error rethrown. */
  async open(): Promise<C> {
    const channel = this.options.create();
    this.all.add(channel);
    try {
      await channel.open();
      return channel;
    } catch (error) {
      this.discard(channel);
      throw error;
    }
  }

  /** An idle reusable socket (`fresh: false`), or a newly opened one. */
  async acquire(): Promise<{ channel: C; fresh: boolean }> {
    while (this.idle.length > 0) {
      const channel = this.idle.pop()!;
      if (channel.reusable && !this.options.retired?.(channel)) return { channel, fresh: false };
      this.discard(channel);
    }
    return { channel: await this.open(), fresh: true };
  }

  /** Back to the idle sockets if it can take another clause and there is room; closed otherwise. */
  release(channel: C): void {
    if (channel.reusable && this.idle.length < this.options.maxIdleSockets) this.idle.push(channel);
    else this.discard(channel);
  }

  /** A socket that closed by itself: nothing is left to close, it is only no longer counted. */
  forget(channel: C): void {
    this.all.delete(channel);
  }

  /** Opens a socket ahead of the first clause. */
  async warm(): Promise<void> {
    this.release(await this.open());
  }

  /** Closes every socket, idle or busy; the pool opens new ones when asked again. */
  async close(): Promise<void> {
    this.idle.length = 0;
    for (const channel of this.all) channel.destroy();
    this.all.clear();
    await Promise.resolve();
  }

  private discard(channel: C): void {
    this.all.delete(channel);
    channel.destroy();
  }
}

export interface PooledTtsOptions<C extends TtsChannel> extends ChannelPoolOptions<C> {
  label: string;
  logger: Logger;
  /** The `provider` field of the provider's log lines, e.g. 'deepgram-tts'. */
  logName: string;
  /** The vendor as log messages name it, e.g. 'Deepgram'. */
  vendor: string;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** A streaming cloud voice over a pool of `C` sockets. */
export function createPooledTts<C extends TtsChannel>(options: PooledTtsOptions<C>): PooledTtsProvider {
  const pool = new ChannelPool(options);
  const log = options.logger;

  return {
    label: options.label,
    offline: false,
    capabilities: { streaming: true },

    warm: () => pool.warm(),

    close: () => pool.close(),

    async *synthesize(text: string, signal: AbortSignal): AsyncIterable<MulawAudio> {
      const clean = text.replace(/\s+/g, ' ').trim();
      if (!clean) return;
      signal.throwIfAborted();
      for (let tries = 0; ; tries++) {
        const pending = pool.acquire();
        // A socket opened for an aborted clause is still warm: keep it for the next one.
        pending.then(({ channel }) => signal.aborted && pool.release(channel)).catch(() => undefined);
        const { channel, fresh } = await abortable(pending, signal, abortReason);
        const clause = channel.speak(clean);
        const audio = clause[Symbol.asyncIterator]();
        let finished = false;
        try {
          for (;;) {
            let result: IteratorResult<Buffer>;
            try {
              result = await abortable(audio.next(), signal, abortReason);
            } catch (error) {
              // A reused socket that had died idle (the server's idle timeout, or a close after
              // its last clause): try once more on a fresh one.
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
          if (finished) pool.release(channel);
          else if (!channel.alive) pool.forget(channel);
          else {
            // Aborted, failed or abandoned mid-clause: the vendor's clean-up comes before reuse.
            const abandoned = channel.abandonClause();
            if (abandoned) void abandoned.then(() => pool.release(channel));
            else pool.release(channel);
          }
        }
        log.warn({ provider: options.logName }, `pooled ${options.vendor} socket was closed; retrying on a new one`);
      }
    },
  };
}
