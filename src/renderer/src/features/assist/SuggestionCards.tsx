/**
 * The suggestion half of the Assist column: what the call is about (with how sure the engine is,
 * in words), what the agent might do, and the knowledge base.
 *
 * Who has the call decides what "might do" means. The core sends both halves with every
 * suggestion (actions for the agent while the AI has the call, a reply for the agent to send
 * when they have it), and this component picks one from the call's current state on every
 * render. A take-over, hand-back or pause changes CallSummary.state, so the panel follows it at
 * once, without waiting for the caller's next line and without the core re-emitting anything.
 */
import { useId, useState } from 'react';
import type { AgentAction, CallState, Suggestion, WhisperHandling } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { AlertIcon, BookIcon, HeadsetIcon, SparkIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatPercent, titleCase } from '../../lib/format';
import { whisperHandlingText } from '../call-view/timeline';
import { Card } from './Card';

/** Which half of a suggestion applies: the AI's side (it answers the caller), the agent's, or neither once the call is over. */
type Side = 'ai' | 'agent' | 'ended';

const sideOf: Record<CallState, Side> = {
  ai: 'ai',
  ai_paused: 'ai',
  // On its way back to the AI: the agent's reply no longer goes anywhere.
  returning: 'ai',
  agent: 'agent',
  agent_phone: 'agent',
  agent_hold: 'agent',
  ended: 'ended',
};

export interface SuggestionHandlers {
  /** While the agent has the call: fills the composer (null while it can't be used). */
  onUseReply: ((text: string) => void) | null;
  /** While the AI has the call: whispers to it (resolves with how the AI takes it, null when not sent). */
  onWhisper: ((text: string) => Promise<WhisperHandling | null>) | null;
  /** While the AI has the call: takes it over. */
  onTakeOver: (() => void) | null;
}

export function SuggestionCards({ suggestion, state, handlers }: { suggestion: Suggestion | null; state: CallState; handlers: SuggestionHandlers }) {
  const [openArticle, setOpenArticle] = useState<string | null>(null);
  const side = sideOf[state];
  if (!suggestion) {
    return (
      <Card title={side === 'agent' ? 'Suggested reply' : 'What you could do'}>
        <p className="py-3 text-[12px] text-faint">
          {side === 'ended' ? 'No suggestion was made on this call.' : 'Suggestions appear after the caller’s next line.'}
        </p>
      </Card>
    );
  }
  const showArticle = (id: string) => {
    setOpenArticle(id);
    requestAnimationFrame(() => document.getElementById(articleElementId(id))?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  };
  return (
    <>
      <IntentCard suggestion={suggestion} />
      {side === 'ai' ? (
        <AgentActionsCard suggestion={suggestion} paused={state === 'ai_paused'} handlers={handlers} onOpenArticle={showArticle} />
      ) : side === 'agent' ? (
        <ReplyCard suggestion={suggestion} onUseReply={handlers.onUseReply} />
      ) : null}
      <KnowledgeCard articles={suggestion.articles} openId={openArticle} />
    </>
  );
}

const certaintyWords: Record<Suggestion['intentCertainty'], string> = {
  high: 'Confident',
  low: 'Low confidence',
  unknown: 'Not sure yet',
};

/** The call's intent, smoothed over its lines, and how sure the engine is, in words first. */
function IntentCard({ suggestion }: { suggestion: Suggestion }) {
  const { intentCertainty: certainty } = suggestion;
  const known = certainty !== 'unknown';
  const label = suggestion.intentLabel || titleCase(suggestion.intent);
  const percent = formatPercent(suggestion.intentConfidence);
  return (
    <Card
      title="Caller wants"
      aside={
        <span
          className={cn('text-[11px]', certainty === 'high' ? 'text-slate-400' : 'font-medium text-amber-200')}
          data-testid="intent-certainty"
          data-certainty={certainty}
        >
          {certaintyWords[certainty]}
          {known ? <span className="ml-1 font-mono text-faint tabular-nums">{percent}</span> : null}
        </span>
      }
    >
      <p className={cn('text-[13px] font-medium', known ? 'text-slate-100' : 'text-slate-400')} data-testid="suggestion-intent" data-intent={suggestion.intent}>
        {known ? label : 'Not sure yet'}
      </p>
      {certainty === 'low' ? (
        <p className="mt-1 text-[11.5px] leading-snug text-faint">A guess: the caller’s lines don’t clearly point one way yet.</p>
      ) : certainty === 'unknown' ? (
        <p className="mt-1 text-[11.5px] leading-snug text-faint">The caller hasn’t said what they need yet.</p>
      ) : null}
      {known ? (
        <div
          className="mt-2 h-1 overflow-hidden rounded-full bg-slate-800"
          role="meter"
          aria-label="Intent confidence"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(suggestion.intentConfidence * 100)}
          aria-valuetext={`${certaintyWords[certainty]}, ${percent}`}
        >
          <div
            className={cn('h-full rounded-full', certainty === 'high' ? 'bg-indigo-400/80' : 'bg-amber-300/70')}
            style={{ width: `${Math.round(suggestion.intentConfidence * 100)}%` }}
          />
        </div>
      ) : null}
    </Card>
  );
}

