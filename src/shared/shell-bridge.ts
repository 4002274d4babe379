/**
 * What the Electron shell adds to the core's API, for the renderer: desktop notifications the
 * shell shows itself (so a click can bring the window forward and open the call), and
 * commands from the native menu and the tray. The headless console has neither: there the
 * renderer uses the browser's Notification API and its own keys. The core's command set is
 * the same under both shells; this is only about the window.
 */
import { z } from 'zod';
import { isShortcutId, type ShortcutId } from './shortcuts';

/** A notification the renderer asks the shell to show. Clicking it opens `callId` in Live. */
export const DesktopNotice = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().max(1000),
    /** A later notice with the same tag replaces the earlier one instead of stacking. */
    tag: z.string().min(1).max(200),
    callId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type DesktopNotice = z.infer<typeof DesktopNotice>;

/** From the shell to the renderer. */
export type ShellCommand =
  /** A notification or the tray's demo call: show this call in Live. */
  | { kind: 'open-call'; callId: string }
  /** A native menu item (or the tray's Settings): run what the shortcut's keys run. */
  | { kind: 'shortcut'; id: ShortcutId }
  /** The tray's or the menu's Start Demo Call: what the console's own button does. */
  | { kind: 'start-demo' };

export function isShellCommand(value: unknown): value is ShellCommand {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v['kind'] === 'open-call') return typeof v['callId'] === 'string' && v['callId'].length > 0;
  if (v['kind'] === 'shortcut') return isShortcutId(v['id']);
  return v['kind'] === 'start-demo';
}

/** `window.switchboard.shell`, present only under Electron. */
export interface ShellBridge {
  notify(notice: DesktopNotice): void;
  /** Calls `listener` for every command from the shell; returns an unsubscribe function. */
  onCommand(listener: (command: ShellCommand) => void): () => void;
}
