/**
 * The agent's softphone in Debian Chromium: the real @twilio/voice-sdk Device, built from a
 * real minted token (a fake account), in the built renderer served from 127.0.0.1 with the
 * fake backend. Nothing may leave 127.0.0.1: every other request is recorded and aborted by a
 * catch-all route, and every WebSocket is answered by the test (never connected out).
 *
 *   npx vite build -c test/e2e/support/renderer.vite.config.ts --outDir /tmp/sb-renderer
 *   SWITCHBOARD_RENDERER_DIR=/tmp/sb-renderer SWITCHBOARD_E2E_FAKE_ONLY=1 npx playwright test softphone
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import type { SoftphoneToken } from '@shared/softphone';
import { mintSoftphoneToken } from '../../src/main/core/telephony/softphone-token';
import { installFakeBackend } from './support/fake-backend';
import { rendererDir } from './support/fake-page';

const FAKE_ACCOUNT = {
  accountSid: `AC${'0e2e'.repeat(8)}`,
  apiKeySid: `SK${'0e2e'.repeat(8)}`,
  apiKeySecret: 'e2e-not-a-real-secret',
};
const AGENT = 'E2E Agent';
/** The hook's register timeout (session.ts REGISTER_TIMEOUT_MS) plus slack for a slow machine. */
const OFFLINE_WITHIN_MS = 10_000 + 5_000;

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wav': 'audio/wav',
};

let server: Server;
let origin: string;

test.beforeAll(async () => {
  const root = rendererDir();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '') || 'index.html';
    const file = join(root, rel);
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface NetLog {
  /** Every HTTP(S) URL the page asked for, loopback or not. */
  requested: string[];
  /** Non-loopback HTTP(S) requests, aborted by the catch-all route. */
  aborted: string[];
  /** Every WebSocket the page opened (all answered by the test, none connected out). */
  sockets: string[];
  /** Messages the page sent on those sockets, parsed. */
  sent: { type: string; payload: Record<string, unknown> }[];
  /** Real WebSockets the browser opened (none expected: the route answers them all). */
  realSockets: string[];
  tokenCalls: number;
}

const isLoopback = (raw: string) => new URL(raw).hostname === '127.0.0.1';

/**
 * Routes every request: 127.0.0.1 goes through, anything else is recorded and aborted.
 * WebSockets are answered by `onSocket` (the test plays Twilio's signalling, or refuses).
 */
async function guardNetwork(
  page: Page,
  socket: { onOpen?(ws: WebSocketRoute): void; onMessage?(ws: WebSocketRoute, message: { type: string }): void },
): Promise<NetLog> {
  const log: NetLog = { requested: [], aborted: [], sockets: [], sent: [], realSockets: [], tokenCalls: 0 };
  page.on('request', (request) => log.requested.push(request.url()));
  page.on('websocket', (ws) => log.realSockets.push(ws.url()));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    log.aborted.push(url);
    return route.abort('blockedbyclient');
  });
  await page.routeWebSocket(
    () => true,
    (ws) => {
      log.sockets.push(ws.url());
      // Not connected to any server: the page talks to this handler only.
      ws.onMessage((message) => {
        if (typeof message !== 'string') return;
        const parsed = JSON.parse(message) as NetLog['sent'][number];
        log.sent.push(parsed);
        socket.onMessage?.(ws, parsed);
      });
      socket.onOpen?.(ws);
    },
  );
  return log;
}

/** The fake backend, with `softphone.token` answered by the real minting code in this process. */
async function openConsole(page: Page, log: NetLog): Promise<void> {
  await page.exposeFunction('__mintSoftphoneToken', (): SoftphoneToken => {
    log.tokenCalls += 1;
    return mintSoftphoneToken(FAKE_ACCOUNT, { agentName: AGENT });
  });
  await page.addInitScript(installFakeBackend, { speed: 1 });
  await page.addInitScript(() => {
    const api = (globalThis as unknown as { switchboard: { invoke(name: string, input: unknown): Promise<unknown> } }).switchboard;
    const mint = (globalThis as unknown as { __mintSoftphoneToken(): Promise<unknown> }).__mintSoftphoneToken;
    const invoke = api.invoke.bind(api);
    api.invoke = (name, input) =>
      name === 'softphone.token' ? mint().then((value) => ({ ok: true, value })) : invoke(name, input);
  });
  await page.goto(`${origin}/`);
}

