/**
 * One lead's next step in a campaign (issue 15), at fixed instants: attempts and retry delays
 * by outcome, opt-outs never retried, compliance checked at every dial, and the calling window
 * (the campaign's, inside Settings' allowed hours) in the callee's zones.
 */
import { describe, expect, it } from 'vitest';
import { decideLead, effectiveWindow, type CampaignDialRules, type LeadHistory } from '../../../src/main/core/campaigns/dial-policy';

const MIN = 60_000;
const rules: CampaignDialRules = {
  window: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  maxAttempts: 3,
  retryDelayMs: { no_answer: 60 * MIN, busy: 10 * MIN, failed: 30 * MIN, voicemail: 120 * MIN },
};
const settings = { doNotCall: ['+442079460999'], allowedHours: { start: '08:00', end: '17:00' }, allowedCountries: ['GB', 'US'], phoneNumbers: ['+442079460000'] };
const LONDON_NOON = Date.parse('2026-07-01T11:00:00Z'); // a Wednesday, 12:00 BST
const fresh: LeadHistory = { number: '+442079460958', attempts: 0, lastOutcome: null, lastEndedAtMs: null, optedOut: false };

describe('decideLead', () => {
  it('a fresh lead in hours is dialled, with its time zones', () => {
    expect(decideLead(fresh, rules, settings, LONDON_NOON)).toEqual({ action: 'dial', e164: '+442079460958', timeZones: ['Europe/London'] });
  });

  it('after an attempt that did not reach them: waits the delay for that outcome, then dials again', () => {
    for (const [outcome, delay] of [['busy', 10 * MIN], ['no_answer', 60 * MIN], ['failed', 30 * MIN], ['voicemail', 120 * MIN]] as const) {
      const lead = { ...fresh, attempts: 1, lastOutcome: outcome, lastEndedAtMs: LONDON_NOON };
      expect(decideLead(lead, rules, settings, LONDON_NOON + 1000)).toEqual({ action: 'wait', untilMs: LONDON_NOON + delay, why: 'retry_delay' });
      expect(decideLead(lead, rules, settings, LONDON_NOON + delay).action).toBe('dial');
    }
  });

  it('answered, opted out or out of attempts: stops for good (an opt-out even with attempts left)', () => {
    expect(decideLead({ ...fresh, attempts: 1, lastOutcome: 'answered', lastEndedAtMs: 0 }, rules, settings, LONDON_NOON)).toEqual({ action: 'stop', why: 'answered' });
    expect(decideLead({ ...fresh, attempts: 1, lastOutcome: 'no_answer', lastEndedAtMs: 0, optedOut: true }, rules, settings, LONDON_NOON)).toEqual({ action: 'stop', why: 'opted_out' });
    expect(decideLead({ ...fresh, attempts: 3, lastOutcome: 'busy', lastEndedAtMs: 0 }, rules, settings, LONDON_NOON)).toEqual({ action: 'stop', why: 'attempts_exhausted' });
  });

  it('compliance at every dial: do-not-call, premium rate, a country not allowed are refused with the reason', () => {
    expect(decideLead({ ...fresh, number: '+442079460999' }, rules, settings, LONDON_NOON)).toMatchObject({ action: 'refuse', reason: 'do_not_call' });
    expect(decideLead({ ...fresh, number: '+449098790000' }, rules, settings, LONDON_NOON)).toMatchObject({ action: 'refuse', reason: 'premium_rate' });
    expect(decideLead({ ...fresh, number: '+33612345678' }, rules, settings, LONDON_NOON)).toMatchObject({ action: 'refuse', reason: 'country_not_allowed' });
    expect(decideLead({ ...fresh, number: '+4412' }, rules, settings, LONDON_NOON)).toMatchObject({ action: 'refuse', reason: 'invalid_number' });
  });

  it("outside the hours: waits for the window, which is the campaign's inside Settings' (here 09:00-17:00)", () => {
    expect(effectiveWindow(rules, settings)).toEqual({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' });
    const evening = Date.parse('2026-07-01T16:30:00Z'); // 17:30 BST: inside the campaign's 18:00, past Settings' 17:00
    expect(decideLead(fresh, rules, settings, evening)).toEqual({ action: 'wait', untilMs: Date.parse('2026-07-02T08:00:00Z'), why: 'outside_hours' });
    const saturday = Date.parse('2026-07-04T11:00:00Z');
    expect(decideLead(fresh, rules, settings, saturday)).toEqual({ action: 'wait', untilMs: Date.parse('2026-07-06T08:00:00Z'), why: 'outside_hours' });
  });

  it('hours that can never hold across the callee country\'s zones: refused, with why', () => {
    const narrow = { ...rules, window: { days: [1, 2, 3, 4, 5], start: '09:00', end: '10:00' } };
    const decision = decideLead({ ...fresh, number: '+14155550123' }, narrow, settings, LONDON_NOON);
    expect(decision).toMatchObject({ action: 'refuse', reason: 'no_calling_window' });
    expect(decision.action === 'refuse' && decision.message).toMatch(/never hold at once in every time zone of US/);
  });
});

describe('the calling window, remembered for a minute', () => {
  it('gives the same decisions with a cache as without, computing each country once', () => {
    const cache = new Map<string, number | null>();
    const leads = ['+442079460100', '+442079460101', '+12125550123'].map((number) => ({ number, attempts: 0, lastOutcome: null, lastEndedAtMs: null, optedOut: false }));
    for (const at of [Date.parse('2026-12-02T15:00:00Z'), Date.parse('2026-12-02T07:30:00Z')]) {
      cache.clear();
      for (const lead of leads) expect(decideLead(lead, rules, settings, at, cache)).toEqual(decideLead(lead, rules, settings, at));
      expect([...cache.keys()].sort()).toEqual(['GB', 'US']);
    }
  });
});
