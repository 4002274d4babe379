import { describe, expect, it } from 'vitest';
import { withLlmFallback } from '../../src/main/core/providers/fallback';
import type { LlmChunk, LlmProvider } from '../../src/main/core/providers/types';

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
