import { Button } from '../../components/ui/Button';
import { LONG_WAIT_MS } from '../../components/ui/Indicators';
import { HeadsetIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatDuration, formatOffset } from '../../lib/format';
import type { TakeoverRequest } from '../calls/store';
import type { NotificationAccess } from '../notifications/desktop-notifications';

/**
 * The AI asked for a person and still has the call: say why and how long the caller has been
 * waiting (ticking), and offer the take-over right here. Past a minute it turns urgent.
 */
export function TakeoverBanner({
  request,
  now,
  note = null,
  onTakeOver,
  busy,
  disabled,
  notifications,
  onEnableNotifications,
}: {
  request: TakeoverRequest;
  /** Epoch ms, ticking, for the wait. */
  now: number;
  /** What the AI has done for the waiting caller lately (kept them company, offered a choice). */
  note?: string | null;
  onTakeOver: () => void;
  busy: boolean;
  disabled: boolean;
  notifications: NotificationAccess;
  onEnableNotifications: () => void;
}) {
  const waitedMs = Math.max(0, now - request.since);
  const long = waitedMs >= LONG_WAIT_MS;
  return (
    <div
      role="alert"
      data-testid="takeover-request"
      data-event-id={request.eventId ?? undefined}
      data-long={long || undefined}
      className={cn(
        'flex shrink-0 flex-wrap items-center gap-x-3 gap-y-2 border-b px-6 py-2.5',
        long ? 'border-rose-400/40 bg-rose-500/[0.12]' : 'border-amber-400/25 bg-amber-400/[0.08]',
      )}
    >
      <span
        className={cn(
          'relative flex size-7 shrink-0 items-center justify-center rounded-full',
          long ? 'bg-rose-500/25 text-rose-100' : 'bg-amber-400/15 text-amber-200',
        )}
      >
        <span
          aria-hidden
          className={cn('absolute inset-0 animate-ping rounded-full motion-reduce:animate-none', long ? 'bg-rose-400/30' : 'bg-amber-400/20')}
        />
        <HeadsetIcon className="size-3.5" />
      </span>
      <div className="min-w-0 flex-[1_1_14rem]">
        <p className={cn('text-[13px] leading-snug', long ? 'text-rose-50' : 'text-amber-50')}>
          <span className={cn('font-semibold', long ? 'text-rose-200' : 'text-amber-200')}>The AI asks for a person: </span>
          <span data-testid="takeover-reason">{request.reason || 'no reason given.'}</span>
          <span className={cn('ml-2 font-mono text-[11px] tabular-nums', long ? 'text-rose-200/75' : 'text-amber-200/75')}>
            {formatOffset(request.atMs)}
          </span>
        </p>
        <p className={cn('mt-0.5 text-[12px]', long ? 'font-medium text-rose-200' : 'text-amber-200/75')} data-testid="takeover-wait">
          Caller has waited <span className="font-mono tabular-nums">{formatDuration(waitedMs)}</span>
          {long ? ' — over a minute; the AI is keeping them company until someone takes the call.' : ' · the AI keeps them company meanwhile.'}
        </p>
        {note ? (
          <p className={cn('mt-0.5 text-[12px]', long ? 'text-rose-100/80' : 'text-amber-100/70')} data-testid="takeover-note">
            {note}
          </p>
        ) : null}
      </div>
      <div className="ml-auto flex shrink-0 items-center gap-3">
        {notifications === 'default' ? (
          <button
            type="button"
            onClick={onEnableNotifications}
            className={cn(
              'focus-ring shrink-0 rounded text-[12px] underline underline-offset-2',
              long ? 'text-rose-200/80 decoration-rose-200/30 hover:text-rose-50' : 'text-amber-200/70 decoration-amber-200/30 hover:text-amber-100',
            )}
            title="Get a desktop notification the next time the AI asks for a person"
          >
            Enable notifications
          </button>
        ) : null}
        <Button
          variant={long ? 'danger' : 'warning'}
          onClick={onTakeOver}
          disabled={disabled}
          busy={busy}
          icon={<HeadsetIcon className="size-3.5" />}
        >
          Take over
        </Button>
      </div>
    </div>
  );
}
