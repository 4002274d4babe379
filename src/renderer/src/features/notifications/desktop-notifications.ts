/**
 * Desktop notifications. Under Electron the shell shows them (so a click brings the window
 * forward and opens the call, even from the tray); in a browser, the Notification API, whose
 * permission is never asked for on load: only when the agent presses "Enable notifications".
 */
import { useCallback, useSyncExternalStore } from 'react';
import { shellBridge } from '../../lib/transport';
import { useCallsStore } from '../calls/store';

export type NotificationAccess = NotificationPermission | 'unsupported';

const listeners = new Set<() => void>();

function supported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function readAccess(): NotificationAccess {
  if (shellBridge()) return 'granted'; // the shell shows them; the OS settings decide the rest
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

export interface DesktopNotification {
  title: string;
  body: string;
  /** A later notification with the same tag replaces the earlier one instead of stacking. */
  tag: string;
  /** Clicking the notification focuses the console on this call, in Live. */
  callId?: string;
}

/** Shows a notification when permission was granted; otherwise does nothing. */
export function showDesktopNotification(notice: DesktopNotification): void {
  const shell = shellBridge();
  if (shell) {
    shell.notify(notice);
    return;
  }
  if (readAccess() !== 'granted') return;
  try {
    const n = new Notification(notice.title, { body: notice.body, tag: notice.tag });
    n.onclick = () => {
      window.focus();
      if (notice.callId) useCallsStore.getState().select(notice.callId);
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker; the banner still shows.
  }
}
