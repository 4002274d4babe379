/**
 * IPC channel names (Electron), declared once for the shell and the preload. Kept free of
 * imports so the sandboxed preload bundle stays tiny.
 */
export const ipcChannels = {
  /** renderer → core: one command of the contract. */
  invoke: 'switchboard:invoke',
  /** core → renderer: every core event. */
  event: 'switchboard:event',
  /** renderer → shell: show a desktop notification (shell-bridge.ts). */
  notify: 'switchboard:notify',
  /** shell → renderer: a menu, tray or notification command (shell-bridge.ts). */
  shellCommand: 'switchboard:shell-command',
} as const;
