/**
 * The headless console's access token, kept in the data folder (mode 0600) so a restart
 * doesn't lock out every open tab: the token changes only when the user asks for a new one
 * (`--new-token`), or when the file is missing, unreadable or not a token we would mint.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONSOLE_TOKEN_FILE = 'console-token';
/** 32 random bytes: 43 base64url characters. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface ConsoleToken {
  token: string;
  /** Why a new one was minted, or null when the saved token was reused. */
  minted: null | 'first start' | 'asked for a new one' | 'saved token was unreadable';
}

export function loadOrCreateConsoleToken(dataDir: string, options: { rotate?: boolean } = {}): ConsoleToken {
  const path = join(dataDir, CONSOLE_TOKEN_FILE);
  let minted: ConsoleToken['minted'] = 'first start';
  if (options.rotate) minted = 'asked for a new one';
  else {
    try {
      const saved = readFileSync(path, 'utf8').trim();
      if (TOKEN_SHAPE.test(saved)) {
        // Someone loosened the file's permissions: the token is a password, tighten them again.
        if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
        return { token: saved, minted: null };
      }
      minted = 'saved token was unreadable';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') minted = 'saved token was unreadable';
    }
  }
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  // Write-then-rename: a crash mid-write never leaves a half token that would lock the user out.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return { token, minted };
}
