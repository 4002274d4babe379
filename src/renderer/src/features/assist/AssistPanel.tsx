import { useMemo } from 'react';
import { Suggestion as SuggestionSchema, type CallSummary, type Suggestion, type TurnMetrics, type WhisperHandling } from '@shared/domain';
import { EmptyState } from '../../components/ui/EmptyState';
import { SparkIcon } from '../../components/ui/icons';
import { formatDuration, formatScore } from '../../lib/format';
import { LatencyCard } from '../latency/LatencyCard';
import { Card } from './Card';
import { DetailsCard, FactsCard, useCallInsights } from './CallInsights';
import { SentimentReadout, useCallerSentiment } from '../sentiment/CallerSentiment';
import { Sparkline } from './Sparkline';
import { SuggestionCards } from './SuggestionCards';

export function AssistPanel({
  call,
  suggestion,
  callerScores,
  turns,
  handover,
  onUseReply,
  onWhisper = null,
  onTakeOver = null,
}: {
  call: CallSummary | null;
  suggestion: Suggestion | null;
  callerScores: number[];
  /** The open call's AI turns, oldest first. */
  turns: TurnMetrics[];
  /** The take-over's summary while the agent has the call, with the call time it was written. */
  handover: { text: string; atMs: number } | null;
  onUseReply: ((text: string) => void) | null;
  /** While the AI has the call: whispers to it (resolves with how the AI takes it, null when not sent). */
  onWhisper?: ((text: string) => Promise<WhisperHandling | null>) | null;
  /** While the AI has the call: takes it over. */
  onTakeOver?: (() => void) | null;
}) {
  // Through the contract's schema, so a suggestion from an older core gets the newer fields' defaults.
  const current = useMemo(() => (suggestion ? (SuggestionSchema.safeParse(suggestion).data ?? null) : null), [suggestion]);
  return (
    // relative: the visually hidden (sr-only, absolutely positioned) announcements inside are then
    // clipped by this scroller instead of stretching the whole page below the panel.
    <aside aria-label="Assist" data-testid="assist-panel" className="relative flex min-h-0 flex-col overflow-y-auto border-l border-slate-800/80 bg-slate-950">
      <div className="flex h-9 shrink-0 items-center gap-2 px-4 pt-1">
        <SparkIcon className="size-3.5 text-indigo-300" />
        <h2 className="text-[11px] font-semibold tracking-[0.08em] text-faint uppercase">Assist</h2>
      </div>

      {!call ? (
        <EmptyState title="Nothing to assist with yet" className="flex-1">
          Suggestions, knowledge-base articles and the caller’s mood show here for the open call.
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-3 px-3 pb-4">
          {handover ? (
            // Written at the moment of the take-over, so it says when: later lines are in the transcript.
            <Card title={`Handover summary · at take-over ${formatDuration(handover.atMs)}`}>
              <p className="text-[13px] leading-relaxed text-amber-100/90" data-testid="handover-summary">
                {handover.text}
              </p>
            </Card>
          ) : null}
          <SentimentCard call={call} scores={callerScores} />
          {/* What the caller wants and what to do about it, above the reference cards: it is what the agent acts on. */}
          <SuggestionCards suggestion={current} state={call.state} handlers={{ onUseReply, onWhisper, onTakeOver }} />
          <CallInsightCards callId={call.id} ended={call.status === 'ended'} />
          <LatencyCard turns={turns} ended={call.status === 'ended'} />
        </div>
      )}
    </aside>
  );
}

/** The caller's details and the AI's recorded facts for the open call (issue 8). */
function CallInsightCards({ callId, ended }: { callId: string; ended: boolean }) {
  const { entities, facts } = useCallInsights(callId);
  return (
    <>
      <DetailsCard entities={entities} ended={ended} />
      {/* Only once the AI has noted something: the offline engine never does, and the column is narrow. */}
      {facts.length > 0 ? <FactsCard facts={facts} ended={ended} /> : null}
    </>
  );
}

/**
 * The caller's mood: the headline is the call's reading (the same figure and words as its list
 * row and header), the sparkline every scored line, the footer the whole-call mean.
 */
function SentimentCard({ call, scores }: { call: CallSummary; scores: number[] }) {
  const reading = useCallerSentiment(call);
  return (
    <Card
      title="Caller sentiment"
      testId="sentiment-card"
      aside={reading ? <SentimentReadout reading={reading} testId="card-sentiment" className="text-[12px]" /> : null}
    >
      {scores.length === 0 ? (
        <p className="py-3 text-[12px] text-faint">The trend appears once the caller has spoken.</p>
      ) : (
        <>
          <Sparkline scores={scores} />
          <div className="mt-1.5 flex justify-between gap-2 text-[11px] text-faint">
            <span>
              {scores.length} caller {scores.length === 1 ? 'line' : 'lines'}
            </span>
            {reading ? (
              <span title="The mean over every caller line; the headline weighs the latest lines most">
                whole-call mean <span className="font-mono tabular-nums">{formatScore(reading.wholeCallMean)}</span>
              </span>
            ) : null}
          </div>
        </>
      )}
    </Card>
  );
}
