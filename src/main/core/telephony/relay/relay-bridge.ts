/**
 * The `/relay` WebSocket on the public server: where Twilio's ConversationRelay connects
 * for calls whose number uses it (twilio-webhooks.ts answers `<Connect><ConversationRelay>`).
 *
 * Guarded like `/media`, plus Twilio's signature:
 *  - the upgrade must carry a valid X-Twilio-Signature over the wss:// URL we gave Twilio
 *    (no query, no parameters), checked with the auth token before a WebSocket exists;
 *    no browser Origin; refused with HTTP 503 past the pending or live caps;
 *  - a `setup` within `setupTimeoutMs`, else closed (1008); its per-call token (our TwiML's
 *    <Parameter>) is then admitted by the call registry like a media stream's (`onStream`
 *    throws to refuse: closed 1008);
 *  - a message-rate limit and a size cap per socket; a ping every `heartbeatIntervalMs`.
 * Bad input closes only the offending socket. A message Twilio may add later (an unknown
 * `type`) is skipped, not fatal: the call goes on.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import WebSocket, { WebSocketServer, type RawData, type ServerOptions } from 'ws';
import type { Logger } from '../../log';
import { FrameRateLimit } from '../frame-rate-limit';
import { refuseUpgrade } from '../media-bridge';
import { CLOSE_INVALID_DATA, CLOSE_POLICY, CLOSE_TRY_AGAIN_LATER } from '../media-stream-protocol';
import { MAX_RELAY_MESSAGE_BYTES, parseRelayMessage, RELAY_PATH, RelayInbound } from './relay-protocol';
import { RelayStream } from './relay-stream';

export interface RelayBridgeLimits {
  setupTimeoutMs: number;
  maxPendingSockets: number;
  heartbeatIntervalMs: number;
  /** Twilio sends a few messages per utterance (partial prompts at most some a second). */
  maxMessagesPerSecond: number;
  messageBurst: number;
}

export const RELAY_BRIDGE_LIMITS: Readonly<RelayBridgeLimits> = {
  setupTimeoutMs: 5000,
  maxPendingSockets: 32,
  heartbeatIntervalMs: 10_000,
  maxMessagesPerSecond: 50,
  messageBurst: 100,
};

export interface RelayBridgeOptions extends Partial<RelayBridgeLimits> {
  logger: Logger;
  /** The account's auth token (signs the upgrade), null until configured. Read per upgrade. */
  authToken(): string | null;
  /** The public https origin Twilio reaches, null until configured. Read per upgrade. */
  publicBaseUrl(): string | null;
  /** Live calls on every transport, and the most allowed (Settings → Telephony). */
  liveCalls(): number;
  maxLiveCalls(): number;
  /** How long Twilio takes to speak a character (tests speed this up). */
  msPerChar?: number;
  /** Called once per session after a valid `setup`; throwing refuses it (closed 1008). */
  onStream(stream: RelayStream): void;
}

