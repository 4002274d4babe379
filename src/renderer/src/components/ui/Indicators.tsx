import type { ActiveAlert, AiActivity, AlertSeverity, CallState, CallStatus, Controller } from '@shared/domain';
import { cn } from '../../lib/cn';
import { sentimentBand, type SentimentBand } from '@shared/sentiment';
import { formatDuration, formatSentiment } from '../../lib/format';

/**
 * Colours per sentiment band (src/shared/sentiment.ts): neutral is slate, never red; negative is
 * amber and only the strongest rose (where the default "Caller upset" alert fires); positive is
 * emerald. Always beside the band's words: colour is never the only signal.
 */
const toneDot: Record<SentimentBand, string> = {
  very_negative: 'bg-rose-400',
  negative: 'bg-amber-400',
  neutral: 'bg-slate-400',
  positive: 'bg-emerald-400',
};
const toneText: Record<SentimentBand, string> = {
  very_negative: 'text-rose-300',
  negative: 'text-amber-300',
  neutral: 'text-slate-300',
  positive: 'text-emerald-300',
};
export const toneStroke: Record<SentimentBand, string> = {
  very_negative: 'stroke-rose-400',
  negative: 'stroke-amber-400',
  neutral: 'stroke-slate-400',
  positive: 'stroke-emerald-400',
};
export const toneFill: Record<SentimentBand, string> = {
  very_negative: 'fill-rose-400',
  negative: 'fill-amber-400',
  neutral: 'fill-slate-400',
  positive: 'fill-emerald-400',
};

export function toneTextClass(band: SentimentBand): string {
  return toneText[band];
}

export function toneDotClass(band: SentimentBand): string {
  return toneDot[band];
}

/**
 * Coloured dot for a sentiment score; the band and score show on hover (title) and to screen
 * readers. `what` says which figure it is ("Whole-call mean", "Line").
 */
export function SentimentDot({ score, what = 'Caller sentiment', className }: { score: number | null; what?: string; className?: string }) {
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
  const band = sentimentBand(score);
  const label = `${what}: ${formatSentiment(score)}`;
  return (
    <span
      className={cn('inline-block size-2 rounded-full', toneDot[band], className)}
      title={label}
      role="img"
      aria-label={label}
      data-band={band}
    />
  );
}

