/**
 * Twilio's webhooks, as one HTTP request handler (mounted by public-server.ts):
 *
 *   POST /twilio/voice          a call to answer: an inbound call, or an outbound dial Twilio
 *                               just connected (`?dial=<id>`). Answers TwiML that connects the
 *                               call to our media stream with a per-call token.
 *   POST /twilio/status         call status callbacks (initiated … completed/no-answer/busy/failed)
 *   POST /twilio/stream-status  Media Stream status callbacks (stream-started/stopped/error)
 *   POST /twilio/recording-status  a <Dial record> recording's status (the agent's softphone
 *                               leg): `completed` means its media can be fetched
 *
 * Every request must carry a valid X-Twilio-Signature over the PUBLIC URL Twilio called
 * (publicBaseUrl + path + query) and the form parameters, checked with the auth token before
 * anything else happens: a missing or wrong signature is 403 and changes nothing (no token
 * issued, no status recorded, nothing emitted). Until Twilio is configured (no auth token or
 * no publicBaseUrl) every webhook is 503, also without effect.
 *
 * Bodies are application/x-www-form-urlencoded, at most 16 KiB (Twilio's are ~1-2 KiB).
 * Phone numbers never go into log text (house rule 7).
 *
 * Replays. Twilio may deliver a webhook more than once (its retries after a timeout or a
 * dropped connection), each time with the same `I-Twilio-Idempotency-Token` header. A signed
 * request whose token was answered in the last 24 h gets that same answer again, with no
 * second effect (no status applied twice, no second stream token); requests that arrive
 * while the first is still being handled wait for its answer. The memory is bounded
 * (IDEMPOTENCY_MEMORY). A voice webhook replayed WITHOUT its idempotency token (someone
 * re-sending a captured request) gets no second stream token either: the registry issues one
 * per CallSid, ever, and the replay is answered with an empty <Response/>.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import type { CallDirection } from '@shared/domain';
import { TwilioCallStatus, type RelaySpeech } from '@shared/telephony';
import type { Logger } from '../log';
import { STREAM_PARAM, type CallRegistry, type DialIntent } from './call-registry';
import { ExpiringMap } from './expiring-map';
import { TWILIO_PATHS } from './twilio-settings';

export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024;

/** Twilio's header naming one webhook delivery; its retries carry the same value. */
export const IDEMPOTENCY_HEADER = 'i-twilio-idempotency-token';
/** How long, and how many, answered deliveries are remembered (~1 KB each: ≤ ~20 MB). */
export const IDEMPOTENCY_MEMORY = { ttlMs: 24 * 60 * 60_000, maxEntries: 20_000 } as const;

/** A call status callback, verified and parsed. `at` is epoch ms. */
export interface TwilioStatusEvent {
  callSid: string;
  status: TwilioCallStatus;
  direction: CallDirection;
  from: string;
  to: string;
  at: number;
  /** CallDuration on `completed`, else null. */
  durationSec: number | null;
  /** Twilio's SequenceNumber (callbacks may arrive out of order), null if absent. */
  sequence: number | null;
  /** The outbound dial this call belongs to, when the console placed it. */
  dial: DialIntent | null;
  /** Answering-machine detection's verdict (human, machine_start, fax, unknown…), when it ran. */
  answeredBy: string | null;
}

/** A Media Stream status callback, verified and parsed. */
export interface TwilioStreamStatusEvent {
  callSid: string;
  streamSid: string;
  /** stream-started | stream-stopped | stream-error */
  event: string;
  error: string | null;
  at: number;
}

/**
 * A recording status callback (protocols-2.md §5), verified and parsed. `callSid` is the
 * parent call's (the caller's leg), so it names the console's call.
 */
export interface TwilioRecordingEvent {
  callSid: string;
  accountSid: string;
  recordingSid: string;
  /** Twilio's URL of the recording resource (no extension; `.wav` gives the media). */
  recordingUrl: string;
  /** in-progress | completed | absent (| failed) */
  status: string;
  durationSec: number | null;
  channels: number | null;
  /** RecordingStartTime as epoch ms (whole seconds), null if absent or unparseable. */
  startedAt: number | null;
  errorCode: string | null;
  at: number;
}

