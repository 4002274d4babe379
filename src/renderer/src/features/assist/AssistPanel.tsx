import type { CallSummary, Suggestion, TurnMetrics } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { toneTextClass } from '../../components/ui/Indicators';
import { BookIcon, SparkIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatScore, sentimentTone, titleCase } from '../../lib/format';
import { LatencyCard } from '../latency/LatencyCard';
import { Card } from './Card';
import { Sparkline } from './Sparkline';

export function AssistPanel({
  call,
  suggestion,
  callerScores,
  turns,
  handover,
  onUseReply,
}: {
  call: CallSummary | null;
  suggestion: Suggestion | null;
  callerScores: number[];
  /** The open call's AI turns, oldest first. */
  turns: TurnMetrics[];
  /** The summary the agent got when taking the call over (while they have it). */
  handover: string | null;
  onUseReply: ((text: string) => void) | null;
}) {
  return (
    <aside aria-label="Assist" data-testid="assist-panel" className="flex min-h-0 flex-col overflow-y-auto border-l border-slate-800/80 bg-slate-950">
      <div className="flex h-9 shrink-0 items-center gap-2 px-4 pt-1">
        <SparkIcon className="size-3.5 text-indigo-300" />
        <h2 className="text-[11px] font-semibold tracking-[0.08em] text-slate-500 uppercase">Assist</h2>
      </div>

      {!call ? (
        <EmptyState title="Nothing to assist with yet" className="flex-1">
          Suggestions, knowledge-base articles and the caller’s mood show here for the open call.
        </EmptyState>
      ) : (
        <div className="flex flex-col gap-3 px-3 pb-4">
          {handover ? (
            <Card title="Handover summary">
              <p className="text-[13px] leading-relaxed text-amber-100/90" data-testid="handover-summary">
                {handover}
              </p>
            </Card>
          ) : null}
          <SentimentCard scores={callerScores} />
          <SuggestionCard suggestion={suggestion} onUseReply={onUseReply} ended={call.status === 'ended'} />
          <LatencyCard turns={turns} ended={call.status === 'ended'} />
        </div>
      )}
    </aside>
  );
}

function SentimentCard({ scores }: { scores: number[] }) {
  const last = scores.at(-1);
  const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
  return (
    <Card
      title="Caller sentiment"
      aside={
        last !== undefined ? (
          <span className={cn('font-mono text-[12px] tabular-nums', toneTextClass(sentimentTone(last)))} data-testid="sentiment-latest">
            {formatScore(last)}
          </span>
        ) : null
      }
    >
      {scores.length === 0 ? (
        <p className="py-3 text-[12px] text-slate-500">The trend appears once the caller has spoken.</p>
      ) : (
        <>
          <Sparkline scores={scores} />
          <div className="mt-1.5 flex justify-between text-[11px] text-slate-500">
            <span>
              {scores.length} caller {scores.length === 1 ? 'line' : 'lines'}
            </span>
            {mean !== null ? (
              <span>
                mean <span className="font-mono tabular-nums">{formatScore(mean)}</span>
              </span>
            ) : null}
          </div>
        </>
      )}
    </Card>
  );
}

function SuggestionCard({
  suggestion,
  onUseReply,
  ended,
}: {
  suggestion: Suggestion | null;
  onUseReply: ((text: string) => void) | null;
  ended: boolean;
}) {
  if (!suggestion) {
    return (
      <Card title="Suggested reply">
        <p className="py-3 text-[12px] text-slate-500">
          {ended ? 'No suggestion was made on this call.' : 'A suggestion appears after the caller’s next line.'}
        </p>
      </Card>
    );
  }
  const confidencePct = Math.round(suggestion.intentConfidence * 100);
  return (
    <>
      <Card
        title="Intent"
        aside={<span className="font-mono text-[11px] text-slate-500 tabular-nums">{confidencePct}%</span>}
      >
        <p className="text-[13px] font-medium text-slate-100" data-testid="suggestion-intent">
          {titleCase(suggestion.intent)}
        </p>
        <div
          className="mt-2 h-1 overflow-hidden rounded-full bg-slate-800"
          role="meter"
          aria-label="Intent confidence"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={confidencePct}
        >
          <div className="h-full rounded-full bg-indigo-400/80" style={{ width: `${confidencePct}%` }} />
        </div>
      </Card>

      <Card title="Suggested reply">
        <blockquote className="border-l-2 border-indigo-400/40 pl-3 text-[13px] leading-relaxed text-slate-200" data-testid="suggestion-reply">
          {suggestion.reply}
        </blockquote>
        <div className="mt-3 flex items-center gap-2">
          <Button
            size="sm"
            variant="secondary"
            disabled={!onUseReply}
            onClick={() => onUseReply?.(suggestion.reply)}
            aria-describedby={onUseReply ? undefined : 'use-reply-hint'}
          >
            Use
          </Button>
          {!onUseReply ? (
            <span id="use-reply-hint" className="text-[11px] text-slate-500">
              {ended ? 'The call has ended' : 'Take over to use it'}
            </span>
          ) : (
            <span className="text-[11px] text-slate-500">Fills the reply box</span>
          )}
        </div>
      </Card>

      <Card title="Knowledge base" aside={<span className="text-[11px] text-slate-600">{suggestion.articles.length}</span>}>
        {suggestion.articles.length === 0 ? (
          <p className="text-[12px] text-slate-500">No matching articles.</p>
        ) : (
          <ul className="flex flex-col gap-2" data-testid="kb-articles">
            {suggestion.articles.map((a) => (
              <li key={a.id} className="rounded-md border border-slate-800 bg-slate-950/50 p-2.5">
                <p className="flex items-start gap-2 text-[12.5px] font-medium text-slate-200">
                  <BookIcon className="mt-0.5 size-3.5 shrink-0 text-slate-500" />
                  <span className="min-w-0 flex-1">{a.title}</span>
                </p>
                <p className="mt-1 line-clamp-3 pl-5.5 text-[12px] leading-relaxed text-slate-500">{a.snippet}</p>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
