/**
 * Shortcuts that work from every view: move between live calls in the list's order, switch
 * views, jump to search. (Shortcuts on the open call live with the call view's actions.)
 */
import { useCallback } from 'react';
import type { CallSummary } from '@shared/domain';
import { currentPath, navigate, routes } from '../../lib/router';
import { useCallsStore } from '../calls/store';
import { needsAttention, orderLiveCalls } from '@shared/attention';
import { useToasts } from '../toasts/store';
import { useShortcut } from './shortcuts';

export function useConsoleShortcuts(live: readonly CallSummary[], waitingIds: Readonly<Record<string, unknown>>): void {
  const step = useCallback(
    (by: 1 | -1) => {
      const ordered = orderLiveCalls(live, waitingIds);
      if (ordered.length === 0) return;
      const at = ordered.findIndex((c) => c.id === useCallsStore.getState().selectedId);
      // From no open call, J opens the first call and K the last.
      const next = at === -1 ? (by === 1 ? 0 : ordered.length - 1) : (at + by + ordered.length) % ordered.length;
      useCallsStore.getState().select(ordered[next]!.id);
    },
    [live, waitingIds],
  );
  const nextNeedingYou = useCallback(() => {
    const isWaiting = (id: string) => id in waitingIds;
    const needing = orderLiveCalls(live, waitingIds).filter((c) => needsAttention(c, isWaiting(c.id)));
    if (needing.length === 0) {
      useToasts.getState().push({ tone: 'info', title: 'No call needs you', message: 'No live call is waiting for a person, alerting or paused.' });
      return;
    }
    // From the open call to the next one that needs the agent, round the list; else the first.
    const at = needing.findIndex((c) => c.id === useCallsStore.getState().selectedId);
    const next = needing[(at + 1) % needing.length]!;
    if (currentPath() !== '/' && !currentPath().startsWith('/live')) navigate(routes.live(next.id));
    useCallsStore.getState().select(next.id);
  }, [live, waitingIds]);
  useShortcut('nextCall', () => step(1));
  useShortcut('nextAttention', nextNeedingYou);
  useShortcut('previousCall', () => step(-1));
  useShortcut('goLive', () => navigate(routes.live(useCallsStore.getState().selectedId)));
  useShortcut('goHistory', () => navigate(routes.history()));
  useShortcut('goAnalytics', () => navigate(routes.analytics()));
  useShortcut('goCampaigns', () => navigate(routes.campaigns()));
  useShortcut('search', () => {
    if (currentPath() !== '/history') navigate(routes.history());
    focusWhenMounted('[data-testid="search-input"]');
  });
}

/** Focuses `selector` once the view that has it has rendered (a few frames at most). */
function focusWhenMounted(selector: string, framesLeft = 10): void {
  const el = document.querySelector<HTMLElement>(selector);
  if (el) el.focus();
  else if (framesLeft > 0) requestAnimationFrame(() => focusWhenMounted(selector, framesLeft - 1));
}