function problems(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) found.push(msg.text());
  });
  page.on('pageerror', (err) => found.push(String(err)));
  return found;
}

const TWILIO_SIGNALLING = /^wss:\/\/voice-js\.[a-z0-9-]+\.twilio\.com\/signal$|^wss:\/\/chunderw[a-z0-9-]*\.twilio\.com\/signal$/;

test('unreachable Twilio: the Device is built, registration ends "offline" in time, nothing leaves 127.0.0.1', async ({ page }) => {
  const csp = problems(page);
  // Twilio is unreachable: every signalling socket is closed as soon as it opens.
  const log = await guardNetwork(page, { onOpen: (ws) => void ws.close({ code: 4000, reason: 'unreachable (test)' }) });
  const opened = Date.now();
  await openConsole(page, log);

  const chip = page.getByTestId('softphone-state');
  await expect(chip).toBeVisible();
  // The Device tries Twilio's signalling (it was constructed with the minted token)…
  await expect.poll(() => log.sockets.length, { timeout: 10_000 }).toBeGreaterThan(0);
  // …and registration ends in the clear offline state instead of hanging.
  await expect(chip).toHaveAttribute('data-state', 'offline', { timeout: OFFLINE_WITHIN_MS });
  expect(Date.now() - opened).toBeLessThan(OFFLINE_WITHIN_MS + 5_000);
  await expect(chip).toContainText('Softphone offline: no answer from Twilio in 10 s');
  await expect(page.getByTestId('softphone-retry')).toBeVisible();
  expect(log.tokenCalls).toBe(1);

  // The Device was destroyed: it stops trying.
  const attempts = log.sockets.length;
  await page.waitForTimeout(3_000);
  expect(log.sockets.length).toBe(attempts);

  // The only thing it tried to reach was Twilio signalling, and no socket went out for real.
  expect(log.sockets.length).toBeGreaterThan(0);
  for (const url of log.sockets) expect(url).toMatch(TWILIO_SIGNALLING);
  expect(log.realSockets).toEqual([]);
  // No HTTP left either: no Insights (publishEvents: false), no sounds from sdk.twilio.com.
  expect(log.aborted).toEqual([]);
  expect(log.requested.filter((u) => !isLoopback(u))).toEqual([]);
  expect(log.requested.some((u) => /eventgw|insights|sdk\.twilio\.com/.test(u))).toBe(false);
  // The 15 sounds came from the console itself.
  const sounds = new Set(log.requested.filter((u) => u.startsWith(`${origin}/sounds/`)).map((u) => new URL(u).pathname));
  expect([...sounds].sort()).toEqual(
    ['incoming', 'outgoing', 'disconnect', ...'0123456789'.split('').map((d) => `dtmf${d}`), 'dtmfs', 'dtmfh']
      .map((n) => `/sounds/${n}.wav`)
      .sort(),
  );
  await page.screenshot({ path: 'test-results/screens/softphone-01-offline.png' });
  await chip.hover();
  await expect(page.getByRole('tooltip').filter({ hasText: 'Trying again at' })).toBeVisible();
  await page.waitForTimeout(200);
  await page.screenshot({ path: 'test-results/screens/softphone-02-offline-tooltip.png', clip: { x: 440, y: 0, width: 1000, height: 160 } });
  expect(csp).toEqual([]);
});

test('reachable signalling (played by the test): registers, then refreshes its token before expiry', async ({ page }) => {
  const csp = problems(page);
  const identity = 'agent_e2e_agent';
  const log = await guardNetwork(page, {
    // Just enough of Twilio's signalling: listen -> connected (ttl 12 s, so the SDK asks for a
    // fresh token after 2 s), register -> ready.
    onMessage: (ws, { type }) => {
      const reply = (t: string, payload: object) => ws.send(JSON.stringify({ type: t, payload, version: '1.6' }));
      if (type === 'listen') reply('connected', { region: 'us1', home: 'us1', edge: 'ashburn', token: { identity, ttl: 12 } });
      if (type === 'register') reply('ready', {});
    },
  });
  await openConsole(page, log);

  const chip = page.getByTestId('softphone-state');
  await expect(chip).toHaveAttribute('data-state', 'ready', { timeout: 10_000 });
  await expect(chip).toContainText('Softphone ready');
  await page.screenshot({ path: 'test-results/screens/softphone-03-ready.png' });

  // tokenWillExpire -> a second softphone.token -> device.updateToken -> a new listen.
  await expect.poll(() => log.tokenCalls, { timeout: 10_000 }).toBe(2);
  // What the Device said to "Twilio" stayed in this test: a listen with each minted token.
  await expect
    .poll(() => new Set(log.sent.filter((m) => m.type === 'listen').map((m) => m.payload['token'])).size, { timeout: 5_000 })
    .toBe(2);
  expect(log.sent.some((m) => m.type === 'register')).toBe(true);
  await expect(chip).toHaveAttribute('data-state', 'ready');

  for (const url of log.sockets) expect(url).toMatch(TWILIO_SIGNALLING);
  expect(log.realSockets).toEqual([]);
  expect(log.aborted).toEqual([]);
  expect(csp).toEqual([]);
});

