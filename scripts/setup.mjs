#!/usr/bin/env node
/**
 * Makes a checkout ready to start and test: system packages, node_modules, native addon.
 * Runs as npm `prestart`/`pretest`, i.e. possibly BEFORE node_modules exists, so it uses
 * Node builtins only. Idempotent; when there is nothing to do it prints one line and
 * takes a few tens of milliseconds.
 *
 *   1. Debian packages (chromium for browser tests, flite + pocketsphinx for the offline
 *      speech engines, their -dev headers and a compiler toolchain for the native
 *      addons). Installed with apt-get when running as root;
 *      otherwise prints the sudo command and exits 1. Skipped on non-Debian systems.
 *   2. `npm ci` when node_modules is missing or package-lock.json (or Node's ABI)
 *      changed since the last setup (stamp: node_modules/.switchboard-setup).
 *   3. `node scripts/build-native.mjs` (builds the PocketSphinx addon when stale).
 *
 * Environment:
 *   SWITCHBOARD_SKIP_APT=1   don't check or install system packages
 *   npm_config_nodedir       Node headers for node-gyp (defaults to /usr when
 *                            /usr/include/node/node_api.h exists: no header download)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = process.hrtime.bigint();
const lockFile = join(root, 'package-lock.json');
const nodeModules = join(root, 'node_modules');
const stampFile = join(nodeModules, '.switchboard-setup');
const buildNative = join(root, 'scripts', 'build-native.mjs');

/** Debian packages the app, the native addons and the tests need. */
const APT_PACKAGES = [
  'chromium', // renderer e2e tests (Playwright drives Debian's Chromium)
  'flite', // offline TTS
  'pocketsphinx', // offline STT (pocketsphinx_continuous, libraries)
  'pocketsphinx-en-us', // its acoustic model and dictionary
  'libpocketsphinx-dev', // headers for native/pocketsphinx
  'libsphinxbase-dev',
  'pkg-config', // build-native.mjs finds pocketsphinx with it
  'g++', // node-gyp: better-sqlite3 and the pocketsphinx addon
  'make',
  'python3',
  'postgresql', // team sync tests and bench:sync start a private server from it (test/support/postgres.ts)
];

const done = [];

function elapsedMs() {
  return Number((process.hrtime.bigint() - started) / 1_000_000n);
}

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

// ---------------------------------------------------------------------------------------
// 1. System packages

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function missingAptPackages() {
  // dpkg-query exits 1 if any name is unknown, but still prints the ones it knows.
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...APT_PACKAGES], {
    encoding: 'utf8',
  });
  const installed = new Set();
  for (const line of (result.stdout ?? '').split('\n')) {
    const [name, ...status] = line.trim().split(/\s+/);
    if (name && status.join(' ') === 'install ok installed') installed.add(name.replace(/:.*$/, ''));
  }
  return APT_PACKAGES.filter((name) => !installed.has(name));
}

