import { describe, expect, it } from 'vitest';
import type { CallEvent, TurnMetrics } from '../../src/shared/domain';
import { mergeTurn, openTakeoverRequest } from '../../src/renderer/src/features/calls/store';
import { callLatency, formatLatency, percentile, turnLatency } from '../../src/renderer/src/features/latency/latency';

const turn = (turnId: string, speechEndAtMs: number, rest: Partial<TurnMetrics> = {}): TurnMetrics => ({
  callId: 'c1',
  turnId,
  speechEndAtMs,
  sttFinalAtMs: speechEndAtMs + 200,
  llmFirstTokenAtMs: speechEndAtMs + 600,
  ttsFirstByteAtMs: speechEndAtMs + 800,
  firstAudioAtMs: speechEndAtMs + 830,
  sttLabel: 'stt',
  llmLabel: 'llm',
  ttsLabel: 'tts',
  ...rest,
});

const ev = (id: string, type: CallEvent['type'], atMs: number, data: Record<string, unknown> = {}): CallEvent => ({
  id,
  callId: 'c1',
  type,
  atMs,
  data,
});

describe('turn latency in the console', () => {
  it('splits a turn into STT, LLM, TTS and send, and voice-to-voice is their sum', () => {
    const t = turnLatency(turn('a', 1000), 1);
    expect(t.voiceToVoiceMs).toBe(830);
    expect(t.stages.map((s) => [s.name, s.ms, s.label])).toEqual([
      ['stt', 200, 'stt'],
      ['llm', 400, 'llm'],
      ['tts', 200, 'tts'],
      ['send', 30, null],
    ]);
  });

  it('handles cut-off and skipped stages', () => {
    const cut = turnLatency(turn('b', 0, { ttsFirstByteAtMs: null, firstAudioAtMs: null }), 2);
    expect(cut.voiceToVoiceMs).toBeNull();
    expect(cut.stages.map((s) => s.ms)).toEqual([200, 400, null, null]);
    expect(cut.knownMs).toBe(600);
    // Answered without an LLM: TTS is measured from the final transcript.
    const noLlm = turnLatency(turn('c', 0, { llmFirstTokenAtMs: null }), 3);
    expect(noLlm.stages.map((s) => s.ms)).toEqual([200, null, 600, 30]);
    expect(noLlm.voiceToVoiceMs).toBe(830);
  });

  it('computes nearest-rank p50 and p90 over the turns that reached the caller', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 50)).toBe(5);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 90)).toBe(9);
    const call = callLatency([
      turn('a', 0),
      turn('b', 5000, { firstAudioAtMs: 6500 }),
      turn('c', 9000, { firstAudioAtMs: null }),
    ]);
    expect(call).toMatchObject({ p50Ms: 830, p90Ms: 1500, measured: 2 });
    expect(call.turns.map((t) => t.index)).toEqual([1, 2, 3]);
  });

  it('formats milliseconds for people', () => {
    expect([formatLatency(null), formatLatency(640.4), formatLatency(1240), formatLatency(12_480)]).toEqual([
      '—',
      '640 ms',
      '1.24 s',
      '12.5 s',
    ]);
  });

  it('keeps turns in speech order and replaces a turn sent again', () => {
    let turns = mergeTurn([], turn('b', 5000));
    turns = mergeTurn(turns, turn('a', 1000, { firstAudioAtMs: null }));
    turns = mergeTurn(turns, turn('a', 1000));
    expect(turns.map((t) => [t.turnId, t.firstAudioAtMs])).toEqual([
      ['a', 1830],
      ['b', 5830],
    ]);
  });

  it('finds an open request for a person until someone takes over, hands back or the call ends', () => {
    const asked = [ev('1', 'started', 0), ev('2', 'takeover_requested', 4000, { reason: 'Caller wants a manager' })];
    expect(openTakeoverRequest(asked)).toEqual({ eventId: '2', reason: 'Caller wants a manager', atMs: 4000 });
    expect(openTakeoverRequest([...asked, ev('3', 'silence', 5000)])?.eventId).toBe('2');
    expect(openTakeoverRequest([...asked, ev('3', 'takeover', 5000)])).toBeNull();
    expect(openTakeoverRequest([...asked, ev('3', 'ended', 5000)])).toBeNull();
    expect(openTakeoverRequest([ev('1', 'takeover_requested', 10)])).toEqual({ eventId: '1', reason: '', atMs: 10 });
    expect(openTakeoverRequest([])).toBeNull();
  });
});
