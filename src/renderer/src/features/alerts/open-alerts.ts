/** The alerts on a call the agent has not acknowledged yet, from its timeline events. */
import type { AlertSeverity, CallEvent } from '@shared/domain';

export interface OpenAlert {
  id: string;
  ruleId: string;
  severity: AlertSeverity;
  title: string;
  detail: string;
  atMs: number;
  actions: string[];
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** Open alerts, most severe first, newest first within a severity. */
export function openAlertsOf(events: readonly CallEvent[]): OpenAlert[] {
  const acknowledged = new Set<string>();
  for (const e of events) if (e.type === 'alert_ack' && typeof e.data['alertId'] === 'string') acknowledged.add(e.data['alertId']);
  const open: OpenAlert[] = [];
  for (const e of events) {
    if (e.type !== 'alert' || acknowledged.has(e.id)) continue;
    const severity = (['info', 'warning', 'critical'] as const).find((s) => s === e.data['severity']) ?? 'info';
    open.push({
      id: e.id,
      ruleId: String(e.data['ruleId'] ?? ''),
      severity,
      title: typeof e.data['title'] === 'string' && e.data['title'] ? e.data['title'] : 'Alert',
      detail: typeof e.data['detail'] === 'string' ? e.data['detail'] : '',
      atMs: e.atMs,
      actions: Array.isArray(e.data['actions']) ? e.data['actions'].map(String) : [],
    });
  }
  return open.sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.atMs - a.atMs);
}
