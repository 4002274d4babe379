/**
 * API keys for the cloud providers. Write-only from the console's point of view: the
 * renderer learns whether a key is set and where from (`SecretStatus`), never its value.
 *
 * - Environment variables win (DEEPGRAM_API_KEY, GEMINI_API_KEY, OPENAI_API_KEY,
 *   ELEVENLABS_API_KEY, SMALLEST_API_KEY, ...): source `environment`, not editable from the console.
 * - Otherwise the shell's store: the headless shell keeps them in `secrets.json` in the
 *   data folder (this file); the Electron shell encrypts them with safeStorage
 *   (src/main/secret-store-electron.ts, built on `createEncodedFileSecretStore`).
 *
 * The file is written atomically (temp file with mode 0600, fsync, rename), so a crash
 * never leaves half a key behind. On load its mode is checked: a group/world-accessible
 * file is tightened to 0600 and a warning is logged, rather than refused. Refusing would
 * not un-leak anything (the file has already been readable) and would only make the
 * console run offline for a reason the agent cannot see; tightening closes the window
 * from now on. A file that is not ours (another owner, a symlink) or not valid is refused
 * with a clear error instead: we will not send calls to an account someone else chose,
 * nor silently overwrite keys the user may want back.
 *
 * No value ever goes into an error message or a log line (JSON.parse's own messages quote
 * the text they choke on, so they are not passed on either).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SecretName, type SecretStatus } from '@shared/domain';
import { silentLogger, type Logger } from '../log';
import { rememberSecretValue } from '../privacy/secret-values';

export type { SecretName, SecretStatus };

export interface SecretStore {
  /** Whether `name` is set and where from. Never the value. */
  status(name: SecretName): SecretStatus;
  /** The value, for the core's own use (building providers). Never sent to the renderer. */
  get(name: SecretName): string | null;
  /** Saves `value` (trimmed). Throws a `bad_request` SecretStoreError when the environment sets it. */
  set(name: SecretName, value: string): SecretStatus;
  /** Forgets the stored value. The environment's value (if any) still applies. */
  clear(name: SecretName): SecretStatus;
}

/** The environment variable that overrides each secret. */
export const SECRET_ENV_VARS: Record<SecretName, string> = {
  deepgramApiKey: 'DEEPGRAM_API_KEY',
  geminiApiKey: 'GEMINI_API_KEY',
  openaiApiKey: 'OPENAI_API_KEY',
  elevenlabsApiKey: 'ELEVENLABS_API_KEY',
  smallestApiKey: 'SMALLEST_API_KEY',
  twilioAuthToken: 'TWILIO_AUTH_TOKEN',
  twilioApiKeySecret: 'TWILIO_API_KEY_SECRET',
  teamDatabaseUrl: 'SWITCHBOARD_TEAM_DATABASE_URL',
};

