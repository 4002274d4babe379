/**
 * The telephony port is where the user's tunnel forwards: when the saved port is taken by
 * another program the console still starts, but the public server does not quietly move to
 * another port; telephony.get (Settings → Telephony) and the start-up output say what is
 * wrong, and saving a port tries again.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelephonySettings } from '../../src/main/core/telephony/twilio-settings';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { startServe, type ServeProcess } from '../support/serve-process';

/** Another program holding a loopback port. */
async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

const release = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A data folder whose telephony settings saved `port` (a previous session's). */
function dataDirWithPort(port: number): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-port-'));
  createTelephonySettings(dataDir).update({ localPort: port });
  return dataDir;
}

describe('the telephony port', () => {
  let harness: CoreHarness | undefined;
  let serve: ServeProcess | undefined;
  let free: ServeProcess | undefined;
  const blockers: Server[] = [];
  afterEach(async () => {
    await harness?.core.close();
    harness = undefined;
    await Promise.all([serve?.stop(), free?.stop()]);
    serve = free = undefined;
    await Promise.all(blockers.splice(0).map(release));
  });

  it('taken at start: the console starts, telephony says why it is not listening, and saving the port retries', async () => {
    const taken = await occupyPort();
    blockers.push(taken.server);
    harness = await startHarness(dataDirWithPort(taken.port));

    const state = await harness.call('telephony.get', {});
    expect(state.localUrl).toBeNull(); // not listening somewhere the tunnel doesn't point
    expect(state.listenProblem).toBe(
      `Not listening for Twilio: port ${taken.port} is in use by another program, so real calls can't reach this console. ` +
        'Stop that program and restart Switchboard, or choose another local port in Settings → Telephony (and point your tunnel at it).',
    );
    expect(state.settings.localPort).toBe(taken.port); // the saved port is kept
    expect(state.ready).toBe(false);
    expect(state.missing).toContain(`a local port Switchboard can listen on (port ${taken.port} is unavailable)`);
    // The rest of the console works.
    expect((await harness.core.dispatch('app.info', {})).ok).toBe(true);
    expect(await harness.call('calls.list', {})).toEqual([]);

    // Still taken: saving it again is refused with the reason, and nothing changes.
    expect(await harness.core.dispatch('telephony.update', { localPort: taken.port })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: `Can't listen there: port ${taken.port} is in use by another program` },
    });
    expect((await harness.call('telephony.get', {})).listenProblem).not.toBeNull();

    // The other program is gone: saving the same port listens there, and the problem clears.
    blockers.splice(0);
    await release(taken.server);
    const fixed = await harness.call('telephony.update', { localPort: taken.port });
    expect(fixed).toMatchObject({ localUrl: `http://127.0.0.1:${taken.port}`, listenProblem: null });
    expect(fixed.missing.some((m) => m.startsWith('a local port'))).toBe(false);
    const answered = await fetch(`http://127.0.0.1:${taken.port}/no-such-webhook`);
    expect(answered.status).toBe(404); // the public server's own answer
    expect(await answered.text()).toBe('not found\n');
  });

  it('free at start: listens on the saved port with no problem', async () => {
    const probe = await occupyPort();
    await release(probe.server); // a port that was free a moment ago
    harness = await startHarness(dataDirWithPort(probe.port));
    expect(await harness.call('telephony.get', {})).toMatchObject({ localUrl: `http://127.0.0.1:${probe.port}`, listenProblem: null });
  });

  it('npm start prints the tunnel commands, or plainly why real calls cannot arrive', async () => {
    const taken = await occupyPort();
    blockers.push(taken.server);
    const probe = await occupyPort();
    await release(probe.server); // a port that was free a moment ago
    // Both at once: each start loads the whole core.
    serve = startServe(['--port', '0'], { SWITCHBOARD_DATA_DIR: dataDirWithPort(taken.port) });
    free = startServe(['--port', '0'], { SWITCHBOARD_DATA_DIR: dataDirWithPort(probe.port) });

    const [, consoleUrl] = await serve.waitFor(/Switchboard console: (\S+)/, 60_000);
    await serve.waitFor(/Telephony: .*/, 10_000);
    expect(serve.stderr()).toContain(`Telephony: Not listening for Twilio: port ${taken.port} is in use by another program`);
    // The console itself is up, and its URL is what stdout ends with, on its own (issue 13).
    expect((await fetch(new URL('/healthz', consoleUrl!))).status).toBe(200);
    expect(serve.stdout().trimEnd().split('\n').at(-1)).toBe(`Switchboard console: ${consoleUrl}`);
    expect(serve.stdout()).not.toContain('"level"');

    const [line] = await free.waitFor(/Telephony: .*/, 60_000);
    expect(line).toBe(
      `Telephony: Twilio's webhooks and audio on http://127.0.0.1:${probe.port}; tunnel it with \`ngrok http ${probe.port}\` or \`cloudflared tunnel --url http://127.0.0.1:${probe.port}\``,
    );
  });
});
