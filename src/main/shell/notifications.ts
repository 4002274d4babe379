/**
 * Desktop notifications shown by the shell (take-over requests and alerts the page raises, and
 * the shell's own one-time notices). Clicking one brings the window forward and, when it is
 * about a call, opens that call. The page decides *when* to notify (it knows what the agent is
 * looking at); the shell decides how, so a click works even with the window hidden in the tray.
 */
import type { DesktopNotice } from '@shared/shell-bridge';
import { Notification } from './electron';

export interface Notifier {
  show(notice: DesktopNotice): void;
  /** Closes every notification still on screen (quitting). */
  closeAll(): void;
}

export function createNotifier(options: { icon: string; onClick(callId: string | undefined): void }): Notifier {
  // Held until closed or clicked: a Notification that is garbage-collected loses its click handler.
  const shown = new Map<string, Notification>();
  return {
    show(notice) {
      if (!Notification.isSupported()) return;
      shown.get(notice.tag)?.close(); // the same tag replaces, as in the browser
      // Silent: the page plays its own chime for the alerts that ask for one.
      const n = new Notification({ title: notice.title, body: notice.body, icon: options.icon, silent: true });
      const forget = () => {
        if (shown.get(notice.tag) === n) shown.delete(notice.tag);
      };
      n.on('click', () => {
        forget();
        options.onClick(notice.callId);
      });
      n.on('close', forget);
      shown.set(notice.tag, n);
      n.show();
    },
    closeAll() {
      for (const n of shown.values()) n.close();
      shown.clear();
    },
  };
}
