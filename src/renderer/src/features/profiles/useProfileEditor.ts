/**
 * Settings → AI profiles: the list, the selected profile as stored (profiles.get), the agent's
 * draft of its fields (kept in the profiles store until saved or discarded), and every command
 * that changes a profile. Each save, article change or import is a new version; the core's
 * refusals come back in its words.
 */
import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_AI_PROFILE_FIELDS, type AiProfile, type AiProfileListItem, type KbArticleInput } from '@shared/ai-profile';
import type { CommandOutput } from '@shared/contract';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { draftOf, draftProblems, fieldsOf, sameFields, type DraftProblems, type ProfileDraft } from './draft';
import { NEW_PROFILE, refreshProfiles, useProfileList, useProfilesStore } from './store';

export type ImportResult = Omit<CommandOutput<'profiles.importArticles'>, 'profile'>;

export interface ProfileEditor {
  list: AiProfileListItem[] | null;
  loadError: string | null;
  selectedId: string | null;
  select(id: string): void;
  /** The selected profile as stored; null while it loads, and for a new one. */
  profile: AiProfile | null;
  profileError: string | null;
  draft: ProfileDraft | null;
  problems: DraftProblems;
  dirty: boolean;
  /** Ids with unsaved edits (the list marks them). */
  unsaved: ReadonlySet<string>;
  edit(change: (draft: ProfileDraft) => ProfileDraft): void;
  discard(): void;
  saving: boolean;
  saveError: string | null;
  /** Resolves true when the core stored it. */
  save(): Promise<boolean>;
  create(): void;
  busy: 'duplicate' | 'delete' | null;
  duplicate(): Promise<void>;
  /** The core's refusal of the last delete of the selected profile. */
  deleteError: string | null;
  remove(): Promise<boolean>;
  /** Each resolves to the core's refusal, or null when it was done. */
  saveArticle(article: KbArticleInput): Promise<string | null>;
  deleteArticle(articleId: string): Promise<string | null>;
  importArticles(files: { name: string; text: string }[]): Promise<ImportResult | string>;
}

const message = (err: unknown, fallback: string) => (err instanceof Error ? err.message : fallback);

