/**
 * The Twilio Media Streams bridge: a WebSocket server that speaks Twilio's protocol
 * exactly. Each connection becomes one MediaStream with its own state; a malformed or
 * out-of-order frame closes only that stream, with the reason logged.
 *
 * It is also the edge strangers reach through the tunnel, so every socket is bounded
 * (MediaBridgeLimits): it must `start` within 5 s, only so many may wait for their `start`
 * and only so many streams may be live (past either cap a new socket is refused, never an
 * existing call), each is pinged and dropped when it stops answering, and each stream's
 * frames are capped in size and rate, so one peer cannot starve the calls beside it.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData, type ServerOptions } from 'ws';
import type { Logger } from '../log';
import type { MulawAudio } from '../providers/types';
import { mulawAudio } from '../pipeline/audio';
import { FrameRateLimit } from './frame-rate-limit';
import {
  CLOSE_INVALID_DATA,
  CLOSE_POLICY,
  CLOSE_PROTOCOL_ERROR,
  CLOSE_TRY_AGAIN_LATER,
  MAX_FRAME_BYTES,
  parseInboundFrame,
  type InboundFrame,
  type OutboundFrame,
  type StartFrame,
} from './media-stream-protocol';
import { DEFAULT_TELEPHONY_SETTINGS } from './twilio-settings';

export const MEDIA_PATH = '/media';

/**
 * The most audio one outbound media message carries (500 ms). Every message costs a
 * JSON.stringify, a base64 pass and a socket write, so a voice's chunk goes whole, not cut
 * into 20 ms frames (5x fewer writes under load); the bound keeps a long clause (offline
 * voice, a resume) from becoming one large message.
 */
export const MAX_OUTBOUND_MEDIA_BYTES = 4000;

/**
 * How a stream reached the bridge: its own listener (loopback port: the caller simulator,
 * tests) or an upgrade handed over by another http.Server (`handleUpgrade`, the public
 * server a tunnel forwards to). onStream gets it so admission can differ.
 */
export type StreamEntry = 'local' | 'public';

export type MediaStreamEvents = {
  /** Caller audio; `timestampMs` is Twilio's ms since the stream started. */
  media: [audio: MulawAudio, timestampMs: number];
  /** Twilio played everything queued before the mark with this name. */
  mark: [name: string];
  dtmf: [digit: string];
  /** Audio actually sent to Twilio for the caller (queued there, played in real time). For taps. */
  outbound: [audio: MulawAudio];
  /** A `clear` was sent: Twilio dropped every bit of audio it had queued. For taps. */
  cleared: [];
  /** The call's stream ended (Twilio `stop`, socket closed, or a protocol error). Emitted once. */
  closed: [reason: string];
};

export class MediaStream extends EventEmitter<MediaStreamEvents> {
  readonly transport = 'media' as const;
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
  readonly customParameters: Readonly<Record<string, string>>;
  private open = true;
  private sentBytes = 0;

  constructor(
    private readonly socket: WebSocket,
    start: StartFrame,
  ) {
    super();
    this.streamSid = start.streamSid;
    this.callSid = start.start.callSid;
    this.accountSid = start.start.accountSid;
    this.customParameters = start.start.customParameters;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Total outbound audio sent so far, in ms. */
  get sentAudioMs(): number {
    return this.sentBytes / 8;
  }

  /**
   * Queues audio for the caller: one media message per chunk the voice produced (Twilio
   * queues and paces what it is sent; a message need not be 20 ms), split only past
   * MAX_OUTBOUND_MEDIA_BYTES. Dropped silently once the stream closed.
   */
  sendAudio(audio: MulawAudio): void {
    let sent = 0;
    for (let offset = 0; offset < audio.bytes.length; offset += MAX_OUTBOUND_MEDIA_BYTES) {
      const piece = audio.bytes.subarray(offset, offset + MAX_OUTBOUND_MEDIA_BYTES);
      if (!this.send({ event: 'media', streamSid: this.streamSid, media: { payload: piece.toString('base64') } })) break;
      this.sentBytes += piece.length;
      sent += piece.length;
    }
    if (sent > 0) this.emit('outbound', sent === audio.bytes.length ? audio : mulawAudio(audio.bytes.subarray(0, sent)));
  }

  /** Twilio echoes this name back once the caller has heard everything sent before it. */
  sendMark(name: string): void {
    this.send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  /** Drops every bit of audio Twilio has queued for the caller. Pending marks come back. */
  clear(): void {
    if (this.send({ event: 'clear', streamSid: this.streamSid })) this.emit('cleared');
  }

  /** Closes the stream from our side (the caller simulator hangs up; Twilio ends the stream). */
  hangUp(reason = 'hung up by app'): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, reason.slice(0, 120));
    this.finish(reason);
  }

