/**
 * A typed text's length against the limit the core enforces (the contract trims, then counts
 * UTF-16 units, as `String.length` does). Text is never cut at the limit: the count appears as
 * it gets close, and past it the text is marked too long and cannot be sent until shortened.
 */
import { cn } from '../../lib/cn';

/** The count shows from this share of the limit: early enough to trim, late enough not to nag. */
const SHOW_FROM = 0.8;

export interface CharacterBudget {
  /** Characters that would be sent (leading and trailing spaces are not). */
  used: number;
  max: number;
  /** Characters past the limit, 0 within it. */
  over: number;
  /** Close enough to the limit to show the count. */
  near: boolean;
}

export function characterBudget(text: string, max: number): CharacterBudget {
  const used = text.trim().length;
  return { used, max, over: Math.max(0, used - max), near: used >= Math.floor(max * SHOW_FROM) };
}

/** Why the text can't be sent, in words, or null when it can (as far as its length goes). */
export function overLimitReason(budget: CharacterBudget): string | null {
  if (budget.over === 0) return null;
  return `Too long to send: ${budget.over} ${budget.over === 1 ? 'character' : 'characters'} over the ${budget.max} limit. Shorten it to send.`;
}

/** "812 / 1000" near the limit, in the error colour past it; nothing while far from it. */
export function CharacterCount({ budget, id, testId }: { budget: CharacterBudget; id: string; testId: string }) {
  if (!budget.near) return null;
  const over = budget.over > 0;
  return (
    <span
      id={id}
      data-testid={testId}
      data-over={over}
      aria-label={`${budget.used} of ${budget.max} characters`}
      className={cn('shrink-0 font-mono text-[11px] tabular-nums', over ? 'font-semibold text-rose-300' : 'text-slate-400')}
    >
      {budget.used} / {budget.max}
    </span>
  );
}
