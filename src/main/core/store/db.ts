import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateFile, PRIVATE_DIR_MODE, tightenFile } from '../privacy/private-files';
import { sqliteCode, StoreError, translateSqliteError } from './errors';
import { LATEST_SCHEMA_VERSION, SWITCHBOARD_APPLICATION_ID } from './migrations/index';
import { migrate, newerSchemaError, readSchemaVersion } from './migrations/runner';

export type { Database } from 'better-sqlite3';

/** How long a statement waits for another connection's lock (export CLI, sync worker) before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the call database and brings its schema up to date.
 *
 * Throws StoreError:
 * - NEWER_SCHEMA when the file was written by a newer Switchboard: the file is not modified;
 * - NOT_A_DATABASE when the file is not SQLite, or is another application's SQLite file;
 * - CORRUPT when SQLite finds damaged pages while opening;
 * - DISK_FULL when the upgrade cannot be written (it is rolled back, the file keeps its old version).
 */
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    makeDatabaseFilesPrivate(file);
  }
  const db = new Database(file);
  try {
    // Checks come first, before any pragma that writes (journal_mode=WAL rewrites the header).
    assertOpenable(db);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    /*
     * Durability trade-off. WAL: a commit appends to the -wal file and readers never block the
     * writer. synchronous=NORMAL: a commit is a write() into the OS page cache without fsync;
     * fsync happens at checkpoints. The OS still holds the data when the *process* dies
     * (crash, SIGKILL, Electron killed by the user), so every committed line survives a
     * process crash, which is the requirement and is tested. Only an OS crash or power loss
     * can roll back the last few commits, and even then the file stays consistent (never
     * corrupt). synchronous=FULL would add an fsync to every transcript line (bench on the
     * build machine: ~20k vs ~12k lines/s; an fsync can take milliseconds on a busy laptop
     * disk), buying protection only against power loss, which the requirement does not ask for.
     */
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, 'open the call database');
  }
}

/**
 * Opens an existing call database for reading only (the CLI, export workers), alongside a
 * running app: WAL lets it read committed data while the app writes. It never migrates, so a
 * file from an older build is refused with the way out (open the app once), and a newer one
 * as in openDatabase.
 */
export function openDatabaseReadOnly(file: string): Database.Database {
  // better-sqlite3 reports a missing folder as a plain TypeError; say it the same way as a missing file.
  if (!existsSync(file)) throw new StoreError('NOT_FOUND', `There is no call database at ${file}.`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_CANTOPEN') {
      throw new StoreError('NOT_FOUND', `There is no call database at ${file}.`, { cause: error });
    }
    throw translateSqliteError(error, `open ${file}`);
  }
  try {
    assertOpenable(db);
    const version = readSchemaVersion(db);
    if (version < LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        'OLDER_SCHEMA',
        `The call database at ${file} was written by an older Switchboard (schema ${version}); ` +
          'start the app once to upgrade it, then try again. The file was not changed.',
      );
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, `open ${file}`);
  }
}

/**
 * The calls are personal data: the file and its -wal/-shm are 0600. better-sqlite3 has no
 * mode option and SQLite creates files 0644 (under the usual umask), but SQLite creates the
 * -wal and -shm with the database file's own permissions (os_unix.c findCreateFileMode), so
 * the file is created 0600 before SQLite opens it, and the journal files follow (tested). A
 * file an older build left wider, and journal files a crash left behind, are tightened.
 */
function makeDatabaseFilesPrivate(file: string): void {
  if (!existsSync(file)) createPrivateFile(file);
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tightenFile(path);
}

function assertOpenable(db: Database.Database): void {
  // The first read of page 1 is where SQLite notices a file that is not a database (SQLITE_NOTADB).
  const version = readSchemaVersion(db);
  if (version > LATEST_SCHEMA_VERSION) throw newerSchemaError(version);
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const hasTables =
    (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n > 0;
  const foreign = version === 0 ? hasTables : applicationId !== SWITCHBOARD_APPLICATION_ID;
  if (foreign) {
    throw new StoreError(
      'NOT_A_DATABASE',
      'The file is an SQLite database but not a Switchboard call database; it was not changed.',
    );
  }
}