/** A ConversationRelay session ended (`<Connect action>`), verified and parsed. */
export interface TwilioRelayEndedEvent {
  callSid: string;
  /** completed | failed | … ([?] the full list) */
  sessionStatus: string;
  /** What our `end` message passed along (a JSON string), null when the session ended otherwise. */
  handoffData: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/** What a call answered with ConversationRelay needs in its TwiML (null: answer with a media stream). */
export interface RelayAnswer {
  speech: RelaySpeech;
  /** Twilio says this as soon as the call connects (welcomeGreeting); null: the session speaks first. */
  greeting: string | null;
}

/** What the console does with verified callbacks (the lead wires these to calls and storage). */
export interface TwilioWebhookHooks {
  onStatus(event: TwilioStatusEvent): void | Promise<void>;
  /**
   * A ConversationRelay session ended: the TwiML that continues the call (the agent's
   * softphone after a take-over, else a hang-up).
   */
  onRelayEnded?(event: TwilioRelayEndedEvent): string | Promise<string>;
  onStreamStatus?(event: TwilioStreamStatusEvent): void;
  /** Must return quickly (Twilio waits at most 15 s): fetch the media in the background. */
  onRecordingStatus?(event: TwilioRecordingEvent): void;
  /**
   * Answering-machine detection's verdict on an outbound call the console placed (AnsweredBy
   * on its voice webhook). A machine or fax gets a hang-up: the AI never talks to a voicemail box.
   */
  onAnsweredBy?(event: { callSid: string; answeredBy: string; dial: DialIntent }): void;
}

export interface TwilioWebhookOptions {
  registry: CallRegistry;
  /** Current public origin (https://…), null until configured. Read per request. */
  publicBaseUrl(): string | null;
  /** The account's auth token (signs webhooks), null until configured. Read per request. */
  authToken(): string | null;
  hooks: TwilioWebhookHooks;
  /** Whether this call is answered with ConversationRelay (its number uses it), and how. */
  relayFor?(call: { callSid: string; direction: CallDirection; from: string; to: string; dial: DialIntent | null }): RelayAnswer | null;
  logger: Logger;
  now?: () => number;
}

export type FormParams = Record<string, string | string[]>;

/** Answers one request; returns false when the path is not a Twilio webhook (caller 404s). */
export type TwilioWebhookHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createTwilioWebhooks(options: TwilioWebhookOptions): TwilioWebhookHandler {
  const { registry, hooks } = options;
  const log = options.logger.child({ component: 'twilio-webhooks' });
  const now = options.now ?? Date.now;
  const routes: Record<string, (params: FormParams, query: URLSearchParams, origin: string) => Promise<Reply>> = {
    [TWILIO_PATHS.voice]: async (params, query, origin) => voice(params, query, origin),
    [TWILIO_PATHS.status]: async (params) => {
      const event = parseStatus(params, now(), registry);
      if (!event) throw new HttpError(400, 'not a call status callback');
      log.info({ callSid: event.callSid, status: event.status, direction: event.direction }, 'call status');
      await hooks.onStatus(event);
      return { status: 204 };
    },
    [TWILIO_PATHS.streamStatus]: async (params) => {
      const callSid = one(params, 'CallSid');
      const streamSid = one(params, 'StreamSid');
      const event = one(params, 'StreamEvent');
      if (!callSid || !streamSid || !event) throw new HttpError(400, 'not a stream status callback');
      const error = one(params, 'StreamError') ?? null;
      log.info({ callSid, streamSid, event, error }, 'media stream status');
      hooks.onStreamStatus?.({ callSid, streamSid, event, error, at: parseTimestamp(one(params, 'Timestamp'), now()) });
      return { status: 204 };
    },
    [TWILIO_PATHS.relayEnded]: async (params) => {
      const callSid = one(params, 'CallSid');
      if (!callSid) throw new HttpError(400, 'no CallSid');
      const event: TwilioRelayEndedEvent = {
        callSid,
        sessionStatus: one(params, 'SessionStatus') ?? '',
        handoffData: one(params, 'HandoffData') || null,
        errorCode: one(params, 'ErrorCode') || null,
        errorMessage: one(params, 'ErrorMessage') || null,
      };
      log.info({ callSid, sessionStatus: event.sessionStatus, errorCode: event.errorCode, handoff: event.handoffData !== null }, 'relay session ended');
      const next = (await hooks.onRelayEnded?.(event)) ?? HANG_UP_TWIML;
      return { status: 200, type: 'text/xml; charset=utf-8', body: next };
    },
    [TWILIO_PATHS.recordingStatus]: async (params) => {
      const event = parseRecordingStatus(params, now());
      if (!event) throw new HttpError(400, 'not a recording status callback');
      log.info({ callSid: event.callSid, recordingSid: event.recordingSid, status: event.status, errorCode: event.errorCode }, 'recording status');
      hooks.onRecordingStatus?.(event);
      return { status: 204 };
    },
  };

  /** Answers (or answering) by delivery: `${path} ${idempotency token}`. */
  const delivered = new ExpiringMap<string, Promise<Reply>>(IDEMPOTENCY_MEMORY.ttlMs, IDEMPOTENCY_MEMORY.maxEntries, now);

  function voice(params: FormParams, query: URLSearchParams, origin: string): Reply {
    const callSid = one(params, 'CallSid');
    if (!callSid) throw new HttpError(400, 'no CallSid');
    const direction = toDirection(one(params, 'Direction'));
    const from = one(params, 'From') ?? '';
    const to = one(params, 'To') ?? '';
    const response = new twilio.twiml.VoiceResponse();
    let dial: DialIntent | null = null;
    if (direction === 'outbound') {
      dial = registry.findDial({ dialId: query.get('dial'), callSid });
      if (!dial) {
        // Not a call this console placed (or its brief expired): never put an AI on it blind.
        log.warn({ callSid }, 'voice webhook for an unknown outbound call: hanging up');
        response.hangup();
        return twiml(response);
      }
      const answeredBy = one(params, 'AnsweredBy');
      if (answeredBy) {
        options.hooks.onAnsweredBy?.({ callSid, answeredBy, dial });
        if (/^(machine|fax)/.test(answeredBy)) {
          log.info({ callSid, answeredBy }, 'a machine answered the outbound call: hanging up');
          response.hangup();
          return twiml(response);
        }
      }
    }
    const call = { callSid, direction, from, to, dial };
    const relay = options.relayFor?.(call) ?? null;
    const token = registry.issueForVoiceWebhook({ ...call, transport: relay ? 'relay' : 'media' });
    if (token === null) {
      // A replay of a webhook we already answered (Twilio's own retries never get here: the
      // delivery memory, `once`, answers them). An empty <Response/> opens nothing and mints
      // nothing; Twilio would only see it if it really asked twice for one call, and ending the
      // document is then the least surprising answer.
      log.warn({ callSid, direction }, 'voice webhook replayed for a call that already has its stream token: no second token');
      return twiml(response);
    }
    log.info({ callSid, direction, transport: relay ? 'relay' : 'media' }, relay ? 'answering call with ConversationRelay' : 'answering call with a media stream');
    const body = relay ? relayTwiml(origin, call, token, relay) : streamTwiml(origin, call, token);
    return { status: 200, type: 'text/xml; charset=utf-8', body };
  }

  /**
   * Runs a verified delivery once per idempotency token: a repeat gets the first answer.
   * Server faults (5xx) are not remembered, so Twilio's retry can succeed.
   */
  function once(key: string | null, run: () => Promise<Reply>): Promise<Reply> {
    if (key === null) return run();
    const seen = delivered.get(key);
    if (seen) {
      log.info({ path: key.slice(0, key.indexOf(' ')) }, 'repeated webhook delivery answered from memory');
      return seen;
    }
    const answer = run();
    delivered.set(key, answer);
    answer.then(
      (reply) => {
        if (reply.status >= 500) delivered.delete(key);
      },
      () => delivered.delete(key),
    );
    return answer;
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (!route) return false;
    void (async () => {
      try {
        if (req.method !== 'POST') throw new HttpError(405, 'POST only');
        const body = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'expected a form-encoded body');
        const origin = options.publicBaseUrl();
        const token = options.authToken();
        if (!origin || !token) throw new HttpError(503, 'Twilio is not configured on this console');
        const params = parseForm(body);
        const signature = req.headers['x-twilio-signature'];
        const signedUrl = `${origin}${req.url ?? ''}`;
        if (!isValidTwilioSignature(token, signature, signedUrl, params)) {
          log.warn({ path: url.pathname, signed: typeof signature === 'string' }, 'refused a webhook without a valid Twilio signature');
          throw new HttpError(403, 'invalid signature');
        }
        const idempotency = req.headers[IDEMPOTENCY_HEADER];
        const key = typeof idempotency === 'string' && idempotency !== '' ? `${url.pathname} ${idempotency}` : null;
        const reply = await once(key, () => route(params, url.searchParams, origin).catch(replyForRefusal));
        send(res, reply);
      } catch (error) {
        if (error instanceof HttpError) {
          send(res, { status: error.status, body: `${error.message}\n`, type: 'text/plain; charset=utf-8' });
          if (error.status === 413) req.destroy();
          return;
        }
        log.error({ err: error, path: url.pathname }, 'webhook failed');
        send(res, { status: 500, body: 'internal error\n', type: 'text/plain; charset=utf-8' });
      }
    })();
    return true;
  };
}

