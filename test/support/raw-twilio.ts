/** A hand-driven Twilio Media Streams peer for protocol tests: sends exactly what it is told. */
import { WebSocket } from 'ws';

export interface RawPeer {
  socket: WebSocket;
  /** Frames the app sent, parsed. */
  received: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  sendJson(frame: unknown): void;
  /** Sends `connected` and `start`; `accountSid` is what Twilio would say (a real call's must be the console's). */
  start(callSid?: string, customParameters?: Record<string, string>, accountSid?: string): string;
}

export async function connectRawPeer(url: string): Promise<RawPeer> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const received: Array<Record<string, unknown>> = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let seq = 0;
  const peer: RawPeer = {
    socket,
    received,
    closed,
    sendJson: (frame) => socket.send(JSON.stringify(frame)),
    start(callSid = `CA${Math.random().toString(16).slice(2).padEnd(32, '0')}`, customParameters = {}, accountSid = 'AC0') {
      const streamSid = `MZ${Math.random().toString(16).slice(2).padEnd(32, '0')}`;
      peer.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      peer.sendJson({
        event: 'start',
        sequenceNumber: String(++seq),
        streamSid,
        start: {
          streamSid,
          accountSid,
          callSid,
          tracks: ['inbound'],
          customParameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
      return streamSid;
    },
  };
  return peer;
}

export function mediaFrame(streamSid: string, n: number, payload: Buffer): object {
  return {
    event: 'media',
    sequenceNumber: String(n + 1),
    streamSid,
    media: { track: 'inbound', chunk: String(n), timestamp: String(n * 20), payload: payload.toString('base64') },
  };
}

/** Waits until `predicate` holds (it may be async: its answer is awaited). */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until `find` returns something, and returns it. */
export async function untilFound<T>(find: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  let found: T | undefined;
  await until(() => (found = find()) !== undefined, timeoutMs, what);
  return found!;
}
