/**
 * What web content in the shell may do: the permission policy on the session, and for every
 * WebContents, no navigation away from our page, no popups, no <webview>. Links out go to the
 * system browser (plain https only); links to a core file download it.
 */
import { isCoreFileUrl } from './protocols';
import { isAppUrl, isPermissionAllowed, type AppLocation, type MediaDetails } from './permission-policy';
import { shell, type Session, type WebContents } from './electron';

export function installPermissionPolicy(ses: Session, where: AppLocation): void {
  // Deny everything but the clipboard, the softphone's microphone and notifications, and
  // those only to our own page (permission-policy.ts says why each).
  const allowed = (permission: string, url: string, details: MediaDetails) => isPermissionAllowed(permission, url, where, details);
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    callback(allowed(permission, webContents.getURL(), details as MediaDetails));
  });
  ses.setPermissionCheckHandler((webContents, permission, _origin, details) => webContents !== null && allowed(permission, webContents.getURL(), details));
  ses.setDevicePermissionHandler(() => false);
}

/** Only plain https links, without credentials, go to the system browser. */
export function safeExternalUrl(raw: string): string | null {
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

export function lockDown(contents: WebContents, where: AppLocation): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  const refuseNavigation = (event: Electron.Event, url: string): void => {
    if (where.devServerUrl && isAppUrl(url, where)) return; // Vite full reloads in dev.
    event.preventDefault();
    // A link to a core file (e.g. a finished export) downloads it; the page never navigates away.
    if (isCoreFileUrl(url)) contents.downloadURL(url);
    else openExternally(url);
  };
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * On the dev server only: its responses get the dev CSP as a header (in production the app:
 * scheme sends the header itself).
 */
export function installDevCsp(ses: Session, where: AppLocation, policy: string): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, where)) {
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