/** While the AI has the call: what the agent might do about it (never the AI's own next line). */
function AgentActionsCard({
  suggestion,
  paused,
  handlers,
  onOpenArticle,
}: {
  suggestion: Suggestion;
  paused: boolean;
  handlers: SuggestionHandlers;
  onOpenArticle: (id: string) => void;
}) {
  const { agentActions } = suggestion;
  return (
    <Card title="What you could do" testId="agent-actions">
      {agentActions.length === 0 ? (
        <p className="py-1 text-[12px] text-faint" data-testid="agent-actions-none">
          {paused ? 'Nothing stands out. Resume the AI, or take over to answer yourself.' : 'Nothing needs you right now: the AI is handling this.'}
        </p>
      ) : (
        <ul className="flex flex-col gap-2.5">
          {agentActions.map((action) => (
            <li key={actionKey(action)} data-testid="agent-action" data-kind={action.kind}>
              <ActionItem action={action} suggestionKey={suggestion.utteranceId} handlers={handlers} onOpenArticle={onOpenArticle} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function actionKey(action: AgentAction): string {
  switch (action.kind) {
    case 'take_over':
      return 'take_over';
    case 'whisper':
      return `whisper:${action.text}`;
    case 'article':
      return `article:${action.articleId}`;
  }
}

function ActionItem({
  action,
  suggestionKey,
  handlers,
  onOpenArticle,
}: {
  action: AgentAction;
  suggestionKey: string;
  handlers: SuggestionHandlers;
  onOpenArticle: (id: string) => void;
}) {
  switch (action.kind) {
    case 'take_over':
      return (
        <div className="flex flex-col gap-1.5">
          <p className="flex items-start gap-1.5 text-[12px] leading-snug text-amber-100" data-testid="take-over-reason">
            <AlertIcon className="mt-0.5 size-3.5 shrink-0 text-amber-300" aria-hidden />
            {action.reason}
          </p>
          {/* Not "Take over": that names the call header's button, which stays the one way to find it. */}
          <Button
            size="sm"
            variant="warning"
            icon={<HeadsetIcon className="size-3.5" />}
            className="self-start"
            disabled={!handlers.onTakeOver}
            onClick={() => handlers.onTakeOver?.()}
            data-testid="action-take-over"
          >
            Take the call
          </Button>
        </div>
      );
    case 'whisper':
      return <WhisperAction label={action.label} text={action.text} suggestionKey={suggestionKey} onWhisper={handlers.onWhisper} />;
    case 'article':
      // A wrapping text button: article titles are long and the column is narrow.
      return (
        <button
          type="button"
          className="focus-ring flex w-full items-start gap-1.5 rounded-md px-1 py-0.5 text-left text-[12px] leading-snug text-indigo-200 hover:bg-slate-800/60 hover:text-indigo-100"
          onClick={() => onOpenArticle(action.articleId)}
        >
          <BookIcon className="mt-0.5 size-3.5 shrink-0" aria-hidden />
          <span className="min-w-0">Open article: {action.title}</span>
        </button>
      );
  }
}

/** One click whispers the line to the AI; what the AI does with it is said underneath. */
function WhisperAction({
  label,
  text,
  suggestionKey,
  onWhisper,
}: {
  label: string;
  text: string;
  suggestionKey: string;
  onWhisper: SuggestionHandlers['onWhisper'];
}) {
  const labelId = useId();
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<{ key: string; handling: WhisperHandling } | null>(null);
  const sentNow = sent?.key === `${suggestionKey}:${text}` ? sent : null;
  const spoken = text.replace(/^say:\s*/i, '');
  return (
    <div className="flex flex-col gap-1.5">
      <p className="flex items-start gap-1.5 text-[12px] leading-snug font-medium text-slate-200" id={labelId}>
        <SparkIcon className="mt-0.5 size-3.5 shrink-0 text-indigo-300" aria-hidden />
        <span className="min-w-0">Whisper: {label}</span>
      </p>
      <blockquote className="border-l-2 border-indigo-400/30 pl-2.5 text-[12px] leading-relaxed text-slate-300" data-testid="action-whisper-line">
        “{spoken}”
      </blockquote>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <Button
          size="sm"
          variant="primary"
          disabled={!onWhisper || sending || sentNow !== null}
          busy={sending}
          aria-describedby={labelId}
          data-testid="action-whisper"
          onClick={() => {
            if (!onWhisper) return;
            setSending(true);
            void onWhisper(text).then((handling) => {
              setSending(false);
              if (handling) setSent({ key: `${suggestionKey}:${text}`, handling });
            });
          }}
        >
          {sentNow ? 'Whispered' : 'Whisper it'}
        </Button>
        <span className="min-w-0 flex-1 text-[11px] leading-snug text-faint" role="status" data-testid="action-whisper-status">
          {sentNow ? whisperHandlingText(sentNow.handling) : 'The AI says it; the caller never hears the whisper.'}
        </span>
      </div>
    </div>
  );
}

/** While the agent has the call: a reply to put in the composer, edit and send. */
function ReplyCard({ suggestion, onUseReply }: { suggestion: Suggestion; onUseReply: ((text: string) => void) | null }) {
  return (
    <Card title="Suggested reply" testId="reply-card">
      {suggestion.reply ? (
        <>
          <blockquote className="border-l-2 border-indigo-400/40 pl-3 text-[13px] leading-relaxed text-slate-200" data-testid="suggestion-reply">
            {suggestion.reply}
          </blockquote>
          <div className="mt-3 flex flex-wrap items-center gap-x-2 gap-y-1.5">
            <Button
              size="sm"
              variant="secondary"
              disabled={!onUseReply}
              onClick={() => onUseReply?.(suggestion.reply)}
              aria-describedby="use-reply-hint"
              data-testid="suggestion-use"
            >
              Put in composer
            </Button>
            <span id="use-reply-hint" className="text-[11px] text-faint">
              {onUseReply ? 'Edit it, then send it yourself' : 'The composer isn’t available right now'}
            </span>
          </div>
        </>
      ) : (
        <p className="py-1 text-[12px] text-faint">No reply to suggest for the caller’s last line.</p>
      )}
    </Card>
  );
}

function articleElementId(id: string): string {
  return `kb-article-${id}`;
}

/** Articles smoothed over the call; a weak match says so, an opened one shows in full. */
function KnowledgeCard({ articles, openId }: { articles: Suggestion['articles']; openId: string | null }) {
  return (
    <Card title="Knowledge base" aside={<span className="text-[11px] text-faint">{articles.length || ''}</span>}>
      {articles.length === 0 ? (
        <p className="text-[12px] text-faint">No matching articles.</p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="kb-articles">
          {articles.map((a) => {
            const open = a.id === openId;
            return (
              <li
                key={a.id}
                id={articleElementId(a.id)}
                data-testid="kb-article"
                data-weak={a.weak}
                data-open={open}
                className={cn(
                  'rounded-md border bg-slate-950/50 p-2.5 scroll-mt-2',
                  open ? 'border-indigo-400/60' : a.weak ? 'border-dashed border-slate-700/80' : 'border-slate-800',
                )}
              >
                <p className={cn('flex items-start gap-2 text-[12.5px] font-medium', a.weak ? 'text-slate-300' : 'text-slate-200')}>
                  <BookIcon className="mt-0.5 size-3.5 shrink-0 text-faint" />
                  <span className="min-w-0 flex-1">{a.title}</span>
                  {a.weak ? (
                    <span className="shrink-0 rounded bg-slate-800 px-1.5 py-px text-[10.5px] font-normal text-slate-300" data-testid="kb-weak">
                      weak match
                    </span>
                  ) : null}
                </p>
                <p className={cn('mt-1 pl-5.5 text-[12px] leading-relaxed', open ? 'text-slate-300' : 'line-clamp-3 text-faint')}>{a.snippet}</p>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
