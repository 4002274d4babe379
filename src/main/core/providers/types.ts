/**
 * The three provider roles. Each vendor is one file implementing one of these; the
 * pipeline knows nothing else about them. Streaming is AsyncIterable, cancellation
 * is AbortSignal.
 */

/** Telephone audio as it travels on a call: raw mu-law, 8000 Hz, mono, no header. */
export interface MulawAudio {
  readonly encoding: 'mulaw';
  readonly sampleRateHz: 8000;
  readonly bytes: Buffer;
}

/** Linear PCM, signed 16-bit, mono. */
export interface PcmAudio {
  readonly encoding: 'pcm16';
  readonly sampleRateHz: number;
  readonly samples: Int16Array;
}

// ---------------------------------------------------------------- speech to text

export interface SttCapabilities {
  /** Emits `interim` events while the caller is still speaking. */
  readonly interimResults: boolean;
}

/**
 * Times are ms of audio since the STT stream opened (audio clock, not wall clock),
 * so they are exact and repeatable.
 */
export type SttEvent =
  | { type: 'speech-started'; atMs: number }
  | { type: 'interim'; text: string; startMs: number; endMs: number }
  | {
      type: 'final';
      text: string;
      startMs: number;
      endMs: number;
      confidence: number | null;
      /** Per-word times, from engines that give them (issue 10: a redacted span's audio is toned word-exactly; else the whole line). */
      words?: ReadonlyArray<{ text: string; startMs: number; endMs: number }>;
    };

/**
 * How soon a recogniser must hear a frame. `now`: the caller may be speaking, or has just
 * stopped (their words and the end of their turn wait on it). `relaxed`: the caller is
 * listening quietly while the AI talks (our own VAD says so); a cloud recogniser may hold a
 * few frames and send them together, which costs a socket write per batch instead of per
 * 20 ms. A `now` frame sends everything held first.
 */
export type SttUrgency = 'now' | 'relaxed';

export interface SttStream {
  /** Feed caller audio as it arrives (20 ms frames in practice). Never blocks. */
  write(audio: MulawAudio, urgency?: SttUrgency): void;
  /** Recognition results in order. Ends after `close()` once pending audio is decoded. */
  readonly events: AsyncIterable<SttEvent>;
  /** Flush what was heard so far and end the stream. Idempotent. */
  close(): Promise<void>;
}

export interface SttProvider {
  readonly label: string;
  readonly offline: boolean;
  readonly capabilities: SttCapabilities;
  /** One stream per call. Aborting `signal` ends it at once, dropping pending audio. */
  open(options: { signal: AbortSignal }): SttStream;
}

// ---------------------------------------------------------------- language model

export interface ChatMessage {
  /**
   * `user` is the caller (their words, or their keypad input); `assistant` is whatever the
   * caller heard from us (AI or agent); `supervisor` is the agent's whisper to the AI, which
   * the caller never hears.
   */
  role: 'user' | 'assistant' | 'supervisor';
  text: string;
}

export interface LlmRequest {
  /** Persona, business knowledge and rules for this call. */
  system: string;
  history: readonly ChatMessage[];
  /** The tools this call may use (its AI profile's, issue 15); omitted: every tool the engine declares. */
  tools?: readonly string[];
  /** Answers `lookup_knowledge` from this call's knowledge base; omitted: the engine's own. */
  lookupKnowledge?: (args: { query: string }, signal: AbortSignal) => Promise<string>;
}

export type LlmChunk =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; name: string; args: Record<string, unknown> };

export interface LlmCapabilities {
  readonly tools: boolean;
}

export interface LlmProvider {
  readonly label: string;
  readonly offline: boolean;
  readonly capabilities: LlmCapabilities;
  /** Streams the reply. Stops promptly (rejecting with an AbortError) when `signal` aborts. */
  generate(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmChunk>;
}

// ---------------------------------------------------------------- text to speech

export interface TtsCapabilities {
  /** Starts yielding audio before the whole text is synthesised. */
  readonly streaming: boolean;
}

export interface TtsProvider {
  readonly label: string;
  readonly offline: boolean;
  readonly capabilities: TtsCapabilities;
  /** Speaks one clause or sentence as telephone audio, in chunks of any length. */
  synthesize(text: string, signal: AbortSignal): AsyncIterable<MulawAudio>;
}

/** A cloud voice that keeps sockets open between clauses (Aura, ElevenLabs, Smallest.AI). */
export interface PooledTtsProvider extends TtsProvider {
  /** Opens a socket ahead of the first clause (at call start), so that clause is fast. */
  warm(): Promise<void>;
  /** Closes every socket; synthesize() still works afterwards (it opens new ones). */
  close(): Promise<void>;
}

export interface Providers {
  stt: SttProvider;
  llm: LlmProvider;
  tts: TtsProvider;
}
