/** The one caller-sentiment figure the console shows (src/shared/sentiment.ts): bands, figure, direction. */
import { describe, expect, it } from 'vitest';
import {
  describeReading,
  LINES_READ,
  NEUTRAL_BAND,
  readCallerSentiment,
  sentimentBand,
  sentimentLabel,
  VERY_NEGATIVE_AT,
} from '@shared/sentiment';

describe('sentiment bands', () => {
  it('labels at the calibrated edges: neutral inside ±NEUTRAL_BAND, the edge itself belongs to the band', () => {
    expect(sentimentLabel(0)).toBe('neutral');
    expect(sentimentLabel(-NEUTRAL_BAND + 0.01)).toBe('neutral');
    expect(sentimentLabel(-NEUTRAL_BAND)).toBe('negative');
    expect(sentimentLabel(NEUTRAL_BAND - 0.01)).toBe('neutral');
    expect(sentimentLabel(NEUTRAL_BAND)).toBe('positive');
    // VADER's ±0.05 called these negative/positive: the "everything is red" of issue 9.
    expect(sentimentLabel(-0.08)).toBe('neutral');
    expect(sentimentLabel(0.08)).toBe('neutral');
  });

  it('sets the strongest negatives apart', () => {
    expect(sentimentBand(VERY_NEGATIVE_AT)).toBe('very_negative');
    expect(sentimentBand(-1)).toBe('very_negative');
    expect(sentimentBand(VERY_NEGATIVE_AT + 0.01)).toBe('negative');
    expect(sentimentBand(0.5)).toBe('positive');
  });
});

describe('readCallerSentiment', () => {
  it('is null before the caller has said anything', () => {
    expect(readCallerSentiment([])).toBeNull();
    expect(readCallerSentiment([Number.NaN])).toBeNull();
  });

  it('reads one line as itself, with no direction yet', () => {
    expect(readCallerSentiment([-0.42])).toEqual({ figure: -0.42, band: 'very_negative', direction: null, wholeCallMean: -0.42 });
    expect(describeReading(readCallerSentiment([0.2])!)).toBe('Positive');
  });

  it('reads an all-neutral call as neutral and steady', () => {
    const reading = readCallerSentiment([0, 0.08, -0.08, 0, 0, -0.05, 0.02])!;
    expect(reading.band).toBe('neutral');
    expect(reading.direction).toBe('steady');
    expect(describeReading(reading)).toBe('Neutral · steady');
  });

  it('weighs the latest lines most: a caller who was angry and is now happy reads positive', () => {
    const scores = [-0.6, -0.55, -0.61, -0.5, 0.44, 0.5, 0.6];
    const reading = readCallerSentiment(scores)!;
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    expect(mean).toBeLessThan(0); // the whole-call mean still says negative…
    expect(reading.band).toBe('positive'); // …the caller now does not.
    expect(reading.direction).toBe('rising');
    expect(reading.wholeCallMean).toBe(Math.round(mean * 100) / 100);
  });

  it('reads a caller losing patience as falling', () => {
    const reading = readCallerSentiment([0.3, 0.2, 0, -0.2, -0.35, -0.5])!;
    expect(reading.band).toBe('negative');
    expect(reading.direction).toBe('falling');
    expect(describeReading(reading)).toBe('Negative · falling');
  });

  it('does not call one neutral line after a run of mild complaints a change', () => {
    expect(readCallerSentiment([-0.3, -0.3, -0.3, -0.3, -0.3, 0])!.direction).toBe('steady');
    expect(readCallerSentiment([-0.3, -0.3, -0.3, -0.3, 0, 0])!.direction).toBe('rising');
  });

  it('gives the same answer from the last 20 (rounded) scores as from the whole transcript', () => {
    // 30 lines with 3-decimal scores, as the transcript holds them; the summary's trend keeps
    // the last 20, rounded to 2 decimals.
    const transcript = Array.from({ length: 30 }, (_, i) => Math.round(Math.sin(i * 1.7) * 700) / 1000);
    const trend = transcript.slice(-20).map((s) => Math.round(s * 100) / 100);
    const mean = transcript.reduce((a, b) => a + b, 0) / transcript.length;
    expect(readCallerSentiment(trend, mean)).toEqual(readCallerSentiment(transcript, mean));
    expect(LINES_READ).toBeLessThanOrEqual(20);
  });

  it('uses the whole-call mean it is given for the detail', () => {
    expect(readCallerSentiment([0.5, 0.5], -0.314)!.wholeCallMean).toBe(-0.31);
  });

  it('keeps the figure in range and the band consistent with the shown figure', () => {
    for (const scores of [[1, 1, 1], [-1, -1], [-0.125, -0.135], [0.129, 0.131]]) {
      const reading = readCallerSentiment(scores)!;
      expect(Math.abs(reading.figure)).toBeLessThanOrEqual(1);
      expect(reading.band).toBe(sentimentBand(reading.figure));
    }
  });
});
