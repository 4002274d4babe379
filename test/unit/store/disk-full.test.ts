import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { StoreError } from '../../../src/main/core/store/errors';
import { finalLine, makeTempDir, newCall } from './helpers';

describe('disk full', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('surfaces SQLITE_FULL as a clear DISK_FULL error and keeps every line committed before it', () => {
    const file = join(dir, 'calls.db');
    const db = openDatabase(file);
    const store = createCallStore(db);
    store.insertCall(newCall());

    // Simulate a full disk: this connection may not grow the file past a few more pages.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 8}`);

    const saved: string[] = [];
    let failure: unknown;
    for (let i = 1; i <= 10_000; i++) {
      const line = finalLine({ id: `u${i}`, text: `line ${i} ${'my order never arrived '.repeat(40)}` });
      try {
        store.appendUtterance(line);
        saved.push(line.id);
      } catch (error) {
        failure = error;
        break;
      }
    }

    expect(saved.length).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(StoreError);
    expect(failure).toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(/save a transcript line: the disk is full.*Nothing already saved was lost/),
      cause: expect.objectContaining({ code: 'SQLITE_FULL' }),
    });

    // The same connection still reads, and writes again once there is room.
    expect(store.getCall('call-1')?.utterances.map((u) => u.id)).toEqual(saved);
    db.pragma('max_page_count = 1073741823');
    store.appendUtterance(finalLine({ id: 'after-space-freed' }));
    db.close();

    const reopened = openDatabase(file);
    try {
      expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(createCallStore(reopened).getCall('call-1')?.utterances.map((u) => u.id)).toEqual([
        ...saved,
        'after-space-freed',
      ]);
    } finally {
      reopened.close();
    }
  });
});
