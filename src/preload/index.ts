/**
 * Preload: exposes the contract's transport as `window.switchboard`, and nothing else.
 *
 * Runs sandboxed (CommonJS, bundled by electron-vite). It forwards calls verbatim: the
 * core validates every input against the contract at the boundary, so no schema (and no
 * zod) is needed here. Listeners get plain cloned data, never the IpcRendererEvent (which
 * would leak `sender`, i.e. ipcRenderer itself, into the page).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels } from '@shared/ipc';
import type { ElectronApi } from '@shared/client';
import type { AnyEvent, CommandName, Result } from '@shared/contract';

const api = {
  invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
    return ipcRenderer.invoke(ipcChannels.invoke, name, input) as Promise<Result<unknown>>;
  },
  subscribe(listener: (event: AnyEvent) => void): () => void {
    const handler = (_event: IpcRendererEvent, payload: AnyEvent): void => listener(payload);
    ipcRenderer.on(ipcChannels.event, handler);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, handler);
    };
  },
} satisfies ElectronApi;

contextBridge.exposeInMainWorld('switchboard', api);
