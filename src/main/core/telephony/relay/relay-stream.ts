/**
 * One ConversationRelay session: the call's line when Twilio does the speech.
 *
 * It offers the call session what a MediaStream does, in text: the caller's words arrive as
 * `prompt`s (exposed as an SttStream, so the session hears them like any recogniser's), the
 * AI's words leave as `text` tokens that Twilio speaks, keypad digits as `dtmf`.
 *
 * Twilio never says when it has finished speaking a token, so "heard" is estimated: each
 * token occupies the line for `msPerChar` per character after whatever is already queued,
 * and a mark is echoed when the line reaches it (what a Media Stream's mark echo means).
 * When the caller speaks over the AI, Twilio stops speaking and tells us exactly what was
 * heard (`interrupt`); that replaces the estimate, and pending marks are dropped, as after a
 * Media Streams `clear`.
 *
 * Twilio has no message to stop speaking on request: `clear()` only forgets our marks (the
 * text already sent finishes), and handing the call to a person ends the session (`end` with
 * handoffData), which stops Twilio at once.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { EventQueue } from '../../providers/event-queue';
import type { SttEvent, SttStream } from '../../providers/types';
import { SEND_DIGITS, type RelayHandoff, type RelayInbound, type RelayOutbound, type SetupMessage } from './relay-protocol';

/**
 * Twilio's voices speak about 14 characters a second (~150 words a minute); an estimate of
 * when a token has been heard, used only until Twilio reports an interruption.
 */
export const RELAY_MS_PER_CHAR = 70;

/** How long Twilio has to close the socket after our `end`. */
const END_GRACE_MS = 2000;

export type RelayStreamEvents = {
  mark: [name: string];
  dtmf: [digit: string];
  /** The caller spoke over our text: Twilio stopped after `heard` (what the caller heard of it). */
  interrupt: [heard: string, durationMs: number];
  /** Twilio reported an error in a message of ours (the session goes on). */
  error: [description: string];
  closed: [reason: string];
};

export class RelayStream extends EventEmitter<RelayStreamEvents> {
  readonly transport = 'relay' as const;
  /** Twilio's session id (VX…), in the place a Media Stream's StreamSid has. */
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
  readonly customParameters: Readonly<Record<string, string>>;
  /** The caller's words, as a recogniser's events (prompts: partial = interim, last = final). */
  readonly stt: SttStream;
  private readonly events = new EventQueue<SttEvent>();
  private readonly openedMs = performance.now();
  private open = true;
  /** When the text queued so far will have been spoken (performance.now() ms). */
  private playheadMs = 0;
  private readonly markTimers = new Set<NodeJS.Timeout>();
  /** Start of the caller's utterance in progress (partial prompts), stream clock ms. */
  private utteranceStartMs: number | null = null;
  private turnOpen = false;

