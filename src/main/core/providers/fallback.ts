/**
 * Stand-ins for a failing cloud provider. The caller must never sit in dead air because
 * a vendor is down: the offline engine answers instead and the agent is told.
 */
import { EventQueue } from './event-queue';
import { failureSentence, ProviderFailure } from './failure';
import type { LlmProvider, MulawAudio, SttEvent, SttProvider, SttStream, SttUrgency } from './types';

/**
 * An LLM that tries `primary` and, if it fails before saying anything, lets `fallback`
 * answer the same request. If the primary fails mid-reply the caller has already heard
 * part of it: the reply ends there rather than starting over.
 */
export function withLlmFallback(
  primary: LlmProvider,
  fallback: LlmProvider,
  onFallback: (reason: string, partial: boolean) => void,
): LlmProvider {
  return {
    label: primary.label,
    offline: primary.offline,
    capabilities: primary.capabilities,
    async *generate(request, signal) {
      let yielded = false;
      try {
        for await (const chunk of primary.generate(request, signal)) {
          // Only spoken text counts: a tool call alone has not reached the caller's ear.
          if (chunk.type === 'text') yielded = true;
          yield chunk;
        }
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        onFallback((error as Error).message, yielded);
        if (yielded) return;
      }
      yield* fallback.generate(request, signal);
    },
  };
}

/** What the agent (and the log) learn when the offline recogniser takes over a call's stream. */
export interface SttFallbackNotice {
  /** Why the cloud recogniser stopped, in a sentence. */
  reason: string;
  /** Stream clock (ms of caller audio) when the trouble began: the first failed socket. */
  failedAtMs: number;
  /** Stream clock when the stand-in took over (it had all the audio up to here). */
  switchedAtMs: number;
  /** Caller audio re-sent to the stand-in: from the end of the last final result. */
  replayedMs: number;
}

const BYTES_PER_MS = 8;
/** Audio kept for a replay: more than an utterance, and 80 KB a call at most. */
const DEFAULT_MAX_REPLAY_MS = 10_000;

/**
 * A recogniser that uses `primary` and, if its events end with an error, hands the stream to
 * `fallback` for the rest of it. Nothing the caller said is lost in the switch: the audio since
 * the primary's last final result is kept (bounded by `maxReplayMs`) and fed to the stand-in
 * first, and the stand-in's times are moved onto the stream clock. A recogniser that ends
 * normally (close) or is aborted does not fall back. The stand-in is only opened on failure.
 */
export function withSttFallback(
  primary: SttProvider,
  fallback: SttProvider,
  onFallback: (notice: SttFallbackNotice) => void,
  options: { maxReplayMs?: number } = {},
): SttProvider {
  const maxReplayBytes = (options.maxReplayMs ?? DEFAULT_MAX_REPLAY_MS) * BYTES_PER_MS;
  return {
    label: primary.label,
    offline: primary.offline,
    capabilities: primary.capabilities,
    open({ signal }) {
      return new FallbackSttStream(primary, fallback, signal, onFallback, maxReplayBytes);
    },
  };
}

class FallbackSttStream implements SttStream {
  readonly events = new EventQueue<SttEvent>();
  private current: SttStream;
  private onStandIn = false;
  /** Caller audio from stream position `replayStartBytes` on, while the primary listens. */
  private replay: Buffer[] = [];
  private replayStartBytes = 0;
  private writtenBytes = 0;
  private closeRequested = false;
  private readonly ended: Promise<void>;
  private resolveEnded: () => void = () => undefined;

  constructor(
    primary: SttProvider,
    private readonly fallback: SttProvider,
    private readonly signal: AbortSignal,
    private readonly onFallback: (notice: SttFallbackNotice) => void,
    private readonly maxReplayBytes: number,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    signal.addEventListener('abort', () => this.end(true), { once: true });
    this.current = primary.open({ signal });
    void this.pump(this.current, 0);
  }

  write(audio: MulawAudio, urgency?: SttUrgency): void {
    if (this.events.ended || this.closeRequested) return;
    this.current.write(audio, urgency);
    this.writtenBytes += audio.bytes.length;
    if (this.onStandIn) return;
    this.replay.push(audio.bytes);
    this.trim(this.replayStartBytes);
  }

  close(): Promise<void> {
    if (!this.closeRequested) {
      this.closeRequested = true;
      void this.current.close();
    }
    return this.ended;
  }

  /** Relays one recogniser's events onto the stream clock (`baseMs` is where its audio began). */
  private async pump(stream: SttStream, baseMs: number): Promise<void> {
    try {
      for await (const event of stream.events) {
        if (stream !== this.current || this.events.ended) return;
        if (!this.onStandIn && event.type === 'final') this.trim(Math.min(this.writtenBytes, Math.round(event.endMs * BYTES_PER_MS)));
        this.events.push(baseMs === 0 ? event : shifted(event, baseMs));
      }
      if (stream === this.current) this.end(false);
    } catch (error) {
      if (stream !== this.current || this.events.ended) return;
      if (this.signal.aborted) return this.end(true);
      if (this.onStandIn) return this.end(false, error);
      this.switchToStandIn(error);
    }
  }

  private switchToStandIn(error: unknown): void {
    const failedAtMs = error instanceof ProviderFailure && error.sinceAudioMs !== null ? error.sinceAudioMs : this.writtenBytes / BYTES_PER_MS;
    const baseBytes = this.replayStartBytes;
    const audio = this.replay;
    this.replay = [];
    this.onStandIn = true;
    let standIn: SttStream;
    try {
      standIn = this.fallback.open({ signal: this.signal });
    } catch (openError) {
      return this.end(false, openError);
    }
    this.current = standIn;
    void this.pump(standIn, baseBytes / BYTES_PER_MS);
    for (const bytes of audio) standIn.write({ encoding: 'mulaw', sampleRateHz: 8000, bytes });
    this.onFallback({
      reason: failureSentence(error),
      failedAtMs,
      switchedAtMs: this.writtenBytes / BYTES_PER_MS,
      replayedMs: (this.writtenBytes - baseBytes) / BYTES_PER_MS,
    });
    if (this.closeRequested) void standIn.close();
  }

  /** Drops kept audio before `fromBytes` (final already), and beyond the replay bound. */
  private trim(fromBytes: number): void {
    const keepFrom = Math.max(fromBytes, this.writtenBytes - this.maxReplayBytes);
    while (this.replay.length > 0 && this.replayStartBytes < keepFrom) {
      const first = this.replay[0]!;
      const end = this.replayStartBytes + first.length;
      if (end <= keepFrom) {
        this.replay.shift();
        this.replayStartBytes = end;
      } else {
        this.replay[0] = first.subarray(keepFrom - this.replayStartBytes);
        this.replayStartBytes = keepFrom;
      }
    }
  }

  private end(dropPending: boolean, failure: unknown = null): void {
    this.replay = [];
    this.events.end(dropPending, failure);
    this.resolveEnded();
  }
}

function shifted(event: SttEvent, baseMs: number): SttEvent {
  switch (event.type) {
    case 'speech-started':
      return { ...event, atMs: event.atMs + baseMs };
    case 'interim':
      return { ...event, startMs: event.startMs + baseMs, endMs: event.endMs + baseMs };
    case 'final':
      return {
        ...event,
        startMs: event.startMs + baseMs,
        endMs: event.endMs + baseMs,
        ...(event.words ? { words: event.words.map((w) => ({ ...w, startMs: w.startMs + baseMs, endMs: w.endMs + baseMs })) } : {}),
      };
  }
}
