/**
 * Try it (profiles.try): the agent types as the caller and sees the AI's reply with the saved
 * profile, the engines a new call would use, nothing spoken, dialled or stored. The greeting
 * comes first (asked for with an empty conversation); each line sends the conversation so far.
 * The session lives in the profiles store, so it outlasts a tab switch.
 */
import { useCallback, useEffect } from 'react';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { useProfilesStore } from './store';
import { MAX_TRY_TURNS, messagesOf, type TrySession } from './try-session';

export interface TryIt {
  session: TrySession;
  busy: boolean;
  full: boolean;
  /** Resolves false when the line was not answered (the text should go back into the box). */
  send(text: string): Promise<boolean>;
  reset(direction?: TrySession['direction']): void;
}

let nextSessionId = 1;
const fresh = (direction: TrySession['direction']): TrySession => ({ id: nextSessionId++, direction, greeting: null, version: null, turns: [], error: null });
/** What shows before the first session of a profile is made. */
const NONE: TrySession = { id: 0, direction: 'inbound', greeting: null, version: null, turns: [], error: null };
const message = (err: unknown) => (err instanceof Error ? err.message : 'The AI did not answer');

export function useTryIt(profileId: string): TryIt {
  const epoch = useConnectEpoch();
  const stored = useProfilesStore((s) => s.tries[profileId]);
  const session = stored ?? NONE;
  const busy = session.turns.at(-1)?.reply === null;

  const current = useCallback(() => useProfilesStore.getState().tries[profileId], [profileId]);
  const put = useCallback(
    (id: number, change: (s: TrySession) => TrySession) => {
      const now = current();
      if (now && now.id === id) useProfilesStore.getState().setTry(profileId, change(now));
    },
    [current, profileId],
  );

  // The greeting: asked for when a conversation starts (and again after a reconnect if it never came).
  const needsGreeting = stored === undefined || (stored.greeting === null && stored.turns.length === 0 && stored.error === null);
  // Keyed by the session, so a Reset while the greeting was on its way asks again.
  const greetFor = needsGreeting ? (stored?.id ?? 0) : -1;
  useEffect(() => {
    if (epoch < 0 || greetFor < 0) return;
    const start = current();
    if (!start) {
      // The session first; this runs again for it (keyed by its id) and asks then.
      useProfilesStore.getState().setTry(profileId, fresh('inbound'));
      return;
    }
    client.invoke('profiles.try', { profileId, direction: start.direction, messages: [] }).then(
      (r) => put(start.id, (s) => ({ ...s, greeting: r.greeting, version: r.version })),
      (err: unknown) => put(start.id, (s) => ({ ...s, error: message(err) })),
    );
  }, [epoch, greetFor, profileId, current, put]);

  const send = useCallback(
    async (text: string) => {
      const now = current();
      const line = text.trim();
      if (!now || line === '' || now.turns.at(-1)?.reply === null || now.turns.length >= MAX_TRY_TURNS) return false;
      const messages = [...messagesOf(now.turns), { role: 'caller' as const, text: line }];
      useProfilesStore.getState().setTry(profileId, { ...now, error: null, turns: [...now.turns, { caller: line, reply: null }] });
      try {
        const r = await client.invoke('profiles.try', { profileId, direction: now.direction, messages });
        const { greeting, ...reply } = r;
        put(now.id, (s) => ({ ...s, greeting: s.greeting ?? greeting, version: s.version ?? r.version, turns: s.turns.map((t, i) => (i === s.turns.length - 1 ? { ...t, reply } : t)) }));
        return true;
      } catch (err) {
        // The line comes off the conversation and goes back into the box, with the reason.
        put(now.id, (s) => ({ ...s, error: message(err), turns: s.turns.slice(0, -1) }));
        return false;
      }
    },
    [current, profileId, put],
  );

  const reset = useCallback(
    (direction?: TrySession['direction']) => {
      useProfilesStore.getState().setTry(profileId, fresh(direction ?? current()?.direction ?? 'inbound'));
    },
    [current, profileId],
  );

  return { session, busy, full: session.turns.length >= MAX_TRY_TURNS, send, reset };
}
