/**
 * The Electron shell: one window, the core's API over IPC, nothing more.
 *
 * Everything that matters lives in the core (src/main/core, plain Node). This file only
 * creates the window, locks it down (sandbox, CSP, no navigation, no popups, no
 * permissions), forwards `ipcChannels.invoke` to `core.dispatch` and core events to the
 * renderer, remembers the window's bounds (electron-store: shell-only settings), and
 * closes the core on quit. It is the only main-process module allowed to import electron.
 * Files the core serves (recordings, finished exports) reach the page over a privileged
 * `switchboard-file:` scheme with range requests, never file://.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  type IpcMainInvokeEvent,
  type Rectangle,
  type Session,
  type WebContents,
} from 'electron';
import Store from 'electron-store';
import parseRange from 'range-parser';
import { ipcChannels, type Result } from '@shared/contract';
import { FILE_PROTOCOL_HOST, FILE_PROTOCOL_SCHEME } from '@shared/files';
import { startCore } from './core/app';
import type { Core } from './core/core-types';
import { createSafeStorageSecretStore } from './secret-store-electron';
import { isAppUrl as isOurPage, isPermissionAllowed, type AppLocation, type MediaDetails } from './permission-policy';

/** How long quitting waits for the core to end calls and flush storage. */
const CORE_CLOSE_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------
// Where things are

/** Set by `electron-vite dev` only; never trusted in a packaged app. */
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const rendererFile = join(import.meta.dirname, '../renderer/index.html');
const preloadFile = join(import.meta.dirname, '../preload/index.cjs');
const resourcesDir = app.isPackaged
  ? join(process.resourcesPath, 'resources')
  : join(app.getAppPath(), 'resources');

/** The one URL our window may show (file:// in production, the dev server in dev). */
const appUrl = new URL(devServerUrl ?? pathToFileURL(rendererFile).href);

const appLocation: AppLocation = { appUrl: appUrl.href, devServerUrl: devServerUrl ?? null };

function isAppUrl(raw: string): boolean {
  return isOurPage(raw, appLocation);
}

// ---------------------------------------------------------------------------------------
// Content Security Policy (header-delivered; renderer assets are all local)

const CSP_PRODUCTION = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  // The core is reached over IPC; the agent's softphone signals to Twilio over wss (its
  // media is WebRTC, which CSP does not govern; sounds are local, telemetry is off).
  // Recordings and exports come from the core over the shell's file scheme.
  `connect-src 'self' wss://*.twilio.com ${FILE_PROTOCOL_SCHEME}:`,
  `media-src 'self' blob: ${FILE_PROTOCOL_SCHEME}:`,
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite's dev server needs inline scripts (React refresh preamble), inline styles (HMR) and its websocket. */
function devCsp(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${origin}`,
    `style-src 'self' 'unsafe-inline' ${origin}`,
    `img-src 'self' data: blob: ${origin}`,
    `font-src 'self' data: ${origin}`,
    `connect-src 'self' ${origin} ${ws} wss://*.twilio.com ${FILE_PROTOCOL_SCHEME}:`,
    `media-src 'self' blob: ${FILE_PROTOCOL_SCHEME}:`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function installCsp(ses: Session): void {
  const policy = devServerUrl ? devCsp(appUrl.origin) : CSP_PRODUCTION;
  ses.webRequest.onHeadersReceived((details, callback) => {
    const isOurs = details.url.startsWith('file:') || (devServerUrl && isAppUrl(details.url));
    if (!isOurs) {
      callback({});
      return;
    }
    const headers = { ...details.responseHeaders };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });
}

// ---------------------------------------------------------------------------------------
// Permissions and external links

function installPermissionPolicy(ses: Session): void {
  // Deny everything but the clipboard, the softphone's microphone and notifications, and
  // those only to our own page (permission-policy.ts says why each).
  const allowed = (permission: string, url: string, details: MediaDetails) => isPermissionAllowed(permission, url, appLocation, details);
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    callback(allowed(permission, webContents.getURL(), details as MediaDetails));
  });
  ses.setPermissionCheckHandler((webContents, permission, _origin, details) => webContents !== null && allowed(permission, webContents.getURL(), details));
  ses.setDevicePermissionHandler(() => false);
}

