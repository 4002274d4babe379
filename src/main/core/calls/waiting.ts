/**
 * A caller waiting for a person must never be hung up on. While a take-over is requested and
 * nobody has taken the call, the AI keeps the caller company at an interval instead of the
 * silence re-prompts, and after a longer wait offers a choice: keep waiting, a call back (it
 * records the number and time), or carry on with the AI. The same deterministic lines with
 * every engine, so the behaviour is predictable and testable.
 */

export type WaitStage = 'waiting' | 'offered' | 'callback_details';

export type WaitReply =
  /** Not about the wait: the AI answers as usual. */
  | { kind: 'none' }
  | { kind: 'keep_waiting'; line: string }
  | { kind: 'ask_callback'; line: string }
  | { kind: 'callback'; line: string; number: string; when: string | null }
  | { kind: 'continue_with_ai'; line: string };

export const WAIT_LINES = {
  company: "You're still in the queue for a member of our team. Thanks for waiting, it shouldn't be long.",
  offer:
    "I'm sorry, everyone is still busy. You can keep waiting, I can arrange for someone to call you back, or I can carry on helping you myself. Which would you prefer?",
  keepWaiting: "No problem, I'll keep you in the queue and someone will be with you as soon as they're free.",
  askCallback: 'Of course. What number should we call you on, and when suits you best?',
  continueWithAi: "Alright, let's carry on together. What can I help you with?",
} as const;

const CALLBACK = /\b(call(?:ing)? (?:me )?back|callback|ring me|phone me|call me)\b/i;
const CONTINUE = /\b(carry on|continue|go on|you can help|help me yourself|with you|never ?mind|forget it|don'?t need (?:a|the) (?:person|human|agent))\b/i;
const KEEP = /\b(wait|hold|stay|keep waiting|i'?ll hold)\b/i;
const WHEN = new RegExp(
  String.raw`\b(now|today|tonight|tomorrow(?: (?:morning|afternoon|evening))?|this (?:morning|afternoon|evening)|` +
    String.raw`(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: (?:morning|afternoon|evening))?|` +
    String.raw`(?:at |around |after |before )?\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'clock)|in (?:an|one|two|\d+) hours?|in the (?:morning|afternoon|evening)|any ?time)\b`,
  'gi',
);

/** When the caller said to call back ("tomorrow morning at 10 am"), as said; null when they did not say. */
export function callbackWhen(text: string): string | null {
  const parts = [...text.matchAll(WHEN)].map((m) => m[0].trim());
  return parts.length > 0 ? parts.join(' ') : null;
}

/** A phone number in what the caller said (7 to 15 digits, as speech-to-text writes them), or null. */
export function spokenPhoneNumber(text: string): string | null {
  for (const m of text.matchAll(/\+?\d[\d ().-]{5,20}\d/g)) {
    const digits = m[0].replace(/[^\d+]/g, '');
    if (digits.replace('+', '').length >= 7 && digits.replace('+', '').length <= 15) return digits;
  }
  return null;
}

function lastDigits(number: string): string {
  return number.replace(/\D/g, '').slice(-4);
}

/** One take-over request's wait, from the AI asking for a person until someone answers it. */
export class TakeoverWait {
  stage: WaitStage = 'waiting';
  private lastPromptAt: number;
  /** Epoch ms from which the next quiet moment brings the offer. */
  private offerAt: number;

  constructor(
    /** Epoch ms the AI asked for a person. */
    readonly since: number,
    private readonly intervals: { companyMs: number; offerMs: number },
  ) {
    this.lastPromptAt = since;
    this.offerAt = since + intervals.offerMs;
  }

  /** ms until the AI should next say something to the waiting caller (from `now`, epoch ms). */
  nextPromptInMs(now: number): number {
    return Math.max(0, this.lastPromptAt + this.intervals.companyMs - now);
  }

  /** What to say now the caller has waited quietly: company, or once the wait is long, the offer. */
  prompt(now: number): { line: string; offer: boolean } {
    this.lastPromptAt = now;
    if (this.stage === 'waiting' && now >= this.offerAt) {
      this.stage = 'offered';
      return { line: WAIT_LINES.offer, offer: true };
    }
    return { line: WAIT_LINES.company, offer: false };
  }

  /** The caller spoke while waiting (`now` resets the company interval). */
  onCallerLine(text: string, now: number, callerNumber: string | null): WaitReply {
    this.lastPromptAt = now;
    const spokenNumber = spokenPhoneNumber(text);
    if (this.stage === 'callback_details') {
      const number = spokenNumber ?? callerNumber;
      if (!number) return { kind: 'ask_callback', line: 'Sorry, what number should we call you on?' };
      const when = callbackWhen(text);
      const on = spokenNumber ? `on the number ending ${lastDigits(number)}` : "on the number you're calling from";
      return {
        kind: 'callback',
        number,
        when,
        line: `Thank you. A member of our team will call you back ${on}${when ? `, ${when}` : ' as soon as they can'}. Is there anything else I can help with for now?`,
      };
    }
    // Until the offer, only a clear request counts: the caller may just be talking to the AI.
    if (CALLBACK.test(text)) {
      this.stage = 'callback_details';
      // "Call me back tomorrow at 10 on 555…" already says it all.
      if (spokenNumber || callbackWhen(text)) return this.onCallerLine(text, now, callerNumber);
      return { kind: 'ask_callback', line: WAIT_LINES.askCallback };
    }
    if (this.stage !== 'offered') return { kind: 'none' };
    if (CONTINUE.test(text)) return { kind: 'continue_with_ai', line: WAIT_LINES.continueWithAi };
    if (KEEP.test(text)) {
      this.stage = 'waiting';
      this.offerAt = now + this.intervals.offerMs;
      return { kind: 'keep_waiting', line: WAIT_LINES.keepWaiting };
    }
    return { kind: 'none' };
  }
}