/** A user-facing problem with a secret; `code` maps onto the contract's error envelope. */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  constructor(
    readonly code: 'bad_request' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

const FILE_MODE = 0o600;
/** Printable ASCII without spaces: what every provider's keys look like. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** How a stored value is turned into file text and back (identity, or safeStorage). */
export interface SecretCodec {
  /** Where the values rest, as reported in SecretStatus. */
  source: 'file' | 'keychain';
  encode(value: string): string;
  /** Throws if the stored text cannot be decoded (the error's message must not hold the value). */
  decode(stored: string): string;
}

const plainCodec: SecretCodec = { source: 'file', encode: (v) => v, decode: (v) => v };

/**
 * The headless shell's store: `secrets.json` in `dataDir` (mode 0600), overridden by
 * DEEPGRAM_API_KEY / GEMINI_API_KEY in `env`.
 */
export function createFileSecretStore(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { logger?: Logger } = {},
): SecretStore {
  return createEncodedFileSecretStore({ file: join(dataDir, 'secrets.json'), env, codec: plainCodec, logger: options.logger });
}

/** A SecretStore kept in one JSON file, values passed through `codec`. Shared by both shells. */
export function createEncodedFileSecretStore(options: {
  file: string;
  env?: NodeJS.ProcessEnv;
  codec: SecretCodec;
  logger?: Logger | undefined;
}): SecretStore {
  const { file, codec } = options;
  const env = options.env ?? process.env;
  const log = (options.logger ?? silentLogger).child({ component: 'secrets' });
  const stored = load(file, codec, log);

  const fromEnv = (name: SecretName): string | null => {
    const value = env[SECRET_ENV_VARS[name]]?.trim();
    return value ? value : null;
  };
  // The logger masks every value it knows wherever it appears (issue 10, privacy/secret-values.ts).
  for (const name of SecretName.options) {
    rememberSecretValue(fromEnv(name));
    rememberSecretValue(stored.get(name)); // still a secret when the environment overrides it
  }

  const status = (name: SecretName): SecretStatus => {
    if (fromEnv(name) !== null) return { name, configured: true, source: 'environment', editable: false };
    if (stored.has(name)) return { name, configured: true, source: codec.source, editable: true };
    return { name, configured: false, source: null, editable: true };
  };

  const guardEditable = (name: SecretName): void => {
    if (fromEnv(name) !== null) {
      throw new SecretStoreError(
        'bad_request',
        `${SECRET_ENV_VARS[name]} is set in the environment, which takes precedence; unset it to manage this key here`,
      );
    }
  };

  const persist = (next: Map<SecretName, string>): void => {
    const body: Record<string, string> = {};
    for (const [name, value] of next) body[name] = codec.encode(value);
    writeAtomically(file, `${JSON.stringify({ version: 1, secrets: body }, null, 2)}\n`);
  };

  return {
    status,
    get: (name) => {
      const value = fromEnv(name) ?? stored.get(name) ?? null;
      rememberSecretValue(value); // the environment may have changed since the store was made
      return value;
    },
    set(name, value) {
      SecretName.parse(name);
      guardEditable(name);
      const clean = value.trim();
      if (!KEY_PATTERN.test(clean)) {
        throw new SecretStoreError('bad_request', 'An API key is one word of letters, digits and punctuation (no spaces)');
      }
      const next = new Map(stored);
      next.set(name, clean);
      rememberSecretValue(clean);
      persist(next); // throws before memory changes if the disk refuses
      stored.set(name, clean);
      log.info({ secret: name, source: codec.source }, 'API key saved');
      return status(name);
    },
    clear(name) {
      SecretName.parse(name);
      guardEditable(name);
      if (stored.has(name)) {
        const next = new Map(stored);
        next.delete(name);
        persist(next);
        stored.delete(name);
        log.info({ secret: name }, 'API key cleared');
      }
      return status(name);
    },
  };
}

/** Reads the file (if any), fixing its mode; refuses anything it cannot trust or parse. */
function load(file: string, codec: SecretCodec, log: Logger): Map<SecretName, string> {
  const secrets = new Map<SecretName, string>();
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted in place of the file is refused, not followed.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return secrets;
    if (code === 'ELOOP') throw new SecretStoreError('internal', `${file} is a symbolic link; refusing to read API keys through it`);
    throw new SecretStoreError('internal', `cannot read ${file} (${code ?? 'unknown error'})`);
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (process.platform !== 'win32') {
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid) {
        throw new SecretStoreError('internal', `${file} belongs to another user (uid ${stat.uid}); refusing to use the API keys in it`);
      }
      if ((stat.mode & 0o077) !== 0) {
        fchmodSync(fd, FILE_MODE);
        log.warn(
          { file, mode: (stat.mode & 0o777).toString(8) },
          'the API key file was readable by other users; its permissions are now 0600 (consider rotating the keys)',
        );
      }
    }
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }

  const invalid = (why: string) =>
    new SecretStoreError('internal', `${file} is not a valid API key file (${why}); fix or remove it, then enter the keys again in Settings`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('not JSON'); // JSON.parse's message would quote part of the file
  }
  const body = typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown; secrets?: unknown }) : null;
  if (body === null || body.version !== 1 || typeof body.secrets !== 'object' || body.secrets === null) {
    throw invalid('expected {"version": 1, "secrets": {…}}');
  }
  for (const [name, value] of Object.entries(body.secrets)) {
    const known = SecretName.safeParse(name);
    if (!known.success) {
      log.warn({ file, secret: name.slice(0, 40) }, 'ignoring an unknown entry in the API key file');
      continue;
    }
    if (typeof value !== 'string') throw invalid(`${name} is not a string`);
    let decoded: string;
    try {
      decoded = codec.decode(value);
    } catch {
      throw invalid(`${name} cannot be decoded`);
    }
    if (decoded !== '') secrets.set(known.data, decoded);
  }
  return secrets;
}

/** Temp file (0600, exclusive) + fsync + rename: readers see the old file or the new one, never half. */
function writeAtomically(file: string, text: string): void {
  const temp = join(dirname(file), `.${randomBytes(6).toString('hex')}.secrets.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, file);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw new SecretStoreError('internal', `could not save the API key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    // Make the rename itself durable (not supported on every platform).
    const dir = openSync(dirname(file), constants.O_RDONLY);
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // best effort
  }
}
