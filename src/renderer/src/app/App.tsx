/**
 * The console page: wires the feature hooks (which own data and subscriptions) to the
 * feature components (which take props).
 */
import { useCallback, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { CallEvent } from '@shared/domain';
import { AssistPanel } from '../features/assist/AssistPanel';
import { CallSidebar } from '../features/calls/CallList';
import { selectEvents, selectTranscript, selectTurns, useCallsStore } from '../features/calls/store';
import { useCallsFeed } from '../features/calls/useCallsFeed';
import { useTakeoverRequests } from '../features/calls/useTakeoverRequests';
import { useNow } from '../features/calls/useNow';
import { CallView, NoCallSelected } from '../features/call-view/CallView';
import { buildTimeline } from '../features/call-view/timeline';
import { useCallActions } from '../features/call-view/useCallActions';
import { useCallDetail } from '../features/call-view/useCallDetail';
import { AuthRequired } from '../features/connection/AuthRequired';
import { useConnection } from '../features/connection/useConnection';
import { useNotificationAccess } from '../features/notifications/desktop-notifications';
import { Toaster } from '../features/toasts/Toaster';
import { useToasts } from '../features/toasts/store';
import { TopBar } from '../features/topbar/TopBar';
import { useAppInfo, useStartDemo } from '../features/topbar/useAppInfo';

export function App() {
  const connection = useConnection();
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);

  if (connection === 'no-token' || connection === 'unauthorized') {
    return <AuthRequired reason={connection} />;
  }
  return (
    <>
      <Console connection={connection} />
      <Toaster toasts={toasts} onDismiss={dismiss} />
    </>
  );
}

function Console({ connection }: { connection: 'connecting' | 'connected' | 'lost' }) {
  useCallsFeed();
  const { info, scenarios } = useAppInfo();
  const demo = useStartDemo();

  const { calls, listsLoaded, selectedId, select } = useCallsStore(
    useShallow((s) => ({ calls: s.calls, listsLoaded: s.listsLoaded, selectedId: s.selectedId, select: s.select })),
  );
  const { live, recent } = useMemo(() => {
    const all = Object.values(calls);
    return {
      live: all.filter((c) => c.status !== 'ended').sort((a, b) => b.startedAt - a.startedAt),
      recent: all
        .filter((c) => c.status === 'ended')
        .sort((a, b) => (b.endedAt ?? b.startedAt) - (a.endedAt ?? a.startedAt)),
    };
  }, [calls]);
  const now = useNow(1000, live.length > 0);
  const takeoverRequests = useTakeoverRequests(live);
  const notifications = useNotificationAccess();

  const selected = selectedId ? (calls[selectedId] ?? null) : null;
  const { loading } = useCallDetail(selected?.id ?? null);
  const lines = useCallsStore(selectTranscript(selectedId));
  const events = useCallsStore(selectEvents(selectedId));
  const suggestion = useCallsStore((s) => (selectedId ? (s.suggestions[selectedId] ?? null) : null));
  const turns = useCallsStore(selectTurns(selectedId));
  const draft = useCallsStore((s) => (selectedId ? (s.drafts[selectedId] ?? '') : ''));
  const ended = selected?.status === 'ended';
  // Interim lines never finalised before the call ended are not part of its record.
  const items = useMemo(
    () => buildTimeline(ended ? lines.filter((l) => l.final) : lines, events),
    [lines, events, ended],
  );
  const callerScores = useMemo(
    () => lines.filter((l) => l.speaker === 'caller' && l.final && l.sentiment).map((l) => l.sentiment!.score),
    [lines],
  );
  const actions = useCallActions(selected?.id ?? null);

  const setDraft = useCallback(
    (text: string) => {
      if (selectedId) useCallsStore.getState().setDraft(selectedId, text);
    },
    [selectedId],
  );
  const useReply = useCallback(
    (text: string) => {
      setDraft(text);
      // Put the agent in the composer, cursor at the end, ready to edit or press Enter.
      requestAnimationFrame(() => {
        const el = document.getElementById('composer');
        if (el instanceof HTMLTextAreaElement) {
          el.focus();
          el.setSelectionRange(el.value.length, el.value.length);
        }
      });
    },
    [setDraft],
  );
  const canUseReply = selected !== null && selected.status !== 'ended' && selected.controller === 'agent';
  const startDefaultDemo = useCallback(() => demo.start(scenarios[0]?.id), [demo, scenarios]);

  return (
    <div className="flex h-full flex-col overflow-hidden">
      <TopBar
        info={info}
        scenarios={scenarios}
        connection={connection}
        starting={demo.starting}
        onStartDemo={demo.start}
      />
      {connection === 'lost' ? (
        <div
          data-testid="connection-banner"
          className="flex h-7 shrink-0 items-center justify-center gap-2 border-b border-rose-500/20 bg-rose-500/[0.07] text-[12px] text-rose-200"
        >
          <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-rose-400" />
          Lost the connection to Switchboard. Live updates are paused while it reconnects.
        </div>
      ) : null}
      <div className="grid min-h-0 flex-1 grid-cols-[296px_minmax(0,1fr)_336px]">
        <CallSidebar
          live={live}
          recent={recent}
          loaded={listsLoaded}
          selectedId={selectedId}
          now={now}
          onSelect={select}
          takeoverRequests={takeoverRequests}
        />
        <main className="flex min-h-0 min-w-0 flex-col bg-slate-900/30">
          {selected ? (
            <CallView
              key={selected.id}
              call={selected}
              items={items}
              loading={loading}
              now={now}
              actions={actions}
              draft={draft}
              onDraftChange={setDraft}
              takeoverRequest={takeoverRequests[selected.id] ?? null}
              notifications={notifications.access}
              onEnableNotifications={notifications.request}
            />
          ) : (
            <NoCallSelected
              hasLive={live.length > 0}
              canStart={connection === 'connected' && !demo.starting}
              onStartDemo={startDefaultDemo}
            />
          )}
        </main>
        <AssistPanel
          call={selected}
          suggestion={suggestion}
          callerScores={callerScores}
          turns={turns}
          handover={selected?.controller === 'agent' && selected.status !== 'ended' ? latestHandover(events) : null}
          onUseReply={canUseReply ? useReply : null}
        />
      </div>
    </div>
  );
}

/** The summary recorded with the latest take-over, if the call is with the agent now. */
function latestHandover(events: readonly CallEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'handback') return null;
    if (event.type === 'takeover') return typeof event.data['summary'] === 'string' ? event.data['summary'] : null;
  }
  return null;
}
