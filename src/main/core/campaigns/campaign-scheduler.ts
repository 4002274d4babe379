/**
 * Runs campaigns (issue 15): on every tick, for each running campaign, the next due leads are
 * decided (decideLead: dial, wait, refuse, stop) and dialled at the campaign's pace and
 * concurrency (DialPacer). How each dial ends comes from Twilio's status callbacks.
 *
 * Never twice: a dial is claimed in SQLite (campaign-store `claim`) before Twilio is asked.
 * At start, and for dials whose request failed without an answer, an attempt that has no
 * outcome is reconciled with Twilio: its CallSid's status, or (no CallSid: the crash or the
 * network lost Twilio's answer) the calls Twilio placed to that number since the claim. Only a
 * dial Twilio has no record of goes back in the queue.
 *
 * Time comes from `now()` (tests and benchmarks drive it); ticks from a real timer.
 */
import { randomUUID } from 'node:crypto';
import type { CampaignState } from '@shared/campaign';
import type { TelephonySettings } from '@shared/telephony';
import { ApiError } from '../api/dispatcher';
import type { Logger } from '../log';
import type { PlaceDialRequest } from '../telephony/telephony-service';
import type { CampaignRecord, CampaignStore, DueLead, OpenAttempt } from './campaign-store';
import { DialPacer } from './dial-pacer';
import { decideLead, dialRulesOf, type AttemptOutcome, type CampaignDialRules } from './dial-policy';

/** What the scheduler needs of Twilio (telephony-service). */
export interface DialPort {
  /** Why no call can be placed now (Twilio not configured), or null. */
  notReady(): string | null;
  settings(): Pick<TelephonySettings, 'doNotCall' | 'allowedHours' | 'allowedCountries' | 'phoneNumbers'>;
  place(request: PlaceDialRequest): Promise<{ callSid: string }>;
  fetchCallStatus(callSid: string): Promise<{ status: string; answeredBy: string | null } | null>;
  findCalls(query: { to: string; from: string; sinceMs: number }): Promise<Array<{ callSid: string; status: string }>>;
}

export interface SchedulerOptions {
  store: CampaignStore;
  dial: DialPort;
  now?: () => number;
  /** How often running campaigns are looked at (ms). */
  tickMs?: number;
  /** A campaign's state or counts changed (the service throttles what it emits). */
  onChange(campaignId: string): void;
  /** How long one lead's decision took (ms: its share of the due-leads read, the decision and its write); benchmarks listen. */
  onDecision?(ms: number): void;
  logger: Logger;
}

/** Leads read per campaign per tick at most. */
const DECISIONS_PER_TICK = 50;
/** Main-thread time a campaign's tick may take (ms) before the rest waits for the next tick. */
const TICK_BUDGET_MS = 4;
/** A dial with no CallSid (its request's answer lost) is looked up at Twilio after this long. */
const UNPLACED_RECHECK_MS = 30_000;
/** Attempts still ringing or in a call after a restart are asked about this often until they end. */
const WATCH_MS = 15_000;
const COULD_NOT_REACH = 'Could not reach Twilio';

const TERMINAL: Record<string, AttemptOutcome> = { completed: 'answered', busy: 'busy', 'no-answer': 'no_answer', failed: 'failed', canceled: 'failed' };

/** How a finished call ended, as a lead records it: a machine that answered is `voicemail` when detection ran. */
export function attemptOutcomeOf(status: string, answeredBy: string | null): AttemptOutcome | null {
  const outcome = TERMINAL[status];
  if (outcome === 'answered' && answeredBy !== null && /^(machine|fax)/.test(answeredBy)) return 'voicemail';
  return outcome ?? null;
}

interface Running {
  record: CampaignRecord;
  rules: CampaignDialRules;
  pacer: DialPacer;
  inProgress: number;
  /** Why it cannot dial right now (shown on the campaign), or null. */
  waiting: string | null;
  /**
   * When the calling window next holds, by country, for the current UTC minute: hours are
   * whole minutes in every zone (offsets and clock changes too), so within a minute the answer
   * cannot change. The costliest step of a decision (every zone of the country), once a minute.
   */
  windows: { minute: number; settings: object | null; byCountry: Map<string, number | null> };
}

