/**
 * The Twilio Media Streams bridge: a WebSocket server that speaks Twilio's protocol
 * exactly. Each connection becomes one MediaStream with its own state; a malformed or
 * out-of-order frame closes only that stream, with the reason logged.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Logger } from '../log';
import type { MulawAudio } from '../providers/types';
import { FRAME_BYTES, mulawAudio } from '../pipeline/audio';
import {
  CLOSE_INVALID_DATA,
  CLOSE_PROTOCOL_ERROR,
  parseInboundFrame,
  type InboundFrame,
  type OutboundFrame,
  type StartFrame,
} from './media-stream-protocol';

export const MEDIA_PATH = '/media';

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

  /** Queues audio for the caller, as 20 ms frames. Dropped silently once the stream closed. */
  sendAudio(audio: MulawAudio): void {
    let sent = 0;
    for (let offset = 0; offset < audio.bytes.length; offset += FRAME_BYTES) {
      const frame = audio.bytes.subarray(offset, offset + FRAME_BYTES);
      if (!this.send({ event: 'media', streamSid: this.streamSid, media: { payload: frame.toString('base64') } })) break;
      this.sentBytes += frame.length;
      sent += frame.length;
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

export interface MediaBridgeOptions {
  host?: string;
  port?: number;
  logger: Logger;
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
  /**
   * Takes over an HTTP upgrade another server received for MEDIA_PATH (the public server
   * that serves webhooks and media on one port). Its streams reach onStream as 'public'.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export async function startMediaBridge(options: MediaBridgeOptions): Promise<MediaBridge> {
  const { logger } = options;
  const socketOptions = {
    // A Twilio frame is small (a 20 ms media frame is ~300 bytes of JSON); refuse giants.
    maxPayload: 64 * 1024,
    // Twilio sends no Origin; a browser always does. No web page may open a call here.
    verifyClient: (info: { origin?: string }) => !info.origin,
  };
  const server = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, path: MEDIA_PATH, ...socketOptions });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Upgrades handed over by another http.Server (handleUpgrade); same protocol handling.
  const attached = new WebSocketServer({ noServer: true, ...socketOptions });
  const streams = new Set<MediaStream>();

  const onConnection = (socket: WebSocket, entry: StreamEntry) => {
    let stream: MediaStream | null = null;
    let sawConnected = false;

    const fail = (reason: string, code = CLOSE_PROTOCOL_ERROR) => {
      logger.warn({ streamSid: stream?.streamSid, callSid: stream?.callSid, reason }, 'closing media stream');
      if (socket.readyState === WebSocket.OPEN) socket.close(code, reason.slice(0, 120));
      stream?.finish(`protocol error: ${reason}`);
    };

    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return fail('binary frames are not part of the Media Streams protocol', CLOSE_INVALID_DATA);
      const parsed = parseInboundFrame(data.toString());
      if (!parsed.ok) return fail(parsed.reason, CLOSE_INVALID_DATA);
      const frame = parsed.frame;
      if (!stream) {
        if (frame.event === 'connected' && !sawConnected) {
          sawConnected = true;
          return;
        }
        if (frame.event !== 'start') return fail(`${frame.event} frame before start`);
        stream = new MediaStream(socket, frame);
        streams.add(stream);
        const started = stream;
        started.once('closed', () => streams.delete(started));
        try {
          options.onStream(started, entry);
        } catch (error) {
          return fail(`stream refused: ${(error as Error).message}`, 1008);
        }
        return;
      }
      // Frames still in flight after the stream ended are dropped, not delivered.
      if (!stream.isOpen) return;
      const problem = stream.handle(frame);
      if (problem) fail(problem);
      else if (frame.event === 'stop' && socket.readyState === WebSocket.OPEN) socket.close(1000, 'stream stopped');
    });

    socket.on('close', () => stream?.finish('media socket closed'));
    socket.on('error', (error) => fail(`socket error: ${error.message}`));
  };
  server.on('connection', (socket) => onConnection(socket, 'local'));

  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}${MEDIA_PATH}`,
    port,
    get activeStreams() {
      return streams.size;
    },
    handleUpgrade(req, socket, head) {
      attached.handleUpgrade(req, socket, head, (ws) => onConnection(ws, 'public'));
    },
    async close() {
      for (const stream of streams) stream.hangUp('bridge shutting down');
      for (const client of [...server.clients, ...attached.clients]) client.terminate();
      await new Promise<void>((resolve) => attached.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
