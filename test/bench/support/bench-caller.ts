/**
 * A benchmark caller: dials the media bridge exactly as Twilio does (`connected`, `start`, a
 * 20 ms mu-law `media` frame every 20 ms in real time, drift-free), plays the app's audio at
 * real-time speed, echoes marks when the playhead passes them, honours `clear` (returning
 * pending marks). Like CallerSimulator, but instrumented for timing, which CallerSimulator's
 * 20 ms tick clock is too coarse for:
 *  - every timestamp is performance.now() of this process (the "world" child), so it can be
 *    compared with the fakes' logs, which run in the same process;
 *  - each caller frame carries a tag in its first bytes (call index, frame number) made of
 *    mu-law codes at most -48 dBFS, below the fake STT's VAD threshold, so the Deepgram fake
 *    can tell which frame of which call reached it and when (transit, drops);
 *  - its speech is a synthetic two-tone burst of `speechMs` (a multiple of 20 ms), so speech
 *    ends exactly at a frame boundary: the STT audio clock's speech end is the moment the
 *    last speech frame is sent.
 */
import { WebSocket } from 'ws';
import { encodeMulawSample, FRAME_BYTES, FRAME_MS, MULAW_SILENCE } from '../../../src/main/core/pipeline/audio';
import type { SimulatedCallCredentials } from '../../../src/main/core/telephony/call-registry';

/** The numbers every bench call is from and to (registered with them too). */
export const BENCH_FROM = '+15550100000';
export const BENCH_TO = '+15550199999';

export const TAG_BYTES = 11;
const TAG_HEAD = 0xf0 | 0xa;
const TAG_TAIL = 0xf0 | 0x5;

/** Writes the tag (call index < 4096, frame number < 2^24) into the first TAG_BYTES of `frame`. */
export function writeTag(frame: Buffer, callIndex: number, frameNo: number): void {
  frame[0] = TAG_HEAD;
  for (let i = 0; i < 3; i++) frame[1 + i] = 0xf0 | ((callIndex >> (4 * (2 - i))) & 0xf);
  for (let i = 0; i < 6; i++) frame[4 + i] = 0xf0 | ((frameNo >> (4 * (5 - i))) & 0xf);
  frame[10] = TAG_TAIL;
}

/** Reads a tag written by writeTag at `offset`, or null. */
export function readTag(bytes: Buffer, offset: number): { callIndex: number; frameNo: number } | null {
  if (bytes.length < offset + TAG_BYTES || bytes[offset] !== TAG_HEAD || bytes[offset + 10] !== TAG_TAIL) return null;
  let callIndex = 0;
  let frameNo = 0;
  for (let i = 0; i < 3; i++) callIndex = (callIndex << 4) | (bytes[offset + 1 + i]! & 0xf);
  for (let i = 0; i < 6; i++) frameNo = (frameNo << 4) | (bytes[offset + 4 + i]! & 0xf);
  return { callIndex, frameNo };
}

/** Speech stand-in: 220 Hz + 660 Hz at about -12 dBFS, as mu-law. */
export function speechBurst(ms: number): Buffer {
  const n = ms * 8;
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const t = i / 8000;
    out[i] = encodeMulawSample(Math.round(5000 * Math.sin(2 * Math.PI * 220 * t) + 3000 * Math.sin(2 * Math.PI * 660 * t)));
  }
  return out;
}

export interface BenchCallerOptions {
  bridgeUrl: string;
  /** The call's registration (Core.simulatedCall): the bridge admits no stream without it. */
  credentials: SimulatedCallCredentials;
  /** Identifies the call in frame tags (0..4095). */
  index: number;
  /** Caller lines to speak. */
  lines: number;
  /** Length of each line (rounded up to whole frames). */
  speechMs: number;
  /** Quiet after the AI's audio before the caller answers. */
  turnGapMs: number;
  /** Barge in: speak the next line this long after the AI's reply (not the greeting) starts playing. */
  bargeInAfterMs?: number | undefined;
  /** Speak anyway if the AI has not answered for this long. */
  replyTimeoutMs: number;
  /** Hard limit for the call. */
  maxDurationMs: number;
}

export interface CallerLine {
  /** performance.now() when the first / last speech frame was sent. */
  speechStartAt: number;
  speechEndAt: number;
  /** Spoken over the AI (barge-in). */
  bargeIn: boolean;
  /** performance.now() when the first app media frame arrived after this line ended. */
  firstAudioAt: number | null;
  /** The line was spoken because the AI never answered the one before. */
  afterTimeout: boolean;
}