export interface RelayBridge {
  readonly activeStreams: number;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

const KNOWN_TYPES = new Set<string>(RelayInbound.options.map((option) => option.shape.type.value));

export function createRelayBridge(options: RelayBridgeOptions): RelayBridge {
  const log = options.logger.child({ component: 'relay' });
  const limits: RelayBridgeLimits = { ...RELAY_BRIDGE_LIMITS, ...definedOnly(options) };
  const serverOptions: ServerOptions = { noServer: true, maxPayload: MAX_RELAY_MESSAGE_BYTES };
  const sockets = new WebSocketServer(serverOptions);
  const streams = new Set<RelayStream>();
  const peers = new Map<WebSocket, { alive: boolean }>();
  let awaitingSetup = 0;

  const signatureProblem = (req: IncomingMessage): string | null => {
    const token = options.authToken();
    const origin = options.publicBaseUrl();
    if (!token || !origin) return 'Twilio is not configured on this console';
    const signature = req.headers['x-twilio-signature'];
    const url = `${origin.replace(/^https:/, 'wss:')}${req.url ?? ''}`;
    if (typeof signature !== 'string' || !twilio.validateRequest(token, signature, url, {})) return 'invalid signature';
    return null;
  };

  const onConnection = (socket: WebSocket) => {
    let stream: RelayStream | null = null;
    let ended = false;
    awaitingSetup++;
    let waiting = true;
    const stopWaiting = () => {
      if (!waiting) return;
      waiting = false;
      awaitingSetup--;
      clearTimeout(setupTimer);
    };
    const peer = { alive: true };
    peers.set(socket, peer);
    const rate = new FrameRateLimit(limits.maxMessagesPerSecond, limits.messageBurst, performance.now());
    const fail = (reason: string, code = CLOSE_POLICY) => {
      if (ended) return;
      ended = true;
      stopWaiting();
      log.warn({ callSid: stream?.callSid, code, reason }, 'closing relay session');
      if (socket.readyState === WebSocket.OPEN) socket.close(code, reason.slice(0, 120));
      stream?.finish(`protocol error: ${reason}`);
    };
    const setupTimer = setTimeout(() => fail(`no setup message within ${limits.setupTimeoutMs} ms`), limits.setupTimeoutMs);

    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (ended) return;
      if (!rate.take(performance.now())) return fail(`more than ${limits.maxMessagesPerSecond} messages a second (burst ${limits.messageBurst})`);
      if (isBinary) return fail('binary frames are not part of ConversationRelay', CLOSE_INVALID_DATA);
      const text = data.toString();
      const parsed = parseRelayMessage(text);
      if (!parsed.ok) {
        const type = typeOf(text);
        // A message type Twilio added after this was written: skip it, keep the call.
        if (stream && type !== null && !KNOWN_TYPES.has(type)) {
          log.warn({ callSid: stream.callSid, type: type.slice(0, 40) }, 'skipped an unknown relay message type');
          return;
        }
        return fail(parsed.reason, CLOSE_INVALID_DATA);
      }
      const message = parsed.message;
      if (!stream) {
        if (message.type !== 'setup') return fail(`${message.type} message before setup`);
        // Checked again here: sockets admitted under the cap may all set up at once.
        const maxLive = options.maxLiveCalls();
        if (options.liveCalls() >= maxLive) return fail(`${maxLive} calls are already live: try again later`, CLOSE_TRY_AGAIN_LATER);
        stopWaiting();
        const started = new RelayStream(socket, message, options.msPerChar);
        stream = started;
        streams.add(started);
        started.once('closed', () => streams.delete(started));
        started.on('error', (description) => log.warn({ callSid: started.callSid, description: description.slice(0, 200) }, 'Twilio reported an error in a relay message'));
        try {
          options.onStream(started);
        } catch (error) {
          return fail(`session refused: ${(error as Error).message}`);
        }
        return;
      }
      if (!stream.isOpen) return;
      const problem = stream.handle(message);
      if (problem) fail(problem);
    });
    socket.on('pong', () => (peer.alive = true));
    socket.on('close', () => {
      stopWaiting();
      peers.delete(socket);
      stream?.finish('caller hung up');
    });
    socket.on('error', (error) => fail(`socket error: ${error.message}`));
  };

  const heartbeat = setInterval(() => {
    for (const [socket, peer] of peers) {
      if (!peer.alive) {
        log.warn({}, 'dropping a relay socket that did not answer a ping');
        socket.terminate();
        continue;
      }
      peer.alive = false;
      socket.ping();
    }
  }, limits.heartbeatIntervalMs);
  heartbeat.unref();

  return {
    get activeStreams() {
      return streams.size;
    },
    handleUpgrade(req, socket, head) {
      if (req.headers.origin || req.headers['sec-websocket-origin']) return refuseUpgrade(socket, 401, 'Unauthorized');
      const problem = signatureProblem(req);
      if (problem) {
        log.warn({ reason: problem }, 'refused a relay upgrade');
        return refuseUpgrade(socket, problem === 'invalid signature' ? 403 : 503, problem === 'invalid signature' ? 'Forbidden' : 'Service Unavailable');
      }
      if (awaitingSetup >= limits.maxPendingSockets || options.liveCalls() >= options.maxLiveCalls()) {
        return refuseUpgrade(socket, 503, 'Service Unavailable', { 'Retry-After': String(Math.ceil(limits.setupTimeoutMs / 1000)) });
      }
      sockets.handleUpgrade(req, socket, head, onConnection);
    },
    async close() {
      clearInterval(heartbeat);
      for (const stream of streams) stream.finish('console shutting down');
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

export { RELAY_PATH };

/** The `type` of a JSON object message, or null. */
function typeOf(text: string): string | null {
  try {
    const json: unknown = JSON.parse(text);
    return json && typeof json === 'object' && typeof (json as { type?: unknown }).type === 'string' ? (json as { type: string }).type : null;
  } catch {
    return null;
  }
}

function definedOnly(options: Partial<RelayBridgeLimits>): Partial<RelayBridgeLimits> {
  const out: Partial<RelayBridgeLimits> = {};
  for (const key of Object.keys(RELAY_BRIDGE_LIMITS) as Array<keyof RelayBridgeLimits>) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
