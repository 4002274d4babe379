/**
 * A loopback fake of Twilio for tests that drive the real `twilio` SDK (REST) and the
 * console's webhooks and media socket, as Twilio would (protocols.md):
 *
 * REST (point the SDK here with SWITCHBOARD_TWILIO_URL; see twilio-client.ts):
 *   POST /2010-04-01/Accounts/{AC}/Calls.json                      create a call
 *   GET|POST /2010-04-01/Accounts/{AC}/Calls/{CA}.json             fetch / update a call
 *   GET  /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json       list (PhoneNumber filter)
 *   POST /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json  update VoiceUrl etc.
 * Basic auth with the account SID + auth token, or an API key SID + its secret (else 401,
 * code 20003). Bodies are form-encoded; repeated keys (StatusCallbackEvent) are kept as
 * arrays. Bad input answers Twilio's error body {code, message, more_info, status}, e.g. an
 * invalid To is 400 code 21211, so the SDK raises RestException. Every request is recorded.
 *
 * Twilio's side of the call: `answer` / `ringInbound` POST the voice webhook (signed with
 * X-Twilio-Signature over the PUBLIC URL, as Twilio does behind a tunnel) to the app's local
 * server; `sendStatus` posts status callbacks; `openStream` reads the TwiML's
 * <Connect><Stream url> and <Parameter>s and dials the media socket with the caller
 * simulator, exactly as Twilio's media stream would.
 *
 * Recordings (issue 7; protocols-2.md §5): TwiML with `<Dial record="record-from-answer…">`
 * starts a recorded leg (the fake softphone answers at once). When the call leaves that TwiML
 * (another redirect, or Status=completed) the leg ends: the fake synthesises a stereo PCM16
 * 8 kHz WAV as long as the leg (channel 1, the caller: a 440 Hz tone in the first half;
 * channel 2, the agent: 660 Hz in the second half), serves it at
 * GET /2010-04-01/Accounts/{AC}/Recordings/{RE}(.wav) behind the same basic auth as the REST
 * API, and POSTs a signed callback to the Dial's recordingStatusCallback for each of its
 * recordingStatusCallbackEvent (default `completed`), with an I-Twilio-Idempotency-Token.
 * RecordingUrl is Twilio's real https://api.twilio.com/… form: the app must rewrite it to
 * the fake itself (SWITCHBOARD_TWILIO_URL), as it does for REST.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type { TtsProvider } from '../../src/main/core/providers/types';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { RelayPeer } from './relay-peer';

export type FormParams = Record<string, string | string[]>;

export interface RecordedTwilioRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Form body, repeated keys as arrays. */
  params: FormParams;
  /** Basic-auth username (AC… or SK…), null if none. */
  username: string | null;
  status: number;
}

export interface FakeCall {
  sid: string;
  to: string;
  from: string;
  status: string;
  direction: 'outbound-api' | 'inbound';
  url: string | null;
  twiml: string | null;
  statusCallback: string | null;
  statusCallbackEvent: string[];
  /** Epoch ms Twilio accepted the call (date_created; the list's StartTime filter). */
  createdAt: number;
  /** MachineDetection as requested (Enable, DetectMessageEnd), null when not. */
  machineDetection: string | null;
  /** AnsweredBy once detection decided (set by the test with sendStatus's extra params, or answer()). */
  answeredBy: string | null;
}

export interface FakeNumber {
  sid: string;
  phoneNumber: string;
  voiceUrl: string | null;
  voiceMethod: string;
  statusCallback: string | null;
  statusCallbackMethod: string;
}

export interface ParsedTwiml {
  /** <Connect><Stream url>, null when the TwiML has no stream (e.g. <Hangup/>). */
  streamUrl: string | null;
  streamStatusCallback: string | null;
  parameters: Record<string, string>;
  hangup: boolean;
  /** <Connect><ConversationRelay>: its attributes (url, welcomeGreeting, …) and the Connect's action; null without one. */
  relay: { attributes: Record<string, string>; action: string | null } | null;
  /** The <Dial> verb's recording attributes, null when there is no <Dial>. */
  dial: { record: string | null; recordingStatusCallback: string | null; recordingStatusCallbackEvent: string[] } | null;
}

/** A recording the fake made of a <Dial record> leg. */
export interface FakeRecording {
  sid: string;
  callSid: string;
  /** The WAV served at the RecordingUrl (+ .wav). */
  wav: Buffer;
  durationSec: number;
  /** Epoch ms the (fake) softphone answered. */
  startedAt: number;
  /** The callback form as posted for `completed` (null when the Dial had no callback). */
  callback: { url: string; params: Record<string, string>; idempotencyToken: string } | null;
}

