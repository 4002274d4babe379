/**
 * The Electron shell's life, driven as a user would (launch, close the window, click the tray,
 * a notification, quit) against a stubbed Electron: single instance, the tray's counts and
 * menu, close-to-tray with its one-time notice, notification clicks, and a quit that ends calls.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcChannels } from '../../../src/shared/ipc';
import { call, T0 } from '../../support/call-summary';
import { fakeCore, type FakeCore } from '../../support/fake-core';
import * as electron from '../../support/electron-stub';
import { startShell, type ShellHandle } from '../../../src/main/shell/main';

vi.mock('../../../src/main/shell/electron', () => import('../../support/electron-stub'));

const { app, BrowserWindow, dialog, Notification, Tray, ipcMain, settle } = electron;

let core: FakeCore;
let signalListeners: { SIGINT: number; SIGTERM: number };

beforeEach(() => {
  electron.resetElectron();
  core = fakeCore();
  signalListeners = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
});

afterEach(() => {
  // startShell listens for SIGINT/SIGTERM once per launch; drop this test's listeners.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const listeners = process.listeners(signal);
    for (const listener of listeners.slice(signalListeners[signal])) process.removeListener(signal, listener);
  }
});

async function launch(options: { platform?: NodeJS.Platform; closeTimeoutMs?: number } = {}): Promise<ShellHandle> {
  const shell = startShell({ mainDir: '/opt/switchboard/out/main', startCore: async () => core, ...options });
  if (!shell) throw new Error('the shell did not start');
  await app.becomeReady();
  await settle();
  return shell;
}

const tray = () => Tray.instances.at(-1)!;
const commandsSent = (win: electron.BrowserWindow) => win.webContents.sent.filter((m) => m.channel === ipcChannels.shellCommand).map((m) => m.args[0]);

describe('one instance', () => {
  it('a second launch quits at once; the first focuses its window', async () => {
    const first = await launch();
    const win = electron.stubWindow(first);
    win.minimize();
    win.hide();

    app.gotLock = false; // what Electron answers the second process
    const quitsBefore = app.quitCalls;
    expect(startShell({ mainDir: '/x', startCore: async () => core })).toBeNull();
    expect(app.quitCalls).toBe(quitsBefore + 1);

    app.emit('second-instance', electron.stubEvent(), ['switchboard'], '/');
    expect(win.isMinimized()).toBe(false);
    expect(win.isVisible()).toBe(true);
    expect(win.focused).toBe(true);
    expect(BrowserWindow.getAllWindows()).toHaveLength(1);
  });
});

describe('the window', () => {
  it('loads the console from the app: scheme and shows itself when ready', async () => {
    const shell = await launch();
    const win = electron.stubWindow(shell);
    expect(win.webContents.getURL()).toBe('app://switchboard/index.html');
    expect(win.isVisible()).toBe(true);
    expect(app.sandboxed).toBe(true);
  });

  it('closing it hides it to the tray (calls keep running), with a notice the first time only', async () => {
    const shell = await launch();
    const win = electron.stubWindow(shell);
    win.close();
    expect(win.isDestroyed()).toBe(false);
    expect(win.isVisible()).toBe(false);
    expect(core.closed).toBe(false);
    const notices = Notification.instances.filter((n) => n.options.title === 'Switchboard is still running');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.shown).toBe(true);

    tray().emit('click');
    expect(win.isVisible()).toBe(true);
    win.close();
    expect(Notification.instances.filter((n) => n.options.title === 'Switchboard is still running')).toHaveLength(1);
    expect(app.quitCalls).toBe(0);
  });

  it('remembers its bounds for the next launch', async () => {
    const first = await launch();
    const win = electron.stubWindow(first);
    win.bounds = { x: 200, y: 150, width: 1111, height: 777 };
    win.maximize();
    win.close(); // hides, and remembers
    // Next launch (same store file): the window opens where it was, maximised.
    electron.BrowserWindow.instances = [];
    const files = new Map(electron.Store.files);
    electron.resetElectron();
    for (const [k, v] of files) electron.Store.files.set(k, v);
    const second = await launch();
    const next = electron.stubWindow(second);
    expect(next.options).toMatchObject({ x: 200, y: 150, width: 1111, height: 777 });
    expect(next.isMaximized()).toBe(true);
  });
});

describe('the tray', () => {
  it('shows how many calls are live and how many need the agent, from the core as they change', async () => {
    core.liveCalls = [call('a', T0)];
    const shell = await launch();
    expect(shell.counts()).toEqual({ live: 1, attention: 0 });
    expect(tray().tooltip).toBe('Switchboard: 1 live call');

    core.callUpdated(call('b', T0, { waitingSince: T0 + 5 }));
    expect(tray().tooltip).toBe('Switchboard: 2 live calls · 1 needs you');
    expect(tray().menu!.template[0]).toMatchObject({ label: '2 live calls · 1 needs you', enabled: false });
    expect(tray().menu!.template.find((i) => i['id'] === 'quit')).toMatchObject({ label: 'Quit (ends 2 live calls)' });

    core.callUpdated(call('a', T0, { status: 'ended', endedAt: T0 + 9 }));
    core.callUpdated(call('b', T0, { controller: 'agent', state: 'agent', waitingSince: null }));
    expect(tray().tooltip).toBe('Switchboard: 1 live call');
    core.callUpdated(call('b', T0, { status: 'ended', endedAt: T0 + 10 }));
    expect(tray().tooltip).toBe('Switchboard: No live calls');
    expect(tray().menu!.template.find((i) => i['id'] === 'quit')).toMatchObject({ label: 'Quit Switchboard' });
  });

  it('on macOS puts the counts beside the icon', async () => {
    core.liveCalls = [call('a', T0), call('b', T0, { alert: { id: 'x', ruleId: 'r', severity: 'critical', title: 't', atMs: 1 }, openAlerts: 1 })];
    await launch({ platform: 'darwin' });
    expect(tray().title).toBe('2 · 1!');
    expect(tray().image.path).toMatch(/16x16\.png$/);
  });

  it('its menu starts a demo call and opens Settings in the window, shown from the tray', async () => {
    const shell = await launch();
    const win = electron.stubWindow(shell);
    win.close();
    tray().clickItem('demo');
    expect(win.isVisible()).toBe(true);
    tray().clickItem('settings');
    expect(commandsSent(win)).toEqual([{ kind: 'start-demo' }, { kind: 'shortcut', id: 'settings' }]);
  });
});

describe('notifications', () => {
  it('the page asks, the shell shows; a click brings the window forward on that call', async () => {
    const shell = await launch();
    const win = electron.stubWindow(shell);
    win.close(); // in the tray
    ipcMain.sendFrom(win.webContents, ipcChannels.notify, [{ title: 'The AI asks for a person', body: '+1 555: billing', tag: 'takeover-request:c1', callId: 'c1' }]);
    const shown = Notification.instances.filter((n) => n.options.title === 'The AI asks for a person');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.options.silent).toBe(true);

    // The same tag replaces the earlier notification rather than stacking.
    ipcMain.sendFrom(win.webContents, ipcChannels.notify, [{ title: 'The AI asks for a person', body: 'again', tag: 'takeover-request:c1', callId: 'c1' }]);
    expect(shown[0]!.closed).toBe(true);
    const latest = Notification.instances.at(-1)!;
    latest.click();
    expect(win.isVisible()).toBe(true);
    expect(commandsSent(win)).toEqual([{ kind: 'open-call', callId: 'c1' }]);
  });

  it('refuses malformed notices and notices from anything but our page', async () => {
    const shell = await launch();
    const win = electron.stubWindow(shell);
    const before = Notification.instances.length;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    ipcMain.sendFrom(win.webContents, ipcChannels.notify, [{ title: '', body: 'x', tag: 't' }]);
    ipcMain.sendFrom(win.webContents, ipcChannels.notify, [{ title: 'x', body: 'x', tag: 't', extra: true }]);
    ipcMain.sendFrom(win.webContents, ipcChannels.notify, ['just a string']);
    expect(errors).toHaveBeenCalledTimes(3);
    errors.mockRestore();
    win.webContents.navigateTo('https://example.com/');
    ipcMain.sendFrom(win.webContents, ipcChannels.notify, [{ title: 'x', body: 'x', tag: 't' }]);
    expect(Notification.instances.length).toBe(before);
  });
});

describe('quitting', () => {
  it('with calls live, Quit asks first; Cancel keeps everything running', async () => {
    core.liveCalls = [call('a', T0), call('b', T0)];
    const shell = await launch();
    dialog.nextResponse = 1; // Cancel
    tray().clickItem('quit');
    await settle();
    expect(dialog.messageBoxes).toHaveLength(1);
    expect(dialog.messageBoxes[0]).toMatchObject({ message: '2 calls are live. Quit and end them?', cancelId: 1, defaultId: 1 });
    expect(app.quitCalls).toBe(0);
    expect(core.closed).toBe(false);
    expect(electron.stubWindow(shell).isDestroyed()).toBe(false);
  });

  it('Quit ends the calls through the core, waits for it, then closes the window and exits', async () => {
    core.liveCalls = [call('a', T0)];
    const shell = await launch();
    const win = electron.stubWindow(shell);
    dialog.nextResponse = 0; // End the call and quit
    await shell.requestQuit();
    await settle();
    expect(core.closed).toBe(true);
    expect(app.quitCalls).toBe(2); // held once for the core, then for real
    expect(win.isDestroyed()).toBe(true);
    expect(tray().destroyed).toBe(true);
  });

  it('with no live calls, quits without asking', async () => {
    const shell = await launch();
    await shell.requestQuit();
    await settle();
    expect(dialog.messageBoxes).toHaveLength(0);
    expect(core.closed).toBe(true);
  });

  it('a core that hangs on close does not hold the app forever', async () => {
    core.hangOnClose = true;
    const shell = await launch({ closeTimeoutMs: 20 });
    const win = electron.stubWindow(shell);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    app.quit();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await settle();
    expect(errors.mock.calls.some((c) => String(c[0]).includes('took longer than 20 ms'))).toBe(true);
    errors.mockRestore();
    expect(win.isDestroyed()).toBe(true);
    expect(shell.window()).toBeNull();
    expect(app.quitCalls).toBe(2);
  });

  it('a core that fails to start says why and exits', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    startShell({ mainDir: '/x', startCore: async () => Promise.reject(new Error('database is locked')) });
    await app.becomeReady();
    await settle();
    errors.mockRestore();
    expect(dialog.errors).toEqual([{ title: 'Switchboard could not start', content: 'database is locked' }]);
    expect(app.exitCode).toBe(1);
  });
});
