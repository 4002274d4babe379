/**
 * Caller sentiment line by line over the call's clock (recharts). The caller's scored lines
 * are a line with round points; the AI's and the agent's lines are diamonds and triangles
 * along the bottom edge (they are not scored), so who spoke when is visible too. A take-over
 * and the playback position are vertical markers; clicking a point seeks there.
 */
import { useMemo } from 'react';
import {
  CartesianGrid,
  Cell,
  ComposedChart,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { Utterance } from '@shared/domain';
import { NEUTRAL_BAND, sentimentBand, type SentimentBand } from '@shared/sentiment';
import { formatDuration, formatScore, formatSentiment } from '../../lib/format';

/** The bands' colours (components/ui/Indicators' tone classes, as hex for the chart). */
const bandColors: Record<SentimentBand, string> = {
  very_negative: '#fb7185', // rose-400
  negative: '#fbbf24', // amber-400
  neutral: '#94a3b8', // slate-400
  positive: '#34d399', // emerald-400
};

export const chartColors = {
  caller: '#7dd3fc', // sky-300
  ai: '#a5b4fc', // indigo-300
  agent: '#fcd34d', // amber-300
  grid: '#1e293b', // slate-800
  axis: '#94a3b8', // slate-400
  zero: '#475569', // slate-600
};

interface Point {
  t: number;
  score: number;
  speaker: Utterance['speaker'];
  lineId: string;
  text: string;
  scored: boolean;
}

const RUG_Y = -1;

export function SentimentChart({
  lines,
  takeoverAtMs,
  playheadMs,
  durationMs,
  onPick,
}: {
  lines: Utterance[];
  takeoverAtMs: number | null;
  /** The recording's position on the call clock, while it is engaged. */
  playheadMs: number | null;
  durationMs: number | null;
  onPick: (lineId: string) => void;
}) {
  const { caller, ai, agent } = useMemo(() => {
    const pts = lines
      .filter((l) => l.final && l.text)
      .map(
        (l): Point => ({
          t: l.startMs / 1000,
          score: l.speaker === 'caller' && l.sentiment ? l.sentiment.score : RUG_Y,
          speaker: l.speaker,
          lineId: l.id,
          text: l.text,
          scored: l.speaker === 'caller' && l.sentiment !== null,
        }),
      );
    return {
      caller: pts.filter((p) => p.speaker === 'caller' && p.scored),
      ai: pts.filter((p) => p.speaker === 'ai'),
      agent: pts.filter((p) => p.speaker === 'agent'),
    };
  }, [lines]);

  const endS = Math.max(
    (durationMs ?? 0) / 1000,
    ...lines.map((l) => l.endMs / 1000),
    1,
  );
  const first = caller[0]?.score;
  const last = caller.at(-1)?.score;
  const summary =
    caller.length === 0
      ? 'No caller lines were scored on this call.'
      : `Caller sentiment over ${caller.length} lines, from ${formatScore(first!)} to ${formatScore(last!)} (${formatSentiment(last!).toLowerCase()}). ${ai.length} AI lines and ${agent.length} agent lines marked along the bottom.`;

  const pick = (item: unknown) => {
    const p = (item as { payload?: Point } | undefined)?.payload;
    if (p) onPick(p.lineId);
  };

  return (
    <div className="flex flex-col gap-2" data-testid="sentiment-chart">
      <div role="img" aria-label={summary} className="h-44 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={chartColors.grid} vertical={false} />
            <XAxis
              type="number"
              dataKey="t"
              domain={[0, Math.ceil(endS)]}
              tickFormatter={(s: number) => formatDuration(s * 1000)}
              stroke={chartColors.axis}
              tick={{ fontSize: 11, fill: chartColors.axis }}
              tickLine={false}
              allowDuplicatedCategory={false}
            />
            <YAxis
              type="number"
              dataKey="score"
              domain={[-1.1, 1]}
              ticks={[-1, -0.5, 0, 0.5, 1]}
              tickFormatter={(v: number) => (v === 0 ? '0' : `${v > 0 ? '+' : '−'}${Math.abs(v)}`)}
              stroke={chartColors.axis}
              tick={{ fontSize: 11, fill: chartColors.axis }}
              tickLine={false}
              width={40}
            />
            {/* The neutral band, so a point's place says what its colour and tooltip say. */}
            <ReferenceArea y1={-NEUTRAL_BAND} y2={NEUTRAL_BAND} fill="#94a3b8" fillOpacity={0.08} stroke="none" ifOverflow="hidden" />
            <ReferenceLine y={0} stroke={chartColors.zero} strokeDasharray="3 3" />
            {takeoverAtMs !== null ? (
              <ReferenceLine x={takeoverAtMs / 1000} stroke={chartColors.agent} strokeDasharray="4 3" />
            ) : null}
            {playheadMs !== null ? <ReferenceLine x={playheadMs / 1000} stroke="#e2e8f0" strokeWidth={1.5} /> : null}
            <Tooltip content={ChartTooltip} cursor={{ stroke: chartColors.zero }} isAnimationActive={false} />
            <Line
              data={caller}
              dataKey="score"
              name="Caller"
              type="monotone"
              stroke={chartColors.caller}
              strokeWidth={2}
              dot={false}
              activeDot={false}
              isAnimationActive={false}
              legendType="none"
              tooltipType="none"
            />
            <Scatter data={caller} dataKey="score" name="Caller" fill={chartColors.caller} shape="circle" onClick={pick} isAnimationActive={false} className="cursor-pointer">
              {caller.map((p) => (
                <Cell key={p.lineId} fill={bandColors[sentimentBand(p.score)]} />
              ))}
            </Scatter>
            <Scatter data={ai} dataKey="score" name="AI" fill={chartColors.ai} shape="diamond" onClick={pick} isAnimationActive={false} className="cursor-pointer" />
            <Scatter data={agent} dataKey="score" name="Agent" fill={chartColors.agent} shape="triangle" onClick={pick} isAnimationActive={false} className="cursor-pointer" />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <ul className="flex flex-wrap items-center gap-x-4 gap-y-1 text-[11.5px] text-slate-300" aria-label="Legend">
        <li className="flex items-center gap-1.5">
          <svg viewBox="0 0 20 10" className="h-2.5 w-5" aria-hidden>
            <line x1="0" x2="20" y1="5" y2="5" stroke={chartColors.caller} strokeWidth="2" />
            <circle cx="10" cy="5" r="3" fill={chartColors.caller} />
          </svg>
          Caller sentiment
        </li>
        <li className="flex items-center gap-1.5">
          <span aria-hidden className="flex gap-0.5">
            {(['very_negative', 'negative', 'neutral', 'positive'] as const).map((band) => (
              <span key={band} className="size-2 rounded-full" style={{ background: bandColors[band] }} />
            ))}
          </span>
          Points: very negative, negative, neutral (shaded band), positive
        </li>
        <li className="flex items-center gap-1.5">
          <svg viewBox="0 0 10 10" className="size-2.5" aria-hidden>
            <path d="M5 0 10 5 5 10 0 5z" fill={chartColors.ai} />
          </svg>
          AI line
        </li>
        <li className="flex items-center gap-1.5">
          <svg viewBox="0 0 10 10" className="size-2.5" aria-hidden>
            <path d="M5 0 10 10 0 10z" fill={chartColors.agent} />
          </svg>
          Agent line
        </li>
        {takeoverAtMs !== null ? (
          <li className="flex items-center gap-1.5">
            <svg viewBox="0 0 10 10" className="size-2.5" aria-hidden>
              <line x1="5" x2="5" y1="0" y2="10" stroke={chartColors.agent} strokeDasharray="2 2" strokeWidth="1.5" />
            </svg>
            Take-over
          </li>
        ) : null}
      </ul>
    </div>
  );
}

const speakerName = { caller: 'Caller', ai: 'AI', agent: 'Agent' } as const;

function ChartTooltip({ active, payload }: TooltipContentProps) {
  const p = (payload?.[0]?.payload ?? null) as Point | null;
  if (!active || !p) return null;
  return (
    <div className="max-w-64 rounded-md border border-slate-700 bg-slate-900/95 px-2.5 py-1.5 text-[12px] text-slate-200 shadow-lg shadow-black/40">
      <p className="flex items-center gap-2 text-[11px] text-slate-400">
        <span className="font-medium text-slate-200">{speakerName[p.speaker]}</span>
        <span className="font-mono tabular-nums">{formatDuration(p.t * 1000)}</span>
        {p.scored ? (
          <span>
            <span style={{ color: bandColors[sentimentBand(p.score)] }}>{formatSentiment(p.score)}</span>
          </span>
        ) : null}
      </p>
      <p className="mt-0.5 line-clamp-3 leading-snug">{p.text}</p>
    </div>
  );
}
