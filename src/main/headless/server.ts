/**
 * The headless console: serves the built renderer and the core's API over a WebSocket,
 * on 127.0.0.1 by default. Every request and socket needs the per-launch token; sockets
 * from foreign Origins and requests for foreign Host names (DNS rebinding) are refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import parseRange from 'range-parser';
import sirv from 'sirv';
import { WebSocketServer, WebSocket } from 'ws';
import { HEADLESS_CSP } from '@shared/csp';
import { contentDisposition } from '@shared/files';
import { ClientFrame, TOKEN_PARAM, WS_PATH, type ServerFrame } from '@shared/ws-protocol';
import type { Core } from '../core/core-types';
import type { Logger } from '../core/log';
import { hostMatcher } from './host-check';

export interface HeadlessServerOptions {
  core: Core;
  token: string;
  rendererDir: string;
  host?: string;
  port?: number;
  logger: Logger;
}

export interface HeadlessServer {
  readonly url: string;
  /** The URL to open, token included. */
  readonly consoleUrl: string;
  close(): Promise<void>;
}

const TOKEN_COOKIE = 'switchboard_token';
/** Recordings and finished exports: `/files/<route>` (see Core.file). */
const FILES_PREFIX = '/files/';
/** Unsent bytes a console socket may hold before it is dropped. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** One invoke frame is small; anything bigger is a mistake or an attack. */
const MAX_FRAME_BYTES = 256 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': HEADLESS_CSP,
  'X-Content-Type-Options': 'nosniff',
  // The token travels in the first URL; never let it leak through a Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const { core, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const expected = Buffer.from(options.token);
  const tokenOk = (candidate: string | null | undefined) => {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const requestToken = (req: IncomingMessage, url: URL) => url.searchParams.get(TOKEN_PARAM) ?? readCookie(req, TOKEN_COOKIE);
  // dev: sirv looks each file up when asked instead of trusting a list made at start, so a file
  // replaced or removed under a running console (a rebuild, an update) is a clean miss, not a
  // request left hanging on a stream that failed. A stat per request is nothing on loopback.
  const serveStatic = sirv(options.rendererDir, { dev: true, etag: true, gzip: false, brotli: false, single: true });
  /** Set once the port is known (see host-check.ts); nothing is served before that. */
  let hostAllowed: (header: string | undefined) => boolean = () => false;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req.headers.host)) return deny(res, 421, 'Unknown host name.');
    if (url.pathname === '/healthz') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
    const token = requestToken(req, url);
    if (!tokenOk(token)) {
      return deny(res, 401, 'This console needs its access token. Open the full URL that `npm start` printed (it ends in ?token=…).');
    }
    // The cookie lets the page's own assets and reloads through without the query string.
    res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`);
    if (url.pathname.startsWith(FILES_PREFIX)) return void serveCoreFile(core, url.pathname.slice(FILES_PREFIX.length), req, res, logger);
    if (url.pathname === '/' || url.pathname.endsWith('.html')) res.setHeader('Cache-Control', 'no-store');
    serveStatic(req, res, () => deny(res, 404, 'Not found.'));
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    if (!hostAllowed(req.headers.host)) return refuse(421, 'Misdirected Request');
    const origin = req.headers.origin;
    if (origin !== undefined && !hostAllowed(originHost(origin))) {
      logger.warn({ origin: origin.slice(0, 100) }, 'refused a console socket from a foreign origin');
      return refuse(403, 'Forbidden');
    }
    if (!tokenOk(requestToken(req, url))) return refuse(401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, core, logger));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Bound to every interface (--allow-remote): the address to print for this machine is loopback.
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  hostAllowed = hostMatcher({ host, port });
  const url = `http://${shownHost}:${port}`;
  return {
    url,
    consoleUrl: `${url}/?${TOKEN_PARAM}=${encodeURIComponent(options.token)}`,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function serveSocket(ws: WebSocket, core: Core, logger: Logger): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    // A console that stopped reading (a suspended laptop) must not grow our memory forever;
    // it reconnects and reloads when it wakes.
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return void ws.terminate();
    ws.send(JSON.stringify(frame));
  };
  const unsubscribe = core.subscribe((event) => send({ type: 'event', name: event.name, payload: event.payload }));
  ws.on('close', unsubscribe);
  ws.on('error', (error) => logger.warn({ err: error }, 'console socket error'));
  ws.on('message', async (data, isBinary) => {
    let frame: ClientFrame;
    try {
      if (isBinary) throw new Error('binary frame');
      frame = ClientFrame.parse(JSON.parse(data.toString()));
    } catch {
      // Without a valid id there is nobody to answer: close with a reason instead.
      ws.close(1007, 'invalid frame: expected {"type":"invoke","id":n,"name":…,"input":…}');
      return;
    }
    send({ type: 'result', id: frame.id, result: await core.dispatch(frame.name, frame.input) });
  });
}

/** Streams a core file with single-range support (the audio element seeks with Range requests). */
async function serveCoreFile(core: Core, route: string, req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(route);
  } catch {
    return deny(res, 400, 'That file address is malformed.');
  }
  try {
    const file = await core.file(decoded);
    const size = file ? await stat(file.path).then((s) => (s.isFile() ? s.size : null), () => null) : null;
    if (!file || size === null) return deny(res, 404, 'That file is not here (it may have been removed).');
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-store');
    if (file.downloadName) res.setHeader('Content-Disposition', contentDisposition(file.downloadName));
    const ranges = req.headers.range ? parseRange(size, req.headers.range, { combine: true }) : -2;
    if (ranges === -1 || (Array.isArray(ranges) && ranges.length !== 1)) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void res.end();
    }
    const range = Array.isArray(ranges) ? ranges[0]! : { start: 0, end: size - 1 };
    if (Array.isArray(ranges)) {
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    }
    res.setHeader('Content-Length', String(size === 0 ? 0 : range.end - range.start + 1));
    if (req.method === 'HEAD' || size === 0) return void res.end();
    const stream = createReadStream(file.path, { start: range.start, end: range.end });
    stream.on('error', (error) => {
      logger.warn({ err: error }, 'file read failed while serving it');
      res.destroy(error);
    });
    stream.pipe(res);
  } catch (error) {
    logger.error({ err: error }, 'serving a file failed');
    if (!res.headersSent) deny(res, 500, 'Could not read that file.');
    else res.destroy();
  }
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // This page is static text with inline styles and nothing else.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Switchboard</title>` +
      `<body style="font:15px system-ui;background:#0b1120;color:#cbd5e1;display:grid;place-items:center;height:100vh;margin:0">` +
      `<main style="max-width:32rem"><h1 style="font-size:18px;color:#f1f5f9">Switchboard</h1><p>${escapeHtml(message)}</p></main>`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' ? url.host : '';
  } catch {
    return '';
  }
}
