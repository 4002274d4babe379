/**
 * The team lead's commands through the real core's dispatcher: what a console (or a stale
 * URL, or a curious user) sends is validated at the boundary and answered in an envelope,
 * never an SQL error; and History, search, Analytics and Export agree on which calls a
 * filter means.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../src/shared/history';
import { createCallStore } from '../../src/main/core/store/call-store';
import { openDatabase } from '../../src/main/core/store/db';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { event, finalLine, newCall } from '../unit/store/helpers';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

describe('history commands through the core', () => {
  let harness: CoreHarness;

  beforeAll(async () => {
    harness = await startHarness();
    // A second connection writes as another desk's import would; the core reads it (WAL).
    const db = openDatabase(join(harness.dataDir, 'switchboard.db'));
    const store = createCallStore(db);
    for (let i = 0; i < 30; i++) {
      const id = `call-${String(i).padStart(2, '0')}`;
      store.insertCall(
        newCall({
          id,
          callSid: `CA${i}`,
          startedAt: T0 + i * 3_600_000,
          status: 'ended',
          endedAt: T0 + i * 3_600_000 + (i + 1) * 10_000,
          endReason: i % 3 === 0 ? 'agent_ended' : 'caller_hangup',
          direction: i % 2 === 0 ? 'inbound' : 'outbound',
        }),
      );
      const text = i % 5 === 0 ? 'I was charged twice this month' : 'my router keeps dropping';
      store.appendUtterance(finalLine({ id: `${id}-1`, callId: id, text, sentiment: { score: i % 5 === 0 ? -0.5 : 0.2, label: i % 5 === 0 ? 'negative' : 'positive' } }));
      store.appendUtterance(finalLine({ id: `${id}-2`, callId: id, speaker: 'ai', text: 'Let me look into that.', startMs: 1500, endMs: 3000 }));
      if (i % 4 === 0) store.appendEvent(event({ id: `${id}-t`, callId: id, type: 'takeover', atMs: 2000 }));
    }
    db.close();
  });
  afterAll(async () => {
    await harness?.core.close();
  });

  const envelope = (name: string, input: unknown) => harness.core.dispatch(name, input);

  it('pages every stored call with a keyset cursor, and filters by the derived columns', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await harness.call('history.page', { limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.calls.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(seen[0]).toBe('call-29');
    const taken = await harness.call('history.page', { filter: { takenOver: true }, limit: 200 });
    expect(taken.calls.map((c) => c.id).sort()).toEqual(['call-00', 'call-04', 'call-08', 'call-12', 'call-16', 'call-20', 'call-24', 'call-28']);
  });

  it('History, search, Analytics and Export agree on what a filter means', async () => {
    const filter = { search: 'charge', direction: 'inbound' as const };
    const page = await harness.call('history.page', { filter, limit: 200 });
    const search = await harness.call('history.search', { filter, limit: 200 });
    const analytics = await harness.call('history.analytics', { filter, groupBy: 'day' });
    expect(page.calls.map((c) => c.id)).toEqual(['call-20', 'call-10', 'call-00']);
    expect(search.hits.map((h) => h.call.id)).toEqual(['call-20', 'call-10', 'call-00']);
    expect(search.hits[0]!.line.segments.filter((s) => s.hit).map((s) => s.text)).toEqual(['charged']);
    expect(analytics.totals.calls).toBe(3);

    const job = await harness.call('export.start', { filter, format: 'csv', content: 'calls' });
    expect(job.rowsTotal).toBe(3);
    const done = await waitForExport(harness, job.id);
    expect(done.state).toBe('done');
    const file = await harness.core.file(done.fileRoute!);
    expect(file?.contentType).toMatch(/text\/csv/);
  });

  it('answers bad input with a clear bad_request, never an SQL error', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['history.search', { filter: { search: 'refund\u0000' } }, /control characters/],
      ['history.search', { filter: { search: 'x'.repeat(500) } }, /at most 200/],
      ['history.search', { filter: { search: '"*" -- ()' } }, /at least one letter or digit/],
      ['history.search', { filter: {} }, /type something/],
      ['history.page', { filter: { from: T0 + 10, to: T0 } }, /from must be before to/],
      ['history.page', { filter: { minDurationS: 60, maxDurationS: 5 } }, /minDurationS must not exceed/],
      ['history.page', { filter: { numberContains: "1' OR 1=1 --" } }, /digits/],
      ['history.page', { cursor: 'bm90IGEgY3Vyc29y' }, /not valid/],
      ['history.page', { filter: { colour: 'red' } }, /colour/],
      ['history.analytics', { groupBy: 'hour', filter: { from: T0, to: T0 + 400 * 86_400_000 } }, /.+/],
      ['export.start', { format: 'pdf' }, /format/],
      ['export.start', { format: 'csv', filter: { search: '!!!' } }, /at least one letter or digit/],
    ];
    for (const [name, input, message] of cases) {
      const result = await envelope(name, input);
      expect(result.ok, `${name} ${JSON.stringify(input).slice(0, 60)}`).toBe(false);
      if (!result.ok) {
        expect(result.error.code, name).toBe('bad_request');
        expect(result.error.message, name).toMatch(message);
        expect(result.error.message, name).not.toMatch(/SQLITE|syntax error|fts5/i);
      }
    }
  });

  it('searches operators and quotes literally through the whole stack', async () => {
    for (const search of ['"charged', 'charged OR', 'NEAR(charged', 'charged*', "charged'", 'charged -']) {
      const result = await envelope('history.search', { filter: { search } });
      expect(result.ok, search).toBe(true);
    }
  });
});

async function waitForExport(harness: CoreHarness, id: string): Promise<ExportJob> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const last = harness.events.filter((e) => e.name === 'export.progress' && e.payload.id === id).at(-1);
    if (last && last.name === 'export.progress' && last.payload.state !== 'running') return last.payload;
    if (Date.now() > deadline) throw new Error('export did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
}
