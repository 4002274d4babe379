/**
 * Fetching a Twilio recording: credentials only ever go to this account's recordings on
 * Twilio (or the loopback fake in tests), never along a redirect to another host, never into
 * an error message; the file appears (0600) only once complete and a valid WAV.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchRecording, mediaCredentials, RecordingFetchError, recordingMediaUrl } from '../../../src/main/core/recordings/twilio-media';
import { TWILIO_URL_ENV } from '../../../src/main/core/telephony/twilio-client';
import { synthesiseDualRecording } from '../../fakes/twilio-fake';
import { makeTempDir } from '../store/helpers';

const AC = `AC${'1'.repeat(32)}`;
const RE = `RE${'2'.repeat(32)}`;
const TWILIO_URL = `https://api.twilio.com/2010-04-01/Accounts/${AC}/Recordings/${RE}`;
const SECRET = 'auth-token-that-must-not-leak';
const credentials = { accountSid: AC, username: AC, password: SECRET };

describe('recordingMediaUrl', () => {
  it("accepts this account's recordings on Twilio and asks for WAV", () => {
    expect(recordingMediaUrl(TWILIO_URL, AC, {}).href).toBe(`${TWILIO_URL}.wav`);
    expect(recordingMediaUrl(`${TWILIO_URL}.wav`, AC, {}).href).toBe(`${TWILIO_URL}.wav`);
    expect(recordingMediaUrl(TWILIO_URL.replace('api.twilio.com', 'api.dublin.ie1.twilio.com'), AC, {}).host).toBe('api.dublin.ie1.twilio.com');
  });

  it('sends the request to the loopback fake when SWITCHBOARD_TWILIO_URL says so, and only to loopback', () => {
    expect(recordingMediaUrl(TWILIO_URL, AC, { [TWILIO_URL_ENV]: 'http://127.0.0.1:4010' }).href).toBe(
      `http://127.0.0.1:4010/2010-04-01/Accounts/${AC}/Recordings/${RE}.wav`,
    );
    expect(() => recordingMediaUrl(TWILIO_URL, AC, { [TWILIO_URL_ENV]: 'https://example.com' })).toThrow(/loopback/);
  });

  it('refuses anything else, so the credentials are never sent there', () => {
    for (const bad of [
      'not a url',
      TWILIO_URL.replace('https:', 'http:'),
      TWILIO_URL.replace('api.twilio.com', 'api.twilio.com.evil.example'),
      TWILIO_URL.replace('api.twilio.com', 'eviltwilio.com'),
      TWILIO_URL.replace('https://', `https://${AC}:x@`),
      TWILIO_URL.replace(AC, `AC${'9'.repeat(32)}`), // another account
      TWILIO_URL.replace('/Recordings/', '/Calls/'),
      `${TWILIO_URL}.mp3`,
      `${TWILIO_URL}/../../Calls.json`,
    ]) {
      expect(() => recordingMediaUrl(bad, AC, {}), bad).toThrow(RecordingFetchError);
    }
  });

  it('prefers the API key when one is configured', () => {
    const secrets = { twilioAuthToken: 'tok', twilioApiKeySecret: 'key-secret' } as const;
    const get = (name: keyof typeof secrets) => secrets[name];
    expect(mediaCredentials({ accountSid: AC, apiKeySid: 'SK1' }, get)).toEqual({ accountSid: AC, username: 'SK1', password: 'key-secret' });
    expect(mediaCredentials({ accountSid: AC, apiKeySid: null }, get)).toEqual({ accountSid: AC, username: AC, password: 'tok' });
    expect(mediaCredentials({ accountSid: null, apiKeySid: null }, get)).toBeNull();
    expect(mediaCredentials({ accountSid: AC, apiKeySid: null }, () => null)).toBeNull();
  });
});

describe('fetchRecording', () => {
  let twilio: Server;
  let elsewhere: Server;
  let twilioUrl: string;
  let elsewhereUrl: string;
  const seen: Array<{ server: string; path: string; authorization: string | undefined }> = [];
  let route: (req: IncomingMessage) => { status: number; body?: Buffer; headers?: Record<string, string> };
  let dir: string;
  let cleanup: () => void;

  const listen = (name: string, handle: (req: IncomingMessage) => { status: number; body?: Buffer; headers?: Record<string, string> }) =>
    new Promise<Server>((resolvePromise) => {
      const server = createServer((req, res) => {
        seen.push({ server: name, path: req.url ?? '', authorization: req.headers.authorization });
        const reply = handle(req);
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body);
      });
      server.listen(0, '127.0.0.1', () => resolvePromise(server));
    });

  beforeAll(async () => {
    twilio = await listen('twilio', (req) => route(req));
    elsewhere = await listen('elsewhere', () => ({ status: 200, body: synthesiseDualRecording(500) }));
    twilioUrl = `http://127.0.0.1:${(twilio.address() as AddressInfo).port}`;
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    twilio.close();
    elsewhere.close();
  });
  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('switchboard-fetch-'));
    seen.length = 0;
  });
  afterEach(() => cleanup());

  const fetchTo = (name = 'agent.wav', maxBytes = 1e6) =>
    fetchRecording({ url: new URL(`/2010-04-01/Accounts/${AC}/Recordings/${RE}.wav`, twilioUrl), credentials, path: join(dir, name), signal: AbortSignal.timeout(5000), maxBytes });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingFetchError);
    expect(String((error as Error).message)).not.toContain(SECRET);
    return error as RecordingFetchError;
  };

  it('downloads with basic auth into a 0600 file, once complete and parsed', async () => {
    const wav = synthesiseDualRecording(1500);
    route = (req) =>
      req.headers.authorization === `Basic ${Buffer.from(`${AC}:${SECRET}`).toString('base64')}` ? { status: 200, body: wav, headers: { 'content-type': 'audio/x-wav' } } : { status: 401 };
    const result = await fetchTo();
    expect(result).toMatchObject({ format: { channels: 2, sampleRateHz: 8000 }, dataBytes: wav.length - 44, durationMs: 1500 });
    expect(statSync(join(dir, 'agent.wav')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['agent.wav']);
  });

  it('says why, without the secret, and whether trying again later may help', async () => {
    route = () => ({ status: 401 });
    expect(await failure(fetchTo())).toMatchObject({ retryable: false, status: 401, message: expect.stringMatching(/refused the account credentials/) });
    route = () => ({ status: 404 });
    expect(await failure(fetchTo())).toMatchObject({ retryable: true, status: 404 });
    route = () => ({ status: 503 });
    expect(await failure(fetchTo())).toMatchObject({ retryable: true, status: 503 });
    route = () => ({ status: 200, body: Buffer.from('<Response>not audio</Response>') });
    expect(await failure(fetchTo())).toMatchObject({ retryable: false, message: expect.stringMatching(/not a usable WAV/) });
    route = () => ({ status: 200, body: synthesiseDualRecording(2000) });
    expect(await failure(fetchTo('big.wav', 10_000))).toMatchObject({ retryable: false, message: expect.stringMatching(/larger than/) });
    // Nothing that looks like a recording is left behind.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('follows a redirect to another host without the credentials, and refuses a plain-http one', async () => {
    route = () => ({ status: 302, headers: { location: `${elsewhereUrl}/media/${RE}.wav` } });
    // http on another origin: refused before anything is requested there.
    expect(await failure(fetchTo())).toMatchObject({ retryable: false, message: expect.stringMatching(/non-https/) });
    expect(seen.map((s) => s.server)).toEqual(['twilio']);
    // The same origin keeps the credentials (it is still Twilio's API host).
    seen.length = 0;
    let hop = 0;
    route = () => (hop++ === 0 ? { status: 307, headers: { location: `/2010-04-01/Accounts/${AC}/Recordings/${RE}.wav?again=1` } } : { status: 200, body: synthesiseDualRecording(300) });
    expect((await fetchTo()).durationMs).toBe(300);
    expect(seen.map((s) => [s.server, s.authorization !== undefined])).toEqual([
      ['twilio', true],
      ['twilio', true],
    ]);
    expect(existsSync(join(dir, 'agent.wav'))).toBe(true);
  });
});
