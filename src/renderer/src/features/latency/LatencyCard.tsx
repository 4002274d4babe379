import type { TurnMetrics } from '@shared/domain';
import { Tooltip } from '../../components/ui/Tooltip';
import { cn } from '../../lib/cn';
import { engineLabel } from '../../lib/format';
import { Card } from '../assist/Card';
import { callLatency, formatLatency, type StageName, type TurnLatency } from './latency';

/** Only the latest turns get a row (the card stays short); p50/p90 cover every turn. */
const MAX_ROWS = 8;
/** Bars share one scale so turns compare at a glance; it never shrinks below this. */
const MIN_SCALE_MS = 1000;
/** Voice-to-voice above this is tinted: callers start to notice the pause. */
const SLOW_MS = 1500;

const stageInfo: Record<StageName, { label: string; swatch: string; name: string }> = {
  stt: { label: 'STT', swatch: 'bg-sky-400/75', name: 'Speech end → final transcript' },
  llm: { label: 'LLM', swatch: 'bg-violet-400/75', name: 'Transcript → first token' },
  tts: { label: 'TTS', swatch: 'bg-teal-300/70', name: 'First token → first audio' },
  send: { label: 'Send', swatch: 'bg-slate-400/70', name: 'First audio → caller' },
};
const STAGES: StageName[] = ['stt', 'llm', 'tts', 'send'];

/** Where the time went in the AI's turns: voice-to-voice per turn, split by stage, and p50/p90. */
export function LatencyCard({ turns, ended }: { turns: TurnMetrics[]; ended: boolean }) {
  const latency = callLatency(turns);
  const shown = latency.turns.slice(-MAX_ROWS);
  const scaleMs = Math.max(MIN_SCALE_MS, ...shown.map((t) => t.voiceToVoiceMs ?? t.knownMs));
  const cutOff = latency.turns.length - latency.measured;

  return (
    <Card
      title="Latency"
      testId="latency-card"
      aside={
        latency.measured > 0 ? (
          <span className="flex items-baseline gap-2 text-[11px] text-faint" data-testid="latency-percentiles">
            <span>
              p50{' '}
              <span className="font-mono text-slate-200 tabular-nums" data-testid="latency-p50">
                {formatLatency(latency.p50Ms)}
              </span>
            </span>
            <span>
              p90{' '}
              <span className="font-mono text-slate-200 tabular-nums" data-testid="latency-p90">
                {formatLatency(latency.p90Ms)}
              </span>
            </span>
          </span>
        ) : null
      }
    >
      {latency.turns.length === 0 ? (
        <p className="py-3 text-[12px] text-faint">
          {ended ? 'No AI replies were timed on this call.' : 'Timings appear after the AI’s first reply.'}
        </p>
      ) : (
        <>
          <ul className="flex flex-col gap-1" aria-label="Voice-to-voice time per AI turn">
            {shown.map((t) => (
              <TurnRow key={t.turnId} turn={t} scaleMs={scaleMs} />
            ))}
          </ul>
          <div className="mt-2.5 flex items-center gap-3 text-[10.5px] text-faint">
            {STAGES.map((s) => (
              <span key={s} className="flex items-center gap-1" title={stageInfo[s].name}>
                <span aria-hidden className={cn('size-2 rounded-[2px]', stageInfo[s].swatch)} />
                {stageInfo[s].label}
              </span>
            ))}
            <span className="ml-auto tabular-nums">
              {latency.turns.length > shown.length ? `last ${shown.length} of ${latency.turns.length}` : null}
              {latency.turns.length > shown.length && cutOff > 0 ? ' · ' : null}
              {cutOff > 0 ? `${cutOff} cut off` : null}
            </span>
          </div>
        </>
      )}
    </Card>
  );
}

function TurnRow({ turn, scaleMs }: { turn: TurnLatency; scaleMs: number }) {
  const v2v = turn.voiceToVoiceMs;
  return (
    <li
      className="flex items-center gap-2"
      data-testid="latency-turn"
      data-turn-id={turn.turnId}
      data-v2v-ms={v2v === null ? undefined : Math.round(v2v)}
    >
      <span className="w-6 shrink-0 font-mono text-[11px] text-faint tabular-nums">#{turn.index}</span>
      {/* The trigger (Tooltip's first span) grows to fill the row, so the whole bar is hoverable. */}
      <Tooltip
        content={<TurnDetails turn={turn} />}
        side="top"
        align="end"
        className="min-w-0 flex-1 [&>span:first-child]:min-w-0 [&>span:first-child]:flex-1"
      >
        <span className="flex min-w-0 flex-1 items-center gap-2 py-0.5">
          <span className="flex h-2 min-w-0 flex-1 overflow-hidden rounded-sm bg-slate-800/70">
            {turn.stages.map((s) =>
              s.ms === null || s.ms === 0 ? null : (
                <span
                  key={s.name}
                  className={cn('h-full', stageInfo[s.name].swatch, v2v === null && 'opacity-50')}
                  style={{ width: `${(s.ms / scaleMs) * 100}%` }}
                />
              ),
            )}
          </span>
          <span
            className={cn(
              'w-13 shrink-0 text-right font-mono text-[11.5px] tabular-nums',
              v2v === null ? 'text-faint italic' : v2v > SLOW_MS ? 'text-amber-300/90' : 'text-slate-300',
            )}
            data-testid="latency-v2v"
          >
            {v2v === null ? 'cut off' : formatLatency(v2v)}
          </span>
        </span>
      </Tooltip>
    </li>
  );
}

function TurnDetails({ turn }: { turn: TurnLatency }) {
  return (
    <span className="flex flex-col gap-1" data-testid="latency-details">
      <span className="text-slate-200">
        Turn {turn.index} ·{' '}
        {turn.voiceToVoiceMs === null ? 'cut off before the caller heard it' : `${formatLatency(turn.voiceToVoiceMs)} voice to voice`}
      </span>
      <span className="grid grid-cols-[auto_auto_auto] gap-x-3 gap-y-0.5 text-[11.5px]">
        {turn.stages.map((s) => (
          <span key={s.name} className="contents">
            <span className="flex items-center gap-1.5">
              <span aria-hidden className={cn('size-2 rounded-[2px]', stageInfo[s.name].swatch)} />
              {stageInfo[s.name].label}
            </span>
            <span className="text-right font-mono tabular-nums">{formatLatency(s.ms)}</span>
            <span className="text-faint" title={s.label ?? undefined}>
              {s.label ? engineLabel(s.label) : ''}
            </span>
          </span>
        ))}
      </span>
    </span>
  );
}
