/**
 * Deepgram Aura-2 TTS through the real @deepgram/sdk v5 against the loopback fake
 * (test/fakes/deepgram-fake.ts): handshake, streaming audio, socket reuse, Clear on abort,
 * and every failure rejecting with a clear message that never contains the key.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeepgramTts, type DeepgramTtsOptions, type DeepgramTtsProvider } from '../../src/main/core/providers/tts/deepgram-aura';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';

const API_KEY = 'dg-tts-key-81d0e4';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The fake speaks 60 ms per character: 480 mu-law bytes. */
const bytesFor = (text: string) => text.length * 60 * 8;

async function speakAll(tts: DeepgramTtsProvider, text: string, signal = new AbortController().signal): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const audio of tts.synthesize(text, signal)) {
    expect(audio.encoding).toBe('mulaw');
    expect(audio.sampleRateHz).toBe(8000);
    parts.push(audio.bytes);
  }
  return Buffer.concat(parts);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('Deepgram Aura-2 TTS (real SDK, loopback fake)', () => {
  let fake: DeepgramFake;
  let tts: DeepgramTtsProvider;
  const provider = (extra: Partial<DeepgramTtsOptions> = {}) =>
    (tts = createDeepgramTts({ apiKey: API_KEY, environment: fake.environment, ...extra }));

  beforeEach(async () => {
    fake = await startDeepgramFake({ apiKey: API_KEY });
    fake.speak = { firstByteDelayMs: 30, msPerChar: 60, chunkBytes: 800, chunkIntervalMs: 15, clearLagChunks: 2 };
  });
  afterEach(async () => {
    await tts?.close();
    await fake.close();
  });

  it('streams a clause: first audio long before Flushed, every byte, on the right socket', async () => {
    provider();
    expect(tts).toMatchObject({ label: 'Deepgram Aura-2', offline: false, capabilities: { streaming: true } });
    const text = 'I can help with that refund today.';
    const parts: Buffer[] = [];
    let sentWhenFirstArrived = -1;
    for await (const audio of tts.synthesize(text, new AbortController().signal)) {
      if (parts.length === 0) sentWhenFirstArrived = fake.speakConnections[0]!.bytesSent;
      parts.push(audio.bytes);
    }
    const conn = fake.speakConnections[0]!;
    // Streaming: when the first chunk reached us the fake had sent one or two of its 21.
    expect(sentWhenFirstArrived).toBeGreaterThan(0);
    expect(sentWhenFirstArrived).toBeLessThan(bytesFor(text) / 4);
    expect(parts.length).toBeGreaterThan(10);
    expect(Buffer.concat(parts).length).toBe(bytesFor(text));
    expect(conn.bytesSent).toBe(bytesFor(text));

    expect(Object.fromEntries(conn.query)).toEqual({ model: 'aura-2-thalia-en', encoding: 'mulaw', sample_rate: '8000' });
    expect(conn.texts).toEqual([text]);
    expect(conn.controls).toEqual(['Speak', 'Flush']);
  });

  it('reuses one warm socket for clause after clause (no handshake per clause)', async () => {
    provider({ model: 'aura-2-orion-en' });
    await tts.warm();
    expect(fake.speakConnections).toHaveLength(1);
    const clauses = ['Sure.', 'Let me check your account.', 'One moment please.'];
    for (const clause of clauses) expect((await speakAll(tts, clause)).length).toBe(bytesFor(clause));
    expect(fake.speakConnections).toHaveLength(1);
    expect(fake.handshakes).toEqual([{ path: '/v1/speak', status: 101 }]);
    expect(fake.speakConnections[0]!.query.get('model')).toBe('aura-2-orion-en');
    expect(fake.speakConnections[0]!.controls).toEqual(['Speak', 'Flush', 'Speak', 'Flush', 'Speak', 'Flush']);
  });

  it('gives concurrent clauses (two calls) separate sockets, so neither hears the other', async () => {
    provider();
    const [a, b] = await Promise.all([speakAll(tts, 'Your refund is on its way.'), speakAll(tts, 'Hello!')]);
    expect(a.length).toBe(bytesFor('Your refund is on its way.'));
    expect(b.length).toBe(bytesFor('Hello!'));
    expect(fake.speakConnections).toHaveLength(2);
  });

  it('abort sends Clear, stops yielding at once, and drops audio still in flight', async () => {
    provider();
    const controller = new AbortController();
    const text = 'This is a long sentence that the caller is about to interrupt.';
    const got: Buffer[] = [];
    const iterator = tts.synthesize(text, controller.signal)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    got.push(first.value!.bytes);

    const pending = iterator.next(); // waiting for the next chunk when the caller barges in
    controller.abort();
    const started = performance.now();
    const error = await rejection(pending);
    expect(performance.now() - started).toBeLessThan(20);
    expect(error.name).toBe('AbortError');
    expect((await iterator.next()).done).toBe(true);

    const conn = fake.speakConnections[0]!;
    await expect.poll(() => conn.controls, { timeout: 2000 }).toEqual(['Speak', 'Flush', 'Clear']);
    // The fake sent 2 more chunks after Clear ("in flight"), then Cleared: none reached us,
    // and none leak into the next clause, which reuses the same socket once Cleared is in.
    await sleep(150);
    const next = await speakAll(tts, 'Go ahead.');
    expect(next.length).toBe(bytesFor('Go ahead.'));
    expect(fake.speakConnections).toHaveLength(1);
    expect(got).toHaveLength(1);
    // Audio did come after the Clear (the fake's 2 in-flight chunks); we yielded none of it.
    expect(conn.bytesSent - bytesFor('Go ahead.')).toBeGreaterThanOrEqual(got[0]!.length + 2 * 800);
  });

  it('a consumer that stops reading early also clears the socket', async () => {
    provider();
    for await (const audio of tts.synthesize('Thank you for calling, goodbye.', new AbortController().signal)) {
      expect(audio.bytes.length).toBeGreaterThan(0);
      break;
    }
    await expect.poll(() => fake.speakConnections[0]!.controls, { timeout: 2000 }).toEqual(['Speak', 'Flush', 'Clear']);
  });

  it('an already-aborted signal rejects without opening anything', async () => {
    provider();
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(speakAll(tts, 'Hello.', controller.signal));
    expect(error.name).toBe('AbortError');
    expect(fake.handshakes).toEqual([]);
  });

  it('replaces a pooled socket that died while idle', async () => {
    provider();
    await tts.warm();
    fake.speakConnections[0]!.drop();
    await sleep(50);
    expect((await speakAll(tts, 'Still here.')).length).toBe(bytesFor('Still here.'));
    expect(fake.speakConnections).toHaveLength(2);
  });

  describe('failures reject with a clear message (so the session can fall back to offline TTS)', () => {
    const cases: Array<{ name: string; arrange: () => Promise<void> | void; message: RegExp; key?: string }> = [
      { name: 'wrong API key', arrange: () => undefined, message: /^Deepgram TTS: the API key was refused \(.*401/, key: 'wrong-tts-key-55' },
      { name: 'handshake refused (503)', arrange: () => void (fake.speakFailure = 'reject-upgrade'), message: /^Deepgram TTS: could not connect \(.*503/ },
      {
        name: 'nothing listening',
        arrange: async () => {
          await fake.close();
          tts = createDeepgramTts({ apiKey: API_KEY, environment: fake.environment });
        },
        message: /^Deepgram TTS: could not connect \(.*ECONNREFUSED/,
      },
      { name: 'Warning', arrange: () => void (fake.speakFailure = 'warning'), message: /^Deepgram TTS warning TEXT_TOO_LONG: / },
      { name: 'socket closed mid-clause', arrange: () => void (fake.speakFailure = 'drop-mid-clause'), message: /^Deepgram TTS: connection closed mid-clause/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const key = c.key ?? API_KEY;
        tts = createDeepgramTts({ apiKey: key, environment: fake.environment });
        await c.arrange();
        const error = await rejection(speakAll(tts, 'Hello there.'));
        expect(error.message).toMatch(c.message);
        expect(error.message).not.toContain(key);
        if (c.name === 'nothing listening') fake = await startDeepgramFake({ apiKey: API_KEY }); // for afterEach
      });
    }
  });
});
