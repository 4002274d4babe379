/**
 * When a campaign may ring a lead (issue 15): on the campaign's days, between its hours, in
 * the callee's local time. A number gives its country, not its zone, so as for a single
 * outbound call (outbound-rules.ts) the window must hold in EVERY zone of the country: a lead
 * is never rung when it could be too early or too late anywhere it might ring.
 *
 * The scheduler asks "when next?" for a lead it may not ring now, and waits until then rather
 * than asking again every tick. Pure (the clock is an argument); local times are the outbound
 * rules' (`localTime`: Intl, so daylight saving is the platform's tz database's).
 */
import { localTime } from '../telephony/outbound-rules';

/** Days are local weekdays, 0 = Sunday … 6 = Saturday; hours are local "HH:MM", [start, end). */
export interface CallingWindow {
  days: readonly number[];
  start: string;
  end: string;
}

/** How far ahead an opening is looked for; past it the window is taken never to hold. */
const HORIZON_MS = 8 * 24 * 3_600_000;
const MINUTE_MS = 60_000;

const toMinutes = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** The zone's offset from UTC at `atMs` (local wall clock minus UTC), to the minute. */
function offsetMs(timeZone: string, atMs: number): number {
  const t = localTime(timeZone, atMs);
  const wall = Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes);
  return wall - Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
}

/** The instant a local wall time occurs in the zone (a time skipped by a clock change: just after the change). */
function instantOf(timeZone: string, year: number, month: number, day: number, minutes: number): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  const guess = wall - offsetMs(timeZone, wall);
  // The offset at the guess may differ (the day the clocks change): correct with it once.
  return wall - offsetMs(timeZone, guess);
}

function inside(timeZone: string, window: CallingWindow, atMs: number): boolean {
  const t = localTime(timeZone, atMs);
  return window.days.includes(t.weekday) && t.minutes >= toMinutes(window.start) && t.minutes < toMinutes(window.end);
}

/** The next instant after `atMs` at which the window opens in this zone. */
function nextOpening(timeZone: string, window: CallingWindow, atMs: number): number | null {
  const now = localTime(timeZone, atMs);
  const start = toMinutes(window.start);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const weekday = (now.weekday + ahead) % 7;
    if (!window.days.includes(weekday)) continue;
    // Calendar arithmetic on the local date (Date.UTC normalises day overflow into months).
    const date = new Date(Date.UTC(now.year, now.month - 1, now.day + ahead));
    const opening = instantOf(timeZone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), start);
    if (opening > atMs) return opening;
  }
  return null;
}

/**
 * The earliest instant at or after `fromMs` when the local time in every one of `timeZones`
 * is inside the window; null when there is none within eight days (no allowed day, an empty
 * window, or zones too far apart for the hours to overlap).
 */
export function nextCallableMs(timeZones: readonly string[], window: CallingWindow, fromMs: number): number | null {
  if (timeZones.length === 0 || window.days.length === 0 || toMinutes(window.start) >= toMinutes(window.end)) return null;
  let at = fromMs;
  while (at - fromMs <= HORIZON_MS) {
    const closed = timeZones.filter((zone) => !inside(zone, window, at));
    if (closed.length === 0) return at;
    // Wait for the last of the closed zones to open; another may have closed meanwhile, so look again.
    let next = at;
    for (const zone of closed) {
      const opening = nextOpening(zone, window, at);
      if (opening === null) return null;
      next = Math.max(next, opening);
    }
    at = next;
  }
  return null;
}
