/**
 * Turn-taking while the AI speaks (issue 14): stop on the caller's first syllable, let the
 * words decide. On voice onset (our own VAD on the inbound audio, or the recogniser's
 * speech-started, whichever comes first) the AI's turn is paused at once: Twilio `clear`, and
 * everything the caller has not heard is kept. Then:
 * - a substantive word is a barge-in (the session cuts the turn off, as before);
 * - a backchannel ("uh-huh", "okay"), or no words at all within the resume window (a cough,
 *   a door), is a false alarm: the turn resumes from the last word heard, and the call's
 *   timeline records a `false_interruption`.
 * The window stretches while the caller is still voicing (their words may be on the way), up
 * to MAX_PAUSE_MS. A backchannel resumes as soon as the caller's voice stops (the recogniser's
 * final comes only after its endpointing delay), so the gap the caller hears stays short.
 */
import { isBackchannel } from '../pipeline/clauses';
import { VoiceOnsetDetector, type FvadModule } from '../pipeline/voice-onset';
import type { BargeInSettings } from '../persona';
import type { SpokenTurn } from './spoken-turn';

/** However long the caller keeps voicing without a recognised word, the AI carries on after this (a final with no words resumes sooner). */
export const MAX_PAUSE_MS = 4000;
/** Still voicing this recently: the words may be on their way; wait a little longer. */
const STILL_VOICING_MS = 160;
const RECHECK_MS = 100;

export type OnsetSource = 'voice' | 'stt';
export type FalseAlarm = 'backchannel' | 'no_words';

export interface TurnYieldHost {
  /** The AI turn the caller could interrupt right now (audible, the AI has the call, audio line), or null. */
  yieldableTurn(): SpokenTurn | null;
  /** Silence the turn now (Twilio `clear`), keeping what was not heard. */
  pauseTurn(turn: SpokenTurn, source: OnsetSource): void;
  /** Carry on from the last word heard. */
  resumeTurn(turn: SpokenTurn, why: FalseAlarm, pausedMs: number): void;
}

export class TurnYield {
  private readonly detector: VoiceOnsetDetector | null;
  /** The detector has heard frames of the current audible stretch (reset when it ends). */
  private listening = false;
  private paused: { turn: SpokenTurn; atPerfMs: number; timer: NodeJS.Timeout; backchannel: boolean } | null = null;

  constructor(
    private readonly host: TurnYieldHost,
    private readonly settings: BargeInSettings,
    vad: FvadModule | undefined,
  ) {
    this.detector = vad ? new VoiceOnsetDetector(vad, { mode: settings.vadMode, minVoicedMs: settings.minVoicedMs }) : null;
  }

  /**
   * Every inbound frame of the caller's audio. Returns true when the caller is listening
   * quietly to the AI (no voice in this frame or just before it): the recogniser may take
   * this frame at its leisure (SttUrgency `relaxed`).
   */
  callerAudio(frame: Buffer): boolean {
    if (!this.detector) return false;
    if (this.paused) {
      this.detector.push(frame); // keeps "still voicing" current
      // "Uh-huh" said and done: carry on now rather than wait for the recogniser's final.
      if (this.paused.backchannel && !this.detector.voicedWithin(STILL_VOICING_MS)) this.resume('backchannel');
      return false;
    }
    const turn = this.host.yieldableTurn();
    if (!turn) {
      if (this.listening) this.detector.reset();
      this.listening = false;
      return false;
    }
    this.listening = true;
    if (this.detector.push(frame)) {
      this.pause(turn, 'voice');
      return false;
    }
    return !this.detector.voicedWithin(STILL_VOICING_MS);
  }

  /** The recogniser heard speech start (Deepgram's SpeechStarted, PocketSphinx's utterance start). */
  speechStarted(): void {
    if (this.paused) return;
    const turn = this.host.yieldableTurn();
    if (turn) this.pause(turn, 'stt');
  }

  /** An interim line while paused: only a backchannel so far lets the AI carry on once the voice stops. */
  callerInterim(text: string): void {
    if (this.paused && isBackchannel(text)) this.paused.backchannel = true;
  }

  /**
   * A final line from the caller while paused: nothing or only a backchannel carries on at
   * once. (A substantive word never gets here: the session cut the turn off on its interim.)
   */
  callerFinal(text: string): void {
    const paused = this.paused;
    if (!paused) return;
    if (text.trim() === '') this.resume('no_words');
    else if (isBackchannel(text)) this.resume('backchannel');
  }

  /** The turn ended some other way (barge-in, take-over, the agent's pause, the call's end). */
  settled(turn: SpokenTurn): void {
    if (this.paused?.turn !== turn) return;
    clearTimeout(this.paused.timer);
    this.paused = null;
  }

  get isPaused(): boolean {
    return this.paused !== null;
  }

  close(): void {
    if (this.paused) clearTimeout(this.paused.timer);
    this.paused = null;
    this.detector?.close();
  }

  private pause(turn: SpokenTurn, source: OnsetSource): void {
    this.host.pauseTurn(turn, source);
    this.paused = { turn, atPerfMs: performance.now(), timer: setTimeout(() => this.check(), this.settings.resumeWindowMs), backchannel: false };
  }

  private check(): void {
    const paused = this.paused;
    if (!paused) return;
    if (paused.turn.done || paused.turn.signal.aborted) {
      this.paused = null;
      return;
    }
    const pausedMs = performance.now() - paused.atPerfMs;
    if (this.detector?.voicedWithin(STILL_VOICING_MS) && pausedMs + RECHECK_MS < MAX_PAUSE_MS) {
      paused.timer = setTimeout(() => this.check(), RECHECK_MS);
      return;
    }
    this.resume('no_words');
  }

  private resume(why: FalseAlarm): void {
    const paused = this.paused;
    if (!paused) return;
    clearTimeout(paused.timer);
    this.paused = null;
    this.detector?.reset();
    this.listening = false;
    this.host.resumeTurn(paused.turn, why, performance.now() - paused.atPerfMs);
  }
}
