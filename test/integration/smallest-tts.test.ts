/**
 * Smallest.AI Lightning TTS (our `ws` client) against the loopback Waves fake
 * (test/fakes/smallest-fake.ts): PCM16 -> mu-law byte for byte, pooled sockets, abort with late
 * audio dropped, sockets the server closes (after `complete`, idle timeout, a cut) survived,
 * every failure rejecting with a plain message that holds neither the key nor the clause, and
 * the connection test.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main/core/log';
import { pcmToMulaw } from '../../src/main/core/pipeline/audio';
import type { PooledTtsProvider } from '../../src/main/core/providers/types';
import {
  createSmallestTts,
  describeSmallestFailure,
  probeSmallest,
  SMALLEST_DEFAULT_MODEL,
  SMALLEST_DEFAULT_VOICE_ID,
  type SmallestTtsOptions,
} from '../../src/main/core/providers/tts/smallest';
import { startSmallestFake, tonePcm, type SmallestFake } from '../fakes/smallest-fake';

const API_KEY = 'smallest-key-5f31c07a';
const MS_PER_CHAR = 60;
/** What the fake "says" for `text`, as the mu-law we must hand on. */
const mulawFor = (text: string) => pcmToMulaw({ encoding: 'pcm16', sampleRateHz: 8000, samples: tonePcm(text.length * MS_PER_CHAR) }).bytes;