/** One recording status callback the fake posted, and how the app answered. */
export interface PostedRecordingCallback {
  recordingSid: string;
  status: string;
  response: { status: number; body: string };
}

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  apiKeys?: Array<{ sid: string; secret: string }>;
  /** Numbers the account owns (IncomingPhoneNumbers). */
  numbers?: string[];
  /** Callees Twilio refuses to call (400, code 21215: no geo permission). */
  unreachable?: string[];
}

export interface TwilioFake {
  /** http://127.0.0.1:PORT (SWITCHBOARD_TWILIO_URL). */
  readonly url: string;
  readonly requests: RecordedTwilioRequest[];
  readonly calls: Map<string, FakeCall>;
  readonly numbers: FakeNumber[];
  /**
   * Holds every Calls.json create's answer this long after the call exists (0: none): the
   * window in which a console that crashes has placed a call without learning its CallSid.
   */
  createDelayMs: number;
  /** Where Twilio's webhooks go: the public URL the app is configured with, and the local server behind it. */
  connectApp(app: { publicBaseUrl: string; localUrl: string }): void;
  /** POSTs a webhook as Twilio would: `publicUrl` is what gets signed; the request goes to the local server. */
  postWebhook(
    publicUrl: string,
    params: FormParams,
    opts?: { signature?: string | null; authToken?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: string }>;
  /**
   * Twilio connected an outbound call: POSTs its voice webhook (the call's Url). With
   * MachineDetection on the call, `answeredBy` is detection's verdict (default `human`).
   */
  answer(callSid: string, opts?: { answeredBy?: string }): Promise<{ status: number; body: string }>;
  /** An inbound call to one of the numbers: POSTs that number's VoiceUrl. */
  ringInbound(call: { from: string; to: string }): Promise<{ callSid: string; status: number; body: string }>;
  /** A status callback for a call (to its StatusCallback, or the number's). */
  sendStatus(callSid: string, status: string, extra?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Opens the media stream the TwiML asks for, with the caller simulator. */
  openStream(
    twiml: string,
    call: { callSid: string; scenario: CallerScenario; voice: TtsProvider; maxDurationMs?: number; replyTimeoutMs?: number },
  ): Promise<CallerSimulator>;
  /**
   * Connects the ConversationRelay session the TwiML asks for (relay-peer.ts), as Twilio
   * would: signed upgrade, `setup` with the TwiML's parameters; the session's action
   * callback is posted (signed) when the app ends it, and its answer becomes the call's TwiML.
   */
  openRelay(twiml: string, call: { callSid: string; msPerChar?: number; signature?: string | null }): Promise<RelayPeer>;
  /** Recordings made of <Dial record> legs, by RecordingSid. */
  readonly recordings: Map<string, FakeRecording>;
  /** Recording status callbacks posted so far, in order. */
  readonly recordingCallbacks: PostedRecordingCallback[];
  /** Resolves once every recording callback started so far has been answered. */
  recordingsSettled(): Promise<void>;
  /** Twilio retrying a delivery: posts a recording's `completed` callback again, same idempotency token. */
  replayRecordingCallback(recordingSid: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

export function parseTwiml(xml: string): ParsedTwiml {
  const decode = (text: string) =>
    text.replace(/&(lt|gt|quot|apos|amp);/g, (_m, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] ?? '');
  const attrs = (tag: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const match of tag.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[match[1]!] = decode(match[2]!);
    return out;
  };
  const streamTag = /<Stream\b[^>]*>/.exec(xml)?.[0];
  const stream = streamTag ? attrs(streamTag) : {};
  const parameters: Record<string, string> = {};
  for (const match of xml.matchAll(/<Parameter\b[^>]*\/?>/g)) {
    const a = attrs(match[0]);
    if (a.name !== undefined) parameters[a.name] = a.value ?? '';
  }
  const relayTag = /<ConversationRelay\b[^>]*>/.exec(xml)?.[0];
  const connectTag = /<Connect\b[^>]*>/.exec(xml)?.[0];
  const dialTag = /<Dial\b[^>]*>/.exec(xml)?.[0];
  const dialAttrs = dialTag ? attrs(dialTag) : null;
  return {
    streamUrl: stream.url ?? null,
    streamStatusCallback: stream.statusCallback ?? null,
    parameters,
    hangup: /<Hangup\s*\/>/.test(xml),
    relay: relayTag ? { attributes: attrs(relayTag), action: connectTag ? (attrs(connectTag).action ?? null) : null } : null,
    dial: dialAttrs
      ? {
          record: dialAttrs.record ?? null,
          recordingStatusCallback: dialAttrs.recordingStatusCallback ?? null,
          recordingStatusCallbackEvent: (dialAttrs.recordingStatusCallbackEvent ?? '').split(/[\s,]+/).filter(Boolean),
        }
      : null,
  };
}

/**
 * Twilio's dual-channel recording of a leg, synthesised: stereo PCM16 8 kHz, channel 1 (the
 * caller) a 440 Hz tone through the first half, channel 2 (the agent) 660 Hz through the second.
 */
export function synthesiseDualRecording(durationMs: number): Buffer {
  const frames = Math.max(1, Math.round((durationMs * 8000) / 1000));
  const data = Buffer.alloc(frames * 4);
  const half = Math.floor(frames / 2);
  for (let i = 0; i < frames; i++) {
    const caller = i < half ? Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)) : 0;
    const agent = i >= half ? Math.round(8000 * Math.sin((2 * Math.PI * 660 * i) / 8000)) : 0;
    data.writeInt16LE(caller, i * 4);
    data.writeInt16LE(agent, i * 4 + 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export async function startTwilioFake(options: TwilioFakeOptions): Promise<TwilioFake> {
  const requests: RecordedTwilioRequest[] = [];
  const calls = new Map<string, FakeCall>();
  const numbers: FakeNumber[] = (options.numbers ?? []).map((phoneNumber) => ({
    sid: `PN${randomBytes(16).toString('hex')}`,
    phoneNumber,
    voiceUrl: null,
    voiceMethod: 'POST',
    statusCallback: null,
    statusCallbackMethod: 'POST',
  }));
  let app: { publicBaseUrl: string; localUrl: string } | null = null;
  const base = `/2010-04-01/Accounts/${options.accountSid}`;
  const recordings = new Map<string, FakeRecording>();
  const recordingCallbacks: PostedRecordingCallback[] = [];
  const posting = new Set<Promise<unknown>>();
  /** The recorded <Dial> leg each call is in right now. */
  const legs = new Map<string, { answeredAt: number; callback: string | null; events: string[] }>();

  const postRecordingStatus = (rec: FakeRecording, status: string, params: Record<string, string>, url: string, token: string) => {
    const sending = fake
      .postWebhook(url, params, { headers: { 'i-twilio-idempotency-token': token } })
      .then(
        (response) => recordingCallbacks.push({ recordingSid: rec.sid, status, response }),
        (error: Error) => recordingCallbacks.push({ recordingSid: rec.sid, status, response: { status: 0, body: error.message } }),
      );
    posting.add(sending);
    void sending.finally(() => posting.delete(sending));
  };

  /** A call's TwiML changed: a recorded <Dial> leg it was in ends (and is reported); a new one may start. */
  const onTwimlChange = (call: FakeCall, nextTwiml: string | null) => {
    const leg = legs.get(call.sid);
    if (leg) {
      legs.delete(call.sid);
      const durationMs = Math.max(1000, Math.round((Date.now() - leg.answeredAt) / 20) * 20);
      const rec: FakeRecording = {
        sid: `RE${randomBytes(16).toString('hex')}`,
        callSid: call.sid,
        wav: synthesiseDualRecording(durationMs),
        durationSec: Math.round(durationMs / 1000),
        startedAt: leg.answeredAt,
        callback: null,
      };
      recordings.set(rec.sid, rec);
      if (leg.callback) {
        const params: Record<string, string> = {
          AccountSid: options.accountSid,
          CallSid: call.sid,
          RecordingSid: rec.sid,
          RecordingUrl: `https://api.twilio.com${base}/Recordings/${rec.sid}`,
          RecordingStatus: 'completed',
          RecordingDuration: String(rec.durationSec),
          RecordingChannels: '2',
          RecordingStartTime: new Date(leg.answeredAt).toUTCString(),
          RecordingSource: 'DialVerb',
          ErrorCode: '0',
        };
        rec.callback = { url: leg.callback, params, idempotencyToken: randomBytes(16).toString('hex') };
        if (leg.events.length === 0 || leg.events.includes('completed')) postRecordingStatus(rec, 'completed', params, leg.callback, rec.callback.idempotencyToken);
      }
    }
    const dial = nextTwiml ? parseTwiml(nextTwiml).dial : null;
    if (dial?.record?.startsWith('record-from-')) {
      legs.set(call.sid, { answeredAt: Date.now(), callback: dial.recordingStatusCallback, events: dial.recordingStatusCallbackEvent });
    }
  };

  const callJson = (c: FakeCall) => ({
    sid: c.sid,
    account_sid: options.accountSid,
    to: c.to,
    from: c.from,
    status: c.status,
    direction: c.direction,
    answered_by: c.answeredBy,
    api_version: '2010-04-01',
    date_created: new Date(c.createdAt).toUTCString(),
    start_time: new Date(c.createdAt).toUTCString(),
    uri: `${base}/Calls/${c.sid}.json`,
  });
  const numberJson = (n: FakeNumber) => ({
    sid: n.sid,
    account_sid: options.accountSid,
    phone_number: n.phoneNumber,
    friendly_name: n.phoneNumber,
    voice_url: n.voiceUrl,
    voice_method: n.voiceMethod,
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    api_version: '2010-04-01',
    uri: `${base}/IncomingPhoneNumbers/${n.sid}.json`,
  });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = parseForm(body);
    const record: RecordedTwilioRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      params,
      username: null,
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, json: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const fail = (status: number, code: number, message: string) =>
      reply(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [username, password] = auth ? Buffer.from(auth, 'base64').toString('utf8').split(/:(.*)/s) : [];
    record.username = username ?? null;
    const validKey =
      (username === options.accountSid && password === options.authToken) ||
      (options.apiKeys ?? []).some((k) => k.sid === username && k.secret === password);
    if (!validKey) return fail(401, 20003, 'Authenticate');
    if (!url.pathname.startsWith(`${base}/`)) return fail(404, 20404, 'The requested resource was not found');
    const rest = url.pathname.slice(base.length);
    const one = (key: string) => {
      const v = params[key];
      return Array.isArray(v) ? v[0] : v;
    };

    if (rest === '/Calls.json' && req.method === 'POST') {
      const to = one('To');
      const from = one('From');
      if (!to || !E164_SHAPE.test(to)) return fail(400, 21211, `Invalid 'To' Phone Number: ${to ?? ''}`);
      if (!from || !numbers.some((n) => n.phoneNumber === from)) {
        return fail(400, 21210, `The source phone number provided, ${from ?? ''}, is not yet verified for your account.`);
      }
      if (options.unreachable?.includes(to)) {
        return fail(400, 21215, `Account not authorized to call ${to}. Perhaps you need to enable some international permissions`);
      }
      if (!one('Url') && !one('Twiml')) return fail(400, 21205, 'Url or Twiml parameter is required');
      const events = params.StatusCallbackEvent;
      const call: FakeCall = {
        sid: `CA${randomBytes(16).toString('hex')}`,
        to,
        from,
        status: 'queued',
        direction: 'outbound-api',
        url: one('Url') ?? null,
        twiml: one('Twiml') ?? null,
        statusCallback: one('StatusCallback') ?? null,
        statusCallbackEvent: events === undefined ? [] : Array.isArray(events) ? events : [events],
        createdAt: Date.now(),
        machineDetection: one('MachineDetection') ?? null,
        answeredBy: null,
      };
      calls.set(call.sid, call);
      if (fake.createDelayMs > 0) {
        setTimeout(() => {
          if (!res.destroyed) reply(201, callJson(call));
        }, fake.createDelayMs);
        return;
      }
      return reply(201, callJson(call));
    }
    if (rest === '/Calls.json' && req.method === 'GET') {
      // Read filters as Twilio documents them: To, From, Status, StartTime> (the SDK sends ISO 8601).
      const q = url.searchParams;
      const after = q.get('StartTime>');
      const afterMs = after === null ? null : Date.parse(after);
      const pageSize = Number(q.get('PageSize') ?? 50);
      const found = [...calls.values()]
        .filter((c) => (!q.get('To') || c.to === q.get('To')) && (!q.get('From') || c.from === q.get('From')) && (!q.get('Status') || c.status === q.get('Status')))
        .filter((c) => afterMs === null || Number.isNaN(afterMs) || c.createdAt >= afterMs)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, pageSize);
      return reply(200, onePage('calls', found.map(callJson), `${base}/Calls.json${url.search}`, pageSize));
    }
    const callMatch = /^\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest);
    if (callMatch) {
      const call = calls.get(callMatch[1]!);
      if (!call) return fail(404, 20404, 'The requested resource was not found');
      if (req.method === 'POST') {
        // Leaving the current TwiML (a redirect, or hanging up) ends a recorded <Dial> leg.
        if (one('Url') || one('Twiml') || one('Status') === 'completed') onTwimlChange(call, one('Twiml') ?? null);
        if (one('Url')) call.url = one('Url')!;
        if (one('Twiml')) call.twiml = one('Twiml')!;
        if (one('Status')) call.status = one('Status')!;
      }
      return reply(200, callJson(call));
    }
    const recordingMatch = /^\/Recordings\/(RE[0-9a-f]{32})(\.wav|\.mp3)?$/.exec(rest);
    if (recordingMatch && (req.method === 'GET' || req.method === 'HEAD')) {
      const rec = recordings.get(recordingMatch[1]!);
      if (!rec) return fail(404, 20404, 'The requested resource was not found');
      // Only WAV is synthesised here; real Twilio also transcodes to MP3.
      if (recordingMatch[2] === '.mp3') return fail(404, 20404, 'The fake serves recordings as WAV only');
      record.status = 200;
      res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': String(rec.wav.length) });
      res.end(req.method === 'HEAD' ? undefined : rec.wav);
      return;
    }
    if (rest === '/IncomingPhoneNumbers.json' && req.method === 'GET') {
      const wanted = url.searchParams.get('PhoneNumber');
      const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
      const found = numbers.filter((n) => !wanted || n.phoneNumber === wanted).slice(0, pageSize);
      return reply(200, onePage('incoming_phone_numbers', found.map(numberJson), `${base}/IncomingPhoneNumbers.json${url.search}`, pageSize));
    }
    const numberMatch = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest);
    if (numberMatch && req.method === 'POST') {
      const number = numbers.find((n) => n.sid === numberMatch[1]);
      if (!number) return fail(404, 20404, 'The requested resource was not found');
      const voiceUrl = one('VoiceUrl');
      if (voiceUrl !== undefined && !/^https?:\/\//.test(voiceUrl)) return fail(400, 21502, `VoiceUrl is not valid: ${voiceUrl}`);
      if (voiceUrl !== undefined) number.voiceUrl = voiceUrl;
      if (one('VoiceMethod')) number.voiceMethod = one('VoiceMethod')!;
      if (one('StatusCallback') !== undefined) number.statusCallback = one('StatusCallback')!;
      if (one('StatusCallbackMethod')) number.statusCallbackMethod = one('StatusCallbackMethod')!;
      return reply(200, numberJson(number));
    }
    return fail(404, 20404, 'The requested resource was not found');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const toLocal = (publicUrl: string): string => {
    if (!app) throw new Error('twilio fake: connectApp first');
    const u = new URL(publicUrl);
    if (u.origin !== new URL(app.publicBaseUrl).origin) throw new Error(`twilio fake: ${publicUrl} is not on the app's public origin`);
    return `${app.localUrl}${u.pathname}${u.search}`;
  };

  const fake: TwilioFake = {
    url: `http://127.0.0.1:${port}`,
    requests,
    calls,
    numbers,
    createDelayMs: 0,
    connectApp(next) {
      app = next;
    },
    async postWebhook(publicUrl, params, opts = {}) {
      const signature =
        opts.signature === undefined ? twilio.getExpectedTwilioSignature(opts.authToken ?? options.authToken, publicUrl, params) : opts.signature;
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'TwilioProxy/1.1',
        ...opts.headers,
      };
      if (signature !== null) headers['x-twilio-signature'] = signature;
      const res = await fetch(toLocal(publicUrl), { method: 'POST', headers, body: body.toString(), signal: AbortSignal.timeout(10_000) });
      return { status: res.status, body: await res.text() };
    },
    async answer(callSid, opts = {}) {
      const call = calls.get(callSid);
      if (!call?.url) throw new Error(`twilio fake: no outbound call ${callSid} with a Url`);
      call.status = 'in-progress';
      if (call.machineDetection) call.answeredBy = opts.answeredBy ?? 'human';
      return fake.postWebhook(call.url, {
        ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
        AccountSid: options.accountSid,
        ApiVersion: '2010-04-01',
        CallSid: call.sid,
        CallStatus: 'in-progress',
        Direction: 'outbound-api',
        From: call.from,
        To: call.to,
      });
    },
    async ringInbound({ from, to }) {
      const number = numbers.find((n) => n.phoneNumber === to);
      if (!number?.voiceUrl) throw new Error('twilio fake: that number has no VoiceUrl');
      const call: FakeCall = {
        sid: `CA${randomBytes(16).toString('hex')}`,
        to,
        from,
        status: 'ringing',
        direction: 'inbound',
        url: number.voiceUrl,
        twiml: null,
        statusCallback: number.statusCallback,
        statusCallbackEvent: ['completed'],
        createdAt: Date.now(),
        machineDetection: null,
        answeredBy: null,
      };
      calls.set(call.sid, call);
      const reply = await fake.postWebhook(number.voiceUrl, {
        AccountSid: options.accountSid,
        ApiVersion: '2010-04-01',
        CallSid: call.sid,
        CallStatus: 'ringing',
        Direction: 'inbound',
        From: from,
        To: to,
        Caller: from,
        Called: to,
      });
      return { callSid: call.sid, ...reply };
    },
    async sendStatus(callSid, status, extra = {}) {
      const call = calls.get(callSid);
      if (!call?.statusCallback) throw new Error(`twilio fake: call ${callSid} has no StatusCallback`);
      call.status = status;
      return fake.postWebhook(call.statusCallback, {
        AccountSid: options.accountSid,
        ApiVersion: '2010-04-01',
        CallSid: call.sid,
        CallStatus: status,
        Direction: call.direction,
        From: call.from,
        To: call.to,
        Timestamp: new Date().toUTCString(),
        SequenceNumber: String(requests.length),
        ...extra,
      });
    },
    async openStream(twiml, call) {
      const parsed = parseTwiml(twiml);
      if (!parsed.streamUrl) throw new Error('twilio fake: the TwiML has no <Connect><Stream>');
      const local = new URL(toLocal(parsed.streamUrl.replace(/^wss:/, 'https:')));
      const caller = new CallerSimulator({
        bridgeUrl: `ws://${local.host}${local.pathname}`,
        scenario: call.scenario,
        voice: call.voice,
        callSid: call.callSid,
        accountSid: options.accountSid,
        customParameters: parsed.parameters,
        maxDurationMs: call.maxDurationMs ?? 60_000,
        ...(call.replyTimeoutMs !== undefined ? { replyTimeoutMs: call.replyTimeoutMs } : {}),
      });
      await caller.start();
      return caller;
    },
    async openRelay(twiml, call) {
      const parsed = parseTwiml(twiml);
      const url = parsed.relay?.attributes.url;
      if (!url) throw new Error('twilio fake: the TwiML has no <Connect><ConversationRelay url>');
      const known = calls.get(call.callSid);
      const local = new URL(toLocal(url.replace(/^wss:/, 'https:')));
      const action = parsed.relay?.action ?? null;
      const peer = new RelayPeer({
        localUrl: `ws://${local.host}${local.pathname}`,
        signedUrl: url,
        authToken: options.authToken,
        ...(call.signature !== undefined ? { signature: call.signature } : {}),
        msPerChar: call.msPerChar,
        setup: {
          callSid: call.callSid,
          accountSid: options.accountSid,
          from: known?.from ?? parsed.parameters.from ?? '',
          to: known?.to ?? parsed.parameters.to ?? '',
          direction: known?.direction === 'outbound-api' ? 'outbound' : 'inbound',
          customParameters: parsed.parameters,
        },
        postAction: action
          ? async (form) => {
              const answer = await fake.postWebhook(action, form);
              if (known && answer.status === 200) {
                onTwimlChange(known, answer.body);
                known.twiml = answer.body;
              }
              return answer;
            }
          : undefined,
      });
      await peer.connect();
      return peer;
    },
    recordings,
    recordingCallbacks,
    async recordingsSettled() {
      while (posting.size > 0) await Promise.allSettled([...posting]);
    },
    async replayRecordingCallback(recordingSid) {
      const rec = recordings.get(recordingSid);
      if (!rec?.callback) throw new Error(`twilio fake: recording ${recordingSid} has no callback to replay`);
      const response = await fake.postWebhook(rec.callback.url, rec.callback.params, {
        headers: { 'i-twilio-idempotency-token': rec.callback.idempotencyToken },
      });
      recordingCallbacks.push({ recordingSid, status: 'completed', response });
      return response;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

/** A list answer that is its only page, in Twilio's paging envelope (the SDK reads next_page_uri). */
function onePage(key: string, items: unknown[], uri: string, pageSize: number) {
  return { [key]: items, uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null, page: 0, page_size: pageSize, start: 0, end: Math.max(0, items.length - 1) };
}

function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}
