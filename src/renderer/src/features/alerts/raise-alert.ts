/** How a new alert event is raised in the console (notification, chime), each alert at most once. */
import type { AlertSeverity, CallEvent, CallSummary } from '@shared/domain';
import { callerNumber } from '../../lib/format';

export interface RaiseEffects {
  notify(notice: { title: string; body: string; tag: string; callId?: string }): void;
  play(severity: AlertSeverity): void;
}

/** Alert ids already raised (a reconnect or a repeated event never raises one twice). */
const raised = new Set<string>();
const MAX_REMEMBERED = 2000;

const SEVERITY_WORD = { info: 'Info', warning: 'Warning', critical: 'Critical' } as const;

export function raiseAlertOnce(
  e: CallEvent,
  context: { call: CallSummary | undefined; lookingAtCall: boolean },
  effects: RaiseEffects,
): { notified: boolean; played: boolean } {
  if (e.type !== 'alert' || raised.has(e.id)) return { notified: false, played: false };
  raised.add(e.id);
  if (raised.size > MAX_REMEMBERED) raised.delete(raised.values().next().value!);
  const actions = Array.isArray(e.data['actions']) ? e.data['actions'] : [];
  const severity = e.data['severity'] === 'critical' || e.data['severity'] === 'warning' ? e.data['severity'] : 'info';
  const title = typeof e.data['title'] === 'string' ? e.data['title'] : 'Alert';
  const detail = typeof e.data['detail'] === 'string' ? e.data['detail'] : '';
  let notified = false;
  if (actions.includes('notification') && !context.lookingAtCall) {
    const call = context.call;
    const who = call ? callerNumber(call) : 'A live call';
    effects.notify({
      title: `${SEVERITY_WORD[severity]}: ${title}`,
      body: detail ? `${who}: ${detail}` : who,
      tag: `alert:${e.id}`,
      callId: e.callId,
    });
    notified = true;
  }
  const played = actions.includes('sound');
  if (played) effects.play(severity);
  return { notified, played };
}
