#!/usr/bin/env node
/**
 * `npm start`: builds the app (electron-vite build), then runs it
 *   - in Electron, when the Electron runtime is installed and there is a display;
 *   - otherwise as the headless console (`node out/main/serve.js`), which prints a
 *     http://127.0.0.1:PORT/?token=… URL to open in any browser.
 * Extra arguments are passed to Electron / serve.js. Signals are forwarded to the child
 * and its exit code (or signal) becomes ours.
 *
 * The headless console opens in the default browser when there is a desktop to show it on;
 * `npm start -- --no-open` keeps it from doing so (serve.js prints the URL either way).
 *
 * Electron is detected by its files (node_modules/electron/path.txt and dist/), never by
 * importing it: `require('electron')` under plain Node tries to download the binary.
 *
 * Environment: SWITCHBOARD_HEADLESS=1 forces the headless console. SWITCHBOARD_PORT,
 * SWITCHBOARD_TOKEN and SWITCHBOARD_DATA_DIR are passed through to serve.js.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const noOpen = process.argv.includes('--no-open');
const args = process.argv.slice(2).filter((arg) => arg !== '--no-open');
const isWindows = process.platform === 'win32';

function fail(message, code = 1) {
  console.error(`start: ${message}`);
  process.exit(code);
}

// ---------------------------------------------------------------------------------------
// 1. Build

const electronVite = join(root, 'node_modules', '.bin', isWindows ? 'electron-vite.cmd' : 'electron-vite');
if (!existsSync(electronVite)) fail('electron-vite is not installed: run `npm run setup` (or `npm ci`) first');
// Quietly: a page of bundle sizes says nothing to someone starting the app; warnings and errors still show.
console.log('start: building the console…');
const buildStarted = Date.now();
const build = spawnSync(electronVite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit', shell: isWindows });
if (build.error) fail(`electron-vite build: ${build.error.message}`);
if (build.status !== 0) fail(`electron-vite build failed (exit ${build.status ?? build.signal})`, build.status ?? 1);
console.log(`start: built in ${((Date.now() - buildStarted) / 1000).toFixed(1)} s`);

// ---------------------------------------------------------------------------------------
// 2. Electron or headless?

/** Absolute path of the Electron executable, or null when the runtime is not installed. */
function electronBinary() {
  const pkgDir = join(root, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  if (!relative) return null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkgDir, 'dist');
  const binary = join(distDir, relative);
  return existsSync(binary) ? binary : null;
}

function hasDisplay() {
  if (process.platform === 'darwin' || isWindows) return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

let command;
let commandArgs;
const electron = electronBinary();
const headlessReason =
  process.env.SWITCHBOARD_HEADLESS === '1'
    ? 'SWITCHBOARD_HEADLESS=1'
    : !electron
      ? 'Electron runtime not installed'
      : !hasDisplay()
        ? 'no display ($DISPLAY / $WAYLAND_DISPLAY unset)'
        : null;

if (headlessReason === null && electron) {
  command = electron;
  commandArgs = [root, ...args];
} else {
  const serve = join(root, 'out', 'main', 'serve.js');
  if (!existsSync(serve)) fail(`${serve} was not built`);
  console.log(`start: ${headlessReason} — starting the headless console`);
  command = process.execPath;
  commandArgs = [serve, ...(hasDisplay() && !noOpen ? ['--open'] : []), ...args];
}

// ---------------------------------------------------------------------------------------
// 3. Run, forwarding signals and the exit status

// On POSIX the child gets its own process group, so a terminal Ctrl-C reaches it once,
// through us, rather than twice (directly and forwarded).
const child = spawn(command, commandArgs, {
  cwd: root,
  stdio: 'inherit',
  detached: !isWindows,
  env: process.env,
});

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const lastForwardedAt = new Map();
const forward = (signal) => {
  // npm forwards SIGINT/SIGTERM to us and the terminal delivers them too: one per burst.
  const now = Date.now();
  if (now - (lastForwardedAt.get(signal) ?? 0) < 500) return;
  lastForwardedAt.set(signal, now);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of FORWARDED) process.on(signal, forward);

// If we die some other way, don't leave the app running on its own.
process.on('exit', () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

child.on('error', (error) => fail(`could not start ${command}: ${error.message}`));
child.on('exit', (code, signal) => {
  for (const s of FORWARDED) process.off(s, forward);
  if (signal) {
    // Die of the same signal so our parent sees what happened.
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
