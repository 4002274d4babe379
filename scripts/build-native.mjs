#!/usr/bin/env node
/**
 * Builds the PocketSphinx N-API addon (native/pocketsphinx) with node-gyp when its .node
 * file is missing or older than any of its sources. Prints one line; exits non-zero with a
 * clear message when the system library or the build fails.
 *
 * The addon uses plain node_api.h, so one build serves Node (tests, headless shell) and
 * Electron alike: no electron-rebuild step.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = join(root, 'native', 'pocketsphinx');
const output = join(addonDir, 'build', 'Release', 'pocketsphinx.node');
const force = process.argv.includes('--force');

function fail(message) {
  console.error(`build-native: ${message}`);
  process.exit(1);
}

function newestSourceMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'build' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!force && existsSync(output) && statSync(output).mtimeMs >= newestSourceMtimeMs(addonDir)) {
  console.log(`build-native: pocketsphinx addon up to date (${output})`);
  process.exit(0);
}

// Check the system library first so the failure names the missing Debian package rather
// than showing a compiler error.
try {
  execFileSync('pkg-config', ['--exists', 'pocketsphinx', 'sphinxbase'], { stdio: 'ignore' });
} catch {
  fail(
    'libpocketsphinx-dev / libsphinxbase-dev not found by pkg-config. ' +
      'Install them: apt-get install -y libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us',
  );
}

let nodeGyp;
try {
  nodeGyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  fail('node-gyp is not installed (it is a devDependency: run npm ci first)');
}

// Node's headers ship with Debian's nodejs in /usr/include/node; node-gyp would otherwise
// try to download them, and there is no internet here.
const nodedir = process.env.npm_config_nodedir ?? (existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
const args = [nodeGyp, 'rebuild', '--directory', addonDir, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const started = Date.now();
const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
if (result.status !== 0 || !existsSync(output)) {
  process.stderr.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  fail(`node-gyp failed to build the pocketsphinx addon (exit ${result.status ?? result.signal})`);
}
console.log(`build-native: built pocketsphinx addon in ${Date.now() - started} ms (${output})`);
