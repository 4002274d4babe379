/**
 * The headless shell's API key store, on real files in a temp folder: environment wins,
 * 0600 atomic writes, clear, statuses that never carry a value, bad files refused clearly,
 * loose permissions tightened. And the safeStorage variant with a stand-in safeStorage.
 */
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore, SecretStoreError } from '../../src/main/core/config/secrets';
import { createLogger } from '../../src/main/core/log';
import { createSafeStorageSecretStore, type SafeStorageLike } from '../../src/main/shell/secret-store-electron';

const DG_KEY = 'dg_0123456789abcdef0123456789abcdef';
const GM_KEY = 'AIzaSyFAKE-0123456789_abcdefghijklmno';
const posix = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-secrets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const file = () => join(dir, 'secrets.json');
const mode = (path: string) => statSync(path).mode & 0o777;

function captureLogs(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

describe('file secret store', () => {
  it('starts with nothing set', () => {
    const store = createFileSecretStore(dir, {});
    expect(store.status('deepgramApiKey')).toEqual({ name: 'deepgramApiKey', configured: false, source: null, editable: true });
    expect(store.get('geminiApiKey')).toBeNull();
    expect(existsSync(file())).toBe(false);
  });

  it('saves a key to a 0600 file, trimmed, and a new store reads it back', () => {
    const logs = captureLogs();
    const store = createFileSecretStore(dir, {}, { logger: logs.logger });
    const status = store.set('deepgramApiKey', `  ${DG_KEY}\n`);
    expect(status).toEqual({ name: 'deepgramApiKey', configured: true, source: 'file', editable: true });
    expect(JSON.stringify(status)).not.toContain(DG_KEY);
    expect(store.get('deepgramApiKey')).toBe(DG_KEY);
    if (posix) expect(mode(file())).toBe(0o600);
    expect(createFileSecretStore(dir, {}).get('deepgramApiKey')).toBe(DG_KEY);
    expect(logs.text()).toContain('API key saved');
    expect(logs.text()).not.toContain(DG_KEY);
  });

  it('writes atomically: no temp files left, and a failed write keeps the old file and the old value', () => {
    const store = createFileSecretStore(dir, {});
    store.set('deepgramApiKey', DG_KEY);
    store.set('geminiApiKey', GM_KEY);
    expect(readdirSync(dir)).toEqual(['secrets.json']);
    const before = readFileSync(file(), 'utf8');
    if (posix && process.getuid?.() !== 0) {
      chmodSync(dir, 0o500); // the folder refuses new files: the temp file cannot be created
      try {
        expect(() => store.set('deepgramApiKey', 'dg_replacement_key_000')).toThrow(SecretStoreError);
      } finally {
        chmodSync(dir, 0o700);
      }
      expect(readFileSync(file(), 'utf8')).toBe(before);
      expect(store.get('deepgramApiKey')).toBe(DG_KEY);
      expect(readdirSync(dir)).toEqual(['secrets.json']);
    }
    // (As root, permissions do not stop the write: take the folder away instead.)
    rmSync(dir, { recursive: true });
    expect(() => store.set('deepgramApiKey', 'dg_replacement_key_000')).toThrow(/could not save the API key file .* \(ENOENT\)/);
    expect(store.get('deepgramApiKey')).toBe(DG_KEY);
  });

  it('clears a key (and the file no longer holds it)', () => {
    const store = createFileSecretStore(dir, {});
    store.set('deepgramApiKey', DG_KEY);
    store.set('geminiApiKey', GM_KEY);
    expect(store.clear('deepgramApiKey')).toEqual({ name: 'deepgramApiKey', configured: false, source: null, editable: true });
    expect(store.get('deepgramApiKey')).toBeNull();
    expect(readFileSync(file(), 'utf8')).not.toContain(DG_KEY);
    expect(createFileSecretStore(dir, {}).get('geminiApiKey')).toBe(GM_KEY);
    // Clearing what is not set is fine.
    expect(store.clear('deepgramApiKey').configured).toBe(false);
  });

  it('lets the environment win: source environment, not editable, set/clear refused with the variable named', () => {
    const store = createFileSecretStore(dir, { DEEPGRAM_API_KEY: 'dg_from_env_0123456789', GEMINI_API_KEY: '  ' });
    expect(store.status('deepgramApiKey')).toEqual({ name: 'deepgramApiKey', configured: true, source: 'environment', editable: false });
    expect(store.get('deepgramApiKey')).toBe('dg_from_env_0123456789');
    // Blank counts as unset.
    expect(store.status('geminiApiKey').configured).toBe(false);
    for (const attempt of [() => store.set('deepgramApiKey', DG_KEY), () => store.clear('deepgramApiKey')]) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SecretStoreError);
      expect((error as SecretStoreError).code).toBe('bad_request');
      expect((error as Error).message).toContain('DEEPGRAM_API_KEY');
      expect((error as Error).message).not.toContain('dg_from_env');
    }
    expect(existsSync(file())).toBe(false);
  });

  it('refuses a key with spaces, without quoting it', () => {
    const store = createFileSecretStore(dir, {});
    expect(() => store.set('geminiApiKey', 'two words-secretvalue')).toThrow(/no spaces/);
    try {
      store.set('geminiApiKey', 'two words-secretvalue');
    } catch (e) {
      expect((e as Error).message).not.toContain('secretvalue');
    }
  });

  it('refuses a corrupted file clearly, without quoting any of it', () => {
    writeFileSync(file(), `{"version":1,"secrets":{"deepgramApiKey":"${DG_KEY}"`, { mode: 0o600 });
    let error: unknown;
    try {
      createFileSecretStore(dir, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretStoreError);
    expect((error as Error).message).toMatch(/secrets\.json is not a valid API key file \(not JSON\); fix or remove it/);
    expect((error as Error).message).not.toContain(DG_KEY.slice(0, 8));

    writeFileSync(file(), JSON.stringify({ deepgramApiKey: DG_KEY }), { mode: 0o600 });
    expect(() => createFileSecretStore(dir, {})).toThrow(/expected \{"version": 1/);
    writeFileSync(file(), JSON.stringify({ version: 1, secrets: { deepgramApiKey: 42 } }), { mode: 0o600 });
    expect(() => createFileSecretStore(dir, {})).toThrow(/deepgramApiKey is not a string/);
  });

  it.runIf(posix)('tightens a group/world-readable file to 0600 and warns, then uses it', () => {
    writeFileSync(file(), JSON.stringify({ version: 1, secrets: { geminiApiKey: GM_KEY } }));
    chmodSync(file(), 0o644);
    const logs = captureLogs();
    const store = createFileSecretStore(dir, {}, { logger: logs.logger });
    expect(mode(file())).toBe(0o600);
    expect(store.get('geminiApiKey')).toBe(GM_KEY);
    expect(logs.text()).toMatch(/readable by other users.*0600/);
    expect(logs.text()).toContain('"mode":"644"');
    expect(logs.text()).not.toContain(GM_KEY);
  });

  it.runIf(posix && process.getuid?.() === 0)('refuses a file owned by another user', () => {
    writeFileSync(file(), JSON.stringify({ version: 1, secrets: { geminiApiKey: GM_KEY } }), { mode: 0o600 });
    chownSync(file(), 4242, 4242);
    expect(() => createFileSecretStore(dir, {})).toThrow(/belongs to another user \(uid 4242\)/);
  });

  it.runIf(posix)('refuses a symlink in place of the file', () => {
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify({ version: 1, secrets: { geminiApiKey: GM_KEY } }), { mode: 0o600 });
    symlinkSync(elsewhere, file());
    expect(() => createFileSecretStore(dir, {})).toThrow(/symbolic link/);
  });
});