  constructor(
    private readonly socket: WebSocket,
    setup: SetupMessage,
    private readonly msPerChar = RELAY_MS_PER_CHAR,
  ) {
    super();
    this.streamSid = setup.sessionId;
    this.callSid = setup.callSid;
    this.accountSid = setup.accountSid;
    this.customParameters = setup.customParameters;
    const events = this.events;
    this.stt = {
      write: () => undefined, // Twilio transcribes; no audio reaches us
      events,
      close: async () => events.end(),
    };
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** ms since the session opened: the clock of the caller's prompts. */
  clockMs(): number {
    return performance.now() - this.openedMs;
  }

  /** How long Twilio will take to speak `text`, estimated. */
  speakingMs(text: string): number {
    return text.length * this.msPerChar;
  }

  /** Streams part of the AI's line; Twilio speaks tokens as they come. */
  sendText(token: string): void {
    if (!token) return;
    if (this.send({ type: 'text', token, last: false, interruptible: true, preemptible: false })) {
      this.turnOpen = true;
      this.playheadMs = Math.max(this.playheadMs, performance.now()) + this.speakingMs(token);
    }
  }

  /** Ends the line being spoken (`last: true`): Twilio says what it still holds. */
  endTurn(): void {
    if (!this.turnOpen) return;
    this.turnOpen = false;
    this.send({ type: 'text', token: '', last: true, interruptible: true, preemptible: false });
  }

  /** Echoed (as 'mark') once the text sent before it has been spoken, by the estimate. */
  sendMark(name: string): void {
    if (!this.open) return;
    const timer = setTimeout(
      () => {
        this.markTimers.delete(timer);
        if (this.open) this.emit('mark', name);
      },
      Math.max(0, this.playheadMs - performance.now()),
    );
    this.markTimers.add(timer);
  }

  /** Forgets pending marks (Twilio has no "stop speaking" message; what was sent is spoken). */
  clear(): void {
    for (const timer of this.markTimers) clearTimeout(timer);
    this.markTimers.clear();
    this.playheadMs = 0;
    this.endTurn();
  }

  /** Plays audio Twilio fetches from `source` (hold music). */
  play(source: string, loop = 1): void {
    this.send({ type: 'play', source, loop, interruptible: true, preemptible: true });
  }

  /** Plays keypad tones to the far end (an IVR the AI called, say). */
  sendDigits(digits: string): void {
    if (!SEND_DIGITS.test(digits)) throw new RangeError('digits must be 1-64 of 0-9 * # w');
    this.send({ type: 'sendDigits', digits });
  }

  /** Switches the languages Twilio speaks and transcribes in (BCP-47, e.g. es-ES). */
  setLanguage(language: { tts?: string; transcription?: string }): void {
    this.send({ type: 'language', ...(language.tts ? { ttsLanguage: language.tts } : {}), ...(language.transcription ? { transcriptionLanguage: language.transcription } : {}) });
  }

  /**
   * Ends the session; Twilio then asks the `<Connect action>` URL what to do with the call
   * (a person's softphone, or hang up), passing `handoff` along as HandoffData.
   */
  end(handoff: RelayHandoff): void {
    this.send({ type: 'end', handoffData: JSON.stringify(handoff) });
    // Twilio closes the socket once it has ended the session; closing first could race the
    // `end` (Twilio would report the socket ended abruptly, 64105), so only a peer that
    // never does is closed, after a grace period.
    this.finish(handoff.reasonCode === 'live-agent-handoff' ? 'handed to a person' : 'ended by app', END_GRACE_MS);
  }

  /** Ends the call from our side (the action callback answers <Hangup/> for it). */
  hangUp(reason = 'hung up by app'): void {
    if (this.open) this.end({ reasonCode: 'ended', reason });
  }

  /** @internal The bridge hands each validated message after `setup` here. A reason when it is out of place. */
  handle(message: RelayInbound): string | null {
    switch (message.type) {
      case 'prompt': {
        const nowMs = this.clockMs();
        const startMs = this.utteranceStartMs ?? Math.max(0, nowMs - this.speakingMs(message.voicePrompt));
        if (!message.last) {
          this.utteranceStartMs ??= startMs;
          this.events.push({ type: 'interim', text: message.voicePrompt, startMs, endMs: nowMs });
          return null;
        }
        this.utteranceStartMs = null;
        this.events.push({ type: 'final', text: message.voicePrompt, startMs, endMs: nowMs, confidence: null });
        return null;
      }
      case 'interrupt':
        // Twilio has stopped speaking: nothing queued will be heard, no mark will come.
        for (const timer of this.markTimers) clearTimeout(timer);
        this.markTimers.clear();
        this.playheadMs = 0;
        this.turnOpen = false;
        this.emit('interrupt', message.utteranceUntilInterrupt, message.durationUntilInterruptMs);
        return null;
      case 'dtmf':
        this.emit('dtmf', message.digit);
        return null;
      case 'error':
        this.emit('error', message.description);
        return null;
      case 'info':
        return null;
      case 'setup':
        return 'a second setup message';
    }
  }

  /** @internal The session is over (Twilio closed it, or we ended it): the socket closes now or after `closeAfterMs`. */
  finish(reason: string, closeAfterMs = 0): void {
    if (!this.open) return;
    this.open = false;
    for (const timer of this.markTimers) clearTimeout(timer);
    this.markTimers.clear();
    this.events.end();
    const close = () => {
      if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, reason.slice(0, 120));
    };
    if (closeAfterMs > 0) setTimeout(close, closeAfterMs).unref();
    else close();
    this.emit('closed', reason);
  }

  private send(message: RelayOutbound): boolean {
    if (!this.open || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }
}
