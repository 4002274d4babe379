/**
 * Desktop notifications through the browser Notification API (Electron's renderer has it too).
 * Permission is never asked for on load: only when the agent presses "Enable notifications".
 */
import { useCallback, useSyncExternalStore } from 'react';

export type NotificationAccess = NotificationPermission | 'unsupported';

const listeners = new Set<() => void>();

function supported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function readAccess(): NotificationAccess {
  return supported() ? Notification.permission : 'unsupported';
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Permission can change in the browser's site settings; re-read when the agent comes back.
  window.addEventListener('focus', listener);
  document.addEventListener('visibilitychange', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('focus', listener);
    document.removeEventListener('visibilitychange', listener);
  };
}

/** The page's notification permission, and a request that only runs on a user's click. */
export function useNotificationAccess(): { access: NotificationAccess; request: () => void } {
  const access = useSyncExternalStore(subscribe, readAccess, () => 'unsupported' as const);
  const request = useCallback(() => {
    if (!supported()) return;
    void Notification.requestPermission()
      .catch(() => undefined)
      .then(() => {
        for (const l of listeners) l();
      });
  }, []);
  return { access, request };
}

/**
 * Shows a notification when permission was granted; otherwise does nothing. `tag` replaces an
 * earlier notification with the same tag instead of stacking them. Clicking it focuses the
 * console and runs `onClick`.
 */
export function showDesktopNotification(options: {
  title: string;
  body: string;
  tag: string;
  onClick?: () => void;
}): void {
  if (readAccess() !== 'granted') return;
  try {
    const n = new Notification(options.title, { body: options.body, tag: options.tag });
    n.onclick = () => {
      window.focus();
      options.onClick?.();
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the banner still shows.
  }
}
