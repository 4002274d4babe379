/**
 * Retention through a real core (issue 10): a store with a call older than the default 90
 * days (with a recording file on disk) and a recent one; starting the core purges the old
 * call, its file and its words in the search index at once, and `privacy.status` reports it.
 * (The purge itself, with a controlled clock, is in test/unit/privacy/retention.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createRecordingStore } from '../../src/main/core/recordings/recording-store';
import { createCallStore } from '../../src/main/core/store/call-store';
import { openDatabase } from '../../src/main/core/store/db';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { finalLine, newCall } from '../unit/store/helpers';

const DAY_MS = 24 * 60 * 60 * 1000;
let harness: CoreHarness | null = null;
afterAll(async () => {
  await harness?.core.close();
});

it('the core purges calls past keepCallsDays when it starts, and says so in privacy.status', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-retention-'));
  const recordingsDir = join(dataDir, 'recordings');
  mkdirSync(recordingsDir, { mode: 0o700 });
  const db = openDatabase(join(dataDir, 'switchboard.db'));
  const store = createCallStore(db);
  const now = Date.now();
  for (const [id, daysAgo] of [['old', 120], ['recent', 3]] as const) {
    const startedAt = now - daysAgo * DAY_MS;
    store.insertCall(newCall({ id, callSid: `CA${id}`, startedAt, endedAt: startedAt + 60_000, status: 'ended' }));
    store.appendUtterance(finalLine({ id: `${id}-1`, callId: id, text: `my ${id} router keeps dropping` }));
  }
  const fileName = 'old.r1.wav';
  writeFileSync(join(recordingsDir, fileName), Buffer.alloc(44), { mode: 0o600 });
  createRecordingStore(db).insert({
    id: 'r1', callId: 'old', kind: 'line', fileName, contentType: 'audio/wav', channels: 2, sampleRateHz: 8000, startMs: 0, durationMs: 1000, sourceSid: null, createdAt: now - 120 * DAY_MS,
  });
  db.close();

  harness = await startHarness(dataDir);
  const h = harness;
  let status = await h.call('privacy.status');
  for (const deadline = Date.now() + 10_000; status.lastPurge === null; status = await h.call('privacy.status')) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the first purge');
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(status.lastPurge).toMatchObject({ calls: 1, recordings: 1, failedFiles: 0 });
  expect((await h.call('calls.list', { scope: 'ended', limit: 10 })).map((c) => c.id)).toEqual(['recent']);
  expect(existsSync(join(recordingsDir, fileName))).toBe(false);
  const search = await h.call('history.search', { filter: { search: 'router' }, limit: 10 });
  expect(search.hits.map((hit) => hit.call.id)).toEqual(['recent']);
}, 60_000);
