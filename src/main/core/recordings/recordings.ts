/**
 * Call recordings (issue 7), as one piece the core wires in:
 *
 *  - the policy: a call is recorded when Settings say so for its kind (demo calls by default,
 *    real calls once the team turns it on). It is decided once per call, when the AI's
 *    persona is built, so the greeting's "this call is recorded" and the recording agree;
 *  - the line: each recorded call's media stream(s) into one stereo WAV on the call's clock
 *    (LineRecorder), finished when the call ends, repaired at the next start after a crash;
 *  - the agent's leg: Twilio records it (<Dial record>, see twilio-call-control.ts) and calls
 *    back when done; the media is fetched with the account's credentials and attached;
 *  - serving: `recordings/<callId>/<recordingId>` routes to the file, for Core.file.
 *
 * Files live in <dataDir>/recordings (0700), each 0600, named by call and recording id. The
 * recordings table says which call a file belongs to and where it starts on the call's
 * clock. Nothing here may break a call: every failure is logged (never with audio, numbers
 * or credentials) and, where the agent should know, put on the call's timeline as an error.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { AnyEvent } from '@shared/contract';
import type { CallEvent, PublicSettings } from '@shared/domain';
import type { Recording } from '@shared/history';
import type { Database } from 'better-sqlite3';
import type { TapSource } from '../calls/line-playout';
import type { CoreFile } from '../core-types';
import type { Logger } from '../log';
import type { AdmittedCall } from '../telephony/call-registry';
import type { TwilioRecordingEvent } from '../telephony/twilio-webhooks';
import { CALLER_CHANNEL, LINE_CHANNEL, LineRecorder } from './line-recorder';
import { toneWavFile } from './redaction-tone';
import type { RedactedAudio } from '../calls/redacted-audio';
import { repairWav, WavFormatError } from './repair';
import { createRecordingStore, type RecordingRow, type RecordingStore } from './recording-store';
import { fetchRecording, RecordingFetchError, recordingMediaUrl, type MediaCredentials } from './twilio-media';
import { LINE_FORMAT } from './wav';
import { WavWriter } from './wav-writer';

export const RECORDINGS_DIR = 'recordings';
export const RECORDINGS_ROUTE = 'recordings';
const CONTENT_TYPE = 'audio/wav';
/** Ids in routes and file names are ours (randomUUID); nothing else is accepted. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Bounds on per-call bookkeeping so a flood of calls cannot grow memory without limit. */
const MAX_TRACKED = 10_000;
const MAX_PENDING_LEGS = 50;

/** What the recorder needs of a live call (a CallSession). */
export interface RecordedSession {
  readonly id: string;
  /** ms since the call started: the clock of its transcript and timeline. */
  readonly clockMs: number;
  /** Null on a ConversationRelay call: no audio reaches the console, so nothing is recorded here. */
  readonly mediaStream: TapSource | null;
}

export interface RecordingsOptions {
  dataDir: string;
  db: Database;
  settings(): Pick<PublicSettings, 'recordDemoCalls' | 'recordRealCalls'>;
  /** Credentials to fetch Twilio recording media, null while Twilio is not configured. */
  twilioMedia(): MediaCredentials | null;
  /** Stores an event on a call's timeline (the store's appendEvent). */
  appendEvent(event: CallEvent): void;
  emit(event: AnyEvent): void;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  flushIntervalMs?: number;
  /** Waits between attempts to fetch a Twilio recording (Twilio may still be processing it). */
  fetchRetryDelaysMs?: readonly number[];
  fetchTimeoutMs?: number;
  maxFetchBytes?: number;
}

interface LiveLine {
  row: RecordingRow;
  recorder: LineRecorder;
}

interface TrackedCall {
  callSid: string;
  recorded: boolean;
  simulated: boolean;
  line: LiveLine | null;
}