interface Reply {
  status: number;
  body?: string;
  type?: string;
}

/** A route's refusal (HttpError 4xx) as an answer, so a repeated delivery gets it again. */
function replyForRefusal(error: unknown): Reply {
  if (error instanceof HttpError && error.status < 500) {
    return { status: error.status, body: `${error.message}\n`, type: 'text/plain; charset=utf-8' };
  }
  throw error;
}

/**
 * TwiML that connects a call to our media bridge with its single-use stream `token` (from
 * the registry: `issueForVoiceWebhook` for the voice webhook's answer, `issueForHandBack`
 * when a taken-over call goes back to the AI).
 */
export function streamTwiml(
  origin: string,
  call: { callSid: string; direction: CallDirection; from: string; to: string; dial: DialIntent | null },
  token: string,
): string {
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({
    url: `${origin.replace(/^https:/, 'wss:')}${TWILIO_PATHS.media}`,
    statusCallback: `${origin}${TWILIO_PATHS.streamStatus}`,
    statusCallbackMethod: 'POST',
  });
  stream.parameter({ name: STREAM_PARAM.token, value: token });
  stream.parameter({ name: STREAM_PARAM.from, value: call.from });
  stream.parameter({ name: STREAM_PARAM.to, value: call.to });
  stream.parameter({ name: STREAM_PARAM.direction, value: call.direction });
  if (call.dial) stream.parameter({ name: STREAM_PARAM.dial, value: call.dial.dialId });
  return response.toString();
}