test('incoming calls over (test-played) signalling: a stranger rings for the agent, a take-over is answered by itself', async ({ page }) => {
  const csp = problems(page);
  const sockets: WebSocketRoute[] = [];
  const log = await guardNetwork(page, {
    onOpen: (ws) => void sockets.push(ws),
    onMessage: (ws, { type }) => {
      const reply = (t: string, payload: object) => ws.send(JSON.stringify({ type: t, payload, version: '1.6' }));
      if (type === 'listen') reply('connected', { region: 'us1', home: 'us1', token: { identity: 'agent_e2e_agent', ttl: 600 } });
      if (type === 'register') reply('ready', {});
    },
  });
  const invite = (callsid: string, params: Record<string, string>) =>
    sockets.at(-1)!.send(
      JSON.stringify({
        type: 'invite',
        version: '1.6',
        payload: { callsid, sdp: 'v=0 (not a real offer)', parameters: { CallSid: callsid, Params: new URLSearchParams(params).toString() } },
      }),
    );
  // The microphone prompt never gets an answer here, so an answered call stays "connecting".
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => new Promise<MediaStream>(() => {});
  });
  await openConsole(page, log);
  const chip = page.getByTestId('softphone-state');
  await expect(chip).toHaveAttribute('data-state', 'ready', { timeout: 10_000 });

  // A call the console did not ask for rings; the agent declines it.
  invite('CAstranger', { callSid: 'CAnot-ours' });
  await expect(chip).toHaveAttribute('data-state', 'call-ringing');
  await expect(chip).toContainText('Incoming call');
  await page.screenshot({ path: 'test-results/screens/softphone-04-ringing.png', clip: { x: 440, y: 0, width: 1000, height: 60 } });
  await page.getByRole('button', { name: 'Decline' }).click();
  await expect.poll(() => log.sent.find((m) => m.type === 'reject')?.payload['callsid']).toBe('CAstranger');
  await expect(chip).toHaveAttribute('data-state', 'ready');

  // Take over a demo call; the core's TwiML would then ring this Device with its CallSid.
  await page.getByRole('button', { name: 'Start demo call' }).click();
  await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  const callSid = await page.evaluate(() => (globalThis as unknown as { __fake: { calls(): { callSid: string; controller: string }[] } }).__fake.calls().find((c) => c.controller === 'agent')!.callSid);
  invite('CAagentleg', { callSid, purpose: 'takeover' });
  // Answered without a click: the call view's strip shows the headset connecting (the SDK is
  // waiting for the microphone).
  const strip = page.getByTestId('softphone-strip');
  await expect(strip).toBeVisible();
  await expect(strip).toHaveAttribute('data-call-state', 'connecting');
  await expect(strip).toContainText('Connecting your headset');
  await expect(chip).toHaveAttribute('data-state', 'call-connecting');
  await expect(page.getByRole('button', { name: 'Answer' })).toHaveCount(0);
  expect(log.sent.some((m) => m.type === 'reject' && m.payload['callsid'] === 'CAagentleg')).toBe(false);
  await page.screenshot({ path: 'test-results/screens/softphone-05-takeover-strip.png' });
  // Hang up ends the agent's leg.
  await strip.getByRole('button', { name: 'Hang up' }).click();
  await expect.poll(() => log.sent.find((m) => m.type === 'hangup')?.payload['callsid']).toBe('CAagentleg');
  await expect(strip).toHaveCount(0);
  await expect(chip).toHaveAttribute('data-state', 'ready');

  for (const url of log.sockets) expect(url).toMatch(TWILIO_SIGNALLING);
  expect(log.realSockets).toEqual([]);
  expect(log.aborted).toEqual([]);
  expect(csp).toEqual([]);
});
