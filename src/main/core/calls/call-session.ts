/**
 * One live call: the state machine between the caller's media stream, the speech
 * pipeline (STT -> LLM -> TTS), the agent's controls and the store. Every bit of
 * per-call state lives here.
 *
 *   caller audio -> STT -> final line -> assist (sentiment, suggestion)
 *                                     -> AI turn: LLM clauses -> TTS -> media + mark
 *   caller speech while the AI is audible -> barge-in: abort turn, `clear`, keep heard text
 *   take over -> abort turn, `clear`, AI detached; agent lines are spoken by TTS
 */
import { randomUUID } from 'node:crypto';
import type { AnyEvent } from '@shared/contract';
import type { AiActivity, AlertRaised, CallEvent, CallEventType, CallSummary, Suggestion, Utterance, WhisperHandling } from '@shared/domain';
import type { Logger } from '../log';
import { withLlmFallback, withSttFallback, type SttFallbackNotice } from '../providers/fallback';
import type { EngineLeftOut } from '../providers/provider-service';
import type { ChatMessage, LlmChunk, LlmProvider, LlmRequest, Providers, SttEvent, SttProvider, SttStream, TtsProvider } from '../providers/types';
import type { EventEmitter } from 'node:events';
import { STREAM_PARAM } from '../telephony/call-registry';
import type { MediaStream, MediaStreamEvents } from '../telephony/media-bridge';
import type { RelayStream, RelayStreamEvents } from '../telephony/relay/relay-stream';
import { ClauseSplitter, isBackchannel, substantiveWordCount } from '../pipeline/clauses';
import { CallStateMachine, controllerOf, offOurStream, type CallState } from './call-state';
import { KeypadCollector, keypadHistoryText, type KeypadAsked, type KeypadEntry } from './keypad';
import { handBackLine, PAUSE_HOLD_LINE, sayableWhisper } from './steering';
import { TakeoverWait } from './waiting';
import { OpenAlerts } from './open-alerts';
import { SpokenTurn } from './spoken-turn';
import { TurnTimer } from './turn-timer';
import { TurnYield, type FalseAlarm, type OnsetSource } from './turn-yield';
import { mulawAudio } from '../pipeline/audio';
import type { FvadModule } from '../pipeline/voice-onset';
import { CallerInsight } from './caller-insight';
import type { CallAssist, CallControl, CallRecorder } from './ports';
import type { Persona } from '../persona';
import { DEFAULT_SETTINGS } from '../config/settings';
import { maskDtmf, redact, type RedactedSpan, type Redaction } from '../privacy/redaction';
import { callPrivacy, type CallPrivacy } from './privacy';
import { redactedAudioSpans, type RedactedAudio, type TimedWord } from './redacted-audio';

/** Why listen-in (and local recording) is not offered on a ConversationRelay call. */
export const RELAY_NO_AUDIO =
  "Listening in isn't available on this call: it uses Twilio ConversationRelay, so Twilio does the speech and no audio reaches Switchboard. The transcript shows everything said.";

/** How the caller reaches the core: a Media Stream (audio) or a ConversationRelay session (text). */
export type CallLine = MediaStream | RelayStream;

export interface CallSessionOptions {
  /** The caller's line: a Media Stream (audio), or a ConversationRelay session (text). */
  stream: CallLine;
  providers: Providers;
  assist: CallAssist;
  recorder: CallRecorder;
  emit(event: AnyEvent): void;
  logger: Logger;
  /** Persona and business rules for the AI. */
  systemPrompt: string;
  /** The AI's first words: it says it is an automated assistant. */
  greeting: string;
  /** Offline engines that stand in when a cloud LLM, TTS or STT fails mid-call. */
  fallback?: { llm: LlmProvider; tts: TtsProvider; stt?: SttProvider };
  /** Cloud engines chosen but left off this call (their key failed its last check): shown on the call at start. */
  leftOut?: readonly EngineLeftOut[];
  /** Caller silence (ms) before the AI gently re-prompts; twice, and it says goodbye. */
  silenceRepromptMs?: number;
  direction?: CallSummary['direction'];
  /** Overrides the numbers the stream carries (a real call's, from its webhook). */
  numbers?: { from: string; to: string };
  /** The phone line, for real calls: take-over goes to the agent's softphone. */
  control?: CallControl | null;
  /** The agent's softphone identity (who a real call is put through to). */
  agentIdentity?: string;
  /** Pause and waiting-for-a-person behaviour (Settings); defaults when absent. */
  steering?: Persona['steering'];
  /** Turn-taking (Settings): how the caller's voice pauses the AI; defaults when absent. */
  bargeIn?: Persona['bargeIn'];
  /** The voice activity detector's module (loaded once per core); without it, only the recogniser's speech-started pauses the AI. */
  vad?: FvadModule;
  /** What is redacted and where originals may go (Settings → Privacy); the defaults when absent. */
  privacy?: CallPrivacy;
  /** A redacted span's audio, for the call recording to replace with a tone (issue 10). */
  onRedactedAudio?(callId: string, span: RedactedAudio): void;
  /** The AI profile (and version) the call runs with, recorded on the call (issue 15). */
  profile?: CallSummary['profile'];
  /** The campaign that placed the call (issue 15). */
  campaignId?: string | null;
  /** The tools the AI may use on this call (its profile's); all the engine declares when absent. */
  tools?: readonly string[];
  /** Answers the model's lookup_knowledge from the call's own knowledge base. */
  lookupKnowledge?: LlmRequest['lookupKnowledge'];
}

/** A caller's final line, kept as the context of their next (see CallSession.redactCallerWords). */
interface CallerLineContext {
  line: SaidLine;
  words: TimedWord[] | undefined;
  /** The line in the AI's history (null when it did not go there, e.g. a backchannel). */
  message: ChatMessage | null;
}

/** A line as created on the call: redacted for everyone, with the words as said beside it. */
interface SaidLine {
  /** What the store, the console and everything downstream get: the redacted line. */
  line: Utterance;
  /** The words as said (TTS speaks these; they go nowhere else unless the policy allows). */
  said: string;
  redaction: Redaction;
}

/** Event data keys that are identifiers or codes, never words: left as they are. */
const EVENT_ID_KEY = /(?:^id|Id|Sid)$/;

const DEFAULT_STEERING: Persona['steering'] = { pauseHoldLineMs: 8000, waitCompanyMs: 20000, waitOfferMs: 60000 };
const DEFAULT_BARGE_IN: Persona['bargeIn'] = { vadMode: DEFAULT_SETTINGS.bargeInVadMode as 1, minVoicedMs: DEFAULT_SETTINGS.bargeInMinVoicedMs, resumeWindowMs: DEFAULT_SETTINGS.bargeInResumeWindowMs };
/** How soon the paused AI's "one moment" tries again when the line was busy. */
const PAUSE_HOLD_RETRY_MS = 1000;

/** What the AI says when the caller has gone quiet: a re-prompt, then a polite goodbye. */
const SILENCE_LINES = [
  "Sorry, I didn't catch anything there. Are you still with me?",
  "I haven't heard anything for a while, so I'll end the call now. Please call back any time. Goodbye.",
] as const;

