import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/main/core/providers/event-queue';
import { ProviderFailure } from '../../src/main/core/providers/failure';
import { withLlmFallback, withSttFallback, type SttFallbackNotice } from '../../src/main/core/providers/fallback';
import type { LlmChunk, LlmProvider, SttEvent, SttProvider, SttStream } from '../../src/main/core/providers/types';

/** A scripted LLM: yields `texts`, then throws `failure` if given. */
function scripted(label: string, texts: string[], failure?: Error): LlmProvider & { calls: number } {
  const provider = {
    label,
    offline: false,
    capabilities: { tools: false },
    calls: 0,
    async *generate(): AsyncIterable<LlmChunk> {
      provider.calls++;
      for (const text of texts) yield { type: 'text' as const, text };
      if (failure) throw failure;
    },
  };
  return provider;
}

async function collect(provider: LlmProvider, signal = new AbortController().signal): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of provider.generate({ system: '', history: [{ role: 'user', text: 'hi' }] }, signal)) {
    if (chunk.type === 'text') out.push(chunk.text);
  }
  return out;
}

describe('LLM fallback', () => {
  it('uses the primary when it works', async () => {
    const offline = scripted('offline', ['never']);
    const seen: unknown[] = [];
    const llm = withLlmFallback(scripted('cloud', ['Hello.']), offline, (...a) => seen.push(a));
    expect(await collect(llm)).toEqual(['Hello.']);
    expect(offline.calls).toBe(0);
    expect(seen).toEqual([]);
  });

  it('lets the offline engine answer when the primary fails before saying anything', async () => {
    const seen: unknown[] = [];
    const llm = withLlmFallback(scripted('cloud', [], new Error('HTTP 503')), scripted('offline', ['Offline reply.']), (...a) => seen.push(a));
    expect(await collect(llm)).toEqual(['Offline reply.']);
    expect(seen).toEqual([['HTTP 503', false]]);
  });

  it('ends the reply where it broke when the caller already heard part of it', async () => {
    const seen: unknown[] = [];
    const offline = scripted('offline', ['never']);
    const llm = withLlmFallback(scripted('cloud', ['First part.'], new Error('socket closed')), offline, (...a) => seen.push(a));
    expect(await collect(llm)).toEqual(['First part.']);
    expect(seen).toEqual([['socket closed', true]]);
    expect(offline.calls).toBe(0);
  });

  it('does not fall back when the turn itself was aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const offline = scripted('offline', ['never']);
    const llm = withLlmFallback(scripted('cloud', [], new DOMException('aborted', 'AbortError')), offline, () => {});
    await expect(collect(llm, controller.signal)).rejects.toThrow(/aborted/);
    expect(offline.calls).toBe(0);
  });
});

// ---------------------------------------------------------------- speech to text

/** A scripted recogniser: records what it is fed; the test pushes its events and failures. */
function scriptedStt(label: string) {
  const streams: Array<{ fed: Buffer[]; queue: EventQueue<SttEvent>; closed: boolean; signal: AbortSignal }> = [];
  const provider: SttProvider = {
    label,
    offline: label === 'offline',
    capabilities: { interimResults: true },
    open({ signal }) {
      const s = { fed: [] as Buffer[], queue: new EventQueue<SttEvent>(), closed: false, signal };
      streams.push(s);
      signal.addEventListener('abort', () => s.queue.end(true), { once: true });
      return {
        events: s.queue,
        write: (audio) => void s.fed.push(audio.bytes),
        close: () => {
          s.closed = true;
          s.queue.end();
          return Promise.resolve();
        },
      };
    },
  };
  return { provider, streams };
}

/** `ms` of audio whose bytes say their stream position (mod 251), in 20 ms frames. */
function feed(stream: SttStream, from: { bytes: number }, ms: number): void {
  for (let f = 0; f < ms / 20; f++) {
    const bytes = Buffer.alloc(160);
    for (let i = 0; i < 160; i++) bytes[i] = (from.bytes + i) % 251;
    from.bytes += 160;
    stream.write({ encoding: 'mulaw', sampleRateHz: 8000, bytes });
  }
}

const positions = (fed: Buffer[]) => Buffer.concat(fed);
const expected = (fromByte: number, length: number) => Buffer.from(Array.from({ length }, (_, i) => (fromByte + i) % 251));
const tick = () => new Promise((r) => setImmediate(r));

