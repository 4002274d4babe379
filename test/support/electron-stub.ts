/**
 * A stand-in for the part of Electron the shell uses, for the shell's tests: the Electron
 * runtime cannot be downloaded on the build machines, and nothing under test may import
 * `electron`. Tests replace the shell's one seam with it:
 *
 *   vi.mock('../../../src/main/shell/electron', () => import('../../support/electron-stub'));
 *
 * It behaves as Electron documents (events, preventDefault, single-instance, windows that hide,
 * close and are destroyed) and records what the shell asked for, so a test can drive the app
 * the way a user would (ready, click the tray, close the window, quit) and look at the result.
 * `resetElectron()` gives each test a fresh app.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface StubEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function stubEvent<T extends object>(extra?: T): StubEvent & T {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  } as StubEvent & T;
  return event;
}

// ---------------------------------------------------------------------------------------
// app

class StubApp extends EventEmitter {
  isPackaged = false;
  /** What requestSingleInstanceLock answers (false: another instance runs). */
  gotLock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  sandboxed = false;
  quitting = false;
  private readyFlag = false;
  private resolveReady!: () => void;
  private readyPromise!: Promise<void>;
  paths: Record<string, string> = { userData: '/tmp/switchboard-stub-userdata' };
  appPath = '/tmp/switchboard-stub-app';

  constructor() {
    super();
    this.resetState();
  }

  resetState(): void {
    this.removeAllListeners();
    this.isPackaged = false;
    this.gotLock = true;
    this.quitCalls = 0;
    this.exitCode = null;
    this.sandboxed = false;
    this.readyFlag = false;
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
  }

  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  enableSandbox(): void {
    this.sandboxed = true;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.readyFlag;
  }
  getPath(name: string): string {
    const path = this.paths[name];
    if (!path) throw new Error(`stub app.getPath: no path for ${name}`);
    return path;
  }
  getAppPath(): string {
    return this.appPath;
  }
  /** As Electron: 'before-quit' (preventable), then every window is closed, then 'will-quit'. */
  quit(): void {
    this.quitCalls += 1;
    const event = stubEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    // Electron closes the windows without 'window-all-closed' when quitting.
    this.quitting = true;
    for (const win of [...BrowserWindow.instances]) if (!win.isDestroyed()) win.close();
    this.quitting = false;
    this.emit('will-quit', stubEvent());
    this.emit('quit');
  }
  exit(code = 0): void {
    this.exitCode = code;
  }

  // Test controls
  /** Electron is ready: whenReady resolves, then 'ready' fires. */
  async becomeReady(): Promise<void> {
    this.readyFlag = true;
    this.resolveReady();
    await this.readyPromise;
    this.emit('ready');
    await settle();
  }
}

export const app = new StubApp();

/** Lets promise chains and queued callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------------------------------
// Windows and web contents

export class StubFrame {
  constructor(public url: string) {}
}

export class WebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = WebContents.nextId++;
  url = '';
  readonly mainFrame = new StubFrame('');
  destroyed = false;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  downloads: string[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  downloadURL(url: string): void {
    this.downloads.push(url);
  }
  /** Loads `url` in the top frame (what the page's address then is). */
  navigateTo(url: string): void {
    this.url = url;
    this.mainFrame.url = url;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new WebContents();
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  bounds: { x: number; y: number; width: number; height: number };

  constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }) {
    super();
    BrowserWindow.instances.push(this);
    this.bounds = {
      x: typeof options['x'] === 'number' ? options['x'] : 100,
      y: typeof options['y'] === 'number' ? options['y'] : 100,
      width: typeof options['width'] === 'number' ? options['width'] : 800,
      height: typeof options['height'] === 'number' ? options['height'] : 600,
    };
    app.emit('web-contents-created', stubEvent(), this.webContents);
  }

  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.destroyed);
  }

  loadURL(url: string): Promise<void> {
    this.webContents.navigateTo(url);
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
    this.focused = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  minimize(): void {
    this.minimized = true;
  }
  restore(): void {
    this.minimized = false;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The user (or app.quit) closes it: 'close' is preventable; otherwise it is destroyed. */
  close(): void {
    if (this.destroyed) return;
    const event = stubEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0 && !app.quitting) app.emit('window-all-closed');
  }
}

// ---------------------------------------------------------------------------------------
// IPC

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;
type OnHandler = (event: unknown, ...args: unknown[]) => void;

export const ipcMain = {
  handlers: new Map<string, InvokeHandler>(),
  listeners: new Map<string, OnHandler[]>(),
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  on(channel: string, listener: OnHandler): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  },
  /** As `ipcRenderer.invoke` from `sender`'s frame `frame` (its top frame unless given). */
  async invokeFrom(sender: WebContents, channel: string, args: unknown[], frame: StubFrame = sender.mainFrame): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender, senderFrame: frame }, ...args);
  },
  /** As `ipcRenderer.send`. */
  sendFrom(sender: WebContents, channel: string, args: unknown[], frame: StubFrame = sender.mainFrame): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender, senderFrame: frame }, ...args);
  },
};

// ---------------------------------------------------------------------------------------
// Sessions, protocols, permissions

type ProtocolHandler = (request: Request) => Response | Promise<Response>;

