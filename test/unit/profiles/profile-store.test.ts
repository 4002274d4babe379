import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_AI_PROFILE_FIELDS, type AiProfileFields } from '../../../src/shared/ai-profile';
import { openDatabase } from '../../../src/main/core/store/db';
import { createProfileStore, type ProfileStore } from '../../../src/main/core/profiles/profile-store';
import { makeTempDir } from '../store/helpers';

const ARTICLES = [
  { id: 'late-fees', title: 'Late fees', body: 'A late fee of five dollars applies after fourteen days.' },
  { id: 'router-reset', title: 'Router reset', body: 'Hold the reset button for ten seconds.' },
];
const sales = (extra: Partial<AiProfileFields> = {}): AiProfileFields => ({ ...DEFAULT_AI_PROFILE_FIELDS, name: 'Sales', instructions: 'Offer the annual plan.', ...extra });

describe('profile store', () => {
  let cleanup: () => void;
  let dbPath: string;
  let store: ProfileStore;
  let clock = 1_000;
  const open = () => createProfileStore(openDatabase(dbPath), { defaultArticles: () => ARTICLES, now: () => clock++ });

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    dbPath = join(dir, 'profiles.db');
    store = open();
  });
  afterEach(() => cleanup());

  it("makes the default profile once, from today's greetings and the shipped articles", () => {
    const first = store.defaultProfile();
    expect(first).toMatchObject({ version: 1, isDefault: true, fields: DEFAULT_AI_PROFILE_FIELDS, articles: ARTICLES });
    expect(store.defaultProfile().id).toBe(first.id);
    expect(open().defaultProfile().id).toBe(first.id); // a restart finds it
    expect(store.list()).toEqual([{ id: first.id, name: 'Default', version: 1, isDefault: true, updatedAt: first.updatedAt, articleCount: 2 }]);
  });

  it('writes every change as a new version and keeps the old ones as they were', () => {
    const created = store.save(undefined, sales());
    expect(created).toMatchObject({ version: 1, isDefault: false, articles: [] });
    const edited = store.save(created.id, sales({ instructions: 'Offer the monthly plan.' }));
    const withArticle = store.saveArticle(created.id, { title: 'Annual plan', body: 'The annual plan costs 300 dollars a year.' });
    expect(withArticle).toMatchObject({ version: 3, articles: [{ id: 'annual-plan', title: 'Annual plan' }] });
    const revised = store.saveArticle(created.id, { id: 'annual-plan', title: 'Annual plan', body: 'The annual plan costs 280 dollars a year.' });
    expect(revised.articles).toEqual([{ id: 'annual-plan', title: 'Annual plan', body: 'The annual plan costs 280 dollars a year.' }]);
    expect(store.deleteArticle(created.id, 'annual-plan')).toMatchObject({ version: 5, articles: [] });
    expect(store.version(created.id, 1)?.fields.instructions).toBe('Offer the annual plan.');
    expect(store.version(created.id, 2)?.fields.instructions).toBe('Offer the monthly plan.');
    expect(store.version(created.id, 4)?.articles[0]?.body).toMatch(/280/);
    expect(edited.version).toBe(2);
  });

  it('imports Markdown articles, replacing one with the same title and naming new ones uniquely', () => {
    const { id } = store.defaultProfile();
    const result = store.importArticles(id, [
      { title: 'Late fees', body: 'No late fee in December.' },
      { title: 'Router reset!', body: 'Unplug it for a minute.' },
    ]);
    expect(result).toMatchObject({ added: 1, replaced: 1 });
    expect(result.profile.articles.map((a) => [a.id, a.title])).toEqual([
      ['late-fees', 'Late fees'],
      ['router-reset', 'Router reset'],
      ['router-reset-2', 'Router reset!'],
    ]);
  });

  it('refuses a second profile with the same name, and deleting the default', () => {
    store.save(undefined, sales());
    expect(() => store.save(undefined, sales({ name: 'sales' }))).toThrow(/A profile named "sales" already exists/);
    expect(() => store.delete(store.defaultProfile().id)).toThrow(/default profile cannot be deleted/);
  });

  it('duplicates with articles under a free name; a deleted profile leaves the list but not History', () => {
    const original = store.saveArticle(store.save(undefined, sales()).id, { title: 'Prices', body: 'Ten dollars.' });
    const copy = store.duplicate(original.id);
    expect(copy).toMatchObject({ version: 1, fields: { name: 'Sales (copy)' }, articles: original.articles });
    expect(store.duplicate(original.id).fields.name).toBe('Sales (copy 2)');
    store.delete(copy.id);
    expect(store.list().map((p) => p.name)).toEqual(['Sales', 'Sales (copy 2)']);
    expect(() => store.get(copy.id)).toThrow(/no AI profile/);
    expect(store.version(copy.id, 1)?.fields.name).toBe('Sales (copy)');
  });

  it('answers an inbound number with its profile, and with the default when none is set or it was deleted', () => {
    const profile = store.save(undefined, sales());
    store.assignNumber('+14155550100', profile.id);
    expect(store.forNumber('+14155550100').id).toBe(profile.id);
    expect(store.forNumber('+14155550101').isDefault).toBe(true);
    store.delete(profile.id);
    expect(store.numberProfiles().size).toBe(0);
    expect(store.forNumber('+14155550100').isDefault).toBe(true);
    expect(() => store.assignNumber('+14155550100', profile.id)).toThrow(/no AI profile/);
  });
});
