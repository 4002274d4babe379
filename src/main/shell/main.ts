/**
 * The Electron shell, composed: one window, the core's API over IPC, a tray, a menu,
 * notifications, and nothing more. Everything that matters lives in the core (plain Node);
 * each decision here lives in a small module beside this one and is unit-tested with a stubbed
 * Electron (test/support/electron-stub.ts), since the runtime cannot run on the build machines.
 *
 * Life of the app:
 * - one instance: a second launch focuses the first window and exits;
 * - the window loads app://switchboard/ (protocols.ts) while the core starts;
 * - closing the window hides it: calls keep running, the tray shows their counts (a notice
 *   says so the first time); Quit, from the tray or the menu, asks before it ends live calls,
 *   then waits for the core to end them and flush storage (or a timeout) before exiting.
 */
import { join } from 'node:path';
import { electronDevCsp, ELECTRON_CSP } from '@shared/csp';
import type { ShellCommand } from '@shared/shell-bridge';
import type { ShortcutId } from '@shared/shortcuts';
import type { SecretStore } from '../core/config/secrets';
import type { Core } from '../core/core-types';
import { app, dialog, Menu, safeStorage, session, type BrowserWindow } from './electron';
import { forwardEvents, sendCommand, wireIpc } from './ipc';
import { trackLiveCalls, type LiveCounts } from './live-calls';
import { installDevCsp, installPermissionPolicy, lockDown } from './lockdown';
import { applicationMenuTemplate } from './menu';
import { createNotifier } from './notifications';
import type { AppLocation } from './permission-policy';
import { APP_URL, installAppProtocol, installFileProtocol, registerSchemes } from './protocols';
import { createSafeStorageSecretStore } from './secret-store-electron';
import { createTray, type ShellTray } from './tray';
import { createMainWindow, openShellStore, type ShellStore } from './window';

/** How long quitting waits for the core to end calls and flush storage. */
export const CORE_CLOSE_TIMEOUT_MS = 5_000;

export interface ShellOptions {
  /** The folder of the main bundle (out/main): the preload and renderer are beside it. */
  mainDir: string;
  startCore(options: { dataDir: string; resourcesDir: string; secrets: SecretStore }): Promise<Core>;
  platform?: NodeJS.Platform;
  /** Tests shorten it. */
  closeTimeoutMs?: number;
}

/** What tests look at; the app itself keeps no reference. */
export interface ShellHandle {
  readonly corePromise: Promise<Core>;
  window(): BrowserWindow | null;
  counts(): LiveCounts;
  /** Quit as the tray's and the menu's Quit do: asks first when calls are live. */
  requestQuit(): Promise<void>;
}

