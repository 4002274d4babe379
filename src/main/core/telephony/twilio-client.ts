/**
 * The Twilio REST client. The SDK has no base-URL option, so tests point it at the loopback
 * fake (test/fakes/twilio-fake.ts) with an httpClient that rewrites each request's URI to
 * SWITCHBOARD_TWILIO_URL and hands it to the SDK's own RequestClient (protocols.md).
 *
 * Credentials: an API key (SK… + its secret) when one is configured — revocable, and what
 * Twilio recommends for servers — else the account SID with the auth token. The auth token is
 * still needed to verify webhook signatures (Twilio signs them with it, never with a key).
 * No credential ever goes into an error message or a log line.
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export type TwilioRestClient = twilio.Twilio;

/** Environment variable with an http://127.0.0.1:PORT origin all REST requests go to (tests). */
export const TWILIO_URL_ENV = 'SWITCHBOARD_TWILIO_URL';

export interface TwilioCredentials {
  accountSid: string;
  /** When set, `secret` is this key's secret; otherwise `secret` is the auth token. */
  apiKeySid: string | null;
  secret: string;
}

/** A RequestClient that sends every request to `baseUrl` instead of *.twilio.com. */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 15_000 });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri);
    const target = new URL(`${original.pathname}${original.search}`, this.baseUrl);
    return super.request({ ...opts, uri: target.toString() });
  }
}

/**
 * Builds a REST client. `baseUrl` (or SWITCHBOARD_TWILIO_URL) redirects every request there;
 * only loopback http origins are accepted, so a stray variable cannot send credentials away.
 */
export function createTwilioClient(
  credentials: TwilioCredentials,
  options: { baseUrl?: string | null; env?: NodeJS.ProcessEnv } = {},
): TwilioRestClient {
  const baseUrl = options.baseUrl ?? (options.env ?? process.env)[TWILIO_URL_ENV] ?? null;
  const username = credentials.apiKeySid ?? credentials.accountSid;
  if (!baseUrl) return twilio(username, credentials.secret, { accountSid: credentials.accountSid, timeout: 15_000 });
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) {
    throw new Error(`${TWILIO_URL_ENV} must be an http://127.0.0.1:PORT origin (a loopback fake)`);
  }
  return twilio(username, credentials.secret, {
    accountSid: credentials.accountSid,
    httpClient: new RedirectingRequestClient(url.origin),
  });
}

/** A Twilio REST error (RestException) as plain facts, safe to show and log. */
export function describeTwilioError(error: unknown): { status: number | null; code: number | null; message: string } {
  if (error instanceof twilio.RestException) {
    return { status: error.status, code: error.code ?? null, message: error.message };
  }
  const err = error as { message?: unknown; code?: unknown };
  // Network errors (ECONNREFUSED, timeouts): their messages hold only host/port, no credentials.
  return { status: null, code: null, message: typeof err.message === 'string' ? err.message : 'request failed' };
}