export class CampaignScheduler {
  private readonly running = new Map<string, Running>();
  private readonly now: () => number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  /** Attempts to ask Twilio about (after a restart, or a request whose answer was lost). */
  private readonly watching = new Set<string>();
  private ticking = false;
  private closed = false;

  constructor(private readonly o: SchedulerOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.logger.child({ component: 'campaigns' });
  }

  /** Reconciles what a crash left open, then runs the campaigns marked running. */
  async start(): Promise<void> {
    for (const attempt of this.o.store.openAttempts()) this.watching.add(attempt.id);
    for (const record of this.o.store.list()) if (record.state === 'running') this.run(record);
    await this.reconcile(true);
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 250);
    this.timer.unref();
    this.watchTimer = setInterval(() => void this.reconcile(), WATCH_MS);
    this.watchTimer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.watchTimer) clearInterval(this.watchTimer);
  }

  /** Why a running campaign is not dialling now, or null. */
  waitingReason(campaignId: string): string | null {
    return this.running.get(campaignId)?.waiting ?? null;
  }

  /** Runs (start, resume) a campaign: its leads are dialled from the next tick. */
  run(record: CampaignRecord): void {
    const existing = this.running.get(record.id);
    this.running.set(record.id, {
      record,
      rules: dialRulesOf(record.settings),
      // Already running (a callback added to its queue): the pace goes on as it was. Else a
      // fresh pace: the first dial at once, each next one an interval later (never a burst).
      pacer: existing?.pacer ?? new DialPacer(record.settings),
      inProgress: this.o.store.inProgress(record.id),
      waiting: null,
      windows: { minute: -1, settings: null, byCountry: new Map() },
    });
  }

  /** Stops dialling a campaign (pause, cancel); calls in progress finish and are recorded. */
  halt(campaignId: string): void {
    this.running.delete(campaignId);
  }

  /** One pass over the running campaigns. Public so a test can run one at a moment it chose. */
  tick(): void {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      for (const run of [...this.running.values()]) this.tickCampaign(run);
    } catch (error) {
      this.log.error({ err: error }, 'campaign tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private tickCampaign(run: Running): void {
    const now = this.now();
    const id = run.record.id;
    const notReady = this.o.dial.notReady();
    if (notReady !== null) {
      this.setWaiting(run, notReady);
      return;
    }
    const settings = this.o.dial.settings();
    if (!settings.phoneNumbers.includes(run.record.settings.callerId)) {
      this.setWaiting(run, `The caller ID ${run.record.settings.callerId} is not one of this console's Twilio numbers (Settings → Telephony)`);
      return;
    }
    // Nothing can be dialled before the pace or a free line allows: leave the leads unread.
    if (run.inProgress >= run.record.settings.maxConcurrent || run.pacer.nextDialAt(now) > now) return;
    const timed = this.o.onDecision;
    const tickStarted = performance.now();
    const due = this.o.store.dueLeads(id, now, DECISIONS_PER_TICK);
    // The read serves the whole batch: each decision carries its share of it.
    const readShare = timed && due.length > 0 ? (performance.now() - tickStarted) / due.length : 0;
    const minute = Math.floor(now / 60_000);
    // Settings → allowed hours narrow the window: new settings, new answers.
    if (run.windows.minute !== minute || run.windows.settings !== settings) run.windows = { minute, settings, byCountry: new Map() };
    const windowCache = run.windows.byCountry;
    let changed = false;
    for (const lead of due) {
      const started = timed ? performance.now() : 0;
      const step = this.decideOne(run, lead, settings, now, windowCache);
      if (timed) timed(performance.now() - started + readShare);
      if (step === 'paced') break;
      if (step === 'changed') changed = true;
      // Thousands of leads waiting for their hours are moved along a few milliseconds a tick,
      // never in one long stretch that would hold up live calls' audio.
      if (performance.now() - tickStarted > TICK_BUDGET_MS) break;
    }
    // Nothing due now and nothing left: the campaign is complete (the callbacks queue never is: more come).
    if (run.record.kind === 'campaign' && due.length === 0 && run.inProgress === 0 && this.o.store.nextDueAt(id) === null) {
      this.finish(run, 'completed');
      return;
    }
    if (run.waiting !== null && !run.waiting.startsWith(COULD_NOT_REACH)) this.setWaiting(run, null);
    if (changed) this.o.onChange(id);
  }

  /** Decides one due lead and acts on it; 'paced' when the pace or concurrency holds the dial back. */
  private decideOne(
    run: Running,
    lead: DueLead,
    settings: ReturnType<DialPort['settings']>,
    now: number,
    windowCache: Map<string, number | null>,
  ): 'paced' | 'changed' | 'waiting' {
    const decision = decideLead(lead, run.rules, settings, now, windowCache);
    switch (decision.action) {
      case 'wait':
        this.o.store.wait(lead.id, decision.untilMs, now);
        return 'waiting';
      case 'refuse':
        this.o.store.finishLead(lead.id, 'refused', decision.message, now);
        this.log.info({ campaignId: run.record.id, leadId: lead.id, reason: decision.reason }, 'lead refused');
        return 'changed';
      case 'stop':
        this.o.store.finishLead(lead.id, decision.why === 'attempts_exhausted' ? (lead.lastOutcome ?? 'failed') : decision.why, null, now);
        return 'changed';
      case 'dial': {
        if (!run.pacer.tryTake(now, run.inProgress)) return 'paced';
        const attemptId = randomUUID();
        if (!this.o.store.claim(lead, attemptId, run.record.settings.callerId, now)) return 'waiting';
        run.inProgress++;
        // Claimed and counted now; the request goes out on the next turn of the event loop,
        // after this tick's decisions (building it is the SDK's work, not the decision's).
        setImmediate(() => void this.place(run, lead, attemptId, decision.e164));
        return 'changed';
      }
    }
  }

  private setWaiting(run: Running, waiting: string | null): void {
    if (run.waiting === waiting) return;
    run.waiting = waiting;
    this.o.onChange(run.record.id);
  }

  private finish(run: Running, state: CampaignState): void {
    this.running.delete(run.record.id);
    this.o.store.setState(run.record.id, state, this.now());
    this.log.info({ campaignId: run.record.id, state }, 'campaign finished');
    this.o.onChange(run.record.id);
  }

  private async place(run: Running, lead: DueLead, attemptId: string, e164: string): Promise<void> {
    const { settings, id: campaignId, profileId } = run.record;
    const attempt = { id: attemptId, leadId: lead.id };
    try {
      const { callSid } = await this.o.dial.place({
        to: e164,
        from: settings.callerId,
        purpose: settings.purpose,
        script: settings.script || null,
        profileId,
        campaign: { campaignId, attemptId },
        lead: { name: lead.name, context: lead.context },
        machineDetection: settings.machineDetection,
      });
      this.o.store.bindCall(attempt, callSid, this.now());
      if (run.waiting?.startsWith(COULD_NOT_REACH)) this.setWaiting(run, null);
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 'internal';
      if (code === 'bad_request') {
        // Twilio refused this number (no permission for the country, not a valid number): the
        // dial was never placed, and dialling it again would be refused the same way.
        this.o.store.abandonAttempt(attempt, this.now());
        this.o.store.finishLead(lead.id, 'refused', (error as Error).message, this.now());
        this.release(run.record.id);
      } else {
        // Twilio may or may not have placed it (the answer was lost): ask it before anything else.
        this.log.warn({ campaignId, leadId: lead.id, code }, 'dial request failed; checking with Twilio before dialling again');
        this.watching.add(attemptId);
        this.setWaiting(run, `${COULD_NOT_REACH}: ${(error as Error).message}`);
      }
      this.o.onChange(campaignId);
    }
  }

  /** A dial of this campaign is over: room for the next. */
  private release(campaignId: string): void {
    const run = this.running.get(campaignId);
    if (run) run.inProgress = Math.max(0, run.inProgress - 1);
  }

  /**
   * A verified Twilio status callback. `attemptId` comes from the dial's intent when this
   * console placed the call (it is known before the REST answer, which a callback can beat).
   */
  onStatus(event: { callSid: string; status: string; answeredBy: string | null; attemptId: string | null }): void {
    const attempt = this.o.store.openAttemptFor(event.callSid, event.attemptId);
    if (!attempt) return;
    if (attempt.callSid === null) this.o.store.bindCall(attempt, event.callSid, this.now());
    this.applyStatus(attempt, event.status, event.answeredBy);
  }

  /**
   * The voice webhook of a campaign's call said who answered (answering-machine detection):
   * a machine is hung up on there, and the attempt ends as `voicemail` with its status.
   */
  onAnsweredBy(event: { callSid: string; answeredBy: string; attemptId: string | null }): void {
    const attempt = this.o.store.openAttemptFor(event.callSid, event.attemptId);
    if (attempt) this.o.store.answeredBy(attempt.id, event.answeredBy);
  }

  private applyStatus(attempt: OpenAttempt, status: string, answeredBy: string | null): void {
    const now = this.now();
    if (status === 'in-progress' || status === 'answered') {
      this.o.store.answered(attempt, now);
      this.o.onChange(attempt.campaignId);
      return;
    }
    const outcome = attemptOutcomeOf(status, answeredBy ?? attempt.answeredBy);
    if (outcome === null) return; // queued, initiated, ringing
    const record = this.running.get(attempt.campaignId)?.record ?? this.o.store.get(attempt.campaignId);
    if (!record) return;
    const rules = dialRulesOf(record.settings);
    const attempts = this.o.store.attemptsOf(attempt.leadId);
    const again = outcome !== 'answered' && attempts < rules.maxAttempts && (record.state === 'running' || record.state === 'paused');
    const next = again ? { state: 'pending' as const, nextAt: now + rules.retryDelayMs[outcome] } : { state: 'done' as const, nextAt: now };
    if (this.o.store.finishAttempt(attempt, outcome, next, now)) {
      this.watching.delete(attempt.id);
      this.release(attempt.campaignId);
      this.o.onChange(attempt.campaignId);
    }
  }

  /**
   * Asks Twilio about every attempt being watched (see the file comment). `atStart`: no dial
   * request can be in flight, so a dial without a CallSid is looked up at once.
   */
  async reconcile(atStart = false): Promise<void> {
    if (this.watching.size === 0 || this.o.dial.notReady() !== null) return;
    const open = new Map(this.o.store.openAttempts().map((a) => [a.id, a]));
    for (const id of [...this.watching]) {
      if (this.closed) return;
      const attempt = open.get(id);
      if (!attempt) {
        this.watching.delete(id);
        continue;
      }
      try {
        await this.reconcileOne(attempt, atStart);
      } catch (error) {
        this.log.warn({ err: error, attemptId: id }, 'could not reconcile a dial with Twilio; trying again shortly');
      }
    }
  }

  private async reconcileOne(attempt: OpenAttempt, atStart: boolean): Promise<void> {
    if (attempt.callSid !== null) {
      const found = await this.o.dial.fetchCallStatus(attempt.callSid);
      if (found === null) {
        // Twilio has no such call: nothing was dialled.
        this.o.store.finishAttempt(attempt, 'failed', { state: 'pending', nextAt: this.now() }, this.now());
        this.watching.delete(attempt.id);
        this.release(attempt.campaignId);
      } else {
        this.applyStatus(attempt, found.status, found.answeredBy);
      }
      this.o.onChange(attempt.campaignId);
      return;
    }
    // A failed request's call may still be in the making at Twilio: give it time before looking.
    if (!atStart && this.now() - attempt.claimedAt < UNPLACED_RECHECK_MS) return;
    const calls = await this.o.dial.findCalls({ to: attempt.number, from: attempt.callerId, sinceMs: attempt.claimedAt });
    const call = calls[0];
    if (call) {
      this.log.info({ attemptId: attempt.id, callSid: call.callSid }, 'a dial whose answer was lost was placed: following it');
      this.o.store.bindCall(attempt, call.callSid, this.now());
      this.applyStatus({ ...attempt, callSid: call.callSid }, call.status, null);
    } else {
      this.log.info({ attemptId: attempt.id }, 'a claimed dial never reached Twilio: back in the queue');
      this.o.store.abandonAttempt(attempt, this.now());
      this.watching.delete(attempt.id);
      this.release(attempt.campaignId);
    }
    this.o.onChange(attempt.campaignId);
  }
}
