/**
 * When a campaign may ring a lead (issue 15): the window in the callee's local time, in every
 * zone of their country, across weekends and daylight-saving changes. Fixed instants, the
 * platform's tz database.
 */
import { describe, expect, it } from 'vitest';
import { nextCallableMs } from '../../../src/main/core/campaigns/calling-window';
import { timeZonesForCountry } from '../../../src/main/core/telephony/outbound-rules';

const WEEKDAYS = [1, 2, 3, 4, 5];
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];
const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('nextCallableMs', () => {
  it('inside the window: now', () => {
    const at = utc('2026-07-01T10:30:00Z'); // a Wednesday, 11:30 in London (BST)
    expect(nextCallableMs(['Europe/London'], { days: WEEKDAYS, start: '09:00', end: '17:00' }, at)).toBe(at);
  });

  it('after hours on a Friday: Monday at the start, in local time', () => {
    const friday = utc('2026-07-03T17:30:00Z'); // 18:30 BST
    expect(iso(nextCallableMs(['Europe/London'], { days: WEEKDAYS, start: '09:00', end: '17:00' }, friday))).toBe('2026-07-06T08:00:00.000Z');
    // In winter the same local hour is an hour later in UTC.
    const winterFriday = utc('2026-12-04T18:00:00Z');
    expect(iso(nextCallableMs(['Europe/London'], { days: WEEKDAYS, start: '09:00', end: '17:00' }, winterFriday))).toBe('2026-12-07T09:00:00.000Z');
  });

  it('before the start on an allowed day: today at the start', () => {
    const early = utc('2026-07-01T05:00:00Z'); // 06:00 London
    expect(iso(nextCallableMs(['Europe/London'], { days: WEEKDAYS, start: '09:00', end: '17:00' }, early))).toBe('2026-07-01T08:00:00.000Z');
  });

  it('across the spring-forward night: the opening is in the new offset', () => {
    // Berlin moves from UTC+1 to UTC+2 at 02:00 on Sunday 29 March 2026.
    const saturdayEvening = utc('2026-03-28T18:00:00Z'); // 19:00 CET
    expect(iso(nextCallableMs(['Europe/Berlin'], { days: EVERY_DAY, start: '09:00', end: '17:00' }, saturdayEvening))).toBe('2026-03-29T07:00:00.000Z');
    // And back in October (UTC+2 to UTC+1 on Sunday 25 October 2026).
    const octoberEvening = utc('2026-10-24T18:00:00Z');
    expect(iso(nextCallableMs(['Europe/Berlin'], { days: EVERY_DAY, start: '09:00', end: '17:00' }, octoberEvening))).toBe('2026-10-25T08:00:00.000Z');
  });

  it('a local opening a few hours after the clocks change west of UTC lands on the new offset (03:30 EDT, not 04:30)', () => {
    // New York springs forward at 07:00 UTC on Sunday 8 March 2026 (02:00 EST → 03:00 EDT).
    const saturdayNight = utc('2026-03-08T01:00:00Z'); // 20:00 EST on the Saturday
    expect(iso(nextCallableMs(['America/New_York'], { days: [0], start: '03:30', end: '05:00' }, saturdayNight))).toBe('2026-03-08T07:30:00.000Z');
  });

  it('a country of many zones: only when the window holds in every one (the US: Hawaii opens last)', () => {
    const zones = timeZonesForCountry('US');
    expect(zones).toContain('Pacific/Honolulu');
    const morningEastern = utc('2026-07-01T12:00:00Z'); // 08:00 in New York, 02:00 in Honolulu
    const next = nextCallableMs(zones, { days: WEEKDAYS, start: '08:00', end: '21:00' }, morningEastern);
    expect(iso(next)).toBe('2026-07-01T18:00:00.000Z'); // 08:00 HST (UTC-10, no daylight saving)
  });

  it('never: no allowed day, an empty window, no zone, or hours that cannot overlap across the zones', () => {
    const at = utc('2026-07-01T12:00:00Z');
    expect(nextCallableMs(['Europe/London'], { days: [], start: '09:00', end: '17:00' }, at)).toBeNull();
    expect(nextCallableMs(['Europe/London'], { days: WEEKDAYS, start: '17:00', end: '09:00' }, at)).toBeNull();
    expect(nextCallableMs([], { days: WEEKDAYS, start: '09:00', end: '17:00' }, at)).toBeNull();
    expect(nextCallableMs(['America/New_York', 'Pacific/Honolulu'], { days: EVERY_DAY, start: '09:00', end: '10:00' }, at)).toBeNull();
  });

  it('a weekend-only campaign from a Monday waits for Saturday', () => {
    const monday = utc('2026-07-06T12:00:00Z');
    expect(iso(nextCallableMs(['Asia/Tokyo'], { days: [0, 6], start: '10:00', end: '18:00' }, monday))).toBe('2026-07-11T01:00:00.000Z');
  });
});
