/**
 * AI profiles across the console (issue 15): the list (names, versions, what uses each) that
 * Settings, the number and New AI call selects, History's filter and its chips all read, and
 * the agent's unsaved edits and Try it conversations, kept here so that switching profile,
 * tab, or closing Settings loses nothing typed.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { AiProfileListItem } from '@shared/ai-profile';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import type { ProfileDraft } from './draft';
import type { TrySession } from './try-session';

interface ProfilesState {
  /** Null until the first profiles.list answered. */
  list: AiProfileListItem[] | null;
  loadError: string | null;
  /** Unsaved edits by profile id (NEW_PROFILE for one not created yet). */
  drafts: Record<string, ProfileDraft>;
  /** Try it conversations by profile id. */
  tries: Record<string, TrySession>;
  setList(list: AiProfileListItem[]): void;
  setDraft(id: string, draft: ProfileDraft | null): void;
  setTry(id: string, session: TrySession | null): void;
}

/** The id a profile being created has until the core gives it one. */
export const NEW_PROFILE = '__new__';

function without<T>(map: Record<string, T>, key: string): Record<string, T> {
  if (!(key in map)) return map;
  const next = { ...map };
  delete next[key];
  return next;
}

export const useProfilesStore = create<ProfilesState>()((set) => ({
  list: null,
  loadError: null,
  drafts: {},
  tries: {},
  setList: (list) => set({ list, loadError: null }),
  setDraft: (id, draft) => set((s) => ({ drafts: draft === null ? without(s.drafts, id) : { ...s.drafts, [id]: draft } })),
  setTry: (id, session) => set((s) => ({ tries: session === null ? without(s.tries, id) : { ...s.tries, [id]: session } })),
}));

let inFlight: Promise<AiProfileListItem[]> | null = null;
/** The connection the list was last loaded on: a reconnect loads it again. */
let loadedEpoch = -1;

/** Loads the list (one request at a time, however many views ask). */
export function refreshProfiles(): Promise<AiProfileListItem[]> {
  inFlight ??= client
    .invoke('profiles.list')
    .then(
      (list) => {
        useProfilesStore.getState().setList(list);
        return list;
      },
      (err: unknown) => {
        useProfilesStore.setState({ loadError: err instanceof Error ? err.message : "Couldn't load the AI profiles" });
        throw err;
      },
    )
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

/**
 * The profiles list, loaded on every (re)connect by whoever shows it. `refresh`: load again
 * when the view mounts (Settings wants live-call counts as they are now).
 */
export function useProfileList(options: { refresh?: boolean } = {}): { list: AiProfileListItem[] | null; loadError: string | null } {
  const epoch = useConnectEpoch();
  const list = useProfilesStore((s) => s.list);
  const loadError = useProfilesStore((s) => s.loadError);
  const refresh = options.refresh === true;
  useEffect(() => {
    if (epoch < 0) return;
    if (!refresh && loadedEpoch === epoch) return;
    loadedEpoch = epoch;
    // A failure shows where the list is shown (loadError); nothing more to do here.
    refreshProfiles().catch(() => {});
  }, [epoch, refresh]);
  return { list, loadError };
}

/** The profile that answers calls to `number`: the one it is assigned to, else the default. */
export function profileForNumber(list: readonly AiProfileListItem[], number: string): AiProfileListItem | undefined {
  return list.find((p) => p.numbers.includes(number)) ?? list.find((p) => p.isDefault);
}