  /** @internal Called by the bridge for each validated frame after `start`. */
  handle(frame: InboundFrame): string | null {
    switch (frame.event) {
      case 'media': {
        if (frame.streamSid !== this.streamSid) return 'media frame for another stream';
        this.emit('media', mulawAudio(Buffer.from(frame.media.payload, 'base64')), Number(frame.media.timestamp));
        return null;
      }
      case 'mark':
        if (frame.streamSid !== this.streamSid) return 'mark frame for another stream';
        this.emit('mark', frame.mark.name);
        return null;
      case 'dtmf':
        if (frame.streamSid !== this.streamSid) return 'dtmf frame for another stream';
        this.emit('dtmf', frame.dtmf.digit);
        return null;
      case 'stop':
        this.finish('caller hung up');
        return null;
      case 'connected':
      case 'start':
        return `unexpected ${frame.event} frame after start`;
    }
  }

  /** @internal */
  finish(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.emit('closed', reason);
  }

  private send(frame: OutboundFrame): boolean {
    if (!this.open || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }
}

/**
 * The edge's bounds. Production uses MEDIA_BRIDGE_LIMITS; tests pass shorter timings.
 * Sockets are counted across both entries (the loopback port and the public server).
 */
export interface MediaBridgeLimits {
  /** A socket must send a valid `start` within this long, or it is closed (1008). */
  startTimeoutMs: number;
  /** Sockets open but not yet started; past it a new socket is refused (HTTP 503). */
  maxPendingSockets: number;
  /**
   * Every socket is pinged this often (Twilio answers pings, RFC 6455); one that has not
   * answered the previous ping by the next is dropped, and its call ends.
   */
  heartbeatIntervalMs: number;
  /** A stream's long-run inbound frame rate (Twilio: 50 media frames a second)… */
  maxFramesPerSecond: number;
  /** …and the burst allowed on top (Twilio delivers a stall's backlog at once). Over it: closed (1008). */
  frameBurst: number;
}

export const MEDIA_BRIDGE_LIMITS: Readonly<MediaBridgeLimits> = {
  startTimeoutMs: 5000,
  maxPendingSockets: 32,
  heartbeatIntervalMs: 10_000,
  maxFramesPerSecond: 200,
  frameBurst: 400,
};

/**
 * How long a peer has to answer our close frame before its socket is destroyed (ws waits
 * 30 s by default): a flooder that never answers must not keep its sockets.
 */
const CLOSE_HANDSHAKE_MS = 2000;
/** Refused sockets are logged as a count at most this often, so a flood cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 1000;

export interface MediaBridgeOptions extends Partial<MediaBridgeLimits> {
  host?: string;
  port?: number;
  logger: Logger;
  /**
   * Live streams allowed at once (Settings → Telephony `maxLiveStreams`); read for every new
   * socket and stream, so a changed setting applies to the next call. Past it, new sockets
   * are refused and existing calls go on.
   */
  maxLiveStreams?: () => number;
  /**
   * Called once per stream after a valid `start`. Throwing (or rejecting) refuses the
   * stream: it is closed with the error's message as the reason. `entry` says whether it
   * came in on the bridge's own port or through `handleUpgrade` (the public server).
   */
  onStream(stream: MediaStream, entry: StreamEntry): void;
}

