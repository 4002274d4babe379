import { useState } from 'react';
import type { CallSummary, Suggestion, TurnMetrics } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { toneTextClass } from '../../components/ui/Indicators';
import { BookIcon, SparkIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatScore, sentimentTone, titleCase } from '../../lib/format';
import { LatencyCard } from '../latency/LatencyCard';
import { Card } from './Card';
import { DetailsCard, FactsCard, useCallInsights } from './CallInsights';
import { Sparkline } from './Sparkline';

export function AssistPanel({
  call,
  suggestion,
  callerScores,
  turns,
  handover,
  onUseReply,
  onAiSay = null,
}: {
  call: CallSummary | null;
  suggestion: Suggestion | null;
  callerScores: number[];
  /** The open call's AI turns, oldest first. */
  turns: TurnMetrics[];
  /** The summary the agent got when taking the call over (while they have it). */
  handover: string | null;
  onUseReply: ((text: string) => void) | null;
  /** While the AI has the call: it says the reply next (resolves true once it will). */
  onAiSay?: ((text: string) => Promise<boolean>) | null;
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
          <CallInsightCards callId={call.id} ended={call.status === 'ended'} />
          <SuggestionCard suggestion={suggestion} onUseReply={onUseReply} onAiSay={onAiSay} ended={call.status === 'ended'} />
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
  onAiSay,
  ended,
}: {
  suggestion: Suggestion | null;
  onUseReply: ((text: string) => void) | null;
  onAiSay: ((text: string) => Promise<boolean>) | null;
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
        <ReplyActions reply={suggestion.reply} replyKey={suggestion.utteranceId} onUseReply={onUseReply} onAiSay={onAiSay} ended={ended} />
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

/**
 * What the agent can do with a suggested reply: while the AI has the call, have the AI say it
 * (no take-over needed); while the agent has it, put it in the composer to edit and send.
 */
function ReplyActions({
  reply,
  replyKey,
  onUseReply,
  onAiSay,
  ended,
}: {
  reply: string;
  /** Identifies the suggestion, so "sent" resets when a new one arrives. */
  replyKey: string;
  onUseReply: ((text: string) => void) | null;
  onAiSay: ((text: string) => Promise<boolean>) | null;
  ended: boolean;
}) {
  const [sending, setSending] = useState(false);
  const [sentKey, setSentKey] = useState<string | null>(null);
  const sent = sentKey === replyKey;
  if (onAiSay) {
    return (
      <div className="mt-3 flex flex-wrap items-center gap-x-2 gap-y-1.5">
        <Button
          size="sm"
          variant="primary"
          disabled={sending || sent}
          busy={sending}
          data-testid="suggestion-ai-say"
          onClick={() => {
            setSending(true);
            void onAiSay(reply).then((ok) => {
              setSending(false);
              if (ok) setSentKey(replyKey);
            });
          }}
        >
          Have the AI say this
        </Button>
        <span className="text-[11px] text-slate-500" role="status" data-testid="suggestion-ai-say-status">
          {sent ? 'Sent: the AI says it next' : 'Its next line, word for word'}
        </span>
      </div>
    );
  }
  return (
    <div className="mt-3 flex flex-wrap items-center gap-x-2 gap-y-1.5">
      <Button
        size="sm"
        variant="secondary"
        disabled={!onUseReply}
        onClick={() => onUseReply?.(reply)}
        aria-describedby={onUseReply ? undefined : 'use-reply-hint'}
        data-testid="suggestion-use"
      >
        Put in composer
      </Button>
      {!onUseReply ? (
        <span id="use-reply-hint" className="text-[11px] text-slate-500">
          {ended ? 'The call has ended' : 'Take over to use it'}
        </span>
      ) : (
        <span className="text-[11px] text-slate-500">Edit it, then send it yourself</span>
      )}
    </div>
  );
}
