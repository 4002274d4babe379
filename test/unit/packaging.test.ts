/**
 * What the packaged app loads at run time is in the package (issue 13). The Electron runtime
 * and electron-builder cannot run here, so this checks electron-builder.yml against every
 * run-time file the main process uses, with electron-builder's own matcher (app-builder-lib's
 * FileMatcher: minimatch with dot files, a bare folder name meaning its whole tree, "!"
 * patterns excluding): a new worker, addon or resource cannot be forgotten.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POCKETSPHINX_ADDON_FILE } from '../../src/main/core/providers/stt/pocketsphinx-addon';
import { POCKETSPHINX_WORKER_FILE } from '../../src/main/core/providers/stt/pocketsphinx';
import { SOURCE_ENTRIES } from '../../src/main/core/workers/worker-script';

const ROOT = join(import.meta.dirname, '..', '..');
// electron-builder's own code and its YAML reader, as it loads them.
const builderRequire = createRequire(join(ROOT, 'node_modules', 'app-builder-lib', 'package.json'));
const { FileMatcher } = builderRequire('./out/fileMatcher.js') as {
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean };
};
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  directories: { buildResources: string };
  mac: { hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; extendInfo: Record<string, string>; icon: string };
  win: { icon: string };
  linux: { icon: string };
  electronFuses: Record<string, boolean>;
  nsis: { oneClick: boolean; perMachine: boolean; allowToChangeInstallationDirectory: boolean };
}
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };

const aFile = { isDirectory: () => false };
/** Whether `file` (relative to `from`) is selected by `patterns`, as electron-builder decides. */
function selects(patterns: string[], file: string, from = ROOT): boolean {
  return new FileMatcher(from, from, (s) => s, patterns).createFilter()(join(from, file), aFile);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** Everything the main process loads from the app at run time, relative to the app's root. */
const RUN_TIME_FILES = [
  packageJson.main, // the Electron shell
  'out/preload/index.cjs',
  'out/renderer/index.html',
  // The core's worker threads, each an entry of its own beside the main bundle.
  ...Object.keys(SOURCE_ENTRIES).map((name) => `out/main/${name}.js`),
  // The offline recogniser: its worker script (not bundled) and its addon.
  POCKETSPHINX_WORKER_FILE,
  POCKETSPHINX_ADDON_FILE,
];

/** Native addons: the OS loads them from a real file, so they must be unpacked beside app.asar. */
const NATIVE_FILES = [POCKETSPHINX_ADDON_FILE, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'];

describe('electron-builder.yml ships what the main process loads', () => {
  it('every run-time file is in the app (files)', () => {
    const missing = RUN_TIME_FILES.filter((file) => !selects(config.files, file));
    expect(missing, 'add these to files: in electron-builder.yml').toEqual([]);
  });

  it('source maps and the sources themselves stay out, apart from the recogniser worker', () => {
    expect(selects(config.files, 'out/main/index.js.map')).toBe(false);
    expect(selects(config.files, 'src/main/core/app.ts')).toBe(false);
    expect(selects(config.files, 'test/unit/packaging.test.ts')).toBe(false);
  });

  it('native addons are unpacked (asarUnpack)', () => {
    const packed = NATIVE_FILES.filter((file) => !selects(config.asarUnpack, file));
    expect(packed, 'add these to asarUnpack: in electron-builder.yml').toEqual([]);
  });

  it('every resource the core reads (knowledge base, scenarios, STT corpus, intents) is an extra resource; packager-only files are not', () => {
    const resources = config.extraResources.find((r) => r.from === 'resources' && r.to === 'resources');
    expect(resources, 'resources/ -> <resourcesPath>/resources (src/main/index.ts reads it there)').toBeDefined();
    const shipped = (file: string) => selects(resources!.filter, file, join(ROOT, 'resources'));
    const packagerOnly = [config.mac.entitlements].map((file) => relative('resources', file));
    const files = filesUnder(join(ROOT, 'resources')).filter((file) => !packagerOnly.includes(file));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((file) => !shipped(file))).toEqual([]);
    expect(packagerOnly.filter(shipped)).toEqual([]);
  });

  it('macOS: hardened runtime with the microphone entitlement and its usage string; Windows: a per-user installer that asks where', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
    const entitlements = readFileSync(join(ROOT, config.mac.entitlements), 'utf8');
    for (const key of ['com.apple.security.device.audio-input', 'com.apple.security.cs.allow-jit']) {
      expect(entitlements).toMatch(new RegExp(`<key>${key.replaceAll('.', '\\.')}</key>\\s*<true/>`));
    }
    expect(config.mac.extendInfo['NSMicrophoneUsageDescription']).toMatch(/microphone/);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true });
  });

  it('icons: every one rendered from the current icon.svg (npm run icons), in the formats each platform takes', () => {
    const icons = join(ROOT, config.directories.buildResources);
    const stamp = JSON.parse(readFileSync(join(icons, 'icons.json'), 'utf8')) as { sha256: string; sizes: number[] };
    const svg = readFileSync(join(icons, 'icon.svg'));
    expect(stamp.sha256, 'icon.svg changed: run npm run icons and commit the outputs').toBe(createHash('sha256').update(svg).digest('hex'));
    const png = (file: string) => {
      const bytes = readFileSync(join(icons, file));
      expect(bytes.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    };
    for (const size of stamp.sizes) expect(png(`${size}x${size}.png`)).toEqual({ width: size, height: size });
    expect(png('icon.png').width).toBeGreaterThanOrEqual(512);
    expect(readFileSync(join(ROOT, config.mac.icon)).subarray(0, 4).toString('latin1')).toBe('icns');
    expect([...readFileSync(join(ROOT, config.win.icon)).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    expect(join(ROOT, config.linux.icon)).toBe(icons);
  });

  it("Electron's fuses are locked: no Node runtime, no inspector, only our checked app.asar, encrypted cookies", () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      // The renderer is on the shell's app:// scheme, so file:// needs nothing extra.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('the run-time paths above are where the code looks (so this test follows the code)', () => {
    expect(POCKETSPHINX_WORKER_FILE).toMatch(/^src\/main\/.*\.mjs$/);
    expect(readFileSync(join(ROOT, POCKETSPHINX_WORKER_FILE), 'utf8')).toContain('parentPort');
    const viteConfig = readFileSync(join(ROOT, 'electron.vite.config.ts'), 'utf8');
    for (const name of Object.keys(SOURCE_ENTRIES)) expect(viteConfig, `${name} is an entry of the main build`).toContain(`'${name}'`);
  });
});
