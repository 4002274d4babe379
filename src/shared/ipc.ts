/**
 * IPC channel names (Electron), declared once for the shell and the preload. Kept free of
 * imports so the sandboxed preload bundle stays tiny.
 */
export const ipcChannels = {
  invoke: 'switchboard:invoke',
  event: 'switchboard:event',
} as const;