export interface MediaBridge {
  /** ws:// URL Twilio (or the caller simulator) connects to. */
  readonly url: string;
  readonly port: number;
  /** Streams currently open. */
  readonly activeStreams: number;
  /** Sockets open and not yet started (counted against maxPendingSockets). */
  readonly awaitingStart: number;
  /**
   * Takes over an HTTP upgrade another server received for MEDIA_PATH (the public server
   * that serves webhooks and media on one port). Its streams reach onStream as 'public'.
   * Refuses it (HTTP 503) past a cap, like an upgrade on the bridge's own port.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export async function startMediaBridge(options: MediaBridgeOptions): Promise<MediaBridge> {
  const { logger } = options;
  const limits: MediaBridgeLimits = {
    startTimeoutMs: options.startTimeoutMs ?? MEDIA_BRIDGE_LIMITS.startTimeoutMs,
    maxPendingSockets: options.maxPendingSockets ?? MEDIA_BRIDGE_LIMITS.maxPendingSockets,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? MEDIA_BRIDGE_LIMITS.heartbeatIntervalMs,
    maxFramesPerSecond: options.maxFramesPerSecond ?? MEDIA_BRIDGE_LIMITS.maxFramesPerSecond,
    frameBurst: options.frameBurst ?? MEDIA_BRIDGE_LIMITS.frameBurst,
  };
  const maxLiveStreams = options.maxLiveStreams ?? (() => DEFAULT_TELEPHONY_SETTINGS.maxLiveStreams);

  // One WebSocket server for both entries; upgrades reach it only through `admit`.
  // closeTimeout is a ws 8 server option its type definitions do not list yet.
  const serverOptions: ServerOptions & { closeTimeout: number } = { noServer: true, maxPayload: MAX_FRAME_BYTES, closeTimeout: CLOSE_HANDSHAKE_MS };
  const sockets = new WebSocketServer(serverOptions);
  const streams = new Set<MediaStream>();
  /** Every open socket, started or not: whether it answered the last ping, and how to drop it. */
  const peers = new Map<WebSocket, { alive: boolean; drop(reason: string): void }>();
  let awaitingStart = 0;

  let refusedUnlogged = 0;
  let lastRefusalLogMs = -Infinity;
  let refusalLogTimer: NodeJS.Timeout | null = null;
  const logRefusals = (reason: string) => {
    refusalLogTimer = null;
    lastRefusalLogMs = performance.now();
    logger.warn({ refused: refusedUnlogged, reason, awaitingStart, liveStreams: streams.size }, 'refused new media sockets: an edge limit is reached');
    refusedUnlogged = 0;
  };
  const noteRefusal = (reason: string) => {
    refusedUnlogged++;
    const sinceLastMs = performance.now() - lastRefusalLogMs;
    if (sinceLastMs >= REFUSAL_LOG_INTERVAL_MS) logRefusals(reason);
    else refusalLogTimer ??= setTimeout(() => logRefusals(reason), REFUSAL_LOG_INTERVAL_MS - sinceLastMs).unref();
  };

  /**
   * Why a new socket must be refused now, or null. Refused at upgrade (HTTP 503 with
   * Retry-After) rather than accepted and closed with 1013: a refusal then costs one short
   * HTTP answer, no WebSocket, no timers, no frames read, which is what holds under a flood;
   * Twilio reports either as a stream error on that call alone.
   */
  const capReached = (): string | null => {
    if (awaitingStart >= limits.maxPendingSockets) return `${limits.maxPendingSockets} sockets are already waiting for their start`;
    const maxLive = maxLiveStreams();
    if (streams.size >= maxLive) return `${maxLive} streams are already live`;
    return null;
  };

  const admit = (req: IncomingMessage, socket: Duplex, head: Buffer, entry: StreamEntry) => {
    // Twilio sends no Origin; a browser always does. No web page may open a call here.
    if (req.headers.origin || req.headers['sec-websocket-origin']) return refuseUpgrade(socket, 401, 'Unauthorized');
    const refusal = capReached();
    if (refusal) {
      noteRefusal(refusal);
      return refuseUpgrade(socket, 503, 'Service Unavailable', { 'Retry-After': String(Math.ceil(limits.startTimeoutMs / 1000)) });
    }
    sockets.handleUpgrade(req, socket, head, (ws) => onConnection(ws, entry));
  };

