/**
 * The Electron shell's locked-down defaults, checked on what it hands Electron (stubbed): the
 * window's webPreferences, navigation and popup refusals, the session's permission handlers,
 * IPC sender validation, and the renderer served from the app: scheme with its CSP header.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ELECTRON_CSP } from '../../../src/shared/csp';
import { ipcChannels } from '../../../src/shared/ipc';
import { fakeCore, type FakeCore } from '../../support/fake-core';
import * as electron from '../../support/electron-stub';
import { startShell, type ShellHandle } from '../../../src/main/shell/main';
import { rendererFileFor } from '../../../src/main/shell/protocols';
import { safeExternalUrl } from '../../../src/main/shell/lockdown';

vi.mock('../../../src/main/shell/electron', () => import('../../support/electron-stub'));

const { app, ipcMain, session, settle, shell: electronShell, StubFrame, stubEvent } = electron;

let core: FakeCore;
let out: string;
const signalCounts = { SIGINT: 0, SIGTERM: 0 };

beforeEach(() => {
  electron.resetElectron();
  core = fakeCore();
  // A built console beside the main bundle: out/main, out/preload, out/renderer.
  out = mkdtempSync(join(tmpdir(), 'switchboard-shell-'));
  mkdirSync(join(out, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(out, 'renderer', 'index.html'), '<!doctype html><title>Switchboard</title>');
  writeFileSync(join(out, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(out, 'secret.txt'), 'not for the page');
  for (const s of ['SIGINT', 'SIGTERM'] as const) signalCounts[s] = process.listenerCount(s);
});

afterEach(() => {
  for (const s of ['SIGINT', 'SIGTERM'] as const) for (const l of process.listeners(s).slice(signalCounts[s])) process.removeListener(s, l);
  delete process.env['ELECTRON_RENDERER_URL'];
});

async function launch(): Promise<ShellHandle> {
  const handle = startShell({ mainDir: join(out, 'main'), startCore: async () => core });
  await app.becomeReady();
  await settle();
  return handle!;
}

describe('the window', () => {
  it('is created isolated and sandboxed: no Node, no webview, no insecure content, the preload beside the bundle', async () => {
    const win = electron.stubWindow(await launch());
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      preload: join(out, 'preload', 'index.cjs'),
    });
    expect(win.options.webPreferences!['devTools']).toBe(true); // a dev build; packaged builds have none
  });

  it('has no devtools when packaged', async () => {
    app.isPackaged = true;
    Object.defineProperty(process, 'resourcesPath', { value: '/opt/switchboard/resources', configurable: true });
    const win = electron.stubWindow(await launch());
    expect(win.options.webPreferences!['devTools']).toBe(false);
  });
});

describe('navigation and popups', () => {
  it('refuses window.open; https links go to the system browser, nothing else does', async () => {
    const win = electron.stubWindow(await launch());
    const open = win.webContents.windowOpenHandler!;
    expect(open({ url: 'https://www.twilio.com/docs' })).toEqual({ action: 'deny' });
    expect(open({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    await settle();
    expect(electronShell.opened).toEqual(['https://www.twilio.com/docs']);
  });

  it('the page never navigates away, not even to another app: URL; a core file link downloads instead', async () => {
    const win = electron.stubWindow(await launch());
    for (const url of ['https://evil.example/', 'app://switchboard/other.html', 'file:///tmp/x.html', 'switchboard-file://files/exports/e1']) {
      const event = stubEvent();
      win.webContents.emit('will-navigate', event, url);
      expect(event.defaultPrevented, url).toBe(true);
      const redirect = stubEvent();
      win.webContents.emit('will-redirect', redirect, url);
      expect(redirect.defaultPrevented, url).toBe(true);
    }
    expect(win.webContents.downloads).toContain('switchboard-file://files/exports/e1');
    const webview = stubEvent();
    win.webContents.emit('will-attach-webview', webview, {}, {});
    expect(webview.defaultPrevented).toBe(true);
  });

  it('opens only plain https links without credentials', () => {
    expect(safeExternalUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeExternalUrl('https://user:pw@example.com/')).toBeNull();
    expect(safeExternalUrl('https://')).toBeNull();
    expect(safeExternalUrl(`https://example.com/${'a'.repeat(3000)}`)).toBeNull();
    expect(safeExternalUrl('smb://share/x')).toBeNull();
  });
});

describe('permissions on the session', () => {
  it('our page gets audio, notifications and clipboard writes; checks agree with requests; devices never', async () => {
    const win = electron.stubWindow(await launch());
    const ses = session.defaultSession;
    const request = (permission: string, details: unknown, contents = win.webContents) =>
      new Promise<boolean>((resolve) => ses.permissionRequestHandler!(contents, permission, resolve, details));
    expect(await request('media', { mediaTypes: ['audio'] })).toBe(true);
    expect(await request('media', { mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(await request('media', { mediaTypes: [] })).toBe(false);
    expect(await request('notifications', {})).toBe(true);
    expect(await request('geolocation', {})).toBe(false);
    expect(ses.permissionCheckHandler!(win.webContents, 'media', 'app://switchboard', { mediaType: 'audio' })).toBe(true);
    expect(ses.permissionCheckHandler!(win.webContents, 'media', 'app://switchboard', { mediaType: 'video' })).toBe(false);
    expect(ses.permissionCheckHandler!(null, 'notifications', '', {})).toBe(false);
    expect(ses.devicePermissionHandler!({})).toBe(false);

    win.webContents.navigateTo('https://evil.example/');
    expect(await request('media', { mediaTypes: ['audio'] })).toBe(false);
    expect(await request('notifications', {})).toBe(false);
  });
});

describe('IPC', () => {
  it("answers only our window's top frame showing our page", async () => {
    const shell = await launch();
    const win = electron.stubWindow(shell);
    await expect(ipcMain.invokeFrom(win.webContents, ipcChannels.invoke, ['calls.list', { scope: 'live' }])).resolves.toMatchObject({ ok: true });
    expect(core.dispatched.at(-1)).toEqual({ name: 'calls.list', input: { scope: 'live' } });

    // A subframe of our window, another WebContents, our window showing another page: refused.
    await expect(ipcMain.invokeFrom(win.webContents, ipcChannels.invoke, ['calls.list', {}], new StubFrame('app://switchboard/index.html'))).rejects.toThrow(/untrusted/);
    const other = new electron.WebContents();
    other.navigateTo('app://switchboard/index.html');
    await expect(ipcMain.invokeFrom(other, ipcChannels.invoke, ['calls.list', {}])).rejects.toThrow(/untrusted/);
    win.webContents.navigateTo('https://evil.example/');
    await expect(ipcMain.invokeFrom(win.webContents, ipcChannels.invoke, ['calls.list', {}])).rejects.toThrow(/untrusted/);
    expect(core.dispatched.filter((d) => d.name === 'calls.list' && d.input && (d.input as { scope?: string }).scope !== 'live')).toEqual([]);
  });

  it('a command name that is not a string is a clear error, not a crash', async () => {
    const win = electron.stubWindow(await launch());
    await expect(ipcMain.invokeFrom(win.webContents, ipcChannels.invoke, [42, {}])).resolves.toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'Command name must be a string' },
    });
  });

  it('sends core events to the window, and stops when it is gone', async () => {
    const win = electron.stubWindow(await launch());
    core.emit({ name: 'sync.status', payload: { state: 'off' } } as never);
    expect(win.webContents.sent.some((m) => m.channel === ipcChannels.event)).toBe(true);
    win.webContents.destroyed = true;
    expect(() => core.emit({ name: 'sync.status', payload: { state: 'off' } } as never)).not.toThrow();
  });
});

describe('the renderer on app://switchboard/', () => {
  it('is a privileged standard, secure scheme, registered before ready', async () => {
    await launch();
    const schemes = electron.protocol.privileged;
    expect(schemes.find((s) => s.scheme === 'app')?.privileges).toMatchObject({ standard: true, secure: true });
    expect(schemes.find((s) => s.scheme === 'switchboard-file')?.privileges).toMatchObject({ standard: true, secure: true, stream: true });
  });

  it('serves the built files with the CSP header on every response, and nothing outside the folder', async () => {
    await launch();
    const ses = session.defaultSession;
    for (const url of ['app://switchboard/', 'app://switchboard/index.html']) {
      const page = await ses.fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<title>Switchboard</title>');
    }
    const script = await ses.fetch('app://switchboard/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    for (const url of ['app://switchboard/../secret.txt', 'app://switchboard/%2e%2e/secret.txt', 'app://switchboard/assets/..%2f..%2fsecret.txt', 'app://other/index.html', 'app://switchboard/missing.js']) {
      const res = await ses.fetch(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy'), url).toBe(ELECTRON_CSP);
    }
    expect((await ses.fetch('app://switchboard/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('maps URLs to files inside the renderer folder only', () => {
    const dir = '/opt/sb/out/renderer';
    expect(rendererFileFor('app://switchboard/', dir)).toBe(`${dir}/index.html`);
    expect(rendererFileFor('app://switchboard/assets/a.js', dir)).toBe(`${dir}/assets/a.js`);
    expect(rendererFileFor('app://switchboard/a%00.js', dir)).toBeNull();
    expect(rendererFileFor('app://switchboard/%E0%A4%A', dir)).toBeNull();
    expect(rendererFileFor('app://switchboard/..%2f..%2fetc/passwd', dir)).toBeNull();
    expect(rendererFileFor('switchboard-file://files/x', dir)).toBeNull();
  });

  it('on the dev server, sends the dev CSP header with its pages and nobody else', async () => {
    process.env['ELECTRON_RENDERER_URL'] = 'http://localhost:5173/';
    const win = electron.stubWindow(await launch());
    expect(win.webContents.getURL()).toBe('http://localhost:5173/');
    const listener = session.defaultSession.headersListener!;
    const headersFor = (url: string) =>
      new Promise<Record<string, string[]> | undefined>((resolve) =>
        listener({ url, responseHeaders: { 'content-security-policy': ['default-src *'] } }, (r) => resolve(r.responseHeaders)),
      );
    const ours = await headersFor('http://localhost:5173/src/main.tsx');
    expect(ours?.['Content-Security-Policy']?.[0]).toContain("script-src 'self' 'unsafe-inline' http://localhost:5173");
    expect(ours?.['content-security-policy']).toBeUndefined();
    expect(await headersFor('https://www.twilio.com/')).toBeUndefined();
  });
});
