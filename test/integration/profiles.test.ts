/**
 * AI profiles on a real core (issue 15): the default profile reproduces today's behaviour,
 * edits make new versions, a call runs with (and records) the version current when it started,
 * History filters by profile, and Try it answers from the profile's own knowledge base with
 * the engines a call would use (offline here: the intent + knowledge-base engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AI_PROFILE_FIELDS } from '../../src/shared/ai-profile';
import { dialCaller, startHarness, type CoreHarness } from '../support/core-harness';

describe('AI profiles', () => {
  let harness: CoreHarness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.core.close();
  });

  it("starts with a default profile holding today's greetings and the shipped knowledge base", async () => {
    const [only, ...others] = await harness.call('profiles.list');
    expect(others).toEqual([]);
    expect(only).toMatchObject({ name: 'Default', isDefault: true, version: 1, articleCount: 12, liveCalls: 0, campaigns: 0, numbers: [] });
    const profile = await harness.call('profiles.get', { profileId: only!.id });
    expect(profile.fields).toEqual(DEFAULT_AI_PROFILE_FIELDS);
    expect(profile.articles.map((a) => a.id)).toContain('late-fees');
  });

  it('Try it answers from the profile\'s own articles, and an edit is used at once', async () => {
    const profile = await harness.call('profiles.save', {
      fields: { ...DEFAULT_AI_PROFILE_FIELDS, name: 'Holidays desk', inboundGreeting: 'Hello, {business} holiday desk.' },
    });
    const withArticle = await harness.call('profiles.saveArticle', {
      profileId: profile.id,
      article: { title: 'Payment holiday', body: 'A payment holiday pauses your bill for up to two months. Ask for it at least five days before the due date.' },
    });
    expect(withArticle.version).toBe(2);
    const question = { profileId: profile.id, messages: [{ role: 'caller' as const, text: 'Can I get a payment holiday on my bill?' }] };
    const answer = await harness.call('profiles.try', question);
    // The greeting keeps the AI disclosure the words left out.
    expect(answer.greeting).toBe("Hello, Brightwave Broadband holiday desk. I'm an automated assistant.");
    expect(answer.articles[0]).toEqual({ id: 'payment-holiday', title: 'Payment holiday' });
    expect(answer.reply).toMatch(/two months/);
    expect(answer).toMatchObject({ engine: 'intent + knowledge base (offline)', version: 2 });

    // The default profile has no such article.
    const defaultId = (await harness.call('profiles.list')).find((p) => p.isDefault)!.id;
    const elsewhere = await harness.call('profiles.try', { ...question, profileId: defaultId });
    expect(elsewhere.articles.map((a) => a.id)).not.toContain('payment-holiday');

    // Edited: the next answer uses the new words.
    await harness.call('profiles.saveArticle', {
      profileId: profile.id,
      article: { id: 'payment-holiday', title: 'Payment holiday', body: 'A payment holiday pauses your bill for up to three months.' },
    });
    expect((await harness.call('profiles.try', question)).reply).toMatch(/three months/);
  });

  it("answers from an edited article, not from the offline engine's stock reply for the shipped one", async () => {
    const defaultId = (await harness.call('profiles.list')).find((p) => p.isDefault)!.id;
    const question = { messages: [{ role: 'caller' as const, text: 'How much is the late fee if I pay my bill after the due date?' }] };
    const stock = await harness.call('profiles.try', { ...question, profileId: defaultId });
    expect(stock.reply).toMatch(/ten dollar/);
    const copy = await harness.call('profiles.duplicate', { profileId: defaultId, name: 'UK desk' });
    await harness.call('profiles.saveArticle', {
      profileId: copy.id,
      article: { id: 'late-fees', title: 'Late fees', body: 'A late fee of twelve pounds is added when a bill is unpaid fourteen days after its due date.' },
    });
    const own = await harness.call('profiles.try', { ...question, profileId: copy.id });
    expect(own.reply).toMatch(/twelve pounds/);
    expect(own.reply).not.toMatch(/ten dollar/);
  });

  it('imports Markdown files as articles, reporting the ones it cannot use', async () => {
    const profile = await harness.call('profiles.save', { fields: { ...DEFAULT_AI_PROFILE_FIELDS, name: 'Imported' } });
    const result = await harness.call('profiles.importArticles', {
      profileId: profile.id,
      files: [
        { name: 'moving.md', text: '# Moving home\r\nTell us your new address two weeks before you move.' },
        { name: 'no-heading.md', text: 'Engineers work from eight until six.' },
        { name: 'empty.md', text: '# Only a title' },
      ],
    });
    expect(result).toMatchObject({ added: 2, replaced: 0 });
    expect(result.profile.articles.map((a) => a.title)).toEqual(['Moving home', 'no heading']);
    expect(result.problems).toEqual(['empty.md: an article needs some text']);
  });

  it('a call keeps the version it started with; the next call gets the new one; History filters by profile', async () => {
    const defaultProfile = (await harness.call('profiles.list')).find((p) => p.isDefault)!;
    const first = await dialCaller(harness, 'hello there');
    expect(harness.latest(first.callId)?.profile).toEqual({ id: defaultProfile.id, version: defaultProfile.version, name: 'Default' });
    // In use: it cannot be deleted (the default never can), and the list says so.
    expect((await harness.call('profiles.list')).find((p) => p.isDefault)).toMatchObject({ liveCalls: 1 });

    const edited = await harness.call('profiles.save', {
      profileId: defaultProfile.id,
      fields: { ...DEFAULT_AI_PROFILE_FIELDS, instructions: 'Mention the winter offer.' },
    });
    expect(edited.version).toBe(defaultProfile.version + 1);
    const second = await dialCaller(harness, 'hello again');
    expect(harness.latest(second.callId)?.profile).toMatchObject({ version: edited.version });
    expect(harness.latest(first.callId)?.profile).toMatchObject({ version: defaultProfile.version });
    await harness.call('call.end', { callId: first.callId });
    await harness.call('call.end', { callId: second.callId });
    first.caller.hangUp();
    second.caller.hangUp();

    const stored = await harness.call('calls.get', { callId: first.callId });
    expect(stored.call.profile).toEqual({ id: defaultProfile.id, version: defaultProfile.version, name: 'Default' });
    const other = (await harness.call('profiles.list')).find((p) => p.name === 'Imported')!;
    const mine = await harness.call('history.page', { filter: { profileIds: [defaultProfile.id] }, limit: 50 });
    expect(mine.calls.map((r) => r.id).sort()).toEqual([first.callId, second.callId].sort());
    expect(mine.calls.find((r) => r.id === first.callId)?.profile).toEqual({ id: defaultProfile.id, version: defaultProfile.version, name: 'Default' });
    expect((await harness.call('history.page', { filter: { profileIds: [other.id] }, limit: 50 })).calls).toEqual([]);
  });

  it('refuses to delete a profile in use, saying by what; deletes it once nothing uses it', async () => {
    const profile = await harness.call('profiles.save', { fields: { ...DEFAULT_AI_PROFILE_FIELDS, name: 'Front desk' } });
    await harness.call('profiles.assignNumber', { phoneNumber: '+14155550100', profileId: profile.id });
    const refused = await harness.core.dispatch('profiles.delete', { profileId: profile.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: '"Front desk" is in use by the number +14155550100: it can be deleted once nothing uses it' } });
    const list = await harness.call('profiles.assignNumber', { phoneNumber: '+14155550100', profileId: null });
    expect(list.find((p) => p.id === profile.id)?.numbers).toEqual([]);
    await harness.call('profiles.delete', { profileId: profile.id });
    expect((await harness.call('profiles.list')).map((p) => p.name)).not.toContain('Front desk');
    const bad = await harness.core.dispatch('profiles.save', { fields: { ...DEFAULT_AI_PROFILE_FIELDS, name: '' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/a profile needs a name/) } });
  });
});