/**
 * TwiML that connects a call to our `/relay` socket with ConversationRelay (protocols-2.md
 * §1): Twilio transcribes and speaks, with every speech attribute set explicitly (its
 * defaults are not documented). The url carries no query (Twilio signs it bare); the token
 * and the call's facts ride in <Parameter>s and come back in `setup.customParameters`. When
 * the session ends Twilio asks `action` what next (the agent's softphone, or a hang-up).
 */
export function relayTwiml(
  origin: string,
  call: { callSid: string; direction: CallDirection; from: string; to: string; dial: DialIntent | null },
  token: string,
  answer: RelayAnswer,
): string {
  const response = new twilio.twiml.VoiceResponse();
  const connect = response.connect({ action: `${origin}${TWILIO_PATHS.relayEnded}`, method: 'POST' });
  const { speech } = answer;
  const relay = connect.conversationRelay({
    url: `${origin.replace(/^https:/, 'wss:')}${TWILIO_PATHS.relay}`,
    ...(answer.greeting ? { welcomeGreeting: answer.greeting, welcomeGreetingInterruptible: 'speech' } : {}),
    interruptible: 'speech',
    interruptSensitivity: 'medium',
    // The SDK types this as a boolean; the spec wants none|dtmf|speech|any (protocols-2.md §1).
    reportInputDuringAgentSpeech: 'none' as unknown as boolean,
    dtmfDetection: true,
    partialPrompts: true,
    ttsProvider: speech.ttsProvider,
    ...(speech.voice ? { voice: speech.voice } : {}),
    transcriptionProvider: speech.transcriptionProvider,
    language: speech.language,
  });
  relay.parameter({ name: STREAM_PARAM.token, value: token });
  relay.parameter({ name: STREAM_PARAM.from, value: call.from });
  relay.parameter({ name: STREAM_PARAM.to, value: call.to });
  relay.parameter({ name: STREAM_PARAM.direction, value: call.direction });
  if (call.dial) relay.parameter({ name: STREAM_PARAM.dial, value: call.dial.dialId });
  if (answer.greeting) relay.parameter({ name: STREAM_PARAM.greeted, value: 'welcome' });
  return response.toString();
}

