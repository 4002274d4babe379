/**
 * Alert rules on every live call, fed by the core's events (a listener in app.ts).
 *
 * The listener runs inside the core's emit(), on the path of an AI turn, so it only turns the
 * event into an AlertInput and queues it (a few property reads); the rules run after the emit
 * has returned, in one setImmediate for everything queued meanwhile. An AI turn therefore
 * never waits for alert evaluation. Silence and long-call rules get one timer per call, at the
 * evaluator's next deadline; the timer is cleared when the call ends.
 *
 * Raising goes through a port (the call manager's session.raiseAlert in the app), so this side
 * can be tested without calls.
 */
import type { AnyEvent } from '@shared/contract';
import type { AlertRaised, CallState } from '@shared/domain';
import type { AlertRule } from '@shared/alerts';
import type { Logger } from '../log';
import { CallAlertEvaluator, type AlertInput } from './evaluator';

export interface AlertCallPort {
  /** ms since the call started (its transcript's clock), or null when the call is gone. */
  clockMs(callId: string): number | null;
  /** Raises the alert on the live call: an 'alert' event on its timeline, stored and shown. */
  raise(callId: string, alert: AlertRaised): void;
}

export interface LiveAlertsOptions {
  rules(): readonly AlertRule[];
  calls: AlertCallPort;
  logger: Logger;
}

interface CallWatch {
  evaluator: CallAlertEvaluator;
  queue: AlertInput[];
  state: CallState;
  aiSpeaking: boolean;
  ended: boolean;
  timer: NodeJS.Timeout | null;
  timerDueMs: number | null;
}

export class LiveAlerts {
  private readonly watches = new Map<string, CallWatch>();
  private readonly pending = new Set<string>();
  private drainScheduled: NodeJS.Immediate | null = null;

  constructor(private readonly o: LiveAlertsOptions) {}

  /** The core's event listener: cheap and synchronous; the work happens in drain(). */
  onEvent(event: AnyEvent): void {
    switch (event.name) {
      case 'call.updated': {
        const call = event.payload;
        const watch = this.watch(call.id);
        if (!watch || watch.ended) return;
        const state: CallState = call.status === 'ended' ? 'ended' : (call.state ?? (call.controller === 'ai' ? 'ai' : 'agent'));
        const speaking = call.aiActivity === 'speaking';
        if (state === watch.state && speaking === watch.aiSpeaking) return;
        const atMs = this.o.calls.clockMs(call.id) ?? 0;
        if (speaking !== watch.aiSpeaking) this.enqueue(call.id, watch, { type: 'voice', atMs, speaker: 'ai', on: speaking });
        if (state !== watch.state) this.enqueue(call.id, watch, { type: 'state', atMs, state });
        watch.aiSpeaking = speaking;
        watch.state = state;
        if (state === 'ended') watch.ended = true;
        return;
      }
      case 'call.transcript': {
        const line = event.payload;
        const watch = this.watch(line.callId);
        if (!watch || watch.ended) return;
        if (!line.final) this.enqueue(line.callId, watch, { type: 'speech', atMs: line.endMs });
        else if (line.text.trim() !== '') {
          this.enqueue(line.callId, watch, {
            type: 'line',
            atMs: line.endMs,
            line: { id: line.id, speaker: line.speaker, text: line.text, sentiment: line.sentiment?.score ?? null },
          });
        }
        return;
      }
      case 'call.event': {
        const e = event.payload;
        // Alerts (and their acknowledgements) are what this raises, not what it watches.
        if (e.type === 'alert' || e.type === 'alert_ack') return;
        const watch = this.watch(e.callId);
        if (!watch || watch.ended) return;
        this.enqueue(e.callId, watch, { type: 'event', atMs: e.atMs, eventType: e.type, data: e.data });
        return;
      }
      default:
        return;
    }
  }

  /** Saved rules apply to live calls at once (see CallAlertEvaluator.setRules). */
  setRules(rules: readonly AlertRule[]): void {
    for (const [callId, watch] of this.watches) {
      watch.evaluator.setRules(rules);
      this.pending.add(callId);
    }
    this.scheduleDrain();
  }

  /** Live calls being watched (for tests and diagnostics). */
  get watching(): number {
    return this.watches.size;
  }

  close(): void {
    if (this.drainScheduled) clearImmediate(this.drainScheduled);
    this.drainScheduled = null;
    for (const watch of this.watches.values()) if (watch.timer) clearTimeout(watch.timer);
    this.watches.clear();
    this.pending.clear();
  }

  private watch(callId: string): CallWatch | null {
    let watch = this.watches.get(callId);
    if (!watch) {
      // Events of a call that ended before we saw it start (or after it was forgotten) are ignored.
      if (this.o.calls.clockMs(callId) === null) return null;
      watch = {
        evaluator: new CallAlertEvaluator(this.o.rules(), 0),
        queue: [],
        state: 'ai',
        aiSpeaking: false,
        ended: false,
        timer: null,
        timerDueMs: null,
      };
      this.watches.set(callId, watch);
    }
    return watch;
  }

  private enqueue(callId: string, watch: CallWatch, input: AlertInput): void {
    watch.queue.push(input);
    this.pending.add(callId);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    this.drainScheduled ??= setImmediate(() => {
      this.drainScheduled = null;
      this.drain();
    });
  }

  private drain(): void {
    const callIds = [...this.pending];
    this.pending.clear();
    for (const callId of callIds) {
      const watch = this.watches.get(callId);
      if (!watch) continue;
      const inputs = watch.queue;
      watch.queue = [];
      for (const input of inputs) this.evaluate(callId, watch, input);
      if (watch.ended) this.forget(callId, watch);
      else this.armTimer(callId, watch);
    }
  }

  private evaluate(callId: string, watch: CallWatch, input: AlertInput): void {
    let fired;
    try {
      fired = watch.evaluator.push(input);
    } catch (error) {
      this.o.logger.error({ err: error, callId }, 'alert rules failed on a call event');
      return;
    }
    for (const { alert } of fired) {
      try {
        this.o.calls.raise(callId, alert);
      } catch (error) {
        // The call may have ended between the event and now; nothing to alert any more.
        this.o.logger.warn({ err: error, callId, ruleId: alert.ruleId }, 'could not raise an alert');
      }
    }
  }

  /** One timer per call, at the evaluator's next deadline (silence, long call). */
  private armTimer(callId: string, watch: CallWatch): void {
    const due = watch.evaluator.nextDeadlineMs();
    if (due === watch.timerDueMs) return;
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = null;
    watch.timerDueMs = due;
    if (due === null) return;
    const now = this.o.calls.clockMs(callId);
    if (now === null) return;
    watch.timer = setTimeout(() => {
      watch.timer = null;
      watch.timerDueMs = null;
      const at = this.o.calls.clockMs(callId);
      if (at === null || watch.ended) return;
      this.enqueue(callId, watch, { type: 'tick', atMs: at });
    }, Math.max(0, due - now));
    watch.timer.unref();
  }

  private forget(callId: string, watch: CallWatch): void {
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = null;
    this.watches.delete(callId);
  }
}
