/**
 * The few lines an agent reads when taking a call over: what the caller wants, the details
 * they gave, their mood, and their last words. Built from the call's own analysis; no model.
 */
import { sentimentBand, type SentimentBand } from '@shared/sentiment';

export interface HandoverFacts {
  /** What the latest caller lines were about (intent label), if known. */
  intent: string | null;
  /** Details the caller gave, in order, without repeats ("account number 45678"). */
  details: string[];
  /** Mean caller sentiment so far, and the last line's. */
  meanSentiment: number | null;
  lastSentiment: number | null;
  lastCallerLine: string | null;
}

/** The console's bands (src/shared/sentiment.ts), in the words an agent reads at take-over. */
const MOOD: Readonly<Record<SentimentBand, string>> = { very_negative: 'upset', negative: 'unhappy', neutral: 'neutral', positive: 'positive' };

function mood(score: number): string {
  return MOOD[sentimentBand(score)];
}

export function handoverSummary(facts: HandoverFacts): string {
  const parts: string[] = [];
  if (facts.intent) parts.push(`Wants: ${facts.intent}.`);
  if (facts.details.length) parts.push(`Details: ${facts.details.join('; ')}.`);
  if (facts.meanSentiment !== null && facts.lastSentiment !== null) {
    const trend =
      facts.lastSentiment < facts.meanSentiment - 0.15 ? ', getting worse' : facts.lastSentiment > facts.meanSentiment + 0.15 ? ', improving' : '';
    parts.push(`Mood: ${mood(facts.meanSentiment)}${trend}.`);
  }
  if (facts.lastCallerLine) parts.push(`Last said: “${facts.lastCallerLine}”`);
  return parts.length ? parts.join(' ') : 'The caller has not said anything yet.';
}
