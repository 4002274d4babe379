import { useId } from 'react';
import { toneFill, toneStroke, toneTextClass } from '../../components/ui/Indicators';
import { readCallerSentiment, SENTIMENT_BAND_WORDS } from '@shared/sentiment';
import { formatScore } from '../../lib/format';
import { cn } from '../../lib/cn';

/**
 * Caller sentiment over the call, drawn by hand: scores in [-1, 1], zero line dashed. Coloured
 * by the band of the call's reading (src/shared/sentiment.ts), the figure shown beside it.
 */
export function Sparkline({
  scores,
  width = 280,
  height = 56,
  testId = 'sentiment-sparkline',
}: {
  scores: number[];
  width?: number;
  height?: number;
  /** A live call row's small copy has its own test id, so the Assist panel's stays unique. */
  testId?: string;
}) {
  const gradientId = useId();
  const pad = 4;
  const innerH = height - pad * 2;
  // Zoom in on the range the scores use (always including zero) so small swings stay visible.
  const hi = Math.min(1, Math.max(0.25, ...scores.map((s) => s + 0.1)));
  const lo = Math.max(-1, Math.min(-0.25, ...scores.map((s) => s - 0.1)));
  const y = (s: number) => pad + ((hi - s) / (hi - lo)) * innerH;
  const x = (i: number) => (scores.length <= 1 ? width / 2 : pad + (i / (scores.length - 1)) * (width - pad * 2));
  const last = scores.at(-1);
  const band = readCallerSentiment(scores)?.band ?? 'neutral';
  const points = scores.map((s, i) => `${x(i).toFixed(1)},${y(s).toFixed(1)}`).join(' ');
  const area =
    scores.length > 1 ? `M${x(0).toFixed(1)},${y(0)} L${points.replaceAll(' ', ' L')} L${x(scores.length - 1).toFixed(1)},${y(0)} Z` : '';

  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      height={height}
      preserveAspectRatio="none"
      role="img"
      aria-label={
        last === undefined
          ? 'No caller sentiment yet'
          : `Caller sentiment over ${scores.length} lines: ${SENTIMENT_BAND_WORDS[band].toLowerCase()} now, latest line ${formatScore(last)}`
      }
      data-testid={testId}
      className={cn(
        'overflow-visible',
        toneTextClass(band),
      )}
    >
      <defs>
        <linearGradient id={gradientId} x1="0" x2="0" y1="0" y2="1">
          <stop offset="0%" stopColor="currentColor" stopOpacity="0.16" />
          <stop offset="100%" stopColor="currentColor" stopOpacity="0" />
        </linearGradient>
      </defs>
      <line x1={0} x2={width} y1={y(0)} y2={y(0)} className="stroke-slate-700" strokeDasharray="2 3" strokeWidth={1} vectorEffect="non-scaling-stroke" />
      {area ? (
        <path d={area} fill={`url(#${gradientId})`} />
      ) : null}
      {scores.length > 1 ? (
        <polyline
          points={points}
          fill="none"
          className={toneStroke[band]}
          strokeWidth={1.5}
          strokeLinejoin="round"
          strokeLinecap="round"
          vectorEffect="non-scaling-stroke"
        />
      ) : null}
      {last !== undefined ? (
        <circle cx={x(scores.length - 1)} cy={y(last)} r={2.75} className={toneFill[band]} />
      ) : null}
    </svg>
  );
}
