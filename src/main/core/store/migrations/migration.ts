import type { Database } from 'better-sqlite3';

/**
 * One step of the schema. Rules (house rule 8), because synced clients and older builds
 * read the same data:
 * - additive only: new tables, new nullable/defaulted columns, new indexes and triggers;
 *   never drop, rename or retype, and never add CHECK constraints on enum-like columns
 *   (widening an enum must not need a table rebuild);
 * - `up` runs inside the runner's transaction: no transaction control, no
 *   `PRAGMA journal_mode`/`foreign_keys` (they are no-ops or errors inside a transaction);
 * - one file per version, each with its own test.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
