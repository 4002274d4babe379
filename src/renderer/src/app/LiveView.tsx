/**
 * Live: the console an agent works in (calls on the left, the open call, Assist on the
 * right). The open call is in the URL (`#/live/<callId>`, see useSelectionInUrl).
 */
import { useCallback, useMemo } from 'react';
import type { CallEvent, CallSummary } from '@shared/domain';
import { AssistPanel } from '../features/assist/AssistPanel';
import { CallSidebar } from '../features/calls/CallList';
import { selectEvents, selectTranscript, selectTurns, useCallsStore, type TakeoverRequest } from '../features/calls/store';
import { CallView, NoCallSelected } from '../features/call-view/CallView';
import { buildTimeline } from '../features/call-view/timeline';
import { useCallActions } from '../features/call-view/useCallActions';
import { useCallDetail } from '../features/call-view/useCallDetail';
import { useNotificationAccess } from '../features/notifications/desktop-notifications';
import { navigate, routes } from '../lib/router';

export function LiveView({
  live,
  recent,
  now,
  takeoverRequests,
  canStartDemo,
  onStartDemo,
}: {
  live: CallSummary[];
  recent: CallSummary[];
  now: number;
  takeoverRequests: Record<string, TakeoverRequest>;
  canStartDemo: boolean;
  onStartDemo: () => void;
}) {
  const notifications = useNotificationAccess();
  const listsLoaded = useCallsStore((s) => s.listsLoaded);
  const selectedId = useCallsStore((s) => s.selectedId);
  const calls = useCallsStore((s) => s.calls);
  const selected = selectedId ? (calls[selectedId] ?? null) : null;
  // Loads the call even when it is not in the lists (an older call opened from its URL).
  const { loading } = useCallDetail(selectedId);
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
  // While the AI has the call, a suggested reply goes straight to it instead (no take-over needed).
  const aiHasIt = selected !== null && selected.status !== 'ended' && selected.controller === 'ai';
  const { aiSay } = actions;
  const aiSaySuggestion = useCallback((text: string) => aiSay(text, 'suggestion'), [aiSay]);
  const select = useCallback((id: string) => navigate(routes.live(id)), []);

  return (
    <div className="grid min-h-0 flex-1 grid-cols-[296px_minmax(0,1fr)_336px]" data-testid="live-view">
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
          <NoCallSelected hasLive={live.length > 0} canStart={canStartDemo} onStartDemo={onStartDemo} />
        )}
      </main>
      <AssistPanel
        call={selected}
        suggestion={suggestion}
        callerScores={callerScores}
        turns={turns}
        handover={selected?.controller === 'agent' && selected.status !== 'ended' ? latestHandover(events) : null}
        onUseReply={canUseReply ? useReply : null}
        onAiSay={aiHasIt ? aiSaySuggestion : null}
      />
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
