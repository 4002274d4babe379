/**
 * The /relay edge on real sockets: Twilio's signature, caps, the setup deadline, bad input
 * closing only the offending session, messages Twilio may add later skipped, and the relay
 * stream's own behaviour (prompts as recogniser events, marks echoed by the playback
 * estimate, an interruption with Twilio's exact words).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../src/main/core/log';
import type { SttEvent } from '../../src/main/core/providers/types';
import { createRelayBridge, type RelayBridge, type RelayBridgeOptions } from '../../src/main/core/telephony/relay/relay-bridge';
import { parseRelayMessage } from '../../src/main/core/telephony/relay/relay-protocol';
import type { RelayStream } from '../../src/main/core/telephony/relay/relay-stream';

const TOKEN = 'relay-auth-token-0123456789';
const PUBLIC = 'https://relay.example.ngrok.app';
const SIGNED_URL = 'wss://relay.example.ngrok.app/relay';
const SETUP = { type: 'setup', sessionId: 'VX1', accountSid: 'AC1', callSid: 'CA1', from: '+1', to: '+2', customParameters: { token: 't' } };

let server: Server | null = null;
let bridge: RelayBridge | null = null;
afterEach(async () => {
  await bridge?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
  bridge = null;
});

async function start(options: Partial<RelayBridgeOptions> = {}): Promise<{ url: string; streams: RelayStream[] }> {
  const streams: RelayStream[] = [];
  bridge = createRelayBridge({
    logger: silentLogger,
    authToken: () => TOKEN,
    publicBaseUrl: () => PUBLIC,
    liveCalls: () => streams.filter((s) => s.isOpen).length,
    maxLiveCalls: () => 10,
    msPerChar: 10,
    onStream: (stream) => void streams.push(stream),
    ...options,
  });
  const relay = bridge;
  server = createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => relay.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/relay`, streams };
}

function open(url: string, headers: Record<string, string> = { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, SIGNED_URL, {}) }) {
  const socket = new WebSocket(url, { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
  return { socket, closed, opened, send: (m: unknown) => socket.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}

async function until(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!test()) throw new Error(`timed out waiting for ${what}`);
}

describe('the /relay edge', () => {
  it('refuses an unsigned, wrongly signed or browser upgrade before any WebSocket exists', async () => {
    const { url } = await start();
    await expect(open(url, {}).opened).rejects.toThrow('HTTP 403');
    await expect(open(url, { 'x-twilio-signature': twilio.getExpectedTwilioSignature('another-token', SIGNED_URL, {}) }).opened).rejects.toThrow('HTTP 403');
    await expect(open(url, { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, SIGNED_URL, {}), origin: 'https://evil.example' }).opened).rejects.toThrow('HTTP 401');
  });

  it('answers 503 until Twilio is configured, and past the live cap', async () => {
    const { url } = await start({ authToken: () => null });
    await expect(open(url).opened).rejects.toThrow('HTTP 503');
    await bridge!.close();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const capped = await start({ maxLiveCalls: () => 0 });
    await expect(open(capped.url).opened).rejects.toThrow('HTTP 503');
  });

  it('closes a socket that sends no setup in time, or anything before setup (1008)', async () => {
    const { url, streams } = await start({ setupTimeoutMs: 100 });
    const idle = open(url);
    await idle.opened;
    expect(await idle.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/no setup message within 100 ms/) });
    const early = open(url);
    await early.opened;
    early.send({ type: 'prompt', voicePrompt: 'hello', last: true });
    expect(await early.closed).toMatchObject({ code: 1008, reason: 'prompt message before setup' });
    expect(streams).toHaveLength(0);
  });

  it('closes only the session that sends bad input; skips message types it does not know', async () => {
    const { url, streams } = await start();
    const good = open(url);
    const bad = open(url);
    await Promise.all([good.opened, bad.opened]);
    good.send(SETUP);
    bad.send({ ...SETUP, callSid: 'CA2', sessionId: 'VX2' });
    await until(() => streams.length === 2, 'two sessions');
    good.send({ type: 'info', name: 'something new' });
    good.send({ type: 'agentSpeaking', value: 'on' }); // a type Twilio might add: skipped
    bad.send('{not json');
    expect(await bad.closed).toMatchObject({ code: 1007, reason: 'not JSON' });
    expect(streams[1]!.isOpen).toBe(false);
    const events: SttEvent[] = [];
    void (async () => {
      for await (const event of streams[0]!.stt.events) events.push(event);
    })();
    good.send({ type: 'prompt', voicePrompt: 'still here', last: true });
    await until(() => events.length === 1, 'the prompt');
    expect(events[0]).toMatchObject({ type: 'final', text: 'still here' });
    expect(streams[0]!.isOpen).toBe(true);
    const tooFast = open(url);
    await tooFast.opened;
    tooFast.send({ ...SETUP, callSid: 'CA3', sessionId: 'VX3' });
    for (let i = 0; i < 150; i++) tooFast.send({ type: 'dtmf', digit: '1' });
    expect(await tooFast.closed).toMatchObject({ code: 1008, reason: expect.stringMatching(/more than 50 messages a second/) });
  });

  it('refuses a session the registry refuses (onStream throws), with the reason', async () => {
    const { url } = await start({
      onStream: () => {
        throw new Error('unknown or wrong stream token');
      },
    });
    const peer = open(url);
    await peer.opened;
    peer.send(SETUP);
    expect(await peer.closed).toMatchObject({ code: 1008, reason: 'session refused: unknown or wrong stream token' });
  });

  it('streams text, echoes marks when the estimate says they were spoken, and reports an interruption', async () => {
    const { url, streams } = await start();
    const peer = open(url);
    await peer.opened;
    const received: Array<Record<string, unknown>> = [];
    peer.socket.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    peer.send(SETUP);
    await until(() => streams.length === 1, 'the session');
    const stream = streams[0]!;
    const order: string[] = [];
    stream.on('mark', (name) => order.push(`mark ${name}`));
    stream.on('interrupt', (heard, ms) => order.push(`interrupt ${heard} ${ms}`));
    stream.on('dtmf', (digit) => order.push(`dtmf ${digit}`));
    stream.sendText('Hello there. ');
    stream.sendMark('m1');
    stream.sendText('How can I help?');
    stream.sendMark('m2');
    stream.endTurn();
    stream.play('https://example.com/hold.mp3');
    stream.sendDigits('12#w3');
    stream.setLanguage({ tts: 'es-ES', transcription: 'es-ES' });
    expect(() => stream.sendDigits('12; DROP')).toThrow(RangeError);
    await until(() => order.length === 2, 'both marks');
    expect(order).toEqual(['mark m1', 'mark m2']);
    await until(() => received.length === 6, 'six messages');
    expect(received).toEqual([
      { type: 'text', token: 'Hello there. ', last: false, interruptible: true, preemptible: false },
      { type: 'text', token: 'How can I help?', last: false, interruptible: true, preemptible: false },
      { type: 'text', token: '', last: true, interruptible: true, preemptible: false },
      { type: 'play', source: 'https://example.com/hold.mp3', loop: 1, interruptible: true, preemptible: true },
      { type: 'sendDigits', digits: '12#w3' },
      { type: 'language', ttsLanguage: 'es-ES', transcriptionLanguage: 'es-ES' },
    ]);
    // A mark still pending when the caller interrupts never comes.
    stream.sendText('A long answer that the caller will talk over.');
    stream.sendMark('m3');
    peer.send({ type: 'interrupt', utteranceUntilInterrupt: 'A long', durationUntilInterruptMs: '460' });
    peer.send({ type: 'dtmf', digit: '5' });
    await until(() => order.length === 4, 'the interrupt and the digit');
    await new Promise((r) => setTimeout(r, 500));
    expect(order.slice(2)).toEqual(['interrupt A long 460', 'dtmf 5']);
  });
});

describe('parseRelayMessage', () => {
  it('reads Twilio messages, both spellings of the interrupt duration, and says what is wrong with the rest', () => {
    expect(parseRelayMessage('{"type":"interrupt","utteranceUntilInterrupt":"Your balance is","durationUntilInterruptMs":"460"}')).toEqual({
      ok: true,
      message: { type: 'interrupt', utteranceUntilInterrupt: 'Your balance is', durationUntilInterruptMs: 460 },
    });
    expect(parseRelayMessage('{"type":"interrupt","utteranceUntilInterrupt":"","durationUntilInterruptMs":12}')).toMatchObject({ ok: true, message: { durationUntilInterruptMs: 12 } });
    expect(parseRelayMessage('{"type":"prompt","voicePrompt":"hi"}')).toMatchObject({ ok: true, message: { last: true } });
    expect(parseRelayMessage('{"type":"dtmf","digit":"12"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/digit/) });
    expect(parseRelayMessage('{"type":"setup"}')).toMatchObject({ ok: false });
    expect(parseRelayMessage('[]')).toMatchObject({ ok: false });
  });
});
