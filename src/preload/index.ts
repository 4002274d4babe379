/**
 * Preload: exposes the contract's transport as `window.switchboard`, and nothing else.
 *
 * Runs sandboxed (CommonJS, bundled by electron-vite). It forwards calls verbatim: the
 * core validates every input against the contract at the boundary (and the shell validates
 * notifications), so no schema (and no zod) is needed here. Listeners get plain cloned data,
 * never the IpcRendererEvent (which would leak `sender`, i.e. ipcRenderer itself, into the page).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels } from '@shared/ipc';
import type { ElectronApi } from '@shared/client';
import type { AnyEvent, CommandName, Result } from '@shared/contract';
import type { DesktopNotice, ShellCommand } from '@shared/shell-bridge';

function listen<T>(channel: string, listener: (payload: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, payload: T): void => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const api = {
  invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
    return ipcRenderer.invoke(ipcChannels.invoke, name, input) as Promise<Result<unknown>>;
  },
  subscribe(listener: (event: AnyEvent) => void): () => void {
    return listen(ipcChannels.event, listener);
  },
  shell: {
    notify(notice: DesktopNotice): void {
      ipcRenderer.send(ipcChannels.notify, notice);
    },
    onCommand(listener: (command: ShellCommand) => void): () => void {
      return listen(ipcChannels.shellCommand, listener);
    },
  },
} satisfies ElectronApi;

contextBridge.exposeInMainWorld('switchboard', api);
