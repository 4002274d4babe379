/** A live call's alerts the agent has not acknowledged yet, and the one its row shows. */
import type { ActiveAlert, CallSummary } from '@shared/domain';

const SEVERITY_RANK = { info: 1, warning: 2, critical: 3 } as const;

export class OpenAlerts {
  private readonly open: ActiveAlert[] = [];

  add(alert: ActiveAlert): void {
    this.open.push(alert);
  }

  /** False when no such alert is open (already acknowledged, or never raised on this call). */
  acknowledge(alertId: string): boolean {
    const index = this.open.findIndex((a) => a.id === alertId);
    if (index < 0) return false;
    this.open.splice(index, 1);
    return true;
  }

  /** Closes every open alert at once (the agent took the call), returning them. */
  acknowledgeAll(): ActiveAlert[] {
    return this.open.splice(0, this.open.length);
  }

  /** The most severe open alert (the latest of equal severity) and how many are open. */
  summary(): Pick<CallSummary, 'alert' | 'openAlerts'> {
    let top: ActiveAlert | null = null;
    for (const alert of this.open) if (!top || SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[top.severity]) top = alert;
    return { alert: top, openAlerts: this.open.length };
  }
}