const activityLabel: Record<AiActivity, string> = {
  idle: 'Idle',
  listening: 'Listening',
  thinking: 'Thinking',
  speaking: 'Speaking',
  paused: 'Paused',
  detached: 'With agent',
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
        activity === 'paused' && 'font-medium text-fuchsia-300',
        (activity === 'idle' || activity === 'detached') && 'text-faint',
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
    case 'paused':
      // Two still bars: the pause sign, never animated.
      return (
        <span aria-hidden className="flex size-3 items-center justify-center gap-[2px]">
          <span className="h-2.5 w-[3px] rounded-[1px] bg-current" />
          <span className="h-2.5 w-[3px] rounded-[1px] bg-current" />
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

/**
 * Who has the call. With `state`, a paused AI reads "AI paused" in its own colour (word and
 * colour, so it never rests on colour alone) and a caller on hold reads "On hold".
 */
export function ControllerBadge({
  controller,
  state,
  className,
}: {
  controller: Controller;
  state?: CallState;
  className?: string;
}) {
  const paused = controller === 'ai' && state === 'ai_paused';
  const onHold = controller === 'agent' && state === 'agent_hold';
  return (
    <span
      data-testid="controller"
      data-controller={controller}
      data-state={state}
      className={cn(
        'inline-flex h-5 items-center gap-1 rounded px-1.5 text-[11px] font-semibold tracking-wide whitespace-nowrap uppercase ring-1 ring-inset',
        paused
          ? 'bg-fuchsia-400/15 text-fuchsia-200 ring-fuchsia-400/40'
          : controller === 'ai'
            ? 'bg-indigo-400/10 text-indigo-300 ring-indigo-400/25'
            : 'bg-amber-400/10 text-amber-300 ring-amber-400/30',
        className,
      )}
    >
      {paused ? 'AI paused' : controller === 'ai' ? 'AI' : onHold ? 'Agent · hold' : 'Agent'}
    </span>
  );
}

const severityWord: Record<AlertSeverity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** Text and ring colours per alert severity (rose, amber, sky), shared by the row badge and banners. */
export const severityTone: Record<AlertSeverity, string> = {
  critical: 'bg-rose-500/15 text-rose-200 ring-rose-400/45',
  warning: 'bg-amber-400/10 text-amber-200 ring-amber-400/35',
  info: 'bg-sky-400/10 text-sky-200 ring-sky-400/30',
};

/** A glyph per severity, so severities differ in shape as well as colour. */
function SeverityGlyph({ severity }: { severity: AlertSeverity }) {
  if (severity === 'critical') {
    return (
      <svg viewBox="0 0 12 12" aria-hidden className="size-3 shrink-0">
        <path d="M4 1h4l3 3v4l-3 3H4L1 8V4z" fill="currentColor" fillOpacity="0.9" />
        <path d="M6 3.4v3.1M6 8.3v.1" className="stroke-slate-950" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
    );
  }
  if (severity === 'warning') {
    return (
      <svg viewBox="0 0 12 12" aria-hidden className="size-3 shrink-0">
        <path d="M6 1.2 11 10.5H1z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
        <path d="M6 4.6v2.6M6 8.8v.1" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
      </svg>
    );
  }
  return (
    <svg viewBox="0 0 12 12" aria-hidden className="size-3 shrink-0">
      <circle cx="6" cy="6" r="4.8" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path d="M6 5.4v3M6 3.6v.1" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
    </svg>
  );
}

/** The call's most severe open alert: severity shape and colour, its title, and how many more are open. */
export function AlertBadge({ alert, openAlerts, className }: { alert: ActiveAlert; openAlerts: number; className?: string }) {
  const more = Math.max(0, openAlerts - 1);
  return (
    <span
      data-testid="row-alert"
      data-severity={alert.severity}
      title={`${severityWord[alert.severity]} alert: ${alert.title}${more ? ` (and ${more} more open)` : ''}`}
      className={cn(
        'inline-flex h-5 min-w-0 items-center gap-1.5 rounded px-1.5 text-[11.5px] font-medium ring-1 ring-inset',
        severityTone[alert.severity],
        className,
      )}
    >
      <SeverityGlyph severity={alert.severity} />
      <span className="sr-only">{severityWord[alert.severity]} alert:</span>
      <span className="truncate">{alert.title}</span>
      {more ? <span className="shrink-0 font-mono text-[10.5px] opacity-75">+{more}</span> : null}
    </span>
  );
}

/** Past this wait the caller has been left too long: the badge and banner turn urgent. */
export const LONG_WAIT_MS = 60_000;

/** "waiting 1:23" while the caller waits for a person; urgent (rose, pulsing dot) past a minute. */
export function WaitingBadge({ since, now, className }: { since: number; now: number; className?: string }) {
  const waitedMs = Math.max(0, now - since);
  const long = waitedMs >= LONG_WAIT_MS;
  return (
    <span
      data-testid="waiting-badge"
      data-long={long || undefined}
      title="The caller is waiting for a person"
      className={cn(
        'inline-flex h-5 shrink-0 items-center gap-1.5 rounded-full px-2 text-[11px] font-semibold whitespace-nowrap tabular-nums ring-1 ring-inset',
        long ? 'bg-rose-500/20 text-rose-100 ring-rose-400/50' : 'bg-amber-400/15 text-amber-100 ring-amber-400/40',
        className,
      )}
    >
      <span aria-hidden className={cn('size-1.5 rounded-full', long ? 'animate-pulse bg-rose-400 motion-reduce:animate-none' : 'bg-amber-300')} />
      waiting {formatDuration(waitedMs)}
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
