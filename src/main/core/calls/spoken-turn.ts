/**
 * One turn of speech towards the caller (the AI's reply, a greeting, or an agent's typed
 * line), clause by clause. A Twilio mark follows each clause's audio; its echo means the
 * caller heard that clause. So when a turn is cut off we know what was actually heard.
 *
 * Where the caller is in the turn's audio is kept as one playback clock: Twilio plays what we
 * send in order, in real time, from the moment it arrives; each mark echo re-anchors the clock
 * (the caller finished that clause then), as does audio sent after Twilio's buffer ran dry.
 * The turn also keeps the audio not yet heard, so a turn paused on the caller's voice onset
 * (a possible interruption) can resume from the last word the caller heard.
 */
import type { Speaker } from '@shared/domain';
import { FRAME_BYTES, MULAW_DECODE } from '../pipeline/audio';
import type { TurnTimer } from './turn-timer';

interface Clause {
  text: string;
  audioMs: number;
  /** Where the clause's audio starts and ends in the turn, in ms. */
  startMs: number;
  endMs: number;
  markName: string;
  heard: boolean;
}

/** A stretch of the turn's mu-law audio at `atMs` into the turn. */
interface AudioChunk {
  atMs: number;
  bytes: Buffer;
}

/** What to send again to resume a paused turn: audio, each clause's mark where its audio ends. */
export type ResumeStep = { audio: Buffer } | { mark: string };

/** How far back from the caller's position a resume looks for a pause between words. */
const WORD_GAP_SEARCH_MS = 400;
/** A 20 ms frame this quiet (mean |sample|) is a gap between words. */
const WORD_GAP_LEVEL = 300;

export class SpokenTurn {
  readonly controller = new AbortController();
  private readonly clauses: Clause[] = [];
  private readonly chunks: AudioChunk[] = [];
  /** ms of audio sent so far (the end of the turn's audio as Twilio has it). */
  private sentEndMs = 0;
  /** The playback clock: at `anchorPerfMs` (performance.now) the caller was at `anchorPosMs`. */
  private anchorPosMs = 0;
  private anchorPerfMs: number | null = null;
  /** Audio of the clause being synthesised, before its clause exists. */
  private clauseStartMs = 0;
  private generationDone = false;
  private resumes = 0;
  interrupted = false;
  /** ms since call start when the first audio went out, and when the last mark came back. */
  startMs: number | null = null;
  endMs: number | null = null;
  /**
   * Paused on the caller's voice onset: our audio was cleared at `atPerfMs`. Until it resumes
   * (or is cut off), nothing more is sent; what the caller had not heard waits here.
   */
  paused: { atPerfMs: number; posMs: number } | null = null;

