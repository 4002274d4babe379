/**
 * The Electron shell's SecretStore: API keys encrypted with Electron's safeStorage (the OS
 * keychain: Keychain, DPAPI, libsecret/kwallet) in `secrets.safe.json` in the user-data
 * folder, written like the headless store (atomic, 0600). Environment variables still win.
 *
 * This file does not import electron (src/main/shell/electron.ts stays the only main-process module
 * that does): the shell passes its `safeStorage` in. Call it after `app.whenReady()`.
 *
 * Where safeStorage cannot really encrypt (no keyring on Linux: unavailable, or the
 * `basic_text` backend with a hard-coded password), the keys go to the plain 0600
 * `secrets.json` like the headless shell's, and SecretStatus says `file`, not `keychain`:
 * the console never claims protection it does not have.
 */
import { join } from 'node:path';
import { createEncodedFileSecretStore, createFileSecretStore, type SecretStore } from '../core/config/secrets';
import type { Logger } from '../core/log';

/** The part of Electron's `safeStorage` this needs. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export function createSafeStorageSecretStore(options: {
  dataDir: string;
  safeStorage: SafeStorageLike;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}): SecretStore {
  const { safeStorage, dataDir } = options;
  const env = options.env ?? process.env;
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    const why = 'no OS keychain for API keys; keeping them in a 0600 file instead';
    if (options.logger) options.logger.warn({ backend }, why);
    else console.warn(`[shell] ${why} (safeStorage backend: ${backend ?? 'unavailable'})`);
    return createFileSecretStore(dataDir, env, { logger: options.logger });
  }
  return createEncodedFileSecretStore({
    file: join(dataDir, 'secrets.safe.json'),
    env,
    logger: options.logger,
    codec: {
      source: 'keychain',
      encode: (value) => safeStorage.encryptString(value).toString('base64'),
      decode: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
    },
  });
}
