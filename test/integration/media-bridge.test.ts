import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/main/core/log';
import { startMediaBridge, type MediaBridge, type MediaStream } from '../../src/main/core/telephony/media-bridge';
import { mulawAudio } from '../../src/main/core/pipeline/audio';
import { connectRawPeer, mediaFrame, until } from '../support/raw-twilio';

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

  it('sends 20 ms media frames, marks and clear, and nothing after the stream closes', async () => {
    const peer = await connectRawPeer(bridge.url);
    const sid = peer.start('CA2');
    await until(() => streams.length === 1);
    const stream = streams[0]!;
    stream.sendAudio(mulawAudio(Buffer.alloc(400, 0x55)));
    stream.sendMark('turn-1:0');
    stream.clear();
    await until(() => peer.received.length === 5);
    expect(peer.received.map((f) => f.event)).toEqual(['media', 'media', 'media', 'mark', 'clear']);
    const sizes = peer.received.slice(0, 3).map((f) => Buffer.from((f.media as { payload: string }).payload, 'base64').length);
    expect(sizes).toEqual([160, 160, 80]);
    expect(peer.received.every((f) => f.streamSid === sid && !('sequenceNumber' in f))).toBe(true);
    expect(stream.sentAudioMs).toBe(50);

    peer.socket.close();
    await until(() => closedReasons.has('CA2'));
    stream.sendAudio(mulawAudio(Buffer.alloc(160)));
    stream.sendMark('late');
    expect(stream.sentAudioMs).toBe(50);
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
    const { WebSocket } = await import('ws');
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
