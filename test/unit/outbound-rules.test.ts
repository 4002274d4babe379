import { describe, expect, it } from 'vitest';
import { checkOutboundCall, localClock, timeZonesForCountry } from '../../src/main/core/telephony/outbound-rules';
import { allowedDestinationCountries, countryName, dialProblem, parseE164 } from '../../src/shared/phone';

/** Every country these tests call is allowed unless a test says otherwise. */
const ANYWHERE = { allowedCountries: ['US', 'CA', 'GB', 'AU', 'FR', 'DE', 'ES', 'IT', 'JM'], phoneNumbers: ['+14155550100'] };
const RULES = { ...ANYWHERE, doNotCall: ['+442079460958'], allowedHours: { start: '08:00', end: '21:00' } };
const ALWAYS = { start: '00:00', end: '24:00' };
/** An instant given as UTC wall-clock time. */
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('outbound call rules', () => {
  it.each([
    ['+14155550100', 'US'],
    ['+14165550123', 'CA'],
    ['+442079460958', 'GB'],
    ['+61291234567', 'AU'],
  ])('accepts %s as a valid E.164 number of %s', (n, country) => {
    expect(parseE164(n)).toEqual({ e164: n, country });
  });

  it.each([
    ['not a number', 'hello'],
    ['a national number without +', '4155550100'],
    ['spaces', '+1 415 555 0100'],
    ['a digit short', '+1415555010'],
    ['an impossible area code', '+15555555555'],
    ['too long for E.164', '+1415555010012345'],
    ['empty', ''],
  ])('refuses %s as invalid_number with a clear reason', (_what, n) => {
    const check = checkOutboundCall(n, RULES, utc('2026-03-10T15:00:00'));
    expect(check).toMatchObject({ ok: false, reason: 'invalid_number' });
    expect(!check.ok && check.message).toMatch(/not a valid phone number in E\.164/);
  });

  it('refuses a number on the do-not-call list, whatever the time', () => {
    const check = checkOutboundCall('+442079460958', RULES, utc('2026-03-10T12:00:00'));
    expect(check).toEqual({ ok: false, reason: 'do_not_call', message: 'The number is on the do-not-call list' });
  });

  it('refuses a non-geographic number: it belongs to no country, so to no allowed one', () => {
    const check = checkOutboundCall('+80012345678', RULES, utc('2026-03-10T12:00:00'));
    expect(check).toMatchObject({ ok: false, reason: 'country_not_allowed' });
    expect(!check.ok && check.message).toMatch(/belongs to no country \(\+800, an international service\)/);
  });

  it("uses the callee's time zone (London, with summer time)", () => {
    // 07:30 UTC in winter is 07:30 in London: too early. In summer it is 08:30 BST: fine.
    expect(checkOutboundCall('+442071234567', RULES, utc('2026-01-15T07:30:00'))).toMatchObject({ ok: false, reason: 'outside_hours' });
    expect(checkOutboundCall('+442071234567', RULES, utc('2026-07-15T07:30:00'))).toMatchObject({ ok: true, country: 'GB' });
    // The end is exclusive: 21:00 local is too late, 20:59 is not.
    expect(checkOutboundCall('+442071234567', RULES, utc('2026-01-15T21:00:00'))).toMatchObject({ ok: false, reason: 'outside_hours' });
    expect(checkOutboundCall('+442071234567', RULES, utc('2026-01-15T20:59:00'))).toMatchObject({ ok: true });
  });

  it('needs the window to hold in every time zone of a country that spans several', () => {
    expect(timeZonesForCountry('US')).toEqual(expect.arrayContaining(['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu']));
    // 14:00 UTC in January: 09:00 New York but 04:00 Honolulu -> refused, naming a zone.
    const early = checkOutboundCall('+14155550100', RULES, utc('2026-01-15T14:00:00'));
    expect(early).toMatchObject({ ok: false, reason: 'outside_hours' });
    expect(!early.ok && early.message).toMatch(/08:00-21:00 the callee's local time.*in at least one of the \d+ time zones of US/);
    // 19:00 UTC: 14:00 New York, 09:00 Honolulu -> every US zone is within hours.
    expect(checkOutboundCall('+14155550100', RULES, utc('2026-01-15T19:00:00'))).toMatchObject({ ok: true, e164: '+14155550100', country: 'US' });
    // 01:30 UTC: 20:30 New York but 21:30 Halifax is too late for Canada.
    expect(checkOutboundCall('+14165550123', RULES, utc('2026-01-16T01:30:00'))).toMatchObject({ ok: false, reason: 'outside_hours' });
  });

  it('reads local wall-clock time per zone', () => {
    const at = utc('2026-01-15T23:45:00');
    expect(localClock('Europe/London', at)).toBe('23:45');
    expect(localClock('Asia/Kolkata', at)).toBe('05:15');
    expect(localClock('America/New_York', at)).toBe('18:45');
  });

  it('honours configured hours, e.g. a narrow window', () => {
    const rules = { ...ANYWHERE, doNotCall: [], allowedHours: { start: '10:00', end: '12:00' } };
    expect(checkOutboundCall('+442071234567', rules, utc('2026-01-15T11:30:00'))).toMatchObject({ ok: true });
    expect(checkOutboundCall('+442071234567', rules, utc('2026-01-15T12:30:00'))).toMatchObject({ ok: false, reason: 'outside_hours' });
    // Australia spans ~3 hours (Perth to Sydney): a 2-hour window never holds everywhere.
    for (let hour = 0; hour < 24; hour++) {
      const at = utc(`2026-01-15T${String(hour).padStart(2, '0')}:30:00`);
      expect(checkOutboundCall('+61291234567', rules, at)).toMatchObject({ ok: false, reason: 'outside_hours' });
    }
  });
});

describe('why a number cannot be dialled, in words (the New AI call form)', () => {
  it('accepts numbers in use and explains the rest', () => {
    expect(dialProblem('+14155550100')).toBeNull();
    expect(dialProblem('+33612345678')).toBeNull();
    expect(dialProblem('+15555550123')).toBe("This isn't a number in use: check for a missing or extra digit.");
    expect(dialProblem('+3361234567')).toBe("This isn't a number in use in France: check for a missing or extra digit.");
    expect(dialProblem('+9991234567')).toBe('No country uses this country code: check the digits after the +.');
  });
});

describe('toll-fraud guard: destination countries and costly number types', () => {
  const at = utc('2026-03-10T15:00:00');
  const rules = (allowedCountries: string[] | null, phoneNumbers: string[] = ['+14155550100']) => ({ allowedCountries, phoneNumbers, doNotCall: [], allowedHours: ALWAYS });

  it.each([
    ['a US premium-rate 900 number', '+19005550100', 'premium_rate', /premium-rate number \(United States\)/],
    ['a UK premium-rate 0871 number', '+448712345678', 'premium_rate', /premium-rate number \(United Kingdom\)/],
    ['a French premium-rate 089 number', '+33899123456', 'premium_rate', /premium-rate number \(France\)/],
    ['a French shared-cost 081 number', '+33810123456', 'shared_cost', /shared-cost number \(France\)/],
    ['a Spanish shared-cost 901 number', '+34901123456', 'shared_cost', /shared-cost number \(Spain\)/],
  ])('never calls %s, even in an allowed country at an allowed hour', (_what, n, reason, message) => {
    const check = checkOutboundCall(n, rules(['US', 'GB', 'FR', 'ES']), at);
    expect(check).toMatchObject({ ok: false, reason });
    expect(!check.ok && check.message).toMatch(message);
    expect(!check.ok && check.message).toMatch(/toll fraud/);
    // The New AI call form says the same before sending.
    expect(dialProblem(n)).toBe(!check.ok && check.message);
  });

  it('calls ordinary numbers of an allowed country (fixed, mobile, toll-free)', () => {
    for (const n of ['+442071234567', '+447400123456', '+448001234567']) {
      expect(checkOutboundCall(n, rules(['GB']), at)).toMatchObject({ ok: true, country: 'GB' });
    }
  });

  it('allows only the listed countries, naming the country refused and the ones allowed', () => {
    const check = checkOutboundCall('+4930123456', rules(['US', 'GB']), at);
    expect(check).toEqual({
      ok: false,
      reason: 'country_not_allowed',
      message: 'Calls to Germany are not allowed. Allowed countries: United States, United Kingdom (Settings → Telephony).',
    });
    // A Caribbean number shares +1 with the US but is its own country (a toll-fraud classic).
    expect(checkOutboundCall('+18765550123', rules(['US']), at)).toMatchObject({ ok: false, reason: 'country_not_allowed', message: expect.stringMatching(/^Calls to Jamaica/) });
    expect(checkOutboundCall('+4930123456', rules(['DE']), at)).toMatchObject({ ok: true, country: 'DE' });
  });

  it("defaults (null) to the countries of the console's own numbers, like Twilio's geo permissions", () => {
    const own = rules(null, ['+14155550100', '+442071234567', '+14165550123']);
    expect(allowedDestinationCountries(own)).toEqual(['US', 'GB', 'CA']);
    expect(checkOutboundCall('+447400123456', own, at)).toMatchObject({ ok: true });
    const refused = checkOutboundCall('+33612345678', own, at);
    expect(refused).toMatchObject({ ok: false, reason: 'country_not_allowed' });
    expect(!refused.ok && refused.message).toBe(
      "Calls to France are not allowed. By default only the countries of this console's own numbers are (United States, United Kingdom, Canada); add others in Settings → Telephony → Allowed countries.",
    );
  });

  it('allows no country at all without own numbers or with an empty list, saying to set the list', () => {
    const none = checkOutboundCall('+14155550123', rules(null, []), at);
    expect(none).toMatchObject({ ok: false, reason: 'country_not_allowed', message: expect.stringMatching(/No destination country is allowed yet: choose the allowed countries in Settings → Telephony/) });
    const empty = checkOutboundCall('+14155550123', rules([]), at);
    expect(empty).toMatchObject({ ok: false, reason: 'country_not_allowed', message: expect.stringMatching(/allowed countries in Settings → Telephony are empty/) });
  });

  it('gives the New AI call form the same country refusal when it knows the settings', () => {
    const own = { allowedCountries: null, phoneNumbers: ['+14155550100'] };
    const core = checkOutboundCall('+33612345678', { ...own, doNotCall: [], allowedHours: ALWAYS }, at);
    expect(dialProblem('+33612345678', own)).toBe(!core.ok && core.message);
    expect(dialProblem('+14155550123', own)).toBeNull();
    expect(dialProblem('+33612345678')).toBeNull(); // without the settings it cannot tell
  });

  it('names countries in English, and falls back to the code', () => {
    expect(countryName('GB')).toBe('United Kingdom');
    expect(countryName('ZZ')).toBe('Unknown Region');
    expect(countryName('not a code')).toBe('not a code');
  });
});
