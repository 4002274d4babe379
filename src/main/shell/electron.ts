/**
 * The Electron shell's one door to Electron (and electron-store). Every shell module imports
 * Electron's API from here, never from 'electron' itself (a lint rule holds it), so the shell
 * unit tests replace this one module with test/support/electron-stub.ts and run every decision
 * the shell makes under plain Node, where the Electron runtime cannot be downloaded.
 */
export {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  net,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
export type {
  IpcMainEvent,
  IpcMainInvokeEvent,
  MenuItemConstructorOptions,
  Rectangle,
  Session,
  WebContents,
} from 'electron';
export { default as Store } from 'electron-store';
