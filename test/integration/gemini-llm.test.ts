/**
 * The Gemini provider through the real @google/genai SDK, against a loopback fake of the
 * Gemini API (test/fakes/gemini-fake.ts). Everything goes over real HTTP on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleGenAI } from '@google/genai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiLlm, type GeminiLlmOptions } from '../../src/main/core/providers/llm/gemini';
import { CALL_CONNECTED_TURN, CALLER_SILENT_TURN, LLM_TOOL_NAMES, LlmUnavailableError } from '../../src/main/core/providers/llm/llm-common';
import { createLogger } from '../../src/main/core/log';
import type { LlmChunk, LlmProvider, LlmRequest } from '../../src/main/core/providers/types';
import { errorReply, functionCallReply, gate, startGeminiFake, textReply, type GeminiFake } from '../fakes/gemini-fake';

const API_KEY = 'AIzaFAKE-test-key-0123456789abcdef';
const SYSTEM = 'You are the phone assistant for Acme Bikes.';
const REQUEST: LlmRequest = { system: SYSTEM, history: [{ role: 'user', text: 'What time do you open?' }] };

let fake: GeminiFake;

beforeEach(async () => {
  fake = await startGeminiFake({ apiKey: API_KEY });
});
afterEach(async () => {
  await fake.close();
});

function provider(overrides: Partial<GeminiLlmOptions> = {}): LlmProvider {
  return createGeminiLlm({
    apiKey: API_KEY,
    baseUrl: fake.baseUrl,
    tools: LLM_TOOL_NAMES,
    toolHandlers: { lookup_knowledge: () => Promise.resolve('') },
    retryBaseDelayMs: 10,
    ...overrides,
  });
}

async function collect(llm: LlmProvider, request: LlmRequest = REQUEST, signal = new AbortController().signal): Promise<LlmChunk[]> {
  const chunks: LlmChunk[] = [];
  for await (const chunk of llm.generate(request, signal)) chunks.push(chunk);
  return chunks;
}

async function failure(llm: LlmProvider, request: LlmRequest = REQUEST): Promise<LlmUnavailableError> {
  const error: unknown = await collect(llm, request).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmUnavailableError);
  return error as LlmUnavailableError;
}

/** Bounds a wait, so a broken expectation fails with a reason instead of the test timeout. */
function within<T>(promise: Promise<T> | undefined, ms: number, what: string): Promise<T> {
  if (promise === undefined) return Promise.reject(new Error(`nothing to wait for: ${what}`));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The key must not be anywhere in an error: message, stack, string form or JSON form. */
function expectNoKey(error: Error): void {
  for (const text of [error.message, String(error), error.stack ?? '', JSON.stringify(error)]) {
    expect(text).not.toContain(API_KEY);
  }
}

describe('Gemini provider (real SDK, loopback fake)', () => {
  it('streams text as it arrives, not after the reply is complete', async () => {
    const second = gate();
    fake.script({
      kind: 'stream',
      chunks: [{ parts: [{ text: 'We open at nine, ' }] }, { parts: [{ text: 'every day ' }], waitFor: second.promise }, { parts: [{ text: 'but Sunday.' }] }],
    });
    const llm = provider();
    expect(llm).toMatchObject({ label: 'Gemini 2.5 Flash', offline: false, capabilities: { tools: true } });

    const it = llm.generate(REQUEST, new AbortController().signal)[Symbol.asyncIterator]();
    // A provider that buffered the reply would still be waiting here: the gate is shut.
    const first = await within(it.next(), 5000, 'the first chunk while the fake holds the second');
    expect(first.value).toEqual({ type: 'text', text: 'We open at nine, ' });
    // The fake is holding the rest until we say so: the first chunk came through alone.
    expect(fake.requests[0]?.chunksSent).toBe(1);
    second.open();
    const rest: LlmChunk[] = [];
    for (let next = await it.next(); !next.done; next = await it.next()) rest.push(next.value);
    expect(rest).toEqual([
      { type: 'text', text: 'every day ' },
      { type: 'text', text: 'but Sunday.' },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('sends the system instruction, alternating roles, thinking off and the tool declarations', async () => {
    fake.script(textReply('Sure.'), textReply('Still there?'));
    const llm = provider();
    await collect(llm, {
      system: SYSTEM,
      history: [
        { role: 'assistant', text: 'Hello, you are through to Acme Bikes.' },
        { role: 'user', text: 'Hi.' },
        { role: 'user', text: 'I need a new chain.' },
        { role: 'assistant', text: 'Which bike is it for?' },
        { role: 'assistant', text: '' },
        { role: 'user', text: 'A road bike.' },
      ],
    });
    const request = fake.requests[0];
    expect(request).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', query: { alt: 'sse' } });
    expect(request?.headers['x-goog-api-key']).toBe(API_KEY);
    const body = request?.body;
    expect(body?.systemInstruction?.parts).toEqual([{ text: SYSTEM }]);
    expect(body?.contents).toEqual([
      // The greeting came first, so the request opens with a stage direction from the user side.
      { role: 'user', parts: [{ text: CALL_CONNECTED_TURN }] },
      { role: 'model', parts: [{ text: 'Hello, you are through to Acme Bikes.' }] },
      { role: 'user', parts: [{ text: 'Hi.' }, { text: 'I need a new chain.' }] },
      { role: 'model', parts: [{ text: 'Which bike is it for?' }] },
      { role: 'user', parts: [{ text: 'A road bike.' }] },
    ]);
    expect(body?.generationConfig?.thinkingConfig).toEqual({ thinkingBudget: 0 });
    const declarations = body?.tools?.[0]?.functionDeclarations ?? [];
    expect(declarations.map((d) => d.name)).toEqual(['transfer_to_agent', 'end_call', 'lookup_knowledge', 'record_fact']);
    expect(declarations.find((d) => d.name === 'record_fact')?.parametersJsonSchema).toMatchObject({
      type: 'object',
      required: ['name', 'value'],
    });
    expect(body?.toolConfig).toBeUndefined();
    // Nothing SDK-only leaks onto the wire.
    expect(JSON.stringify(body)).not.toMatch(/automaticContinuation|abortSignal/);

    // An AI turn last (the caller stayed silent) still ends the request on a user turn.
    await collect(llm, { system: SYSTEM, history: [{ role: 'assistant', text: 'How can I help?' }] });
    expect(fake.requests[1]?.body?.contents?.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(fake.requests[1]?.body?.contents?.at(-1)).toEqual({ role: 'user', parts: [{ text: CALLER_SILENT_TURN }] });
  });

  it('yields transfer_to_agent as a tool-call chunk after the text, without a round trip', async () => {
    fake.script(functionCallReply('transfer_to_agent', { reason: 'billing dispute' }, 'Let me get someone for you.'));
    const chunks = await collect(provider());
    expect(chunks).toEqual([
      { type: 'text', text: 'Let me get someone for you.' },
      { type: 'tool-call', name: 'transfer_to_agent', args: { reason: 'billing dispute' } },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('answers lookup_knowledge with the handler and streams the rest of the reply', async () => {
    fake.script(
      {
        kind: 'stream',
        chunks: [{ parts: [{ functionCall: { name: 'lookup_knowledge', args: { query: 'opening hours' } }, thoughtSignature: 'c2lnLTE=' }] }],
      },
      textReply('We are open ', 'nine to five.'),
    );
    const queries: string[] = [];
    const llm = provider({
      toolHandlers: {
        lookup_knowledge: ({ query }) => {
          queries.push(query);
          return Promise.resolve('Opening hours: 9:00-17:00, Monday to Saturday.');
        },
      },
    });
    const chunks = await collect(llm);
    expect(queries).toEqual(['opening hours']);
    expect(chunks).toEqual([
      // The lookup is announced for the call's timeline, then the answer streams.
      { type: 'tool-call', name: 'lookup_knowledge', args: { query: 'opening hours' } },
      { type: 'text', text: 'We are open ' },
      { type: 'text', text: 'nine to five.' },
    ]);
    expect(fake.requests).toHaveLength(2);
    const contents = fake.requests[1]?.body?.contents ?? [];
    // The model's call goes back as it came (thought signature included), then the answer.
    expect(contents.slice(-2)).toEqual([
      {
        role: 'model',
        parts: [{ functionCall: { name: 'lookup_knowledge', args: { query: 'opening hours' } }, thoughtSignature: 'c2lnLTE=' }],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'lookup_knowledge', response: { output: 'Opening hours: 9:00-17:00, Monday to Saturday.' } } }],
      },
    ]);
  });

  it('bounds function round trips: the last request forbids further calls', async () => {
    const lookupAgain = (): ReturnType<typeof functionCallReply> => functionCallReply('lookup_knowledge', { query: 'prices' });
    fake.script(lookupAgain(), lookupAgain(), lookupAgain(), lookupAgain(), lookupAgain());
    const chunks = await collect(provider());
    // Four lookups announced, nothing said.
    expect(chunks.every((c) => c.type === 'tool-call' && c.name === 'lookup_knowledge')).toBe(true);
    expect(chunks).toHaveLength(4);
    expect(fake.requests).toHaveLength(4); // the first request plus three round trips
    expect(fake.requests.slice(0, 3).map((r) => r.body?.toolConfig)).toEqual([undefined, undefined, undefined]);
    expect(fake.requests[3]?.body?.toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(fake.pending).toBe(1);
  });

  it('yields record_fact for the session and acknowledges it so the model carries on', async () => {
    fake.script(functionCallReply('record_fact', { name: 'order number', value: 'A-1042' }), textReply('Thanks, noted.'));
    const chunks = await collect(provider());
    expect(chunks).toEqual([
      { type: 'tool-call', name: 'record_fact', args: { name: 'order number', value: 'A-1042' } },
      { type: 'text', text: 'Thanks, noted.' },
    ]);
    expect(fake.requests[1]?.body?.contents?.at(-1)).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: 'record_fact', response: { output: 'recorded' } } }],
    });
  });

  it('stops promptly on abort mid-stream, rejects with an AbortError, and closes the connection', async () => {
    fake.script({ kind: 'stream', chunks: [{ parts: [{ text: 'Our returns policy ' }] }, { parts: [{ text: 'is…' }], delayMs: 10_000 }] });
    const controller = new AbortController();
    const it = provider().generate(REQUEST, controller.signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: 'text', text: 'Our returns policy ' });
    const pending = it.next();
    const abortedAt = performance.now();
    controller.abort(new DOMException('barge-in', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    // Well short of the 10 s the next chunk would have taken.
    expect(performance.now() - abortedAt).toBeLessThan(2000);
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
    expect(fake.requests[0]).toMatchObject({ clientAborted: true, chunksSent: 1 });
  });

  it('closes the connection when the consumer stops reading early', async () => {
    fake.script({ kind: 'stream', chunks: [{ parts: [{ text: 'One, ' }] }], end: 'stall' });
    const it = provider().generate(REQUEST, new AbortController().signal)[Symbol.asyncIterator]();
    await it.next();
    await it.return?.(undefined);
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
    expect(fake.requests[0]?.clientAborted).toBe(true);
  });

  it('an abort while waiting for the first chunk is an AbortError, not a fallback', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const result = collect(provider({ firstTokenTimeoutMs: 10_000 }), REQUEST, controller.signal);
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
  });

  it('retries a 429 before the first chunk, then streams', async () => {
    fake.script(errorReply(429, 'Resource has been exhausted (e.g. check quota).'), textReply('Hello again.'));
    expect(await collect(provider())).toEqual([{ type: 'text', text: 'Hello again.' }]);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not retry a 429 whose RetryInfo asks for a longer wait than a call can afford', async () => {
    fake.script(
      errorReply(429, 'Quota exceeded.', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' }]),
      textReply('never sent'),
    );
    const error = await failure(provider());
    expect(error).toMatchObject({ reason: 'rate-limited', status: 429, attempts: 1 });
    expect(error.message).toMatch(/wait 17 s/);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up after 500 x3 with LlmUnavailableError, a clear message and no API key in it', async () => {
    // A hostile error body that echoes the key: it still must not come out.
    const echo = `Internal error encountered (request key ${API_KEY}).`;
    fake.script(errorReply(500, echo), errorReply(500, echo), errorReply(500, echo), textReply('never sent'));
    const error = await failure(provider());
    expect(error).toMatchObject({ reason: 'server-error', status: 500, googleStatus: 'INTERNAL', attempts: 3, partial: false });
    expect(error.message).toMatch(/^Gemini unavailable after 3 attempts: HTTP 500 INTERNAL: Internal error encountered/);
    expect(error.message).toContain('[redacted]');
    expectNoKey(error);
    expect(fake.requests).toHaveLength(3);
    expect(fake.pending).toBe(1);
  });

  it('gives up on a hung request at the first-token timeout, without retrying', async () => {
    fake.script({ kind: 'hang' }, textReply('never sent'));
    const startedAt = performance.now();
    const error = await failure(provider({ firstTokenTimeoutMs: 300 }));
    expect(error).toMatchObject({ reason: 'timeout', status: null, attempts: 1, partial: false });
    expect(error.message).toMatch(/first-token timeout/);
    expect(performance.now() - startedAt).toBeLessThan(5000);
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
    expect(fake.requests[0]?.clientAborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a wrong key as an auth error and does not retry it', async () => {
    fake.script(textReply('never sent'));
    const error = await failure(provider({ apiKey: 'AIzaWRONG-key-9999999999' }));
    expect(error).toMatchObject({ reason: 'auth', status: 400, googleStatus: 'INVALID_ARGUMENT', attempts: 1 });
    expect(error.message).toMatch(/^Gemini rejected the API key: HTTP 400 INVALID_ARGUMENT: API key not valid/);
    expect(error.message).not.toContain('AIzaWRONG-key-9999999999');
    expect(fake.requests).toHaveLength(1);

    // No key configured: refused before any request (the SDK itself would just warn and send).
    const missing = await failure(provider({ apiKey: '' }));
    expect(missing).toMatchObject({ reason: 'auth', status: null, attempts: 0 });
    expect(missing.message).toBe('Gemini has no API key configured');
    expect(fake.requests).toHaveLength(1);
  });

  it('the fake answers a request without a key 403 PERMISSION_DENIED, as the service does', async () => {
    const response = await fetch(`${fake.baseUrl}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });

  it('does not retry a stream that breaks after text was yielded', async () => {
    fake.script({ kind: 'stream', chunks: [{ parts: [{ text: 'Your order ' }] }], end: 'drop' }, textReply('never sent'));
    const chunks: LlmChunk[] = [];
    const error: unknown = await (async () => {
      for await (const chunk of provider().generate(REQUEST, new AbortController().signal)) chunks.push(chunk);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(chunks).toEqual([{ type: 'text', text: 'Your order ' }]);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(error).toMatchObject({ reason: 'interrupted', partial: true, attempts: 1 });
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on a stream that stalls after its first chunk', async () => {
    fake.script({ kind: 'stream', chunks: [{ parts: [{ text: 'Let me see… ' }] }], end: 'stall' });
    const chunks: LlmChunk[] = [];
    const error: unknown = await (async () => {
      for await (const chunk of provider({ stallTimeoutMs: 300 }).generate(REQUEST, new AbortController().signal)) chunks.push(chunk);
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ name: 'LlmUnavailableError', reason: 'timeout', partial: true });
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
  });

  it('retries connection failures, then reports the service unreachable', async () => {
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const { port } = closedServer.address() as AddressInfo;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));
    const error = await failure(provider({ baseUrl: `http://127.0.0.1:${port}` }));
    expect(error).toMatchObject({ reason: 'network', status: null, attempts: 3 });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expectNoKey(error);
  });

  it('logs structured fields only: no prompt, transcript, tool arguments or key', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    fake.script(
      errorReply(429, `Slow down (${API_KEY}).`),
      functionCallReply('lookup_knowledge', { query: 'secret-query-words' }),
      textReply('secret-reply-words'),
      errorReply(503, 'The model is overloaded.'),
      errorReply(503, 'The model is overloaded.'),
      errorReply(503, 'The model is overloaded.'),
    );
    const llm = provider({
      logger,
      toolHandlers: { lookup_knowledge: () => Promise.resolve('secret-kb-words') },
    });
    const request: LlmRequest = { system: 'secret-system-words', history: [{ role: 'user', text: 'secret-caller-words' }] };
    await collect(llm, request);
    await failure(llm, request);
    const log = lines.join('');
    expect(log).toContain('gemini attempt failed, retrying');
    expect(log).toContain('gemini unavailable');
    expect(log).toContain('gemini function round trip');
    for (const secret of ['secret-system-words', 'secret-caller-words', 'secret-query-words', 'secret-kb-words', 'secret-reply-words', API_KEY]) {
      expect(log).not.toContain(secret);
    }
  });

  it('the fake also serves non-streaming generateContent', async () => {
    fake.script(textReply('Hello ', 'world.'));
    const ai = new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: fake.baseUrl } });
    const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(response.text).toBe('Hello world.');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.modelVersion).toBe('gemini-2.5-flash');
    expect(response.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    expect(fake.requests[0]?.rpc).toBe('generateContent');
  });
});
