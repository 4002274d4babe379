/**
 * The console's one window: locked-down webPreferences, bounds remembered across launches
 * (electron-store: shell-only settings; the core keeps its own with `conf`), and a close
 * button that hides to the tray while calls may be running (the shell decides; see main.ts).
 */
import { BrowserWindow, screen, Store, type Rectangle } from './electron';

export interface ShellSettings {
  window: { bounds?: Rectangle; maximized: boolean };
  /** The "still running in the tray" notice is shown once, the first time the window closes. */
  trayNoticeShown: boolean;
}

export type ShellStore = Pick<Store<ShellSettings>, 'get' | 'set'>;

export function openShellStore(): ShellStore {
  return new Store<ShellSettings>({
    name: 'shell',
    defaults: { window: { maximized: false }, trayNoticeShown: false },
    clearInvalidConfig: true,
  });
}

const DEFAULT_SIZE = { width: 1280, height: 800 };

/** The saved bounds when they are still on a screen; otherwise the saved size, centred by Electron. */
export function restoredBounds(saved: Rectangle | undefined, workAreas: readonly Rectangle[]): Partial<Rectangle> {
  if (!saved) return DEFAULT_SIZE;
  const visible = workAreas.some(
    (a) => saved.x < a.x + a.width && saved.x + saved.width > a.x && saved.y < a.y + a.height && saved.y + saved.height > a.y,
  );
  return visible ? saved : { width: saved.width, height: saved.height };
}

/** The options every console window is created with: the security settings live here, tested. */
export function windowOptions(options: { bounds: Partial<Rectangle>; preload: string; icon: string; packaged: boolean }): Electron.BrowserWindowConstructorOptions {
  return {
    ...options.bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Switchboard',
    // Linux and Windows show it in the title bar and task switcher (macOS uses the bundle's .icns).
    icon: options.icon,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Calls keep running with the window hidden in the tray: alerts must still be raised.
      backgroundThrottling: false,
      devTools: !options.packaged,
    },
  };
}

export function createMainWindow(options: { url: string; preload: string; icon: string; packaged: boolean; store: ShellStore }): BrowserWindow {
  const saved = options.store.get('window');
  const bounds = restoredBounds(saved.bounds, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(windowOptions({ bounds, preload: options.preload, icon: options.icon, packaged: options.packaged }));
  win.once('ready-to-show', () => {
    if (saved.maximized) win.maximize();
    win.show();
  });
  const remember = () => options.store.set('window', { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
  win.on('close', remember);
  void win.loadURL(options.url);
  return win;
}
