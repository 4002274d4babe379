/**
 * Caller sentiment as the console shows it: where the bands lie, and the one figure (with its
 * words) that the live row, the call header and the Assist card all show. Shared by the core
 * (line labels, History filters, Analytics, exports) and the renderer, so there is one set of
 * thresholds.
 *
 * Calibration (test/fixtures/sentiment-calibration.json, 151 caller lines as a recogniser
 * returns them, a third each negative / neutral / positive, scored by the real analyser in
 * src/main/core/assist/sentiment.ts; test/unit/sentiment-calibration.test.ts re-measures it):
 * every band of ±0.104 to ±0.152 on the negative side and +0.078 to +0.2 on the positive side
 * gives the best macro-F1, 0.860 (accuracy 0.861); ±0.13 sits in the middle of both. VADER's
 * own ±0.05, which the renderer used before, scores 0.834 and calls 3 in 50 neutral lines
 * negative ("can i pay by card" is −0.10: "pay" is a negative word to VADER). At ±0.13:
 *
 *                 called negative  neutral  positive   precision  recall
 *   negative (51)              34       15         2       1.000   0.667
 *   neutral  (50)               0       50         0       0.725   1.000
 *   positive (50)               0        4        46       0.958   0.920
 *
 * The misses are the analyser's, not the bands': complaints stated as plain facts ("the app
 * keeps crashing", "i want my money back") score 0, so no threshold can catch them.
 */

/** |score| below this is neutral (see the calibration above). */
export const NEUTRAL_BAND = 0.13;

/**
 * At or below this a figure is "very negative". The same value as the default "Caller upset"
 * alert rule's threshold (src/shared/alerts.ts; a test keeps them equal), so a caller steady at
 * the level that raises that alert reads "very negative" on screen, in rose like the alert.
 */
export const VERY_NEGATIVE_AT = -0.4;

/** A line's label, as stored with it (the domain's three classes). */
export type SentimentLabel = 'negative' | 'neutral' | 'positive';

/** What the console shows for a figure: the label, with the strongest negatives set apart. */
export type SentimentBand = 'very_negative' | SentimentLabel;

export function sentimentLabel(score: number): SentimentLabel {
  if (score <= -NEUTRAL_BAND) return 'negative';
  if (score >= NEUTRAL_BAND) return 'positive';
  return 'neutral';
}

export function sentimentBand(score: number): SentimentBand {
  return score <= VERY_NEGATIVE_AT ? 'very_negative' : sentimentLabel(score);
}

/** The band in words, capitalised for a headline ("Very negative"). */
export const SENTIMENT_BAND_WORDS: Readonly<Record<SentimentBand, string>> = {
  very_negative: 'Very negative',
  negative: 'Negative',
  neutral: 'Neutral',
  positive: 'Positive',
};

export type SentimentDirection = 'falling' | 'rising' | 'steady';

/**
 * The figure weighs the latest caller lines most: a supervisor cares how the caller feels now,
 * and a whole-call mean still reads "negative" minutes after the problem was fixed (or
 * "neutral" while a calm caller is losing patience). Each line counts half as much as the one
 * two lines after it, over the last 8 lines: the latest line carries 0.31 of the weight (1 of
 * 3.2), so one noisy line moves the figure by about a third of its difference from the rest.
 */
export const RECENT_WINDOW_LINES = 8;
export const HALF_LIFE_LINES = 2;
/** Direction compares the figure now with the figure this many caller lines ago. */
export const DIRECTION_LOOKBACK_LINES = 3;
/**
 * Smaller changes read "steady": one neutral line after a run of mildly negative (−0.3) lines
 * moves the figure by 0.09, which is noise; two in a row move it by 0.16, which is a trend.
 */
export const DIRECTION_MIN_CHANGE = 0.15;
/**
 * The live summary keeps the caller's last 20 scores (CallSummary.sentimentTrend); the figure
 * and its direction read at most this many, so the row (which has only those 20) and the views
 * with the whole transcript compute exactly the same thing.
 */
export const LINES_READ = RECENT_WINDOW_LINES + DIRECTION_LOOKBACK_LINES;

export interface CallerSentimentReading {
  /** Recency-weighted mean of the latest caller lines, 2 decimals, in [-1, 1]. */
  figure: number;
  band: SentimentBand;
  /** Null with a single line: there is nothing to compare with yet. */
  direction: SentimentDirection | null;
  /** The mean over every caller line of the call (2 decimals), for the detail. */
  wholeCallMean: number;
}

/**
 * What the console shows for a call's caller sentiment. `scores` are its caller lines' scores,
 * oldest first: all of them or only the latest (at least LINES_READ give the same answer).
 * `wholeCallMean` is the mean over every line (CallSummary.callerSentiment) when `scores` are
 * only the latest; by default the mean of `scores`. Null before the caller has said anything.
 */
export function readCallerSentiment(scores: readonly number[], wholeCallMean: number | null = null): CallerSentimentReading | null {
  // Two decimals first: the summary's trend holds rounded scores, the transcript 3-decimal ones.
  const rounded = scores.filter(Number.isFinite).map(round2);
  if (rounded.length === 0) return null;
  const figure = recentFigure(rounded);
  const back = Math.min(DIRECTION_LOOKBACK_LINES, rounded.length - 1);
  let direction: SentimentDirection | null = null;
  if (back > 0) {
    const change = figure - recentFigure(rounded.slice(0, rounded.length - back));
    // Both figures have two decimals: compare whole hundredths so float error (0.15 as 0.1499…) can't flip the word.
    const hundredths = Math.round(change * 100);
    const min = Math.round(DIRECTION_MIN_CHANGE * 100);
    direction = hundredths <= -min ? 'falling' : hundredths >= min ? 'rising' : 'steady';
  }
  const mean = wholeCallMean ?? rounded.reduce((a, b) => a + b, 0) / rounded.length;
  return { figure, band: sentimentBand(figure), direction, wholeCallMean: round2(mean) };
}

/** "Negative · falling", "Neutral", "Positive · steady". */
export function describeReading(reading: Pick<CallerSentimentReading, 'band' | 'direction'>): string {
  const word = SENTIMENT_BAND_WORDS[reading.band];
  return reading.direction ? `${word} · ${reading.direction}` : word;
}

function recentFigure(scores: readonly number[]): number {
  const recent = scores.slice(-RECENT_WINDOW_LINES);
  let sum = 0;
  let weights = 0;
  recent.forEach((score, i) => {
    const age = recent.length - 1 - i;
    const weight = 0.5 ** (age / HALF_LIFE_LINES);
    sum += weight * score;
    weights += weight;
  });
  return clamp(round2(sum / weights));
}

/** As the core rounds the summary's trend (calls/caller-insight.ts), so both sources agree. */
function round2(n: number): number {
  return Math.round(n * 100) / 100 || 0;
}

function clamp(n: number): number {
  return Math.max(-1, Math.min(1, n));
}
