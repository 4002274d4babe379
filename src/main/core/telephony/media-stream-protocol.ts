/**
 * Twilio Media Streams wire format (bidirectional streams), both directions.
 * Twilio -> app frames are validated here; app -> Twilio frames are built here.
 */
import { z } from 'zod';

/**
 * The most audio one media frame may carry, decoded. Twilio sends 20 ms frames (160 bytes of
 * 8 kHz mu-law); ten times that leaves room for any sender that batches frames, and refuses a
 * peer that pushes megabytes through one frame to tie up the event loop decoding it.
 */
export const MAX_MEDIA_PAYLOAD_BYTES = 1600;

/**
 * The largest frame the bridge reads (ws maxPayload): a media frame carrying
 * MAX_MEDIA_PAYLOAD_BYTES is ~2.4 KB of JSON (2,134 base64 characters plus ~250 of framing),
 * a `start` with our TwiML's custom parameters well under 1 KB. 4 KiB is that with a margin;
 * anything bigger is not Twilio and is closed by ws (1009) before it is buffered whole.
 */
export const MAX_FRAME_BYTES = 4 * 1024;

const NumericString = z.string().regex(/^\d+$/, 'must be a decimal string');
const Base = { sequenceNumber: NumericString, streamSid: z.string().min(1) };

export const ConnectedFrame = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string(),
});

export const StartFrame = z.object({
  event: z.literal('start'),
  ...Base,
  start: z.object({
    streamSid: z.string().min(1),
    accountSid: z.string(),
    callSid: z.string().min(1),
    tracks: z.array(z.string()),
    customParameters: z.record(z.string(), z.string()).default({}),
    mediaFormat: z.object({
      encoding: z.literal('audio/x-mulaw'),
      sampleRate: z.literal(8000),
      channels: z.literal(1),
    }),
  }),
});

export const MediaFrame = z.object({
  event: z.literal('media'),
  ...Base,
  media: z.object({
    track: z.string(),
    chunk: NumericString,
    timestamp: NumericString,
    payload: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'payload must be base64'),
  }),
});

export const MarkFrame = z.object({
  event: z.literal('mark'),
  ...Base,
  mark: z.object({ name: z.string() }),
});

export const DtmfFrame = z.object({
  event: z.literal('dtmf'),
  ...Base,
  dtmf: z.object({ track: z.string(), digit: z.string().regex(/^[0-9*#A-D]$/) }),
});

export const StopFrame = z.object({
  event: z.literal('stop'),
  ...Base,
  stop: z.object({ accountSid: z.string(), callSid: z.string() }),
});

export const InboundFrame = z.discriminatedUnion('event', [
  ConnectedFrame,
  StartFrame,
  MediaFrame,
  MarkFrame,
  DtmfFrame,
  StopFrame,
]);
export type InboundFrame = z.infer<typeof InboundFrame>;
export type StartFrame = z.infer<typeof StartFrame>;

export type OutboundFrame =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

const DIGITS = /^\d+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The hot path: 50 media frames a second per call. Checks exactly what MediaFrame checks,
 * by hand; anything that fails goes through zod for a precise reason.
 */
function isValidMediaFrame(json: unknown): json is z.infer<typeof MediaFrame> {
  const frame = json as Record<string, unknown> | null;
  if (typeof frame !== 'object' || frame === null || frame.event !== 'media') return false;
  const media = frame.media as Record<string, unknown> | null;
  return (
    typeof frame.streamSid === 'string' &&
    frame.streamSid.length > 0 &&
    typeof frame.sequenceNumber === 'string' &&
    DIGITS.test(frame.sequenceNumber) &&
    typeof media === 'object' &&
    media !== null &&
    typeof media.track === 'string' &&
    typeof media.chunk === 'string' &&
    DIGITS.test(media.chunk) &&
    typeof media.timestamp === 'string' &&
    DIGITS.test(media.timestamp) &&
    typeof media.payload === 'string' &&
    BASE64.test(media.payload)
  );
}

/**
 * Bytes a base64 string decodes to, without decoding it (Node's decoder, which the stream
 * uses, ignores the `=` padding).
 */
export function base64DecodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor(((base64.length - padding) * 3) / 4);
}

export type ParsedFrame =
  | { ok: true; frame: InboundFrame }
  /** `closeCode`: what to close the stream with (CLOSE_INVALID_DATA, or CLOSE_TOO_BIG for an oversized payload). */
  | { ok: false; reason: string; closeCode: number };

/** Parses one text frame from Twilio. Returns a reason instead of throwing. */
export function parseInboundFrame(text: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not JSON', closeCode: CLOSE_INVALID_DATA };
  }
  let frame: InboundFrame;
  if (isValidMediaFrame(json)) {
    // Only the fields the schema knows, as zod would return them: nothing else a peer put in
    // the frame travels further into the core.
    const { track, chunk, timestamp, payload } = json.media;
    frame = { event: 'media', sequenceNumber: json.sequenceNumber, streamSid: json.streamSid, media: { track, chunk, timestamp, payload } };
  } else {
    const parsed = InboundFrame.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'frame';
      return { ok: false, reason: `invalid ${describeEvent(json)} frame: ${where}: ${issue?.message ?? 'invalid'}`, closeCode: CLOSE_INVALID_DATA };
    }
    frame = parsed.data;
  }
  if (frame.event === 'media') {
    const bytes = base64DecodedLength(frame.media.payload);
    if (bytes > MAX_MEDIA_PAYLOAD_BYTES) {
      return {
        ok: false,
        reason: `media payload of ${bytes} bytes is over the ${MAX_MEDIA_PAYLOAD_BYTES}-byte limit (a 20 ms frame is 160)`,
        closeCode: CLOSE_TOO_BIG,
      };
    }
  }
  return { ok: true, frame };
}

function describeEvent(json: unknown): string {
  const event = (json as { event?: unknown } | null)?.event;
  return typeof event === 'string' ? JSON.stringify(event).slice(0, 40) : 'unknown';
}

// Close codes the bridge uses when it ends a stream it cannot trust.
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_POLICY = 1008;
/** RFC 6455: a message too big to process (a media payload over MAX_MEDIA_PAYLOAD_BYTES). */
export const CLOSE_TOO_BIG = 1009;
/** RFC 6455 registry: "Try Again Later" (a cap is reached; an existing call is never closed for it). */
export const CLOSE_TRY_AGAIN_LATER = 1013;
