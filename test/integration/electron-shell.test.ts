/**
 * The Electron shell (Electron stubbed: the runtime cannot run here) around a real core:
 * - both shells expose the same command set: every command of the contract, and an unknown
 *   one, answers the same through the Electron shell's IPC as through the headless console's
 *   WebSocket;
 * - the tray counts a real live call, and Quit ends it cleanly: the call is recorded as ended
 *   when the app exits, as a restart shows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commands } from '../../src/shared/contract';
import { ipcChannels } from '../../src/shared/ipc';
import { startHeadlessServer, type HeadlessServer } from '../../src/main/headless/server';
import { silentLogger } from '../../src/main/core/log';
import { startShell, type ShellHandle } from '../../src/main/shell/main';
import * as electron from '../support/electron-stub';
import { dialCaller, startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

vi.mock('../../src/main/shell/electron', () => import('../support/electron-stub'));

const TOKEN = 'electron-shell-test-token-0123456789';

describe('the Electron shell around a real core', () => {
  let harness: CoreHarness;
  let shell: ShellHandle;
  let server: HeadlessServer;
  let ws: WebSocket;
  const frames: Array<{ type: string; id?: number; result?: unknown }> = [];

  beforeAll(async () => {
    electron.resetElectron();
    harness = await startHarness(mkdtempSync(join(tmpdir(), 'switchboard-electron-shell-')));
    shell = startShell({ mainDir: join(tmpdir(), 'no-bundle', 'main'), startCore: async () => harness.core })!;
    await electron.app.becomeReady();
    await shell.corePromise;
    const rendererDir = mkdtempSync(join(tmpdir(), 'switchboard-renderer-'));
    server = await startHeadlessServer({ core: harness.core, token: TOKEN, rendererDir, logger: silentLogger, port: 0 });
    ws = new WebSocket(`${server.url.replace('http', 'ws')}/api?token=${TOKEN}`);
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  });

  afterAll(async () => {
    ws?.close();
    await server?.close();
    await harness?.core.close();
  });

  let nextId = 1;
  async function overWebSocket(name: string, input: unknown): Promise<unknown> {
    const id = nextId++;
    ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
    await until(() => frames.some((f) => f.type === 'result' && f.id === id), 5000, `the reply to ${name}`);
    return frames.find((f) => f.type === 'result' && f.id === id)!.result;
  }
  const overIpc = (name: string, input: unknown) => electron.ipcMain.invokeFrom(electron.stubWindow(shell).webContents, ipcChannels.invoke, [name, input]);

  it('both shells expose the same command set, and answer every command alike', async () => {
    const names = Object.keys(commands);
    expect(names.length).toBeGreaterThan(40);
    // A field no command takes: every command refuses it at the boundary, the same way in both
    // shells, so the comparison runs nothing for real.
    for (const name of names) {
      const bad = { notAField: true };
      const [ipc, socket] = [await overIpc(name, bad), await overWebSocket(name, bad)];
      expect(ipc, name).toEqual(socket);
      expect(ipc, name).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(JSON.stringify(ipc), name).not.toContain('unknown command');
    }
    // A read that succeeds, and a command neither shell has.
    expect(await overIpc('calls.list', { scope: 'ended', limit: 5 })).toEqual(await overWebSocket('calls.list', { scope: 'ended', limit: 5 }));
    const unknown = await overIpc('calls.delete_everything', {});
    expect(unknown).toEqual(await overWebSocket('calls.delete_everything', {}));
    expect(JSON.stringify(unknown)).toContain('unknown command');
  });

  it('the tray counts a live call, and Quit ends it cleanly before the app exits', async () => {
    const tray = () => electron.Tray.instances.at(-1)!;
    const { caller, callId } = await dialCaller(harness, 'Hello, I have a question about my bill.', 30_000);
    await until(() => shell.counts().live === 1, 5000, 'the tray to count the call');
    expect(tray().tooltip).toMatch(/^Switchboard: 1 live call/);
    expect(tray().menu!.template.find((i) => i['id'] === 'quit')).toMatchObject({ label: 'Quit (ends 1 live call)' });

    electron.dialog.nextResponse = 0; // "End the call and quit"
    tray().clickItem('quit');
    await until(() => electron.app.quitCalls === 2, 10_000, 'the app to quit after the core closed');
    expect(electron.dialog.messageBoxes.at(-1)).toMatchObject({ message: 'A call is live. Quit and end it?' });
    expect(harness.latest(callId)).toMatchObject({ status: 'ended', endReason: 'console_closed' });
    caller.hangUp(); // a no-op if the core already closed its stream

    // The record survives: a new core on the same data folder finds the call ended.
    const restarted = await startHarness(harness.dataDir);
    try {
      expect(await restarted.call('calls.get', { callId })).toMatchObject({ call: { status: 'ended', endReason: 'console_closed' } });
    } finally {
      await restarted.core.close();
    }
  }, 60_000);
});
