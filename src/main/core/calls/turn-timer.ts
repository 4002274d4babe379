/** Timestamps of one AI turn's stages, for the per-turn latency breakdown. */
import type { TurnMetrics } from '@shared/domain';

export class TurnTimer {
  private llmFirstTokenAtMs: number | null = null;
  private ttsFirstByteAtMs: number | null = null;
  private firstAudioAtMs: number | null = null;

  constructor(
    private readonly callId: string,
    /** When the caller stopped speaking (STT audio clock, ms since the call started). */
    private readonly speechEndAtMs: number,
    /** When the final transcript arrived. */
    private readonly sttFinalAtMs: number,
    private readonly labels: { stt: string; llm: string; tts: string },
  ) {}

  llmToken(atMs: number): void {
    this.llmFirstTokenAtMs ??= atMs;
  }

  ttsByte(atMs: number): void {
    this.ttsFirstByteAtMs ??= atMs;
  }

  /** Records the first audio sent; returns true the first time (the turn's metrics are then complete). */
  audioSent(atMs: number): boolean {
    if (this.firstAudioAtMs !== null) return false;
    this.firstAudioAtMs = atMs;
    return true;
  }

  metrics(turnId: string): TurnMetrics {
    const round = (ms: number | null) => (ms === null ? null : Math.round(ms));
    return {
      callId: this.callId,
      turnId,
      speechEndAtMs: Math.round(Math.min(this.speechEndAtMs, this.sttFinalAtMs)),
      sttFinalAtMs: Math.round(this.sttFinalAtMs),
      llmFirstTokenAtMs: round(this.llmFirstTokenAtMs),
      ttsFirstByteAtMs: round(this.ttsFirstByteAtMs),
      firstAudioAtMs: round(this.firstAudioAtMs),
      sttLabel: this.labels.stt,
      llmLabel: this.labels.llm,
      ttsLabel: this.labels.tts,
    };
  }
}
