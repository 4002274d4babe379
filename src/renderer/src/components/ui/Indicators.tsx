import type { AiActivity, CallStatus, Controller } from '@shared/domain';
import { cn } from '../../lib/cn';
import { formatScore, sentimentTone, type SentimentTone } from '../../lib/format';

const toneDot: Record<SentimentTone, string> = {
  negative: 'bg-rose-400',
  neutral: 'bg-slate-500',
  positive: 'bg-emerald-400',
};
const toneText: Record<SentimentTone, string> = {
  negative: 'text-rose-300',
  neutral: 'text-slate-400',
  positive: 'text-emerald-300',
};
export const toneStroke: Record<SentimentTone, string> = {
  negative: 'stroke-rose-400',
  neutral: 'stroke-slate-400',
  positive: 'stroke-emerald-400',
};
export const toneFill: Record<SentimentTone, string> = {
  negative: 'fill-rose-400',
  neutral: 'fill-slate-400',
  positive: 'fill-emerald-400',
};

export function toneTextClass(tone: SentimentTone): string {
  return toneText[tone];
}

/** Coloured dot for a sentiment score; the score shows on hover (title) and to screen readers. */
export function SentimentDot({ score, className }: { score: number | null; className?: string }) {
  if (score === null) {
    return (
      <span
        className={cn('inline-block size-2 rounded-full border border-slate-600', className)}
        title="No caller sentiment yet"
        role="img"
        aria-label="No caller sentiment yet"
      />
    );
  }
  const tone = sentimentTone(score);
  const label = `Sentiment ${tone} (${formatScore(score)})`;
  return (
    <span
      className={cn('inline-block size-2 rounded-full', toneDot[tone], className)}
      title={label}
      role="img"
      aria-label={label}
      data-sentiment={tone}
    />
  );
}

const activityLabel: Record<AiActivity, string> = {
  idle: 'Idle',
  listening: 'Listening',
  thinking: 'Thinking',
  speaking: 'Speaking',
  detached: 'Detached',
};

/** What the AI is doing, with a small animated glyph (still when reduced motion is on). */
export function ActivityIndicator({
  activity,
  showLabel = true,
  className,
}: {
  activity: AiActivity;
  showLabel?: boolean;
  className?: string;
}) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1.5 text-[12px]',
        activity === 'speaking' && 'text-indigo-300',
        activity === 'thinking' && 'text-violet-300',
        activity === 'listening' && 'text-sky-300',
        (activity === 'idle' || activity === 'detached') && 'text-slate-500',
        className,
      )}
      data-testid="ai-activity"
      data-activity={activity}
    >
      <ActivityGlyph activity={activity} />
      {showLabel ? <span>{activityLabel[activity]}</span> : <span className="sr-only">AI {activityLabel[activity]}</span>}
    </span>
  );
}

function ActivityGlyph({ activity }: { activity: AiActivity }) {
  switch (activity) {
    case 'speaking':
      return (
        <span aria-hidden className="flex h-3 w-3 items-center justify-between">
          {[0, 180, 360].map((delay) => (
            <span
              key={delay}
              className="animate-eq h-3 w-[2px] origin-center rounded-full bg-current"
              style={{ animationDelay: `${delay}ms` }}
            />
          ))}
        </span>
      );
    case 'thinking':
      return (
        <span aria-hidden className="flex h-3 w-3 items-center justify-between">
          {[0, 160, 320].map((delay) => (
            <span
              key={delay}
              className="animate-think size-[3px] rounded-full bg-current"
              style={{ animationDelay: `${delay}ms` }}
            />
          ))}
        </span>
      );
    case 'listening':
      return (
        <span aria-hidden className="relative flex size-3 items-center justify-center">
          <span className="animate-listen absolute size-1.5 rounded-full bg-current" />
          <span className="size-1.5 rounded-full bg-current" />
        </span>
      );
    case 'detached':
      return (
        <span aria-hidden className="flex size-3 items-center justify-center">
          <span className="size-2 rounded-full border border-current" />
        </span>
      );
    default:
      return (
        <span aria-hidden className="flex size-3 items-center justify-center">
          <span className="size-1.5 rounded-full bg-current" />
        </span>
      );
  }
}

export function ControllerBadge({ controller, className }: { controller: Controller; className?: string }) {
  return (
    <span
      data-testid="controller"
      data-controller={controller}
      className={cn(
        'inline-flex h-5 items-center rounded px-1.5 text-[11px] font-semibold tracking-wide uppercase ring-1 ring-inset',
        controller === 'ai'
          ? 'bg-indigo-400/10 text-indigo-300 ring-indigo-400/25'
          : 'bg-amber-400/10 text-amber-300 ring-amber-400/30',
        className,
      )}
    >
      {controller === 'ai' ? 'AI' : 'Agent'}
    </span>
  );
}

export function StatusBadge({ status }: { status: CallStatus }) {
  return (
    <span
      data-testid="call-status"
      data-status={status}
      className={cn(
        'inline-flex h-5 items-center gap-1.5 rounded-full px-2 text-[11px] font-medium ring-1 ring-inset',
        status === 'active' && 'bg-emerald-400/10 text-emerald-300 ring-emerald-400/25',
        status === 'ringing' && 'bg-sky-400/10 text-sky-300 ring-sky-400/25',
        status === 'ended' && 'bg-slate-700/40 text-slate-400 ring-slate-600/50',
      )}
    >
      <span
        aria-hidden
        className={cn(
          'size-1.5 rounded-full',
          status === 'active' && 'bg-emerald-400',
          status === 'ringing' && 'animate-pulse bg-sky-400',
          status === 'ended' && 'bg-slate-500',
        )}
      />
      {status === 'active' ? 'Live' : status === 'ringing' ? 'Ringing' : 'Ended'}
    </span>
  );
}
