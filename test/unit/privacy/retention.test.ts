/**
 * Retention purge (issue 10) on a real SQLite file and real recording files, with a clock the
 * test controls: old calls go with every row they own, their recording files and their words
 * in the search index; old recordings go on their own; live calls and recordings still being
 * written never go; work is done in batches with the event loop free between them.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Database } from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/main/core/log';
import { DAY_MS, RetentionPurge, type RetentionOptions } from '../../../src/main/core/privacy/retention';
import { createRecordingStore, type RecordingStore } from '../../../src/main/core/recordings/recording-store';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { createWrapUpStore } from '../../../src/main/core/wrapup/wrapup-store';
import { event, finalLine, makeTempDir, newCall } from '../store/helpers';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const KEEP = { keepCallsDays: 90, keepRecordingsDays: 30 };

describe('RetentionPurge', () => {
  let cleanup: () => void;
  let dir: string;
  let recordingsDir: string;
  let db: Database;
  let store: CallStore;
  let recordingStore: RecordingStore;
  let purger: RetentionPurge | null;
  let clock: number;
  const live = new Set<string>();

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('switchboard-retention-'));
    recordingsDir = join(dir, 'recordings');
    mkdirSync(recordingsDir);
    db = openDatabase(join(dir, 'switchboard.db'));
    store = createCallStore(db);
    recordingStore = createRecordingStore(db);
    clock = NOW;
    live.clear();
    purger = null;
  });
  afterEach(async () => {
    await purger?.close();
    db.close();
    cleanup();
  });

  const makePurger = (overrides: Partial<RetentionOptions> = {}): RetentionPurge =>
    (purger = new RetentionPurge({
      db,
      recordingsDir,
      settings: () => KEEP,
      isLive: (id) => live.has(id),
      logger: silentLogger,
      now: () => clock,
      ...overrides,
    }));

  /** A finished call `daysAgo` old with a line of `words`, an event, a turn, a fact, a wrap-up and one recording file. */
  function storeCall(id: string, daysAgo: number, words: string, options: { ended?: boolean; recordingDaysAgo?: number; recordingFinished?: boolean } = {}): string {
    const startedAt = NOW - daysAgo * DAY_MS;
    const ended = options.ended ?? true;
    store.insertCall(newCall({ id, callSid: `CA${id}`, startedAt, endedAt: ended ? startedAt + 60_000 : null, status: ended ? 'ended' : 'active' }));
    store.appendUtterance(finalLine({ id: `${id}-u1`, callId: id, text: words, sentiment: { score: -0.5, label: 'negative' } }));
    store.appendUtterance(finalLine({ id: `${id}-u2`, callId: id, speaker: 'ai', text: 'let me look into that', startMs: 1000, endMs: 2000 }));
    store.appendEvent(event({ id: `${id}-e1`, callId: id, type: 'alert', atMs: 500, data: { rule: 'angry' } }));
    store.appendTurnMetrics({
      callId: id,
      turnId: `${id}-u2`,
      speechEndAtMs: 900,
      sttFinalAtMs: 950,
      llmFirstTokenAtMs: 990,
      ttsFirstByteAtMs: 995,
      firstAudioAtMs: 1000,
      sttLabel: 'offline',
      llmLabel: 'offline',
      ttsLabel: 'offline',
    });
    const wrapUps = createWrapUpStore(db);
    wrapUps.recordFact({ id: `${id}-f1`, callId: id, key: 'account', value: '12345', atMs: 700 });
    wrapUps.save({
      callId: id,
      summary: { reason: 'billing', actions: 'refund', resolution: 'yes', followUps: [] },
      disposition: 'resolved',
      notes: '',
      source: 'offline',
      proposedDisposition: 'resolved',
      startedAt: startedAt + 60_000,
      savedAt: startedAt + 90_000,
      wrapUpMs: 30_000,
      notice: null,
    });
    const recordingId = `${id}-r1`;
    const fileName = `${id}.${recordingId}.wav`;
    writeFileSync(join(recordingsDir, fileName), Buffer.alloc(64));
    recordingStore.insert({
      id: recordingId,
      callId: id,
      kind: 'line',
      fileName,
      contentType: 'audio/wav',
      channels: 2,
      sampleRateHz: 8000,
      startMs: 0,
      durationMs: options.recordingFinished === false ? null : 60_000,
      sourceSid: null,
      createdAt: NOW - (options.recordingDaysAgo ?? daysAgo) * DAY_MS,
    });
    return fileName;
  }

  /** Every table that references calls, with how many of its rows belong to `callId`. */
  function rowsOwnedBy(callId: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const table of tablesReferencingCalls(db)) {
      counts[table.name] = (db.prepare(`SELECT count(*) AS n FROM ${table.name} WHERE ${table.column} = ?`).get(callId) as { n: number }).n;
    }
    return counts;
  }

  const callExists = (id: string) => store.getCall(id) !== null;
  const searchIds = (words: string) => store.searchUtterances(words).map((hit) => hit.utterance.callId).sort();

  it('deletes calls past keepCallsDays with every row they own, their recording files and their words in the search index', async () => {
    const oldFile = storeCall('old', 91, 'my router keeps dropping the line');
    const keptFile = storeCall('kept', 10, 'my router needs a new password');
    expect(Object.values(rowsOwnedBy('old')).every((n) => n > 0)).toBe(true);
    expect(searchIds('router')).toEqual(['kept', 'old']);

    const result = await makePurger().purge();

    expect(result).toMatchObject({ at: NOW, calls: 1, recordings: 1, failedFiles: 0 });
    expect(callExists('old')).toBe(false);
    expect(Object.values(rowsOwnedBy('old')).every((n) => n === 0)).toBe(true);
    expect(existsSync(join(recordingsDir, oldFile))).toBe(false);
    // The index is in step: the purged call's words are gone, the kept call's still found.
    expect(searchIds('router')).toEqual(['kept']);
    expect(searchIds('dropping')).toEqual([]);
    // FTS5's own check that the index matches the utterances table (throws SQLITE_CORRUPT_VTAB if not).
    expect(() => db.exec(`INSERT INTO utterances_fts (utterances_fts) VALUES ('integrity-check')`)).not.toThrow();
    // And the kept call is whole.
    expect(callExists('kept')).toBe(true);
    expect(Object.values(rowsOwnedBy('kept')).every((n) => n > 0)).toBe(true);
    expect(existsSync(join(recordingsDir, keptFile))).toBe(true);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('deletes recordings past keepRecordingsDays on their own; their calls stay', async () => {
    const oldRecording = storeCall('c1', 40, 'the bill is wrong');
    const newRecording = storeCall('c2', 5, 'the bill is right');

    const result = await makePurger().purge();

    expect(result).toMatchObject({ calls: 0, recordings: 1 });
    expect(existsSync(join(recordingsDir, oldRecording))).toBe(false);
    expect(recordingStore.listForCall('c1')).toEqual([]);
    expect(callExists('c1')).toBe(true);
    expect(store.getCall('c1')!.utterances).toHaveLength(2);
    expect(searchIds('bill')).toEqual(['c1', 'c2']);
    expect(existsSync(join(recordingsDir, newRecording))).toBe(true);
    expect(recordingStore.listForCall('c2')).toHaveLength(1);
  });

  it('follows the settings and the clock: nothing goes until the days have passed', async () => {
    storeCall('c1', 20, 'hello');
    let keep = { keepCallsDays: 30, keepRecordingsDays: 25 };
    const purge = makePurger({ settings: () => keep });
    expect(await purge.purge()).toMatchObject({ calls: 0, recordings: 0 });
    clock = NOW + 6 * DAY_MS; // the recording is 26 days old, the call 26
    expect(await purge.purge()).toMatchObject({ at: clock, calls: 0, recordings: 1 });
    keep = { keepCallsDays: 7, keepRecordingsDays: 7 };
    expect(await purge.purge()).toMatchObject({ calls: 1, recordings: 0 });
    expect(callExists('c1')).toBe(false);
  });

  it('never deletes a live call, nor a recording still being written', async () => {
    storeCall('unended', 100, 'still talking', { ended: false });
    storeCall('live', 100, 'still live');
    live.add('live');
    const writing = storeCall('writing', 5, 'recording', { recordingDaysAgo: 45, recordingFinished: false });
    storeCall('gone', 100, 'over');

    const result = await makePurger().purge();

    expect(result).toMatchObject({ calls: 1, recordings: 1 });
    expect(['unended', 'live', 'writing', 'gone'].map(callExists)).toEqual([true, true, true, false]);
    expect(recordingStore.listForCall('live')).toHaveLength(1);
    expect(existsSync(join(recordingsDir, writing))).toBe(true);
  });

  it('treats a missing recording file as deleted, and keeps a call whose file will not go until a later purge', async () => {
    const missing = storeCall('missing', 100, 'a');
    const stuck = storeCall('stuck', 100, 'b');
    const { rmSync } = await import('node:fs');
    rmSync(join(recordingsDir, missing));
    // A folder where the file should be: rm without recursive refuses it.
    rmSync(join(recordingsDir, stuck));
    mkdirSync(join(recordingsDir, stuck, 'x'), { recursive: true });

    const purge = makePurger();
    expect(await purge.purge()).toMatchObject({ calls: 1, recordings: 1, failedFiles: 1 });
    expect(callExists('missing')).toBe(false);
    expect(callExists('stuck')).toBe(true);
    expect(recordingStore.listForCall('stuck')).toHaveLength(1);

    rmSync(join(recordingsDir, stuck), { recursive: true });
    expect(await purge.purge()).toMatchObject({ calls: 1, recordings: 1, failedFiles: 0 });
    expect(callExists('stuck')).toBe(false);
  });

  it('works in small batches, letting other work run between them', async () => {
    for (let i = 0; i < 10; i++) storeCall(`c${i}`, 100 + i, `line ${i}`);
    const remaining = () => (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
    const purge = makePurger({ maxBatchSize: 3 });

    const done = purge.purge();
    const seen: number[] = [];
    // Each turn of the event loop, the test gets a look in: the purge has moved one batch on.
    while (seen.at(-1) !== 0) {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(remaining());
    }
    expect(await done).toMatchObject({ calls: 10, recordings: 10 });
    expect(seen.filter((n) => n > 0 && n < 10).length).toBeGreaterThanOrEqual(3);
    expect(seen.filter((n, i) => i > 0 && seen[i - 1]! - n > 3)).toEqual([]);
  });

  it('keeps deleting past a whole batch of live calls (keyset pages, no stall)', async () => {
    for (let i = 0; i < 4; i++) {
      storeCall(`live${i}`, 200 - i, 'x');
      live.add(`live${i}`);
    }
    storeCall('old', 150, 'y');
    expect(await makePurger({ maxBatchSize: 2 }).purge()).toMatchObject({ calls: 1 });
    expect(callExists('old')).toBe(false);
  });

  it('runs at start and every interval, logs counts only, and stops when closed', async () => {
    storeCall('first', 100, 'my number is 415 555 0100', { recordingDaysAgo: 100 });
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const purge = makePurger({ logger, intervalMs: 10 });

    purge.start();
    const purgeLogs = () => lines.filter((line) => line['component'] === 'retention');
    await vi.waitFor(() => expect(purgeLogs()).toHaveLength(1), { timeout: 2000 });
    expect(callExists('first')).toBe(false);
    expect(purgeLogs()[0]).toMatchObject({ calls: 1, recordings: 1, failedFiles: 0, keepCallsDays: 90, keepRecordingsDays: 30 });
    expect(JSON.stringify(lines)).not.toMatch(/first|415|555/);

    // The hourly run (here every 10 ms) picks up what has aged since; purges with nothing to
    // remove stay out of the info log.
    storeCall('second', 5, 'later');
    clock = NOW + 90 * DAY_MS;
    await vi.waitFor(() => expect(purgeLogs()).toHaveLength(2), { timeout: 2000 });
    expect(callExists('second')).toBe(false);
    expect(purgeLogs()[1]).toMatchObject({ calls: 1, recordings: 1 });
    expect(purge.lastPurge?.at).toBe(clock);

    await purge.close();
    storeCall('third', 100, 'after close');
    expect(await purge.purge()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50)); // five intervals' worth
    expect(callExists('third')).toBe(true);
  });

  it('a failure is logged and the next purge tries again; it never throws', async () => {
    storeCall('old', 100, 'x');
    let fail = true;
    const purge = makePurger({
      settings: () => {
        if (fail) throw new Error('settings file unreadable');
        return KEEP;
      },
    });
    expect(await purge.purge()).toBeNull();
    fail = false;
    expect(await purge.purge()).toMatchObject({ calls: 1 });
  });
});

describe('the schema, for retention', () => {
  it('every table that references calls cascades on delete, so a purged call leaves nothing behind', () => {
    const { dir, cleanup } = makeTempDir('switchboard-retention-schema-');
    const db = openDatabase(join(dir, 'switchboard.db'));
    try {
      const tables = tablesReferencingCalls(db);
      // Those known today; a table added later is checked the same way.
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['utterances', 'call_events', 'turn_metrics', 'recordings', 'call_facts', 'wrap_ups']));
      for (const table of tables) expect(`${table.name}: ${table.onDelete}`).toBe(`${table.name}: CASCADE`);
    } finally {
      db.close();
      cleanup();
    }
  });
});

function tablesReferencingCalls(db: Database): { name: string; column: string; onDelete: string }[] {
  const names = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'`).pluck().all() as string[];
  const out: { name: string; column: string; onDelete: string }[] = [];
  for (const name of names) {
    const keys = db.pragma(`foreign_key_list(${name})`) as { table: string; from: string; on_delete: string }[];
    for (const key of keys) if (key.table === 'calls') out.push({ name, column: key.from, onDelete: key.on_delete });
  }
  return out;
}
