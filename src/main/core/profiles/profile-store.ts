/**
 * AI profiles in SQLite (issue 15; schema in migration 009). Every change (fields or an
 * article) writes a new version holding the whole profile, so a call that started with
 * version N keeps exactly what N was, and History can say which version a call ran with.
 *
 * The first start creates the default profile from today's greetings and the knowledge base
 * shipped in resources/knowledge-base: the console behaves as it did before profiles, and the
 * articles become editable.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  AiProfileFields,
  articleIdFor,
  DEFAULT_AI_PROFILE_FIELDS,
  KbArticle,
  MAX_ARTICLES,
  type AiProfile,
  type KbArticleInput,
} from '@shared/ai-profile';
import { z } from 'zod';
import { ApiError } from '../api/dispatcher';

/** What one version row holds. Parsed on read: a row written by a newer build with more fields still reads. */
const StoredProfile = z.object({ fields: AiProfileFields, articles: z.array(KbArticle) });

export interface ProfileSummaryRow {
  id: string;
  name: string;
  version: number;
  isDefault: boolean;
  updatedAt: number;
  articleCount: number;
}

export interface ProfileStore {
  list(): ProfileSummaryRow[];
  /** The current version; not_found for an unknown or deleted profile. */
  get(profileId: string): AiProfile;
  /** A version as it was (deleted profiles too, for History); null when there is no such version. */
  version(profileId: string, version: number): AiProfile | null;
  defaultProfile(): AiProfile;
  /** Creates (no id) or saves a new version. */
  save(profileId: string | undefined, fields: AiProfileFields): AiProfile;
  saveArticle(profileId: string, article: KbArticleInput): AiProfile;
  deleteArticle(profileId: string, articleId: string): AiProfile;
  importArticles(profileId: string, articles: readonly KbArticleInput[]): { profile: AiProfile; added: number; replaced: number };
  duplicate(profileId: string, name?: string): AiProfile;
  /** Marks it deleted (its versions stay for History). The caller checks it is unused. */
  delete(profileId: string): void;
  /** Inbound number -> profile id, for the numbers that have one. */
  numberProfiles(): Map<string, string>;
  assignNumber(phoneNumber: string, profileId: string | null): void;
  /** The profile that answers calls to `phoneNumber` (the default when none is assigned or it is gone). */
  forNumber(phoneNumber: string): AiProfile;
}

interface VersionRow {
  id: string;
  version: number;
  is_default: number;
  updated_at: number;
  profile: string;
}