  constructor(
    readonly id: string,
    readonly speaker: Speaker,
    /** AI turns yield to caller speech; an agent's lines are never cut off by the machine. */
    readonly interruptible: boolean,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Text queued for the caller so far (what the AI is about to say). */
  get plannedText(): string {
    return this.clauses.map((c) => c.text).join(' ');
  }

  /** A clause's audio is going out right now (its mark follows once it is all sent). */
  private sending = false;
  /** Set once the turn has been stored as complete, so it is completed only once. */
  done = false;
  /** Latency stages of an AI reply to a caller line (null for greetings and agent lines). */
  timer: TurnTimer | null = null;
  /** The cloud voice failed during this turn: the rest of it is spoken offline. */
  ttsFellBack = false;
  /** ConversationRelay: Twilio speaks this turn by itself (the welcome greeting); we only follow it. */
  saidByTwilio = false;

  /** True while some of this turn's audio has not yet been heard. */
  get audible(): boolean {
    return this.sending || this.clauses.some((c) => !c.heard && c.audioMs > 0);
  }

  /** Some of this turn's audio has gone out to the caller. */
  get hasAudio(): boolean {
    return this.sending || this.clauses.some((c) => c.audioMs > 0);
  }

  /** The first chunk of a clause's audio is going out (ConversationRelay: Twilio has its text). */
  startSending(): void {
    this.sending = true;
  }

  /**
   * A chunk of the turn's audio, in order. Returns false while the turn is paused: the chunk
   * is kept for the resume, not sent.
   */
  addAudio(bytes: Buffer, nowPerfMs: number): boolean {
    this.sending = true;
    const atMs = this.sentEndMs;
    this.chunks.push({ atMs, bytes });
    if (this.paused) {
      this.sentEndMs += bytes.length / 8;
      return false;
    }
    this.sent(bytes.length / 8, nowPerfMs);
    return true;
  }

  /** `ms` more audio reached Twilio at `nowPerfMs`; if its buffer had run dry, playback restarts now. */
  private sent(ms: number, nowPerfMs: number): void {
    if (this.anchorPerfMs === null || this.positionMs(nowPerfMs) >= this.sentEndMs) {
      this.anchorPosMs = this.sentEndMs;
      this.anchorPerfMs = nowPerfMs;
    }
    this.sentEndMs += ms;
  }

  /** Where the caller is in the turn's audio at `nowPerfMs` (frozen while paused). */
  positionMs(nowPerfMs: number): number {
    if (this.paused) return this.paused.posMs;
    if (this.anchorPerfMs === null) return 0;
    return Math.min(this.sentEndMs, this.anchorPosMs + Math.max(0, nowPerfMs - this.anchorPerfMs));
  }

  /** Every clause generated and every one heard. */
  get complete(): boolean {
    return this.generationDone && this.clauses.every((c) => c.heard);
  }

  /**
   * The clause whose audio was just sent (`audioMs` of it, through addAudio; or none, when
   * Twilio speaks it). Returns its mark's name.
   */
  addClause(text: string, audioMs: number, nowPerfMs: number): string {
    this.sending = false;
    const startMs = this.clauseStartMs;
    // Audio that did not come through addAudio (ConversationRelay: Twilio speaks the text).
    if (this.sentEndMs - startMs < audioMs) this.sent(audioMs - (this.sentEndMs - startMs), nowPerfMs);
    const markName = `${this.id}:${this.clauses.length}`;
    this.clauses.push({ text, audioMs, startMs, endMs: this.sentEndMs, markName, heard: false });
    this.clauseStartMs = this.sentEndMs;
    return markName;
  }

  finishGeneration(): void {
    this.generationDone = true;
  }

  /** Records a mark echo. Returns false for marks that are not this turn's (or not current). */
  markHeard(markName: string, nowPerfMs: number): boolean {
    const clause = this.clauses.find((c) => c.markName === markName);
    if (!clause || clause.heard || this.paused) return false;
    clause.heard = true;
    // The caller finished this clause just now: re-anchor the playback clock.
    this.anchorPosMs = clause.endMs;
    this.anchorPerfMs = nowPerfMs;
    // Heard audio is never sent again: drop it.
    while (this.chunks.length > 0 && this.chunks[0]!.atMs + this.chunks[0]!.bytes.length / 8 <= clause.endMs) this.chunks.shift();
    return true;
  }

  /**
   * What the caller heard: every clause up to where playback is, plus the words of the
   * clause being played, in proportion to how far into it the caller is.
   */
  heardText(nowPerfMs: number): string {
    const position = this.positionMs(nowPerfMs);
    const heard: string[] = [];
    for (const clause of this.clauses) {
      if (clause.heard || clause.endMs <= position) {
        heard.push(clause.text);
        continue;
      }
      if (clause.audioMs > 0 && position > clause.startMs) {
        const fraction = Math.min(1, (position - clause.startMs) / (clause.endMs - clause.startMs));
        const clauseWords = clause.text.split(/\s+/);
        const count = Math.floor(clauseWords.length * fraction);
        if (count > 0) heard.push(clauseWords.slice(0, count).join(' '));
      }
      break;
    }
    return heard.join(' ');
  }

  /** The caller may be talking over us: freeze what they have heard (the caller's audio is cleared now). */
  pause(nowPerfMs: number): void {
    if (this.paused) return;
    this.paused = { atPerfMs: nowPerfMs, posMs: this.positionMs(nowPerfMs) };
  }

  /**
   * It was not an interruption: what to send again, from the last gap between words before
   * where the caller stopped hearing, with every clause's mark (renamed: the old ones came
   * back with the `clear` and mean nothing). Playback restarts from there now.
   */
  resume(nowPerfMs: number): { steps: ResumeStep[]; fromMs: number; marks: string[] } {
    const paused = this.paused;
    if (!paused) return { steps: [], fromMs: this.positionMs(nowPerfMs), marks: [] };
    this.paused = null;
    this.resumes += 1;
    const fromMs = this.wordGapBefore(paused.posMs);
    const steps: ResumeStep[] = [];
    const marks: string[] = [];
    let pending: Buffer[] = [];
    const flush = () => {
      if (pending.length > 0) steps.push({ audio: Buffer.concat(pending) });
      pending = [];
    };
    // Clauses played to their end before the pause were heard (their marks went with the clear).
    for (const clause of this.clauses) if (!clause.heard && clause.audioMs > 0 && clause.endMs <= fromMs) clause.heard = true;
    const unheard = this.clauses.filter((c) => !c.heard && c.endMs > fromMs);
    let next = 0;
    for (const chunk of this.chunks) {
      const chunkEnd = chunk.atMs + chunk.bytes.length / 8;
      if (chunkEnd <= fromMs) continue;
      const skip = Math.max(0, Math.round((fromMs - chunk.atMs) * 8));
      pending.push(skip > 0 ? chunk.bytes.subarray(skip) : chunk.bytes);
      // A clause ends inside or at the end of this chunk: its mark goes right after its audio.
      while (next < unheard.length && unheard[next]!.endMs <= chunkEnd) {
        const clause = unheard[next]!;
        const cut = pending.length > 0 ? Math.round((chunkEnd - clause.endMs) * 8) : 0;
        if (cut > 0) {
          const last = pending.pop()!;
          pending.push(last.subarray(0, last.length - cut));
          flush();
          pending.push(last.subarray(last.length - cut));
        } else {
          flush();
        }
        clause.markName = `${this.id}:${this.clauses.indexOf(clause)}:r${this.resumes}`;
        steps.push({ mark: clause.markName });
        marks.push(clause.markName);
        next += 1;
      }
    }
    flush();
    // Clauses Twilio speaks have no audio here; none are paused (only media streams pause).
    this.anchorPosMs = fromMs;
    this.anchorPerfMs = nowPerfMs;
    return { steps, fromMs, marks };
  }

  /**
   * The start of the quietest 20 ms frame within WORD_GAP_SEARCH_MS before `posMs` (never
   * before the last heard clause), when it is quiet enough to be between words; else `posMs`
   * itself, on a frame boundary. Replaying from a gap repeats part of a word at most.
   */
  private wordGapBefore(posMs: number): number {
    const floor = Math.max(0, posMs - WORD_GAP_SEARCH_MS, ...this.clauses.filter((c) => c.heard).map((c) => c.endMs));
    let best = { atMs: Math.max(floor, posMs - (posMs % 20)), level: Number.POSITIVE_INFINITY };
    for (const chunk of this.chunks) {
      for (let offset = 0; offset + FRAME_BYTES <= chunk.bytes.length; offset += FRAME_BYTES) {
        const atMs = chunk.atMs + offset / 8;
        if (atMs < floor || atMs + 20 > posMs) continue;
        let sum = 0;
        for (let i = offset; i < offset + FRAME_BYTES; i++) sum += Math.abs(MULAW_DECODE[chunk.bytes[i]!]!);
        const level = sum / FRAME_BYTES;
        // Ties go to the later frame: the least repeated.
        if (level <= best.level) best = { atMs, level };
      }
    }
    return best.level <= WORD_GAP_LEVEL ? best.atMs : Math.max(floor, posMs - (posMs % 20));
  }
}