export class CallRecordings {
  readonly dir: string;
  private readonly store: RecordingStore;
  private readonly log: Logger;
  /** Per call sid: whether the call is recorded (decided once, when its persona is built). */
  private readonly decisions = new Map<string, boolean>();
  /** Live calls by id. */
  private readonly calls = new Map<string, TrackedCall>();
  /** Per call id: where agent legs began on its clock (take-over, resume), not yet matched to a recording. */
  private readonly legs = new Map<string, number[]>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly fetching = new Set<string>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly o: RecordingsOptions) {
    this.dir = resolve(o.dataDir, RECORDINGS_DIR);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Recordings are personal data: this user only, even if the folder was made by hand.
    chmodSync(this.dir, 0o700);
    this.store = createRecordingStore(o.db);
    this.log = o.logger.child({ component: 'recordings' });
    this.repair();
  }

  // ------------------------------------------------------------------ policy

  /**
   * Whether this call is recorded. The first answer for a call sticks (its greeting was built
   * on it), so a settings change mid-call never records a caller who was not told.
   */
  decide(call: AdmittedCall | null): boolean {
    if (!call) return false;
    const known = this.decisions.get(call.callSid);
    if (known !== undefined) return known;
    const settings = this.o.settings();
    const recorded = call.simulated ? settings.recordDemoCalls : settings.recordRealCalls;
    bounded(this.decisions).set(call.callSid, recorded);
    return recorded;
  }

  /** Whether Twilio should record this call's agent leg (a real call that is recorded). */
  recordsAgentLeg(call: AdmittedCall): boolean {
    return !call.simulated && this.decide(call);
  }

  // ------------------------------------------------------------------ the line

  /** A media stream became (or rejoined) a call: record it when the call is recorded. Never throws. */
  onStream(session: RecordedSession, call: AdmittedCall): void {
    try {
      let tracked = this.calls.get(session.id);
      if (!tracked) {
        tracked = { callSid: call.callSid, recorded: this.decide(call), simulated: call.simulated, line: null };
        // Not bounded: an entry lives exactly as long as its call (removed when it ends).
        this.calls.set(session.id, tracked);
      }
      if (!tracked.recorded || this.closed || !session.mediaStream) return;
      tracked.line ??= this.startLine(session);
      // A hand-back's new stream continues the same file, on the same clock.
      tracked.line?.recorder.attach(session.mediaStream);
    } catch (error) {
      // The call goes on unrecorded; the agent sees why on its timeline.
      this.log.error({ err: error, callId: session.id }, 'could not start recording the call');
      this.timelineError(session.id, session.clockMs, `The call could not be recorded: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  private startLine(session: RecordedSession): LiveLine | null {
    const id = randomUUID();
    const row: RecordingRow = {
      id,
      callId: session.id,
      kind: 'line',
      fileName: `${session.id}.${id}.wav`,
      contentType: CONTENT_TYPE,
      channels: LINE_FORMAT.channels,
      sampleRateHz: LINE_FORMAT.sampleRateHz,
      // File time 0 is the call's time 0 (LineRecorder pads up to the first frame).
      startMs: 0,
      durationMs: null,
      sourceSid: null,
      createdAt: Date.now(),
    };
    // The row goes first: a file without a row could never be found, a row whose file is
    // missing is tidied up at the next start.
    this.store.insert(row);
    let writer: WavWriter;
    try {
      writer = WavWriter.create(join(this.dir, row.fileName), LINE_FORMAT, {
        flushIntervalMs: this.o.flushIntervalMs,
        onError: (error) => {
          this.log.error({ err: error, callId: session.id, recordingId: id }, 'recording stopped: the file could not be written');
          this.timelineError(session.id, session.clockMs, `The call recording stopped: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
        },
      });
    } catch (error) {
      this.store.remove(id);
      throw error;
    }
    this.log.info({ callId: session.id, recordingId: id }, 'recording the line');
    return { row, recorder: new LineRecorder({ writer, clockMs: () => session.clockMs }) };
  }

  /** Core events: a call's end finishes its file; take-overs mark where agent legs begin. */
  onEvent(event: AnyEvent): void {
    if (event.name === 'call.updated' && event.payload.status === 'ended') {
      const tracked = this.calls.get(event.payload.id);
      if (!tracked) return;
      this.calls.delete(event.payload.id);
      this.decisions.delete(tracked.callSid);
      if (tracked.line) this.track(this.finishLine(tracked.line));
      return;
    }
    if (event.name !== 'call.event') return;
    const { callId, type, atMs, data } = event.payload;
    const tracked = this.calls.get(callId);
    if (!tracked?.recorded || tracked.simulated) return;
    if ((type === 'takeover' && data.via === 'softphone') || (type === 'hold' && data.on === false)) {
      let legs = this.legs.get(callId);
      if (!legs) bounded(this.legs).set(callId, (legs = []));
      if (legs.length < MAX_PENDING_LEGS) legs.push(atMs);
    }
  }

  /**
   * A redacted span of a live call (issue 10): its audio on the speaker's channel of the line
   * recording becomes the redaction tone. Calls not recorded have nothing to do. Never throws
   * (a failed patch is logged, the call goes on); resolves when the written part is on disk.
   */
  async toneRedacted(callId: string, span: RedactedAudio): Promise<void> {
    const line = this.calls.get(callId)?.line;
    if (!line) return;
    try {
      await line.recorder.toneSpan(span.speaker === 'caller' ? CALLER_CHANNEL : LINE_CHANNEL, span.startMs, span.endMs);
    } catch (error) {
      this.log.error({ err: error, callId, recordingId: line.row.id }, 'could not tone a redacted span of the recording');
    }
  }

  private async finishLine(line: LiveLine): Promise<void> {
    const result = await line.recorder.finish();
    try {
      // Only now, with the file closed and its header final, does the recording get a length.
      this.store.setDuration(line.row.id, result.durationMs);
    } catch (error) {
      // The next start repairs it (duration still NULL).
      this.log.error({ err: error, recordingId: line.row.id }, 'could not store the recording length');
    }
    this.log.info({ callId: line.row.callId, recordingId: line.row.id, durationMs: result.durationMs }, 'recording finished');
  }

  // ------------------------------------------------------------------ the agent's leg (Twilio)

  /** A verified recording status callback. Returns at once; the media is fetched in the background. */
  onTwilioRecording(event: TwilioRecordingEvent): void {
    if (this.closed) return;
    const call = this.store.callBySid(event.callSid);
    if (!call) {
      this.log.warn({ callSid: event.callSid, recordingSid: event.recordingSid }, 'recording callback for a call this console does not have');
      return;
    }
    if (event.status === 'absent' || event.status === 'failed') {
      this.legs.get(call.id)?.shift();
      this.log.warn({ callId: call.id, recordingSid: event.recordingSid, status: event.status, errorCode: event.errorCode }, 'Twilio has no recording of the agent leg');
      return;
    }
    if (event.status !== 'completed') return;
    // Twilio retries a callback it thinks failed: attach each recording once.
    if (this.fetching.has(event.recordingSid) || this.store.bySourceSid(event.recordingSid)) return;
    const startMs = this.agentLegStart(call.id, call.startedAt, event.startedAt);
    this.fetching.add(event.recordingSid);
    this.track(
      this.attachAgentLeg(call, event, startMs).finally(() => this.fetching.delete(event.recordingSid)),
    );
  }

  /**
   * Where the leg starts on the call's clock. The take-over (or resume) that dialled the
   * softphone is known to the ms; Twilio starts recording when the softphone answers, a
   * moment later, and its RecordingStartTime (whole seconds) moves the start up to that when
   * it is later. Without a live record of the take-over (the core restarted), the stored
   * timeline's take-overs are used.
   */
  private agentLegStart(callId: string, callStartedAt: number, recordingStartedAt: number | null): number {
    const estimate = recordingStartedAt === null ? null : recordingStartedAt - callStartedAt;
    let start = this.legs.get(callId)?.shift();
    if (this.legs.get(callId)?.length === 0) this.legs.delete(callId);
    if (start === undefined) {
      const used = new Set(this.store.listForCall(callId).filter((r) => r.kind === 'agent').map((r) => r.startMs));
      const candidates = this.store.agentLegStarts(callId).filter((s) => !used.has(s) && (estimate === null || s <= estimate + 1000));
      start = candidates.at(-1) ?? estimate ?? 0;
    }
    if (estimate !== null && estimate > start && estimate - start < 60_000) start = estimate;
    return Math.max(0, Math.round(start));
  }

  private async attachAgentLeg(call: { id: string; startedAt: number }, event: TwilioRecordingEvent, startMs: number): Promise<void> {
    const id = randomUUID();
    const fileName = `${call.id}.${id}.wav`;
    const delays = this.o.fetchRetryDelaysMs ?? [2000, 10_000, 30_000];
    for (let attempt = 0; ; attempt++) {
      try {
        const credentials = this.o.twilioMedia();
        if (!credentials) throw new RecordingFetchError('Twilio is not configured (account SID and auth token)', false);
        const url = recordingMediaUrl(event.recordingUrl, credentials.accountSid, this.o.env);
        const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.fetchTimeoutMs ?? 5 * 60_000)]);
        const wav = await fetchRecording({ url, credentials, path: join(this.dir, fileName), signal, maxBytes: this.o.maxFetchBytes ?? 512 * 1024 * 1024 });
        this.store.insert({
          id,
          callId: call.id,
          kind: 'agent',
          fileName,
          contentType: CONTENT_TYPE,
          channels: wav.format.channels,
          sampleRateHz: wav.format.sampleRateHz,
          startMs,
          durationMs: wav.durationMs,
          sourceSid: event.recordingSid,
          createdAt: Date.now(),
        });
        this.log.info({ callId: call.id, recordingId: id, recordingSid: event.recordingSid, durationMs: wav.durationMs }, 'agent leg recording attached');
        return;
      } catch (error) {
        const retryable = error instanceof RecordingFetchError ? error.retryable : false;
        const delay = delays[attempt];
        if (retryable && delay !== undefined && !this.abort.signal.aborted) {
          this.log.warn({ callId: call.id, recordingSid: event.recordingSid, attempt: attempt + 1, reason: (error as Error).message }, 'recording fetch failed; trying again');
          await sleep(delay, this.abort.signal);
          continue;
        }
        if (this.abort.signal.aborted) return;
        rmSync(join(this.dir, fileName), { force: true });
        this.log.error({ callId: call.id, recordingSid: event.recordingSid, reason: (error as Error).message }, 'could not fetch the agent leg recording');
        this.timelineError(call.id, Date.now() - call.startedAt, `The recording of your softphone call could not be fetched from Twilio: ${(error as Error).message}`);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ reading

  /**
   * A call's recordings for calls.get, by start on its clock; files that are gone are left
   * out. durationMs is null while a line is still being written (the call is live, or its
   * file is being closed, a few ms after the call ends): a length means the file is final.
   */
  list(callId: string): Recording[] {
    return this.store
      .listForCall(callId)
      .filter((row) => existsSync(join(this.dir, row.fileName)))
      .map((row) => ({
        id: row.id,
        kind: row.kind,
        route: `${RECORDINGS_ROUTE}/${row.callId}/${row.id}`,
        startMs: row.startMs,
        durationMs: row.durationMs,
        channels: row.channels,
        contentType: row.contentType,
      }));
  }

  /**
   * `<callId>/<recordingId>` (the part of the route after `recordings/`) to its file, or null.
   * Only ids we issue are accepted, the recording must belong to that call, and the path
   * must resolve inside the recordings folder.
   */
  file(rest: string): CoreFile | null {
    const parts = rest.split('/');
    if (parts.length !== 2) return null;
    const [callId, recordingId] = parts as [string, string];
    if (!UUID.test(callId) || !UUID.test(recordingId)) return null;
    const row = this.store.get(recordingId);
    if (!row || row.callId !== callId) return null;
    const path = resolve(this.dir, row.fileName);
    if (!path.startsWith(this.dir + sep) || path.slice(this.dir.length + 1) !== row.fileName) return null;
    return existsSync(path) ? { path, contentType: row.contentType } : null;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Finishes every recording in progress and stops fetches. Call before closing the database. */
  async close(): Promise<void> {
    this.closed = true;
    for (const tracked of this.calls.values()) if (tracked.line) this.track(this.finishLine(tracked.line));
    this.calls.clear();
    this.abort.abort();
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /**
   * At start: line recordings a crash left unfinished get their header fixed and their length
   * stored (playable up to the crash); rows whose file is gone are dropped; half-downloaded
   * Twilio media (`.part`) is removed.
   */
  private repair(): void {
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.part')) rmSync(join(this.dir, name), { force: true });
    }
    for (const row of this.store.listUnfinished()) {
      const path = join(this.dir, row.fileName);
      try {
        if (!existsSync(path)) {
          this.store.remove(row.id);
          this.log.warn({ recordingId: row.id, callId: row.callId }, 'recording without its file: dropped');
          continue;
        }
        const fixed = repairWav(path, LINE_FORMAT);
        // The crash may have come before a redacted line's audio was toned (issue 10): tone
        // every line the store marks as redacted, whole (word times are not kept). Toning
        // again what was toned already changes nothing.
        const redacted = this.store.redactedLines(row.callId).map((line) => ({
          channel: line.speaker === 'caller' ? CALLER_CHANNEL : LINE_CHANNEL,
          fromFrame: ((line.startMs - row.startMs) * row.sampleRateHz) / 1000,
          toFrame: ((line.endMs - row.startMs) * row.sampleRateHz) / 1000,
        }));
        toneWavFile(path, redacted);
        this.store.setDuration(row.id, fixed.durationMs);
        this.log.warn({ recordingId: row.id, callId: row.callId, durationMs: fixed.durationMs, headerFixed: fixed.changed, redactedLines: redacted.length }, 'recording left unfinished by a crash: repaired');
      } catch (error) {
        if (!(error instanceof WavFormatError)) throw error;
        // Not something we can play: keep the file for a human to look at, drop the row.
        this.store.remove(row.id);
        this.log.error({ recordingId: row.id, callId: row.callId, file: row.fileName, reason: error.message }, 'recording file is damaged beyond repair');
      }
    }
  }

  private timelineError(callId: string, atMs: number, message: string): void {
    const event: CallEvent = { id: randomUUID(), callId, type: 'error', atMs: Math.max(0, Math.round(atMs)), data: { stage: 'recording', message } };
    try {
      this.o.appendEvent(event);
    } catch (error) {
      this.log.error({ err: error, callId }, 'could not store the recording error');
    }
    this.o.emit({ name: 'call.event', payload: event });
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => this.log.error({ err: error }, 'recording work failed'));
    this.work.add(tracked);
    void tracked.finally(() => this.work.delete(tracked));
  }
}

function bounded<K, V>(map: Map<K, V>): Map<K, V> {
  if (map.size >= MAX_TRACKED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  return map;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(resolvePromise, ms);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolvePromise();
    }, { once: true });
  });
}