export interface CallerResult {
  index: number;
  endedBy: 'caller' | 'app' | 'timeout' | 'error';
  lines: CallerLine[];
  /** performance.now() of each `clear` received. */
  clears: number[];
  framesSent: number;
  /** performance.now() each frame (1-based number) was sent; index 0 unused. */
  sentAt: number[];
  /** Ticks that ran late by more than one frame period (this process was busy). */
  lateTicks: number;
  bytesReceived: number;
  /** 20 ms ticks of silence in the middle of an AI reply (its audio reached us too late). */
  underrunTicks: number;
  protocolErrors: number;
  /** performance.now() when the stream started / ended. */
  startedAt: number;
  endedAt: number;
}

type PlaybackItem = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

export class BenchCaller {
  readonly callSid: string;
  readonly streamSid = `MZ${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;
  readonly result: CallerResult;
  readonly done: Promise<CallerResult>;
  private resolveDone!: (r: CallerResult) => void;
  private socket: WebSocket | null = null;
  private readonly speech: Buffer;
  private seq = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | null = null;
  private playback: PlaybackItem[] = [];
  private speaking: { offset: number } | null = null;
  private linesSpoken = 0;
  private lastPlayedTick = -1;
  private playingSinceTick = -1;
  private heardSinceLine = false;
  /** The current reply stopped playing at this tick, waiting to see if more comes (underrun). */
  private gapSinceTick: number | null = null;
  private lastLineEndTick = 0;
  private finished = false;

  constructor(private readonly o: BenchCallerOptions) {
    this.callSid = o.credentials.callSid;
    this.speech = speechBurst(Math.ceil(o.speechMs / FRAME_MS) * FRAME_MS);
    this.result = {
      index: o.index,
      endedBy: 'caller',
      lines: [],
      clears: [],
      framesSent: 0,
      sentAt: [0],
      lateTicks: 0,
      bytesReceived: 0,
      underrunTicks: 0,
      protocolErrors: 0,
      startedAt: 0,
      endedAt: 0,
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async start(): Promise<void> {
    const socket = new WebSocket(this.o.bridgeUrl, { perMessageDeflate: false });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('message', (data, isBinary) => this.onAppFrame(data as Buffer, isBinary));
    socket.on('close', () => this.finish('app'));
    socket.on('error', () => this.finish('error'));
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: 'AC00000000000000000000000000000000',
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: { from: BENCH_FROM, to: BENCH_TO, scenario: 'bench', ...this.o.credentials.customParameters },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.result.startedAt = performance.now();
    this.schedule();
  }

  hangUp(endedBy: CallerResult['endedBy'] = 'caller'): void {
    if (this.finished) return;
    this.send({
      event: 'stop',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      stop: { accountSid: 'AC00000000000000000000000000000000', callSid: this.callSid },
    });
    this.socket?.close(1000, 'caller hung up');
    this.finish(endedBy);
  }

  private schedule(): void {
    const due = this.result.startedAt + (this.tick + 1) * FRAME_MS;
    this.timer = setTimeout(() => {
      if (this.finished) return;
      if (performance.now() - due > FRAME_MS) this.result.lateTicks++;
      // Catch up in real time, as Twilio would keep sending.
      while (!this.finished && this.result.startedAt + (this.tick + 1) * FRAME_MS <= performance.now() + 1) this.onTick();
      if (!this.finished) this.schedule();
    }, Math.max(0, due - performance.now()));
  }

  private onTick(): void {
    this.tick++;
    this.sendFrame();
    this.playFrame();
    this.decide();
    if (this.tick * FRAME_MS >= this.o.maxDurationMs) this.hangUp('timeout');
  }

  private sendFrame(): void {
    const frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    let lastSpeechFrame = false;
    if (this.speaking) {
      this.speech.copy(frame, 0, this.speaking.offset, this.speaking.offset + FRAME_BYTES);
      this.speaking.offset += FRAME_BYTES;
      lastSpeechFrame = this.speaking.offset >= this.speech.length;
    }
    const frameNo = ++this.result.framesSent;
    writeTag(frame, this.o.index, frameNo);
    this.send({
      event: 'media',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(frameNo), timestamp: String(this.tick * FRAME_MS), payload: frame.toString('base64') },
    });
    const now = performance.now();
    this.result.sentAt.push(now);
    const line = this.result.lines.at(-1);
    if (this.speaking && this.speaking.offset === FRAME_BYTES && line) line.speechStartAt = now;
    if (lastSpeechFrame && line) {
      line.speechEndAt = now;
      this.speaking = null;
      this.lastLineEndTick = this.tick;
      this.heardSinceLine = false;
      this.gapSinceTick = null;
    }
  }

  private playFrame(): void {
    this.echoMarksAtHead();
    let remaining = FRAME_BYTES;
    let played = false;
    while (remaining > 0 && this.playback[0]?.kind === 'audio') {
      const head = this.playback[0];
      const take = Math.min(remaining, head.bytes.length);
      remaining -= take;
      played = true;
      if (take === head.bytes.length) this.playback.shift();
      else head.bytes = head.bytes.subarray(take);
      this.echoMarksAtHead();
    }
    if (played) {
      if (this.playingSinceTick < 0 || this.lastPlayedTick < this.tick - 1) this.playingSinceTick = this.tick;
      this.lastPlayedTick = this.tick;
      this.heardSinceLine = true;
    } else if (this.lastPlayedTick === this.tick - 1 && this.gapSinceTick === null) {
      this.gapSinceTick = this.tick;
    }
  }

  private echoMarksAtHead(): void {
    while (this.playback[0]?.kind === 'mark') {
      const mark = this.playback.shift() as { kind: 'mark'; name: string };
      this.send({ event: 'mark', sequenceNumber: String(++this.seq), streamSid: this.streamSid, mark: { name: mark.name } });
    }
  }

  private decide(): void {
    if (this.speaking) return;
    const aiPlaying = this.lastPlayedTick === this.tick;
    const quietMs = (this.tick - Math.max(this.lastPlayedTick, this.lastLineEndTick)) * FRAME_MS;
    if (this.linesSpoken >= this.o.lines) {
      if (this.heardSinceLine && !aiPlaying && this.playback.length === 0 && quietMs >= this.o.turnGapMs) this.hangUp();
      else if ((this.tick - this.lastLineEndTick) * FRAME_MS >= this.o.replyTimeoutMs) this.hangUp();
      return;
    }
    const bargeIn =
      this.o.bargeInAfterMs !== undefined &&
      this.linesSpoken > 0 &&
      this.heardSinceLine &&
      aiPlaying &&
      (this.tick - this.playingSinceTick) * FRAME_MS >= this.o.bargeInAfterMs;
    const answered = this.heardSinceLine && !aiPlaying && this.playback.length === 0 && quietMs >= this.o.turnGapMs;
    const timedOut = (this.tick - this.lastLineEndTick) * FRAME_MS >= this.o.replyTimeoutMs;
    if (!bargeIn && !answered && !timedOut) return;
    this.linesSpoken++;
    this.speaking = { offset: 0 };
    this.result.lines.push({ speechStartAt: 0, speechEndAt: 0, bargeIn, firstAudioAt: null, afterTimeout: timedOut && !answered && !bargeIn });
  }

  private onAppFrame(data: Buffer, isBinary: boolean): void {
    const now = performance.now();
    if (isBinary) {
      this.result.protocolErrors++;
      return;
    }
    let frame: { event?: string; streamSid?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      this.result.protocolErrors++;
      return;
    }
    if (frame.streamSid !== this.streamSid) {
      this.result.protocolErrors++;
      return;
    }
    if (frame.event === 'media' && typeof frame.media?.payload === 'string') {
      const bytes = Buffer.from(frame.media.payload, 'base64');
      this.result.bytesReceived += bytes.length;
      const line = this.result.lines.at(-1);
      if (line && !this.speaking && line.speechEndAt > 0 && line.firstAudioAt === null) line.firstAudioAt = now;
      // Audio for the reply that stopped playing: the gap was an underrun.
      if (this.gapSinceTick !== null && !this.speaking) this.result.underrunTicks += this.tick - this.gapSinceTick + 1;
      this.gapSinceTick = null;
      this.playback.push({ kind: 'audio', bytes });
    } else if (frame.event === 'mark' && typeof frame.mark?.name === 'string') {
      this.playback.push({ kind: 'mark', name: frame.mark.name });
    } else if (frame.event === 'clear') {
      this.result.clears.push(now);
      const marks = this.playback.filter((p) => p.kind === 'mark');
      this.playback = [];
      this.gapSinceTick = null;
      for (const m of marks) this.send({ event: 'mark', sequenceNumber: String(++this.seq), streamSid: this.streamSid, mark: { name: m.name } });
    } else {
      this.result.protocolErrors++;
    }
  }

  private send(frame: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private finish(endedBy: CallerResult['endedBy']): void {
    if (this.finished) return;
    this.finished = true;
    this.result.endedBy = endedBy;
    this.result.endedAt = performance.now();
    if (this.timer) clearTimeout(this.timer);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.close(1000);
    this.resolveDone(this.result);
  }
}
