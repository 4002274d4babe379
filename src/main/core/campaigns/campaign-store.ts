/**
 * Campaigns, their leads and their dial attempts in SQLite (issue 15; schema in migration
 * 009). Leads are read a few at a time (the next due ones, a page of the table), never as a
 * list in memory: a campaign of 100,000 leads costs the scheduler no more than one of ten.
 *
 * Every change a dial makes is one transaction, so a crash leaves each lead in a state the
 * next start can act on: `claim` writes the attempt (without a CallSid) and puts the lead in
 * 'dialling' before Twilio is asked; an attempt with no outcome after a restart is reconciled
 * with Twilio (campaign-scheduler.ts), never dialled again blindly.
 */
import type { Database } from 'better-sqlite3';
import { CampaignSettings, type CampaignCounts, type CampaignLead, type CampaignState, type LeadOutcome, type LeadState } from '@shared/campaign';
import { summaryText, WrapUpSummary } from '@shared/wrapup';
import type { AttemptOutcome } from './dial-policy';

export interface CampaignRecord {
  id: string;
  kind: 'campaign' | 'callbacks';
  state: CampaignState;
  profileId: string;
  settings: CampaignSettings;
  createdAt: number;
  updatedAt: number;
}

/** A lead the scheduler may dial now: what decideLead needs. */
export interface DueLead {
  id: number;
  campaignId: string;
  number: string;
  name: string | null;
  context: Record<string, string>;
  attempts: number;
  lastOutcome: AttemptOutcome | null;
  lastEndedAtMs: number | null;
  optedOut: boolean;
}

export interface OpenAttempt {
  id: string;
  campaignId: string;
  leadId: number;
  number: string;
  callerId: string;
  claimedAt: number;
  callSid: string | null;
  answeredAt: number | null;
  /** Answering-machine detection's verdict from the voice webhook (human, machine_start…), when it ran. */
  answeredBy: string | null;
}

export interface NewLead {
  line: number;
  number: string;
  name: string | null;
  context: Record<string, string>;
  /** Epoch ms the lead is first due (a callback's agreed time); 0: at once. */
  nextAt?: number;
}

/** Outcomes a dial attempt can end with, as leads record them. */
const ATTEMPT_OUTCOMES: ReadonlySet<string> = new Set(['answered', 'no_answer', 'busy', 'failed', 'voicemail']);

interface LeadRow {
  id: number;
  campaign_id: string;
  number: string;
  name: string | null;
  context: string;
  state: string;
  outcome: string | null;
  attempts: number;
  next_at: number;
  last_attempt_at: number | null;
  last_ended_at: number | null;
  refusal: string | null;
  opted_out: number;
  last_call_id: string | null;
  disposition: string | null;
  summary: string | null;
}

