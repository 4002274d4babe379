/**
 * Dev-only stand-in for the headless server (src/main/headless/server.ts): serves the built
 * renderer, /healthz, and the WebSocket API at /api (token in `?token=` or the cookie), backed
 * by the fake backend instead of the core. Lets console.spec.ts and the WebSocket transport be
 * exercised before the real server builds:
 *   node test/support/run-ts.mjs test/e2e/support/fake-server.ts
 *   env: SWITCHBOARD_PORT (47321), SWITCHBOARD_TOKEN (E2E_TOKEN), SWITCHBOARD_RENDERER_DIR, FAKE_SPEED
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { AnyEvent, CommandName, Result } from '@shared/contract';
import { ClientFrame, TOKEN_PARAM, WS_PATH, type ServerFrame } from '@shared/ws-protocol';
import { installFakeBackend } from './fake-backend';

const port = Number(process.env['SWITCHBOARD_PORT'] ?? 47321);
const token = process.env['SWITCHBOARD_TOKEN'] ?? 'e2e-token-0123456789abcdef0123456789';
const root = resolve(process.env['SWITCHBOARD_RENDERER_DIR'] ?? 'out/renderer');

installFakeBackend({ speed: Number(process.env['FAKE_SPEED'] ?? 2) });
const backend = (globalThis as unknown as {
  switchboard: {
    invoke(name: CommandName, input: unknown): Promise<Result<unknown>>;
    subscribe(l: (e: AnyEvent) => void): () => void;
  };
}).switchboard;

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const cookieToken = (cookie: string | undefined) => /(?:^|;\s*)switchboard_token=([^;]+)/.exec(cookie ?? '')?.[1];

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') return void res.writeHead(200).end('ok');
  const given = url.searchParams.get(TOKEN_PARAM) ?? cookieToken(req.headers.cookie);
  if (given !== token) {
    return void res.writeHead(401, { 'Content-Type': 'text/html' }).end('<p>This console needs its access token.</p>');
  }
  res.setHeader('Set-Cookie', `switchboard_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
  const rel = normalize(url.pathname).replace(/^[/\\]+/, '') || 'index.html';
  const file = join(root, rel);
  try {
    const body = await readFile(file.startsWith(root) ? file : join(root, 'index.html'));
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const given = url.searchParams.get(TOKEN_PARAM) ?? cookieToken(req.headers.cookie);
  if (url.pathname !== WS_PATH || given !== token) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const send = (frame: ServerFrame) => ws.send(JSON.stringify(frame));
    const off = backend.subscribe((e) => send({ type: 'event', name: e.name, payload: e.payload }));
    ws.on('close', off);
    ws.on('message', async (data) => {
      const frame = ClientFrame.parse(JSON.parse(String(data)));
      send({ type: 'result', id: frame.id, result: await backend.invoke(frame.name as CommandName, frame.input) });
    });
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`fake Switchboard console: http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`);
});
