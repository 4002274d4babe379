/** A campaign's form (issue 15): what it refuses, in the words the form shows, and the dial rules it makes. */
import { describe, expect, it } from 'vitest';
import { CampaignSettings, DEFAULT_CAMPAIGN_PACE } from '../../../src/shared/campaign';
import { dialRulesOf } from '../../../src/main/core/campaigns/dial-policy';
import { DialPacer } from '../../../src/main/core/campaigns/dial-pacer';

const valid: CampaignSettings = { ...DEFAULT_CAMPAIGN_PACE, days: [...DEFAULT_CAMPAIGN_PACE.days], retryAfterMinutes: { ...DEFAULT_CAMPAIGN_PACE.retryAfterMinutes }, name: 'Renewals', purpose: 'Remind customers their contract ends next month', script: '', callerId: '+442079460000' };

describe('campaign settings', () => {
  it('the defaults with a name, purpose and caller ID are a valid campaign, and make the dial rules and a pacer', () => {
    const campaign = CampaignSettings.parse(valid);
    expect(dialRulesOf(campaign)).toEqual({
      window: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
      maxAttempts: 3,
      retryDelayMs: { no_answer: 240 * 60_000, busy: 30 * 60_000, failed: 60 * 60_000, voicemail: 240 * 60_000 },
    });
    expect(new DialPacer(campaign).nextDialAt(0)).toBe(0);
  });

  it('refuses what cannot run, saying what to fix', () => {
    const issues = (patch: Partial<CampaignSettings>) => {
      const result = CampaignSettings.safeParse({ ...valid, ...patch });
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ name: ' ' })).toEqual(['name: a campaign needs a name']);
    expect(issues({ days: [] })).toEqual(['days: choose at least one day']);
    expect(issues({ start: '18:00', end: '09:00' })).toEqual(['end: the hours must start before they end']);
    expect(issues({ maxAttempts: 0 })).toEqual(['maxAttempts: at least 1 attempt']);
    expect(issues({ callsPerMinute: 500 })).toEqual(['callsPerMinute: at most 120 calls a minute']);
    expect(issues({ callerId: '0207 946 0000' })).toEqual(['callerId: expected an E.164 number such as +14155550100']);
  });
});
