/** The dashboard's headline figures, one tile each: a value, what it means, and its context. */
import type { ReactNode } from 'react';
import type { Analytics } from '@shared/history';
import { toneTextClass } from '../../components/ui/Indicators';
import { cn } from '../../lib/cn';
import { sentimentBand } from '@shared/sentiment';
import { formatPercent, formatScore, formatSeconds, formatSentiment, titleCase } from '../../lib/format';
import { ABANDON_WITHIN_S } from './useAnalytics';

function Tile({
  label,
  value,
  detail,
  testId,
  tone,
  hint,
}: {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  testId: string;
  tone?: string;
  hint?: string;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1 rounded-lg border border-slate-800/80 bg-slate-900/40 px-3.5 py-3" data-testid={testId} title={hint}>
      <p className="truncate text-[11.5px] font-medium text-slate-400">{label}</p>
      <p className={cn('truncate text-[22px] leading-7 font-semibold tracking-tight text-slate-50 tabular-nums', tone)} data-testid="kpi-value">
        {value}
      </p>
      {detail ? <p className="truncate text-[11.5px] text-slate-400 tabular-nums">{detail}</p> : null}
    </div>
  );
}

const secs = (s: number | null) => (s === null ? '—' : formatSeconds(s));

/** Short names for the incident kinds (the Analytics card spells them out). */
const incidentWords: Record<string, string> = {
  'fallback:llm': 'LLM',
  'fallback:tts': 'voice',
  'fallback:stt': 'speech-to-text',
  error: 'errors',
};

export function KpiTiles({ analytics }: { analytics: Analytics }) {
  const t = analytics.totals;
  const start = t.sentimentStartAvg;
  const end = t.sentimentEndAvg;
  const incidents = analytics.incidents
    .slice(0, 3)
    .map((i) => `${incidentWords[i.kind] ?? titleCase(i.kind.replace(':', ' '))} ${i.count}`)
    .join(' · ');
  return (
    <div className="grid grid-cols-4 gap-3 2xl:grid-cols-8" data-testid="kpi-tiles">
      <Tile
        testId="kpi-calls"
        label="Calls"
        value={t.calls.toLocaleString()}
        detail={`${t.inbound.toLocaleString()} inbound · ${t.outbound.toLocaleString()} outbound`}
      />
      <Tile
        testId="kpi-handle"
        label="Avg handle time"
        value={secs(t.avgHandleS)}
        detail={`p90 ${secs(t.p90HandleS)}`}
        hint="From answer to hang-up, over ended calls"
      />
      <Tile
        testId="kpi-containment"
        label="AI containment"
        value={formatPercent(t.containmentRate)}
        detail="ended without a take-over"
        tone={t.containmentRate !== null && t.containmentRate >= 0.7 ? 'text-emerald-300' : undefined}
      />
      <Tile
        testId="kpi-takeover"
        label="Take-over rate"
        value={formatPercent(t.takeoverRate)}
        detail={t.avgTimeToTakeoverS === null ? 'no take-overs' : `after ${formatSeconds(t.avgTimeToTakeoverS)} on average`}
      />
      <Tile
        testId="kpi-abandoned"
        label="Abandoned"
        value={formatPercent(t.abandonmentRate)}
        detail={`${t.abandoned.toLocaleString()} hung up within ${ABANDON_WITHIN_S} s`}
      />
      <Tile
        testId="kpi-sentiment"
        label="Caller sentiment"
        value={
          start === null || end === null ? (
            '—'
          ) : (
            <span className="flex items-baseline gap-1.5">
              <span className={toneTextClass(sentimentBand(start))} title={`Mean of first caller lines: ${formatSentiment(start)}`}>{formatScore(start)}</span>
              <span className="text-[15px] text-faint" aria-label="to">
                →
              </span>
              <span className={toneTextClass(sentimentBand(end))} title={`Mean of last caller lines: ${formatSentiment(end)}`}>{formatScore(end)}</span>
            </span>
          )
        }
        detail={
          start === null || end === null
            ? 'no scored lines'
            : `start → end: ${end - start >= 0.05 ? 'improves' : start - end >= 0.05 ? 'worsens' : 'about the same'}`
        }
      />
      <Tile
        testId="kpi-negative"
        label="Negative calls"
        value={formatPercent(t.negativeShare)}
        detail="mean caller sentiment negative"
        tone={t.negativeShare !== null && t.negativeShare >= 0.3 ? 'text-rose-300' : undefined}
      />
      <Tile
        testId="kpi-incidents"
        label="Fallbacks / errors"
        value={
          <span>
            {t.fallbacks.toLocaleString()} <span className="text-faint">/</span> {t.errors.toLocaleString()}
          </span>
        }
        detail={incidents || 'none'}
        hint="Fallbacks: an engine failed and the offline one stood in (LLM, voice, speech-to-text). Errors: calls that hit an error."
        tone={t.errors > 0 ? 'text-rose-300' : t.fallbacks > 0 ? 'text-amber-200' : undefined}
      />
    </div>
  );
}