describe('safeStorage secret store', () => {
  /** Reversible stand-in for Electron's safeStorage (the real one needs Electron). */
  const fakeSafeStorage = (available = true, backend = 'gnome_libsecret'): SafeStorageLike => ({
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(`enc:${[...s].reverse().join('')}`),
    decryptString: (b) => {
      const text = b.toString('utf8');
      if (!text.startsWith('enc:')) throw new Error(`cannot decrypt ${text}`);
      return [...text.slice(4)].reverse().join('');
    },
    getSelectedStorageBackend: () => backend,
  });

  it('keeps keys encrypted in secrets.safe.json (source keychain), never in plain text', () => {
    const store = createSafeStorageSecretStore({ dataDir: dir, safeStorage: fakeSafeStorage(), env: {} });
    expect(store.set('deepgramApiKey', DG_KEY)).toMatchObject({ configured: true, source: 'keychain' });
    const path = join(dir, 'secrets.safe.json');
    expect(readFileSync(path, 'utf8')).not.toContain(DG_KEY);
    if (posix) expect(mode(path)).toBe(0o600);
    expect(createSafeStorageSecretStore({ dataDir: dir, safeStorage: fakeSafeStorage(), env: {} }).get('deepgramApiKey')).toBe(DG_KEY);
  });

  it('falls back to the plain 0600 file (and says so) when there is no real keychain', () => {
    for (const safeStorage of [fakeSafeStorage(false), fakeSafeStorage(true, 'basic_text')]) {
      const logs = captureLogs();
      const store = createSafeStorageSecretStore({ dataDir: dir, safeStorage, env: {}, logger: logs.logger });
      expect(store.set('geminiApiKey', GM_KEY).source).toBe('file');
      expect(logs.text()).toContain('no OS keychain');
    }
    expect(existsSync(file())).toBe(true);
  });

  it('refuses a file it cannot decrypt, clearly', () => {
    writeFileSync(join(dir, 'secrets.safe.json'), JSON.stringify({ version: 1, secrets: { geminiApiKey: Buffer.from('garbage').toString('base64') } }), {
      mode: 0o600,
    });
    expect(() => createSafeStorageSecretStore({ dataDir: dir, safeStorage: fakeSafeStorage(), env: {} })).toThrow(/geminiApiKey cannot be decoded/);
  });
});
