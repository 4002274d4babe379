/**
 * The one origin Twilio reaches: an http.Server on loopback that a tunnel (ngrok,
 * cloudflared…) forwards publicBaseUrl to. It serves the Twilio webhooks and hands
 * WebSocket upgrades on /media to the media bridge, so webhooks and media share one port
 * and one public origin. Everything else is 404; upgrades elsewhere are refused.
 *
 * It listens on 127.0.0.1 only: the tunnel client runs on this machine. `localPort` 0 picks
 * a free port (fine for tests; a tunnel needs a fixed one, set in the telephony settings).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import { MEDIA_PATH, type MediaBridge } from './media-bridge';
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
  logger: Logger;
}

export async function startPublicServer(options: PublicServerOptions): Promise<PublicServer> {
  const log = options.logger.child({ component: 'public-server' });
  const server: Server = createServer((req, res) => {
    if (options.webhooks(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  });
  // Webhook bodies are tiny; don't let a slow client hold a socket open for long.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== MEDIA_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    options.bridge.handleUpgrade(req, socket, head);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