export function createProfileStore(db: Database, options: { defaultArticles: () => readonly KbArticle[]; now?: () => number }): ProfileStore {
  const now = options.now ?? Date.now;
  const currentRow = db.prepare<[string], VersionRow>(
    /* sql */ `SELECT p.id, p.version, p.is_default, p.updated_at, v.profile FROM ai_profiles p
      JOIN ai_profile_versions v ON v.profile_id = p.id AND v.version = p.version
      WHERE p.id = ? AND p.deleted_at IS NULL`,
  );
  const versionRow = db.prepare<[string, number], VersionRow>(
    /* sql */ `SELECT p.id, v.version, p.is_default, v.created_at AS updated_at, v.profile FROM ai_profiles p
      JOIN ai_profile_versions v ON v.profile_id = p.id WHERE p.id = ? AND v.version = ?`,
  );
  const listRows = db.prepare<[], VersionRow>(
    /* sql */ `SELECT p.id, p.version, p.is_default, p.updated_at, v.profile FROM ai_profiles p
      JOIN ai_profile_versions v ON v.profile_id = p.id AND v.version = p.version
      WHERE p.deleted_at IS NULL ORDER BY p.is_default DESC, v.name COLLATE NOCASE, p.id`,
  );
  const defaultId = db.prepare<[], { id: string }>(`SELECT id FROM ai_profiles WHERE is_default = 1 AND deleted_at IS NULL LIMIT 1`);
  const nameTaken = db.prepare<[string, string], { id: string }>(
    /* sql */ `SELECT p.id FROM ai_profiles p JOIN ai_profile_versions v ON v.profile_id = p.id AND v.version = p.version
      WHERE p.deleted_at IS NULL AND v.name = ? COLLATE NOCASE AND p.id <> ? LIMIT 1`,
  );
  const insertProfile = db.prepare(`INSERT INTO ai_profiles (id, version, is_default, created_at, updated_at) VALUES (?, 1, ?, ?, ?)`);
  const insertVersion = db.prepare(`INSERT INTO ai_profile_versions (profile_id, version, name, profile, created_at) VALUES (?, ?, ?, ?, ?)`);
  const bumpVersion = db.prepare(`UPDATE ai_profiles SET version = ?, updated_at = ? WHERE id = ?`);
  const markDeleted = db.prepare(`UPDATE ai_profiles SET deleted_at = ? WHERE id = ?`);
  const numberRows = db.prepare<[], { phone_number: string; profile_id: string }>(`SELECT phone_number, profile_id FROM inbound_number_profiles`);
  const numberRow = db.prepare<[string], { profile_id: string }>(`SELECT profile_id FROM inbound_number_profiles WHERE phone_number = ?`);
  const setNumber = db.prepare(`INSERT INTO inbound_number_profiles (phone_number, profile_id) VALUES (?, ?) ON CONFLICT (phone_number) DO UPDATE SET profile_id = excluded.profile_id`);
  const clearNumber = db.prepare(`DELETE FROM inbound_number_profiles WHERE phone_number = ?`);
  const clearNumbersOf = db.prepare(`DELETE FROM inbound_number_profiles WHERE profile_id = ?`);

  const toProfile = (row: VersionRow): AiProfile => {
    const stored = StoredProfile.parse(JSON.parse(row.profile));
    return { id: row.id, version: row.version, isDefault: row.is_default === 1, updatedAt: row.updated_at, ...stored };
  };

  const get = (profileId: string): AiProfile => {
    const row = currentRow.get(profileId);
    if (!row) throw new ApiError('not_found', `no AI profile ${profileId}`);
    return toProfile(row);
  };

  const checkName = (name: string, profileId: string) => {
    if (nameTaken.get(name, profileId)) throw new ApiError('conflict', `A profile named "${name}" already exists: choose another name`);
  };

  /** Writes the next version of a profile (a transaction: the version row and the pointer together). */
  const writeVersion = db.transaction((profileId: string, version: number, fields: AiProfileFields, articles: readonly KbArticle[]) => {
    const at = now();
    insertVersion.run(profileId, version, fields.name, JSON.stringify({ fields, articles }), at);
    bumpVersion.run(version, at, profileId);
  });

  const create = db.transaction((fields: AiProfileFields, articles: readonly KbArticle[], isDefault: boolean): string => {
    checkName(fields.name, '');
    const id = randomUUID();
    const at = now();
    insertProfile.run(id, isDefault ? 1 : 0, at, at);
    insertVersion.run(id, 1, fields.name, JSON.stringify({ fields, articles }), at);
    return id;
  });

  const change = (profileId: string, edit: (current: AiProfile) => { fields: AiProfileFields; articles: readonly KbArticle[] }): AiProfile => {
    const current = get(profileId);
    const next = edit(current);
    if (next.articles.length > MAX_ARTICLES) throw new ApiError('bad_request', `A profile holds at most ${MAX_ARTICLES} articles`);
    checkName(next.fields.name, profileId);
    writeVersion(profileId, current.version + 1, next.fields, next.articles);
    return get(profileId);
  };

  /** A fresh id for a new article: from its title, made unique among the others. */
  const newArticleId = (title: string, taken: ReadonlySet<string>): string => {
    const base = articleIdFor(title);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    return id;
  };

  const store: ProfileStore = {
    list: () =>
      listRows.all().map((row) => {
        const p = toProfile(row);
        return { id: p.id, name: p.fields.name, version: p.version, isDefault: p.isDefault, updatedAt: p.updatedAt, articleCount: p.articles.length };
      }),
    get,
    version(profileId, version) {
      const row = versionRow.get(profileId, version);
      return row ? toProfile(row) : null;
    },
    defaultProfile() {
      const row = defaultId.get();
      if (row) return get(row.id);
      const id = create(DEFAULT_AI_PROFILE_FIELDS, options.defaultArticles(), true);
      return get(id);
    },
    save(profileId, fields) {
      if (profileId === undefined) return get(create(fields, [], false));
      return change(profileId, (current) => ({ fields, articles: current.articles }));
    },
    saveArticle(profileId, article) {
      return change(profileId, (current) => {
        const existing = article.id === undefined ? -1 : current.articles.findIndex((a) => a.id === article.id);
        // An edited article keeps its place in the list; a new one goes last.
        if (existing >= 0) {
          const articles = current.articles.map((a, i) => (i === existing ? { id: a.id, title: article.title, body: article.body } : a));
          return { fields: current.fields, articles };
        }
        const taken = new Set(current.articles.map((a) => a.id));
        const id = article.id ?? newArticleId(article.title, taken);
        return { fields: current.fields, articles: [...current.articles, { id, title: article.title, body: article.body }] };
      });
    },
    deleteArticle(profileId, articleId) {
      return change(profileId, (current) => {
        if (!current.articles.some((a) => a.id === articleId)) throw new ApiError('not_found', `no article ${articleId} in this profile`);
        return { fields: current.fields, articles: current.articles.filter((a) => a.id !== articleId) };
      });
    },
    importArticles(profileId, imported) {
      let added = 0;
      let replaced = 0;
      const profile = change(profileId, (current) => {
        const articles = [...current.articles];
        for (const article of imported) {
          // An article with the same title is the same article, revised.
          const at = articles.findIndex((a) => a.title.toLowerCase() === article.title.toLowerCase());
          if (at >= 0) {
            articles[at] = { id: articles[at]!.id, title: article.title, body: article.body };
            replaced++;
          } else {
            articles.push({ id: newArticleId(article.title, new Set(articles.map((a) => a.id))), title: article.title, body: article.body });
            added++;
          }
        }
        return { fields: current.fields, articles };
      });
      return { profile, added, replaced };
    },
    duplicate(profileId, name) {
      const source = get(profileId);
      let copyName = name ?? `${source.fields.name} (copy)`.slice(0, 60);
      if (name === undefined) for (let n = 2; nameTaken.get(copyName, ''); n++) copyName = `${source.fields.name} (copy ${n})`.slice(0, 60);
      return get(create({ ...source.fields, name: copyName }, source.articles, false));
    },
    delete(profileId) {
      const profile = get(profileId);
      if (profile.isDefault) throw new ApiError('conflict', 'The default profile cannot be deleted: calls with no other profile use it');
      db.transaction(() => {
        markDeleted.run(now(), profileId);
        clearNumbersOf.run(profileId);
      })();
    },
    numberProfiles: () => new Map(numberRows.all().map((r) => [r.phone_number, r.profile_id])),
    assignNumber(phoneNumber, profileId) {
      if (profileId === null) {
        clearNumber.run(phoneNumber);
        return;
      }
      get(profileId); // not_found for an unknown or deleted profile
      setNumber.run(phoneNumber, profileId);
    },
    forNumber(phoneNumber) {
      const assigned = numberRow.get(phoneNumber);
      const row = assigned ? currentRow.get(assigned.profile_id) : undefined;
      return row ? toProfile(row) : store.defaultProfile();
    },
  };
  return store;
}