function ensureAptPackages() {
  if (process.env.SWITCHBOARD_SKIP_APT === '1') {
    done.push('system packages not checked (SWITCHBOARD_SKIP_APT=1)');
    return;
  }
  if (process.platform !== 'linux' || !existsSync('/etc/debian_version') || !commandExists('dpkg-query')) {
    done.push(
      `not Debian: skipped system packages (install flite, pocketsphinx + en-us model + dev headers, chromium and postgresql yourself)`,
    );
    return;
  }
  const missing = missingAptPackages();
  if (missing.length === 0) return;

  const install = ['install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    fail(
      `missing Debian packages: ${missing.join(' ')}\n` +
        `  Install them, then run this again:\n` +
        `    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get ${install.join(' ')}\n` +
        `  (or set SWITCHBOARD_SKIP_APT=1 to skip this check)`,
    );
  }
  console.log(`setup: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', install, { env });
  done.push(`installed ${missing.join(' ')}`);
}

// ---------------------------------------------------------------------------------------
// 2. node_modules

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** What the stamp records: the lock's hash and the ABI the native modules were built for. */
function wantedStamp() {
  const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
  return { lockHash, nodeAbi: process.versions.modules };
}

function stampMatches(wanted) {
  const stamp = readJson(stampFile);
  return stamp?.lockHash === wanted.lockHash && stamp?.nodeAbi === wanted.nodeAbi;
}

/**
 * True when node_modules already holds exactly what the lock asks for (npm's own record,
 * node_modules/.package-lock.json, agrees with package-lock.json). Lets a checkout that
 * was installed by hand adopt a stamp without reinstalling everything.
 */
function installedTreeMatchesLock() {
  const lock = readJson(lockFile)?.packages;
  const installed = readJson(join(nodeModules, '.package-lock.json'))?.packages;
  if (!lock || !installed) return false;
  for (const [path, entry] of Object.entries(lock)) {
    if (path === '' || entry.link || entry.extraneous) continue;
    const have = installed[path];
    if (!have) {
      if (entry.optional || entry.devOptional) continue; // other platforms' binaries
      return false;
    }
    if (have.version !== entry.version) return false;
    if (entry.integrity && have.integrity && have.integrity !== entry.integrity) return false;
  }
  for (const path of Object.keys(installed)) if (!lock[path]) return false;
  return true;
}

function npmCommand() {
  // Under `npm run`/pretest, npm tells us where it is; otherwise use the one on PATH.
  const npmCli = process.env.npm_execpath;
  if (npmCli && /npm-cli\.[cm]?js$/.test(npmCli)) return { command: process.execPath, prefix: [npmCli] };
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', prefix: [] };
}

function ensureNodeModules() {
  if (!existsSync(lockFile)) fail('package-lock.json is missing');
  const wanted = wantedStamp();
  const haveModules = existsSync(nodeModules);
  if (haveModules && stampMatches(wanted)) return;

  const writeStamp = () => {
    mkdirSync(nodeModules, { recursive: true });
    writeFileSync(stampFile, `${JSON.stringify(wanted)}\n`);
  };
  const stampAbi = readJson(stampFile)?.nodeAbi;
  const abiChanged = stampAbi !== undefined && stampAbi !== wanted.nodeAbi;
  if (haveModules && !abiChanged && installedTreeMatchesLock()) {
    writeStamp();
    done.push('node_modules already matches package-lock.json');
    return;
  }

  const env = { ...process.env };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
  const reason = !haveModules ? 'node_modules missing' : abiChanged ? 'Node ABI changed' : 'package-lock.json changed';
  console.log(`setup: ${reason}: running npm ci (1–3 minutes: it compiles SQLite for better-sqlite3)…`);
  const npm = npmCommand();
  const t0 = Date.now();
  // --loglevel=error: npm otherwise prints a screenful of EBADENGINE warnings for Electron's
  // build tools, which want Electron's newer Node and never run under this one; errors still show.
  // --prefer-offline: packages already in npm's cache are used without asking the registry
  // again (the lock pins exact versions and integrity hashes, so nothing stale can slip in).
  run(npm.command, [...npm.prefix, 'ci', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], {
    env,
    shell: npm.command.endsWith('.cmd'),
  });
  writeStamp();
  done.push(`npm ci (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

// ---------------------------------------------------------------------------------------
// 3. Native addon

function ensureNativeAddon() {
  if (!existsSync(buildNative)) return;
  const env = { ...process.env };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
  const t0 = Date.now();
  const result = spawnSync(process.execPath, [buildNative], { cwd: root, env, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0) {
    if (output) console.error(output);
    fail(`scripts/build-native.mjs failed (exit ${result.status ?? result.signal})`);
  }
  if (!/up to date/i.test(output)) {
    if (output) console.log(output);
    done.push(`native addon built (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

// ---------------------------------------------------------------------------------------

ensureAptPackages();
ensureNodeModules();
ensureNativeAddon();
// The total comes first, so it can't be read as the last step's time.
console.log(`setup: done in ${(elapsedMs() / 1000).toFixed(1)} s: ${done.length ? done.join('; ') : 'up to date'}`);
