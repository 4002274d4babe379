/**
 * Property-based fuzz of the Media Streams frame parser (fast-check): whatever a peer sends,
 * parseInboundFrame returns a frame or a reason with a close code, never throws; the hand
 * written fast path for media frames agrees with the zod schema on every input; and a media
 * payload is accepted exactly when it decodes to at most MAX_MEDIA_PAYLOAD_BYTES.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64DecodedLength,
  CLOSE_INVALID_DATA,
  CLOSE_TOO_BIG,
  InboundFrame,
  MAX_MEDIA_PAYLOAD_BYTES,
  parseInboundFrame,
} from '../../../src/main/core/telephony/media-stream-protocol';

const RUNS = 20_000;

/** The parser's contract on any input: a schema-valid frame within the payload cap, or a reason and a close code. */
function expectWellFormedResult(text: string): void {
  const result = parseInboundFrame(text);
  if (result.ok) {
    expect(InboundFrame.safeParse(result.frame).success).toBe(true);
    if (result.frame.event === 'media') expect(base64DecodedLength(result.frame.media.payload)).toBeLessThanOrEqual(MAX_MEDIA_PAYLOAD_BYTES);
  } else {
    expect(result.reason.length).toBeGreaterThan(0);
    expect([CLOSE_INVALID_DATA, CLOSE_TOO_BIG]).toContain(result.closeCode);
  }
}

/** Values that are sometimes right and often subtly wrong for a frame's fields. */
const fieldValue = fc.oneof(
  fc.stringMatching(/^\d{1,6}$/),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '-1', '1.5', ' 7', '0x10', 'inbound', 'outbound', '1', '#', '*', 'E', '99'),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
);
const payloadValue = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 2400 }),
  fieldValue,
);
/** Frames of every event, each field valid or not, some fields missing. */
const nearFrame = fc.record(
  {
    event: fc.oneof(fc.constantFrom('connected', 'start', 'media', 'mark', 'dtmf', 'stop', 'clear', 'Media', ''), fieldValue),
    sequenceNumber: fieldValue,
    streamSid: fc.oneof(fc.constantFrom('MZ1', ''), fieldValue),
    protocol: fieldValue,
    version: fieldValue,
    media: fc.record({ track: fieldValue, chunk: fieldValue, timestamp: fieldValue, payload: payloadValue }, { requiredKeys: [] }),
    mark: fc.record({ name: fieldValue }, { requiredKeys: [] }),
    dtmf: fc.record({ track: fieldValue, digit: fieldValue }, { requiredKeys: [] }),
    stop: fc.record({ accountSid: fieldValue, callSid: fieldValue }, { requiredKeys: [] }),
    start: fc.record(
      {
        streamSid: fieldValue,
        accountSid: fieldValue,
        callSid: fieldValue,
        tracks: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }), fieldValue),
        customParameters: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }), fieldValue),
        mediaFormat: fc.oneof(
          fc.constant({ encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }),
          fc.record({ encoding: fieldValue, sampleRate: fc.oneof(fc.constant(8000), fieldValue), channels: fc.oneof(fc.constant(1), fieldValue) }),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['event'] },
);

describe('media frame parser fuzz', () => {
  it('never throws on arbitrary text or JSON values; always a frame or a reason with a close code', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => expectWellFormedResult(text)), { numRuns: RUNS });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => expectWellFormedResult(JSON.stringify(value) ?? 'null')), { numRuns: RUNS / 4 });
  });

  it('a media frame with fields the schema does not know: the fast path drops them, as zod does (found by this fuzz, seed 334108675)', () => {
    const text = JSON.stringify({ event: 'media', sequenceNumber: '0', streamSid: '0', media: { track: '0', chunk: '0', timestamp: '0', payload: '', extra: 1 }, start: {} });
    const result = parseInboundFrame(text);
    expect(result.ok && result.frame).toEqual(InboundFrame.parse(JSON.parse(text)));
    expect(JSON.stringify(result.ok && result.frame)).not.toMatch(/extra|start/);
  });

  it('on near-frames of every event: never throws, and accepts exactly what the schema accepts (the media fast path agrees with zod)', () => {
    fc.assert(
      fc.property(nearFrame, (frame) => {
        const text = JSON.stringify(frame);
        expectWellFormedResult(text);
        const schema = InboundFrame.safeParse(JSON.parse(text));
        const result = parseInboundFrame(text);
        const overCap = schema.success && schema.data.event === 'media' && base64DecodedLength(schema.data.media.payload) > MAX_MEDIA_PAYLOAD_BYTES;
        expect(result.ok).toBe(schema.success && !overCap);
        if (overCap && !result.ok) expect(result.closeCode).toBe(CLOSE_TOO_BIG);
        if (result.ok && schema.success) expect(result.frame).toEqual(schema.data);
      }),
      { numRuns: RUNS },
    );
  }, 30_000); // a fixed number of runs: on a busy 2-core machine it can take over vitest's 5 s default

  it('accepts a media payload exactly when it decodes to at most 1,600 bytes, and delivers it intact', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2 * MAX_MEDIA_PAYLOAD_BYTES }), fc.boolean(), (bytes, stripPadding) => {
        let payload = Buffer.from(bytes).toString('base64');
        if (stripPadding) payload = payload.replace(/=+$/, '');
        expect(base64DecodedLength(payload)).toBe(bytes.length);
        const frame = { event: 'media', sequenceNumber: '3', streamSid: 'MZ1', media: { track: 'inbound', chunk: '2', timestamp: '40', payload } };
        const result = parseInboundFrame(JSON.stringify(frame));
        if (bytes.length <= MAX_MEDIA_PAYLOAD_BYTES) {
          expect(result.ok).toBe(true);
          expect(result.ok && result.frame.event === 'media' && Buffer.from(result.frame.media.payload, 'base64')).toEqual(Buffer.from(bytes));
        } else {
          expect(result).toEqual({ ok: false, closeCode: CLOSE_TOO_BIG, reason: `media payload of ${bytes.length} bytes is over the 1600-byte limit (a 20 ms frame is 160)` });
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
