/**
 * Owns the console's subscriptions: loads the live and recent call lists on every
 * (re)connect and feeds call events into the calls store.
 */
import { useEffect } from 'react';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { useConnectEpoch } from '../connection/useConnection';
import { useCallsStore } from './store';

const RECENT_LIMIT = 50;

async function loadLists(): Promise<void> {
  const { upsertCalls, setListsLoaded } = useCallsStore.getState();
  const [live, ended] = await Promise.all([
    client.invoke('calls.list', { scope: 'live', limit: 100 }),
    client.invoke('calls.list', { scope: 'ended', limit: RECENT_LIMIT }),
  ]);
  upsertCalls([...ended, ...live]);
  setListsLoaded();
}

export function useCallsFeed(): void {
  const epoch = useConnectEpoch();

  useEffect(() => {
    const store = useCallsStore.getState();
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const offs = [
      client.on('call.updated', (call) => {
        store.upsertCalls([call]);
        if (call.status === 'ended') {
          // Recent calls come from the store at once; a quiet re-list keeps the window honest.
          clearTimeout(refreshTimer);
          refreshTimer = setTimeout(() => {
            client
              .invoke('calls.list', { scope: 'ended', limit: RECENT_LIMIT })
              .then((list) => useCallsStore.getState().upsertCalls(list))
              .catch(() => {});
          }, 800);
        }
      }),
      client.on('call.transcript', (u) => store.upsertUtterance(u)),
      client.on('call.event', (e) => store.addEvent(e)),
      client.on('call.suggestion', (s) => store.setSuggestion(s)),
    ];
    return () => {
      clearTimeout(refreshTimer);
      for (const off of offs) off();
    };
  }, []);

  useEffect(() => {
    if (epoch < 0) return;
    loadLists().catch((err: unknown) => {
      useCallsStore.getState().setListsLoaded();
      reportError("Couldn't load calls", err);
    });
  }, [epoch]);
}
