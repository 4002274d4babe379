import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './index';

export function readSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function newerSchemaError(fileVersion: number, latest: number = LATEST_SCHEMA_VERSION): StoreError {
  return new StoreError(
    'NEWER_SCHEMA',
    `The call database was written by a newer version of Switchboard (schema ${fileVersion}; ` +
      `this version understands up to ${latest}). Update Switchboard to open it. The file was not changed.`,
  );
}

export interface MigrateOptions {
  /** Defaults to every migration; tests pass a prefix to build older schemas. */
  migrations?: readonly Migration[];
  /** Stop at this version (default: the last migration's). */
  targetVersion?: number;
}

/**
 * Brings the schema up to date. All pending migrations run in ONE transaction: either the
 * file ends at the target version or it is left exactly as it was. BEGIN IMMEDIATE takes the
 * write lock first and the version is read inside the transaction, so two processes opening
 * the same file at once cannot both run a migration.
 */
export function migrate(db: Database, options: MigrateOptions = {}): { from: number; to: number } {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.at(-1)?.version ?? 0;
  const target = options.targetVersion ?? latest;
  if (target > latest) throw new RangeError(`No migration for version ${target}`);

  const run = db.transaction(() => {
    const from = readSchemaVersion(db);
    if (from > latest) throw newerSchemaError(from, latest);
    for (const migration of migrations) {
      if (migration.version <= from || migration.version > target) continue;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
    return { from, to: Math.max(from, target) };
  });
  return run.immediate();
}
