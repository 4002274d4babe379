/**
 * Whole clauses of a non-streaming voice, remembered (issue 14: offline engines under load).
 * Every call on the offline engines opens with the same greeting and many AI lines repeat
 * ("Is there anything else I can help with?"), so twenty calls arriving together used to run
 * twenty flite processes for the same words before anyone heard a thing. Now the first call
 * synthesises a clause and every other call waiting on the same words shares that one run
 * (lru-cache's fetch de-duplicates in-flight loads); later calls get it at once.
 *
 * Bounded by bytes (least recently used first out). A caller's abort stops its own wait, never
 * the shared synthesis another call may be waiting on.
 */
import { LRUCache } from 'lru-cache';
import { mulawAudio } from '../../pipeline/audio';
import { abortable } from '../abortable';
import type { TtsProvider } from '../types';

/** 4 MB of mu-law is about 8 minutes of speech: every greeting and stock line many times over. */
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/** One shared synthesis may take this long before it is given up. */
const SYNTHESIS_TIMEOUT_MS = 30_000;

export function withClauseCache(tts: TtsProvider, maxBytes = DEFAULT_MAX_BYTES): TtsProvider {
  const cache = new LRUCache<string, Buffer>({
    maxSize: maxBytes,
    sizeCalculation: (bytes) => Math.max(1, bytes.length),
    fetchMethod: async (text) => {
      const parts: Buffer[] = [];
      for await (const audio of tts.synthesize(text, AbortSignal.timeout(SYNTHESIS_TIMEOUT_MS))) parts.push(audio.bytes);
      return Buffer.concat(parts);
    },
  });
  return {
    ...tts,
    async *synthesize(text, signal) {
      const key = text.replace(/\s+/g, ' ').trim();
      if (!key) return;
      // A caller's abort ends its own wait; the shared synthesis runs on for the others.
      const bytes = await abortable(cache.fetch(key), signal);
      if (bytes && bytes.length > 0) yield mulawAudio(bytes);
    },
  };
}