/** Starts the shell; null when another instance already runs (it is focused instead). */
export function startShell(options: ShellOptions): ShellHandle | null {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const platform = options.platform ?? process.platform;
  app.enableSandbox();
  registerSchemes();

  // Where things are. The dev server URL is set by `electron-vite dev` only, never trusted packaged.
  const devServerUrl = app.isPackaged ? null : (process.env['ELECTRON_RENDERER_URL'] ?? null);
  const rendererDir = join(options.mainDir, '../renderer');
  const preload = join(options.mainDir, '../preload/index.cjs');
  const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
  const icons = join(resourcesDir, 'icons');
  const where: AppLocation = { appUrl: devServerUrl ?? APP_URL, devServerUrl };

  let store: ShellStore | undefined;
  let mainWindow: BrowserWindow | null = null;
  let tray: ShellTray | null = null;
  let counts: LiveCounts = { live: 0, attention: 0 };
  let quitting = false;

  const ready = app.whenReady();
  // safeStorage works only once the app is ready, which is when the core starts.
  const corePromise = ready.then(() => {
    const dataDir = app.getPath('userData');
    return options.startCore({ dataDir, resourcesDir, secrets: createSafeStorageSecretStore({ dataDir, safeStorage }) });
  });

  const showWindow = (): BrowserWindow => {
    if (!mainWindow || mainWindow.isDestroyed()) {
      store ??= openShellStore();
      const win = createMainWindow({ url: where.appUrl, preload, icon: join(icons, '512x512.png'), packaged: app.isPackaged, store });
      win.on('close', (event) => {
        if (quitting || !tray) return;
        // Calls keep running: the window goes to the tray instead of closing.
        event.preventDefault();
        win.hide();
        noticeOnce();
      });
      win.on('closed', () => {
        if (mainWindow === win) mainWindow = null;
      });
      mainWindow = win;
      return win;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    if (!mainWindow.isVisible()) mainWindow.show();
    mainWindow.focus();
    return mainWindow;
  };
  /** Shows the window and hands the page a command (a menu item, the tray, a notification). */
  const command = (cmd: ShellCommand) => sendCommand(showWindow(), cmd);

  const notifier = createNotifier({
    icon: join(icons, '256x256.png'),
    onClick: (callId) => (callId ? command({ kind: 'open-call', callId }) : showWindow()),
  });
  const noticeOnce = () => {
    store ??= openShellStore();
    if (store.get('trayNoticeShown')) return;
    store.set('trayNoticeShown', true);
    notifier.show({
      title: 'Switchboard is still running',
      body: 'Calls continue with the window closed. Open it again from the tray icon; Quit there ends the calls.',
      tag: 'tray-notice',
    });
  };

  const requestQuit = async (): Promise<void> => {
    if (counts.live > 0) {
      const n = counts.live;
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        buttons: [`End ${n === 1 ? 'the call' : `${n} calls`} and quit`, 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: `${n === 1 ? 'A call is' : `${n} calls are`} live. Quit and end ${n === 1 ? 'it' : 'them'}?`,
        detail: 'Quitting hangs up on every caller. To keep calls running, close the window instead: Switchboard stays in the tray.',
      });
      if (response !== 0) return;
    }
    app.quit();
  };

  wireIpc({ corePromise, where, window: () => mainWindow, notify: (notice) => notifier.show(notice) });

  let stopCore: Array<() => void> = [];
  corePromise.then(
    (core) => {
      stopCore = [
        forwardEvents(core, () => mainWindow),
        trackLiveCalls(core, (next) => {
          counts = next;
          tray?.update(next);
        }),
      ];
    },
    (error: unknown) => {
      console.error('[shell] the core failed to start', error);
      dialog.showErrorBox('Switchboard could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    },
  );

  void ready.then(() => {
    const ses = session.defaultSession;
    if (devServerUrl) installDevCsp(ses, where, electronDevCsp(new URL(devServerUrl).origin));
    else installAppProtocol(ses, rendererDir, ELECTRON_CSP);
    installPermissionPolicy(ses, where);
    installFileProtocol(ses, corePromise);
    const actions = {
      show: () => void showWindow(),
      startDemo: () => command({ kind: 'start-demo' }),
      settings: () => command({ kind: 'shortcut', id: 'settings' }),
      runShortcut: (id: ShortcutId) => command({ kind: 'shortcut', id }),
      quit: () => void requestQuit(),
    };
    Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ platform, packaged: app.isPackaged, actions })));
    const trayIcon = platform === 'win32' ? join(icons, 'icon.ico') : join(icons, platform === 'darwin' ? '16x16.png' : '32x32.png');
    tray = createTray({ icon: trayIcon, platform, actions });
    tray.update(counts);
    showWindow();
  });

  // Every WebContents (our window, and anything that might ever be created) is locked down.
  app.on('web-contents-created', (_event, contents) => lockDown(contents, where));
  app.on('second-instance', () => {
    if (app.isReady()) showWindow();
  });
  app.on('activate', () => {
    if (app.isReady()) showWindow();
  });
  app.on('window-all-closed', () => {
    // With a tray the window only hides; without one (it failed), closing it quits, as usual.
    if (!tray && platform !== 'darwin') app.quit();
  });

  // Hold the quit until the core has ended calls and flushed storage (or timed out).
  let closing = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (closing) return;
    event.preventDefault();
    closing = true;
    for (const stop of stopCore) stop();
    notifier.closeAll();
    void corePromise
      .then((core) => closeCore(core, options.closeTimeoutMs ?? CORE_CLOSE_TIMEOUT_MS), () => undefined)
      .finally(() => {
        tray?.destroy();
        tray = null;
        app.quit();
      });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => app.quit());
  }

  return { corePromise, window: () => mainWindow, counts: () => counts, requestQuit };
}

async function closeCore(core: Core, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[shell] core.close() took longer than ${timeoutMs} ms; quitting anyway`);
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([core.close(), timeout]);
  } catch (error) {
    console.error('[shell] core.close() failed', error);
  } finally {
    clearTimeout(timer);
  }
}
