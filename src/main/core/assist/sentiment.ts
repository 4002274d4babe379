/**
 * Caller sentiment per line: VADER's compound score, corrected by a call-centre
 * lexicon. VADER is tuned on social media; on support calls it misreads the
 * words that matter ("charged twice" and "no internet" are neutral to it, "please
 * help me cancel" reads as positive, "oh great, another outage" as delighted).
 */
import vader from 'vader-sentiment';
import type { Sentiment } from '@shared/domain';
import { sentimentLabel } from '@shared/sentiment';
import { normalise } from './text';

/**
 * Phrases and their valence in compound-score units, added to VADER's score.
 * Matched on normalised text (lowercase, no apostrophes) at word boundaries.
 */
const CALL_CENTRE_LEXICON: ReadonlyArray<readonly [phrase: string, valence: number]> = [
  // Service failures: neutral words to VADER, bad news on a support line.
  ['charged twice', -0.45], ['double charged', -0.45], ['charged me twice', -0.45],
  ['overcharged', -0.4], ['no internet', -0.4], ['internet is down', -0.4], ['outage', -0.3],
  ['not working', -0.35], ['isnt working', -0.35], ['doesnt work', -0.35], ['stopped working', -0.35],
  ['still not', -0.25], ['still waiting', -0.35], ['still havent', -0.35], ['keeps dropping', -0.35],
  ['too slow', -0.3], ['so slow', -0.3], ['really slow', -0.3], ['buffering', -0.2],
  ['late fee', -0.2], ['never showed up', -0.4], ['didnt turn up', -0.4], ['no one called', -0.35],
  ['nobody', -0.2],
  // Frustration with us.
  ['on hold', -0.3], ['third time', -0.45], ['second time', -0.25], ['again', -0.1],
  ['ridiculous', -0.35], ['unacceptable', -0.45], ['joke', -0.3], ['waste of time', -0.5],
  ['wasting my time', -0.5], ['fed up', -0.45], ['had enough', -0.45], ['sick of', -0.45],
  ['useless', -0.35], ['terrible', -0.2], ['disgusting', -0.3], ['complaint', -0.3],
  ['ombudsman', -0.45], ['lawyer', -0.45], ['supervisor', -0.15], ['manager', -0.1],
  // Churn risk: negative even when said politely.
  ['cancel', -0.3], ['leave', -0.15], ['switching to', -0.3], ['another provider', -0.25],
  // Genuine relief and thanks, which VADER under-scores on short lines.
  ['thank you so much', 0.35], ['thanks so much', 0.35], ['thats great', 0.25],
  ['that was quick', 0.3], ['really helpful', 0.3], ['sorted', 0.2], ['working again', 0.4],
  ['working now', 0.4], ['back on', 0.2], ['appreciate', 0.2], ['brilliant thanks', 0.2],
];

/**
 * Words VADER scores but that are mere request markers on a call ("please
 * help", "yes", "okay", "sure"); removed before scoring so a polite request
 * isn't counted as happiness.
 */
const REQUEST_MARKERS = /\b(please|help|yes|yeah|ok|okay|sure|like|want|kind|kindly|well|hello|hi)\b/g;

/** A leading "no" is an answer to our question, not displeasure ("no, that's fine"). */
const LEADING_ANSWER = /^\s*(no+|nope|nah)\b/i;

/** Positive words that, next to a complaint, are almost always sarcasm. */
const SARCASM_CUES = /\b(oh great|just great|oh brilliant|brilliant just|fantastic|wonderful|lovely|thanks a lot|thanks for nothing|love how|love that|just what i needed|perfect)\b/;

export interface SentimentDetail extends Sentiment {
  /** Plain VADER compound score of the line, for comparison in tests and tuning. */
  vader: number;
  /** Lexicon phrases that matched. */
  matched: string[];
}

function phraseRegExp(phrase: string): RegExp {
  return new RegExp(`\\b${phrase.replace(/ /g, '\\s+')}\\b`);
}
const LEXICON = CALL_CENTRE_LEXICON.map(([phrase, valence]) => ({ phrase, valence, re: phraseRegExp(phrase) }));

export function analyseSentiment(text: string): SentimentDetail {
  const plain = normalise(text);
  if (plain === '') return { score: 0, label: 'neutral', vader: 0, matched: [] };

  // VADER reads punctuation and capitals as intensity, so it gets the original text,
  // minus the request markers.
  const forVader = text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(LEADING_ANSWER, ' ')
    .replace(new RegExp(REQUEST_MARKERS, 'gi'), ' ');
  const base = vader.SentimentIntensityAnalyzer.polarity_scores(forVader).compound;

  let overlay = 0;
  const matched: string[] = [];
  for (const { phrase, valence, re } of LEXICON) {
    if (re.test(plain)) {
      overlay += valence;
      matched.push(phrase);
    }
  }
  // Overlapping phrases ("charged twice", "charged me twice") shouldn't double count much.
  overlay = Math.max(-0.9, Math.min(0.7, overlay));

  let adjusted = base;
  if (base > 0 && overlay < 0 && SARCASM_CUES.test(plain)) {
    // "Oh great, another outage": the positive word is irony, so it counts against.
    adjusted = -0.5 * base;
  } else if (base > 0 && overlay < 0) {
    // Positive words beside a real problem ("I'd appreciate it if you fixed my internet
    // that's still not working") are politeness; let the problem dominate.
    adjusted = 0.5 * base;
  }

  const score = Math.round(Math.max(-1, Math.min(1, adjusted + overlay)) * 1000) / 1000;
  const label = sentimentLabel(score);
  const vaderAlone = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
  return { score, label, vader: vaderAlone, matched };
}

/** The domain shape, for transcripts and the console. */
export function sentimentOf(text: string): Sentiment {
  const { score, label } = analyseSentiment(text);
  return { score, label };
}