async function speakAll(tts: PooledTtsProvider, text: string, signal = new AbortController().signal): Promise<Buffer> {
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

describe('Smallest.AI Lightning TTS (ws client, loopback Waves fake)', () => {
  let fake: SmallestFake;
  let tts: PooledTtsProvider | undefined;
  const provider = (extra: Partial<SmallestTtsOptions> = {}) =>
    (tts = createSmallestTts({ apiKey: API_KEY, baseUrl: fake.baseUrl, ...extra }));

  beforeEach(async () => {
    fake = await startSmallestFake({ apiKey: API_KEY });
    // 801-byte chunks: every other chunk ends half-way through a 16-bit sample.
    fake.speech = { firstByteDelayMs: 20, msPerChar: MS_PER_CHAR, chunkBytes: 801, chunkIntervalMs: 5 };
  });
  afterEach(async () => {
    await tts?.close();
    tts = undefined;
    await fake.close();
  });

  it('streams a clause as mu-law, every sample converted exactly across odd chunk splits', async () => {
    const t = provider();
    expect(t).toMatchObject({ label: 'Smallest.AI Lightning', offline: false, capabilities: { streaming: true } });
    const text = 'I can help with that refund today.';
    const parts: Buffer[] = [];
    let sentWhenFirstArrived = -1;
    for await (const audio of t.synthesize(text, new AbortController().signal)) {
      if (parts.length === 0) sentWhenFirstArrived = fake.connections[0]!.bytesSent;
      parts.push(audio.bytes);
    }
    const conn = fake.connections[0]!;
    const pcmBytes = text.length * MS_PER_CHAR * 8 * 2;
    // Streaming: the first audio reached us while most of the clause was still to come.
    expect(sentWhenFirstArrived).toBeGreaterThan(0);
    expect(sentWhenFirstArrived).toBeLessThan(pcmBytes / 4);
    expect(parts.length).toBeGreaterThan(10);
    expect(conn.bytesSent).toBe(pcmBytes);
    expect(Buffer.concat(parts).equals(mulawFor(text))).toBe(true);

    expect(fake.handshakes).toEqual([{ path: '/waves/v1/tts/live', status: 101, authorization: `Bearer ${API_KEY}` }]);
    expect(conn.requests).toHaveLength(1);
    expect(conn.requests[0]).toEqual({
      voice_id: SMALLEST_DEFAULT_VOICE_ID,
      text,
      model: SMALLEST_DEFAULT_MODEL,
      sample_rate: 8000,
      speed: 1,
      language: 'en',
      continue: false,
      flush: true,
      max_buffer_flush_ms: 0,
      complete_backoff_ms: 0,
      request_id: expect.stringMatching(/^[a-zA-Z0-9_\-.]{1,128}$/) as unknown,
    });
  });

  it('reuses one warm socket for clause after clause, each its own request', async () => {
    const t = provider({ voiceId: 'liam', model: 'lightning_v3.1_pro' });
    expect(t.label).toBe('Smallest.AI Lightning Pro');
    await t.warm();
    expect(fake.connections).toHaveLength(1);
    const clauses = ['Sure.', 'Let me check your account.', 'One moment please.'];
    for (const clause of clauses) expect((await speakAll(t, clause)).equals(mulawFor(clause))).toBe(true);
    expect(fake.connections).toHaveLength(1);
    expect(fake.handshakes).toHaveLength(1);
    const requests = fake.connections[0]!.requests;
    expect(requests.map((r) => [r.text, r.voice_id, r.model])).toEqual(clauses.map((c) => [c, 'liam', 'lightning_v3.1_pro']));
    expect(new Set(requests.map((r) => r.request_id)).size).toBe(3);
  });

  it('gives concurrent clauses (two calls) separate sockets, so neither hears the other', async () => {
    const t = provider();
    const [a, b] = await Promise.all([speakAll(t, 'Your refund is on its way.'), speakAll(t, 'Hello!')]);
    expect(a.equals(mulawFor('Your refund is on its way.'))).toBe(true);
    expect(b.equals(mulawFor('Hello!'))).toBe(true);
    expect(fake.connections).toHaveLength(2);
  });

  it('abort stops yielding at once, drops the late audio, and reuses the socket once the request completes', async () => {
    const logLines: string[] = [];
    const t = provider({ logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }) });
    const controller = new AbortController();
    const text = 'This is a long sentence that the caller is about to interrupt.';
    const got: Buffer[] = [];
    const iterator = t.synthesize(text, controller.signal)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    got.push(first.value!.bytes);

    const conn = fake.connections[0]!;
    const pending = iterator.next(); // waiting for the next chunk when the caller barges in
    const sentAtAbort = conn.bytesSent;
    controller.abort();
    const error = await rejection(pending);
    // Rejected before the fake's next chunk could even be sent (no timer ran in between).
    expect(conn.bytesSent).toBe(sentAtAbort);
    expect(error.name).toBe('AbortError');
    expect((await iterator.next()).done).toBe(true);

    // While the interrupted request is still being generated, its socket is not handed out:
    // the next clause gets a socket of its own and hears only its own audio.
    const next = await speakAll(t, 'Go ahead.');
    expect(next.equals(mulawFor('Go ahead.'))).toBe(true);
    expect(fake.connections).toHaveLength(2);

    // The server finished the interrupted request (audio we never yielded), then it's reusable.
    await expect.poll(() => logLines.some((l) => l.includes('interrupted Smallest.AI request has finished')), { timeout: 3000 }).toBe(true);
    const abandonedId = conn.requests[0]!.request_id as string;
    expect(conn.sent.filter((f) => f.requestId === abandonedId).map((f) => f.status).at(-1)).toBe('complete');
    expect(conn.bytesSent).toBe(text.length * MS_PER_CHAR * 16);
    expect(got).toHaveLength(1);
    expect(logLines.join('\n')).not.toContain(text);
    const [c, d] = await Promise.all([speakAll(t, 'Okay.'), speakAll(t, 'Right.')]);
    expect(c.equals(mulawFor('Okay.'))).toBe(true);
    expect(d.equals(mulawFor('Right.'))).toBe(true);
    expect(fake.connections).toHaveLength(2);
    expect(conn.requests.map((r) => r.text)).toHaveLength(2);
  });

  it('a consumer that stops reading early leaks nothing into the next clause', async () => {
    const t = provider();
    for await (const audio of t.synthesize('Thank you for calling, goodbye.', new AbortController().signal)) {
      expect(audio.bytes.length).toBeGreaterThan(0);
      break;
    }
    expect((await speakAll(t, 'Wait, one more thing.')).equals(mulawFor('Wait, one more thing.'))).toBe(true);
  });

  it('an already-aborted signal rejects without opening anything', async () => {
    const t = provider();
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(speakAll(t, 'Hello.', controller.signal));
    expect(error.name).toBe('AbortError');
    expect(fake.handshakes).toEqual([]);
  });

  it('replaces a pooled socket that was cut while idle', async () => {
    const t = provider();
    await t.warm();
    fake.connections[0]!.drop();
    expect((await speakAll(t, 'Still here.')).equals(mulawFor('Still here.'))).toBe(true);
    expect(fake.connections).toHaveLength(2);
  });

  it('survives a server that closes the socket after each complete (as the docs describe)', async () => {
    fake.closeAfterComplete = true;
    const t = provider();
    for (const clause of ['First.', 'Second clause.', 'Third.']) expect((await speakAll(t, clause)).equals(mulawFor(clause))).toBe(true);
    expect(fake.connections).toHaveLength(3);
    for (const conn of fake.connections) expect(conn.requests).toHaveLength(1);
  });

  it('survives the idle-timeout error on a pooled socket', async () => {
    await fake.close();
    fake = await startSmallestFake({ apiKey: API_KEY, idleTimeoutMs: 300 });
    fake.speech = { firstByteDelayMs: 10, msPerChar: MS_PER_CHAR, chunkBytes: 801, chunkIntervalMs: 2 };
    const t = provider();
    await t.warm();
    const idle = fake.connections[0]!;
    await idle.closed;
    expect(idle.sent).toEqual([{ status: 'error', requestId: null }]);
    expect((await speakAll(t, 'Are you still there?')).equals(mulawFor('Are you still there?'))).toBe(true);
    expect(fake.connections).toHaveLength(2);
    expect(idle.requests).toEqual([]);
  });

  describe('failures reject with a plain message (so the session can fall back to offline TTS)', () => {
    const clause = 'My card number is on file.';
    const cases: Array<{ name: string; arrange: () => Promise<void> | void; message: RegExp; key?: string; extra?: Partial<SmallestTtsOptions> }> = [
      { name: 'wrong API key (401 at the upgrade)', arrange: () => undefined, message: /^Smallest\.AI TTS: the API key was refused \(HTTP 401\)$/, key: 'wrong-smallest-key-91' },
      { name: 'rate limited (429)', arrange: () => void (fake.failure = 'rate-limited'), message: /^Smallest\.AI TTS: rate or concurrency limit reached \(HTTP 429\)$/ },
      { name: 'handshake refused (503)', arrange: () => void (fake.failure = 'reject-upgrade'), message: /^Smallest\.AI TTS: could not connect \(HTTP 503\)$/ },
      {
        name: 'nothing listening',
        arrange: async () => {
          await fake.close();
        },
        message: /^Smallest\.AI TTS: could not connect \(ECONNREFUSED\)$/,
      },
      { name: 'error frame', arrange: () => void (fake.failure = 'error-frame'), message: /^Smallest\.AI TTS error insufficient_credits: Insufficient credits/ },
      { name: 'connection dropped mid-stream', arrange: () => void (fake.failure = 'drop-mid-stream'), message: /^Smallest\.AI TTS: connection closed mid-clause/ },
      { name: 'no answer', arrange: () => void (fake.failure = 'hang'), message: /^Smallest\.AI TTS: no answer within 300 ms$/, extra: { responseTimeoutMs: 300 } },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const key = c.key ?? API_KEY;
        const t = (tts = createSmallestTts({ apiKey: key, baseUrl: fake.baseUrl, ...c.extra }));
        await c.arrange();
        const error = await rejection(speakAll(t, clause));
        expect(error.message).toMatch(c.message);
        expect(error.message).not.toContain(key);
        expect(error.message).not.toContain(clause);
        if (c.name === 'nothing listening') fake = await startSmallestFake({ apiKey: API_KEY }); // for afterEach
      });
    }

    it('a failed clause does not poison the pool: the next one speaks', async () => {
      const t = provider();
      fake.failure = 'error-frame';
      await rejection(speakAll(t, clause));
      fake.failure = null;
      expect((await speakAll(t, 'Sorry about that.')).equals(mulawFor('Sorry about that.'))).toBe(true);
    });
  });

  describe('connection test (POST /waves/v1/tts)', () => {
    const probe = (key: string) => probeSmallest(key, fake.baseUrl, new AbortController().signal);

    it('passes with a good key, speaking two characters as 8 kHz mu-law', async () => {
      expect(await probe(API_KEY)).toBe('lightning_v3.1 spoke a test word');
      expect(fake.httpRequests).toEqual([
        {
          method: 'POST',
          path: '/waves/v1/tts',
          authorization: `Bearer ${API_KEY}`,
          accept: 'audio/wav',
          body: expect.objectContaining({ text: 'Hi', voice_id: SMALLEST_DEFAULT_VOICE_ID, model: SMALLEST_DEFAULT_MODEL, sample_rate: 8000, output_format: 'ulaw' }) as unknown,
          status: 200,
        },
      ]);
      expect(fake.handshakes).toEqual([]);
    });

    it('a refused key is "rejected", a rate limit "failed", a dead port "unreachable"; never the key', async () => {
      const refused = describeSmallestFailure(await rejection(probe('bad-smallest-key-22')));
      expect(refused).toEqual({ message: 'Smallest.AI: the API key was refused (HTTP 401).', problem: 'rejected' });

      fake.failure = 'rate-limited';
      const limited = describeSmallestFailure(await rejection(probe(API_KEY)));
      expect(limited).toEqual({ message: 'Smallest.AI: the key works but its rate or concurrency limit is used up (HTTP 429).', problem: 'failed' });

      // A port nothing listens on (not the fake's: fetch may hold a kept-alive socket to it).
      const spare = createServer();
      await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
      const port = (spare.address() as AddressInfo).port;
      await new Promise<void>((resolve) => spare.close(() => resolve()));
      const unreachable = describeSmallestFailure(await rejection(probeSmallest(API_KEY, `http://127.0.0.1:${port}`, new AbortController().signal)));
      expect(unreachable).toEqual({ message: `Could not reach Smallest.AI at 127.0.0.1:${port} (ECONNREFUSED).`, problem: 'unreachable' });

      for (const f of [refused, limited, unreachable]) {
        expect(f!.message).not.toContain(API_KEY);
        expect(f!.message).not.toContain('bad-smallest-key-22');
      }
      expect(describeSmallestFailure(new Error('something else'))).toBeNull();
    });

    it('stops when its signal aborts (the caller\'s deadline)', async () => {
      fake.failure = 'hang';
      const controller = new AbortController();
      const pending = probeSmallest(API_KEY, fake.baseUrl, controller.signal);
      await expect.poll(() => fake.httpRequests.length).toBe(1);
      controller.abort();
      expect((await rejection(pending)).name).toBe('AbortError');
    });
  });

  it('the fake\'s SSE route follows the documented shape (done terminator, base64 PCM, sample_rate checked)', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${fake.baseUrl}/waves/v1/tts/live`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({ text: 'Hi there', voice_id: 'avery', sample_rate: 8000 });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const frames = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { audio?: string; done: boolean; status: string });
    expect(frames.at(-1)).toEqual({ status: '200', done: true });
    const audio = Buffer.concat(frames.slice(0, -1).map((f) => Buffer.from(f.audio!, 'base64')));
    expect(audio.length).toBe('Hi there'.length * MS_PER_CHAR * 16);
    expect(frames.slice(0, -1).every((f) => f.done === false && f.status === '206')).toBe(true);

    const bad = await post({ text: 'Hi', voice_id: 'avery', sample_rate: 12345 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/sample_rate/);
  });
});
