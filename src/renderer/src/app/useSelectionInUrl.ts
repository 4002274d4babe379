/**
 * Keeps the live console's selected call in the URL (`#/live/<callId>`), both ways:
 * the URL on the live routes decides the selection (reload, back/forward, shared link), and a
 * selection made elsewhere (a demo call starting, a notification clicked) opens that call in
 * Live, from whichever view the console is on.
 */
import { useEffect, useRef } from 'react';
import { useLocation } from 'wouter';
import { routes } from '../lib/router';
import { useCallsStore } from '../features/calls/store';

/** undefined: not a live route; null: Live with no call open. */
export function liveCallIdOf(path: string): string | null | undefined {
  if (path === '/' || path === '' || path === '/live' || path === '/live/') return null;
  const m = /^\/live\/([^/]+)$/.exec(path);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export function useSelectionInUrl(): void {
  const [path, navigate] = useLocation();
  const urlId = liveCallIdOf(path);
  const selectedId = useCallsStore((s) => s.selectedId);
  const lastUrlId = useRef<string | null | undefined>(undefined);
  const lastSelected = useRef<string | null>(selectedId);

  useEffect(() => {
    if (urlId !== undefined && urlId !== lastUrlId.current) {
      // The URL moved (navigation, reload, back/forward): it decides.
      lastUrlId.current = urlId;
      lastSelected.current = urlId;
      if (urlId !== selectedId) useCallsStore.getState().select(urlId);
      return;
    }
    lastUrlId.current = urlId;
    if (selectedId === lastSelected.current) return;
    // The selection moved on its own: show it.
    lastSelected.current = selectedId;
    if (selectedId && urlId !== selectedId) navigate(routes.live(selectedId));
    else if (!selectedId && urlId) navigate(routes.live(null), { replace: true });
  }, [urlId, selectedId, navigate]);
}
