/**
 * IPC between the window and the main process: the core's API (`invoke` → `core.dispatch`,
 * core events → the page), notifications the page asks the shell to show, and commands the
 * shell sends the page. Only our window's top frame, showing our page, is heard.
 */
import { ipcChannels, type Result } from '@shared/contract';
import { DesktopNotice, type ShellCommand } from '@shared/shell-bridge';
import type { Core } from '../core/core-types';
import { isAppUrl, type AppLocation } from './permission-policy';
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from './electron';

/** Only our window's top frame, showing our page, may call the core or the shell. */
export function isTrustedSender(event: IpcMainInvokeEvent | IpcMainEvent, win: BrowserWindow | null, where: AppLocation): boolean {
  const frame = event.senderFrame;
  if (!win || win.isDestroyed() || !frame) return false;
  if (event.sender !== win.webContents) return false;
  if (frame !== win.webContents.mainFrame) return false;
  return isAppUrl(frame.url, where);
}

function badRequest(message: string): Result<unknown> {
  return { ok: false, error: { code: 'bad_request', message } };
}

export interface IpcWiring {
  corePromise: Promise<Core>;
  where: AppLocation;
  window(): BrowserWindow | null;
  notify(notice: DesktopNotice): void;
}

/** The core's commands over `invoke`, and notifications over `notify`. */
export function wireIpc({ corePromise, where, window, notify }: IpcWiring): void {
  ipcMain.handle(ipcChannels.invoke, async (event, name: unknown, input: unknown) => {
    if (!isTrustedSender(event, window(), where)) throw new Error('Refused: IPC from an untrusted frame');
    if (typeof name !== 'string') return badRequest('Command name must be a string');
    const core = await corePromise;
    return core.dispatch(name, input);
  });
  ipcMain.on(ipcChannels.notify, (event, raw: unknown) => {
    if (!isTrustedSender(event, window(), where)) return;
    const notice = DesktopNotice.safeParse(raw);
    if (notice.success) notify(notice.data);
    else console.error('[shell] refused a malformed notification from the page', notice.error.issues[0]?.message);
  });
}

/** Every core event to the window while it exists (hidden in the tray included). */
export function forwardEvents(core: Core, window: () => BrowserWindow | null): () => void {
  return core.subscribe((event) => {
    const win = window();
    const contents = win && !win.isDestroyed() ? win.webContents : null;
    if (contents && !contents.isDestroyed()) contents.send(ipcChannels.event, event);
  });
}

export function sendCommand(win: BrowserWindow | null, command: ShellCommand): void {
  const contents = win && !win.isDestroyed() ? win.webContents : null;
  if (contents && !contents.isDestroyed()) contents.send(ipcChannels.shellCommand, command);
}
