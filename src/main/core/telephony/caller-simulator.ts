/**
 * A simulated phone caller that connects to the media bridge exactly as Twilio does:
 * `connected`, `start`, then a 20 ms mu-law frame every 20 ms (speech or silence), in
 * real time. It plays what the app sends at real-time speed, echoes each mark when the
 * audio queued before it has played (as Twilio does), honours `clear` (dropping queued
 * audio and returning pending marks), and records everything it hears.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { z } from 'zod';
import type { MulawAudio, TtsProvider } from '../providers/types';
import { FRAME_BYTES, FRAME_MS, MULAW_DECODE, MULAW_SILENCE } from '../pipeline/audio';
import type { CallerScenario } from './scenario';

const AppFrame = z.discriminatedUnion('event', [
  z.object({ event: z.literal('media'), streamSid: z.string(), media: z.object({ payload: z.string() }) }),
  z.object({ event: z.literal('mark'), streamSid: z.string(), mark: z.object({ name: z.string() }) }),
  z.object({ event: z.literal('clear'), streamSid: z.string() }),
]);

export interface CallerSimulatorOptions {
  bridgeUrl: string;
  scenario: CallerScenario;
  /** Synthesises the caller's lines (a flite voice the recogniser can hear). */
  voice: TtsProvider;
  /** From the registration (Core.simulatedCall, or a real call's TwiML in Twilio fakes). */
  callSid?: string;
  /** Sent in `start.customParameters` (the stream token among them). */
  customParameters?: Record<string, string>;
  /** `start.accountSid`; a real call's stream must name the console's Twilio account. */
  accountSid?: string;
  /** How long the AI's audio must have stopped before the caller takes its turn. */
  turnGapMs?: number;
  /** Speak the next line anyway if the AI has said nothing for this long. */
  replyTimeoutMs?: number;
  /** Hard limit for the whole call; the simulator hangs up when it is reached. */
  maxDurationMs?: number;
}

export interface HeardAudio {
  /** ms since the call started when this audio reached the caller's ear. */
  atMs: number;
  bytes: Buffer;
}

export interface SimulatorReport {
  callSid: string;
  streamSid: string;
  /** Why the call ended for the caller. */
  endedBy: 'caller' | 'app' | 'timeout';
  /** Caller lines actually spoken, with when they started and ended (ms since start). */
  /** `voiceMs` / `voiceEndMs`: the first and last frames loud enough to be voice (null: none was). */
  spoken: Array<{ text: string; startMs: number; endMs: number; voiceMs: number | null; voiceEndMs: number | null }>;
  /** Audio the app sent, by arrival time, and audio actually played to the caller. */
  received: HeardAudio[];
  played: HeardAudio[];
  marksEchoed: string[];
  /** Of those, the marks a `clear` returned unplayed (Twilio echoes them at once): their audio was not heard. */
  marksCleared: string[];
  clears: number[];
  /** Frames from the app that broke the protocol. */
  protocolErrors: string[];
}

/** What a simulated caller says in `start.accountSid` unless told otherwise (not checked for simulated calls). */
export const SIMULATED_ACCOUNT_SID = `AC${'0'.repeat(32)}`;

type PlaybackItem = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

/** A frame this loud (mean |sample|) is the caller's voice, for `spoken[].voiceMs` (what Deepgram's fake calls loud). */
const VOICE_LEVEL = 300;

function meanLevel(frame: Buffer): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += Math.abs(MULAW_DECODE[frame[i]!]!);
  return sum / frame.length;
}

export class CallerSimulator {
  readonly callSid: string;
  readonly streamSid: string;
  readonly done: Promise<SimulatorReport>;
  private readonly options: Required<Omit<CallerSimulatorOptions, 'callSid' | 'customParameters'>> &
    Pick<CallerSimulatorOptions, 'customParameters'>;
  private socket: WebSocket | null = null;
  private resolveDone!: (report: SimulatorReport) => void;
  private readonly reportData: SimulatorReport;
  private playback: PlaybackItem[] = [];
  private sequence = 0;
  private tick = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAtMs = 0;
  private turnAudio: MulawAudio[] = [];
  private nextTurn = 0;
  /** The line being sent; `voiceMs`: when its first frame loud enough to be voice went out (lines start with a lead-in). */
  private speaking: { audio: Buffer; offset: number; text: string; startMs: number; voiceMs: number | null; voiceEndMs: number | null } | null = null;
  /** Tick when the app's audio last played / first started playing in the current stretch. */
  private lastPlayedTick = -1;
  private playingSinceTick = -1;
  private heardSinceLastTurn = false;
  private lastTurnEndTick = 0;
  private finished = false;
  /** Lines asked for with `say()`, spoken in order after the current one. */
  private readonly offScript: Array<{ audio: Buffer; text: string }> = [];

