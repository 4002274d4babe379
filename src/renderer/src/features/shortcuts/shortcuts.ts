/**
 * The console's keyboard shortcuts: one table (the cheat sheet shows exactly this), bound
 * with react-hotkeys-hook where the action lives. Single keys never fire while the agent types
 * in a field (the library's default), so a "t" in a reply never takes over a call.
 */
import { useHotkeys } from 'react-hotkeys-hook';

export const SHORTCUTS = {
  nextCall: { keys: 'j', label: 'J', description: 'Next live call (the order of the list)' },
  previousCall: { keys: 'k', label: 'K', description: 'Previous live call' },
  takeOver: { keys: 't', label: 'T', description: 'Take over the open call' },
  pauseAi: { keys: 'p', label: 'P', description: 'Pause or resume the AI on the open call' },
  write: { keys: 'c', label: 'C', description: 'Write: the reply box, or the whisper box while the AI has the call' },
  goLive: { keys: 'g>l', label: 'G then L', description: 'Go to Live' },
  goHistory: { keys: 'g>h', label: 'G then H', description: 'Go to History' },
  goAnalytics: { keys: 'g>a', label: 'G then A', description: 'Go to Analytics' },
  search: { keys: 'slash', label: '/', description: 'Search History' },
  help: { keys: 'shift+slash', label: '?', description: 'Show these shortcuts' },
} as const;
export type ShortcutId = keyof typeof SHORTCUTS;

/** Binds `id`'s keys to `run` while `enabled`; the latest `run` is always the one called. */
export function useShortcut(id: ShortcutId, run: () => void, enabled = true): void {
  const { keys, description } = SHORTCUTS[id];
  useHotkeys(
    keys,
    (event) => {
      event.preventDefault();
      run();
    },
    { enabled, description },
    [run, enabled],
  );
}
