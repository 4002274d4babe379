/**
 * The public server (what the tunnel exposes) and the bridge's own port against request
 * targets Twilio never sends: absolute-form ("POST http://a:99999/twilio/voice") and
 * scheme-relative ("//a:99999/media") targets made `new URL()` throw inside the servers'
 * event handlers, an uncaught exception that ended a headless console (and every call on it)
 * with one unauthenticated request. Each is now a 400, and the server carries on.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { startHarness, type CoreHarness } from '../support/core-harness';

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-0123456789';
const PUBLIC = 'https://switchboard-targets.example.ngrok.app';

/** Sends one raw HTTP/1.1 request (any target, as a stranger can) and returns the status line and body. */
function rawRequest(port: number, method: string, target: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => {
      const [head = '', rest = ''] = reply.split('\r\n\r\n');
      resolve({ status: head.split('\r\n')[0] ?? '', body: rest });
    });
    socket.on('error', reject);
  });
}

const UPGRADE = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'forged' };

describe('request targets Twilio never sends', () => {
  let harness: CoreHarness;
  let fake: TwilioFake;
  let publicPort = 0;
  let bridgePort = 0;

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    harness = await startHarness();
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    const state = await harness.call('telephony.update', { accountSid: ACCOUNT_SID, publicBaseUrl: PUBLIC });
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
    publicPort = Number(new URL(state.localUrl!).port);
    bridgePort = Number(new URL(harness.core.bridgeUrl).port);
  });
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
  });

  it.each(['http://a:99999/twilio/voice', 'http://[::1/twilio/status', '//a:99999/twilio/voice', 'https://evil.example/twilio/voice'])(
    'answers a webhook POST to %s with 400 (the console stays up)',
    async (target) => {
      expect(await rawRequest(publicPort, 'POST', target, FORM, 'CallSid=CA1')).toEqual({ status: 'HTTP/1.1 400 Bad Request', body: 'bad request target\n' });
    },
  );

  it.each(['//a:99999/media', 'http://[::1/media', 'http://127.0.0.1/media'])('refuses a /media upgrade to %s with 400, on both ports', async (target) => {
    for (const port of [publicPort, bridgePort]) {
      expect((await rawRequest(port, 'GET', target, UPGRADE)).status).toBe('HTTP/1.1 400 Bad Request');
    }
  });

  it('still answers a signed webhook afterwards', async () => {
    const reply = await fake.postWebhook(`${PUBLIC}/twilio/voice`, { AccountSid: ACCOUNT_SID, CallSid: `CA${'c'.repeat(32)}`, Direction: 'inbound', From: '+447700900123', To: '+14155550100' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/<Stream /);
  });
});
