/**
 * Private files (issue 10): a real core started in a fresh data folder, a short recorded demo
 * call, an export, and every settings file written; then every folder under the data folder
 * must be 0700 and every file 0600 (the database and its -wal/-shm, secrets, the console
 * token, settings, recordings, exports, the engines' cache), while the core runs and after it
 * closes. A data folder left open by an older build is tightened at the next start.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateConsoleToken } from '../../src/main/headless/console-token';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

/** Every entry under `root` (root included) as "relative/path mode", folders with a trailing slash. */
function modes(root: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    const name = relative(root, path) || '.';
    if (stat.isDirectory()) {
      out.push(`${name}/ ${(stat.mode & 0o777).toString(8)}`);
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else {
      out.push(`${name} ${(stat.mode & 0o777).toString(8)}`);
    }
  };
  walk(root);
  return out.sort();
}

const wider = (entries: string[]) => entries.filter((entry) => !(entry.endsWith('/ 700') || (!entry.includes('/ ') && entry.endsWith(' 600'))));

describe.skipIf(process.platform === 'win32')('the data folder is private', () => {
  let harness: CoreHarness | null = null;
  afterAll(async () => {
    await harness?.core.close();
  });

  it('creates every folder 0700 and every file 0600 through a recorded call, an export and every settings write', async () => {
    // A folder that does not exist yet (the shells create theirs the same way, through the core).
    const dataDir = join(mkdtempSync(join(tmpdir(), 'switchboard-private-')), 'data');
    harness = await startHarness(dataDir);
    const h = harness;
    loadOrCreateConsoleToken(dataDir); // the headless shell's token, kept beside the data

    // A short recorded demo call (demo calls are recorded by default): ended by the agent as
    // soon as its recording has begun, which is enough to create the file.
    const { callSid } = await h.call('demo.start', { scenarioId: (await h.call('demo.scenarios'))[0]!.id });
    await until(() => h.callIdFor(callSid) !== undefined, 10_000, 'the call');
    const callId = h.callIdFor(callSid)!;
    const recordingState = async () => (await h.call('calls.get', { callId })).recordings;
    const waitFor = async (what: string, ready: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 10_000; !(await ready()); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitFor('the recording to start', async () => (await recordingState()).length === 1);
    await h.call('call.end', { callId });
    await waitFor('the recording to be finished', async () => (await recordingState())[0]?.durationMs !== null);

    // An export of the lines, to its end.
    const job = await h.call('export.start', { format: 'csv', content: 'both' });
    await until(() => h.events.some((e) => e.name === 'export.progress' && e.payload.id === job.id && e.payload.state !== 'running'), 30_000, 'the export');
    expect(h.events.find((e) => e.name === 'export.progress' && e.payload.id === job.id && e.payload.state !== 'running')?.payload).toMatchObject({ state: 'done' });

    // Every settings file written at least once.
    await h.call('settings.update', { keepCallsDays: 60 });
    await h.call('telephony.update', { publicBaseUrl: 'https://example.ngrok.app' });
    await h.call('providers.update', { stt: 'offline' });
    await h.call('alerts.saveRules', { rules: await h.call('alerts.rules') });
    await h.call('secrets.set', { name: 'geminiApiKey', value: 'AIza-private-files-test-key' });

    const whileRunning = modes(dataDir);
    expect(whileRunning).toEqual(
      expect.arrayContaining([
        './ 700',
        'switchboard.db 600',
        'switchboard.db-wal 600',
        'switchboard.db-shm 600',
        'secrets.json 600',
        'console-token 600',
        'settings.json 600',
        'telephony.json 600',
        'providers.json 600',
        'alert-rules.json 600',
        'recordings/ 700',
        'exports/ 700',
      ]),
    );
    expect(whileRunning.filter((e) => e.startsWith('recordings/') && e.endsWith('.wav 600'))).toHaveLength(1);
    expect(whileRunning.filter((e) => e.startsWith('exports/') && !e.endsWith('/ 700'))).not.toHaveLength(0);
    expect(wider(whileRunning)).toEqual([]);

    await h.core.close();
    harness = null;
    expect(wider(modes(dataDir))).toEqual([]);

    // An older build left the folder and its files open to others: the next start closes them.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'switchboard.db'), 0o644);
    chmodSync(join(dataDir, 'settings.json'), 0o644);
    writeFileSync(join(dataDir, 'switchboard.db-wal'), '', { mode: 0o644 }); // as a crash may leave it
    chmodSync(join(dataDir, 'switchboard.db-wal'), 0o644);
    harness = await startHarness(dataDir);
    expect(wider(modes(dataDir))).toEqual([]);
  }, 90_000);
});
