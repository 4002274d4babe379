import { Button } from '../../components/ui/Button';
import { HeadsetIcon } from '../../components/ui/icons';
import { formatOffset } from '../../lib/format';
import type { TakeoverRequest } from '../calls/store';
import type { NotificationAccess } from '../notifications/desktop-notifications';

/** The AI asked for a person and still has the call: say why, and offer the take-over right here. */
export function TakeoverBanner({
  request,
  onTakeOver,
  busy,
  disabled,
  notifications,
  onEnableNotifications,
}: {
  request: TakeoverRequest;
  onTakeOver: () => void;
  busy: boolean;
  disabled: boolean;
  notifications: NotificationAccess;
  onEnableNotifications: () => void;
}) {
  return (
    <div
      role="alert"
      data-testid="takeover-request"
      data-event-id={request.eventId}
      className="flex shrink-0 items-center gap-3 border-b border-amber-400/25 bg-amber-400/[0.08] px-6 py-2.5"
    >
      <span className="relative flex size-7 shrink-0 items-center justify-center rounded-full bg-amber-400/15 text-amber-200">
        <span aria-hidden className="absolute inset-0 animate-ping rounded-full bg-amber-400/20 motion-reduce:animate-none" />
        <HeadsetIcon className="size-3.5" />
      </span>
      <p className="min-w-0 flex-1 text-[13px] leading-snug text-amber-50">
        <span className="font-semibold text-amber-200">The AI asks for a person: </span>
        <span data-testid="takeover-reason">{request.reason || 'no reason given.'}</span>
        <span className="ml-2 font-mono text-[11px] text-amber-200/50 tabular-nums">{formatOffset(request.atMs)}</span>
      </p>
      {notifications === 'default' ? (
        <button
          type="button"
          onClick={onEnableNotifications}
          className="focus-ring shrink-0 rounded text-[12px] text-amber-200/70 underline decoration-amber-200/30 underline-offset-2 hover:text-amber-100"
          title="Get a desktop notification the next time the AI asks for a person"
        >
          Enable notifications
        </button>
      ) : null}
      <Button variant="warning" onClick={onTakeOver} disabled={disabled} busy={busy} icon={<HeadsetIcon className="size-3.5" />}>
        Take over
      </Button>
    </div>
  );
}
