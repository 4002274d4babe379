/**
 * ElevenLabs TTS (multi-stream-input over `ws`, probe through the real @elevenlabs/elevenlabs-js
 * client) against the loopback fake (test/fakes/elevenlabs-fake.ts): streaming mu-law passed
 * through untouched, pooled sockets, close_context on barge-in with stale audio dropped, the
 * server's idle close survived, and every failure rejecting with a plain message without the key.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { WebSocket } from 'ws';
import { createElevenLabsTts, ELEVENLABS_DEFAULT_MODEL, ELEVENLABS_DEFAULT_VOICE_ID, type ElevenLabsTtsOptions } from '../../src/main/core/providers/tts/elevenlabs';
import { describeElevenLabsFailure, probeElevenLabs } from '../../src/main/core/providers/tts/elevenlabs-probe';
import type { PooledTtsProvider } from '../../src/main/core/providers/types';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake';
import { tone } from '../fakes/tone';

const API_KEY = 'sk_el-tts-key-7c19a2f0';
/** The fake speaks 60 ms per character: 480 mu-law bytes. */
const bytesFor = (text: string) => text.length * 60 * 8;

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

/** The client messages of one context, in order. */
const messagesOf = (fake: ElevenLabsFake, connection: number, contextId: string) =>
  fake.connections[connection]!.messages.filter((m) => m.context_id === contextId);

