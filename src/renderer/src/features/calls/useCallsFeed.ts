/**
 * Owns the console's subscriptions: loads the live and recent call lists on every
 * (re)connect and feeds call events into the calls store.
 */
import { useEffect } from 'react';
import type { CallEvent } from '@shared/domain';
import { client } from '../../lib/client';
import { callerNumber, formatDuration } from '../../lib/format';
import { showDesktopNotification } from '../notifications/desktop-notifications';
import { playAlertSound } from '../alerts/alert-sounds';
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

/** A desktop notification, unless the agent is already looking at that call. */
function notifyTakeoverRequest(e: CallEvent): void {
  const { calls, selectedId } = useCallsStore.getState();
  const call = calls[e.callId];
  if (call && (call.controller !== 'ai' || call.status === 'ended')) return;
  if (selectedId === e.callId && document.hasFocus()) return;
  const reason = typeof e.data['reason'] === 'string' && e.data['reason'] ? e.data['reason'] : 'No reason given.';
  const who = call ? callerNumber(call) : 'A live call';
  showDesktopNotification({
    title: 'The AI asks for a person',
    body: `${who}: ${reason}`,
    tag: `takeover-request:${e.callId}`,
    callId: e.callId,
  });
}

/**
 * The wait for a person has grown long (the AI is offering the caller a choice): the request
 * escalates with a chime and a notification, even if the first one was missed.
 */
function escalateLongWait(e: CallEvent): void {
  const { calls, selectedId } = useCallsStore.getState();
  const call = calls[e.callId];
  if (!call || call.controller !== 'ai' || call.status === 'ended') return;
  playAlertSound('critical');
  if (selectedId === e.callId && document.hasFocus()) return;
  const waitedMs = typeof e.data['waitedMs'] === 'number' ? e.data['waitedMs'] : 0;
  showDesktopNotification({
    title: `A caller has waited ${formatDuration(waitedMs)} for a person`,
    body: `${callerNumber(call)}: the AI is offering a call back.`,
    tag: `takeover-request:${e.callId}`,
    callId: e.callId,
  });
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
      client.on('call.event', (e) => {
        store.addEvent(e);
        if (e.type === 'takeover_requested') notifyTakeoverRequest(e);
        if (e.type === 'waiting' && e.data['offer'] === true) escalateLongWait(e);
      }),
      client.on('call.suggestion', (s) => store.setSuggestion(s)),
      client.on('call.turn', (m) => store.upsertTurn(m)),
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
