/** The offline voice's clause cache (issue 14): one flite run per clause, however many calls ask at once. */
import { describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { withClauseCache } from '../../src/main/core/providers/tts/clause-cache';
import type { TtsProvider } from '../../src/main/core/providers/types';

/** Real flite, counting how often it is asked to synthesise. */
function countedFlite(): { tts: TtsProvider; runs: string[] } {
  const flite = createFliteTts({ voice: 'slt' });
  const runs: string[] = [];
  return {
    runs,
    tts: {
      ...flite,
      synthesize(text, signal) {
        runs.push(text);
        return flite.synthesize(text, signal);
      },
    },
  };
}

async function collect(tts: TtsProvider, text: string, signal = new AbortController().signal): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const audio of tts.synthesize(text, signal)) parts.push(audio.bytes);
  return Buffer.concat(parts);
}

const GREETING = "Hello, you're through to Brightwave Broadband.";

describe('clause cache', () => {
  it('twenty calls greeting at once run flite once, and all hear exactly what flite says', async () => {
    const { tts, runs } = countedFlite();
    const cached = withClauseCache(tts);
    const direct = await collect(createFliteTts({ voice: 'slt' }), GREETING);
    const heard = await Promise.all(Array.from({ length: 20 }, () => collect(cached, GREETING)));
    expect(runs).toEqual([GREETING]);
    for (const audio of heard) expect(audio.equals(direct)).toBe(true);
    // Later calls, and the same words spaced differently, come from the cache.
    expect((await collect(cached, `  ${GREETING.replace(' ', '   ')} `)).equals(direct)).toBe(true);
    expect(runs).toHaveLength(1);
  });

  it("one caller's abort stops only its own wait", async () => {
    const { tts, runs } = countedFlite();
    const cached = withClauseCache(tts);
    const gone = new AbortController();
    const leaving = collect(cached, GREETING, gone.signal);
    const staying = collect(cached, GREETING);
    gone.abort(new Error('the caller hung up'));
    await expect(leaving).rejects.toThrow('the caller hung up');
    expect((await staying).length).toBeGreaterThan(8000);
    expect(runs).toHaveLength(1);
  });

  it('keeps at most its byte budget: the least recently used clause goes first', async () => {
    const { tts, runs } = countedFlite();
    const first = await collect(createFliteTts({ voice: 'slt' }), 'One.');
    const cached = withClauseCache(tts, first.length + 100);
    await collect(cached, 'One.');
    await collect(cached, 'Two.');
    await collect(cached, 'One.');
    expect(runs).toEqual(['One.', 'Two.', 'One.']);
  });

  it('a clause that fails is not remembered: the next call tries again', async () => {
    const broken = withClauseCache(createFliteTts({ voice: 'slt', binary: '/nonexistent/flite' }));
    await expect(collect(broken, 'Hello.')).rejects.toThrow(/flite is not installed/);
    await expect(collect(broken, 'Hello.')).rejects.toThrow(/flite is not installed/);
    expect(await collect(withClauseCache(createFliteTts()), '   ')).toHaveLength(0);
  });
});