  const onConnection = (socket: WebSocket, entry: StreamEntry) => {
    let stream: MediaStream | null = null;
    let sawConnected = false;
    let ended = false;
    /** Why the heartbeat dropped the socket: what its stream ends with. */
    let dropped: string | null = null;
    const peer = {
      alive: true,
      drop(reason: string) {
        dropped = reason;
        ended = true;
        stopWaiting();
        logger.warn({ streamSid: stream?.streamSid, callSid: stream?.callSid, entry, reason }, 'dropping media socket');
        socket.terminate();
      },
    };
    peers.set(socket, peer);
    awaitingStart++;
    let waiting = true;
    const stopWaiting = () => {
      if (!waiting) return;
      waiting = false;
      awaitingStart--;
      clearTimeout(startTimer);
    };
    const rate = new FrameRateLimit(limits.maxFramesPerSecond, limits.frameBurst, performance.now());

    const fail = (reason: string, code = CLOSE_PROTOCOL_ERROR) => {
      if (ended) return;
      ended = true;
      stopWaiting();
      logger.warn({ streamSid: stream?.streamSid, callSid: stream?.callSid, entry, code, reason }, 'closing media stream');
      if (socket.readyState === WebSocket.OPEN) socket.close(code, reason.slice(0, 120));
      stream?.finish(`protocol error: ${reason}`);
    };

    const startTimer = setTimeout(() => fail(`no start frame within ${limits.startTimeoutMs} ms`, CLOSE_POLICY), limits.startTimeoutMs);

    socket.on('message', (data: RawData, isBinary: boolean) => {
      // Frames still in flight after we closed the socket are dropped, not handled.
      if (ended) return;
      if (!rate.take(performance.now())) {
        return fail(`more than ${limits.maxFramesPerSecond} frames a second (burst ${limits.frameBurst})`, CLOSE_POLICY);
      }
      if (isBinary) return fail('binary frames are not part of the Media Streams protocol', CLOSE_INVALID_DATA);
      const parsed = parseInboundFrame(data.toString());
      if (!parsed.ok) return fail(parsed.reason, parsed.closeCode);
      const frame = parsed.frame;
      if (!stream) {
        if (frame.event === 'connected' && !sawConnected) {
          sawConnected = true;
          return;
        }
        if (frame.event !== 'start') return fail(`${frame.event} frame before start`);
        // Checked again here: sockets admitted under the cap may all start at once.
        const maxLive = maxLiveStreams();
        if (streams.size >= maxLive) return fail(`${maxLive} streams are already live: try again later`, CLOSE_TRY_AGAIN_LATER);
        stopWaiting();
        stream = new MediaStream(socket, frame);
        streams.add(stream);
        const started = stream;
        started.once('closed', () => streams.delete(started));
        try {
          options.onStream(started, entry);
        } catch (error) {
          return fail(`stream refused: ${(error as Error).message}`, CLOSE_POLICY);
        }
        return;
      }
      // Frames still in flight after the stream ended are dropped, not delivered.
      if (!stream.isOpen) return;
      const problem = stream.handle(frame);
      if (problem) fail(problem);
      else if (frame.event === 'stop' && socket.readyState === WebSocket.OPEN) socket.close(1000, 'stream stopped');
    });

    socket.on('pong', () => (peer.alive = true));
    socket.on('close', () => {
      stopWaiting();
      peers.delete(socket);
      stream?.finish(dropped ?? 'media socket closed');
    });
    socket.on('error', (error) => fail(`socket error: ${error.message}`));
  };

  // The bridge's own port (loopback: the caller simulator, demo calls, tests, benchmarks).
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
    res.end('Upgrade Required\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.on('upgrade', (req, socket, head) => {
    const path = requestPath(req);
    if (path === null) return refuseUpgrade(socket, 400, 'Bad Request');
    if (path !== MEDIA_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    admit(req, socket, head, 'local');
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => {
    for (const [socket, peer] of peers) {
      if (!peer.alive) {
        peer.drop(`no answer to a ping within ${limits.heartbeatIntervalMs} ms`);
        continue;
      }
      peer.alive = false;
      socket.ping();
    }
  }, limits.heartbeatIntervalMs);
  heartbeat.unref();

  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}${MEDIA_PATH}`,
    port,
    get activeStreams() {
      return streams.size;
    },
    get awaitingStart() {
      return awaitingStart;
    },
    handleUpgrade(req, socket, head) {
      admit(req, socket, head, 'public');
    },
    async close() {
      clearInterval(heartbeat);
      if (refusalLogTimer) clearTimeout(refusalLogTimer);
      for (const stream of streams) stream.hangUp('bridge shutting down');
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The path of a request whose target is in origin form ("/media?x", what Twilio and a tunnel
 * send), or null for any other target. Absolute ("http://a:99999/…"), scheme-relative
 * ("//a:99999/…") and other forms are refused before anything parses them with a base: such a
 * target made `new URL()` throw inside a server's event handler, an uncaught exception.
 */
export function requestPath(req: Pick<IncomingMessage, 'url'>): string | null {
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/** Answers an HTTP upgrade with an error status and closes the socket (no WebSocket made). */
export function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) return void socket.destroy();
  const lines = [`HTTP/1.1 ${status} ${message}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(message)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${message}`);
}
