import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../src/main/core/log';
import { MAX_OUTBOUND_MEDIA_BYTES, MEDIA_PATH, startMediaBridge, type MediaBridge, type MediaBridgeLimits, type MediaStream } from '../../src/main/core/telephony/media-bridge';
import { startPublicServer } from '../../src/main/core/telephony/public-server';
import { mulawAudio } from '../../src/main/core/pipeline/audio';
import { connectRawPeer, mediaFrame, until, type RawPeer } from '../support/raw-twilio';

describe('media bridge (Twilio Media Streams over a real loopback socket)', () => {
  let bridge: MediaBridge;
  let streams: MediaStream[];
  let media: Map<string, Buffer[]>;
  let closedReasons: Map<string, string>;

  beforeEach(async () => {
    streams = [];
    media = new Map();
    closedReasons = new Map();
    bridge = await startMediaBridge({
      logger: silentLogger,
      onStream(stream) {
        streams.push(stream);
        media.set(stream.callSid, []);
        stream.on('media', (audio) => media.get(stream.callSid)!.push(audio.bytes));
        stream.on('closed', (reason) => closedReasons.set(stream.callSid, reason));
        if (stream.customParameters.refuse) throw new Error('not a call we placed');
      },
    });
  });
  afterEach(() => bridge.close());

  it('accepts a stream, decodes media, and reports the caller hanging up', async () => {
    const peer = await connectRawPeer(bridge.url);
    const sid = peer.start('CA1', { from: '+15550001111' });
    const payload = Buffer.alloc(160, 0x7f);
    for (let i = 0; i < 5; i++) peer.sendJson(mediaFrame(sid, i, payload));
    await until(() => (media.get('CA1')?.length ?? 0) === 5, 2000, 'media');
    expect(streams[0]!.customParameters).toEqual({ from: '+15550001111' });
    expect(Buffer.concat(media.get('CA1')!)).toEqual(Buffer.alloc(800, 0x7f));
    peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: sid, stop: { accountSid: 'AC0', callSid: 'CA1' } });
    expect((await peer.closed).code).toBe(1000);
    expect(closedReasons.get('CA1')).toBe('caller hung up');
    expect(bridge.activeStreams).toBe(0);
  });

  it('sends a voice chunk as one media message (split past the bound), marks and clear, and nothing after the stream closes', async () => {
    const peer = await connectRawPeer(bridge.url);
    const sid = peer.start('CA2');
    await until(() => streams.length === 1);
    const stream = streams[0]!;
    stream.sendAudio(mulawAudio(Buffer.alloc(400, 0x55)));
    const long = Buffer.from(Array.from({ length: MAX_OUTBOUND_MEDIA_BYTES * 2 + 160 }, (_, i) => i % 251));
    stream.sendAudio(mulawAudio(long));
    stream.sendMark('turn-1:0');
    stream.clear();
    await until(() => peer.received.length === 6);
    expect(peer.received.map((f) => f.event)).toEqual(['media', 'media', 'media', 'media', 'mark', 'clear']);
    const payloads = peer.received.slice(0, 4).map((f) => Buffer.from((f.media as { payload: string }).payload, 'base64'));
    expect(payloads.map((p) => p.length)).toEqual([400, MAX_OUTBOUND_MEDIA_BYTES, MAX_OUTBOUND_MEDIA_BYTES, 160]);
    // In order, nothing lost or repeated at the seams.
    expect(Buffer.concat(payloads.slice(1)).equals(long)).toBe(true);
    expect(peer.received.every((f) => f.streamSid === sid && !('sequenceNumber' in f))).toBe(true);
    expect(stream.sentAudioMs).toBe((400 + long.length) / 8);

    peer.socket.close();
    await until(() => closedReasons.has('CA2'));
    const sentMs = stream.sentAudioMs;
    stream.sendAudio(mulawAudio(Buffer.alloc(160)));
    stream.sendMark('late');
    expect(stream.sentAudioMs).toBe(sentMs);
  });

  it.each([
    ['not JSON', '{"event":', 1007, /not JSON/],
    ['unknown event', JSON.stringify({ event: 'dance' }), 1007, /invalid/],
    ['media before start', JSON.stringify(mediaFrame('MZ1', 0, Buffer.alloc(160))), 1002, /media frame before start/],
  ])('closes a stream that sends %s, with the reason', async (_what, frame, code, reason) => {
    const peer = await connectRawPeer(bridge.url);
    peer.socket.send(frame);
    const closed = await peer.closed;
    expect(closed.code).toBe(code);
    expect(closed.reason).toMatch(reason);
  });

  it('closes only the misbehaving stream; other calls carry on', async () => {
    const good = await connectRawPeer(bridge.url);
    const bad = await connectRawPeer(bridge.url);
    const goodSid = good.start('CA-good');
    const badSid = bad.start('CA-bad');
    await until(() => streams.length === 2);
    bad.sendJson({ ...mediaFrame(badSid, 0, Buffer.alloc(160)), media: { track: 'inbound', chunk: '1', timestamp: '20', payload: '@@not base64@@' } });
    expect((await bad.closed).code).toBe(1007);
    expect(closedReasons.get('CA-bad')).toMatch(/protocol error: invalid "media" frame: media.payload/);

    bad.socket.terminate();
    for (let i = 0; i < 3; i++) good.sendJson(mediaFrame(goodSid, i, Buffer.alloc(160, 1)));
    await until(() => media.get('CA-good')!.length === 3);
    expect(closedReasons.has('CA-good')).toBe(false);
    expect(bridge.activeStreams).toBe(1);
  });

  it('refuses binary frames, a second start, and frames for another stream', async () => {
    const binary = await connectRawPeer(bridge.url);
    binary.socket.send(Buffer.from([1, 2, 3]));
    expect((await binary.closed).code).toBe(1007);

    const twice = await connectRawPeer(bridge.url);
    twice.start('CA-twice');
    twice.start('CA-twice');
    expect((await twice.closed).reason).toMatch(/unexpected (connected|start) frame after start/);

    const wrong = await connectRawPeer(bridge.url);
    wrong.start('CA-wrong');
    wrong.sendJson(mediaFrame('MZ-someone-else', 0, Buffer.alloc(160)));
    expect((await wrong.closed).reason).toMatch(/another stream/);
  });

  it('refuses a socket from a web page (Twilio sends no Origin)', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(bridge.url, { headers: { Origin: 'https://evil.example' } });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
    expect(streams).toHaveLength(0);
  });

  it('closes a stream the app refuses, with the reason', async () => {
    const peer = await connectRawPeer(bridge.url);
    peer.start('CA-refused', { refuse: 'yes' });
    const closed = await peer.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/not a call we placed/);
  });
});

