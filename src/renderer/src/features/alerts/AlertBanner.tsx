/**
 * The open alerts of the call in view, across the top of the call view: each in its
 * severity's colour with what set it off and an Acknowledge button (call.ackAlert). Alerts
 * whose rule asked for a banner get a row each; quieter ones (badge only) share one line.
 */
import { useMemo, useState } from 'react';
import type { AlertSeverity } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { AlertIcon } from '../../components/ui/icons';
import { severityTone } from '../../components/ui/Indicators';
import { cn } from '../../lib/cn';
import { client } from '../../lib/client';
import { formatOffset } from '../../lib/format';
import { selectEvents, useCallsStore } from '../calls/store';
import { useNotificationAccess } from '../notifications/desktop-notifications';
import { reportError } from '../toasts/store';
import { openAlertsOf, type OpenAlert } from './open-alerts';

const SEVERITY_WORD: Record<AlertSeverity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };
const ROW_TONE: Record<AlertSeverity, string> = {
  critical: 'border-rose-400/30 bg-rose-500/[0.09]',
  warning: 'border-amber-400/25 bg-amber-400/[0.07]',
  info: 'border-sky-400/20 bg-sky-400/[0.06]',
};
/** Rows shown before the rest fold into "+N more". */
const MAX_ROWS = 3;

/** Open alerts of a call and the agent's acknowledgement of them (hidden at once, restored if the core refuses). */
function useCallAlerts(callId: string) {
  const events = useCallsStore(selectEvents(callId));
  const [acking, setAcking] = useState<ReadonlySet<string>>(new Set());
  const open = useMemo(() => openAlertsOf(events).filter((a) => !acking.has(a.id)), [events, acking]);
  const acknowledge = (ids: string[]) => {
    setAcking((s) => new Set([...s, ...ids]));
    for (const alertId of ids) {
      client.invoke('call.ackAlert', { callId, alertId }).catch((err: unknown) => {
        setAcking((s) => new Set([...s].filter((id) => id !== alertId)));
        reportError("Couldn't acknowledge the alert", err);
      });
    }
  };
  return { open, acknowledge };
}

export function AlertBanner({ callId, live, offerNotifications = true }: { callId: string; live: boolean; offerNotifications?: boolean }) {
  const { open, acknowledge } = useCallAlerts(callId);
  const notifications = useNotificationAccess();
  const [expanded, setExpanded] = useState(false);
  if (!live || open.length === 0) return null;

  const loud = open.filter((a) => a.actions.includes('banner'));
  const quiet = open.filter((a) => !a.actions.includes('banner'));
  const shown = expanded ? loud : loud.slice(0, MAX_ROWS);
  const hidden = loud.length - shown.length;
  const wantsNotifications = open.some((a) => a.actions.includes('notification'));

  return (
    <div role="region" aria-label="Open alerts" data-testid="alert-banner" className="flex shrink-0 flex-col gap-1.5 border-b border-slate-800/80 px-6 py-2">
      {shown.map((alert) => (
        <AlertRow key={alert.id} alert={alert} onAcknowledge={() => acknowledge([alert.id])} />
      ))}
      {hidden > 0 || quiet.length > 0 ? (
        <div className="flex items-center gap-3 text-[12px] text-slate-400" data-testid="alert-banner-more">
          {hidden > 0 ? (
            <button type="button" onClick={() => setExpanded(true)} className="focus-ring rounded text-slate-300 underline decoration-slate-600 underline-offset-2 hover:text-slate-100">
              {hidden} more open
            </button>
          ) : null}
          {quiet.length > 0 ? (
            <span className="min-w-0 truncate" title={quiet.map((a) => a.title).join(', ')}>
              Also open: {quiet.map((a) => a.title).join(' · ')}
            </span>
          ) : null}
          <button
            type="button"
            onClick={() => acknowledge(open.map((a) => a.id))}
            className="focus-ring ml-auto shrink-0 rounded text-slate-400 underline decoration-slate-600 underline-offset-2 hover:text-slate-100"
            data-testid="alert-ack-all"
          >
            Acknowledge all
          </button>
        </div>
      ) : null}
      {offerNotifications && wantsNotifications && notifications.access === 'default' ? (
        <button
          type="button"
          onClick={notifications.request}
          className="focus-ring self-start rounded text-[12px] text-slate-400 underline decoration-slate-600 underline-offset-2 hover:text-slate-200"
          title="Get a desktop notification for alerts that ask for one, even when the console is in the background"
        >
          Enable desktop notifications
        </button>
      ) : null}
    </div>
  );
}

function AlertRow({ alert, onAcknowledge }: { alert: OpenAlert; onAcknowledge: () => void }) {
  return (
    <div
      role="alert"
      data-testid="alert-banner-item"
      data-alert-id={alert.id}
      data-severity={alert.severity}
      className={cn('flex items-center gap-3 rounded-lg border px-3 py-1.5', ROW_TONE[alert.severity])}
    >
      <span className={cn('flex size-6 shrink-0 items-center justify-center rounded-full ring-1 ring-inset', severityTone[alert.severity])}>
        <AlertIcon className="size-3.5" />
      </span>
      <p className="min-w-0 flex-1 text-[13px] leading-snug">
        <span className="sr-only">{SEVERITY_WORD[alert.severity]} alert: </span>
        <span className="font-semibold text-slate-100">{alert.title}</span>
        {alert.detail ? <span className="text-slate-300"> · {alert.detail}</span> : null}
        <span className="ml-2 font-mono text-[11px] text-faint tabular-nums">{formatOffset(alert.atMs)}</span>
      </p>
      <Button size="sm" variant="secondary" onClick={onAcknowledge} data-testid="alert-ack">
        Acknowledge
      </Button>
    </div>
  );
}
