/**
 * Errors the store raises on purpose. Callers switch on `code`; `message` is written for a
 * person (it may be shown in the UI or a log) and never contains transcript text or numbers.
 */
export type StoreErrorCode =
  /** The file was written by a newer Switchboard; opening it could corrupt it for that version. */
  | 'NEWER_SCHEMA'
  /** The file is not an SQLite database, or is one that Switchboard did not create. */
  | 'NOT_A_DATABASE'
  /** The file is an SQLite database but its pages are damaged. */
  | 'CORRUPT'
  /** The disk (or the database's size limit) is full; the failed write was rolled back. */
  | 'DISK_FULL'
  /** A write referred to a call that is not in the store. */
  | 'UNKNOWN_CALL'
  /** No database file where one was expected (read-only opening never creates one). */
  | 'NOT_FOUND'
  /** The file needs a migration that only the app (not a read-only reader) may run. */
  | 'OLDER_SCHEMA'
  /** The caller broke the store's contract (for example, appending an interim line). */
  | 'INVALID_INPUT';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** better-sqlite3's SqliteError carries SQLite's extended result code as a string in `code`. */
export function sqliteCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/**
 * Turns the SQLite failures a user can actually run into into StoreErrors with a clear message.
 * Anything else is a bug and is rethrown untouched so its stack stays useful.
 * `action` says what was being attempted ("save a transcript line", "open /path/calls.db").
 */
export function translateSqliteError(error: unknown, action: string): unknown {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  if (code === undefined) return error;
  // SQLite's unix VFS reports ENOSPC as SQLITE_FULL; max_page_count being reached does too.
  if (code === 'SQLITE_FULL') {
    return new StoreError(
      'DISK_FULL',
      `Could not ${action}: the disk is full. Nothing already saved was lost; free some space and it will save again.`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('NOT_A_DATABASE', `Could not ${action}: the file is not an SQLite database.`, { cause: error });
  }
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) {
    return new StoreError('CORRUPT', `Could not ${action}: the database file is damaged.`, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new StoreError('UNKNOWN_CALL', `Could not ${action}: the call is not in the store.`, { cause: error });
  }
  return error;
}