/**
 * The edge's bounds (issue 10): every socket must start in time, sockets waiting for their
 * start and live streams are capped (on the bridge's port and the public server together),
 * dead peers are dropped, and a stream's frames are capped in size and rate. Timings are
 * shortened through the bridge's options; the production defaults are checked in
 * test/unit/media-bridge-defaults.test.ts.
 */
describe('media bridge limits (issue 10)', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const server of opened.splice(0).reverse()) await server.close();
  });

  /** A bridge with `limits`; it records its streams, their media and how each ended. */
  async function limitedBridge(limits: Partial<MediaBridgeLimits> & { maxLiveStreams?: () => number } = {}) {
    const started: MediaStream[] = [];
    const audio = new Map<string, number>();
    const ended = new Map<string, string>();
    const bridge = await startMediaBridge({
      logger: silentLogger,
      ...limits,
      onStream(stream) {
        started.push(stream);
        audio.set(stream.callSid, 0);
        stream.on('media', () => audio.set(stream.callSid, audio.get(stream.callSid)! + 1));
        stream.on('closed', (reason) => ended.set(stream.callSid, reason));
      },
    });
    opened.push(bridge);
    return { bridge, started, audio, ended };
  }

  /** The public server a tunnel reaches, handing /media upgrades to `bridge` (no webhooks here). */
  async function publicMediaUrl(bridge: MediaBridge): Promise<string> {
    const server = await startPublicServer({ webhooks: () => false, bridge, logger: silentLogger });
    opened.push(server);
    return `${server.localUrl.replace(/^http:/, 'ws:')}${MEDIA_PATH}`;
  }

  /** Opens a socket; resolves with the HTTP status of a refused upgrade, or 101 (then closes it). */
  function upgradeStatus(url: string): Promise<{ status: number; retryAfter?: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
        res.resume();
        socket.terminate();
      });
      socket.once('open', () => {
        resolve({ status: 101 });
        socket.close();
      });
      socket.once('error', (error) => reject(error));
    });
  }

  /** True when `peer` is still open after a full round trip (anything the bridge sent before arrives first). */
  async function stillOpen(peer: RawPeer): Promise<boolean> {
    if (peer.socket.readyState !== WebSocket.OPEN) return false;
    await new Promise<void>((resolve) => {
      peer.socket.once('pong', () => resolve());
      peer.socket.once('close', () => resolve());
      peer.socket.ping();
    });
    return peer.socket.readyState === WebSocket.OPEN;
  }

  it('stops the public server without waiting for live media sockets (they are the bridge\'s); the call goes on', async () => {
    const { bridge, audio } = await limitedBridge();
    const server = await startPublicServer({ webhooks: () => false, bridge, logger: silentLogger });
    opened.push(server);
    const live = await connectRawPeer(`${server.localUrl.replace(/^http:/, 'ws:')}${MEDIA_PATH}`);
    const sid = live.start('CA-live');
    await until(() => audio.has('CA-live'));
    const outcome = await Promise.race([server.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still waiting'), 5000))]);
    expect(outcome).toBe('closed');
    await expect(fetch(`${server.localUrl}/twilio/voice`)).rejects.toThrow();
    live.sendJson(mediaFrame(sid, 0, Buffer.alloc(160)));
    await until(() => audio.get('CA-live') === 1);
  });

  it('closes a socket that sends no start in time (1008); a stream that started in time stays', async () => {
    const { bridge, ended } = await limitedBridge({ startTimeoutMs: 300 });
    const live = await connectRawPeer(bridge.url);
    live.start('CA-live');
    const silent = await connectRawPeer(bridge.url);
    const connectedOnly = await connectRawPeer(bridge.url);
    connectedOnly.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    for (const idle of [silent, connectedOnly]) {
      expect(await idle.closed).toEqual({ code: 1008, reason: 'no start frame within 300 ms' });
    }
    expect(await stillOpen(live)).toBe(true);
    expect(ended.has('CA-live')).toBe(false);
    expect(bridge.awaitingStart).toBe(0);
  });

  it('refuses new sockets (HTTP 503) past the cap of sockets waiting for start, counting both entries; live calls go on', async () => {
    const { bridge, audio } = await limitedBridge({ maxPendingSockets: 3 });
    const publicUrl = await publicMediaUrl(bridge);
    const live = await connectRawPeer(publicUrl);
    const sid = live.start('CA-live');
    await until(() => audio.has('CA-live'));

    const idle = [await connectRawPeer(bridge.url), await connectRawPeer(publicUrl), await connectRawPeer(bridge.url)];
    await until(() => bridge.awaitingStart === 3);
    expect(await upgradeStatus(publicUrl)).toEqual({ status: 503, retryAfter: '5' });
    expect(await upgradeStatus(bridge.url)).toEqual({ status: 503, retryAfter: '5' });
    expect(await Promise.all(idle.map(stillOpen))).toEqual([true, true, true]);

    // The call already live is untouched.
    for (let i = 0; i < 5; i++) live.sendJson(mediaFrame(sid, i, Buffer.alloc(160, 1)));
    await until(() => audio.get('CA-live') === 5);

    // A waiting socket that starts frees its place for the next one.
    idle[0]!.start('CA-late');
    await until(() => bridge.awaitingStart === 2);
    expect((await upgradeStatus(publicUrl)).status).toBe(101);
  });

  it('refuses new sockets past the live-stream cap, read per new stream; a start past it is closed 1013', async () => {
    let cap = 2;
    const { bridge, audio } = await limitedBridge({ maxLiveStreams: () => cap });
    const first = await connectRawPeer(bridge.url);
    const firstSid = first.start('CA-1');
    await until(() => bridge.activeStreams === 1);
    // Two sockets admitted while one stream is live; both start: the second is one too many.
    const racing = [await connectRawPeer(bridge.url), await connectRawPeer(bridge.url)];
    racing[0]!.start('CA-2');
    await until(() => bridge.activeStreams === 2);
    racing[1]!.start('CA-3');
    expect(await racing[1]!.closed).toEqual({ code: 1013, reason: '2 streams are already live: try again later' });
    expect(await upgradeStatus(bridge.url)).toEqual({ status: 503, retryAfter: '5' });

    // Existing calls go on.
    first.sendJson(mediaFrame(firstSid, 0, Buffer.alloc(160)));
    await until(() => audio.get('CA-1') === 1);
    expect(bridge.activeStreams).toBe(2);

    // The setting raised: the next call is admitted at once.
    cap = 3;
    const next = await connectRawPeer(bridge.url);
    next.start('CA-4');
    await until(() => bridge.activeStreams === 3);
  });

  it('drops a peer that stops answering pings (its call ends, saying why); a peer that answers stays', async () => {
    const { bridge, ended } = await limitedBridge({ heartbeatIntervalMs: 100 });
    const answering = await connectRawPeer(bridge.url);
    answering.start('CA-answers');
    let pings = 0;
    answering.socket.on('ping', () => pings++);

    // A peer whose pongs never come (a dead network path looks the same to us).
    const deaf = new WebSocket(bridge.url, { autoPong: false });
    await new Promise((resolve) => deaf.once('open', resolve));
    const deafClosed = new Promise<number>((resolve) => deaf.once('close', (code) => resolve(code)));
    const streamSid = 'MZ-deaf';
    deaf.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    deaf.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid,
        start: { streamSid, accountSid: 'AC0', callSid: 'CA-deaf', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      }),
    );
    expect(await deafClosed).toBe(1006); // terminated: no close handshake with a dead peer
    await until(() => ended.has('CA-deaf'));
    expect(ended.get('CA-deaf')).toBe('no answer to a ping within 100 ms');

    await until(() => pings >= 3, 5000, 'three heartbeats');
    expect(await stillOpen(answering)).toBe(true);
    expect(ended.has('CA-answers')).toBe(false);
  });

  it('closes a stream whose media payload decodes to more than 1,600 bytes (1009), and one with a giant frame; others go on', async () => {
    const { bridge, audio, ended } = await limitedBridge();
    const good = await connectRawPeer(bridge.url);
    const goodSid = good.start('CA-good');
    const big = await connectRawPeer(bridge.url);
    const bigSid = big.start('CA-big');
    const giant = await connectRawPeer(bridge.url);
    const giantSid = giant.start('CA-giant');
    await until(() => bridge.activeStreams === 3);

    big.sendJson(mediaFrame(bigSid, 0, Buffer.alloc(1600, 2))); // the most allowed
    big.sendJson(mediaFrame(bigSid, 1, Buffer.alloc(1601, 2)));
    expect(await big.closed).toEqual({ code: 1009, reason: 'media payload of 1601 bytes is over the 1600-byte limit (a 20 ms frame is 160)' });
    expect(audio.get('CA-big')).toBe(1);
    expect(ended.get('CA-big')).toMatch(/^protocol error: media payload of 1601 bytes/);

    // Bigger than any Twilio frame (4 KiB): refused by the socket before it is read whole.
    giant.sendJson(mediaFrame(giantSid, 0, Buffer.alloc(8 * 1024, 3)));
    expect((await giant.closed).code).toBe(1009);
    await until(() => ended.has('CA-giant'));
    expect(ended.get('CA-giant')).toBe('protocol error: socket error: Max payload size exceeded');
    expect(audio.get('CA-giant')).toBe(0);

    for (let i = 0; i < 3; i++) good.sendJson(mediaFrame(goodSid, i, Buffer.alloc(160, 1)));
    await until(() => audio.get('CA-good') === 3);
    expect(ended.has('CA-good')).toBe(false);
  });

  it('closes a stream sending frames faster than its rate limit (1008, with the reason); the other call goes on', async () => {
    const { bridge, audio, ended } = await limitedBridge({ maxFramesPerSecond: 50, frameBurst: 20 });
    const good = await connectRawPeer(bridge.url);
    const goodSid = good.start('CA-good');
    const flood = await connectRawPeer(bridge.url);
    const floodSid = flood.start('CA-flood');
    await until(() => bridge.activeStreams === 2);

    for (let i = 0; i < 500; i++) flood.sendJson(mediaFrame(floodSid, i, Buffer.alloc(160, 4)));
    expect(await flood.closed).toEqual({ code: 1008, reason: 'more than 50 frames a second (burst 20)' });
    expect(ended.get('CA-flood')).toBe('protocol error: more than 50 frames a second (burst 20)');
    // The burst (minus connected and start), plus what refilled while the flood was read: far from 500.
    expect(audio.get('CA-flood')).toBeLessThan(100);

    for (let i = 0; i < 3; i++) good.sendJson(mediaFrame(goodSid, i, Buffer.alloc(160, 1)));
    await until(() => audio.get('CA-good') === 3);
    expect(ended.has('CA-good')).toBe(false);
  });
});
