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
import { Button, Spinner } from '../components/ui/Button';
import { EmptyState } from '../components/ui/EmptyState';
import { AlertIcon } from '../components/ui/icons';

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
  // Loads the call even when it is not in the lists (an older call opened from its URL). The
  // page itself says when that fails (CallUnavailable), so no toast on top.
  const { loading, error } = useCallDetail(selectedId, 0, { quiet: true });
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
  // While the AI has the call, Assist offers the agent's own moves: whisper a line to the AI, or take over.
  const aiHasIt = selected !== null && selected.status !== 'ended' && selected.controller === 'ai';
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
        ) : selectedId && error ? (
          // A malformed id (bad_request) is as absent as an unknown one.
          <CallUnavailable callId={selectedId} notFound={error.code === 'not_found' || error.code === 'bad_request'} detail={error.message} />
        ) : selectedId ? (
          <OpeningCall />
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
        onWhisper={aiHasIt ? actions.whisper : null}
        onTakeOver={aiHasIt ? actions.takeOver : null}
      />
    </div>
  );
}

/** The URL names a call this console cannot open (a mistyped link, or a call since deleted). */
function CallUnavailable({ callId, notFound, detail }: { callId: string; notFound: boolean; detail: string }) {
  return (
    <section aria-label="Call" className="flex min-w-0 flex-1 items-center justify-center" data-testid="call-unavailable">
      <EmptyState icon={<AlertIcon />} title={notFound ? 'This call is not here' : "Couldn't open this call"}>
        <p title={detail}>
          {notFound
            ? 'The link points to a call this console has no record of: it may have been removed, or the link was copied wrong.'
            : 'Switchboard did not answer with this call. It will try again when the connection comes back.'}
        </p>
        <p className="mt-1 font-mono text-[11px] break-all">{callId}</p>
        <Button variant="secondary" className="mt-4" onClick={() => navigate(routes.live(null), { replace: true })}>
          Back to live calls
        </Button>
      </EmptyState>
    </section>
  );
}

/** Between a reload (or a shared link) and the call's details arriving. */
function OpeningCall() {
  return (
    <section aria-label="Call" aria-busy className="flex min-w-0 flex-1 items-center justify-center gap-2 text-[12.5px] text-slate-400" data-testid="call-opening">
      <Spinner /> Opening the call…
    </section>
  );
}

/** The summary recorded with the latest take-over, if the call is with the agent now. */
/** The summary the core wrote when the agent took the call, and when (it is not kept up to date). */
function latestHandover(events: readonly CallEvent[]): { text: string; atMs: number } | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'handback') return null;
    if (event.type === 'takeover') return typeof event.data['summary'] === 'string' ? { text: event.data['summary'], atMs: event.atMs } : null;
  }
  return null;
}
