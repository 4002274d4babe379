import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/core/store/db';
import { StoreError } from '../../../src/main/core/store/errors';
import { LATEST_SCHEMA_VERSION, SWITCHBOARD_APPLICATION_ID } from '../../../src/main/core/store/migrations/index';
import { createCallStore } from '../../../src/main/core/store/call-store';
import { makeTempDir, newCall } from './helpers';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function expectStoreError(fn: () => unknown, code: StoreError['code'], message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  expect((caught as StoreError).code).toBe(code);
  expect((caught as StoreError).message).toMatch(message);
}

describe('openDatabase', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('creates a fresh file at the latest schema with WAL, synchronous=NORMAL, foreign keys and a busy timeout', () => {
    const file = join(dir, 'nested', 'calls.db');
    const db = openDatabase(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(db.pragma('application_id', { simple: true })).toBe(SWITCHBOARD_APPLICATION_ID);
    } finally {
      db.close();
    }
  });

  it('reopens its own file without changing the version or losing rows', () => {
    const file = join(dir, 'calls.db');
    const first = openDatabase(file);
    createCallStore(first).insertCall(newCall());
    first.close();

    const second = openDatabase(file);
    try {
      expect(second.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(createCallStore(second).getCall('call-1')?.call.id).toBe('call-1');
    } finally {
      second.close();
    }
  });

  it('refuses a file from a newer schema and leaves it byte-for-byte unchanged', () => {
    const file = join(dir, 'calls.db');
    const newer = new Database(file);
    newer.exec('CREATE TABLE from_the_future (x)');
    newer.pragma(`application_id = ${SWITCHBOARD_APPLICATION_ID}`);
    newer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    newer.close();
    const before = sha256(file);

    expectStoreError(() => openDatabase(file), 'NEWER_SCHEMA', /newer version of Switchboard.*not changed/s);
    expect(sha256(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it.each([
    ['a text file', Buffer.from('these are my notes, definitely not a database\n'.repeat(50))],
    ['random bytes', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256))],
  ])('gives a clear error for %s and leaves it unchanged', (_label, bytes) => {
    const file = join(dir, 'calls.db');
    writeFileSync(file, bytes);
    expectStoreError(() => openDatabase(file), 'NOT_A_DATABASE', /not an SQLite database/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("refuses another application's SQLite file instead of writing tables into it", () => {
    const file = join(dir, 'other.db');
    const other = new Database(file);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    const before = sha256(file);

    expectStoreError(() => openDatabase(file), 'NOT_A_DATABASE', /not a Switchboard call database/);
    expect(sha256(file)).toBe(before);
  });

  it('refuses an SQLite file with a schema version but a different application id', () => {
    const file = join(dir, 'other.db');
    const other = new Database(file);
    other.exec('CREATE TABLE calls (id)');
    other.pragma('user_version = 1');
    other.close();

    expectStoreError(() => openDatabase(file), 'NOT_A_DATABASE', /not a Switchboard call database/);
  });
});
