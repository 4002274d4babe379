/**
 * The OpenAI provider through the real `openai` SDK, against a loopback fake of the OpenAI
 * API (test/fakes/openai-fake.ts). Everything goes over real HTTP on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { APIError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main/core/log';
import {
  CALL_CONNECTED_TURN,
  CALLER_SILENT_TURN,
  LLM_TOOL_NAMES,
  LlmUnavailableError,
  supervisorNote,
} from '../../src/main/core/providers/llm/llm-common';
import {
  createOpenAiLlm,
  describeOpenAiFailure,
  OPENAI_DEFAULT_MODEL,
  OPENAI_MODELS,
  probeOpenAi,
  type OpenAiLlmOptions,
} from '../../src/main/core/providers/llm/openai';
import type { LlmChunk, LlmProvider, LlmRequest } from '../../src/main/core/providers/types';
import { errorReply, gate, rateLimitReply, startOpenAiFake, textReply, toolCallReply, type OpenAiFake } from '../fakes/openai-fake';

const API_KEY = 'sk-proj-FAKEtestkey0123456789abcdefXYZ9';
const SYSTEM = 'You are the phone assistant for Acme Bikes.';
const REQUEST: LlmRequest = { system: SYSTEM, history: [{ role: 'user', text: 'What time do you open?' }] };

let fake: OpenAiFake;

beforeEach(async () => {
  fake = await startOpenAiFake({ apiKey: API_KEY });
});
afterEach(async () => {
  await fake.close();
});

function provider(overrides: Partial<OpenAiLlmOptions> = {}): LlmProvider {
  return createOpenAiLlm({
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

/** Runs a reply to its end, keeping what was yielded and how it ended. */
async function run(llm: LlmProvider, request: LlmRequest = REQUEST): Promise<{ chunks: LlmChunk[]; error: unknown }> {
  const chunks: LlmChunk[] = [];
  try {
    for await (const chunk of llm.generate(request, new AbortController().signal)) chunks.push(chunk);
    return { chunks, error: null };
  } catch (error) {
    return { chunks, error };
  }
}