  constructor(options: CallerSimulatorOptions) {
    this.callSid = options.callSid ?? `CA${randomBytes(16).toString('hex')}`;
    this.streamSid = `MZ${randomBytes(16).toString('hex')}`;
    this.options = {
      turnGapMs: 700,
      replyTimeoutMs: 15_000,
      maxDurationMs: 5 * 60_000,
      accountSid: SIMULATED_ACCOUNT_SID,
      ...options,
    };
    this.reportData = {
      callSid: this.callSid,
      streamSid: this.streamSid,
      endedBy: 'caller',
      spoken: [],
      received: [],
      played: [],
      marksEchoed: [],
      marksCleared: [],
      clears: [],
      protocolErrors: [],
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Caller lines spoken so far. */
  get spoken(): ReadonlyArray<SimulatorReport['spoken'][number]> {
    return this.reportData.spoken;
  }

  /** What the caller has heard and seen so far (the final report once `done` resolves). */
  get report(): Readonly<SimulatorReport> {
    return this.reportData;
  }

  /** Synthesises the scenario, dials in, and starts streaming. Resolves once connected. */
  async start(): Promise<void> {
    const signal = AbortSignal.timeout(30_000);
    for (const turn of this.options.scenario.turns) {
      const parts: Buffer[] = [];
      for await (const chunk of this.options.voice.synthesize(turn.say, signal)) parts.push(chunk.bytes);
      this.turnAudio.push({ encoding: 'mulaw', sampleRateHz: 8000, bytes: Buffer.concat(parts) });
    }
    const socket = new WebSocket(this.options.bridgeUrl);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('message', (data, isBinary) => this.onAppFrame(data.toString(), isBinary));
    socket.on('close', () => this.finish('app'));
    socket.on('error', () => this.finish('app'));

    const { scenario } = this.options;
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: String(++this.sequence),
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: this.options.accountSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: { from: scenario.from, to: scenario.to, scenario: scenario.id, ...this.options.customParameters },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.startedAtMs = performance.now();
    this.schedule();
  }

  /**
   * The caller says `text` off the script, as soon as they are not already speaking (tests
   * and demos that drive the caller step by step). Resolves once it is queued.
   */
  async say(text: string): Promise<void> {
    const parts: Buffer[] = [];
    for await (const chunk of this.options.voice.synthesize(text, AbortSignal.timeout(30_000))) parts.push(chunk.bytes);
    this.offScript.push({ audio: Buffer.concat(parts), text });
  }

  /** The caller makes a sound that is not words (a cough, a door): `audio` is 8 kHz mu-law, spoken like a line. */
  makeSound(audio: Buffer, label = '(sound)'): void {
    this.offScript.push({ audio, text: label });
  }

  /** The caller presses keys: Twilio sends one `dtmf` message per key, on the inbound track. */
  pressKeys(keys: string): void {
    for (const digit of keys) {
      this.send({ event: 'dtmf', sequenceNumber: String(++this.sequence), streamSid: this.streamSid, dtmf: { track: 'inbound_track', digit } });
    }
  }

  /** The caller hangs up: Twilio sends `stop` and closes the stream. */
  hangUp(endedBy: SimulatorReport['endedBy'] = 'caller'): void {
    if (this.finished) return;
    this.send({
      event: 'stop',
      sequenceNumber: String(++this.sequence),
      streamSid: this.streamSid,
      stop: { accountSid: this.options.accountSid, callSid: this.callSid },
    });
    this.socket?.close(1000, 'caller hung up');
    this.finish(endedBy);
  }

  private get nowMs(): number {
    return this.tick * FRAME_MS;
  }

  /** Drift-free 20 ms clock: each tick is scheduled against the start time, not the last tick. */
  private schedule(): void {
    const due = this.startedAtMs + (this.tick + 1) * FRAME_MS;
    this.timer = setTimeout(() => {
      if (this.finished) return;
      // Catch up if the event loop stalled, as Twilio would keep sending in real time.
      while (!this.finished && this.startedAtMs + (this.tick + 1) * FRAME_MS <= performance.now() + 1) this.onTick();
      if (!this.finished) this.schedule();
    }, Math.max(0, due - performance.now()));
  }

  private onTick(): void {
    this.tick++;
    this.sendCallerFrame();
    this.playOneFrame();
    this.decideTurn();
    if (this.nowMs >= this.options.maxDurationMs) this.hangUp('timeout');
  }

  private sendCallerFrame(): void {
    let frame: Buffer;
    if (this.speaking) {
      const { audio, offset } = this.speaking;
      frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
      audio.copy(frame, 0, offset, Math.min(offset + FRAME_BYTES, audio.length));
      this.speaking.offset += FRAME_BYTES;
      if (meanLevel(frame) >= VOICE_LEVEL) {
        this.speaking.voiceMs ??= this.nowMs;
        this.speaking.voiceEndMs = this.nowMs + FRAME_MS;
      }
      if (this.speaking.offset >= audio.length) {
        this.reportData.spoken.push({ text: this.speaking.text, startMs: this.speaking.startMs, endMs: this.nowMs, voiceMs: this.speaking.voiceMs, voiceEndMs: this.speaking.voiceEndMs });
        this.speaking = null;
        this.lastTurnEndTick = this.tick;
        this.heardSinceLastTurn = false;
      }
    } else {
      frame = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
    }
    this.send({
      event: 'media',
      sequenceNumber: String(++this.sequence),
      streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(this.tick), timestamp: String(this.nowMs), payload: frame.toString('base64') },
    });
  }

  /** Plays up to one frame of queued app audio, echoing marks as the playhead passes them. */
  private playOneFrame(): void {
    this.echoMarksAtHead();
    let remaining = FRAME_BYTES;
    const played: Buffer[] = [];
    while (remaining > 0 && this.playback[0]?.kind === 'audio') {
      const head = this.playback[0];
      const take = head.bytes.subarray(0, remaining);
      played.push(take);
      remaining -= take.length;
      if (take.length === head.bytes.length) this.playback.shift();
      else head.bytes = head.bytes.subarray(take.length);
      this.echoMarksAtHead();
    }
    if (played.length > 0) {
      this.reportData.played.push({ atMs: this.nowMs, bytes: Buffer.concat(played) });
      if (this.playingSinceTick < 0 || this.lastPlayedTick < this.tick - 1) this.playingSinceTick = this.tick;
      this.lastPlayedTick = this.tick;
      this.heardSinceLastTurn = true;
    }
  }

  private echoMarksAtHead(): void {
    while (this.playback[0]?.kind === 'mark') {
      const mark = this.playback.shift() as { kind: 'mark'; name: string };
      this.echoMark(mark.name);
    }
  }

  private echoMark(name: string): void {
    this.reportData.marksEchoed.push(name);
    this.send({ event: 'mark', sequenceNumber: String(++this.sequence), streamSid: this.streamSid, mark: { name } });
  }

  private decideTurn(): void {
    if (this.speaking) return;
    const asked = this.offScript.shift();
    if (asked) {
      this.speaking = { audio: asked.audio, offset: 0, text: asked.text, startMs: this.nowMs, voiceMs: null, voiceEndMs: null };
      return;
    }
    const { scenario, turnGapMs, replyTimeoutMs } = this.options;
    const turn = scenario.turns[this.nextTurn];
    const aiPlaying = this.lastPlayedTick === this.tick;
    const quietForMs = (this.tick - Math.max(this.lastPlayedTick, this.lastTurnEndTick)) * FRAME_MS;
    if (!turn) {
      // Script done: once the AI has answered the last line, hang up or wait for the app.
      if (scenario.afterLastTurn === 'hang-up' && this.heardSinceLastTurn && !aiPlaying && quietForMs >= turnGapMs * 2) {
        this.hangUp();
      }
      return;
    }
    const bargeIn =
      turn.bargeInAfterMs !== undefined &&
      aiPlaying &&
      (this.tick - this.playingSinceTick) * FRAME_MS >= turn.bargeInAfterMs;
    const answered = this.heardSinceLastTurn && !aiPlaying && quietForMs >= turnGapMs + turn.pauseMs;
    // A caller who gave up waiting speaks after this much quiet; one who hears the AI start
    // talking at last listens to it first (measured from its own line alone, a slow reply was
    // talked over and cut off whenever it happened to start near the deadline).
    const timedOut = !aiPlaying && quietForMs >= replyTimeoutMs;
    if (bargeIn || answered || timedOut) {
      const audio = this.turnAudio[this.nextTurn]!;
      this.speaking = { audio: audio.bytes, offset: 0, text: turn.say, startMs: this.nowMs, voiceMs: null, voiceEndMs: null };
      this.nextTurn++;
    }
  }

  private onAppFrame(text: string, isBinary: boolean): void {
    if (isBinary) {
      this.reportData.protocolErrors.push('binary frame from app');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.reportData.protocolErrors.push('non-JSON frame from app');
      return;
    }
    const parsed = AppFrame.safeParse(json);
    if (!parsed.success) {
      this.reportData.protocolErrors.push(`invalid frame from app: ${parsed.error.issues[0]?.message}`);
      return;
    }
    const frame = parsed.data;
    if (frame.streamSid !== this.streamSid) {
      this.reportData.protocolErrors.push('frame for another stream');
      return;
    }
    if (frame.event === 'media') {
      const bytes = Buffer.from(frame.media.payload, 'base64');
      this.reportData.received.push({ atMs: this.nowMs, bytes });
      this.playback.push({ kind: 'audio', bytes });
    } else if (frame.event === 'mark') {
      this.playback.push({ kind: 'mark', name: frame.mark.name });
    } else {
      this.reportData.clears.push(this.nowMs);
      const pendingMarks = this.playback.filter((item) => item.kind === 'mark');
      this.playback = [];
      for (const mark of pendingMarks) {
        this.reportData.marksCleared.push(mark.name);
        this.echoMark(mark.name);
      }
    }
  }

  private send(frame: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private finish(endedBy: SimulatorReport['endedBy']): void {
    if (this.finished) return;
    this.finished = true;
    this.reportData.endedBy = endedBy;
    if (this.timer) clearTimeout(this.timer);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    this.resolveDone(this.reportData);
  }
}
