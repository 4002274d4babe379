/**
 * One turn of speech towards the caller (the AI's reply, a greeting, or an agent's typed
 * line), clause by clause. A Twilio mark follows each clause's audio; its echo means the
 * caller heard that clause. So when a turn is cut off we know what was actually heard.
 */
import type { Speaker } from '@shared/domain';
import type { TurnTimer } from './turn-timer';

interface Clause {
  text: string;
  audioMs: number;
  markName: string;
  heard: boolean;
}

export class SpokenTurn {
  readonly controller = new AbortController();
  private readonly clauses: Clause[] = [];
  /** Wall-clock ms (performance.now) when the caller started hearing the current clause. */
  private playingSince: number | null = null;
  private generationDone = false;
  interrupted = false;
  /** ms since call start when the first audio went out, and when the last mark came back. */
  startMs: number | null = null;
  endMs: number | null = null;

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

  /** The first chunk of a clause's audio is going out. */
  startSending(): void {
    this.sending = true;
  }

  /** Every clause generated and every one heard. */
  get complete(): boolean {
    return this.generationDone && this.clauses.every((c) => c.heard);
  }

  addClause(text: string, audioMs: number, nowPerfMs: number): string {
    this.sending = false;
    const markName = `${this.id}:${this.clauses.length}`;
    if (this.playingSince === null && !this.audible) this.playingSince = nowPerfMs;
    this.clauses.push({ text, audioMs, markName, heard: false });
    return markName;
  }

  finishGeneration(): void {
    this.generationDone = true;
  }

  /** Records a mark echo. Returns false for marks that are not this turn's. */
  markHeard(markName: string, nowPerfMs: number): boolean {
    const clause = this.clauses.find((c) => c.markName === markName);
    if (!clause || clause.heard) return false;
    clause.heard = true;
    this.playingSince = this.clauses.some((c) => !c.heard) ? nowPerfMs : null;
    return true;
  }

  /**
   * What the caller heard: every clause whose mark came back, plus the words of the
   * clause being played, in proportion to how long it has been playing.
   */
  heardText(nowPerfMs: number): string {
    const heard: string[] = [];
    for (const clause of this.clauses) {
      if (clause.heard) {
        heard.push(clause.text);
        continue;
      }
      if (this.playingSince !== null && clause.audioMs > 0) {
        const fraction = Math.min(1, Math.max(0, (nowPerfMs - this.playingSince) / clause.audioMs));
        const clauseWords = clause.text.split(/\s+/);
        const count = Math.floor(clauseWords.length * fraction);
        if (count > 0) heard.push(clauseWords.slice(0, count).join(' '));
      }
      break;
    }
    return heard.join(' ');
  }
}