async function failure(llm: LlmProvider, request: LlmRequest = REQUEST): Promise<LlmUnavailableError> {
  const { error } = await run(llm, request);
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
function expectNoKey(error: Error, key = API_KEY): void {
  for (const text of [error.message, String(error), error.stack ?? '', JSON.stringify(error)]) {
    expect(text).not.toContain(key);
  }
}

/** Runs the connection test, resolving to what it threw. */
function probe(apiKey = API_KEY, model = 'gpt-4o-mini', baseUrl = fake.baseUrl): Promise<unknown> {
  return probeOpenAi(apiKey, model, baseUrl, new AbortController().signal).then(
    () => null,
    (e: unknown) => e,
  );
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenAI provider (real SDK, loopback fake)', () => {
  it('streams text as it arrives, not after the reply is complete', async () => {
    const second = gate();
    fake.script({
      kind: 'stream',
      chunks: [{ text: 'We open at nine, ' }, { text: 'every day ', waitFor: second.promise }, { text: 'but Sunday.' }],
    });
    const llm = provider();
    expect(llm).toMatchObject({ label: 'OpenAI gpt-4o-mini', offline: false, capabilities: { tools: true } });

    const it = llm.generate(REQUEST, new AbortController().signal)[Symbol.asyncIterator]();
    // A provider that buffered the reply would still be waiting here: the gate is shut.
    const first = await within(it.next(), 5000, 'the first chunk while the fake holds the second');
    expect(first.value).toEqual({ type: 'text', text: 'We open at nine, ' });
    // Only the opening role chunk and the first text chunk have gone out.
    expect(fake.requests[0]?.chunksSent).toBe(2);
    second.open();
    const rest: LlmChunk[] = [];
    for (let next = await it.next(); !next.done; next = await it.next()) rest.push(next.value);
    expect(rest).toEqual([
      { type: 'text', text: 'every day ' },
      { type: 'text', text: 'but Sunday.' },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it('sends the model, a streamed request with usage, the key as bearer and the four tools as function tools', async () => {
    fake.script(textReply('Sure.'));
    await collect(provider());
    const request = fake.requests[0];
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200 });
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    // Nothing from this machine's environment rides along (OPENAI_ORG_ID and the like).
    expect(request?.headers['openai-organization']).toBeUndefined();
    expect(request?.headers['openai-project']).toBeUndefined();
    const body = request?.body;
    expect(body).toMatchObject({ model: OPENAI_DEFAULT_MODEL, stream: true, stream_options: { include_usage: true } });
    expect(body?.tool_choice).toBeUndefined();
    const tools = body?.tools ?? [];
    expect(tools.map((t) => [t.type, t.function?.name])).toEqual([
      ['function', 'transfer_to_agent'],
      ['function', 'end_call'],
      ['function', 'lookup_knowledge'],
      ['function', 'record_fact'],
    ]);
    expect(tools.find((t) => t.function?.name === 'record_fact')?.function?.parameters).toMatchObject({
      type: 'object',
      required: ['name', 'value'],
    });
    expect(tools.find((t) => t.function?.name === 'lookup_knowledge')?.function?.parameters).toMatchObject({ required: ['query'] });
    expect(OPENAI_MODELS).toContain(OPENAI_DEFAULT_MODEL);

    // gpt-4o is selectable and labelled as such; no tools declared means no tools sent.
    fake.script(textReply('Hi.'));
    const plain = provider({ model: 'gpt-4o', tools: [] });
    expect(plain.label).toBe('OpenAI gpt-4o');
    await collect(plain);
    expect(fake.requests[1]?.body?.model).toBe('gpt-4o');
    expect(fake.requests[1]?.body?.tools).toBeUndefined();
  });

  it('renders the history: system prompt first, roles kept, a whisper as the supervisor’s private system note', async () => {
    fake.script(textReply('Sure.'), textReply('Still there?'));
    const llm = provider();
    await collect(llm, {
      system: SYSTEM,
      history: [
        { role: 'assistant', text: 'Hello, you are through to Acme Bikes.' },
        { role: 'user', text: 'Hi.' },
        { role: 'user', text: 'I need a new chain.' },
        { role: 'supervisor', text: 'Offer the loyalty discount.' },
        { role: 'assistant', text: 'Which bike is it for?' },
        { role: 'assistant', text: '' },
        { role: 'user', text: 'A road bike.' },
      ],
    });
    expect(fake.requests[0]?.body?.messages).toEqual([
      { role: 'system', content: SYSTEM },
      // The greeting came first, so the conversation opens with a stage direction from the caller's side.
      { role: 'user', content: CALL_CONNECTED_TURN },
      { role: 'assistant', content: 'Hello, you are through to Acme Bikes.' },
      { role: 'user', content: 'Hi.' },
      { role: 'user', content: 'I need a new chain.' },
      { role: 'system', content: supervisorNote('Offer the loyalty discount.') },
      { role: 'assistant', content: 'Which bike is it for?' },
      { role: 'user', content: 'A road bike.' },
    ]);
    expect(supervisorNote('x')).toMatch(/Supervisor, not heard by the caller/);

    // An AI turn last (the caller stayed silent) still ends the request on a caller turn.
    await collect(llm, { system: SYSTEM, history: [{ role: 'assistant', text: 'How can I help?' }] });
    expect(fake.requests[1]?.body?.messages?.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(fake.requests[1]?.body?.messages?.at(-1)).toEqual({ role: 'user', content: CALLER_SILENT_TURN });
  });

  it('joins transfer_to_agent’s argument fragments and yields it after the text, without a round trip', async () => {
    fake.script({ ...toolCallReply('transfer_to_agent', { reason: 'billing dispute' }, 'Let me get someone for you.') });
    const chunks = await collect(provider());
    expect(chunks).toEqual([
      { type: 'text', text: 'Let me get someone for you.' },
      { type: 'tool-call', name: 'transfer_to_agent', args: { reason: 'billing dispute' } },
    ]);
    // role + text + the call's opening fragment + 3 argument fragments + finish + usage.
    expect(fake.requests[0]?.chunksSent).toBe(8);
    expect(fake.requests).toHaveLength(1);
  });

  it('yields end_call (arguments split over many fragments) and stops there', async () => {
    fake.script(
      { kind: 'stream', chunks: [{ text: 'Goodbye!' }, { toolCall: { name: 'end_call', args: { reason: 'caller finished' }, fragments: 7 } }] },
      textReply('never sent'),
    );
    expect(await collect(provider())).toEqual([
      { type: 'text', text: 'Goodbye!' },
      { type: 'tool-call', name: 'end_call', args: { reason: 'caller finished' } },
    ]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.pending).toBe(1);
  });

  it('answers lookup_knowledge with the handler and streams the rest of the reply', async () => {
    fake.script(toolCallReply('lookup_knowledge', { query: 'opening hours' }), textReply('We are open ', 'nine to five.'));
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
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200]);
    const messages = fake.requests[1]?.body?.messages ?? [];
    const call = messages.at(-2)?.tool_calls?.[0];
    // The model's call goes back as it came (id, name, joined arguments), then the answer to that id.
    expect(messages.at(-2)).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: call?.id, type: 'function', function: { name: 'lookup_knowledge', arguments: '{"query":"opening hours"}' } }],
    });
    expect(call?.id).toMatch(/^call_/);
    expect(messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: call?.id,
      content: JSON.stringify({ output: 'Opening hours: 9:00-17:00, Monday to Saturday.' }),
    });
  });

  it('bounds tool round trips: the last request says tool_choice none', async () => {
    const lookupAgain = (): ReturnType<typeof toolCallReply> => toolCallReply('lookup_knowledge', { query: 'prices' });
    fake.script(lookupAgain(), lookupAgain(), lookupAgain(), lookupAgain(), lookupAgain());
    const chunks = await collect(provider());
    expect(chunks.every((c) => c.type === 'tool-call' && c.name === 'lookup_knowledge')).toBe(true);
    expect(chunks).toHaveLength(4);
    expect(fake.requests).toHaveLength(4); // the first request plus three round trips
    expect(fake.requests.slice(0, 3).map((r) => r.body?.tool_choice)).toEqual([undefined, undefined, undefined]);
    expect(fake.requests[3]?.body?.tool_choice).toBe('none');
    expect(fake.pending).toBe(1);
  });

  it('yields record_fact for the session and acknowledges it so the model carries on', async () => {
    fake.script(toolCallReply('record_fact', { name: 'order number', value: 'A-1042' }, 'Got it. '), textReply('Anything else?'));
    const chunks = await collect(provider());
    expect(chunks).toEqual([
      { type: 'text', text: 'Got it. ' },
      { type: 'tool-call', name: 'record_fact', args: { name: 'order number', value: 'A-1042' } },
      { type: 'text', text: 'Anything else?' },
    ]);
    const messages = fake.requests[1]?.body?.messages ?? [];
    // The words said before the call go back with it.
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', content: 'Got it. ' });
    expect(messages.at(-1)).toEqual({ role: 'tool', tool_call_id: messages.at(-2)?.tool_calls?.[0]?.id, content: '{"output":"recorded"}' });
  });

  it('stops promptly on abort mid-stream, rejects with an AbortError, and closes the connection', async () => {
    const never = gate();
    fake.script({ kind: 'stream', chunks: [{ text: 'Our returns policy ' }, { text: 'is…', waitFor: never.promise }] });
    const controller = new AbortController();
    const it = provider().generate(REQUEST, controller.signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: 'text', text: 'Our returns policy ' });
    const pending = it.next();
    controller.abort(new DOMException('barge-in', 'AbortError'));
    // The fake never sends the rest: only the abort can end this wait.
    await expect(within(pending, 5000, 'the abort to end the reply')).rejects.toMatchObject({ name: 'AbortError' });
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
    expect(fake.requests[0]).toMatchObject({ clientAborted: true, chunksSent: 2 });
  });

  it('closes the connection when the consumer stops reading early', async () => {
    fake.script({ kind: 'stream', chunks: [{ text: 'One, ' }], end: 'stall' });
    const it = provider().generate(REQUEST, new AbortController().signal)[Symbol.asyncIterator]();
    await it.next();
    await it.return?.(undefined);
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
    expect(fake.requests[0]?.clientAborted).toBe(true);
  });

  it('an abort while waiting for the first chunk is an AbortError, not a fallback', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const result = collect(provider({ firstTokenTimeoutMs: 30_000 }), REQUEST, controller.signal);
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort();
    await expect(within(result, 5000, 'the abort')).rejects.toMatchObject({ name: 'AbortError' });
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
  });

  it('retries failures before the first token (429 without retry-after, 500, an error frame), then streams', async () => {
    fake.script(rateLimitReply(), errorReply(500), textReply('Hello again.'));
    expect(await collect(provider())).toEqual([{ type: 'text', text: 'Hello again.' }]);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 500, 200]);

    // An error frame as the first thing in a 200 stream: nothing was said, so it is retried too.
    fake.script({ kind: 'stream', chunks: [{ errorFrame: { message: 'The server had an error processing your request.' } }] }, textReply('Back.'));
    expect(await collect(provider())).toEqual([{ type: 'text', text: 'Back.' }]);
    expect(fake.requests).toHaveLength(5);
  });

  it('honours a short retry-after and gives up on one longer than a call can afford', async () => {
    fake.script(rateLimitReply(0), textReply('Right away.'));
    expect(await collect(provider())).toEqual([{ type: 'text', text: 'Right away.' }]);

    fake.script(rateLimitReply(30), textReply('never sent'));
    const error = await failure(provider());
    expect(error).toMatchObject({ reason: 'rate-limited', status: 429, attempts: 1, partial: false });
    expect(error.message).toMatch(/^OpenAI asked to wait 30 s before retrying: HTTP 429: Rate limit reached/);
    expect(fake.requests).toHaveLength(3);
    expect(fake.pending).toBe(1);
  });

  it('reports 429 as rate-limited after the retries; an exhausted quota is not retried at all', async () => {
    fake.script(rateLimitReply(), rateLimitReply(), rateLimitReply());
    const limited = await failure(provider());
    expect(limited).toMatchObject({ reason: 'rate-limited', status: 429, attempts: 3, partial: false });
    // The service's words, its error code and the request id (for support), nothing else.
    expect(limited.message).toMatch(/^OpenAI unavailable after 3 attempts: HTTP 429: Rate limit reached.*\[rate_limit_exceeded\] \(request req_\w+\)$/);
    expect(fake.requests).toHaveLength(3);

    fake.script(
      errorReply(429, {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      }),
    );
    const quota = await failure(provider());
    expect(quota).toMatchObject({ reason: 'rate-limited', status: 429, attempts: 1 });
    expect(fake.requests).toHaveLength(4);
  });

  it('gives up after 500 x3 with LlmUnavailableError, a clear message and no API key in it', async () => {
    // A hostile error body that echoes the key: it still must not come out.
    const echo = { message: `The server had an error (request key ${API_KEY}).` };
    fake.script(errorReply(500, echo), errorReply(500, echo), errorReply(500, echo), textReply('never sent'));
    const error = await failure(provider());
    expect(error).toMatchObject({ reason: 'server-error', status: 500, attempts: 3, partial: false });
    expect(error.message).toMatch(/^OpenAI unavailable after 3 attempts: HTTP 500: The server had an error/);
    expect(error.message).toContain('[redacted]');
    expectNoKey(error);
    expect(fake.requests).toHaveLength(3);
    expect(fake.pending).toBe(1);
  });

  it('maxRetries sets how many times a failed start is retried', async () => {
    fake.script(errorReply(500), errorReply(503));
    expect(await failure(provider({ maxRetries: 1 }))).toMatchObject({ reason: 'server-error', status: 503, attempts: 2 });
    fake.script(errorReply(500));
    expect(await failure(provider({ maxRetries: 0 }))).toMatchObject({ reason: 'server-error', status: 500, attempts: 1 });
    expect(fake.requests.map((r) => r.status)).toEqual([500, 503, 500]);
  });

  it('reports a wrong key as an auth error and does not retry it', async () => {
    fake.script(textReply('never sent'));
    const wrongKey = 'sk-proj-WRONGkey99999999999999abcd';
    const error = await failure(provider({ apiKey: wrongKey }));
    expect(error).toMatchObject({ reason: 'auth', status: 401, attempts: 1, partial: false });
    expect(error.message).toMatch(/^OpenAI rejected the API key: HTTP 401: Incorrect API key provided: sk-proj-\*+abcd\..*\[invalid_api_key\]/);
    expectNoKey(error, wrongKey);
    expect(fake.requests).toHaveLength(1);

    // No key configured: refused before any request (the SDK would read OPENAI_API_KEY instead).
    const missing = await failure(provider({ apiKey: '' }));
    expect(missing).toMatchObject({ reason: 'auth', status: null, attempts: 0 });
    expect(missing.message).toBe('OpenAI has no API key configured');
    expect(fake.requests).toHaveLength(1);
  });

  it('a bad model name is a bad request, not retried', async () => {
    const error = await failure(provider({ model: 'gpt-9-imaginary' }));
    expect(error).toMatchObject({ reason: 'bad-request', status: 404, attempts: 1 });
    expect(error.message).toMatch(/does not exist or you do not have access to it.*\[model_not_found\]/);
  });

  it('does not retry a stream that breaks after text was yielded (dropped connection, error frame)', async () => {
    fake.script({ kind: 'stream', chunks: [{ text: 'Your order ' }], end: 'drop' });
    const dropped = await run(provider());
    expect(dropped.chunks).toEqual([{ type: 'text', text: 'Your order ' }]);
    expect(dropped.error).toBeInstanceOf(LlmUnavailableError);
    expect(dropped.error).toMatchObject({ reason: 'interrupted', partial: true, attempts: 1 });
    expect((dropped.error as Error).message).toMatch(/^OpenAI stream broke off mid-reply \(not retried\)/);
    expect(fake.requests).toHaveLength(1);

    fake.script({
      kind: 'stream',
      chunks: [{ text: 'Let me check ' }, { errorFrame: { message: 'The server had an error while processing your request.' } }],
    });
    const framed = await run(provider());
    expect(framed.chunks).toEqual([{ type: 'text', text: 'Let me check ' }]);
    expect(framed.error).toMatchObject({ name: 'LlmUnavailableError', reason: 'interrupted', partial: true, attempts: 1 });
    expect(fake.requests).toHaveLength(2);
  });

  it('a break in the second round (after a tool answer) is reported as interrupted too', async () => {
    fake.script(
      toolCallReply('record_fact', { name: 'callback time', value: '5pm' }, 'Noted. '),
      { kind: 'stream', chunks: [{ text: 'And your ' }], end: 'drop' },
      textReply('never sent'),
    );
    const { chunks, error } = await run(provider());
    expect(chunks.map((c) => c.type)).toEqual(['text', 'tool-call', 'text']);
    expect(error).toMatchObject({ name: 'LlmUnavailableError', reason: 'interrupted', partial: true, attempts: 1 });
    expect(fake.requests).toHaveLength(2);
  });

  it('a tool call cut off mid-arguments, before anything was said, is retried from the start', async () => {
    // The call's fragments arrived, then the socket died: no one heard anything, so the reply starts over.
    fake.script(
      { kind: 'stream', chunks: [{ toolCall: { name: 'record_fact', args: { name: 'order number', value: 'A-1' } } }], end: 'drop' },
      toolCallReply('record_fact', { name: 'order number', value: 'B-2' }),
      textReply('Noted.'),
    );
    const chunks = await collect(provider());
    // Only the retried attempt's call: the broken one's fragments were not glued onto it.
    expect(chunks).toEqual([
      { type: 'tool-call', name: 'record_fact', args: { name: 'order number', value: 'B-2' } },
      { type: 'text', text: 'Noted.' },
    ]);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[2]?.body?.messages?.at(-2)?.tool_calls).toHaveLength(1);
  });

  it('gives up on a hung request at the first-token timeout, without retrying', async () => {
    fake.script({ kind: 'hang' }, textReply('never sent'));
    const error = await failure(provider({ firstTokenTimeoutMs: 300 }));
    expect(error).toMatchObject({ reason: 'timeout', status: null, attempts: 1, partial: false });
    expect(error.message).toMatch(/first-token timeout/);
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
    expect(fake.requests[0]?.clientAborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on a stream that stalls after its first chunk', async () => {
    fake.script({ kind: 'stream', chunks: [{ text: 'Let me see… ' }], end: 'stall' });
    const { chunks, error } = await run(provider({ stallTimeoutMs: 300 }));
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ name: 'LlmUnavailableError', reason: 'timeout', partial: true });
    await within(fake.requests[0]?.closed, 5000, 'the fake to see the connection close');
  });

  it('retries connection failures, then reports the service unreachable', async () => {
    const port = await closedPort();
    const error = await failure(provider({ baseUrl: `http://127.0.0.1:${port}` }));
    expect(error).toMatchObject({ reason: 'network', status: null, attempts: 3 });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expectNoKey(error);
  });

  it('logs structured fields only: no prompt, transcript, tool arguments or key', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    fake.script(
      errorReply(429, { message: `Slow down (${API_KEY}).` }),
      toolCallReply('lookup_knowledge', { query: 'secret-query-words' }),
      textReply('secret-reply-words'),
      errorReply(503),
      errorReply(503),
      errorReply(503),
    );
    const llm = provider({ logger, toolHandlers: { lookup_knowledge: () => Promise.resolve('secret-kb-words') } });
    const request: LlmRequest = {
      system: 'secret-system-words',
      history: [
        { role: 'user', text: 'secret-caller-words' },
        { role: 'supervisor', text: 'secret-whisper-words' },
      ],
    };
    await collect(llm, request);
    await failure(llm, request);
    const log = lines.join('');
    expect(log).toContain('openai attempt failed, retrying');
    expect(log).toContain('openai unavailable');
    expect(log).toContain('openai function round trip');
    expect(log).toContain('openai usage');
    const secrets = ['secret-system-words', 'secret-caller-words', 'secret-whisper-words', 'secret-query-words', 'secret-kb-words', 'secret-reply-words'];
    for (const secret of [...secrets, API_KEY]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('OpenAI connection test', () => {
  it('passes with a good key, in one tiny non-streamed request', async () => {
    fake.script(textReply('OK'));
    const detail = await probeOpenAi(API_KEY, 'gpt-4o-mini', fake.baseUrl, new AbortController().signal);
    expect(detail).toBe('gpt-4o-mini answered');
    expect(fake.requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1 });
    expect(fake.requests[0]?.body?.stream).toBeUndefined();
  });

  it('a refused key is "rejected", in a sentence without the key', async () => {
    const wrongKey = 'sk-proj-WRONGkey99999999999999abcd';
    const error = await probe(wrongKey);
    const described = describeOpenAiFailure(error);
    expect(described).toEqual({ message: 'OpenAI: the API key was refused (HTTP 401).', problem: 'rejected' });
    expectNoKey(error as Error, wrongKey);
  });

  it('an unreachable service is "unreachable" and names the address', async () => {
    const port = await closedPort();
    const error = await probe(API_KEY, 'gpt-4o-mini', `http://127.0.0.1:${port}`);
    expect(describeOpenAiFailure(error)).toEqual({ message: `Could not reach OpenAI at 127.0.0.1:${port} (ECONNREFUSED).`, problem: 'unreachable' });
    expectNoKey(error as Error);
  });

  it('a missing model, a rate limit and a server error are "failed"', async () => {
    expect(describeOpenAiFailure(await probe(API_KEY, 'gpt-9-imaginary'))).toEqual({
      message: 'OpenAI: the model gpt-9-imaginary is not available to this key (HTTP 404).',
      problem: 'failed',
    });
    fake.script(rateLimitReply(), errorReply(429, { type: 'insufficient_quota', code: 'insufficient_quota' }), errorReply(500));
    const failed = async (): Promise<string | undefined> => describeOpenAiFailure(await probe())?.message;
    expect(await failed()).toBe('OpenAI: the key works but its rate limit is used up (HTTP 429).');
    expect(await failed()).toBe('OpenAI: the key works but its account has no credit left (HTTP 429).');
    expect(await failed()).toBe('OpenAI had a server error (HTTP 500); try again shortly.');
    // Something it does not recognise is left to the caller's generic sentence.
    expect(describeOpenAiFailure(new Error('something else'))).toBeNull();
  });
});

describe('the OpenAI fake, as the SDK sees it', () => {
  it('streams chunks the SDK parses, a usage chunk only when asked, and ends on [DONE]', async () => {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${fake.baseUrl}/v1`, maxRetries: 0 });
    fake.script(textReply('Hello ', 'world.'), textReply('Again.'));
    const withUsage = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of withUsage) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello world.');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const withoutUsage = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const plain = [];
    for await (const chunk of withoutUsage) plain.push(chunk);
    expect(plain.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it('its errors carry the body and x-request-id the SDK reads, and it checks tool answers', async () => {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${fake.baseUrl}/v1`, maxRetries: 0 });
    fake.script(rateLimitReply(7));
    const limited: unknown = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(APIError);
    expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests', requestID: fake.requests[0]?.requestId });
    expect((limited as APIError).headers?.get('retry-after')).toBe('7');

    const unanswered: unknown = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'end_call', arguments: '{}' } }] },
          { role: 'user', content: 'Hello?' },
        ],
      })
      .catch((e: unknown) => e);
    expect(unanswered).toMatchObject({ status: 400 });
    expect((unanswered as APIError).message).toMatch(/did not have response messages: call_1/);
  });
});
