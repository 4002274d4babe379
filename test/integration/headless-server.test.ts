/**
 * The headless console's doors: the token on every request and socket, foreign Origins
 * and Host names refused, malformed frames answered without harm, events pushed. And the
 * shell process itself refusing a weak SWITCHBOARD_TOKEN or a non-loopback --host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadlessServer, type HeadlessServer } from '../../src/main/headless/server';
import { silentLogger } from '../../src/main/core/log';
import { HEADLESS_CSP } from '../../src/shared/csp';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { startServe } from '../support/serve-process';

const TOKEN = 'test-token-0123456789';

function openSocket(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: unknown[] } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    const frames: unknown[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
  });
}

/** GET `url` with a Host header of our choosing (fetch won't let us set one). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function invoke(ws: WebSocket, frames: unknown[], id: number, name: string, input: unknown) {
  ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
  const deadline = Date.now() + 5000;
  for (;;) {
    const reply = frames.find((f) => (f as { type: string; id?: number }).type === 'result' && (f as { id: number }).id === id);
    if (reply) return (reply as { result: unknown }).result;
    if (Date.now() > deadline) throw new Error(`no reply to ${name}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('headless console server', () => {
  let harness: CoreHarness;
  let server: HeadlessServer;
  let wsUrl: string;
  let assetsDir: string;

  beforeAll(async () => {
    harness = await startHarness();
    const rendererDir = mkdtempSync(join(tmpdir(), 'switchboard-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title><div id="root"></div>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'gone.js'), 'export {};');
    assetsDir = join(rendererDir, 'assets');
    server = await startHeadlessServer({ core: harness.core, token: TOKEN, rendererDir, logger: silentLogger, port: 0 });
    wsUrl = `${server.url.replace('http', 'ws')}/api`;
  });
  afterAll(async () => {
    await server?.close();
    await harness?.core.close();
  });

  it('binds to loopback and prints a URL carrying the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.consoleUrl).toBe(`${server.url}/?token=${TOKEN}`);
  });

  it('serves the console only with the token, then by cookie, with security headers', async () => {
    const bare = await fetch(`${server.url}/`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).toMatch(/needs its access token/);
    expect((await fetch(`${server.url}/?token=wrong-token-0123456789`)).status).toBe(401);

    const ok = await fetch(server.consoleUrl);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<div id="root">');
    expect(ok.headers.get('content-security-policy')).toBe(HEADLESS_CSP);
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const again = await fetch(`${server.url}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(again.status).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a console file that vanished while running (a rebuild) is a miss, not a crash', async () => {
    const cookie = { cookie: `switchboard_token=${TOKEN}` };
    expect((await fetch(`${server.url}/assets/gone.js`, { headers: cookie })).status).toBe(200);
    rmSync(join(assetsDir, 'gone.js'));
    const missing = await fetch(`${server.url}/assets/gone.js`, { headers: cookie });
    expect(missing.status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses foreign Host names (DNS rebinding) and non-GET requests', async () => {
    expect(await statusWithHost(server.consoleUrl, 'evil.example')).toBe(421);
    expect((await fetch(server.consoleUrl, { method: 'POST' })).status).toBe(405);
  });

  it('answers every spelling of this machine on its port, and nothing else', async () => {
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `[0:0:0:0:0:0:0:1]:${port}`]) {
      expect(await statusWithHost(server.consoleUrl, host), host).toBe(200);
    }
    // A bare name means port 80; user info or a wrong port is not this console.
    for (const host of ['127.0.0.1', 'localhost', `evil.example@127.0.0.1:${port}`, `127.0.0.1:${Number(port) + 1}`, `localhost.:${port}`]) {
      expect(await statusWithHost(server.consoleUrl, host), host).toBe(421);
    }
    // The socket's Origin goes through the same check.
    const upper = await openSocket(`${wsUrl}?token=${TOKEN}`, { Origin: `http://LOCALHOST:${port}` });
    expect('ws' in upper).toBe(true);
    if ('ws' in upper) upper.ws.close();
    expect(await openSocket(`${wsUrl}?token=${TOKEN}`, { Origin: 'http://127.0.0.1' })).toEqual({ status: 403 });
  });

  it('refuses sockets without the token or from a foreign Origin', async () => {
    expect(await openSocket(wsUrl)).toEqual({ status: 401 });
    expect(await openSocket(`${wsUrl}?token=nope`)).toEqual({ status: 401 });
    expect(await openSocket(`${wsUrl}?token=${TOKEN}`, { Origin: 'https://evil.example' })).toEqual({ status: 403 });
    const same = await openSocket(`${wsUrl}?token=${TOKEN}`, { Origin: server.url });
    expect('ws' in same).toBe(true);
    if ('ws' in same) same.ws.close();
  });

  it('answers commands in envelopes; bad arguments are clear errors and the socket survives', async () => {
    const opened = await openSocket(`${wsUrl}?token=${TOKEN}`);
    if (!('ws' in opened)) throw new Error('socket refused');
    const { ws, frames } = opened;
    const info = (await invoke(ws, frames, 1, 'app.info', {})) as { ok: boolean; value: { offline: boolean; transport: string } };
    expect(info).toMatchObject({ ok: true, value: { offline: true, transport: 'websocket' } });
    expect(await invoke(ws, frames, 2, 'calls.list', { limit: -3 })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await invoke(ws, frames, 3, 'call.takeOver', { callId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await invoke(ws, frames, 4, 'no.such.command', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await invoke(ws, frames, 5, 'settings.get', undefined)).toMatchObject({ ok: true });

    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.send('{"type":"invoke","name":"app.info"}');
    expect(await closed).toMatchObject({ code: 1007, reason: expect.stringMatching(/invalid frame/) });
  });

  it('pushes core events to every connected console', async () => {
    const opened = await openSocket(`${wsUrl}?token=${TOKEN}`);
    if (!('ws' in opened)) throw new Error('socket refused');
    const started = (await invoke(opened.ws, opened.frames, 1, 'demo.start', { scenarioId: 'cancel-service' })) as { ok: boolean; value: { callSid: string } };
    expect(started.ok).toBe(true);
    const deadline = Date.now() + 10_000;
    const sawCall = () =>
      opened.frames.some((f) => {
        const frame = f as { type: string; name?: string; payload?: { callSid?: string } };
        return frame.type === 'event' && frame.name === 'call.updated' && frame.payload?.callSid === started.value.callSid;
      });
    while (!sawCall() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sawCall()).toBe(true);
    opened.ws.close();
  });
});

// Concurrent: each spawn spends its time loading TypeScript, not doing anything.
describe.concurrent('the serve command refuses an unsafe launch, before anything starts', () => {
  it('a SWITCHBOARD_TOKEN shorter than 32 characters', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-serve-'));
    const serve = startServe(['--port', '0'], { SWITCHBOARD_TOKEN: 'e2e-token', SWITCHBOARD_DATA_DIR: dataDir });
    expect(await serve.exited).toBe(2);
    expect(serve.stderr()).toMatch(/^switchboard: SWITCHBOARD_TOKEN is 9 characters long; the console token must be at least 32/m);
    expect(serve.stdout()).not.toMatch(/Switchboard console:/);
  });

  it('a non-loopback --host without --allow-remote', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-serve-'));
    const serve = startServe(['--host', '0.0.0.0', '--port', '0'], { SWITCHBOARD_DATA_DIR: dataDir });
    expect(await serve.exited).toBe(2);
    expect(serve.stderr()).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/);
    expect(serve.stdout()).not.toMatch(/Switchboard console:/);
  });
});
