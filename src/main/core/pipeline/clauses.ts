/**
 * Splits streaming LLM text into clauses that can be spoken as soon as they are
 * complete, so speech starts on the first clause rather than the whole reply.
 */
const SENTENCE_END = /[.!?…]+["')\]]?(?=\s|$)/g;
const SOFT_BREAK = /[,;:—–](?=\s)/g;
/** A soft break (comma) only ends a clause once it is this long; short ones sound choppy. */
const MIN_SOFT_CLAUSE_CHARS = 40;

export class ClauseSplitter {
  private buffer = '';

  /** Adds streamed text; returns the clauses it completed. */
  push(text: string): string[] {
    this.buffer += text;
    const clauses: string[] = [];
    for (;;) {
      const cut = this.findCut();
      if (cut < 0) break;
      const clause = this.buffer.slice(0, cut).trim();
      this.buffer = this.buffer.slice(cut);
      if (clause) clauses.push(clause);
    }
    return clauses;
  }

  /** Whatever is left when the stream ends. */
  flush(): string[] {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest ? [rest] : [];
  }

  private findCut(): number {
    SENTENCE_END.lastIndex = 0;
    // Mid-buffer, a sentence end needs the following whitespace to be sure ("3.5", "e.g").
    // At the end of what has arrived, a full stop after a word is taken as the end: waiting
    // for the next chunk would add the model's whole inter-chunk gap to the caller's wait.
    for (let m = SENTENCE_END.exec(this.buffer); m; m = SENTENCE_END.exec(this.buffer)) {
      const end = m.index + m[0].length;
      if (end < this.buffer.length) return end;
      if (/[A-Za-z)"']$/.test(this.buffer.slice(0, m.index))) return end;
    }
    SOFT_BREAK.lastIndex = 0;
    for (let m = SOFT_BREAK.exec(this.buffer); m; m = SOFT_BREAK.exec(this.buffer)) {
      const end = m.index + m[0].length;
      if (end >= MIN_SOFT_CLAUSE_CHARS && end < this.buffer.length) return end;
    }
    return -1;
  }
}

/** Words a listener makes while the other side talks; they are not an interruption. */
const BACKCHANNELS = new Set([
  'uh', 'huh', 'uh-huh', 'uhhuh', 'mm', 'mhm', 'hmm', 'um', 'yeah', 'yep', 'yes', 'ok', 'okay', 'right', 'sure', 'ah', 'oh', 'i', 'see',
]);

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+(?:-[a-z0-9']+)*/g) ?? [];
}

/** True when the text is only backchannel noises ("uh-huh", "okay", "right"). */
export function isBackchannel(text: string): boolean {
  const w = words(text);
  return w.length > 0 && w.length <= 3 && w.every((word) => BACKCHANNELS.has(word));
}

/** Words that count towards an interruption: anything that is not a backchannel. */
export function substantiveWordCount(text: string): number {
  return words(text).filter((word) => !BACKCHANNELS.has(word)).length;
}
