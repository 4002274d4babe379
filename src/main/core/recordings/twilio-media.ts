/**
 * Fetches a Twilio recording's media (the agent's softphone leg) into the recordings folder.
 *
 * Credentials go only to Twilio: the RecordingUrl comes from a signed callback, and still it
 * must be https on twilio.com, name this account, and be a Recordings resource, or nothing is
 * sent. Tests point it at the loopback fake with SWITCHBOARD_TWILIO_URL, exactly as the REST
 * client is (loopback origins only). Basic auth is always sent: Twilio requires it when
 * "enforce HTTP auth on media" is on (HIPAA accounts), and it costs nothing otherwise.
 * The secret never appears in an error or a log line: errors carry the HTTP status only.
 *
 * The body streams to `<name>.part` (0600) and is renamed into place only once complete and
 * parsed as a PCM16 WAV, so a crash or a failed download never leaves a file that looks like
 * a recording; `.part` leftovers are removed at the next start.
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TWILIO_URL_ENV } from '../telephony/twilio-client';
import { repairWav, type RepairResult } from './repair';

export interface MediaCredentials {
  accountSid: string;
  /** The account SID (with the auth token) or an API key SID (with its secret). */
  username: string;
  password: string;
}

/**
 * The credentials to fetch media with, from the telephony settings: the API key when one is
 * configured (revocable; what Twilio recommends), else the account SID with the auth token.
 * Null while the account is not configured.
 */
export function mediaCredentials(
  settings: { accountSid: string | null; apiKeySid: string | null },
  secret: (name: 'twilioAuthToken' | 'twilioApiKeySecret') => string | null,
): MediaCredentials | null {
  if (!settings.accountSid) return null;
  const keySecret = settings.apiKeySid ? secret('twilioApiKeySecret') : null;
  if (settings.apiKeySid && keySecret) return { accountSid: settings.accountSid, username: settings.apiKeySid, password: keySecret };
  const authToken = secret('twilioAuthToken');
  return authToken ? { accountSid: settings.accountSid, username: settings.accountSid, password: authToken } : null;
}

export class RecordingFetchError extends Error {
  override readonly name = 'RecordingFetchError';
  constructor(
    message: string,
    /** Worth another try later (Twilio still processing, network trouble). */
    readonly retryable: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const RECORDING_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/(RE[0-9a-f]{32})(?:\.wav)?$/;

/**
 * The URL to fetch a recording's WAV from, or a RecordingFetchError (not retryable) when the
 * callback's RecordingUrl is not this account's recording on Twilio.
 */
export function recordingMediaUrl(recordingUrl: string, accountSid: string, env: NodeJS.ProcessEnv = process.env): URL {
  let url: URL;
  try {
    url = new URL(recordingUrl);
  } catch {
    throw new RecordingFetchError('the RecordingUrl is not a URL', false);
  }
  if (url.protocol !== 'https:' || !/(^|\.)twilio\.com$/.test(url.hostname) || url.username || url.password) {
    throw new RecordingFetchError('the RecordingUrl is not on https://…twilio.com; credentials are not sent elsewhere', false);
  }
  const match = RECORDING_PATH.exec(url.pathname);
  if (!match || match[1] !== accountSid) throw new RecordingFetchError("the RecordingUrl is not a recording of this console's Twilio account", false);
  const path = `/2010-04-01/Accounts/${match[1]}/Recordings/${match[2]}.wav`;
  const redirect = env[TWILIO_URL_ENV];
  if (!redirect) return new URL(path, url.origin);
  const base = new URL(redirect);
  if (base.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(base.hostname)) {
    throw new RecordingFetchError(`${TWILIO_URL_ENV} must be an http://127.0.0.1:PORT origin (a loopback fake)`, false);
  }
  return new URL(path, base.origin);
}

export interface FetchRecordingOptions {
  url: URL;
  credentials: MediaCredentials;
  /** Final path; the download goes to `${path}.part` first. */
  path: string;
  signal: AbortSignal;
  /** Refuse bodies larger than this (a 2-channel hour is ~115 MB). */
  maxBytes: number;
}

/** Downloads the WAV to `path` (0600). Resolves with its format and length; throws RecordingFetchError. */
export async function fetchRecording(o: FetchRecordingOptions): Promise<RepairResult> {
  const auth = Buffer.from(`${o.credentials.username}:${o.credentials.password}`).toString('base64');
  let res: Response;
  try {
    // Twilio may answer with a redirect to its media storage (a pre-signed URL). It is
    // followed by hand, without the credentials: they are for Twilio's API host only.
    res = await fetch(o.url, { headers: { authorization: `Basic ${auth}`, accept: 'audio/wav, audio/x-wav' }, redirect: 'manual', signal: o.signal });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel().catch(() => undefined);
      const next = new URL(location, o.url);
      const sameOrigin = next.origin === o.url.origin;
      if (next.protocol !== 'https:' && !sameOrigin) throw new RecordingFetchError('Twilio redirected the recording to a non-https URL', false);
      const headers: Record<string, string> = { accept: 'audio/wav, audio/x-wav' };
      if (sameOrigin) headers.authorization = `Basic ${auth}`;
      res = await fetch(next, { headers, redirect: sameOrigin ? 'error' : 'follow', signal: o.signal });
    }
  } catch (error) {
    if (error instanceof RecordingFetchError) throw error;
    if (o.signal.aborted) throw new RecordingFetchError('the download was cancelled', false);
    // fetch's messages name the host at most, never headers.
    throw new RecordingFetchError(`could not reach Twilio (${(error as Error).message})`, true);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    const status = res.status;
    const retryable = status === 404 || status === 429 || status >= 500;
    const why = status === 401 || status === 403 ? 'Twilio refused the account credentials' : `Twilio answered HTTP ${status}`;
    throw new RecordingFetchError(`${why} for the recording media`, retryable, status);
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > o.maxBytes) {
    await res.body.cancel().catch(() => undefined);
    throw new RecordingFetchError(`the recording is larger than ${Math.round(o.maxBytes / 1e6)} MB`, false);
  }
  const part = `${o.path}.part`;
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > o.maxBytes) done(new RecordingFetchError(`the recording is larger than ${Math.round(o.maxBytes / 1e6)} MB`, false));
      else done(null, chunk);
    },
  });
  const file = createWriteStream(part, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), limit, file, {
      signal: o.signal,
    });
    // Validates (PCM16, 1-2 channels) and fixes sizes a streaming writer may have left open.
    const wav = repairWav(part);
    renameSync(part, o.path);
    return wav;
  } catch (error) {
    // The pipeline destroyed the file stream, but it may still be opening the file: removing
    // it before the stream has closed could leave a fresh, empty .part behind.
    if (!file.closed) await once(file, 'close').catch(() => undefined);
    rmSync(part, { force: true });
    if (error instanceof RecordingFetchError) throw error;
    if (o.signal.aborted) throw new RecordingFetchError('the download was cancelled', false);
    if ((error as Error).name === 'WavFormatError') throw new RecordingFetchError(`Twilio's file is not a usable WAV (${(error as Error).message})`, false);
    throw new RecordingFetchError(`the download failed (${(error as Error).message})`, true);
  }
}
