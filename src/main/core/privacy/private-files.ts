/**
 * The data folder holds call transcripts, phone numbers, recordings and API keys: it is this
 * user's alone. Folders are 0700 and files 0600 from the moment they exist (an explicit mode
 * at creation, never a chmod after the content is written, which would leave a window).
 *
 * The process umask is deliberately not changed: it is process-wide (in the Electron shell it
 * would also apply to Chromium's own files and to anything a library writes), it cannot be
 * set from a worker thread, and a temporary umask around one call races with every other
 * file the process creates meanwhile. Explicit modes say at each creation site what it is.
 *
 * Windows has no POSIX modes (Node maps them onto the read-only flag), so the checks that
 * compare modes are skipped there; the per-user profile folder is what protects the data.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync } from 'node:fs';
import type { Logger } from '../log';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Bits that let anyone but the owner in. */
const GROUP_OR_OTHER = 0o077;
const POSIX = process.platform !== 'win32';

/**
 * Creates `dir` (and missing parents) as 0700, and tightens it when it already exists with
 * group or other access. Tightening rather than refusing: the folder is ours (created by an
 * older build without a mode, or by hand), refusing would not un-leak anything and would
 * stop the console for a reason the agent cannot fix from it; tightening closes the door
 * from now on, and the warning says so. The files inside were reachable only through this
 * folder (a folder without x for others hides its files whatever their own modes are), so
 * fixing the folder is what protects them; their own modes are fixed where each is opened.
 */
export function makePrivateDir(dir: string, logger?: Logger): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!POSIX) return;
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
  if ((stat.mode & GROUP_OR_OTHER) === 0) return;
  const mode = (stat.mode & 0o777).toString(8);
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
  } catch (error) {
    // Another user's folder: not ours to change, and not a reason to refuse to start.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    logger?.warn({ dir, mode }, 'the data folder is open to other users and belongs to another user, so its permissions could not be narrowed');
    return;
  }
  logger?.warn({ dir, mode }, 'the data folder was open to other users; its permissions are now 0700');
}

/**
 * Makes sure `file` exists with mode 0600 before another component (SQLite, a library) opens
 * it with its own default (0644 under the usual umask). An existing file is left as it is.
 */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT, PRIVATE_FILE_MODE));
}

/**
 * Drops group/other access from an existing file (written by an older build or by hand).
 * A missing file is fine; a symlink is left alone (chmod would change its target, which may
 * not be ours), and so is another user's file (EPERM: whoever opens it next reports access
 * problems in its own words). Returns whether the mode changed.
 */
export function tightenFile(file: string): boolean {
  if (!POSIX) return false;
  let mode: number;
  try {
    const stat = lstatSync(file);
    if (!stat.isFile()) return false;
    mode = stat.mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if ((mode & GROUP_OR_OTHER) === 0) return false;
  try {
    chmodSync(file, mode & PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw error;
  }
  return true;
}
