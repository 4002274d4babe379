/**
 * Where a worker thread's script is, for the core's workers (export, analytics, alert backtests,
 * the ElevenLabs connection test, team sync):
 * - from the electron-vite build, out/main/<name>.js (an entry of its own in
 *   electron.vite.config.ts), found beside the bundle that holds this code;
 * - from the TypeScript sources (vitest, the CLI, benchmarks: this module's own URL ends in
 *   .ts), the same entry bundled on first use by dev-worker.mjs;
 * - SWITCHBOARD_WORKERS_DIR overrides both (packaged builds that ship them elsewhere).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type WorkerName = 'export-worker' | 'analytics-worker' | 'alerts-backtest-worker' | 'elevenlabs-probe-worker' | 'sync-worker';

/** Each worker's entry, relative to src/main/core. */
export const SOURCE_ENTRIES: Readonly<Record<WorkerName, string>> = {
  'export-worker': 'export/worker.ts',
  'analytics-worker': 'history/analytics-worker.ts',
  'alerts-backtest-worker': 'alerts/backtest-worker.ts', // alerts (issue 8)
  'elevenlabs-probe-worker': 'providers/tts/elevenlabs-probe-worker.ts', // its SDK's load blocks a thread for seconds
  'sync-worker': 'sync/sync-worker.ts', // team sync (issue 12)
};

/**
 * Found once per process: a process run from the sources through Vite's module runner
 * (run-ts.mjs) can import nothing once its entry module has finished loading, so a worker
 * (re)started later (team sync after a settings change) must not need an import.
 */
const found = new Map<WorkerName, Promise<string>>();

export function workerScript(name: WorkerName): Promise<string> {
  let script = found.get(name);
  if (!script) {
    script = locate(name);
    found.set(name, script);
    script.catch(() => found.delete(name));
  }
  return script;
}

async function locate(name: WorkerName): Promise<string> {
  const override = process.env.SWITCHBOARD_WORKERS_DIR;
  if (override) return join(override, `${name}.js`);
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // A computed specifier: bundlers leave it alone, so the built app never pulls in Vite.
    const dev = (await import(pathToFileURL(join(dirname(here), 'dev-worker.mjs')).href)) as {
      buildWorker(entry: string): Promise<string>;
    };
    return dev.buildWorker(join(dirname(here), '..', SOURCE_ENTRIES[name]));
  }
  // Bundled: this code sits in out/main/<entry>.js or in a shared chunk one folder below.
  for (const dir of [dirname(here), dirname(dirname(here))]) {
    const candidate = join(dir, `${name}.js`);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`worker script ${name}.js not found next to ${here}; rebuild, or set SWITCHBOARD_WORKERS_DIR`);
}
