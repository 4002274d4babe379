/**
 * The window (tab) title says what needs the agent, so a console in a background tab or
 * behind another window still shows it in the task bar: "(2) waiting · Switchboard".
 */
import { useEffect } from 'react';

const APP = 'Switchboard';

export function windowTitle(liveCount: number, waitingCount: number): string {
  if (waitingCount > 0) return `(${waitingCount}) ${waitingCount === 1 ? 'Caller waiting' : 'Callers waiting'} · ${APP}`;
  if (liveCount > 0) return `${liveCount} live · ${APP}`;
  return APP;
}

export function useWindowTitle(liveCount: number, waitingCount: number): void {
  useEffect(() => {
    document.title = windowTitle(liveCount, waitingCount);
  }, [liveCount, waitingCount]);
}
