import { describe, expect, it } from 'vitest';
import { CALLBACK_DEFAULT_DELAY_MS, callbackDueAt, callbackNumber, zoneOffsetMinutes } from '../../../src/main/core/campaigns/callbacks';

/** Wednesday 2 December 2026, 15:00 UTC: 15:00 in London, 10:00 in New York. */
const NOW = Date.parse('2026-12-02T15:00:00Z');

describe('callbacks: when and whom to call back', () => {
  it("reads the time as the caller said it, in the caller's own zone", () => {
    expect(callbackDueAt('tomorrow morning at 10 am', '+442079460100', NOW)).toBe(Date.parse('2026-12-03T10:00:00Z'));
    expect(callbackDueAt('in two hours', '+442079460100', NOW)).toBe(Date.parse('2026-12-02T17:00:00Z'));
    // A country with one zone (Japan, UTC+9): the caller's 5 pm is 08:00 UTC the next day.
    expect(callbackDueAt('at 5 pm', '+81312345678', NOW)).toBe(Date.parse('2026-12-03T08:00:00Z'));
  });

  it('falls back to a short delay when no time was said, or it cannot be read, or it is past', () => {
    expect(callbackDueAt(null, '+442079460100', NOW)).toBe(NOW + CALLBACK_DEFAULT_DELAY_MS);
    expect(callbackDueAt('any time', '+442079460100', NOW)).toBe(NOW + CALLBACK_DEFAULT_DELAY_MS);
  });

  it('knows zone offsets across clock changes', () => {
    expect(zoneOffsetMinutes('America/New_York', NOW)).toBe(-300);
    expect(zoneOffsetMinutes('America/New_York', Date.parse('2026-07-01T12:00:00Z'))).toBe(-240);
    expect(zoneOffsetMinutes('Asia/Kolkata', NOW)).toBe(330);
  });

  it("calls back the number the caller gave (read in their country), else the caller's own", () => {
    expect(callbackNumber('020 7946 0123', '+442079460100')).toBe('+442079460123');
    expect(callbackNumber('+1 212 555 0123', '+442079460100')).toBe('+12125550123');
    expect(callbackNumber('12', '+442079460100')).toBe('+442079460100');
    expect(callbackNumber(null, 'anonymous')).toBeNull();
  });
});
