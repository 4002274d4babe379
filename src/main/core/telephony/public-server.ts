/**
 * The one origin Twilio reaches: an http.Server on loopback that a tunnel (ngrok,
 * cloudflared…) forwards publicBaseUrl to. It serves the Twilio webhooks and hands
 * WebSocket upgrades on /media to the media bridge and on /relay to the ConversationRelay
 * bridge, so webhooks and calls share one port and one public origin. Everything else is
 * 404; upgrades elsewhere are refused.
 *
 * It listens on 127.0.0.1 only: the tunnel client runs on this machine. `localPort` 0 picks
 * a free port (fine for tests; a tunnel needs a fixed one, set in the telephony settings).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import { MEDIA_PATH, requestPath, type MediaBridge } from './media-bridge';
import { RELAY_PATH, type RelayBridge } from './relay/relay-bridge';
import type { TwilioWebhookHandler } from './twilio-webhooks';

export interface PublicServer {
  /** http://127.0.0.1:PORT: where the tunnel must forward to. */
  readonly localUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface PublicServerOptions {
  host?: string;
  port?: number;
  webhooks: TwilioWebhookHandler;
  bridge: Pick<MediaBridge, 'handleUpgrade'>;
  /** ConversationRelay sessions (issue 11); without it /relay is 404. */
  relay?: Pick<RelayBridge, 'handleUpgrade'>;
  logger: Logger;
}

export async function startPublicServer(options: PublicServerOptions): Promise<PublicServer> {
  const log = options.logger.child({ component: 'public-server' });
  const server: Server = createServer((req, res) => {
    // Strangers reach this server through the tunnel: a target Twilio never sends is refused
    // before any handler parses it, and a handler's throw answers 500 rather than escaping the
    // event handler (an uncaught exception ends the console, and every call with it).
    if (requestPath(req) === null) return answer(res, 400, 'bad request target\n');
    try {
      if (options.webhooks(req, res)) return;
    } catch (error) {
      log.error({ err: error }, 'webhook handler failed');
      return answer(res, 500, 'internal error\n');
    }
    answer(res, 404, 'not found\n');
  });
  // Webhook bodies are tiny; don't let a slow client hold a socket open for long.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.on('upgrade', (req, socket, head) => {
    const path = requestPath(req);
    if (path === MEDIA_PATH) return options.bridge.handleUpgrade(req, socket, head);
    if (path === RELAY_PATH && options.relay) return options.relay.handleUpgrade(req, socket, head);
    socket.end(`HTTP/1.1 ${path === null ? '400 Bad Request' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
  const localUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ localUrl }, 'public server (Twilio webhooks + media) listening');
  return {
    localUrl,
    port,
    // Stops listening and ends the webhook connections. Media sockets already upgraded belong
    // to the bridge (a live call survives a port change; the bridge's close ends them):
    // waiting for them here, as server.close's callback would, hung until every call ended.
    close: async () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

function answer(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