describe('STT fallback', () => {
  it('replays the audio since the last final to the offline recogniser and moves its times onto the stream clock', async () => {
    const cloud = scriptedStt('cloud');
    const offline = scriptedStt('offline');
    const notices: SttFallbackNotice[] = [];
    const stream = withSttFallback(cloud.provider, offline.provider, (n) => notices.push(n)).open({ signal: new AbortController().signal });
    const seen: SttEvent[] = [];
    const reading = (async () => {
      for await (const e of stream.events) seen.push(e);
    })();
    const at = { bytes: 0 };
    feed(stream, at, 1000);
    cloud.streams[0]!.queue.push({ type: 'final', text: 'I was charged twice', startMs: 0, endMs: 600, confidence: 0.9 });
    await tick();
    feed(stream, at, 400); // 1400 ms written; 600..1400 not final yet
    cloud.streams[0]!.queue.end(false, new ProviderFailure('socket gone', 'unreachable', 'Lost the connection to Deepgram.', 1200));
    await tick();
    expect(offline.streams).toHaveLength(1);
    feed(stream, at, 200); // after the switch: straight to the offline recogniser

    // The offline recogniser got everything from 600 ms on, once, in order.
    expect(positions(offline.streams[0]!.fed).equals(expected(600 * 8, 1000 * 8))).toBe(true);
    expect(notices).toEqual([{ reason: 'Lost the connection to Deepgram.', failedAtMs: 1200, switchedAtMs: 1400, replayedMs: 800 }]);

    offline.streams[0]!.queue.push({ type: 'speech-started', atMs: 50 });
    offline.streams[0]!.queue.push({ type: 'final', text: 'can you refund it', startMs: 100, endMs: 700, confidence: null, words: [{ text: 'can', startMs: 100, endMs: 200 }] });
    await stream.close();
    await reading;
    expect(offline.streams[0]!.closed).toBe(true);
    expect(seen).toEqual([
      { type: 'final', text: 'I was charged twice', startMs: 0, endMs: 600, confidence: 0.9 },
      { type: 'speech-started', atMs: 650 },
      { type: 'final', text: 'can you refund it', startMs: 700, endMs: 1300, confidence: null, words: [{ text: 'can', startMs: 700, endMs: 800 }] },
    ]);
  });

  it('keeps a bounded replay: at most maxReplayMs of audio when no final comes', async () => {
    const cloud = scriptedStt('cloud');
    const offline = scriptedStt('offline');
    const stream = withSttFallback(cloud.provider, offline.provider, () => {}, { maxReplayMs: 500 }).open({ signal: new AbortController().signal });
    const at = { bytes: 0 };
    feed(stream, at, 3000);
    cloud.streams[0]!.queue.end(false, new Error('401'));
    await tick();
    expect(positions(offline.streams[0]!.fed).equals(expected(2500 * 8, 500 * 8))).toBe(true);
    await stream.close();
  });

  it('does not fall back when the cloud recogniser ends normally or the stream is aborted', async () => {
    const cloud = scriptedStt('cloud');
    const offline = scriptedStt('offline');
    const notices: unknown[] = [];
    const provider = withSttFallback(cloud.provider, offline.provider, (n) => notices.push(n));
    const first = provider.open({ signal: new AbortController().signal });
    feed(first, { bytes: 0 }, 200);
    await first.close();
    for await (const _ of first.events) {
      // ends
    }
    const controller = new AbortController();
    const second = provider.open({ signal: controller.signal });
    feed(second, { bytes: 0 }, 200);
    controller.abort();
    cloud.streams[1]!.queue.end(false, new Error('aborted socket'));
    await tick();
    expect(offline.streams).toHaveLength(0);
    expect(notices).toEqual([]);
  });

  it('ends with the offline recogniser\'s error if that fails too (no third try)', async () => {
    const cloud = scriptedStt('cloud');
    const offline = scriptedStt('offline');
    const stream = withSttFallback(cloud.provider, offline.provider, () => {}).open({ signal: new AbortController().signal });
    cloud.streams[0]!.queue.end(false, new Error('cloud down'));
    await tick();
    offline.streams[0]!.queue.end(false, new Error('decoder crashed'));
    await expect(
      (async () => {
        for await (const _ of stream.events) {
          // nothing
        }
      })(),
    ).rejects.toThrow('decoder crashed');
  });
});
