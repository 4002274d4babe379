/**
 * Where the time went in the AI's turns, for the Latency card. Pure functions over the
 * contract's TurnMetrics (times are ms since the call started; later stages are null when a
 * turn was cut off or skipped them).
 */
import type { TurnMetrics } from '@shared/domain';

export type StageName = 'stt' | 'llm' | 'tts' | 'send';

export interface Stage {
  name: StageName;
  /** Time spent in this stage, or null when the turn never reached it. Never negative. */
  ms: number | null;
  /** Engine that did the work (send has none). */
  label: string | null;
}

export interface TurnLatency {
  turnId: string;
  /** 1-based position in the call. */
  index: number;
  /** firstAudioAtMs - speechEndAtMs; null when no AI audio went out (cut off). */
  voiceToVoiceMs: number | null;
  stages: Stage[];
  /** Sum of the known stages: how far the turn got, for the bar of a cut-off turn. */
  knownMs: number;
}

/**
 * Splits a turn into STT (speech end → final transcript), LLM (→ first token), TTS (→ first
 * audio byte) and send (→ first frame to the caller). A stage whose end is missing has no
 * duration; the next known stage is measured from the last known point, so a turn answered
 * without an LLM still shows its TTS time.
 */
export function turnLatency(m: TurnMetrics, index: number): TurnLatency {
  const points: Array<{ name: StageName; at: number | null; label: string | null }> = [
    { name: 'stt', at: m.sttFinalAtMs, label: m.sttLabel },
    { name: 'llm', at: m.llmFirstTokenAtMs, label: m.llmLabel },
    { name: 'tts', at: m.ttsFirstByteAtMs, label: m.ttsLabel },
    { name: 'send', at: m.firstAudioAtMs, label: null },
  ];
  let last = m.speechEndAtMs;
  let knownMs = 0;
  const stages = points.map(({ name, at, label }): Stage => {
    if (at === null) return { name, ms: null, label };
    const ms = Math.max(0, at - last);
    last = Math.max(last, at);
    knownMs += ms;
    return { name, ms, label };
  });
  const voiceToVoiceMs = m.firstAudioAtMs === null ? null : Math.max(0, m.firstAudioAtMs - m.speechEndAtMs);
  return { turnId: m.turnId, index, voiceToVoiceMs, stages, knownMs };
}

/** Nearest-rank percentile (p in (0, 100]) of the values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export interface CallLatency {
  turns: TurnLatency[];
  /** Over the turns whose audio went out; cut-off turns have no voice-to-voice time. */
  p50Ms: number | null;
  p90Ms: number | null;
  /** Turns that reached the caller (the sample behind p50/p90). */
  measured: number;
}

export function callLatency(metrics: readonly TurnMetrics[]): CallLatency {
  const turns = metrics.map((m, i) => turnLatency(m, i + 1));
  const v2v = turns.flatMap((t) => (t.voiceToVoiceMs === null ? [] : [t.voiceToVoiceMs]));
  return { turns, p50Ms: percentile(v2v, 50), p90Ms: percentile(v2v, 90), measured: v2v.length };
}

/** "640 ms", "1.24 s", "12.5 s"; "—" for null. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
}