class StubSession extends EventEmitter {
  protocolHandlers = new Map<string, ProtocolHandler>();
  headersListener: ((details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void) | null = null;
  permissionRequestHandler: ((wc: WebContents, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  permissionCheckHandler: ((wc: WebContents | null, permission: string, origin: string, details: unknown) => boolean) | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  readonly protocol = {
    handle: (scheme: string, handler: ProtocolHandler) => {
      if (this.protocolHandlers.has(scheme)) throw new Error(`The scheme ${scheme} is already handled`);
      this.protocolHandlers.set(scheme, handler);
    },
  };
  readonly webRequest = {
    onHeadersReceived: (listener: NonNullable<StubSession['headersListener']>) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: StubSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: StubSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: StubSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = handler;
  }
  /** Fetches `url` through the handler registered for its scheme, as the page would. */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    const handler = this.protocolHandlers.get(scheme);
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME (${scheme})`);
    return handler(new Request(url, init));
  }
}

export const session = { defaultSession: new StubSession() };

export const protocol = {
  privileged: [] as Array<{ scheme: string; privileges: Record<string, boolean> }>,
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void {
    if (app.isReady()) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    this.privileged.push(...schemes);
  },
};

/** Electron's net.fetch: file: URLs from disk (Node's fetch has no file:), the rest as fetch. */
export const net = {
  async fetch(url: string): Promise<Response> {
    if (!url.startsWith('file:')) return fetch(url);
    try {
      return new Response(await readFile(fileURLToPath(url)), { status: 200 });
    } catch {
      throw new TypeError(`net::ERR_FILE_NOT_FOUND (${url})`);
    }
  },
};

// ---------------------------------------------------------------------------------------
// Menus, tray, notifications, dialogs, the rest

export interface StubMenu {
  template: Array<Record<string, unknown>>;
}

export const Menu = {
  applicationMenu: null as StubMenu | null,
  buildFromTemplate(template: Array<Record<string, unknown>>): StubMenu {
    return { template };
  },
  setApplicationMenu(menu: StubMenu | null): void {
    this.applicationMenu = menu;
  },
};

export const nativeImage = {
  createFromPath(path: string) {
    return { path, isEmpty: () => false };
  },
};

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  tooltip = '';
  title = '';
  menu: StubMenu | null = null;
  destroyed = false;
  constructor(readonly image: { path: string }) {
    super();
    Tray.instances.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(text: string): void {
    this.title = text;
  }
  setContextMenu(menu: StubMenu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Clicks the context menu item with this id. */
  clickItem(id: string): void {
    const item = this.menu?.template.find((i) => i['id'] === id);
    if (!item) throw new Error(`no tray menu item ${id}`);
    (item['click'] as () => void)();
  }
}

export class Notification extends EventEmitter {
  static instances: Notification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return Notification.supported;
  }
  shown = false;
  closed = false;
  constructor(readonly options: { title: string; body: string; icon?: string; silent?: boolean }) {
    super();
    Notification.instances.push(this);
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', stubEvent());
  }
  click(): void {
    this.emit('click', stubEvent());
  }
}

export const dialog = {
  errors: [] as Array<{ title: string; content: string }>,
  messageBoxes: [] as Array<Record<string, unknown>>,
  /** The button index the next message boxes answer with. */
  nextResponse: 0,
  showErrorBox(title: string, content: string): void {
    this.errors.push({ title, content });
  },
  async showMessageBox(...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> {
    const options = (args.length > 1 ? args[1] : args[0]) as Record<string, unknown>;
    this.messageBoxes.push(options);
    return { response: this.nextResponse, checkboxChecked: false };
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  },
};

export const screen = {
  workAreas: [{ x: 0, y: 0, width: 1920, height: 1080 }],
  getAllDisplays() {
    return this.workAreas.map((workArea) => ({ workArea }));
  },
};

export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (text: string) => Buffer.from(text),
  decryptString: (data: Buffer) => data.toString(),
  getSelectedStorageBackend: () => 'gnome_libsecret',
};

/** electron-store, in memory (one store per name, like one file per name). */
export class Store<T extends Record<string, unknown>> {
  static files = new Map<string, Record<string, unknown>>();
  private readonly data: Record<string, unknown>;
  constructor(options: { name?: string; defaults?: T }) {
    const name = options.name ?? 'config';
    const existing = Store.files.get(name);
    this.data = existing ?? structuredClone({ ...(options.defaults ?? {}) });
    Store.files.set(name, this.data);
  }
  get<K extends keyof T>(key: K): T[K] {
    return structuredClone(this.data[key as string]) as T[K];
  }
  set<K extends keyof T>(key: K, value: T[K]): void {
    this.data[key as string] = structuredClone(value);
  }
}

/** A fresh Electron for each test. */
export function resetElectron(): void {
  app.resetState();
  BrowserWindow.instances = [];
  ipcMain.handlers.clear();
  ipcMain.listeners.clear();
  session.defaultSession = new StubSession();
  protocol.privileged = [];
  Menu.applicationMenu = null;
  Tray.instances = [];
  Notification.instances = [];
  Notification.supported = true;
  dialog.errors = [];
  dialog.messageBoxes = [];
  dialog.nextResponse = 0;
  shell.opened = [];
  screen.workAreas = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  Store.files.clear();
}

/** The shell's window, as the stub it is (the shell's types say Electron's BrowserWindow). */
export function stubWindow(handle: { window(): unknown }): BrowserWindow {
  const win = handle.window();
  if (!(win instanceof BrowserWindow)) throw new Error('the shell has no window');
  return win;
}