export class CallError extends Error {
  constructor(
    readonly code: 'conflict' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

export class CallSession {
  readonly id = randomUUID();
  private summary: CallSummary;
  private readonly startedPerfMs = performance.now();
  /** The caller's line; a real call gets a new one when it comes back to the AI. */
  private stream: CallLine;
  private stt: SttStream;
  private sttAbort = new AbortController();
  /** Who has the call (AI, agent at the console, agent's softphone, on hold, on its way back, ended). */
  private readonly callState = new CallStateMachine();
  private readonly history: ChatMessage[] = [];
  private turn: SpokenTurn | null = null;
  /** Marks sent and not yet echoed, with their turn: an agent's line may still be playing
   * when the next line (or an AI turn) starts, and must still complete when heard. */
  private readonly pendingMarks = new Map<string, SpokenTurn>();
  /** Pauses the AI on the caller's voice onset, and resumes it after a false alarm. */
  private readonly turnYield: TurnYield;
  /** Agent lines wait for each other so they are spoken in order. */
  private agentSpeech: Promise<void> = Promise.resolve();
  /** The agent's typed lines not yet fully heard (the one playing and any queued behind it), oldest first: what Stop cuts. */
  private readonly agentLines = new Set<SpokenTurn>();
  private callerLine: { id: string; startMs: number } | null = null;
  /**
   * The context a caller's line is redacted in: their previous final line (a card read in two
   * breaths, whose first half is then masked after all; kept with what re-masking needs) and
   * what the AI or agent said since (the question a bare "737" answers).
   */
  private lastCallerFinal: CallerLineContext | null = null;
  /**
   * Final caller lines not yet analysed and stored: their analysis (sentiment, intent,
   * suggestion) costs milliseconds, cold, and runs after the reply's LLM request has left.
   * Done in order, and always before anything else touches the caller's lines.
   */
  private pendingRecords: Array<() => void> = [];
  private saidSinceCaller: string[] = [];
  private readonly log: Logger;
  private endPromise: Promise<void> | null = null;
  private readonly llm: LlmProvider;
  /** The recogniser each media stream opens: the chosen one, with the offline one behind a cloud one. */
  private readonly sttProvider: SttProvider;
  /** The recogniser hearing the caller now (turn metrics name it; a fallback changes it). */
  private sttLabel: string;
  /** Fallbacks already on the call's timeline: a cloud voice failing every turn is shown once. */
  private readonly fallbacksShown = new Set<string>();
  private silenceTimer: NodeJS.Timeout | null = null;
  /** Call-clock time of the STT stream's zero (Twilio's media timestamp 0). */
  private sttClockOffsetMs: number | null = null;
  private silentPrompts = 0;
  private readonly steering: Persona['steering'];
  /** "One moment, please" while paused, once per pause. */
  private pauseHoldTimer: NodeJS.Timeout | null = null;
  /** Lines the agent had the AI say (a suggestion sent, an offline "say:" whisper), in order. */
  private readonly sayNext: string[] = [];
  /** The AI asked for a person and nobody has taken the call yet. */
  private wait: TakeoverWait | null = null;
  /** Why the AI last asked for a person: after a hand-back it owns that it could not help with it. */
  private takeoverReason: string | null = null;
  private readonly keypad = new KeypadCollector((entry, asked) => this.onKeypad(entry, asked));
  private readonly alerts = new OpenAlerts();
  private readonly insight: CallerInsight;
  private readonly privacy: CallPrivacy;
  /** The words as said behind redacted history messages, kept only when the LLM may see them. */
  private readonly saidInHistory = new WeakMap<ChatMessage, string>();

  constructor(private readonly o: CallSessionOptions) {
    const params = o.stream.customParameters;
    this.log = o.logger.child({ callId: this.id, callSid: o.stream.callSid });
    this.summary = {
      id: this.id,
      callSid: o.stream.callSid,
      direction: o.direction ?? 'inbound',
      from: o.numbers?.from ?? params.from ?? 'unknown',
      to: o.numbers?.to ?? params.to ?? 'unknown',
      status: 'active',
      controller: 'ai',
      aiActivity: 'listening',
      startedAt: Date.now(),
      endedAt: null,
      scenario: params.scenario ?? null,
      utteranceCount: 0,
      callerSentiment: null,
      endReason: null,
      state: 'ai',
      sentimentTrend: [],
      waitingSince: null,
      alert: null,
      openAlerts: 0,
      ...(o.stream.transport === 'relay' ? { transport: 'relay' as const } : {}),
      ...(o.profile ? { profile: o.profile } : {}),
      ...(o.campaignId ? { campaignId: o.campaignId } : {}),
    };
    this.steering = o.steering ?? DEFAULT_STEERING;
    this.turnYield = new TurnYield(
      {
        yieldableTurn: () => this.yieldableTurn(),
        pauseTurn: (turn, source) => this.pauseTurnForCaller(turn, source),
        resumeTurn: (turn, why, pausedMs) => this.resumeAfterFalseAlarm(turn, why, pausedMs),
      },
      o.bargeIn ?? DEFAULT_BARGE_IN,
      o.stream.transport === 'media' ? o.vad : undefined,
    );
    this.privacy = o.privacy ?? callPrivacy(DEFAULT_SETTINGS);
    this.insight = new CallerInsight(this.id, o.assist);
    this.stream = o.stream;
    const fallbackStt = o.fallback?.stt;
    this.sttProvider =
      fallbackStt && fallbackStt !== o.providers.stt
        ? withSttFallback(o.providers.stt, fallbackStt, (notice) => this.onSttFallback(fallbackStt.label, notice))
        : o.providers.stt;
    this.sttLabel = o.providers.stt.label;
    this.stt = this.openStt(o.stream);
    const fallbackLlm = o.fallback?.llm;
    this.llm =
      fallbackLlm && fallbackLlm !== o.providers.llm
        ? withLlmFallback(o.providers.llm, fallbackLlm, (reason, partial) =>
            this.onFallback('llm', fallbackLlm.label, reason, partial),
          )
        : o.providers.llm;
  }

  get snapshot(): CallSummary {
    return { ...this.summary };
  }

  /**
   * The caller's media stream (for taps such as listen-in and recordings); null on a
   * ConversationRelay call, where Twilio carries the audio and none reaches the console.
   */
  get mediaStream(): MediaStream | null {
    return this.stream.transport === 'media' ? this.stream : null;
  }

  /** ms since the call started: the clock of its transcript and timeline (recordings align to it). */
  get clockMs(): number {
    return this.nowMs();
  }

  /** Handed back to the AI and waiting for the call's new media stream. */
  get awaitingAiStream(): boolean {
    return this.callState.state === 'returning';
  }

  get suggestion(): Suggestion | null {
    return this.insight.suggestion;
  }

  get isLive(): boolean {
    return this.summary.status !== 'ended';
  }

  /** Starts listening and greets the caller. */
  start(): void {
    this.persist(() => this.o.recorder.insertCall(this.summary));
    this.emit({ name: 'call.updated', payload: this.snapshot });
    this.recordEvent('started', { direction: this.summary.direction, ...(this.stream.transport === 'relay' ? { transport: 'relay' } : {}) });
    // A cloud engine whose key failed its last check was left off this call: say so, and why.
    for (const engine of this.o.leftOut ?? []) this.onFallback(engine.role, engine.standIn, engine.reason, false, { atStart: true });
    this.log.info({ scenario: this.summary.scenario }, 'call started');
    this.bindStream(this.stream);
    void this.consumeStt(this.stt);
    // On ConversationRelay Twilio may have said the greeting already (welcomeGreeting): it is
    // the AI's first line all the same, heard as Twilio speaks it.
    const greeted = this.stream.transport === 'relay' && this.stream.customParameters[STREAM_PARAM.greeted] === 'welcome';
    this.startTurn(() => oneChunk(this.o.greeting), null, { saidByTwilio: greeted });
  }

  /** The handed-back call's new stream arrived: the AI listens again, on a fresh recogniser. */
  reattach(stream: CallLine): void {
    if (!this.awaitingAiStream) throw new CallError('conflict', 'this call is not waiting for a media stream');
    this.stream = stream;
    // A new stream starts a new clock (Twilio's timestamps restart at 0).
    this.sttAbort.abort();
    this.sttAbort = new AbortController();
    this.stt = this.openStt(stream);
    this.sttLabel = this.o.providers.stt.label; // a new stream tries the chosen recogniser again
    this.sttClockOffsetMs = null;
    this.bindStream(stream);
    void this.consumeStt(this.stt);
    this.log.info({}, 'call back on an AI media stream');
    this.move('ai', { aiActivity: 'listening' });
    this.startTurn(() => oneChunk(handBackLine(this.takeoverReason)));
    this.takeoverReason = null;
  }

  /** The recogniser for a line: ours on a media stream; Twilio's prompts on ConversationRelay. */
  private openStt(stream: CallLine): SttStream {
    return stream.transport === 'relay' ? stream.stt : this.sttProvider.open({ signal: this.sttAbort.signal });
  }

  private bindStream(stream: CallLine): void {
    if (stream.transport === 'media') {
      stream.on('media', (audio, timestampMs) => {
        // The recogniser's clock is Twilio's stream clock (we feed it every frame). Its zero on
        // the call's clock is best estimated by the least-delayed frame seen so far: frames
        // that queued up while the call was being set up arrive late, none arrive early.
        const offsetMs = this.nowMs() - timestampMs;
        this.sttClockOffsetMs = this.sttClockOffsetMs === null ? offsetMs : Math.min(this.sttClockOffsetMs, offsetMs);
        // Our VAD first: a caller heard starting to speak pauses the AI, and their audio goes
        // to the recogniser at once; a caller listening quietly lets it batch.
        const listeningQuietly = stream === this.stream && this.turnYield.callerAudio(audio.bytes);
        this.stt.write(audio, listeningQuietly ? 'relaxed' : 'now');
      });
    } else {
      // Prompts are timed on the session's own clock.
      this.sttClockOffsetMs = this.nowMs() - stream.clockMs();
      // Twilio stopped speaking because the caller spoke over it, and says what was heard.
      stream.on('interrupt', (heard) => {
        if (stream === this.stream) this.cutOff('barge_in', heard);
      });
    }
    // The events both kinds of line share.
    const line = stream as EventEmitter<Pick<MediaStreamEvents & RelayStreamEvents, 'mark' | 'dtmf' | 'closed'>>;
    line.on('mark', (name) => this.onMark(name));
    line.on('dtmf', (digit) => {
      // Keys typed while the AI asked for a card or PIN are never stored or shown one by one
      // either (16 key events would spell the card out); the entry's mask says what it was.
      const asked = this.keypad.asking;
      if (asked === 'other') this.recordEvent('dtmf', { digit });
      else this.recordEvent('dtmf', { digit: '•', masked: asked }, { digit });
      this.keypad.press(digit);
    });
    line.once('closed', (reason) => {
      // A real call redirected to the agent's softphone leaves our stream; it is not over.
      if (stream !== this.stream || offOurStream(this.callState.state)) return;
      void this.end(reason === 'caller hung up' ? 'caller_hangup' : 'stream_closed');
    });
  }

  // ---------------------------------------------------------------- agent controls

  /**
   * The AI stops at once. A real call is put through to the agent's softphone, which must
   * be connected: otherwise the caller stays with the AI and the agent is told why.
   */
  async takeOver(options: { softphoneReady?: boolean } = {}): Promise<CallSummary> {
    this.assertLive();
    if (this.summary.controller === 'agent') throw new CallError('conflict', 'the agent already has this call');
    const control = this.o.control;
    const state = this.callState.state;
    if (control && !options.softphoneReady) {
      throw new CallError('unavailable', "Your softphone isn't connected, so the caller stays with the AI. Check the softphone status in the top bar.");
    }
    this.cutOff('takeover');
    this.stopSilenceWatch();
    this.stopPauseHoldLine();
    const wait = this.wait;
    const waitedMs = wait ? Date.now() - wait.since : null;
    this.endWait();
    this.move(control ? 'agent_phone' : 'agent', { controller: 'agent', aiActivity: 'detached' });
    if (control) {
      try {
        const line = this.stream;
        // ConversationRelay: ending the session stops Twilio's voice at once, and Twilio then
        // asks what next (relayEnded: the agent's softphone). Media Streams: a REST redirect.
        if (line.transport === 'relay') line.end({ reasonCode: 'live-agent-handoff', callId: this.id, ...(this.takeoverReason ? { reason: this.takeoverReason } : {}) });
        else await control.redirectToAgent(this.o.agentIdentity ?? 'agent');
      } catch (error) {
        // The caller is still on our stream: give the call back to the AI rather than drop it.
        this.move('ai', { controller: 'ai', aiActivity: 'listening' });
        this.recordEvent('error', { stage: 'takeover', message: (error as Error).message });
        // Still waiting for a person, as long as before.
        if (wait) {
          this.wait = wait;
          this.update({ waitingSince: wait.since });
          this.startSilenceWatch();
        }
        if (state === 'ai_paused') this.pause(true);
        throw new CallError('unavailable', (error as Error).message);
      }
    }
    this.recordPendingLines(); // the handover summary includes the caller's latest words
    this.recordEvent('takeover', { via: control ? 'softphone' : 'console', summary: this.insight.handoverText(), ...(waitedMs === null ? {} : { waitedMs }) });
    // Taking the call answers its alerts: the agent is on it, so nothing is left to acknowledge.
    const answered = this.alerts.acknowledgeAll();
    for (const alert of answered) this.recordEvent('alert_ack', { alertId: alert.id, by: 'takeover' });
    if (answered.length > 0) this.update(this.alerts.summary());
    return this.snapshot;
  }

  /** Hold music for the caller while the agent is away; resuming rings the softphone again. */
  async hold(on: boolean): Promise<CallSummary> {
    this.assertLive();
    const control = this.o.control;
    const state = this.callState.state;
    if (!control || (state !== 'agent_phone' && state !== 'agent_hold')) {
      throw new CallError('conflict', 'hold is for a call you have taken over on your softphone');
    }
    if (on === (state === 'agent_hold')) return this.snapshot;
    try {
      if (on) await control.hold();
      else await control.redirectToAgent(this.o.agentIdentity ?? 'agent');
    } catch (error) {
      throw new CallError('unavailable', (error as Error).message);
    }
    this.move(on ? 'agent_hold' : 'agent_phone');
    this.recordEvent('hold', { on });
    return this.snapshot;
  }

  async handBack(): Promise<CallSummary> {
    this.assertLive();
    if (controllerOf(this.callState.state) === 'ai') throw new CallError('conflict', 'the AI already has this call');
    if (offOurStream(this.callState.state) && this.o.control) {
      await this.o.control.returnToAi().catch((error: Error) => {
        throw new CallError('unavailable', error.message);
      });
      // The AI speaks again once the call's new stream arrives (reattach).
      this.move('returning', { controller: 'ai' });
      this.recordEvent('handback', {});
      return this.snapshot;
    }
    this.move('ai', { controller: 'ai', aiActivity: this.turn ? this.summary.aiActivity : 'listening' });
    this.recordEvent('handback', {});
    // The agent's last line may still be playing: the AI speaks after it.
    void this.agentSpeech.then(() => {
      if (this.callState.state !== 'ai' || this.turn) return;
      this.startTurn(() => oneChunk(handBackLine(this.takeoverReason)));
      this.takeoverReason = null;
    });
    return this.snapshot;
  }

  /** Speaks the agent's typed line to the caller. Resolves with the line once queued. */
  say(text: string): Utterance {
    this.assertLive();
    if (this.summary.controller !== 'agent') throw new CallError('conflict', 'take over the call before speaking to the caller');
    if (offOurStream(this.callState.state)) throw new CallError('conflict', 'you are on the phone with the caller: speak to them directly');
    const turn = new SpokenTurn(randomUUID(), 'agent', false);
    const line = this.publishLine(this.utterance(turn, text, false));
    this.recordEvent('agent_message', { utteranceId: turn.id });
    this.agentLines.add(turn);
    this.agentSpeech = this.agentSpeech.then(() => this.speakTurn(turn, oneChunk(text)));
    return line;
  }

  /**
   * The agent stops their typed line mid-sentence: it is cut at once (Twilio `clear`), keeps
   * only what the caller heard (marked cut off, as a barge-in does), and lines queued behind
   * it are never said. With nothing being spoken it does nothing. Returns the stopped lines.
   */
  stopSpeaking(): Utterance[] {
    this.assertLive();
    const nowPerfMs = performance.now();
    // The caller hears the agent's lines in order: behind a line not yet heard to its end, a
    // later line's audio may already be sent, but none of it has been heard.
    let behindUnheard = false;
    const stopped = [...this.agentLines].map((turn) => {
      const heard = behindUnheard ? '' : turn.heardText(nowPerfMs);
      const wasAudible = !behindUnheard && turn.audible;
      if (!turn.complete) behindUnheard = true;
      return { turn, heard, wasAudible };
    });
    for (const { turn } of stopped) this.abandon(turn);
    // The caller stops hearing it before anything is written down.
    if (stopped.some((s) => s.wasAudible)) this.stream.clear();
    return stopped.map(({ turn, heard, wasAudible }) => {
      turn.interrupted = wasAudible;
      turn.endMs = this.nowMs();
      // An empty final line tells the console to drop the line nobody heard.
      const line = this.utterance(turn, heard, true);
      if (heard) {
        this.pushHistory('assistant', line.line.text, line.said);
        return this.saveLine(line);
      }
      return this.publishLine(line);
    });
  }

  /**
   * Pause: the AI stops speaking at once (Twilio `clear`), keeps listening and transcribing,
   * and says nothing but one "one moment, please". Resume: it answers whatever the caller
   * said meanwhile, knowing all of it.
   */
  pause(paused: boolean): CallSummary {
    this.assertLive();
    const state = this.callState.state;
    if (paused === (state === 'ai_paused')) return this.snapshot;
    if (state !== 'ai' && state !== 'ai_paused') {
      throw new CallError(
        'conflict',
        state === 'returning' ? 'the call is on its way back to the AI: pause it once it has arrived' : 'you have this call, so there is no AI speaking to pause',
      );
    }
    if (paused) {
      this.cutOff('pause');
      this.stopSilenceWatch();
      this.move('ai_paused', { aiActivity: 'paused' });
      this.recordEvent('pause', { on: true });
      this.startPauseHoldLine();
    } else {
      this.stopPauseHoldLine();
      this.move('ai', { aiActivity: this.turn ? 'speaking' : 'listening' });
      this.recordEvent('pause', { on: false });
      if (!this.turn) this.carryOn();
    }
    return this.snapshot;
  }

  /**
   * The agent's instruction to the AI, never spoken. An LLM gets it in its history and follows
   * it on its next turn (now, if it is idle); the offline engine can only say a line ("say: …").
   */
  whisper(text: string): { event: CallEvent; handling: WhisperHandling } {
    this.assertLive();
    const offline = this.o.providers.llm.offline;
    const line = offline ? sayableWhisper(text) : null;
    const handling: WhisperHandling = !offline ? 'instruction' : line ? 'say' : 'unsupported';
    const event = this.recordEvent('whisper', { text, handling });
    if (handling === 'instruction') {
      this.pushHistory('supervisor', redact(text, this.privacy.policy).text, text);
      if (this.callState.state === 'ai' && !this.turn && !this.callerLine) this.respond(null);
    } else if (line) {
      this.queueAiLine(line);
    }
    return { event, handling };
  }

  /** The AI says `text` next (after the line it is saying, if any), without a take-over. */
  aiSay(text: string, source: 'suggestion' | 'agent'): CallEvent {
    this.assertLive();
    const state = this.callState.state;
    if (state !== 'ai' && state !== 'ai_paused') {
      throw new CallError(
        'conflict',
        state === 'returning' ? 'the call is on its way back to the AI: try again in a moment' : 'you have this call: type the line in the composer to say it yourself',
      );
    }
    const event = this.recordEvent('ai_say', { text, source });
    this.queueAiLine(text);
    return event;
  }

  /** An alert rule fired on this call: on its timeline, stored, and on its row until acknowledged. */
  raiseAlert(alert: AlertRaised): CallEvent {
    this.assertLive();
    const event = this.recordEvent('alert', { ...alert });
    this.alerts.add({ id: event.id, ruleId: alert.ruleId, severity: alert.severity, title: alert.title, atMs: event.atMs });
    this.update(this.alerts.summary());
    return event;
  }

  acknowledgeAlert(alertId: string): CallSummary {
    this.assertLive();
    if (!this.alerts.acknowledge(alertId)) throw new CallError('conflict', 'that alert is not open on this call (it may have been acknowledged already)');
    this.recordEvent('alert_ack', { alertId });
    this.update(this.alerts.summary());
    return this.snapshot;
  }

  /** Twilio's status callbacks go on the call's timeline (and are stored with it). */
  recordStatus(status: string): void {
    if (this.isLive) this.recordEvent('status', { status });
  }

  /**
   * Twilio's `<Connect action>` after this call's ConversationRelay session ended: the TwiML
   * that continues the call (the agent's softphone after a take-over), or null to hang up.
   */
  relayEnded(event: { sessionStatus: string; errorCode: string | null; errorMessage: string | null }): string | null {
    if (this.callState.state === 'agent_phone' && this.o.control) return this.o.control.agentTwiml(this.o.agentIdentity ?? 'agent');
    if (this.isLive && event.sessionStatus === 'failed') {
      const detail = [event.errorCode && `error ${event.errorCode}`, event.errorMessage?.slice(0, 200)].filter(Boolean).join(': ');
      this.recordEvent('error', { stage: 'relay', message: `Twilio ended the ConversationRelay session${detail ? ` (${detail})` : ''}.` });
    }
    void this.end(event.sessionStatus === 'failed' ? 'stream_closed' : 'caller_hangup');
    return null;
  }

  /** Ends the call for everyone. Idempotent; resolves when the call is stored as ended. */
  end(reason: string): Promise<void> {
    this.endPromise ??= this.finish(reason);
    return this.endPromise;
  }

  // ---------------------------------------------------------------- caller speech

  private async consumeStt(stt: SttStream): Promise<void> {
    try {
      for await (const event of stt.events) if (stt === this.stt) this.onSttEvent(event);
    } catch (error) {
      if (this.isLive && stt === this.stt && !this.sttAbort.signal.aborted) {
        this.log.error({ err: error }, 'speech recognition failed');
        this.recordEvent('error', { stage: 'stt', message: (error as Error).message });
      }
    }
  }

  private onSttEvent(event: SttEvent): void {
    if (!this.isLive) return;
    // A later event may remask the last line: its record must be written first.
    this.recordPendingLines();
    // Any sign of the caller resets the silence watch.
    this.stopSilenceWatch();
    this.silentPrompts = 0;
    if (event.type === 'speech-started') {
      this.turnYield.speechStarted();
      return;
    }
    const offsetMs = this.sttClockOffsetMs ?? 0;
    this.callerLine ??= { id: randomUUID(), startMs: Math.round(offsetMs + event.startMs) };
    // The one place a caller's words enter the core: redacted here, interim lines too (they
    // are shown live), before anything else sees them.
    const redaction = this.redactCallerWords(event.text);
    const line: SaidLine = {
      line: {
        id: this.callerLine.id,
        callId: this.id,
        speaker: 'caller',
        text: redaction.text,
        final: event.type === 'final',
        startMs: this.callerLine.startMs,
        endMs: Math.round(offsetMs + event.endMs),
        sentiment: null,
        interrupted: false,
      },
      said: event.text,
      redaction,
    };
    const turn = this.turn;
    // A caller who starts talking over the AI takes the floor (backchannels do not).
    if (turn?.interruptible && turn.audible && substantiveWordCount(event.text) >= 1) this.cutOff('barge_in');

    if (event.type === 'interim') {
      this.turnYield.callerInterim(event.text);
      this.publishLine(line);
      return;
    }
    this.callerLine = null;
    if (!event.text.trim()) {
      // Nothing was said after all (a paused AI carries on); a line the agent queued can go now.
      this.turnYield.callerFinal('');
      this.drainSayNext();
      return;
    }
    // Before the AI is asked anything: its history must hold the earlier half masked too.
    if (redaction.spansBefore?.length && this.lastCallerFinal) this.remaskCallerLine(this.lastCallerFinal, redaction.spansBefore);
    const historyBefore = [...this.history];
    // "Uh-huh" while the AI talks is a listener's noise, not a new request.
    const respond = !(turn?.audible && isBackchannel(event.text));
    // Paused on their voice and it was only "uh-huh": the AI carries on from where it was.
    this.turnYield.callerFinal(event.text);
    let message: ChatMessage | null = null;
    if (respond) {
      message = this.pushHistory('user', redaction.text, event.text);
      // The reply starts first: analysis and storage must not add to the caller's wait. A
      // paused AI only listens; it answers on resume.
      if (this.callState.state === 'ai') {
        const waitReply = this.wait ? this.onWaitingCallerLine(event.text) : null;
        if (waitReply) this.speakNow(waitReply);
        else this.respond(event);
      }
    }
    // A paused AI says nothing of its own, but the line the agent queued waited for the caller to finish.
    if (this.callState.state === 'ai_paused') this.drainSayNext();
    // The reply's request is on its way (respond above); the line's record follows it out.
    this.recordLineSoon(() => this.recordCallerLine(line, historyBefore));
    const words = event.words?.map((w) => ({ text: w.text, startMs: offsetMs + w.startMs, endMs: offsetMs + w.endMs }));
    if (redaction.changed) this.toneRedactedAudio(redactedAudioSpans({ ...line.line, text: event.text }, redaction.spans, words));
    this.lastCallerFinal = { line, words, message };
    this.saidSinceCaller = [];
  }

  /**
   * A caller's words redacted in context: with their previous line (a number that started
   * there ends here: `spansBefore`), and with what was said to them since (a security code
   * answering the AI's question). Two contexts, because a card read in two breaths must not be
   * broken by the "mm-hmm" the AI said in between.
   */
  private redactCallerWords(text: string): Redaction {
    const policy = this.privacy.policy;
    const previous = this.lastCallerFinal?.line.said;
    const withPrevious = redact(text, policy, previous ? { before: previous } : {});
    // What was said to them since, including a question still being spoken (callers answer early).
    const asked = [...this.saidSinceCaller, this.turn?.plannedText ?? ''].join(' ').trim();
    if (asked === '') return withPrevious;
    const answering = redact(text, policy, { before: asked });
    const more = answering.spans.filter((s) => !withPrevious.spans.some((o) => s.start < o.end && s.end > o.start));
    return more.length === 0 ? withPrevious : redact(text, policy, { ...(previous ? { before: previous } : {}), also: more });
  }

  /**
   * A caller line that held the start of a number this line completed (a card read in two
   * breaths): masked after all, in the store, on the console (same line id: it is replaced in
   * place), in the AI's history and in the recording.
   */
  private remaskCallerLine(previous: CallerLineContext, spans: RedactedSpan[]): void {
    const redaction = redact(previous.line.said, this.privacy.policy, { also: spans });
    const line: SaidLine = { ...previous.line, line: { ...previous.line.line, text: redaction.text }, redaction };
    this.storeLine(line);
    this.publishLine(line);
    if (previous.message) previous.message.text = redaction.text;
    this.toneRedactedAudio(redactedAudioSpans({ ...line.line, text: line.said }, spans, previous.words));
  }

  /**
   * Starts the AI's answer to the history so far: the caller's latest line (`event`, timed),
   * or something owed without one (a whisper, keypad input, what was said during a pause).
   */
  private respond(event: Extract<SttEvent, { type: 'final' }> | null): void {
    // Newer words from the caller make the reply in progress stale: stop it, and if any of
    // it went out, clear it and keep what was heard.
    this.dropCurrentTurn();
    const request: LlmRequest = { system: this.o.systemPrompt, history: this.llmHistory(), tools: this.o.tools, lookupKnowledge: this.o.lookupKnowledge };
    const timer = event
      ? new TurnTimer(this.id, (this.sttClockOffsetMs ?? 0) + event.endMs, this.nowMs(), {
          stt: this.sttLabel,
          llm: this.o.providers.llm.label,
          tts: this.o.providers.tts.label,
        })
      : null;
    this.startTurn((signal) => this.llm.generate(request, signal), timer);
  }

  /** Says a fixed line now, in place of whatever the AI was about to say. */
  private speakNow(line: string): void {
    this.dropCurrentTurn();
    this.startTurn(() => oneChunk(line));
  }

  private dropCurrentTurn(): void {
    if (!this.turn?.interruptible) return;
    if (this.turn.hasAudio) this.cutOff('barge_in');
    else this.abandon(this.turn);
  }

  /** A keypad entry is caller input: it goes to the AI like words (and on the timeline). */
  private onKeypad(entry: KeypadEntry, asked: KeypadAsked): void {
    if (!this.isLive) return;
    // A card or PIN keyed in when the AI asked for one (or a valid card keyed unasked) is masked
    // like a spoken one, for the timeline, the store and what the LLM is told; the menu choice
    // a key stood for is not.
    const digits = entry.option === null ? maskDtmf(entry.digits, asked) : entry.digits;
    const masked = digits === entry.digits ? entry : { ...entry, digits };
    const data = { digits: masked.digits, kind: entry.kind, option: entry.option };
    this.recordEvent('keypad', data, masked === entry ? undefined : { ...data, digits: entry.digits });
    this.pushHistory('user', redact(keypadHistoryText(masked), this.privacy.policy).text, keypadHistoryText(entry));
    this.stopSilenceWatch();
    if (this.callState.state === 'ai') this.respond(null);
  }

  /** A paused AI, resumed, or an AI given something to act on: reply if a reply is owed, else listen. */
  private carryOn(): void {
    if (this.callState.state !== 'ai' || this.turn) return;
    if (this.drainSayNext()) return;
    const last = this.history.at(-1);
    if (last && last.role !== 'assistant' && !this.callerLine) this.respond(null);
    else this.startSilenceWatch();
  }

  private queueAiLine(text: string): void {
    this.sayNext.push(text);
    this.drainSayNext();
  }

  /** Starts the next line the agent had the AI say, if the AI is free to say it (and the caller is not mid-sentence). */
  private drainSayNext(): boolean {
    const state = this.callState.state;
    if (this.turn || this.callerLine || (state !== 'ai' && state !== 'ai_paused') || this.sayNext.length === 0) return false;
    const text = this.sayNext.shift()!;
    this.startTurn(() => oneChunk(text));
    return true;
  }

  private recordLineSoon(record: () => void): void {
    this.pendingRecords.push(record);
    if (this.pendingRecords.length === 1) setImmediate(() => this.recordPendingLines());
  }

  private recordPendingLines(): void {
    const records = this.pendingRecords;
    this.pendingRecords = [];
    for (const record of records) record();
  }

  /** Sentiment, suggestion and the durable record of one final caller line. */
  private recordCallerLine(line: SaidLine, historyBefore: readonly ChatMessage[]): void {
    const { patch, suggestion } = this.insight.analyse(line.line, historyBefore);
    this.storeLine(line);
    this.publishLine(line);
    this.update({ utteranceCount: this.summary.utteranceCount + 1, ...patch });
    this.emit({ name: 'call.suggestion', payload: suggestion });
  }

  // ---------------------------------------------------------------- speaking

  /** Starts an AI turn; `source` gets the turn's signal, which a barge-in or take-over aborts. */
  private startTurn(
    source: (signal: AbortSignal) => AsyncIterable<LlmChunk>,
    timer: TurnTimer | null = null,
    options: { saidByTwilio?: boolean } = {},
  ): void {
    this.stopSilenceWatch();
    const turn = new SpokenTurn(randomUUID(), 'ai', true);
    turn.timer = timer;
    turn.saidByTwilio = options.saidByTwilio ?? false;
    this.turn = turn;
    this.setActivity('thinking');
    void this.speakTurn(turn, source(turn.signal));
  }

  /** Streams a turn's text clause by clause through TTS to the caller, each followed by a mark. */
  private async speakTurn(turn: SpokenTurn, source: AsyncIterable<LlmChunk>): Promise<void> {
    // A queued agent line the agent stopped before its turn came is never said.
    if (!this.isLive || turn.signal.aborted) return;
    if (turn.speaker === 'agent') this.turn = turn;
    const splitter = new ClauseSplitter();
    // ConversationRelay: the text goes to Twilio the moment it is generated (Twilio's voice
    // phrases it); clauses then only track what the caller has heard.
    const relay = this.stream.transport === 'relay' && !turn.saidByTwilio ? this.stream : null;
    let endCallAfter: string | null = null;
    try {
      for await (const chunk of source) {
        if (turn.signal.aborted) break;
        if (chunk.type === 'tool-call') {
          endCallAfter = this.onToolCall(chunk) ?? endCallAfter;
          continue;
        }
        turn.timer?.llmToken(this.nowMs());
        relay?.sendText(chunk.text);
        for (const clause of splitter.push(chunk.text)) await this.speakClause(turn, clause);
      }
      for (const clause of splitter.flush()) await this.speakClause(turn, clause);
      if (!turn.signal.aborted) relay?.endTurn();
    } catch (error) {
      if (!turn.signal.aborted) {
        this.log.error({ err: error, stage: turn.speaker }, 'turn failed');
        this.recordEvent('error', { stage: turn.speaker === 'ai' ? 'llm/tts' : 'tts', message: (error as Error).message });
      }
    }
    if (turn.signal.aborted || !this.isLive) return;
    turn.finishGeneration();
    if (endCallAfter !== null) this.pendingEnd = endCallAfter;
    if (turn.complete || !turn.hasAudio) this.completeTurn(turn);
  }

  /** Reason to end the call once the current turn has been heard (the AI's `end_call`). */
  private pendingEnd: string | null = null;

  private async speakClause(turn: SpokenTurn, text: string): Promise<void> {
    let audioMs = 0;
    const fallbackTts = this.o.fallback?.tts;
    const tts = turn.ttsFellBack && fallbackTts ? fallbackTts : this.o.providers.tts;
    const line = this.stream;
    if (line.transport === 'relay') {
      audioMs = this.handedToTwilio(turn, line, text);
    } else {
      try {
        audioMs = await this.sendSpeech(turn, line, tts, text);
      } catch (error) {
        if (turn.signal.aborted || !this.isLive || !fallbackTts || tts === fallbackTts) throw error;
        // This turn goes on in the offline voice; the next turn tries the cloud voice again.
        turn.ttsFellBack = true;
        this.onFallback('tts', fallbackTts.label, (error as Error).message, audioMs > 0);
        audioMs = await this.sendSpeech(turn, line, fallbackTts, text);
      }
    }
    if (turn.signal.aborted || !this.isLive) return;
    const mark = turn.addClause(text, audioMs, performance.now());
    this.pendingMarks.set(mark, turn);
    // While paused, the resume sends the mark after the clause's audio.
    if (!turn.paused) this.stream.sendMark(mark);
    // The AI's line grows clause by clause; an agent's typed line was shown whole already.
    if (turn.speaker === 'ai') this.publishLine(this.utterance(turn, turn.plannedText, false));
  }

  /**
   * A clause Twilio speaks (ConversationRelay: its text went out as generated): how long it
   * will take to say, estimated. The turn's latency ends here, when Twilio has the words.
   */
  private handedToTwilio(turn: SpokenTurn, relay: RelayStream, text: string): number {
    turn.startSending();
    turn.startMs ??= this.nowMs();
    turn.timer?.ttsByte(this.nowMs());
    if (turn.timer?.audioSent(this.nowMs())) {
      const metrics = turn.timer.metrics(turn.id);
      this.persist(() => this.o.recorder.appendTurnMetrics(metrics));
      this.emit({ name: 'call.turn', payload: metrics });
    }
    if (turn.speaker === 'ai' || this.summary.controller === 'ai') this.setActivity('speaking');
    return relay.speakingMs(text);
  }

  /** Streams one clause through `tts` to the caller; returns its length in ms. */
  private async sendSpeech(turn: SpokenTurn, line: MediaStream, tts: TtsProvider, text: string): Promise<number> {
    let audioMs = 0;
    for await (const audio of tts.synthesize(text, turn.signal)) {
      if (turn.signal.aborted || !this.isLive) return audioMs;
      turn.timer?.ttsByte(this.nowMs());
      // Paused on the caller's voice: the audio waits in the turn for the resume.
      if (turn.addAudio(audio.bytes, performance.now())) line.sendAudio(audio);
      turn.startMs ??= this.nowMs();
      audioMs += audio.bytes.length / 8;
      if (turn.timer?.audioSent(this.nowMs())) {
        const metrics = turn.timer.metrics(turn.id);
        this.persist(() => this.o.recorder.appendTurnMetrics(metrics));
        this.emit({ name: 'call.turn', payload: metrics });
      }
      if (turn.speaker === 'ai' || this.summary.controller === 'ai') this.setActivity('speaking');
    }
    return audioMs;
  }

  // ---------------------------------------------------------------- turn-taking (issue 14)

  /** The AI turn the caller's voice may pause now: audible, interruptible, the AI's, on an audio line. */
  private yieldableTurn(): SpokenTurn | null {
    const turn = this.turn;
    if (!turn || !turn.interruptible || turn.speaker !== 'ai' || turn.paused || !turn.audible) return null;
    return this.callState.state === 'ai' && this.stream.transport === 'media' && this.isLive ? turn : null;
  }

  /** The caller may be talking over the AI: silence it now, keep what they have not heard. */
  private pauseTurnForCaller(turn: SpokenTurn, source: OnsetSource): void {
    turn.pause(performance.now());
    this.stream.clear();
    // Twilio returns the cleared marks at once; they do not mean "heard".
    for (const [name, owner] of this.pendingMarks) if (owner === turn) this.pendingMarks.delete(name);
    this.log.debug({ source }, 'paused the AI on the caller\'s voice');
    this.setActivity('listening');
  }

  /** It was not an interruption: send again what the caller had not heard, from the last word heard. */
  private resumeAfterFalseAlarm(turn: SpokenTurn, why: FalseAlarm, pausedMs: number): void {
    const line = this.stream;
    if (turn !== this.turn || line.transport !== 'media' || !this.isLive) return;
    const { steps, fromMs } = turn.resume(performance.now());
    let sentMs = 0;
    for (const step of steps) {
      if ('audio' in step) {
        line.sendAudio(mulawAudio(step.audio));
        sentMs += step.audio.length / 8;
      } else {
        this.pendingMarks.set(step.mark, turn);
        line.sendMark(step.mark);
      }
    }
    this.recordEvent('false_interruption', { why, pausedMs: Math.round(pausedMs), resumedAtMs: Math.round(fromMs), sentMs: Math.round(sentMs) });
    if (turn.complete) this.completeTurn(turn);
    else this.setActivity('speaking');
  }

  private onMark(name: string): void {
    const turn = this.pendingMarks.get(name);
    if (!turn) return;
    this.pendingMarks.delete(name);
    if (turn.markHeard(name, performance.now()) && turn.complete) this.completeTurn(turn);
  }

  private completeTurn(turn: SpokenTurn): void {
    if (turn.done) return;
    this.turnYield.settled(turn);
    turn.done = true;
    if (this.turn === turn) this.turn = null;
    this.agentLines.delete(turn);
    turn.endMs = this.nowMs();
    const text = turn.plannedText;
    if (text) {
      const line = this.utterance(turn, text, true);
      this.pushHistory('assistant', line.line.text, text);
      this.saveLine(line);
      if (turn.speaker === 'ai') this.keypad.heardAiLine(text);
    }
    if (this.pendingEnd !== null) {
      const reason = this.pendingEnd;
      this.pendingEnd = null;
      void this.end(reason);
      return;
    }
    if (this.callState.state === 'ai') {
      this.setActivity('listening');
      if (!this.turn) this.carryOn();
    } else if (this.callState.state === 'ai_paused' && !this.turn) {
      this.drainSayNext();
    }
  }

  /**
   * Stops the current AI turn at once: abort generation, `clear` Twilio's queue, and keep
   * only what the caller actually heard, so the next reply never continues stale text.
   */
  private cutOff(reason: 'barge_in' | 'takeover' | 'pause' | 'end', heardForSure?: string): void {
    const turn = this.turn;
    if (!turn || (reason === 'barge_in' && !turn.interruptible)) return;
    // ConversationRelay says exactly what was heard; Media Streams' marks give an estimate.
    const heard = heardForSure?.trim() ?? turn.heardText(performance.now());
    const wasAudible = turn.audible;
    this.abandon(turn);
    if (wasAudible) this.stream.clear();
    turn.interrupted = wasAudible;
    turn.endMs = this.nowMs();
    // An empty final line tells the console to drop the line nobody heard.
    const line = this.utterance(turn, heard, true);
    if (heard) {
      this.pushHistory('assistant', line.line.text, heard);
      this.saveLine(line);
    } else {
      this.publishLine(line);
    }
    if (reason === 'barge_in') {
      this.recordEvent('barge_in', { heardChars: heard.length, plannedChars: turn.plannedText.length });
      this.setActivity('listening');
    }
    this.pendingEnd = null;
  }

  private abandon(turn: SpokenTurn): void {
    this.turnYield.settled(turn);
    turn.controller.abort(new DOMException('turn abandoned', 'AbortError'));
    turn.done = true;
    if (this.turn === turn) this.turn = null;
    this.agentLines.delete(turn);
    // After a clear Twilio returns the pending marks; they no longer mean "heard".
    for (const [name, owner] of this.pendingMarks) if (owner === turn) this.pendingMarks.delete(name);
  }

  /** Tool calls show on the timeline; ending and transfers are acted on here. */
  private onToolCall(call: Extract<LlmChunk, { type: 'tool-call' }>): string | null {
    // The profile decides what the AI may do: an engine that reaches for another tool (the
    // offline one has no declarations to narrow) is not obeyed.
    if (this.o.tools && !this.o.tools.includes(call.name)) {
      this.log.info({ tool: call.name }, 'tool call outside the profile ignored');
      return null;
    }
    this.recordEvent('tool_call', { tool: call.name, args: call.args });
    const reason = typeof call.args.reason === 'string' ? call.args.reason : '';
    if (call.name === 'transfer_to_agent' && this.summary.controller === 'ai') {
      this.recordEvent('takeover_requested', { reason });
      this.takeoverReason = reason || null;
      this.startWait();
    }
    return call.name === 'end_call' ? 'ai_ended' : null;
  }

  private onFallback(role: 'llm' | 'tts' | 'stt', standIn: string, reason: string, partial: boolean, extra: Record<string, number | boolean> = {}): void {
    this.log.warn({ role, reason: reason.slice(0, 200), partial }, 'provider failed; offline engine stands in');
    // Provider trouble is an event (and, by the default rule, an alert), never a line of its
    // own each turn: the same failure again on this call is only logged.
    const key = `${role}\0${reason}`;
    if (this.fallbacksShown.has(key)) return;
    this.fallbacksShown.add(key);
    this.recordEvent('fallback', { role, standIn, reason: reason.slice(0, 300), partial, ...extra });
  }

  /** The cloud recogniser failed: the offline one has the caller's audio since its last final result. */
  private onSttFallback(standIn: string, notice: SttFallbackNotice): void {
    this.sttLabel = standIn;
    if (!this.isLive) return;
    const { failedAtMs, switchedAtMs, replayedMs } = notice;
    this.onFallback('stt', standIn, notice.reason, false, { failedAtMs: Math.round(failedAtMs), switchedAtMs: Math.round(switchedAtMs), replayedMs: Math.round(replayedMs) });
  }

  // ---------------------------------------------------------------- silence

  /**
   * While the AI has the call and is listening, a quiet caller gets a re-prompt, then a
   * goodbye; a caller waiting for a person is kept company instead, never hung up on.
   */
  private startSilenceWatch(): void {
    const afterMs = this.wait ? this.wait.nextPromptInMs(Date.now()) : this.o.silenceRepromptMs;
    if ((!afterMs && !this.wait) || !this.isLive || this.callState.state !== 'ai') return;
    this.stopSilenceWatch();
    this.silenceTimer = setTimeout(() => (this.wait ? this.onWaitingQuietly() : this.onSilence()), afterMs);
    this.silenceTimer.unref();
  }

  private stopSilenceWatch(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
  }

  private onSilence(): void {
    this.silenceTimer = null;
    if (!this.isLive || this.callState.state !== 'ai' || this.turn || this.callerLine) return;
    const attempt = ++this.silentPrompts;
    const line = SILENCE_LINES[Math.min(attempt, SILENCE_LINES.length) - 1]!;
    this.recordEvent('silence', { attempt, afterMs: this.o.silenceRepromptMs });
    if (attempt >= SILENCE_LINES.length) this.pendingEnd = 'silence_timeout';
    this.startTurn(() => oneChunk(line));
  }

  // ---------------------------------------------------------------- waiting for a person

  private startWait(): void {
    if (this.wait) return;
    this.wait = new TakeoverWait(Date.now(), { companyMs: this.steering.waitCompanyMs, offerMs: this.steering.waitOfferMs });
    this.update({ waitingSince: this.wait.since });
  }

  private endWait(): void {
    if (!this.wait) return;
    this.wait = null;
    this.update({ waitingSince: null });
  }

  private onWaitingQuietly(): void {
    this.silenceTimer = null;
    const wait = this.wait;
    if (!wait || !this.isLive || this.callState.state !== 'ai' || this.turn || this.callerLine) return;
    const now = Date.now();
    const { line, offer } = wait.prompt(now);
    this.recordEvent('waiting', { waitedMs: now - wait.since, offer });
    this.startTurn(() => oneChunk(line));
  }

  /** The caller answered while waiting: the wait's own replies (keep waiting, call back, carry on), or null. */
  private onWaitingCallerLine(text: string): string | null {
    const wait = this.wait!;
    const callerNumber = this.summary.direction === 'inbound' ? this.summary.from : this.summary.to;
    const reply = wait.onCallerLine(text, Date.now(), /^\+?\d{7,}$/.test(callerNumber) ? callerNumber : null);
    switch (reply.kind) {
      case 'none':
        return null;
      case 'callback':
        this.recordEvent('callback_requested', { number: reply.number, when: reply.when });
        this.endWait();
        return reply.line;
      case 'continue_with_ai':
        this.recordEvent('takeover_withdrawn', { waitedMs: Date.now() - wait.since });
        this.endWait();
        this.takeoverReason = null;
        return reply.line;
      default:
        return reply.line;
    }
  }

  // ---------------------------------------------------------------- pause

  private startPauseHoldLine(afterMs = this.steering.pauseHoldLineMs): void {
    if (!afterMs) return;
    this.stopPauseHoldLine();
    this.pauseHoldTimer = setTimeout(() => {
      this.pauseHoldTimer = null;
      if (!this.isLive || this.callState.state !== 'ai_paused') return;
      // A line the agent had the AI say already filled the quiet; never speak over the caller.
      if (this.turn) return;
      if (this.callerLine) this.startPauseHoldLine(PAUSE_HOLD_RETRY_MS);
      else this.startTurn(() => oneChunk(PAUSE_HOLD_LINE));
    }, afterMs);
    this.pauseHoldTimer.unref();
  }

  private stopPauseHoldLine(): void {
    if (this.pauseHoldTimer) clearTimeout(this.pauseHoldTimer);
    this.pauseHoldTimer = null;
  }

  // ---------------------------------------------------------------- ending

  private async finish(reason: string): Promise<void> {
    if (this.summary.status === 'ended') return;
    this.recordPendingLines();
    this.stopSilenceWatch();
    this.stopPauseHoldLine();
    this.keypad.reset();
    this.wait = null;
    this.cutOff('end');
    this.turnYield.close();
    this.sttAbort.abort();
    // Mark the call ended before hanging up: closing the stream reports back synchronously.
    const atTwilio = this.o.control && offOurStream(this.callState.state) && reason !== 'completed';
    this.callState.move('ended');
    this.update({ status: 'ended', state: 'ended', aiActivity: 'idle', endedAt: Date.now(), endReason: reason, waitingSince: null });
    this.recordEvent('ended', { reason });
    if (this.stream.isOpen) this.stream.hangUp(reason);
    if (atTwilio) {
      // The call is with the agent's softphone (or on its way back), not on a stream of ours:
      // end it at Twilio. (With the AI, closing the stream ends it: nothing follows <Connect>.)
      await this.o.control!.hangUp().catch((error: Error) => this.log.warn({ err: error }, 'could not end the call at Twilio'));
    }
    this.log.info({ reason, durationMs: Math.round(this.nowMs()) }, 'call ended');
  }

  // ---------------------------------------------------------------- bookkeeping

  /** The one place an AI or agent line is made: redacted here, whatever it goes on to. */
  private utterance(turn: SpokenTurn, text: string, final: boolean): SaidLine {
    const startMs = turn.startMs ?? this.nowMs();
    const redaction = redact(text, this.privacy.policy);
    return {
      line: {
        id: turn.id,
        callId: this.id,
        speaker: turn.speaker,
        text: redaction.text,
        final,
        startMs,
        endMs: Math.max(startMs, turn.endMs ?? this.nowMs()),
        sentiment: null,
        interrupted: final && turn.interrupted,
      },
      said: text,
      redaction,
    };
  }

  /** Stores a final AI or agent line and shows it; returns it as the console got it. */
  private saveLine(line: SaidLine): Utterance {
    if (line.line.final) this.saidSinceCaller.push(line.said);
    this.storeLine(line);
    const shown = this.publishLine(line);
    this.update({ utteranceCount: this.summary.utteranceCount + 1 });
    // Synthesised speech has no word times: the whole line's audio is toned.
    if (line.redaction.changed) this.toneRedactedAudio(redactedAudioSpans(line.line, line.redaction.spans));
    return shown;
  }

  /** Stores the line: the original beside it only when the policy keeps originals, and what kinds were masked. */
  private storeLine({ line, said, redaction }: SaidLine): void {
    const stored = this.privacy.keepOriginals && redaction.changed ? { ...line, originalText: said } : line;
    const kinds = redaction.spans.map((span) => span.kind);
    this.persist(() => this.o.recorder.appendUtterance(stored, kinds.length > 0 ? { kinds } : undefined));
  }

  /** Sends the line to the console (and every core listener); the original only when Settings allow. */
  private publishLine({ line, said, redaction }: SaidLine): Utterance {
    const shown = this.privacy.showOriginals && redaction.changed ? { ...line, originalText: said } : line;
    this.emit({ name: 'call.transcript', payload: shown });
    return shown;
  }

  private toneRedactedAudio(spans: RedactedAudio[]): void {
    for (const span of spans) this.o.onRedactedAudio?.(this.id, span);
  }

  /**
   * Adds a message to the AI's history, redacted; the words as said are kept beside it only
   * when this call's LLM may see them (see CallPrivacy).
   */
  private pushHistory(role: ChatMessage['role'], redacted: string, said: string): ChatMessage {
    const message: ChatMessage = { role, text: redacted };
    if (said !== redacted && this.llmSeesOriginals) this.saidInHistory.set(message, said);
    this.history.push(message);
    return message;
  }

  /** The history as this call's LLM is sent it. */
  private llmHistory(): ChatMessage[] {
    if (!this.llmSeesOriginals) return [...this.history];
    return this.history.map((m) => {
      const said = this.saidInHistory.get(m);
      return said === undefined ? m : { ...m, text: said };
    });
  }

  private get llmSeesOriginals(): boolean {
    return this.privacy.keepOriginals && (this.o.providers.llm.offline || this.privacy.cloudLlmSeesOriginals);
  }

  private setActivity(activity: AiActivity): void {
    if (this.summary.controller === 'agent' && activity !== 'detached') return;
    // A paused AI reads as paused, even while it says "one moment, please".
    if (this.callState.state === 'ai_paused') return;
    if (this.summary.aiActivity !== activity) this.update({ aiActivity: activity });
  }

  /** Moves who-has-the-call, and shows it (with whatever else changes with it). */
  private move(to: CallState, patch: Partial<CallSummary> = {}): void {
    this.callState.move(to);
    this.update({ state: to, ...patch });
  }

  private update(patch: Partial<CallSummary>): void {
    Object.assign(this.summary, patch);
    // What the AI is doing, who steers it, open alerts and the trend are live-only; the rest is kept.
    const durable = Object.keys(patch).some((key) => !LIVE_ONLY.has(key as keyof CallSummary));
    if (durable) this.persist(() => this.o.recorder.updateCall(this.id, patch));
    this.emit({ name: 'call.updated', payload: this.snapshot });
  }

  /**
   * The one place a call event is made. Its words (tool arguments such as record_fact values,
   * whispers, lines for the AI, reasons, errors) are redacted here; ids are left alone.
   * `original` is data as it was when the caller masked it already (keypad entries).
   */
  private recordEvent(type: CallEventType, data: Record<string, unknown>, original?: Record<string, unknown>): CallEvent {
    const redacted = redactEventData(data, this.privacy);
    const said = original ?? (redacted.changed ? data : undefined);
    const event: CallEvent = { id: randomUUID(), callId: this.id, type, atMs: Math.round(this.nowMs()), data: redacted.data };
    const stored = this.privacy.keepOriginals && said ? { ...event, originalData: said } : event;
    this.persist(() => this.o.recorder.appendEvent(stored));
    const shown = this.privacy.showOriginals && said ? { ...event, originalData: said } : event;
    this.emit({ name: 'call.event', payload: shown });
    return shown;
  }

  /** A failing disk must not take the live call down with it; the error is logged and shown. */
  private persist(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.log.error({ err: error }, 'could not store call data');
      this.emit({
        name: 'call.event',
        payload: { id: randomUUID(), callId: this.id, type: 'error', atMs: Math.round(this.nowMs()), data: { stage: 'store', message: (error as Error).message } },
      });
    }
  }

  private emit(event: AnyEvent): void {
    this.o.emit(event);
  }

  private nowMs(): number {
    return performance.now() - this.startedPerfMs;
  }

  private assertLive(): void {
    if (!this.isLive) throw new CallError('conflict', 'the call has ended');
  }
}

/** Every string in an event's data, at any depth, redacted (keys that are ids are left alone). */
function redactEventData(data: Record<string, unknown>, privacy: CallPrivacy): { data: Record<string, unknown>; changed: boolean } {
  let changed = false;
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      if (EVENT_ID_KEY.test(key)) return value;
      const r = redact(value, privacy.policy);
      if (r.changed) changed = true;
      return r.text;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  const out = walk(data, '') as Record<string, unknown>;
  return { data: changed ? out : data, changed };
}

const LIVE_ONLY = new Set<keyof CallSummary>(['aiActivity', 'state', 'sentimentTrend', 'waitingSince', 'alert', 'openAlerts']);

async function* oneChunk(text: string): AsyncIterable<LlmChunk> {
  yield { type: 'text', text };
}
