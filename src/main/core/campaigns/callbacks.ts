/**
 * Callbacks (issue 15): a callback the AI agreed with a caller ("call me back tomorrow at
 * 10") or the agent chose as the call's disposition becomes a lead in the console's callbacks
 * queue, due at the agreed time and dialled with the same rules as any campaign's leads (the
 * do-not-call list, allowed hours in the callee's zone, pacing).
 */
import * as chrono from 'chrono-node';
import type { CampaignSettings } from '@shared/campaign';
import { DEFAULT_CAMPAIGN_PACE } from '@shared/campaign';
import { normaliseLeadNumber } from './lead-import';
import { timeZonesForCountry } from '../telephony/outbound-rules';

/** The callbacks queue's id: one per console. */
export const CALLBACKS_ID = 'callbacks';

/** A callback with no time agreed is due this long after it was asked for (the calling window still applies). */
export const CALLBACK_DEFAULT_DELAY_MS = 15 * 60_000;

/** The callbacks queue's settings: every day, the console's allowed hours decide. */
export function callbackQueueSettings(callerId: string): CampaignSettings {
  return {
    ...DEFAULT_CAMPAIGN_PACE,
    days: [0, 1, 2, 3, 4, 5, 6],
    start: '00:00',
    end: '24:00',
    name: 'Callbacks',
    purpose: 'Call back a caller who asked to be called back on an earlier call, and help them with what they needed.',
    script: '',
    callerId,
  };
}

/** Minutes east of UTC of `zone` at `atMs` ("GMT-05:00" -> -300). */
export function zoneOffsetMinutes(zone: string, atMs: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * When to call back: `when` as the caller said it ("tomorrow morning at 10 am", "in two
 * hours"), read in the callee's time zone (their country's, when it has one; else this
 * console's), or CALLBACK_DEFAULT_DELAY_MS from now when no time was said or it cannot be read.
 */
export function callbackDueAt(when: string | null, e164: string, nowMs: number): number {
  const fallback = nowMs + CALLBACK_DEFAULT_DELAY_MS;
  if (!when) return fallback;
  const country = normaliseLeadNumber(e164, null)?.country ?? null;
  const zones = country ? timeZonesForCountry(country) : [];
  const zone = zones.length === 1 ? zones[0]! : Intl.DateTimeFormat().resolvedOptions().timeZone;
  const at = chrono.en.parseDate(when, { instant: new Date(nowMs), timezone: zoneOffsetMinutes(zone, nowMs) }, { forwardDate: true });
  return at && at.getTime() > nowMs ? at.getTime() : fallback;
}

/** The number to call back, E.164: as said (digits, maybe without +country: read in the caller's country), else the caller's own. */
export function callbackNumber(said: string | null, callerNumber: string): string | null {
  const callerCountry = normaliseLeadNumber(callerNumber, null)?.country ?? null;
  if (said) {
    const parsed = normaliseLeadNumber(said, callerCountry);
    if (parsed) return parsed.e164;
  }
  return normaliseLeadNumber(callerNumber, null)?.e164 ?? null;
}
