/**
 * Property-based fuzz of the media bridge on real loopback sockets (fast-check): a started
 * stream is sent arbitrary text and binary frames (garbage, JSON, near-valid and oversized
 * Media Streams frames). The bridge never crashes; a stream that sent something invalid is
 * closed with a protocol close code and a reason; a stream that sent only valid media stays;
 * and a call beside them all never notices.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../src/main/core/log';
import { startMediaBridge, type MediaBridge } from '../../src/main/core/telephony/media-bridge';
import { connectRawPeer, mediaFrame, until, type RawPeer } from '../support/raw-twilio';

/** Close codes the bridge may end a misbehaving stream with (protocol, data, policy, too big). */
const PROTOCOL_CLOSE_CODES = [1002, 1007, 1008, 1009];

type FuzzFrame =
  | { kind: 'valid-media'; bytes: Uint8Array }
  | { kind: 'oversized-media'; bytes: number }
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'mark' | 'dtmf' | 'stop-like'; field: string }
  | { kind: 'binary'; bytes: Uint8Array };

const fuzzFrame: fc.Arbitrary<FuzzFrame> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('valid-media' as const), bytes: fc.uint8Array({ maxLength: 320 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('oversized-media' as const), bytes: fc.integer({ min: 1601, max: 3000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('mark' as const, 'dtmf' as const, 'stop-like' as const), field: fc.string({ maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), bytes: fc.uint8Array({ maxLength: 64 }) }) },
);

/** The frame as it goes on the wire for the stream `streamSid` (its n-th). */
function wire(frame: FuzzFrame, streamSid: string, n: number): string | Buffer {
  switch (frame.kind) {
    case 'valid-media':
      return JSON.stringify(mediaFrame(streamSid, n, Buffer.from(frame.bytes)));
    case 'oversized-media':
      return JSON.stringify(mediaFrame(streamSid, n, Buffer.alloc(frame.bytes, 0x7f)));
    case 'text':
      return frame.text;
    case 'json':
      return JSON.stringify(frame.value) ?? 'null';
    case 'mark':
      return JSON.stringify({ event: 'mark', sequenceNumber: String(n + 2), streamSid, mark: { name: frame.field, extra: 1 }, unexpected: frame.field });
    case 'dtmf':
      return JSON.stringify({ event: 'dtmf', sequenceNumber: String(n + 2), streamSid, dtmf: { track: 'inbound_track', digit: frame.field } });
    case 'stop-like':
      return JSON.stringify({ event: 'stop', sequenceNumber: frame.field, streamSid, stop: { accountSid: 'AC0', callSid: frame.field } });
    case 'binary':
      return Buffer.from(frame.bytes);
  }
}

/** Resolves once everything the bridge sent before a ping round trip has arrived; true if the socket is still open. */
async function openAfterRoundTrip(peer: RawPeer): Promise<boolean> {
  if (peer.socket.readyState !== WebSocket.OPEN) return false;
  await new Promise<void>((resolve) => {
    peer.socket.once('pong', () => resolve());
    peer.socket.once('close', () => resolve());
    peer.socket.ping();
  });
  return peer.socket.readyState === WebSocket.OPEN;
}

describe('media bridge fuzz (arbitrary frames on real sockets)', () => {
  let bridge: MediaBridge;
  const media = new Map<string, number>();
  const ended = new Map<string, string>();
  beforeAll(async () => {
    bridge = await startMediaBridge({
      logger: silentLogger,
      onStream(stream) {
        media.set(stream.callSid, 0);
        stream.on('media', () => media.set(stream.callSid, media.get(stream.callSid)! + 1));
        stream.on('closed', (reason) => ended.set(stream.callSid, reason));
      },
    });
  });
  afterAll(() => bridge.close());

  it('closes only the stream that sent something invalid, with a protocol close code; valid streams and the call beside them go on', async () => {
    const call = await connectRawPeer(bridge.url);
    const callSid = call.start('CA-bystander');
    let callFrames = 0;
    let run = 0;
    // The bystander keeps talking throughout, at Twilio's pace (a frame every 20 ms).
    const talking = setInterval(() => call.sendJson(mediaFrame(callSid, callFrames++, Buffer.alloc(160, 1))), 20);

    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fuzzFrame, { minLength: 1, maxLength: 6 }), async (frames) => {
          const callSidForRun = `CA-fuzz-${++run}`;
          const peer = await connectRawPeer(bridge.url);
          const streamSid = peer.start(callSidForRun);
          frames.forEach((frame, n) => peer.socket.send(wire(frame, streamSid, n)));

          const open = await openAfterRoundTrip(peer);
          // The first frame that is not valid media decides; oversized and binary frames are never valid.
          const decisive = frames.find((f) => f.kind !== 'valid-media');
          if (decisive?.kind === 'oversized-media' || decisive?.kind === 'binary') {
            expect(open).toBe(false);
            expect((await peer.closed).code).toBe(decisive.kind === 'binary' ? 1007 : 1009);
          }
          if (!decisive) {
            expect(open).toBe(true);
            await until(() => media.get(callSidForRun) === frames.length, 2000, 'every valid frame delivered');
          }
          if (!open) {
            const closed = await peer.closed;
            // A stop frame that happens to be valid ends the stream normally (1000).
            expect([...PROTOCOL_CLOSE_CODES, 1000]).toContain(closed.code);
            // Every close says why, except a frame over the 4 KiB socket limit: ws closes that (1009) before reading it.
            if (closed.code !== 1009) expect(closed.reason.length).toBeGreaterThan(0);
            await until(() => ended.has(callSidForRun), 2000, 'the stream to end');
            if (closed.code !== 1000) expect(ended.get(callSidForRun)).toMatch(/^protocol error: /);
          }
          peer.socket.terminate();
        }),
        { numRuns: 1000 },
      );
    } finally {
      clearInterval(talking);
    }

    await until(() => media.get('CA-bystander') === callFrames, 5000, "the bystander's frames");
    expect(ended.has('CA-bystander')).toBe(false);
    expect(await openAfterRoundTrip(call)).toBe(true);
    await until(() => bridge.activeStreams === 1 && bridge.awaitingStart === 0, 5000, 'only the bystander left');
  });
});