/** Only plain https links, without credentials, go to the system browser. */
function safeExternalUrl(raw: string): string | null {
  if (raw.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || !url.hostname || url.username || url.password) return null;
  return url.href;
}

function openExternally(raw: string): void {
  const url = safeExternalUrl(raw);
  if (url) void shell.openExternal(url).catch(() => undefined);
}

function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  const refuseNavigation = (event: Electron.Event, url: string): void => {
    if (isAppUrl(url) && devServerUrl) return; // Vite full reloads in dev.
    event.preventDefault();
    // A link to a core file (e.g. a finished export) downloads it; the page never navigates away.
    if (isCoreFileUrl(url)) contents.downloadURL(url);
    else openExternally(url);
  };
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

// ---------------------------------------------------------------------------------------
// Core files (recordings, finished exports): switchboard-file://files/<route>
//
// The headless console serves the same routes at /files/<route> behind its token; here the
// page is our own window (sandboxed, navigation locked), so the scheme is the channel. It is
// `standard` (a real host and path), `secure`, and `stream` so <audio> can seek with Range
// requests. Registered as privileged before the app is ready, handled once it is.

protocol.registerSchemesAsPrivileged([
  { scheme: FILE_PROTOCOL_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const CORE_FILE_ORIGIN = `${FILE_PROTOCOL_SCHEME}://${FILE_PROTOCOL_HOST}`;

function isCoreFileUrl(raw: string): boolean {
  return raw.startsWith(`${CORE_FILE_ORIGIN}/`);
}

function installFileProtocol(ses: Session, corePromise: Promise<Core>): void {
  ses.protocol.handle(FILE_PROTOCOL_SCHEME, async (request) => {
    try {
      return await serveCoreFile(await corePromise, request);
    } catch (error) {
      console.error('[shell] serving a core file failed', error);
      return new Response('Could not read that file.', { status: 500 });
    }
  });
  // Downloads (an export's link, "save recording") ask where to save: Electron shows its save
  // dialog for any download that gets no savePath. Downloads from anywhere else are refused.
  ses.on('will-download', (event, item) => {
    const url = item.getURL();
    if (!isCoreFileUrl(url) && !url.startsWith('blob:')) {
      event.preventDefault();
      return;
    }
    item.setSaveDialogOptions({ defaultPath: item.getFilename() });
  });
}

/** One core file, with single-range support (206) so <audio> can seek; the same rules as the headless server. */
async function serveCoreFile(core: Core, request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== FILE_PROTOCOL_HOST) return new Response('Not found.', { status: 404 });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed.', { status: 405 });
  let route: string;
  try {
    route = decodeURIComponent(url.pathname.slice(1));
  } catch {
    return new Response('Bad file route.', { status: 400 });
  }
  const file = await core.file(route);
  const size = file ? await stat(file.path).then((s) => (s.isFile() ? s.size : null), () => null) : null;
  if (!file || size === null) return new Response('That file is not here (it may have been removed).', { status: 404 });
  const headers = new Headers({
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (file.downloadName) headers.set('Content-Disposition', contentDisposition(file.downloadName));
  const header = request.headers.get('range');
  // -2: a malformed Range is ignored (the whole file), as HTTP says; -1: unsatisfiable.
  const ranges = header ? parseRange(size, header, { combine: true }) : -2;
  if (ranges === -1 || (Array.isArray(ranges) && ranges.length !== 1)) {
    headers.set('Content-Range', `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  const range = Array.isArray(ranges) ? ranges[0]! : { start: 0, end: size - 1 };
  const status = Array.isArray(ranges) ? 206 : 200;
  if (status === 206) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  headers.set('Content-Length', String(size === 0 ? 0 : range.end - range.start + 1));
  if (request.method === 'HEAD' || size === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(file.path, { start: range.start, end: range.end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}

/** RFC 6266 attachment header with an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

// ---------------------------------------------------------------------------------------
// Shell settings (window geometry). The core keeps its own settings with `conf`.

interface ShellSettings {
  window: { bounds?: Rectangle; maximized: boolean };
}

let store: Store<ShellSettings> | undefined;

function shellStore(): Store<ShellSettings> {
  store ??= new Store<ShellSettings>({
    name: 'shell',
    defaults: { window: { maximized: false } },
    clearInvalidConfig: true,
  });
  return store;
}

function restoredBounds(): Partial<Rectangle> {
  const bounds = shellStore().get('window').bounds;
  if (!bounds) return { width: 1280, height: 800 };
  const visible = screen.getAllDisplays().some(({ workArea: a }) => {
    return (
      bounds.x < a.x + a.width &&
      bounds.x + bounds.width > a.x &&
      bounds.y < a.y + a.height &&
      bounds.y + bounds.height > a.y
    );
  });
  return visible ? bounds : { width: bounds.width, height: bounds.height };
}

function rememberBounds(win: BrowserWindow): void {
  shellStore().set('window', {
    bounds: win.getNormalBounds(),
    maximized: win.isMaximized(),
  });
}

// ---------------------------------------------------------------------------------------
// Window

let mainWindow: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    ...restoredBounds(),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Switchboard',
    // Linux and Windows show it in the title bar and task switcher (macOS uses the bundle's .icns).
    icon: join(resourcesDir, 'icons', '512x512.png'),
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadFile,
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
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => {
    if (shellStore().get('window').maximized) win.maximize();
    win.show();
  });
  win.on('close', () => rememberBounds(win));
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  if (devServerUrl) void win.loadURL(appUrl.href);
  else void win.loadFile(rendererFile);
  return win;
}

function showWindow(): void {
  if (!mainWindow) {
    mainWindow = createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

// ---------------------------------------------------------------------------------------
// IPC: the core's API

/** Only our window's top frame, showing our page, may call the core. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!mainWindow || mainWindow.isDestroyed() || !frame) return false;
  if (event.sender !== mainWindow.webContents) return false;
  if (frame !== mainWindow.webContents.mainFrame) return false;
  return isAppUrl(frame.url);
}

function badRequest(message: string): Result<unknown> {
  return { ok: false, error: { code: 'bad_request', message } };
}

function wireIpc(corePromise: Promise<Core>): void {
  ipcMain.handle(ipcChannels.invoke, async (event, name: unknown, input: unknown) => {
    if (!isTrustedSender(event)) throw new Error('Refused: IPC from an untrusted frame');
    if (typeof name !== 'string') return badRequest('Command name must be a string');
    const core = await corePromise;
    return core.dispatch(name, input);
  });
}

function forwardEvents(core: Core): () => void {
  return core.subscribe((event) => {
    const contents = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
    if (contents && !contents.isDestroyed()) contents.send(ipcChannels.event, event);
  });
}

// ---------------------------------------------------------------------------------------
// Lifecycle

async function closeCore(core: Core): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[shell] core.close() took longer than ${CORE_CLOSE_TIMEOUT_MS} ms; quitting anyway`);
      resolve();
    }, CORE_CLOSE_TIMEOUT_MS);
  });
  try {
    await Promise.race([core.close(), timeout]);
  } catch (error) {
    console.error('[shell] core.close() failed', error);
  } finally {
    clearTimeout(timer);
  }
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();

  const ready = app.whenReady();
  // safeStorage works only once the app is ready, which is when the core starts.
  const corePromise = ready.then(() => {
    const dataDir = app.getPath('userData');
    const secrets = createSafeStorageSecretStore({ dataDir, safeStorage });
    return startCore({ dataDir, resourcesDir, transport: 'electron', secrets });
  });
  // The handler waits for the core, so the window can load while the core starts.
  wireIpc(corePromise);

  let stopForwarding: (() => void) | undefined;
  corePromise.then(
    (started) => {
      stopForwarding = forwardEvents(started);
    },
    (error: unknown) => {
      console.error('[shell] the core failed to start', error);
      dialog.showErrorBox(
        'Switchboard could not start',
        error instanceof Error ? error.message : String(error),
      );
      app.exit(1);
    },
  );

  void ready.then(() => {
    installCsp(session.defaultSession);
    installPermissionPolicy(session.defaultSession);
    installFileProtocol(session.defaultSession, corePromise);
    showWindow();
  });

  // Every WebContents (our window, and anything that might ever be created) is locked down.
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.on('second-instance', () => {
    if (app.isReady()) showWindow();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) showWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Hold the quit until the core has ended calls and flushed storage (or timed out).
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    event.preventDefault();
    closing = true;
    stopForwarding?.();
    void corePromise
      .then(closeCore, () => undefined)
      .finally(() => app.quit());
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => app.quit());
  }
}

main();
