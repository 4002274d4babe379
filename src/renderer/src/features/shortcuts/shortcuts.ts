/**
 * Binds the console's keyboard shortcuts (the table is in @shared/shortcuts, which the Electron
 * shell's native menu reads too) with react-hotkeys-hook where each action lives. Each bound
 * action is also registered by id, so a shortcut chosen from the native menu runs exactly what
 * its keys run, with the same conditions (no open call, no action).
 */
import { useEffect, useRef } from 'react';
import { useHotkeys } from 'react-hotkeys-hook';
import { SHORTCUTS, type ShortcutId } from '@shared/shortcuts';

export { SHORTCUTS, type ShortcutId };

/** The action each enabled shortcut runs right now (the most recently mounted wins). */
const active = new Map<ShortcutId, Array<() => void>>();

/** Runs the shortcut's action as if its keys were pressed; false when nothing handles it now. */
export function runShortcut(id: ShortcutId): boolean {
  const runs = active.get(id);
  const run = runs?.[runs.length - 1];
  if (!run) return false;
  run();
  return true;
}

/** Binds `id`'s keys to `run` while `enabled`; the latest `run` is always the one called. */
export function useShortcut(id: ShortcutId, run: () => void, enabled = true): void {
  const { keys, description } = SHORTCUTS[id];
  const latest = useRef(run);
  useEffect(() => {
    latest.current = run;
  });
  useHotkeys(
    keys,
    (event) => {
      event.preventDefault();
      latest.current();
    },
    { enabled, description },
    [enabled],
  );
  useEffect(() => {
    if (!enabled) return;
    const entry = () => latest.current();
    const runs = active.get(id) ?? [];
    runs.push(entry);
    active.set(id, runs);
    return () => {
      const left = (active.get(id) ?? []).filter((r) => r !== entry);
      if (left.length > 0) active.set(id, left);
      else active.delete(id);
    };
  }, [id, enabled]);
}

/** The keys as this platform writes them (⌘ on a Mac). */
export function shortcutLabel(id: ShortcutId): string {
  const label: string = SHORTCUTS[id].label;
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
  return mac ? label.replace('Ctrl+', '⌘') : label;
}