/** Ends the call (a relay session that ended with nothing else to do). */
export const HANG_UP_TWIML = ((): string => {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
})();

function twiml(response: InstanceType<typeof twilio.twiml.VoiceResponse>): Reply {
  return { status: 200, body: response.toString(), type: 'text/xml; charset=utf-8' };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (reply.body !== undefined) headers['content-type'] = reply.type ?? 'text/plain; charset=utf-8';
  if (reply.status === 413) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** Reads the body, refusing (413) past `limit` bytes without buffering the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, 'body too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new HttpError(413, 'body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Whether `signature` (the X-Twilio-Signature header) is Twilio's signature of `url` (the
 * public URL Twilio called, query included) and the form `params`, under `authToken`.
 */
export function isValidTwilioSignature(authToken: string, signature: unknown, url: string, params: FormParams): boolean {
  if (typeof signature !== 'string' || signature === '' || authToken === '') return false;
  try {
    return twilio.validateRequest(authToken, signature, url, params);
  } catch {
    // The SDK parses the URL with `new URL()` when the signature does not match as received;
    // a request target no URL can hold (an absolute-form target after our origin) is not
    // Twilio's, so it is refused (403), not a 500 with an error in the log.
    return false;
  }
}

/**
 * Form parameters as Twilio's validator expects them: repeated keys become arrays. A
 * prototype-less object, so a key such as `__proto__`, `constructor` or `toString` is an
 * ordinary parameter, never an inherited member (or the object's prototype).
 */
export function parseForm(body: string): FormParams {
  const params: FormParams = Object.create(null) as FormParams;
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

function one(params: FormParams, key: string): string | undefined {
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

function toDirection(direction: string | undefined): CallDirection {
  // Twilio: inbound | outbound-api (REST) | outbound-dial (<Dial>).
  return direction?.startsWith('outbound') ? 'outbound' : 'inbound';
}

function parseTimestamp(value: string | undefined, fallback: number): number {
  const parsed = value ? Date.parse(value) : NaN;
  return Number.isFinite(parsed) ? parsed : fallback;
}

function parseRecordingStatus(params: FormParams, nowMs: number): TwilioRecordingEvent | null {
  const callSid = one(params, 'CallSid');
  const accountSid = one(params, 'AccountSid');
  const recordingSid = one(params, 'RecordingSid');
  const recordingUrl = one(params, 'RecordingUrl');
  const status = one(params, 'RecordingStatus');
  if (!callSid || !accountSid || !recordingSid || !/^RE[0-9a-f]{32}$/.test(recordingSid) || !recordingUrl || !status) return null;
  const number = (key: string): number | null => {
    const raw = one(params, key);
    const value = Number(raw);
    return raw !== undefined && raw !== '' && Number.isFinite(value) && value >= 0 ? value : null;
  };
  const started = Date.parse(one(params, 'RecordingStartTime') ?? '');
  const errorCode = one(params, 'ErrorCode');
  return {
    callSid,
    accountSid,
    recordingSid,
    recordingUrl,
    status,
    durationSec: number('RecordingDuration'),
    channels: number('RecordingChannels'),
    startedAt: Number.isFinite(started) ? started : null,
    errorCode: errorCode && errorCode !== '0' ? errorCode : null,
    at: nowMs,
  };
}

function parseStatus(params: FormParams, nowMs: number, registry: CallRegistry): TwilioStatusEvent | null {
  const callSid = one(params, 'CallSid');
  const status = TwilioCallStatus.safeParse(one(params, 'CallStatus'));
  if (!callSid || !status.success) return null;
  const duration = Number(one(params, 'CallDuration'));
  const sequence = Number(one(params, 'SequenceNumber'));
  return {
    callSid,
    status: status.data,
    direction: toDirection(one(params, 'Direction')),
    from: one(params, 'From') ?? '',
    to: one(params, 'To') ?? '',
    at: parseTimestamp(one(params, 'Timestamp'), nowMs),
    durationSec: one(params, 'CallDuration') !== undefined && Number.isInteger(duration) && duration >= 0 ? duration : null,
    sequence: one(params, 'SequenceNumber') !== undefined && Number.isInteger(sequence) ? sequence : null,
    dial: registry.findDial({ callSid }),
    answeredBy: one(params, 'AnsweredBy') ?? null,
  };
}