interface CampaignRow {
  id: string;
  kind: string;
  state: string;
  profile_id: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

interface AttemptRow {
  id: string;
  campaign_id: string;
  lead_id: number;
  number: string;
  caller_id: string;
  claimed_at: number;
  call_sid: string | null;
  answered_at: number | null;
  answered_by: string | null;
}


export function createCampaignStore(db: Database) {
  const insertCampaign = db.prepare(
    `INSERT INTO campaigns (id, kind, state, profile_id, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLead = db.prepare(
    `INSERT INTO campaign_leads (campaign_id, line, number, name, context, next_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (campaign_id, number) DO NOTHING`,
  );
  // A callback for a number already in the callbacks queue re-arms its lead (unless it opted out or is being dialled).
  const upsertCallback = db.prepare(
    `INSERT INTO campaign_leads (campaign_id, number, name, context, next_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (campaign_id, number) DO UPDATE SET state = 'pending', outcome = NULL, attempts = 0, refusal = NULL,
       name = excluded.name, context = excluded.context, next_at = excluded.next_at, updated_at = excluded.updated_at
     WHERE opted_out = 0 AND state IN ('pending', 'done')`,
  );
  const campaignById = db.prepare<[string], CampaignRow>(`SELECT * FROM campaigns WHERE id = ?`);
  const allCampaigns = db.prepare<[], CampaignRow>(`SELECT * FROM campaigns WHERE state <> 'importing' ORDER BY created_at DESC, id`);
  const setStateStmt = db.prepare(`UPDATE campaigns SET state = ?, updated_at = ? WHERE id = ?`);
  const countsOf = db.prepare<[string], { state: string; outcome: string; n: number }>(
    `SELECT state, outcome, n FROM campaign_lead_counts WHERE campaign_id = ? AND n > 0`,
  );
  const dueStmt = db.prepare<[string, number, number], LeadRow>(
    `SELECT * FROM campaign_leads WHERE campaign_id = ? AND state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`,
  );
  const nextDueStmt = db.prepare<[string], { at: number | null }>(
    `SELECT min(next_at) AS at FROM campaign_leads WHERE campaign_id = ? AND state = 'pending'`,
  );
  const claimLead = db.prepare(
    `UPDATE campaign_leads SET state = 'dialling', attempts = attempts + 1, last_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'`,
  );
  const insertAttempt = db.prepare(
    `INSERT INTO campaign_attempts (id, campaign_id, lead_id, number, caller_id, claimed_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const bindSid = db.prepare(`UPDATE campaign_attempts SET call_sid = ? WHERE id = ?`);
  const leadSid = db.prepare(`UPDATE campaign_leads SET last_call_sid = ?, updated_at = ? WHERE id = ?`);
  const markAnswered = db.prepare(`UPDATE campaign_attempts SET answered_at = coalesce(answered_at, ?) WHERE id = ?`);
  const noteAnsweredBy = db.prepare(`UPDATE campaign_attempts SET answered_by = ? WHERE id = ?`);
  const leadInCall = db.prepare(`UPDATE campaign_leads SET state = 'in_call', updated_at = ? WHERE id = ? AND state = 'dialling'`);
  const endAttempt = db.prepare(`UPDATE campaign_attempts SET outcome = ?, ended_at = ? WHERE id = ? AND outcome IS NULL`);
  const leadAfterAttempt = db.prepare(
    `UPDATE campaign_leads SET state = ?, outcome = ?, next_at = ?, last_ended_at = ?, updated_at = ? WHERE id = ?`,
  );
  const unclaimLead = db.prepare(
    `UPDATE campaign_leads SET state = 'pending', attempts = attempts - 1, updated_at = ? WHERE id = ? AND state = 'dialling'`,
  );
  const waitStmt = db.prepare(`UPDATE campaign_leads SET next_at = ?, updated_at = ? WHERE id = ? AND state = 'pending'`);
  const doneStmt = db.prepare(
    `UPDATE campaign_leads SET state = 'done', outcome = ?, refusal = ?, updated_at = ? WHERE id = ? AND state = 'pending'`,
  );
  const optOutStmt = db.prepare(
    `UPDATE campaign_leads SET opted_out = 1, state = CASE WHEN state = 'pending' THEN 'done' ELSE state END,
       outcome = CASE WHEN state = 'pending' THEN 'opted_out' ELSE outcome END, updated_at = ?
     WHERE number = ? AND opted_out = 0`,
  );
  const cancelPendingStmt = db.prepare(
    `UPDATE campaign_leads SET state = 'done', outcome = 'cancelled', updated_at = ? WHERE campaign_id = ? AND state = 'pending'`,
  );
  const openAttemptsStmt = db.prepare<[], AttemptRow>(`SELECT * FROM campaign_attempts WHERE outcome IS NULL ORDER BY claimed_at`);
  const attemptBySidStmt = db.prepare<[string], AttemptRow>(`SELECT * FROM campaign_attempts WHERE call_sid = ? AND outcome IS NULL`);
  const attemptByIdStmt = db.prepare<[string], AttemptRow>(`SELECT * FROM campaign_attempts WHERE id = ? AND outcome IS NULL`);
  const attemptCountStmt = db.prepare<[number], { n: number }>(`SELECT attempts AS n FROM campaign_leads WHERE id = ?`);
  const inProgressStmt = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM campaign_attempts WHERE campaign_id = ? AND outcome IS NULL`);
  const usingProfile = db.prepare<[string], { n: number }>(
    `SELECT count(*) AS n FROM campaigns WHERE profile_id = ? AND state IN ('draft', 'running', 'paused')`,
  );
  const leadPages = createLeadReader(db);
  const importingIds = db.prepare<[], { id: string }>(`SELECT id FROM campaigns WHERE state = 'importing'`);
  const deleteStmts = ['campaign_attempts', 'campaign_leads', 'campaign_lead_counts'].map((table) => db.prepare(`DELETE FROM ${table} WHERE campaign_id = ?`));
  const deleteCampaignRow = db.prepare(`DELETE FROM campaigns WHERE id = ?`);
  const abandonStmt = db.prepare(`DELETE FROM campaign_attempts WHERE id = ? AND outcome IS NULL`);

  const toCampaign = (row: CampaignRow): CampaignRecord => ({
    id: row.id,
    kind: row.kind === 'callbacks' ? 'callbacks' : 'campaign',
    state: row.state as CampaignState,
    profileId: row.profile_id,
    settings: CampaignSettings.parse(JSON.parse(row.settings)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  const toDue = (row: LeadRow): DueLead => ({
    id: row.id,
    campaignId: row.campaign_id,
    number: row.number,
    name: row.name,
    context: JSON.parse(row.context) as Record<string, string>,
    attempts: row.attempts,
    lastOutcome: row.outcome !== null && ATTEMPT_OUTCOMES.has(row.outcome) ? (row.outcome as AttemptOutcome) : null,
    lastEndedAtMs: row.last_ended_at,
    optedOut: row.opted_out === 1,
  });

  const toAttempt = (row: AttemptRow): OpenAttempt => ({
    id: row.id,
    campaignId: row.campaign_id,
    leadId: row.lead_id,
    number: row.number,
    callerId: row.caller_id,
    claimedAt: row.claimed_at,
    callSid: row.call_sid,
    answeredAt: row.answered_at,
    answeredBy: row.answered_by,
  });

  return {
    /** A campaign row in 'importing' until its leads are in (a crash mid-import leaves one, removed at the next start). */
    beginCampaign(campaign: Omit<CampaignRecord, 'state' | 'updatedAt'>): void {
      insertCampaign.run(campaign.id, campaign.kind, 'importing', campaign.profileId, JSON.stringify(campaign.settings), campaign.createdAt, campaign.createdAt);
    },
    /** Adds leads (a number already in the campaign is skipped); returns how many were added. */
    addLeads: db.transaction((campaignId: string, leads: readonly NewLead[], nowMs: number): number => {
      let added = 0;
      for (const lead of leads) {
        added += insertLead.run(campaignId, lead.line, lead.number, lead.name, JSON.stringify(lead.context), lead.nextAt ?? 0, nowMs).changes;
      }
      return added;
    }),
    /** A campaign row made ready at once (the callbacks queue: no import). */
    insertCampaign(campaign: CampaignRecord): void {
      insertCampaign.run(campaign.id, campaign.kind, campaign.state, campaign.profileId, JSON.stringify(campaign.settings), campaign.createdAt, campaign.updatedAt);
    },
    /** A callback due at `nextAt`: a new lead, or the number's lead re-armed. False when it is being dialled or opted out. */
    scheduleCallback(campaignId: string, lead: { number: string; name: string | null; context: Record<string, string>; nextAt: number }, nowMs: number): boolean {
      return upsertCallback.run(campaignId, lead.number, lead.name, JSON.stringify(lead.context), lead.nextAt, nowMs).changes > 0;
    },
    /** Campaigns a crash left half imported: their ids (the service deletes them). */
    leftImporting: (): string[] => importingIds.all().map((r) => r.id),
    deleteCampaign: db.transaction((campaignId: string) => {
      for (const stmt of deleteStmts) stmt.run(campaignId);
      deleteCampaignRow.run(campaignId);
    }),
    get(campaignId: string): CampaignRecord | null {
      const row = campaignById.get(campaignId);
      return row && row.state !== 'importing' ? toCampaign(row) : null;
    },
    list: (): CampaignRecord[] => allCampaigns.all().map(toCampaign),
    setState(campaignId: string, state: CampaignState, nowMs: number): void {
      setStateStmt.run(state, nowMs, campaignId);
    },
    counts(campaignId: string): CampaignCounts {
      const counts: CampaignCounts = { total: 0, pending: 0, dialling: 0, inCall: 0, done: 0, outcomes: {} };
      for (const { state, outcome, n } of countsOf.all(campaignId)) {
        counts.total += n;
        if (state === 'pending') {
          counts.pending += n;
          if (outcome !== '') counts.outcomes['retrying'] = (counts.outcomes['retrying'] ?? 0) + n;
        } else if (state === 'dialling') counts.dialling += n;
        else if (state === 'in_call') counts.inCall += n;
        else if (state === 'done') {
          counts.done += n;
          counts.outcomes[outcome] = (counts.outcomes[outcome] ?? 0) + n;
        }
      }
      return counts;
    },
    dueLeads: (campaignId: string, nowMs: number, limit: number): DueLead[] => dueStmt.all(campaignId, nowMs, limit).map(toDue),
    nextDueAt: (campaignId: string): number | null => nextDueStmt.get(campaignId)?.at ?? null,
    inProgress: (campaignId: string): number => inProgressStmt.get(campaignId)?.n ?? 0,
    campaignsUsingProfile: (profileId: string): number => usingProfile.get(profileId)?.n ?? 0,
    /** Claims a pending lead for a dial: false when it is no longer pending (nothing written then). */
    claim: db.transaction((lead: DueLead, attemptId: string, callerId: string, nowMs: number): boolean => {
      if (claimLead.run(nowMs, nowMs, lead.id).changes !== 1) return false;
      insertAttempt.run(attemptId, lead.campaignId, lead.id, lead.number, callerId, nowMs);
      return true;
    }),
    /** Twilio accepted the dial. */
    bindCall: db.transaction((attempt: Pick<OpenAttempt, 'id' | 'leadId'>, callSid: string, nowMs: number) => {
      bindSid.run(callSid, attempt.id);
      leadSid.run(callSid, nowMs, attempt.leadId);
    }),
    /** The callee picked up: the lead is in a call. */
    answered: db.transaction((attempt: Pick<OpenAttempt, 'id' | 'leadId'>, nowMs: number) => {
      markAnswered.run(nowMs, attempt.id);
      leadInCall.run(nowMs, attempt.leadId);
    }),
    /** What answering-machine detection heard when the call was answered. */
    answeredBy(attemptId: string, answeredBy: string): void {
      noteAnsweredBy.run(answeredBy, attemptId);
    },
    /**
     * The attempt ended with `outcome`; the lead goes back to pending (due at `nextAt`) or is
     * done. False when the attempt had already ended (a replayed status callback).
     */
    finishAttempt: db.transaction(
      (attempt: Pick<OpenAttempt, 'id' | 'leadId'>, outcome: AttemptOutcome, next: { state: 'pending' | 'done'; nextAt: number }, nowMs: number): boolean => {
        if (endAttempt.run(outcome, nowMs, attempt.id).changes !== 1) return false;
        leadAfterAttempt.run(next.state, outcome, next.nextAt, nowMs, nowMs, attempt.leadId);
        return true;
      },
    ),
    /** The dial was never placed (Twilio refused the request, or a crash came before it): the attempt does not count. */
    abandonAttempt: db.transaction((attempt: Pick<OpenAttempt, 'id' | 'leadId'>, nowMs: number) => {
      abandonStmt.run(attempt.id);
      unclaimLead.run(nowMs, attempt.leadId);
    }),
    wait(leadId: number, untilMs: number, nowMs: number): void {
      waitStmt.run(untilMs, nowMs, leadId);
    },
    /** A pending lead is done without a dial: refused (with the reason), opted out, out of attempts. */
    finishLead(leadId: number, outcome: LeadOutcome, refusal: string | null, nowMs: number): void {
      doneStmt.run(outcome, refusal, nowMs, leadId);
    },
    /** The person at `number` asked not to be called again: every campaign's lead for it stops. */
    optOut(number: string, nowMs: number): number {
      return optOutStmt.run(nowMs, number).changes;
    },
    cancelPending(campaignId: string, nowMs: number): number {
      return cancelPendingStmt.run(nowMs, campaignId).changes;
    },
    openAttempts: (): OpenAttempt[] => openAttemptsStmt.all().map(toAttempt),
    /** The open attempt a status callback is about: by its CallSid, or (before the REST answer bound it) by the dial's attempt id. */
    openAttemptFor(callSid: string, attemptId: string | null): OpenAttempt | null {
      const row = attemptBySidStmt.get(callSid) ?? (attemptId ? attemptByIdStmt.get(attemptId) : undefined);
      return row ? toAttempt(row) : null;
    },
    attemptsOf: (leadId: number): number => attemptCountStmt.get(leadId)?.n ?? 0,
    leadsPage: (campaignId: string, state: LeadState | undefined, after: number, limit: number): CampaignLead[] => leadPages.page(campaignId, state, after, limit),
  };
}

export type CampaignStore = ReturnType<typeof createCampaignStore>;

// A lead's row for the table and the export: the last call's console id, disposition and summary from its wrap-up.
const LEAD_COLUMNS = /* sql */ `l.*,
  (SELECT c.id FROM calls c WHERE c.call_sid = l.last_call_sid ORDER BY c.started_at DESC LIMIT 1) AS last_call_id,
  (SELECT w.disposition FROM calls c JOIN wrap_ups w ON w.call_id = c.id WHERE c.call_sid = l.last_call_sid LIMIT 1) AS disposition,
  (SELECT w.summary FROM calls c JOIN wrap_ups w ON w.call_id = c.id WHERE c.call_sid = l.last_call_sid LIMIT 1) AS summary`;

/** Reads a campaign's leads in id order, a page at a time (the table, the export): never all at once. */
export function createLeadReader(db: Database) {
  const pageAll = db.prepare<[string, number, number], LeadRow>(
    `SELECT ${LEAD_COLUMNS} FROM campaign_leads l WHERE l.campaign_id = ? AND l.id > ? ORDER BY l.id LIMIT ?`,
  );
  const pageState = db.prepare<[string, string, number, number], LeadRow>(
    `SELECT ${LEAD_COLUMNS} FROM campaign_leads l WHERE l.campaign_id = ? AND l.state = ? AND l.id > ? ORDER BY l.id LIMIT ?`,
  );
  const countStmt = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM campaign_leads WHERE campaign_id = ?`);
  const page = (campaignId: string, state: LeadState | undefined, after: number, limit: number): CampaignLead[] =>
    (state ? pageState.all(campaignId, state, after, limit) : pageAll.all(campaignId, after, limit)).map(toLead);
  return {
    page,
    count: (campaignId: string): number => countStmt.get(campaignId)?.n ?? 0,
    /** Every lead of the campaign, in id order, read in pages of `batch`. */
    *all(campaignId: string, batch = 1000): Generator<CampaignLead> {
      for (let after = 0; ; ) {
        const rows = page(campaignId, undefined, after, batch);
        yield* rows;
        if (rows.length < batch) return;
        after = rows.at(-1)!.id;
      }
    },
  };
}

function toLead(row: LeadRow): CampaignLead {
  return {
    id: row.id,
    number: row.number,
    name: row.name,
    context: JSON.parse(row.context) as Record<string, string>,
    state: row.state as LeadState,
    outcome: row.outcome as LeadOutcome | null,
    attempts: row.attempts,
    nextAt: row.state === 'pending' ? row.next_at : null,
    lastAttemptAt: row.last_attempt_at,
    lastCallId: row.last_call_id,
    refusal: row.refusal,
    disposition: row.disposition,
    summary: row.summary === null ? null : readableSummary(row.summary),
  };
}

/** A stored wrap-up summary (JSON) as the one cell of text the table and the export show. */
function readableSummary(stored: string): string | null {
  const parsed = WrapUpSummary.safeParse(JSON.parse(stored));
  return parsed.success ? summaryText(parsed.data) : null;
}
