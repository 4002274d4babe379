/**
 * The provider service with the real offline engines, real files, and the vendors' real
 * SDKs pointed at the loopback fakes through SWITCHBOARD_DEEPGRAM_URL / SWITCHBOARD_GEMINI_URL.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore, type SecretStore } from '../../src/main/core/config/secrets';
import { createLogger, type Logger } from '../../src/main/core/log';
import { LlmUnavailableError } from '../../src/main/core/providers/llm/llm-common';
import { createOfflineProviders, type OfflineEngines } from '../../src/main/core/providers/offline';
import { createProviderService, LLM_FIRST_CHUNK_DEADLINE_MS, type ProviderService } from '../../src/main/core/providers/provider-service';
import { withSttFallback, type SttFallbackNotice } from '../../src/main/core/providers/fallback';
import type { LlmChunk, MulawAudio, SttEvent } from '../../src/main/core/providers/types';
import { FRAME_BYTES, MULAW_SILENCE, mulawAudio } from '../../src/main/core/pipeline/audio';
import { synthesise } from '../support/stt-fixtures';
import { DEFAULT_ENGINE_OPTIONS, type CallEvent } from '../../src/shared/domain';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { startHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';
import { functionCallReply, startGeminiFake, textReply, type GeminiFake } from '../fakes/gemini-fake';
import { startOpenAiFake, textReply as openAiText, type OpenAiFake } from '../fakes/openai-fake';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake';
import { startSmallestFake, type SmallestFake } from '../fakes/smallest-fake';

const RESOURCES_DIR = resolve(import.meta.dirname, '../../resources');
const DG_KEY = 'dg-test-key-0123456789abcdef';
const GM_KEY = 'AIzaFAKE-service-test-0123456789';
const OA_KEY = 'sk-service-test-0123456789abcdef';
const EL_KEY = 'sk_el-service-test-0123456789ab';
const SM_KEY = 'sm-service-test-0123456789abcdef';

let offline: OfflineEngines;
let cacheDir: string;
let deepgram: DeepgramFake;
let gemini: GeminiFake;
let openai: OpenAiFake;
let elevenlabs: ElevenLabsFake;
let smallest: SmallestFake;
let dataDir: string;
let services: ProviderService[] = [];
let logText: string[] = [];
let logger: Logger;

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'provider-service-cache-'));
  offline = await createOfflineProviders({ resourcesDir: RESOURCES_DIR, cacheDir, businessName: 'Brightwave Broadband' });
  deepgram = await startDeepgramFake({ apiKey: DG_KEY });
  gemini = await startGeminiFake({ apiKey: GM_KEY });
  openai = await startOpenAiFake({ apiKey: OA_KEY });
  // What a connection test (max 1 token) gets when nothing else is scripted.
  openai.auto = openAiText('OK');
  elevenlabs = await startElevenLabsFake({ apiKey: EL_KEY });
  smallest = await startSmallestFake({ apiKey: SM_KEY });
});
afterAll(async () => {
  await deepgram.close();
  await gemini.close();
  await openai.close();
  await elevenlabs.close();
  await smallest.close();
  rmSync(cacheDir, { recursive: true, force: true });
});
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'provider-service-'));
  logText = [];
  logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logText.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
});
afterEach(async () => {
  await Promise.all(services.map((s) => s.close()));
  services = [];
  rmSync(dataDir, { recursive: true, force: true });
  // Nothing anywhere in the logs ever holds a key.
  expect(logText.join('')).not.toContain(DG_KEY);
  expect(logText.join('')).not.toContain(GM_KEY);
  for (const key of [OA_KEY, EL_KEY, SM_KEY]) expect(logText.join('')).not.toContain(key);
});

const fakeEnv = (): NodeJS.ProcessEnv => ({
  SWITCHBOARD_DEEPGRAM_URL: deepgram.environment.base,
  SWITCHBOARD_GEMINI_URL: gemini.baseUrl,
  SWITCHBOARD_OPENAI_URL: openai.baseUrl,
  SWITCHBOARD_ELEVENLABS_URL: elevenlabs.baseUrl,
  SWITCHBOARD_SMALLEST_URL: smallest.baseUrl,
});

function service(env: NodeJS.ProcessEnv = fakeEnv(), secrets: SecretStore = createFileSecretStore(dataDir, env)): ProviderService {
  const s = createProviderService({ dataDir, secrets, offline, env, logger, testTimeoutMs: 3000 });
  services.push(s);
  return s;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('choice', () => {
  it('defaults to the cloud vendors, runs offline without keys, and says so in engines', () => {
    const state = service().state();
    expect(state.choice).toEqual({ stt: 'deepgram', llm: 'gemini', tts: 'deepgram', ...DEFAULT_ENGINE_OPTIONS });
    expect(state.secrets.map((s) => [s.name, s.configured])).toEqual([
      ['deepgramApiKey', false],
      ['geminiApiKey', false],
      ['openaiApiKey', false],
      ['elevenlabsApiKey', false],
      ['smallestApiKey', false],
    ]);
    expect(state.engines.every((e) => e.offline)).toBe(true);
    const { providers, fallback } = service().providersForNextCall();
    expect(providers).toEqual(offline.providers);
    expect(fallback).toEqual({ llm: offline.providers.llm, tts: offline.providers.tts, stt: offline.providers.stt });
  });

  it('persists across restarts (providers.json) and refuses a bad value', () => {
    const first = service();
    expect(first.update({ llm: 'offline' }).choice).toEqual({ stt: 'deepgram', llm: 'offline', tts: 'deepgram', ...DEFAULT_ENGINE_OPTIONS });
    expect(JSON.parse(readFileSync(join(dataDir, 'providers.json'), 'utf8'))).toMatchObject({ llm: 'offline' });
    expect(service().state().choice.llm).toBe('offline');
    expect(() => first.update({ stt: 'whisper' as 'offline' })).toThrow();
  });
});

describe('with keys and the fakes', () => {
  it('builds the real SDK providers, reuses them across calls, and rebuilds on a new key', async () => {
    const s = service();
    gemini.script(textReply('OK'));
    await s.setSecret('deepgramApiKey', DG_KEY);
    await s.setSecret('geminiApiKey', GM_KEY);
    expect(s.engines()).toEqual([
      { role: 'stt', label: 'Deepgram Nova-3', offline: false },
      { role: 'llm', label: 'Gemini 2.5 Flash', offline: false },
      { role: 'tts', label: 'Deepgram Aura-2', offline: false },
    ]);
    const speakBefore = deepgram.speakConnections.length;
    const a = s.providersForNextCall();
    const b = s.providersForNextCall();
    expect(b.providers.llm).toBe(a.providers.llm);
    expect(b.providers.tts).toBe(a.providers.tts);
    expect(a.fallback.llm).toBe(offline.providers.llm);

    // The LLM really goes to the Gemini fake, with the tools and the knowledge lookup wired.
    gemini.script(functionCallReply('lookup_knowledge', { query: 'router lights' }), textReply('Try a restart.'));
    const chunks: LlmChunk[] = [];
    for await (const c of a.providers.llm.generate({ system: 'Be brief.', history: [{ role: 'user', text: 'My router lights are red' }] }, new AbortController().signal)) {
      chunks.push(c);
    }
    expect(chunks.filter((c) => c.type === 'text')).toEqual([{ type: 'text', text: 'Try a restart.' }]);
    const lookupTurn = gemini.requests.at(-1)?.body?.contents?.at(-1)?.parts?.[0] as { functionResponse?: { response?: { output?: string } } };
    expect(lookupTurn.functionResponse?.response?.output).toMatch(/\w+: .+/);
    expect(gemini.requests.at(-1)?.headers['x-goog-api-key']).toBe(GM_KEY);

    // TTS goes to the Deepgram fake (warmed at call start) ...
    const audio: MulawAudio[] = [];
    for await (const chunk of a.providers.tts.synthesize('Hello there.', new AbortController().signal)) audio.push(chunk);
    expect(audio.length).toBeGreaterThan(0);
    expect(deepgram.speakConnections.length).toBeGreaterThan(speakBefore);

    // ... and STT too.
    const stream = a.providers.stt.open({ signal: new AbortController().signal });
    const before = deepgram.listenConnections.length;
    await deepgram.listenConnection(before);
    await stream.close();

    // A new key: new providers for new calls (the old call keeps its own).
    await s.setSecret('geminiApiKey', `${GM_KEY}-rotated`);
    const c = s.providersForNextCall();
    expect(c.providers.llm).not.toBe(a.providers.llm);
    expect(c.providers.tts).toBe(a.providers.tts);
  });

  it('a cloud choice whose key is cleared runs offline for the next call', async () => {
    const s = service();
    await s.setSecret('deepgramApiKey', DG_KEY);
    expect(s.engines().find((e) => e.role === 'stt')?.offline).toBe(false);
    expect(s.clearSecret('deepgramApiKey').configured).toBe(false);
    const { providers } = s.providersForNextCall();
    expect(providers.stt).toBe(offline.providers.stt);
    expect(providers.tts).toBe(offline.providers.tts);
  });

  it('keys from the environment are used and cannot be changed', async () => {
    const s = service({ ...fakeEnv(), DEEPGRAM_API_KEY: DG_KEY });
    expect(s.state().secrets[0]).toEqual({ name: 'deepgramApiKey', configured: true, source: 'environment', editable: false });
    expect(s.providersForNextCall().providers.stt.offline).toBe(false);
    await expect(s.setSecret('deepgramApiKey', 'another-key-123')).rejects.toThrow(/DEEPGRAM_API_KEY is set in the environment/);
  });

  it('no state, status or result ever carries a key', async () => {
    const s = service();
    gemini.script(textReply('OK'), textReply('OK'));
    const outputs: unknown[] = [await s.setSecret('deepgramApiKey', DG_KEY), await s.setSecret('geminiApiKey', GM_KEY), s.state()];
    outputs.push(await s.test('gemini'), await s.test('deepgram'));
    const text = JSON.stringify(outputs);
    expect(text).not.toContain(DG_KEY);
    expect(text).not.toContain(GM_KEY);
  });
});

describe('OpenAI, ElevenLabs and Smallest.AI', () => {
  async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  }

  it('an older providers.json (roles only) keeps working: the new fields take their defaults, one bad field falls back alone', () => {
    writeFileSync(join(dataDir, 'providers.json'), JSON.stringify({ stt: 'offline', llm: 'gemini', tts: 'deepgram', elevenlabsVoiceId: 'not a voice/id', openaiModel: 'gpt-4o' }));
    const state = service().state();
    expect(state.choice).toEqual({ ...DEFAULT_ENGINE_OPTIONS, stt: 'offline', llm: 'gemini', tts: 'deepgram', openaiModel: 'gpt-4o' });
  });

  it('refuses a voice id that could not be one, and a model Settings does not offer', () => {
    const s = service();
    expect(() => s.update({ elevenlabsVoiceId: '../../v1/user' })).toThrow(/voice id/);
    expect(() => s.update({ smallestVoiceId: 'x' })).toThrow(/at least 2/);
    expect(() => s.update({ openaiModel: 'gpt-3.5-turbo' as 'gpt-4o' })).toThrow();
    expect(s.update({ smallestVoiceId: '  arnav ' }).choice.smallestVoiceId).toBe('arnav');
  });

  it('tests each key as it is saved: accepted, refused, or unreachable, in a sentence without the key', async () => {
    const s = service();
    const ok = await s.setSecret('openaiApiKey', OA_KEY);
    expect(ok.check).toMatchObject({ ok: true, problem: null, message: expect.stringMatching(/^OpenAI accepted the key: .+\.$/) });
    expect((await s.setSecret('elevenlabsApiKey', EL_KEY)).check).toMatchObject({ ok: true, message: expect.stringMatching(/^ElevenLabs accepted the key/) });
    expect((await s.setSecret('smallestApiKey', SM_KEY)).check).toMatchObject({ ok: true, message: expect.stringMatching(/^Smallest\.AI accepted the key/) });
    expect(s.engines()).toEqual([
      { role: 'stt', label: offline.providers.stt.label, offline: true },
      { role: 'llm', label: offline.providers.llm.label, offline: true },
      { role: 'tts', label: offline.providers.tts.label, offline: true },
    ]);

    const wrong = ['sk-wrong-key-000000000', 'sk_el-wrong-key-0000000', 'sm-wrong-key-00000000'];
    const refused = [
      await s.setSecret('openaiApiKey', wrong[0]!),
      await s.setSecret('elevenlabsApiKey', wrong[1]!),
      await s.setSecret('smallestApiKey', wrong[2]!),
    ];
    for (const saved of refused) expect(saved.check).toMatchObject({ ok: false, latencyMs: null, problem: 'rejected' });
    const text = JSON.stringify([refused, s.state()]);
    for (const key of [...wrong, OA_KEY, EL_KEY, SM_KEY]) expect(text).not.toContain(key);
    console.log(`refused keys: ${refused.map((r) => r.check?.message).join(' | ')}`);

    // Chosen with a refused key: the role runs offline and says why.
    s.update({ llm: 'openai', tts: 'elevenlabs' });
    const call = s.providersForNextCall();
    expect(call.providers.llm).toBe(offline.providers.llm);
    expect(call.leftOut.map((e) => [e.role, e.reason])).toEqual([
      ['llm', refused[0]!.check!.message],
      ['tts', refused[1]!.check!.message],
    ]);

    const port = await closedPort();
    const far = service({ SWITCHBOARD_OPENAI_URL: `http://127.0.0.1:${port}`, SWITCHBOARD_ELEVENLABS_URL: `http://127.0.0.1:${port}`, SWITCHBOARD_SMALLEST_URL: `http://127.0.0.1:${port}` });
    for (const name of ['openaiApiKey', 'elevenlabsApiKey', 'smallestApiKey'] as const) {
      const { check } = await far.setSecret(name, name === 'openaiApiKey' ? OA_KEY : name === 'elevenlabsApiKey' ? EL_KEY : SM_KEY);
      expect(check).toMatchObject({ ok: false, problem: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
    }
  });

  it('OpenAI: built with the chosen model, tools and knowledge lookup; a changed model is used from the next call', async () => {
    const s = service();
    await s.setSecret('openaiApiKey', OA_KEY);
    s.update({ llm: 'openai' });
    const a = s.providersForNextCall();
    expect(a.providers.llm.label).toBe('OpenAI gpt-4o-mini');
    expect(s.providersForNextCall().providers.llm).toBe(a.providers.llm);
    openai.script(openAiText('Try a restart.'));
    const chunks = await drain(a.providers.llm.generate({ system: 'Be brief.', history: [{ role: 'user', text: 'My router lights are red' }] }, new AbortController().signal));
    expect(chunks).toEqual([{ type: 'text', text: 'Try a restart.' }]);
    const request = openai.requests.at(-1)!;
    expect(request.body?.model).toBe('gpt-4o-mini');
    expect(request.body?.tools?.map((t) => t.function?.name).sort()).toEqual(['end_call', 'lookup_knowledge', 'record_fact', 'transfer_to_agent']);

    s.update({ openaiModel: 'gpt-4o' });
    const b = s.providersForNextCall();
    expect(b.providers.llm).not.toBe(a.providers.llm);
    expect(b.providers.llm.label).toBe('OpenAI gpt-4o');
    expect(s.engines().find((e) => e.role === 'llm')).toEqual({ role: 'llm', label: 'OpenAI gpt-4o', offline: false });
  });

  it('OpenAI on a call: a reply with no first chunk in time is LlmUnavailableError (timeout), as for Gemini', async () => {
    const s = service({ ...fakeEnv(), OPENAI_API_KEY: OA_KEY });
    s.update({ llm: 'openai' });
    // A first-token timeout is not retried: one request.
    openai.script({ kind: 'hang' });
    const { providers } = s.providersForNextCall();
    const error = await drain(providers.llm.generate({ system: 'x', history: [{ role: 'user', text: 'hello' }] }, new AbortController().signal)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).reason).toBe('timeout');
    expect((error as Error).message).toMatch(/^OpenAI /);
    expect(openai.pending).toBe(0);
  });

  it('ElevenLabs and Smallest.AI: warmed per call, reused, rebuilt for a new voice or key, the old pools closed at close()', async () => {
    const s = service();
    await s.setSecret('elevenlabsApiKey', EL_KEY);
    await s.setSecret('smallestApiKey', SM_KEY);
    s.update({ tts: 'elevenlabs' });
    const before = elevenlabs.connections.length;
    const a = s.providersForNextCall();
    expect(a.providers.tts.label).toBe('ElevenLabs Flash');
    // Warmed at call start: a socket opens before any clause.
    await until(() => elevenlabs.connections.length > before, 5000, 'the ElevenLabs pool to warm up');
    const audio = await drain(a.providers.tts.synthesize('Hello there.', new AbortController().signal));
    expect(audio.reduce((n, c) => n + c.bytes.length, 0)).toBeGreaterThan(0);
    expect(audio.every((c) => c.encoding === 'mulaw' && c.sampleRateHz === 8000)).toBe(true);
    expect(s.providersForNextCall().providers.tts).toBe(a.providers.tts);

    // A new voice: a new pool for the next call, the old one still speaks for the call that has it.
    s.update({ elevenlabsVoiceId: 'pNInz6obpgDQGcFmaJgB' });
    const b = s.providersForNextCall();
    expect(b.providers.tts).not.toBe(a.providers.tts);
    await drain(b.providers.tts.synthesize('Hello again.', new AbortController().signal));
    expect(elevenlabs.handshakes.at(-1)?.path).toBe('/v1/text-to-speech/pNInz6obpgDQGcFmaJgB/multi-stream-input');
    expect((await drain(a.providers.tts.synthesize('Still here.', new AbortController().signal))).length).toBeGreaterThan(0);

    // Smallest.AI, chosen for the next call; switching back to ElevenLabs reuses its pool.
    s.update({ tts: 'smallest', smallestVoiceId: 'arnav' });
    const c = s.providersForNextCall();
    expect(c.providers.tts.label).toBe('Smallest.AI Lightning');
    await drain(c.providers.tts.synthesize('Hello from Smallest.', new AbortController().signal));
    expect(smallest.connections.flatMap((x) => x.requests).at(-1)).toMatchObject({ voice_id: 'arnav', sample_rate: 8000 });
    s.update({ tts: 'elevenlabs' });
    expect(s.providersForNextCall().providers.tts).toBe(b.providers.tts);

    // A rotated key retires the pool; close() closes every pool, old and current.
    await s.setSecret('elevenlabsApiKey', `${EL_KEY}-rotated`);
    await s.close();
    await Promise.all(elevenlabs.connections.slice(before).map((x) => x.closed));
  });
});

describe('test()', () => {
  it('says plainly when no key is set', async () => {
    expect(await service().test('gemini')).toMatchObject({ ok: false, latencyMs: null, message: 'No Gemini API key is set.', problem: null });
  });

  it('passes against the fakes, with a latency', async () => {
    const s = service();
    gemini.script(textReply('OK'));
    await s.setSecret('deepgramApiKey', DG_KEY);
    await s.setSecret('geminiApiKey', GM_KEY);
    const handshakes = deepgram.handshakes.length;
    const dg = await s.test('deepgram');
    expect(dg).toMatchObject({ ok: true, message: expect.stringMatching(/^Deepgram accepted the key: a speech-to-text connection opened\.$/) });
    expect(dg.latencyMs).toBeGreaterThanOrEqual(0);
    expect(deepgram.handshakes.slice(handshakes)).toEqual([{ path: '/v1/listen', status: 101 }]);

    gemini.script(textReply('OK'));
    const gm = await s.test('gemini');
    expect(gm).toMatchObject({ ok: true, message: expect.stringMatching(/^Gemini accepted the key: gemini-2\.5-flash answered\.$/) });
    const request = gemini.requests.at(-1);
    expect(request?.rpc).toBe('generateContent');
    expect(request?.body?.generationConfig?.maxOutputTokens).toBe(1);
    console.log(`provider test latency (loopback fakes): deepgram ${dg.latencyMs} ms, gemini ${gm.latencyMs} ms`);
  });

  it('a refused key: a clear message without the key', async () => {
    const s = service();
    await s.setSecret('deepgramApiKey', 'dg-wrong-key-000000');
    await s.setSecret('geminiApiKey', 'AIza-wrong-key-000000');
    const dg = await s.test('deepgram');
    expect(dg).toMatchObject({ ok: false, latencyMs: null, message: 'Deepgram: the API key was refused (HTTP 401).', problem: 'rejected' });
    const gm = await s.test('gemini');
    expect(gm).toMatchObject({ ok: false, latencyMs: null, message: 'Gemini: the API key was refused (HTTP 400).', problem: 'rejected' });
  });

  it('an unreachable service: says which address and why', async () => {
    const port = await closedPort();
    const env = { SWITCHBOARD_DEEPGRAM_URL: `http://127.0.0.1:${port}`, SWITCHBOARD_GEMINI_URL: `http://127.0.0.1:${port}` };
    const s = service(env);
    await s.setSecret('deepgramApiKey', DG_KEY);
    await s.setSecret('geminiApiKey', GM_KEY);
    expect(await s.test('deepgram')).toMatchObject({ ok: false, latencyMs: null, message: `Could not reach Deepgram at 127.0.0.1:${port} (ECONNREFUSED).`, problem: 'unreachable' });
    expect(await s.test('gemini')).toMatchObject({ ok: false, latencyMs: null, message: `Could not reach Gemini at 127.0.0.1:${port} (ECONNREFUSED).`, problem: 'unreachable' });
  });

  it('a service that never answers: gives up after the timeout', async () => {
    const s = createProviderService({ dataDir, secrets: createFileSecretStore(dataDir, {}), offline, env: fakeEnv(), logger, testTimeoutMs: 500 });
    services.push(s);
    gemini.script({ kind: 'hang' }, { kind: 'hang' });
    await s.setSecret('geminiApiKey', GM_KEY);
    expect(await s.test('gemini')).toMatchObject({ ok: false, latencyMs: null, message: 'Gemini did not answer within 0.5 s.', problem: 'unreachable' });
  });
});

describe('Gemini on a call', () => {
  it('gives up a reply with no first chunk by the deadline, as LlmUnavailableError (timeout)', async () => {
    const s = service();
    gemini.script(textReply('OK'));
    await s.setSecret('geminiApiKey', GM_KEY);
    gemini.script({ kind: 'hang' }, { kind: 'hang' });
    const { providers } = s.providersForNextCall();
    const started = performance.now();
    const error = await (async () => {
      for await (const _ of providers.llm.generate({ system: 'x', history: [{ role: 'user', text: 'hello' }] }, new AbortController().signal)) {
        // nothing expected
      }
    })().then(
      () => null,
      (e: unknown) => e,
    );
    const elapsedMs = Math.round(performance.now() - started);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).reason).toBe('timeout');
    console.log(`gemini dead air before fallback (hanging service): ${elapsedMs} ms (deadline ${LLM_FIRST_CHUNK_DEADLINE_MS} ms)`);
  });

  it('cuts off a slow failure plus its retry at the first-chunk deadline', async () => {
    // A service that fails slowly (503 after 1.1 s: retryable) and then hangs: without the
    // deadline this would be 1.1 s + backoff + a 1.2 s first-token timeout.
    let requests = 0;
    const slow = createHttpServer((req, res) => {
      requests++;
      req.resume();
      if (requests === 1) {
        setTimeout(() => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } }));
        }, 1100);
      }
      // later requests hang until the client goes away
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      // The key comes from the environment: saving it would run a test against the slow service.
      const env = { SWITCHBOARD_GEMINI_URL: `http://127.0.0.1:${(slow.address() as { port: number }).port}`, GEMINI_API_KEY: GM_KEY };
      const s = service(env);
      const { providers } = s.providersForNextCall();
      const started = performance.now();
      const error = await (async () => {
        for await (const _ of providers.llm.generate({ system: 'x', history: [{ role: 'user', text: 'hello' }] }, new AbortController().signal)) {
          // nothing expected
        }
      })().then(
        () => null,
        (e: unknown) => e,
      );
      const elapsedMs = Math.round(performance.now() - started);
      expect(error).toBeInstanceOf(LlmUnavailableError);
      expect((error as LlmUnavailableError).reason).toBe('timeout');
      expect((error as Error).message).toBe(`Gemini 2.5 Flash: no reply within ${LLM_FIRST_CHUNK_DEADLINE_MS} ms`);
      expect(requests).toBe(2);
      console.log(`gemini dead air before fallback (slow 503, then hang): ${elapsedMs} ms`);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });
});

describe('saving a key checks it', () => {
  it('runs the connection test on save, returns it, and keeps it in the provider state', async () => {
    const s = service();
    expect(s.state().checks).toEqual({ deepgram: null, gemini: null, openai: null, elevenlabs: null, smallest: null });
    const saved = await s.setSecret('deepgramApiKey', 'dg-wrong-key-000000');
    expect(saved).toMatchObject({ name: 'deepgramApiKey', configured: true, check: { ok: false, problem: 'rejected', message: 'Deepgram: the API key was refused (HTTP 401).' } });
    expect(s.state().checks.deepgram).toEqual(saved.check);
    expect(s.checks().gemini).toBeNull();
    // Secrets that are not a cloud provider's key are not tested.
    expect((await s.setSecret('twilioAuthToken', 'twilio-token-0123456789')).check).toBeNull();
  });

  it('leaves a rejected or unreachable key off new calls, says why, and takes it back once a test passes', async () => {
    const s = service();
    await s.setSecret('deepgramApiKey', 'dg-wrong-key-000000');
    const call = s.providersForNextCall();
    expect(call.providers.stt).toBe(offline.providers.stt);
    expect(call.providers.tts).toBe(offline.providers.tts);
    expect(call.leftOut).toEqual([
      { role: 'stt', standIn: offline.providers.stt.label, reason: 'Deepgram: the API key was refused (HTTP 401).' },
      { role: 'tts', standIn: offline.providers.tts.label, reason: 'Deepgram: the API key was refused (HTTP 401).' },
    ]);
    expect(s.engines().every((e) => e.offline)).toBe(true);

    // A new key is checked again: this one works, so new calls use Deepgram.
    const saved = await s.setSecret('deepgramApiKey', DG_KEY);
    expect(saved.check).toMatchObject({ ok: true, problem: null });
    const next = s.providersForNextCall();
    expect(next.providers.stt.label).toBe('Deepgram Nova-3');
    expect(next.leftOut).toEqual([]);
    await s.clearSecret('deepgramApiKey');
    expect(s.checks().deepgram).toBeNull();
  });

  it('an unreachable Deepgram is left off too; a key from the environment is used until a test fails', async () => {
    const env = { SWITCHBOARD_DEEPGRAM_URL: 'http://deepgram.invalid', DEEPGRAM_API_KEY: DG_KEY };
    const s = service(env);
    expect(s.providersForNextCall().providers.stt.label).toBe('Deepgram Nova-3');
    const check = await s.test('deepgram');
    expect(check).toMatchObject({ ok: false, problem: 'unreachable', message: 'Could not reach Deepgram at deepgram.invalid (ENOTFOUND).' });
    expect(s.providersForNextCall().leftOut.map((e) => e.role)).toEqual(['stt', 'tts']);
  });
});

describe('a call whose Deepgram cannot be reached', () => {
  it('falls back to the offline recogniser at once (ENOTFOUND), which hears what the caller says', async () => {
    // The key comes from the environment (never tested), the service address does not exist.
    const s = service({ SWITCHBOARD_DEEPGRAM_URL: 'http://deepgram.invalid', DEEPGRAM_API_KEY: DG_KEY });
    const { providers, fallback } = s.providersForNextCall();
    expect(providers.stt.label).toBe('Deepgram Nova-3');
    const notices: SttFallbackNotice[] = [];
    // As the call session wires it.
    const stream = withSttFallback(providers.stt, fallback.stt, (n) => notices.push(n)).open({ signal: new AbortController().signal });
    const events: SttEvent[] = [];
    const reading = (async () => {
      for await (const e of stream.events) events.push(e);
    })();
    const said = 'I want to cancel my contract';
    const audio = Buffer.concat([synthesise(said, 'rms').bytes, Buffer.alloc(600 * 8, MULAW_SILENCE)]);
    const started = performance.now();
    for (let i = 0, f = 0; i < audio.length; i += FRAME_BYTES, f++) {
      const dueMs = started + f * 20 - performance.now();
      if (dueMs > 0) await new Promise((r) => setTimeout(r, dueMs));
      stream.write(mulawAudio(audio.subarray(i, i + FRAME_BYTES)));
    }
    await stream.close();
    await reading;
    expect(notices).toHaveLength(1);
    expect(notices[0]!.reason).toBe('Could not reach Deepgram at deepgram.invalid (ENOTFOUND).');
    expect(notices[0]!.switchedAtMs - notices[0]!.failedAtMs).toBeLessThan(1000);
    console.log(`STT fallback (ENOTFOUND): failed at ${notices[0]!.failedAtMs} ms of audio, offline recogniser took over at ${notices[0]!.switchedAtMs} ms`);
    const text = events.flatMap((e) => (e.type === 'final' ? [e.text.toLowerCase()] : [])).join(' ');
    expect(text).toContain('cancel');
    expect(text).toContain('contract');
  });
});

describe('the whole core, on a Deepgram that cannot be reached', () => {
  it('hears the caller offline, tells the agent once per engine (event, alert, list row), never in the transcript, and does not hang up', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { DEEPGRAM_API_KEY: DG_KEY, SWITCHBOARD_DEEPGRAM_URL: 'http://deepgram.invalid' });
    const harness = await startHarness(mkdtempSync(join(tmpdir(), 'provider-faults-core-')));
    try {
      await harness.call('providers.update', { stt: 'deepgram', llm: 'offline', tts: 'deepgram' });
      const lines = ['I was charged twice this month', 'I want to cancel my contract'];
      const caller = new CallerSimulator({
        ...harness.core.simulatedCall(),
        bridgeUrl: harness.core.bridgeUrl,
        // The caller talks over the AI's long offline lines (barge-in) and hangs up once heard: a short call.
        scenario: {
          id: 'faults',
          title: 'faults',
          description: '',
          from: '+15550102000',
          to: '+15550109999',
          voice: 'rms',
          turns: lines.map((say) => ({ say, pauseMs: 300, bargeInAfterMs: 300 })),
          afterLastTurn: 'stay',
        },
        voice: createFliteTts({ voice: 'rms' }),
      });
      await caller.start();
      await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call');
      const callId = harness.callIdFor(caller.callSid)!;
      await until(() => harness.finals(callId).filter((u) => u.speaker === 'caller').length >= 2, 20_000, 'both caller lines heard');
      caller.hangUp();
      await caller.done;
      await until(() => harness.latest(callId)?.status === 'ended', 5000, 'call to end');
      const stored = await harness.call('calls.get', { callId });
      const events = stored.events as CallEvent[];
      const sttFallback = events.find((e) => e.type === 'fallback' && e.data.role === 'stt');
      console.log(`whole-core call on an unreachable Deepgram: offline recogniser took over at ${sttFallback?.atMs} ms of the call (stream audio ${sttFallback?.data.failedAtMs} -> ${sttFallback?.data.switchedAtMs} ms)`);

      // The offline recogniser heard the caller: both lines, so the AI answered and nobody was hung up on.
      const heard = stored.utterances.filter((u) => u.speaker === 'caller').map((u) => u.text.toLowerCase());
      expect(heard.join(' ')).toMatch(/charged/);
      expect(heard.join(' ')).toMatch(/cancel/);
      expect(stored.call.endReason).toBe('caller_hangup');

      // Told once per engine, in a sentence, as events; the default rule raised an alert that the call's row showed.
      const fallbacks = events.filter((e) => e.type === 'fallback');
      expect(fallbacks.map((e) => e.data.role).sort()).toEqual(['stt', 'tts']);
      expect(fallbacks.find((e) => e.data.role === 'stt')?.data.reason).toBe('Could not reach Deepgram at deepgram.invalid (ENOTFOUND).');
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
      expect(events.some((e) => e.type === 'alert' && e.data.kind === 'provider_trouble')).toBe(true);
      const rows = harness.events.flatMap((e) => (e.name === 'call.updated' && e.payload.id === callId ? [e.payload] : []));
      expect(rows.some((r) => (r.openAlerts ?? 0) > 0)).toBe(true);
      // No raw network error in any line of the transcript.
      expect(JSON.stringify(stored.utterances)).not.toMatch(/getaddrinfo|ENOTFOUND|Deepgram/);
    } finally {
      await harness.core.close();
      process.env = saved;
    }
  });
});
