/**
 * The dashboard's charts (recharts), each in a card with "Download CSV" of exactly the data
 * it draws. Components take the Analytics answer as props.
 */
import type { ReactElement, ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { Analytics, AnalyticsBucket, AnalyticsGroupBy, LatencyStage } from '@shared/history';
import { Button } from '../../components/ui/Button';
import { DownloadIcon } from '../../components/ui/icons';
import { downloadText, isoLocal, toCsv, type CsvCell } from '../../lib/csv';
import { formatDuration, formatScore, titleCase } from '../../lib/format';

export const palette = {
  inbound: '#818cf8', // indigo-400
  outbound: '#2dd4bf', // teal-400
  avg: '#7dd3fc', // sky-300
  p90: '#c4b5fd', // violet-300
  start: '#94a3b8', // slate-400
  end: '#fbbf24', // amber-400
  intent: '#818cf8',
  p50: '#7dd3fc',
  p95: '#f0abfc', // fuchsia-300
  grid: '#1e293b',
  axis: '#94a3b8',
};

const axisProps = {
  stroke: palette.axis,
  tick: { fontSize: 11, fill: palette.axis },
  tickLine: false,
} as const;

const legendProps = {
  iconType: 'circle' as const,
  iconSize: 8,
  // In the order the series are drawn, not alphabetical.
  itemSorter: null,
  wrapperStyle: { fontSize: 11.5, color: '#cbd5e1', paddingTop: 4 },
};

/** A bucket's label on the axis: "14:00", "12 Mar", "w/c 10 Mar". */
export function bucketLabel(startAt: number, groupBy: AnalyticsGroupBy, multiDay: boolean): string {
  const d = new Date(startAt);
  const day = d.toLocaleDateString([], { day: 'numeric', month: 'short' });
  if (groupBy === 'hour') {
    const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return multiDay ? `${day} ${time}` : time;
  }
  return groupBy === 'week' ? `w/c ${day}` : day;
}

function csvName(what: string): string {
  return `switchboard-${what}-${isoLocal(Date.now()).slice(0, 10)}.csv`;
}

export function ChartCard({
  title,
  subtitle,
  testId,
  csv,
  empty,
  children,
}: {
  title: string;
  subtitle?: string;
  testId: string;
  /** The chart's data as CSV: file stem, header and rows. */
  csv: () => { name: string; header: string[]; rows: CsvCell[][] };
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string | null;
  children: ReactNode;
}) {
  return (
    <section className="flex min-w-0 flex-col rounded-lg border border-slate-800/80 bg-slate-900/40" data-testid={testId} aria-label={title}>
      <header className="flex items-start gap-2 px-4 pt-3 pb-1">
        <div className="min-w-0">
          <h2 className="text-[13px] font-medium text-slate-200">{title}</h2>
          {subtitle ? <p className="text-[11.5px] text-slate-400">{subtitle}</p> : null}
        </div>
        <Button
          size="sm"
          variant="ghost"
          className="ml-auto"
          icon={<DownloadIcon className="size-3.5" />}
          data-testid="chart-csv"
          aria-label={`Download CSV: ${title}`}
          onClick={() => {
            const { name, header, rows } = csv();
            downloadText(csvName(name), toCsv(header, rows));
          }}
        >
          CSV
        </Button>
      </header>
      <div className="h-56 px-2 pb-3">
        {empty ? (
          <p className="flex h-full items-center justify-center text-[12px] text-slate-400">{empty}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            {children as ReactElement}
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}

type Fmt = (v: number) => string;

function DarkTooltip({ active, payload, label, format }: TooltipContentProps & { format: Fmt }) {
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded-md border border-slate-700 bg-slate-900/95 px-2.5 py-1.5 text-[12px] shadow-lg shadow-black/40">
      <p className="mb-0.5 text-[11px] text-slate-400">{String(label ?? payload[0]?.payload?.label ?? '')}</p>
      {payload.map((p) => (
        <p key={String(p.dataKey)} className="flex items-center gap-2 text-slate-200">
          <svg viewBox="0 0 8 8" className="size-2" aria-hidden>
            <circle cx="4" cy="4" r="4" fill={String(p.color ?? p.fill ?? '#94a3b8')} />
          </svg>
          <span className="text-slate-300">{String(p.name)}</span>
          <span className="ml-auto pl-3 font-mono tabular-nums">{typeof p.value === 'number' ? format(p.value) : '—'}</span>
        </p>
      ))}
    </div>
  );
}

function tooltip(format: Fmt) {
  return <Tooltip content={(props) => <DarkTooltip {...props} format={format} />} cursor={{ fill: '#33415533', stroke: '#475569' }} isAnimationActive={false} />;
}

interface BucketRow extends AnalyticsBucket {
  label: string;
}

function rowsOf(a: Analytics): BucketRow[] {
  const multiDay = a.buckets.length > 0 && a.buckets.at(-1)!.startAt - a.buckets[0]!.startAt >= 24 * 3_600_000;
  return a.buckets.map((b) => ({ ...b, label: bucketLabel(b.startAt, a.groupBy, multiDay) }));
}

const int: Fmt = (v) => Math.round(v).toLocaleString();
/** Axis ticks: 950, 1.2k, 12k. */
const compact: Fmt = (v) => (Math.abs(v) < 1000 ? String(Math.round(v)) : `${(v / 1000).toFixed(Math.abs(v) < 10_000 && v % 1000 !== 0 ? 1 : 0)}k`);
/** Axis ticks in seconds, short enough never to wrap: 0.35s, 1.4s. */
const msAxis: Fmt = (v) => (v === 0 ? '0' : `${(v / 1000).toFixed(v < 1000 ? 2 : 1)}s`);
const secs: Fmt = (v) => formatDuration(v * 1000);
const score: Fmt = (v) => formatScore(v);
const ms: Fmt = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);

export function VolumeChart({ analytics }: { analytics: Analytics }) {
  const rows = rowsOf(analytics);
  return (
    <ChartCard
      title="Call volume"
      subtitle="Inbound and outbound calls per period"
      testId="chart-volume"
      csv={() => ({
        name: 'volume',
        header: ['period_start', 'inbound', 'outbound', 'total'],
        rows: rows.map((r) => [isoLocal(r.startAt), r.inbound, r.outbound, r.inbound + r.outbound]),
      })}
      empty={rows.length === 0 ? 'No calls in this range.' : null}
    >
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
        <CartesianGrid stroke={palette.grid} vertical={false} />
        <XAxis dataKey="label" {...axisProps} minTickGap={16} />
        <YAxis allowDecimals={false} tickFormatter={compact} {...axisProps} width={44} />
        {tooltip(int)}
        <Legend {...legendProps} />
        <Bar dataKey="inbound" name="Inbound" stackId="calls" fill={palette.inbound} isAnimationActive={false} maxBarSize={36} />
        <Bar dataKey="outbound" name="Outbound" stackId="calls" fill={palette.outbound} radius={[3, 3, 0, 0]} isAnimationActive={false} maxBarSize={36} />
      </BarChart>
    </ChartCard>
  );
}

export function HandleTimeChart({ analytics }: { analytics: Analytics }) {
  const rows = rowsOf(analytics);
  return (
    <ChartCard
      title="Handle time"
      subtitle="Average and 90th percentile of ended calls"
      testId="chart-handle-time"
      csv={() => ({
        name: 'handle-time',
        header: ['period_start', 'avg_handle_s', 'p90_handle_s'],
        rows: rows.map((r) => [isoLocal(r.startAt), r.avgHandleS, r.p90HandleS]),
      })}
      empty={rows.every((r) => r.avgHandleS === null) ? 'No ended calls in this range.' : null}
    >
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: -8 }}>
        <CartesianGrid stroke={palette.grid} vertical={false} />
        <XAxis dataKey="label" {...axisProps} minTickGap={16} />
        <YAxis tickFormatter={secs} {...axisProps} width={52} />
        {tooltip(secs)}
        <Legend {...legendProps} />
        <Line dataKey="avgHandleS" name="Average" stroke={palette.avg} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
        <Line dataKey="p90HandleS" name="p90" stroke={palette.p90} strokeWidth={2} strokeDasharray="5 3" dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
}

export function SentimentTrendChart({ analytics }: { analytics: Analytics }) {
  const rows = rowsOf(analytics);
  return (
    <ChartCard
      title="Caller sentiment, start vs end"
      subtitle="Mean of callers’ first and last scored lines"
      testId="chart-sentiment"
      csv={() => ({
        name: 'sentiment',
        header: ['period_start', 'sentiment_start_avg', 'sentiment_end_avg'],
        rows: rows.map((r) => [isoLocal(r.startAt), r.sentimentStartAvg, r.sentimentEndAvg]),
      })}
      empty={rows.every((r) => r.sentimentStartAvg === null) ? 'No scored caller lines in this range.' : null}
    >
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid stroke={palette.grid} vertical={false} />
        <XAxis dataKey="label" {...axisProps} minTickGap={16} />
        <YAxis domain={[-1, 1]} ticks={[-1, -0.5, 0, 0.5, 1]} tickFormatter={(v: number) => (v === 0 ? '0' : `${v > 0 ? '+' : '−'}${Math.abs(v)}`)} {...axisProps} width={44} />
        <ReferenceLine y={0} stroke="#475569" strokeDasharray="3 3" />
        {tooltip(score)}
        <Legend {...legendProps} />
        <Line dataKey="sentimentStartAvg" name="Start of call" stroke={palette.start} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
        <Line dataKey="sentimentEndAvg" name="End of call" stroke={palette.end} strokeWidth={2} dot={{ r: 2.5 }} connectNulls isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
}

export function IntentsChart({ analytics }: { analytics: Analytics }) {
  const rows = analytics.intents.map((i) => ({ ...i, label: titleCase(i.intent) }));
  return (
    <ChartCard
      title="Top intents"
      subtitle="Calls by what the caller wanted"
      testId="chart-intents"
      csv={() => ({ name: 'intents', header: ['intent', 'calls'], rows: analytics.intents.map((i) => [i.intent, i.calls]) })}
      empty={rows.length === 0 ? 'No intents recognised in this range.' : null}
    >
      <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid stroke={palette.grid} horizontal={false} />
        <XAxis type="number" allowDecimals={false} tickFormatter={compact} {...axisProps} />
        <YAxis type="category" dataKey="label" {...axisProps} width={150} interval={0} />
        {tooltip(int)}
        <Bar dataKey="calls" name="Calls" fill={palette.intent} radius={[0, 3, 3, 0]} isAnimationActive={false} maxBarSize={18} />
      </BarChart>
    </ChartCard>
  );
}

const stageName: Record<LatencyStage, string> = {
  stt: 'Speech-to-text',
  llm: 'Language model',
  tts: 'Voice',
  send: 'Send',
  voiceToVoice: 'Voice to voice',
};

export function LatencyChart({ analytics }: { analytics: Analytics }) {
  const rows = analytics.latency.map((l) => ({ ...l, label: stageName[l.stage] }));
  return (
    <ChartCard
      title="Latency per stage"
      subtitle="p50 and p95 over every AI turn in range"
      testId="chart-latency"
      csv={() => ({
        name: 'latency',
        header: ['stage', 'turns', 'p50_ms', 'p95_ms'],
        rows: analytics.latency.map((l) => [l.stage, l.turns, l.p50Ms, l.p95Ms]),
      })}
      empty={rows.every((r) => r.turns === 0) ? 'No timed AI turns in this range.' : null}
    >
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
        <CartesianGrid stroke={palette.grid} vertical={false} />
        <XAxis dataKey="label" {...axisProps} interval={0} />
        <YAxis tickFormatter={msAxis} {...axisProps} width={48} />
        {tooltip(ms)}
        <Legend {...legendProps} />
        <Bar dataKey="p50Ms" name="p50" fill={palette.p50} radius={[3, 3, 0, 0]} isAnimationActive={false} maxBarSize={28} />
        <Bar dataKey="p95Ms" name="p95" fill={palette.p95} radius={[3, 3, 0, 0]} isAnimationActive={false} maxBarSize={28} />
      </BarChart>
    </ChartCard>
  );
}