describe('ElevenLabs TTS (multi-stream-input, loopback fake)', () => {
  let fake: ElevenLabsFake;
  let tts: PooledTtsProvider | undefined;
  const provider = (extra: Partial<ElevenLabsTtsOptions> = {}) => {
    tts = createElevenLabsTts({ apiKey: API_KEY, baseUrl: fake.baseUrl, ...extra });
    return tts;
  };

  beforeEach(async () => {
    fake = await startElevenLabsFake({ apiKey: API_KEY });
    fake.speak = { firstByteDelayMs: 30, msPerChar: 60, chunkBytes: 800, chunkIntervalMs: 15, closeLagChunks: 2 };
  });
  afterEach(async () => {
    await tts?.close();
    tts = undefined;
    await fake.close();
  });

  it('streams a clause as ulaw_8000, byte for byte as sent, first audio long before isFinal', async () => {
    const tts = provider();
    expect(tts).toMatchObject({ label: 'ElevenLabs Flash', offline: false, capabilities: { streaming: true } });
    const text = 'I can help with that refund today.';
    const parts: Buffer[] = [];
    let sentWhenFirstArrived = -1;
    for await (const audio of tts.synthesize(text, new AbortController().signal)) {
      if (parts.length === 0) sentWhenFirstArrived = fake.connections[0]!.bytesSent;
      parts.push(audio.bytes);
    }
    const conn = fake.connections[0]!;
    // Streaming: when the first frame reached us the fake had sent one or two of its 21.
    expect(sentWhenFirstArrived).toBeGreaterThan(0);
    expect(sentWhenFirstArrived).toBeLessThan(bytesFor(text) / 4);
    expect(parts.length).toBeGreaterThan(10);
    // Passed straight through: exactly the mu-law the service produced, no resampling or re-encoding.
    expect(Buffer.concat(parts).equals(tone(bytesFor(text)))).toBe(true);

    expect(fake.handshakes).toEqual([{ path: `/v1/text-to-speech/${ELEVENLABS_DEFAULT_VOICE_ID}/multi-stream-input`, status: 101 }]);
    expect(Object.fromEntries(conn.query)).toEqual({ model_id: ELEVENLABS_DEFAULT_MODEL, output_format: 'ulaw_8000', inactivity_timeout: '180' });
    expect(conn.keyInHeader).toBe(true);
    expect(conn.messages).toEqual([
      { text: ' ', context_id: 'clause-1' },
      { text: `${text} `, context_id: 'clause-1', flush: true },
      { context_id: 'clause-1', close_context: true },
    ]);
    expect(conn.finals).toEqual(['clause-1']);
    expect(JSON.stringify(conn.messages)).not.toContain(API_KEY);
  });

  it('reuses one warm socket for clause after clause, a new context each (no handshake per clause)', async () => {
    const tts = provider({ voiceId: 'pNInz6obpgDQGcFmaJgB', modelId: 'eleven_turbo_v2_5' });
    expect(tts.label).toBe('ElevenLabs Turbo');
    await tts.warm();
    expect(fake.connections).toHaveLength(1);
    const clauses = ['Sure.', 'Let me check your account.', 'One moment please.'];
    for (const clause of clauses) expect((await speakAll(tts, clause)).length).toBe(bytesFor(clause));
    expect(fake.handshakes).toEqual([{ path: '/v1/text-to-speech/pNInz6obpgDQGcFmaJgB/multi-stream-input', status: 101 }]);
    const conn = fake.connections[0]!;
    expect(conn.query.get('model_id')).toBe('eleven_turbo_v2_5');
    expect(conn.finals).toEqual(['clause-1', 'clause-2', 'clause-3']);
    expect([...conn.audioBytes.entries()]).toEqual(clauses.map((c, i) => [`clause-${i + 1}`, bytesFor(c)]));
  });

  it('gives concurrent clauses (two calls) separate sockets, so neither hears the other', async () => {
    const tts = provider();
    const [a, b] = await Promise.all([speakAll(tts, 'Your refund is on its way.'), speakAll(tts, 'Hello!')]);
    expect(a.length).toBe(bytesFor('Your refund is on its way.'));
    expect(b.length).toBe(bytesFor('Hello!'));
    expect(fake.connections).toHaveLength(2);
    expect(fake.connections.map((c) => c.finals)).toEqual([['clause-1'], ['clause-1']]);
  });

  it('abort sends close_context, stops yielding at once, drops late audio, and the socket is reused cleanly', async () => {
    const tts = provider();
    const controller = new AbortController();
    const text = 'This is a long sentence that the caller is about to interrupt.';
    const iterator = tts.synthesize(text, controller.signal)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    const conn = fake.connections[0]!;

    const pending = iterator.next(); // waiting for the next frame when the caller barges in
    const sentAtAbort = conn.bytesSent;
    controller.abort();
    const error = await rejection(pending);
    // Settled without waiting for another frame from the server.
    expect(conn.bytesSent).toBe(sentAtAbort);
    expect(error.name).toBe('AbortError');
    expect((await iterator.next()).done).toBe(true);

    // The next clause starts on the same socket at once, while the old context's audio (the
    // fake sends 2 more frames after the barge-in, "in flight") and its isFinal are still
    // coming: it hears exactly its own audio, none of the old.
    const next = await speakAll(tts, 'Go ahead.');
    expect(next.equals(tone(bytesFor('Go ahead.')))).toBe(true);
    expect(fake.connections).toHaveLength(1);
    const closes = messagesOf(fake, 0, 'clause-1').filter((m) => m.close_context === true);
    expect(closes).toHaveLength(2); // one after the flush, one for the barge-in
    expect(conn.interrupted).toEqual(['clause-1']);
    expect(conn.bytesAfterInterrupt.get('clause-1')).toBe(2 * 800);
    expect(conn.finals).toEqual(['clause-1', 'clause-2']);
    expect(conn.audioBytes.get('clause-1')).toBeLessThan(bytesFor(text));
  });

  it('a consumer that stops reading early also closes the context', async () => {
    const tts = provider();
    for await (const audio of tts.synthesize('Thank you for calling, goodbye.', new AbortController().signal)) {
      expect(audio.bytes.length).toBeGreaterThan(0);
      break;
    }
    await expect.poll(() => fake.connections[0]?.interrupted, { timeout: 2000 }).toEqual(['clause-1']);
  });

  it('an already-aborted signal rejects without opening anything', async () => {
    const tts = provider();
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(speakAll(tts, 'Hello.', controller.signal));
    expect(error.name).toBe('AbortError');
    expect(fake.handshakes).toEqual([]);
  });

  it('replaces a pooled socket that died while idle', async () => {
    const tts = provider();
    await tts.warm();
    fake.connections[0]!.drop();
    await fake.connections[0]!.closed;
    expect((await speakAll(tts, 'Still here.')).length).toBe(bytesFor('Still here.'));
    expect(fake.connections).toHaveLength(2);
  });

  it('retires a pooled socket before the server would time it out, rather than racing its close', async () => {
    // Only performance.now() is faked: the sockets and the fake keep real timers.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const tts = provider();
      await tts.warm();
      vi.advanceTimersByTime(171_000);
      expect((await speakAll(tts, 'Welcome back.')).length).toBe(bytesFor('Welcome back.'));
    } finally {
      vi.useRealTimers();
    }
    expect(fake.connections).toHaveLength(2);
    expect(fake.connections[0]!.messages).toEqual([{ close_socket: true }]);
    expect(await fake.connections[0]!.closed).toMatchObject({ code: 1000 });
  });

  it("survives the server's inactivity close (1008 input_timeout_exceeded) on an idle pooled socket", async () => {
    fake.inactivityTimeoutMs = 100;
    const tts = provider();
    await tts.warm();
    const closed = await fake.connections[0]!.closed;
    expect(closed).toEqual({ code: 1008, reason: 'input_timeout_exceeded' });
    expect((await speakAll(tts, 'Are you still there?')).length).toBe(bytesFor('Are you still there?'));
    expect(fake.connections).toHaveLength(2);
  });

  it('survives the inactivity close racing the next clause (closed before any audio: retried once on a new socket)', async () => {
    const tts = provider();
    await tts.warm();
    fake.connections[0]!.expireBeforeNextMessage();
    expect((await speakAll(tts, 'Right away.')).length).toBe(bytesFor('Right away.'));
    expect(await fake.connections[0]!.closed).toEqual({ code: 1008, reason: 'input_timeout_exceeded' });
    expect(fake.connections).toHaveLength(2);
    expect(fake.connections[1]!.finals).toEqual(['clause-1']);
  });

  describe('failures reject with a plain message (so the session can fall back to offline TTS)', () => {
    const cases: Array<{ name: string; arrange: () => Promise<void> | void; message: RegExp; key?: string }> = [
      { name: 'wrong API key', arrange: () => undefined, message: /^ElevenLabs TTS: the API key was refused \(HTTP 401 invalid_api_key\)$/, key: 'sk_wrong-key-55aa' },
      {
        name: 'quota used up (401 quota_exceeded)',
        arrange: () => void (fake.failure = 'quota-exceeded'),
        message: /^ElevenLabs TTS: the account's character quota is used up \(HTTP 401 quota_exceeded\)$/,
      },
      {
        name: 'rate limited (429)',
        arrange: () => void (fake.failure = 'rate-limited'),
        message: /^ElevenLabs TTS: too many requests or streams at once \(HTTP 429 too_many_concurrent_requests\)$/,
      },
      {
        name: 'nothing listening',
        arrange: async () => {
          await fake.close();
          tts = createElevenLabsTts({ apiKey: API_KEY, baseUrl: fake.baseUrl });
        },
        message: /^ElevenLabs TTS: could not connect \(ECONNREFUSED\)$/,
      },
      {
        name: 'quota runs out mid-session (error frame, 1008)',
        arrange: () => void (fake.failure = 'quota-exceeded-in-stream'),
        message: /^ElevenLabs TTS: the account's character quota is used up \(quota_exceeded, close 1008\)$/,
      },
      { name: 'socket dropped mid-clause', arrange: () => void (fake.failure = 'drop-mid-clause'), message: /^ElevenLabs TTS: connection closed mid-clause \(close 1006\)$/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const key = c.key ?? API_KEY;
        tts = createElevenLabsTts({ apiKey: key, baseUrl: fake.baseUrl });
        await c.arrange();
        const error = await rejection(speakAll(tts, 'Hello there.'));
        expect(error.message).toMatch(c.message);
        expect(error.message).not.toContain(key);
        expect(error.message).not.toContain('Hello there');
        if (c.name === 'nothing listening') fake = await startElevenLabsFake({ apiKey: API_KEY }); // for afterEach
      });
    }

    it('no answer in time fails the clause instead of hanging', async () => {
      fake.speak.firstByteDelayMs = 5000;
      tts = createElevenLabsTts({ apiKey: API_KEY, baseUrl: fake.baseUrl, responseTimeoutMs: 100 });
      const error = await rejection(speakAll(tts, 'Hello there.'));
      expect(error.message).toBe('ElevenLabs TTS: no answer within 100 ms');
    });
  });

  describe('connection test (real SDK client)', () => {
    it('passes with a good key and says how many characters are left', async () => {
      fake.subscription = { characterCount: 2500, characterLimit: 100_000 };
      const controller = new AbortController();
      expect(await probeElevenLabs(API_KEY, fake.baseUrl, controller.signal)).toBe('97,500 of 100,000 characters left this period');
      expect(fake.requests).toEqual([{ method: 'GET', path: '/v1/user', status: 200 }]);
    });

    it('passes with a key restricted to speech (the service recognised it)', async () => {
      fake.restFailure = 'missing-permissions';
      expect(await probeElevenLabs(API_KEY, fake.baseUrl, new AbortController().signal)).toBe('the key is restricted, so the characters left are not shown');
    });

    const cases: Array<{ name: string; key?: string; arrange?: () => Promise<void> | void; problem: string; message: RegExp }> = [
      { name: 'refused key', key: 'sk_wrong-key-55aa', problem: 'rejected', message: /^ElevenLabs: the API key was refused \(HTTP 401 invalid_api_key\)\.$/ },
      {
        name: 'rate limited',
        arrange: () => void (fake.restFailure = 429),
        problem: 'failed',
        message: /^ElevenLabs: the key works but its rate or concurrency limit is used up \(HTTP 429 too_many_concurrent_requests\)\.$/,
      },
      { name: 'server error', arrange: () => void (fake.restFailure = 500), problem: 'failed', message: /^ElevenLabs had a server error \(HTTP 500 internal_error\); try again shortly\.$/ },
      { name: 'unreachable port', arrange: () => fake.close(), problem: 'unreachable', message: /^Could not reach ElevenLabs at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.$/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const key = c.key ?? API_KEY;
        await c.arrange?.();
        const error = await rejection(probeElevenLabs(key, fake.baseUrl, new AbortController().signal));
        const failure = describeElevenLabsFailure(error);
        expect(failure?.problem).toBe(c.problem);
        expect(failure?.message).toMatch(c.message);
        expect(failure?.message).not.toContain(key);
        if (c.name === 'unreachable port') fake = await startElevenLabsFake({ apiKey: API_KEY }); // for afterEach
      });
    }

    it('runs in a thread that outlives a probe whose deadline passed, and serves the next one', async () => {
      fake.restFailure = 'hang';
      const deadline = new AbortController();
      const probing = rejection(probeElevenLabs(API_KEY, fake.baseUrl, deadline.signal));
      await vi.waitFor(() => expect(fake.requests).toEqual([{ method: 'GET', path: '/v1/user', status: 0 }]));
      deadline.abort(new Error('the test deadline'));
      expect((await probing).message).toBe('the test deadline');
      fake.restFailure = null;
      expect(await probeElevenLabs(API_KEY, fake.baseUrl, new AbortController().signal)).toBe('98,766 of 100,000 characters left this period');
    });

    it('a vendor that never answers fails at the timeout given, in words', async () => {
      fake.restFailure = 'hang';
      const error = await rejection(probeElevenLabs(API_KEY, fake.baseUrl, new AbortController().signal, 300));
      expect(describeElevenLabsFailure(error)).toEqual({ message: 'ElevenLabs did not answer in time.', problem: 'unreachable' });
    });

    it('does not recognise an unrelated error', () => {
      expect(describeElevenLabsFailure(new Error('something else'))).toBeNull();
    });
  });

  describe('the fake itself (as the service: key in the first message, either spelling)', () => {
    const talk = (first: Record<string, unknown>) =>
      new Promise<{ frames: Array<Record<string, unknown>>; code: number }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${fake.port}/v1/text-to-speech/${ELEVENLABS_DEFAULT_VOICE_ID}/multi-stream-input?output_format=ulaw_8000`);
        const frames: Array<Record<string, unknown>> = [];
        ws.on('open', () => {
          ws.send(JSON.stringify(first));
          ws.send(JSON.stringify({ text: 'Hi. ', context_id: 'a', flush: true }));
          ws.send(JSON.stringify({ context_id: 'a', close_context: true }));
        });
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as Record<string, unknown>;
          frames.push(frame);
          if (frame.isFinal === true) ws.send(JSON.stringify({ close_socket: true }));
        });
        ws.on('close', (code) => resolve({ frames, code }));
        ws.on('error', reject);
      });

    for (const spelling of ['xi_api_key', 'xi-api-key']) {
      it(`accepts the key as ${spelling} in the first message`, async () => {
        const { frames, code } = await talk({ text: ' ', context_id: 'a', [spelling]: API_KEY });
        expect(code).toBe(1000);
        expect(frames.at(-1)).toEqual({ isFinal: true, contextId: 'a' });
        const audio = frames.filter((f) => typeof f.audio === 'string').map((f) => Buffer.from(f.audio as string, 'base64'));
        expect(Buffer.concat(audio).length).toBe(bytesFor('Hi.'));
        expect(frames[0]).toMatchObject({ contextId: 'a', normalizedAlignment: { chars: expect.any(Array) } });
      });
    }

    it("answers the SDK's REST stream (POST /v1/text-to-speech/:voice/stream) with raw ulaw_8000", async () => {
      const client = new ElevenLabsClient({ apiKey: API_KEY, baseUrl: fake.baseUrl, maxRetries: 0 });
      const stream = await client.textToSpeech.stream(ELEVENLABS_DEFAULT_VOICE_ID, { text: 'Hello there.', modelId: ELEVENLABS_DEFAULT_MODEL, outputFormat: 'ulaw_8000' });
      const parts: Buffer[] = [];
      for await (const chunk of stream) parts.push(Buffer.from(chunk));
      expect(Buffer.concat(parts).equals(tone(bytesFor('Hello there.')))).toBe(true);
      expect(fake.requests).toEqual([{ method: 'POST', path: `/v1/text-to-speech/${ELEVENLABS_DEFAULT_VOICE_ID}/stream`, status: 200 }]);
    });

    it('refuses a wrong key or a first message other than " " with an error frame and 1008', async () => {
      const wrong = await talk({ text: ' ', xi_api_key: 'sk_nope' });
      expect(wrong).toEqual({ frames: [{ message: 'Invalid API key.', error: 'invalid_api_key', code: 1008 }], code: 1008 });
      const notSpace = await talk({ text: 'Hello ', xi_api_key: API_KEY });
      expect(notSpace.code).toBe(1008);
      expect(notSpace.frames[0]).toMatchObject({ error: 'invalid_input_message' });
    });
  });
});