export function useProfileEditor(): ProfileEditor {
  const epoch = useConnectEpoch();
  const { list, loadError } = useProfileList({ refresh: true });
  const drafts = useProfilesStore((s) => s.drafts);
  const setStoredDraft = useProfilesStore((s) => s.setDraft);
  const [chosenId, setChosenId] = useState<string | null>(() => (NEW_PROFILE in useProfilesStore.getState().drafts ? NEW_PROFILE : null));
  const [profiles, setProfiles] = useState<Record<string, AiProfile>>({});
  const [profileErrors, setProfileErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [saveErrors, setSaveErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<ProfileEditor['busy']>(null);
  const [deleteErrors, setDeleteErrors] = useState<Record<string, string>>({});

  // The selection: what the agent chose while it exists, else the first profile.
  const selectedId =
    chosenId === NEW_PROFILE && drafts[NEW_PROFILE] ? NEW_PROFILE : chosenId && list?.some((p) => p.id === chosenId) ? chosenId : (list?.[0]?.id ?? null);
  const listed = list?.find((p) => p.id === selectedId);
  const cached = selectedId ? profiles[selectedId] : undefined;
  // Stored again when the list says a newer version exists (saved elsewhere, e.g. another console).
  const stale = listed !== undefined && (cached === undefined || cached.version < listed.version);

  const remember = useCallback((p: AiProfile) => setProfiles((all) => ({ ...all, [p.id]: p })), []);

  // What uses each profile changes as calls start and end and campaigns run or finish: the
  // list (and so whether Delete can work) follows, a second after the change.
  useEffect(() => {
    const seen = new Map<string, string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const changed = (key: string, state: string) => {
      if (seen.get(key) === state) return;
      seen.set(key, state);
      timer ??= setTimeout(() => {
        timer = null;
        refreshProfiles().catch(() => {});
      }, 1000);
    };
    const offCalls = client.on('call.updated', (c) => changed(`call:${c.id}`, c.status === 'ended' ? 'ended' : 'live'));
    const offCampaigns = client.on('campaign.updated', (c) => changed(`campaign:${c.id}`, c.state));
    return () => {
      offCalls();
      offCampaigns();
      if (timer) clearTimeout(timer);
    };
  }, []);

  useEffect(() => {
    if (epoch < 0 || !selectedId || selectedId === NEW_PROFILE || !stale) return;
    let cancelled = false;
    client.invoke('profiles.get', { profileId: selectedId }).then(
      (p) => {
        if (cancelled) return;
        remember(p);
        setProfileErrors((e) => ({ ...e, [selectedId]: '' }));
      },
      (err: unknown) => !cancelled && setProfileErrors((e) => ({ ...e, [selectedId]: message(err, "Couldn't load the profile") })),
    );
    return () => {
      cancelled = true;
    };
  }, [epoch, selectedId, stale, remember]);

  const profile = selectedId === NEW_PROFILE ? null : (cached ?? null);
  const saved = selectedId === NEW_PROFILE ? null : profile;
  const draft = selectedId ? (drafts[selectedId] ?? (saved ? draftOf(saved.fields) : null)) : null;
  const problems = draft ? draftProblems(draft) : {};
  const dirty = selectedId === NEW_PROFILE ? true : draft !== null && saved !== null && !sameFields(draft, saved.fields);
  const unsaved = new Set(Object.keys(drafts).filter((id) => id === NEW_PROFILE || (profiles[id] ? !sameFields(drafts[id]!, profiles[id].fields) : true)));

  const edit = useCallback(
    (change: (d: ProfileDraft) => ProfileDraft) => {
      if (!selectedId || !draft) return;
      setStoredDraft(selectedId, change(draft));
    },
    [selectedId, draft, setStoredDraft],
  );

  const discard = useCallback(() => {
    if (!selectedId) return;
    setStoredDraft(selectedId, null);
    setSaveErrors((e) => ({ ...e, [selectedId]: '' }));
    if (selectedId === NEW_PROFILE) setChosenId(null);
  }, [selectedId, setStoredDraft]);

  const save = useCallback(async () => {
    if (!selectedId || !draft || Object.keys(draftProblems(draft)).length > 0) return false;
    const id = selectedId;
    setSaving(true);
    try {
      const p = await client.invoke('profiles.save', { ...(id === NEW_PROFILE ? {} : { profileId: id }), fields: fieldsOf(draft) });
      remember(p);
      setStoredDraft(id, null);
      setSaveErrors((e) => ({ ...e, [id]: '' }));
      await refreshProfiles().catch(() => {});
      if (id === NEW_PROFILE) setChosenId(p.id);
      return true;
    } catch (err) {
      setSaveErrors((e) => ({ ...e, [id]: message(err, "Couldn't save the profile") }));
      return false;
    } finally {
      setSaving(false);
    }
  }, [selectedId, draft, remember, setStoredDraft]);

  const create = useCallback(() => {
    if (!useProfilesStore.getState().drafts[NEW_PROFILE]) setStoredDraft(NEW_PROFILE, draftOf({ ...DEFAULT_AI_PROFILE_FIELDS, name: '' }));
    setChosenId(NEW_PROFILE);
  }, [setStoredDraft]);

  const duplicate = useCallback(async () => {
    if (!selectedId || selectedId === NEW_PROFILE) return;
    setBusy('duplicate');
    try {
      const copy = await client.invoke('profiles.duplicate', { profileId: selectedId });
      remember(copy);
      await refreshProfiles().catch(() => {});
      setChosenId(copy.id);
    } catch (err) {
      setDeleteErrors((e) => ({ ...e, [selectedId]: message(err, "Couldn't duplicate the profile") }));
    } finally {
      setBusy(null);
    }
  }, [selectedId, remember]);

  const remove = useCallback(async () => {
    if (!selectedId || selectedId === NEW_PROFILE) return false;
    const id = selectedId;
    setBusy('delete');
    try {
      await client.invoke('profiles.delete', { profileId: id });
      setStoredDraft(id, null);
      useProfilesStore.getState().setTry(id, null);
      setDeleteErrors((e) => ({ ...e, [id]: '' }));
      const next = await refreshProfiles().catch(() => null);
      const at = list?.findIndex((p) => p.id === id) ?? -1;
      setChosenId(next ? (next[Math.min(Math.max(at, 0), next.length - 1)]?.id ?? null) : null);
      return true;
    } catch (err) {
      setDeleteErrors((e) => ({ ...e, [id]: message(err, "Couldn't delete the profile") }));
      // What uses it may have changed: show the list as it is now.
      void refreshProfiles().catch(() => {});
      return false;
    } finally {
      setBusy(null);
    }
  }, [selectedId, list, setStoredDraft]);

  /** A knowledge-base command: keeps the new version, refreshes the list's counts. */
  const articleCommand = useCallback(
    async (run: (profileId: string) => Promise<AiProfile>, fallback: string): Promise<string | null> => {
      if (!selectedId || selectedId === NEW_PROFILE) return 'Save the profile first.';
      try {
        remember(await run(selectedId));
        void refreshProfiles().catch(() => {});
        return null;
      } catch (err) {
        return message(err, fallback);
      }
    },
    [selectedId, remember],
  );

  const saveArticle = useCallback(
    (article: KbArticleInput) => articleCommand((profileId) => client.invoke('profiles.saveArticle', { profileId, article }), "Couldn't save the article"),
    [articleCommand],
  );
  const deleteArticle = useCallback(
    (articleId: string) => articleCommand((profileId) => client.invoke('profiles.deleteArticle', { profileId, articleId }), "Couldn't delete the article"),
    [articleCommand],
  );

  const importArticles = useCallback(
    async (files: { name: string; text: string }[]): Promise<ImportResult | string> => {
      if (!selectedId || selectedId === NEW_PROFILE) return 'Save the profile first.';
      try {
        const { profile: p, ...result } = await client.invoke('profiles.importArticles', { profileId: selectedId, files });
        remember(p);
        void refreshProfiles().catch(() => {});
        return result;
      } catch (err) {
        return message(err, "Couldn't import the files");
      }
    },
    [selectedId, remember],
  );

  return {
    list,
    loadError,
    selectedId,
    select: setChosenId,
    profile,
    profileError: (selectedId && profileErrors[selectedId]) || null,
    draft,
    problems,
    dirty,
    unsaved,
    edit,
    discard,
    saving,
    saveError: (selectedId && saveErrors[selectedId]) || null,
    save,
    create,
    busy,
    duplicate,
    deleteError: (selectedId && deleteErrors[selectedId]) || null,
    remove,
    saveArticle,
    deleteArticle,
    importArticles,
  };
}
