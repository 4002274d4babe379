/**
 * Whether the console may place an outbound call to a number right now. Pure: the clock
 * and settings are arguments, so every rule is unit-tested with fixed instants.
 *
 * Rules, in order (the first that fails is the reason given):
 *  1. The number is a valid E.164 number (libphonenumber-js, full metadata: the same data
 *     Google's libphonenumber uses, so +1 555 555 5555 or a digit short is refused).
 *  2. It is not a premium-rate or shared-cost number (toll fraud; see shared/phone.ts).
 *  3. It is not on the do-not-call list (compared in E.164).
 *  4. Its country is allowed: allowedCountries, or (null) the countries of the console's own
 *     numbers; a number of no country (+800, +882…) never is.
 *  5. The callee's local time is within allowedHours [start, end).
 * Rules 2 and 4 are the shared ones the New AI call form applies before sending.
 *
 * The callee's time zone. A number says its country, not its time zone, and libphonenumber-js
 * ships no time-zone metadata. So the country's IANA zones come from countries-and-timezones,
 * and a country that spans several zones (US, CA, AU, BR, RU, MX…) is called only while the
 * window holds in EVERY one of them: a call is never placed when it could be 8 p.m.-too-late
 * anywhere the number might ring. That is conservative (Alaska and Hawaii narrow the US window
 * to about 13:00-21:00 Eastern for an 08:00-21:00 rule) but never wrong in the direction that
 * matters for calling-hours rules (TCPA-style). A number whose country cannot be told
 * (non-geographic +800/+808/+870…) is refused rather than guessed.
 */
import ct from 'countries-and-timezones';
import { costlyNumberRefusal, countryRefusal, parseE164 } from '@shared/phone';
import type { TelephonySettings } from '@shared/telephony';

export type OutboundRefusalReason =
  | 'invalid_number'
  | 'premium_rate'
  | 'shared_cost'
  | 'do_not_call'
  | 'country_not_allowed'
  | 'outside_hours'
  | 'unknown_time_zone';

export type OutboundCheck =
  | { ok: true; e164: string; country: string; timeZones: string[] }
  | { ok: false; reason: OutboundRefusalReason; message: string };

/** IANA zones a number of this country may ring in (empty when unknown). */
export function timeZonesForCountry(country: string): string[] {
  return ct.getTimezonesForCountry(country)?.map((zone) => zone.name) ?? [];
}

/** A zone's wall clock at an instant: the local date, weekday (0 = Sunday) and minutes since midnight. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minutes: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The local date and time in `timeZone` at `atMs` (the platform's tz database, daylight saving included). */
export function localTime(timeZone: string, atMs: number): LocalTime {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    zoneFormats.set(timeZone, format);
  }
  const part: Record<string, string> = {};
  for (const p of format.formatToParts(atMs)) part[p.type] = p.value;
  return {
    year: Number(part.year),
    month: Number(part.month),
    day: Number(part.day),
    weekday: WEEKDAYS[part.weekday ?? ''] ?? 0,
    minutes: Number(part.hour) * 60 + Number(part.minute),
  };
}

/** Local wall-clock time HH:MM in `timeZone` at `atMs`. */
export function localClock(timeZone: string, atMs: number): string {
  const { minutes } = localTime(timeZone, atMs);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The do-not-call list as normalised numbers, built once per list (settings keep one array
 * until they change): a campaign checks it before every dial, and the list may hold 100,000.
 */
const doNotCallSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function doNotCallSet(list: readonly string[]): ReadonlySet<string> {
  let set = doNotCallSets.get(list);
  if (!set) {
    set = new Set(list.map((n) => parseE164(n)?.e164 ?? n));
    doNotCallSets.set(list, set);
  }
  return set;
}

type OutboundSettings = Pick<TelephonySettings, 'doNotCall' | 'allowedHours' | 'allowedCountries' | 'phoneNumbers'>;

/** Rules 1-4: whether this number may ever be dialled now, whatever the hour (a campaign checks its own hours). */
export function checkOutboundNumber(
  to: string,
  settings: Pick<OutboundSettings, 'doNotCall' | 'allowedCountries' | 'phoneNumbers'>,
): Extract<OutboundCheck, { ok: true }> | { ok: false; reason: Exclude<OutboundRefusalReason, 'outside_hours'>; message: string } {
  const parsed = parseE164(to);
  if (!parsed) {
    return {
      ok: false,
      reason: 'invalid_number',
      message: 'The number is not a valid phone number in E.164 form (+ then country code and number, no spaces, e.g. +14155550100)',
    };
  }
  const costly = costlyNumberRefusal(parsed.e164);
  if (costly) return { ok: false, ...costly };
  const doNotCall = doNotCallSet(settings.doNotCall);
  if (doNotCall.has(parsed.e164)) {
    return { ok: false, reason: 'do_not_call', message: 'The number is on the do-not-call list' };
  }
  const foreign = countryRefusal(parsed.e164, settings);
  if (foreign) return { ok: false, ...foreign };
  const timeZones = parsed.country ? timeZonesForCountry(parsed.country) : [];
  if (!parsed.country || timeZones.length === 0) {
    return {
      ok: false,
      reason: 'unknown_time_zone',
      message: "The callee's local time cannot be told from this number (no country), so allowed calling hours cannot be checked",
    };
  }
  return { ok: true, e164: parsed.e164, country: parsed.country, timeZones };
}

export function checkOutboundCall(to: string, settings: OutboundSettings, nowMs: number): OutboundCheck {
  const number = checkOutboundNumber(to, settings);
  if (!number.ok) return number;
  const { timeZones, country } = number;
  const { start, end } = settings.allowedHours;
  const outside = timeZones.map((zone) => ({ zone, clock: localClock(zone, nowMs) })).filter(({ clock }) => clock < start || clock >= end);
  if (outside.length > 0) {
    const example = outside[0]!;
    const where = timeZones.length > 1 ? ` in at least one of the ${timeZones.length} time zones of ${country}` : '';
    return {
      ok: false,
      reason: 'outside_hours',
      message: `Outside allowed calling hours (${start}-${end} the callee's local time): it is ${example.clock} in ${example.zone}${where}`,
    };
  }
  return number;
}
