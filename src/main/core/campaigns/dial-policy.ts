/**
 * What to do with one lead of an outbound campaign now (issue 15): dial it, wait (until its
 * retry delay is over, or its calling window opens), or stop for good (answered, opted out,
 * out of attempts, refused by the compliance rules). Pure: the lead's history, the campaign's
 * rules, the console's telephony settings and the clock are arguments, so the scheduler's
 * every decision is tested at fixed instants, and costs microseconds.
 *
 * Compliance runs before every dial, not only at import: a number added to the do-not-call
 * list, or a country taken off the allowlist, mid-campaign is refused from then on. A lead
 * that asked not to be called again is never retried, whatever its attempts allow.
 * Concurrency and pacing are the campaign's, not a lead's: the scheduler applies them.
 */
import type { CampaignSettings } from '@shared/campaign';
import type { TelephonySettings } from '@shared/telephony';
import { checkOutboundNumber, type OutboundRefusalReason } from '../telephony/outbound-rules';
import { nextCallableMs, type CallingWindow } from './calling-window';

/** How one dial ended. `voicemail`: answering-machine detection heard a machine. */
export type AttemptOutcome = 'answered' | 'no_answer' | 'busy' | 'failed' | 'voicemail';

export interface CampaignDialRules {
  /** Days and hours in the callee's local time (narrowed further by Settings → allowed hours). */
  window: CallingWindow;
  /** Dials per lead, the first included. */
  maxAttempts: number;
  /** Wait after an attempt that did not reach the lead, by how it ended. */
  retryDelayMs: Record<Exclude<AttemptOutcome, 'answered'>, number>;
}

export interface LeadHistory {
  number: string;
  attempts: number;
  lastOutcome: AttemptOutcome | null;
  /** When the last attempt ended (epoch ms); null before the first. */
  lastEndedAtMs: number | null;
  /** The lead asked not to be called again (the AI's end_call with that reason, or the agent's disposition). */
  optedOut: boolean;
}

export type DialDecision =
  | { action: 'dial'; e164: string; timeZones: string[] }
  | { action: 'wait'; untilMs: number; why: 'retry_delay' | 'outside_hours' }
  | { action: 'stop'; why: 'answered' | 'opted_out' | 'attempts_exhausted' }
  | { action: 'refuse'; reason: Exclude<OutboundRefusalReason, 'outside_hours'> | 'no_calling_window'; message: string };

const MINUTE_MS = 60_000;

/** A campaign's form, as the rules its leads are dialled by. */
export function dialRulesOf(campaign: CampaignSettings): CampaignDialRules {
  const r = campaign.retryAfterMinutes;
  return {
    window: { days: campaign.days, start: campaign.start, end: campaign.end },
    maxAttempts: campaign.maxAttempts,
    retryDelayMs: { no_answer: r.no_answer * MINUTE_MS, busy: r.busy * MINUTE_MS, failed: r.failed * MINUTE_MS, voicemail: r.voicemail * MINUTE_MS },
  };
}

type DialSettings = Pick<TelephonySettings, 'doNotCall' | 'allowedHours' | 'allowedCountries' | 'phoneNumbers'>;

/** The campaign's hours within the console's allowed hours: a campaign can narrow them, never widen. */
export function effectiveWindow(rules: CampaignDialRules, settings: DialSettings): CallingWindow {
  const start = rules.window.start > settings.allowedHours.start ? rules.window.start : settings.allowedHours.start;
  const end = rules.window.end < settings.allowedHours.end ? rules.window.end : settings.allowedHours.end;
  return { days: rules.window.days, start, end };
}

/**
 * `windowCache`: when the calling window next holds, by country, for these `rules` and
 * `settings` within one UTC minute of `nowMs` (hours are whole minutes in every zone, so the
 * answer holds for the minute): a scheduler decides many leads of a few countries, and a
 * country's many zones make this the costliest step.
 */
export function decideLead(lead: LeadHistory, rules: CampaignDialRules, settings: DialSettings, nowMs: number, windowCache?: Map<string, number | null>): DialDecision {
  if (lead.optedOut) return { action: 'stop', why: 'opted_out' };
  if (lead.lastOutcome === 'answered') return { action: 'stop', why: 'answered' };
  if (lead.attempts >= rules.maxAttempts) return { action: 'stop', why: 'attempts_exhausted' };
  if (lead.lastOutcome !== null && lead.lastEndedAtMs !== null) {
    const retryAt = lead.lastEndedAtMs + rules.retryDelayMs[lead.lastOutcome];
    if (nowMs < retryAt) return { action: 'wait', untilMs: retryAt, why: 'retry_delay' };
  }
  // Every rule but the hours (the window below is the campaign's and Settings' together).
  const check = checkOutboundNumber(lead.number, settings);
  if (!check.ok) return { action: 'refuse', reason: check.reason, message: check.message };
  const window = effectiveWindow(rules, settings);
  let callableAt = windowCache?.get(check.country);
  if (callableAt === undefined) {
    callableAt = nextCallableMs(check.timeZones, window, nowMs);
    windowCache?.set(check.country, callableAt);
  }
  if (callableAt === null) {
    return {
      action: 'refuse',
      reason: 'no_calling_window',
      message: `The campaign's hours (${window.start}-${window.end}) never hold at once in every time zone of ${check.country}`,
    };
  }
  if (callableAt > nowMs) return { action: 'wait', untilMs: callableAt, why: 'outside_hours' };
  return { action: 'dial', e164: check.e164, timeZones: check.timeZones };
}
