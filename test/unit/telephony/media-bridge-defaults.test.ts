/**
 * The media bridge's production limits, on a real loopback socket with the timers faked (the
 * integration tests shorten the timings through options; this proves what ships): a socket
 * without a start is closed at 5 s, a peer that stops answering pings is dropped after 10 s
 * more, and 32 sockets may wait for their start.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../../src/main/core/log';
import { MEDIA_BRIDGE_LIMITS, startMediaBridge, type MediaBridge } from '../../../src/main/core/telephony/media-bridge';
import { connectRawPeer, type RawPeer } from '../../support/raw-twilio';

/** Only the timers the bridge schedules; socket I/O and setImmediate stay real. */
const BRIDGE_TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] as const;

/** Whether the socket is still open once everything the bridge sent before has arrived (a ping round trip). */
async function openAfterRoundTrip(socket: WebSocket): Promise<boolean> {
  if (socket.readyState !== WebSocket.OPEN) return false;
  await new Promise<void>((resolve) => {
    socket.once('pong', () => resolve());
    socket.once('close', () => resolve());
    socket.ping();
  });
  return socket.readyState === WebSocket.OPEN;
}

describe('media bridge production limits', () => {
  let bridge: MediaBridge | null = null;
  afterEach(async () => {
    vi.useRealTimers();
    await bridge?.close();
    bridge = null;
  });

  it('ships 5 s to start, 32 waiting sockets, a 10 s heartbeat and 200 frames/s with a burst of 400', () => {
    expect(MEDIA_BRIDGE_LIMITS).toEqual({ startTimeoutMs: 5000, maxPendingSockets: 32, heartbeatIntervalMs: 10_000, maxFramesPerSecond: 200, frameBurst: 400 });
  });

  it('closes a socket that has not started 5 s after it opened (1008), not before', async () => {
    vi.useFakeTimers({ toFake: [...BRIDGE_TIMERS] });
    bridge = await startMediaBridge({ logger: silentLogger, onStream() {} });
    const peer: RawPeer = await connectRawPeer(bridge.url);
    peer.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    vi.advanceTimersByTime(4999);
    expect(await openAfterRoundTrip(peer.socket)).toBe(true);
    vi.advanceTimersByTime(1);
    expect(await peer.closed).toEqual({ code: 1008, reason: 'no start frame within 5000 ms' });
  });

  it('drops a started peer that has not answered a ping by the next one, 10 s apart', async () => {
    vi.useFakeTimers({ toFake: [...BRIDGE_TIMERS] });
    const ended: string[] = [];
    bridge = await startMediaBridge({ logger: silentLogger, onStream: (stream) => stream.on('closed', (reason) => ended.push(reason)) });
    const deaf = new WebSocket(bridge.url, { autoPong: false });
    await new Promise((resolve) => deaf.once('open', resolve));
    let pinged = 0;
    deaf.on('ping', () => pinged++);
    const streamSid = 'MZ-deaf';
    const format = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 };
    deaf.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid, start: { streamSid, accountSid: 'AC0', callSid: 'CA-deaf', tracks: ['inbound'], mediaFormat: format } }));
    await vi.waitFor(() => expect(bridge!.activeStreams).toBe(1), { interval: 0 });

    vi.advanceTimersByTime(10_000); // the first ping
    expect(await openAfterRoundTrip(deaf)).toBe(true);
    expect(pinged).toBe(1);
    vi.advanceTimersByTime(9_999);
    expect(await openAfterRoundTrip(deaf)).toBe(true);
    vi.advanceTimersByTime(1); // no pong: dropped
    await new Promise((resolve) => deaf.once('close', resolve));
    await vi.waitFor(() => expect(ended).toEqual(['no answer to a ping within 10000 ms']), { interval: 0 });
  });

  it('lets 32 sockets wait for their start and refuses the 33rd with 503', async () => {
    bridge = await startMediaBridge({ logger: silentLogger, onStream() {} });
    const waiting = await Promise.all(Array.from({ length: 32 }, () => connectRawPeer(bridge!.url)));
    expect(bridge.awaitingStart).toBe(32);
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(bridge!.url);
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => resolve(101));
    });
    expect(status).toBe(503);
    for (const peer of waiting) peer.socket.terminate();
  });
});
