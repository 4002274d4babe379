/**
 * Caller sentiment as words with the number beside them: the live row, the call header and the
 * Assist card show one reading (src/shared/sentiment.ts) computed from the same scores, so they
 * always agree; History and the call page show the stored whole-call mean in the same words and
 * colours, labelled as the mean.
 */
import { useMemo } from 'react';
import type { CallSummary, Utterance } from '@shared/domain';
import {
  describeReading,
  readCallerSentiment,
  SENTIMENT_BAND_WORDS,
  sentimentBand,
  type CallerSentimentReading,
} from '@shared/sentiment';
import { toneDotClass, toneTextClass } from '../../components/ui/Indicators';
import { cn } from '../../lib/cn';
import { formatScore } from '../../lib/format';
import { useCallsStore } from '../calls/store';

const NO_LINES: readonly Utterance[] = [];

/**
 * The scores a call's reading comes from. A live call's summary carries its caller's latest
 * scores (the trend), which is all a list row has, so the header and the card use them too
 * while they are there; a call read back from storage has no trend, and its transcript's final
 * caller lines stand in (the figure reads only the latest lines, so both give the same answer).
 */
export function callerScoresOf(call: CallSummary, transcript: readonly Utterance[]): number[] {
  if (call.sentimentTrend.length > 0) return call.sentimentTrend;
  return transcript.filter((l) => l.speaker === 'caller' && l.final && l.sentiment).map((l) => l.sentiment!.score);
}

/** The call's reading; subscribes to its transcript only when the summary has no trend. */
export function useCallerSentiment(call: CallSummary | null): CallerSentimentReading | null {
  const needsTranscript = call !== null && call.sentimentTrend.length === 0;
  const transcript = useCallsStore((s) => (needsTranscript ? (s.transcripts[call.id] ?? NO_LINES) : NO_LINES));
  return useMemo(
    () => (call ? readCallerSentiment(callerScoresOf(call, transcript), call.callerSentiment) : null),
    [call, transcript],
  );
}

/** The tooltip: the number explained, and the whole-call mean beside it. */
export function readingDetail(reading: CallerSentimentReading): string {
  return (
    `Caller sentiment ${formatScore(reading.figure)} (latest lines weighted most), on a scale of −1 to +1; ` +
    `whole-call mean ${formatScore(reading.wholeCallMean)}.`
  );
}

/**
 * "● Negative · falling −0.42": dot, words in the band's colour, the number as quieter detail
 * (a space between them, so the text reads right when copied or read out). data-band,
 * data-figure and data-direction say the same for tests and styling.
 */
export function SentimentReadout({
  reading,
  testId,
  className,
}: {
  reading: CallerSentimentReading | null;
  testId: string;
  className?: string;
}) {
  if (!reading) {
    return (
      <span data-testid={testId} data-band="none" className={cn('text-faint', className)} title="The caller has not said anything yet">
        No lines yet
      </span>
    );
  }
  return (
    <span
      data-testid={testId}
      data-band={reading.band}
      data-figure={reading.figure.toFixed(2)}
      data-direction={reading.direction ?? 'none'}
      title={readingDetail(reading)}
      className={cn('inline-flex min-w-0 items-center gap-1.5 whitespace-nowrap', className)}
    >
      <span aria-hidden className={cn('size-2 shrink-0 rounded-full', toneDotClass(reading.band))} />
      <span className={cn('truncate font-medium', toneTextClass(reading.band))} data-testid={`${testId}-words`}>
        {describeReading(reading)}
      </span>{' '}
      <span className="font-mono text-faint tabular-nums" data-testid={`${testId}-figure`}>
        {formatScore(reading.figure)}
      </span>
    </span>
  );
}

/** A call's live reading, for places that have only the summary (the call header). */
export function CallerSentiment({ call, testId, className }: { call: CallSummary; testId: string; className?: string }) {
  return <SentimentReadout reading={useCallerSentiment(call)} testId={testId} className={className} />;
}

/**
 * A stored figure (History's whole-call mean, a line's score) in the same words and colours:
 * "● Negative −0.31". `what` names the figure in the tooltip ("Whole-call mean").
 */
export function SentimentScore({ score, what, testId, className }: { score: number | null; what: string; testId?: string; className?: string }) {
  if (score === null) {
    return (
      <span data-testid={testId} data-band="none" className={cn('text-faint', className)} title="No scored caller lines">
        —
      </span>
    );
  }
  const band = sentimentBand(score);
  return (
    <span
      data-testid={testId}
      data-band={band}
      title={`${what}: ${formatScore(score)}, on a scale of −1 to +1`}
      className={cn('inline-flex items-center gap-1.5 whitespace-nowrap', className)}
    >
      <span aria-hidden className={cn('size-2 shrink-0 rounded-full', toneDotClass(band))} />
      <span className={toneTextClass(band)}>{SENTIMENT_BAND_WORDS[band]}</span>{' '}
      <span className="font-mono text-faint tabular-nums">{formatScore(score)}</span>
    </span>
  );
}
