/**
 * The team lead's desk against the real headless server, one of its own on a fresh data folder
 * (the shared server also holds other specs' calls): two short demo calls are the data; then
 * History's filters and search, a call's page with its recording, exports downloaded and
 * parsed back, and Analytics — each compared with what the core's own commands answer.
 */
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { CallHistoryRow } from '@shared/history';
import { connectApi, type Api } from './support/api';
import { startDemo } from './support/demo';
import { startOwnServer, type OwnServer } from './support/own-server';
import { csvRecords } from './support/csv';

const PORT = 47341;
const TOKEN = 'history-e2e-token-0123456789abcdef';
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

let server: OwnServer | null = null;
test.beforeAll(async () => {
  server = await startOwnServer({ port: PORT, name: 'history', token: TOKEN });
});
test.afterAll(async () => {
  await server?.stop();
});
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/history-${name}.png` });

/** Waits until `check` returns a value (polling the core), or fails with `what`. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function finalLines(api: Api, callId: string) {
  const detail = await api.invoke('calls.get', { callId });
  return detail.utterances.filter((u) => u.final && u.text.trim() !== '');
}

/** Starts an export in the panel; the new job (newest first in the list). */
async function startExport(panel: Locator): Promise<Locator> {
  const jobs = panel.getByTestId('export-job');
  const before = await jobs.count();
  await panel.getByTestId('export-start').click();
  await expect(jobs).toHaveCount(before + 1);
  const id = await jobs.first().getAttribute('data-job-id');
  return panel.locator(`[data-testid="export-job"][data-job-id="${id}"]`);
}

/** Starts a demo call; the open call is in the URL. */
async function startDemoInUrl(page: Page, scenarioId: string): Promise<string> {
  const id = await startDemo(page, scenarioId);
  await expect(page).toHaveURL(new RegExp(`#/live/${id}$`));
  return id;
}

test('history, search, call page with recording, exports and analytics over two demo calls', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  const api = await connectApi(baseURL!, TOKEN);

  // The export's final progress event can be held back until the test has seen the running
  // state, since two calls export in milliseconds (the real, long-running case is in
  // history-volume.spec.ts). Held until released, not for a while: a loaded CI machine took
  // longer than any fixed hold once.
  let holdFinalExportEvents = false;
  const heldExportEvents: Array<() => void> = [];
  const releaseExportEvents = () => {
    holdFinalExportEvents = false;
    for (const send of heldExportEvents.splice(0)) send();
  };
  await page.routeWebSocket(/\/api(\?|$)/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const text = typeof message === 'string' ? message : '';
      if (holdFinalExportEvents && text.includes('"export.progress"') && !text.includes('"state":"running"')) {
        heldExportEvents.push(() => ws.send(message));
      } else {
        ws.send(message);
      }
    });
  });

  let charged = '';
  let cancelled = '';
  await test.step('seed: two demo calls, one taken over with an agent reply, both ended', async () => {
    await page.goto(`/?token=${TOKEN}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    charged = await startDemoInUrl(page, 'double-charge');
    cancelled = await startDemoInUrl(page, 'cancel-service');

    // Wait for each caller's first words (real-time speech through the offline engines).
    await until('the first caller line of both calls', async () => {
      const [a, b] = await Promise.all([finalLines(api, charged), finalLines(api, cancelled)]);
      return a.some((u) => u.speaker === 'caller') && b.some((u) => u.speaker === 'caller');
    }, 90_000);

    // The selected live call follows the URL: back to the first call, then a reload keeps it.
    await page.getByTestId('live-call').and(page.locator(`[data-call-id="${charged}"]`)).click();
    await expect(page).toHaveURL(new RegExp(`#/live/${charged}$`));
    await page.reload();
    await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', charged);

    await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
    await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
    await page.getByRole('textbox', { name: 'Reply to caller' }).fill('I can refund the duplicate charge for you today.');
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByRole('log', { name: 'Transcript' });
    await expect(log.locator('[data-speaker="agent"][data-final="true"]').filter({ hasText: 'duplicate charge' })).toBeVisible({
      timeout: 20_000,
    });
    await page.getByRole('button', { name: 'End call' }).click();
    await expect(page.getByTestId('call-view').getByTestId('call-status')).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });

    await page.getByTestId('live-call').and(page.locator(`[data-call-id="${cancelled}"]`)).click();
    await page.getByRole('button', { name: 'End call' }).click();
    await expect(page.getByTestId('call-view').getByTestId('call-status')).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });

    await until('both calls stored as ended', async () => {
      const page1 = await api.invoke('history.page', { filter: {} });
      return page1.calls.length === 2 && page1.calls.every((c) => c.durationMs !== null);
    }, 20_000);
  });

  let stored: CallHistoryRow[] = [];
  await test.step('history: the calls table, filters as chips in the URL, reload keeps them', async () => {
    stored = (await api.invoke('history.page', { filter: {}, limit: 200 })).calls;
    await page.getByTestId('nav-history').click();
    await expect(page).toHaveURL(/#\/history$/);
    const rows = page.getByTestId('history-row');
    await expect(rows).toHaveCount(2);
    // Newest first, as the core orders them.
    await expect(rows.nth(0)).toHaveAttribute('data-call-id', stored[0]!.id);
    await expect(page.getByTestId('sort-startedAt')).toHaveAttribute('aria-sort', 'descending');
    // Sentiment reads as the band's words and a number.
    await expect(rows.first().getByTestId('row-sentiment')).toHaveText(/(Very negative|Negative|Neutral|Positive) [+−]?\d\.\d\d/);
    await shot(page, '01-table');

    await page.getByTestId('takeover-select').selectOption('yes');
    await expect(page.getByTestId('filter-chip')).toHaveText(['Taken over']);
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-call-id', charged);
    await expect(page).toHaveURL(/takenOver=yes/);
    await page.reload();
    await expect(page.getByTestId('filter-chip')).toHaveText(['Taken over']);
    await expect(rows).toHaveCount(1);

    // Number contains: the chip says so; removing a chip widens the list again.
    await page.getByTestId('number-input').fill('0107777');
    await expect(page.getByTestId('filter-chip')).toHaveCount(2);
    await expect(page.getByTestId('history-empty')).toContainText('No calls match these filters');
    await page.getByRole('button', { name: 'Remove filter: Taken over' }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-call-id', cancelled);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect(rows).toHaveCount(2);
    await expect(page.getByTestId('number-input')).toHaveValue('');

    // Sort by duration, both ways (aria-sort on the header).
    const byDuration = [...stored].sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0));
    await page.getByTestId('sort-duration').getByRole('button').click();
    await expect(page.getByTestId('sort-duration')).toHaveAttribute('aria-sort', 'descending');
    await expect(rows.first()).toHaveAttribute('data-call-id', byDuration[0]!.id);
    await page.getByTestId('sort-duration').getByRole('button').click();
    await expect(page.getByTestId('sort-duration')).toHaveAttribute('aria-sort', 'ascending');
    await expect(rows.first()).toHaveAttribute('data-call-id', byDuration[1]!.id);
    await page.getByTestId('sort-startedAt').getByRole('button').click();

    // Keyboard: arrows move between rows, Enter opens the call.
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(1)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(rows.nth(0)).toBeFocused();
  });

  await test.step('bad input: a clear message next to the input, never a crash', async () => {
    await page.getByTestId('min-duration').fill('300');
    await page.getByTestId('max-duration').fill('60');
    await page.getByTestId('max-duration').press('Enter');
    await expect(page.getByTestId('duration-error')).toHaveText(/shortest duration \(5 min\) is longer than the longest \(1 min\)/);
    await expect(page.getByTestId('max-duration')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('history-invalid')).toBeVisible();
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect(page.getByTestId('duration-error')).toHaveCount(0);

    const search = page.getByTestId('search-input');
    await search.fill('refund '.repeat(43).slice(0, 300));
    await expect(page.getByTestId('search-error')).toHaveText('Search text is too long: 300 characters, at most 200.');
    await search.fill('charge\u0000');
    await expect(page.getByTestId('search-error')).toHaveText(/can’t contain control characters/);
    // Quotes and operators are searched as words, not as FTS syntax.
    await search.fill('"charge" OR NEAR(');
    await expect(page.getByTestId('search-error')).toHaveCount(0);
    await expect(page.getByTestId('history-error')).toHaveCount(0);
    await expect(page.getByTestId('search-results').or(page.getByTestId('history-empty'))).toBeVisible();
    await shot(page, '02-bad-input');
    await search.fill('');
  });

  let hitLineId = '';
  await test.step('search: stemmed matches with the words marked; a result opens the call at its line', async () => {
    const lines = await finalLines(api, charged);
    const chargedLine = lines.find((u) => /\bcharged\b/i.test(u.text));
    await page.getByTestId('search-input').fill('charge');
    const hits = page.getByTestId('search-hit');
    await expect(hits.first()).toBeVisible();
    const marks = await page.getByTestId('search-results').locator('mark').allTextContents();
    expect(marks.every((m) => /^charg/i.test(m))).toBe(true);
    // The agent said "charge"; the caller (as heard by speech-to-text) said "charged".
    expect(marks.map((m) => m.toLowerCase())).toContain('charge');
    if (chargedLine) {
      expect(marks.map((m) => m.toLowerCase())).toContain('charged');
    } else {
      test.info().annotations.push({ type: 'note', description: 'speech-to-text did not hear "charged" this run; stemming checked on "charge" only' });
    }
    const fromCore = await api.invoke('history.search', { filter: { search: 'charge' } });
    await expect(hits).toHaveCount(fromCore.hits.length);
    await shot(page, '03-search');

    // Open the caller's line if it matched, else the first hit.
    const target = chargedLine ? hits.and(page.locator(`[data-line-id="${chargedLine.id}"]`)) : hits.first();
    hitLineId = (await target.getAttribute('data-line-id'))!;
    await target.click();
    await expect(page).toHaveURL(new RegExp(`#/calls/${charged}\\?line=${hitLineId}&from=search$`));
    const line = page.locator(`[data-testid="utterance"][data-utterance-id="${hitLineId}"]`);
    await expect(line).toHaveAttribute('data-targeted', 'true');
    await expect(line).toBeInViewport();
    await expect(line.getByTestId('target-marker')).toHaveText('Search match');
  });

  await test.step('call page: transcript, timeline, sentiment chart, latency, recording player', async () => {
    const detail = page.getByTestId('call-detail');
    await expect(detail).toHaveAttribute('data-call-id', charged);
    await expect(page.getByTestId('sentiment-chart')).toBeVisible();
    await expect(page.getByTestId('detail-timeline')).toContainText('Agent took over');
    await expect(page.getByTestId('latency-card')).toBeVisible();
    await shot(page, '04-call');

    const recordings = (await api.invoke('calls.get', { callId: charged })).recordings;
    if (recordings.length === 0) {
      test.info().annotations.push({ type: 'TODO', description: 'the core returned no recording for the demo call; player not checked' });
      await expect(page.getByTestId('no-recording')).toBeVisible();
      return;
    }
    const recording = recordings.find((r) => r.kind === 'line') ?? recordings[0]!;
    const player = page.getByTestId('recording-player');
    await expect(player).toBeVisible();
    const audio = page.getByTestId('recording-audio');
    await expect(audio).toHaveAttribute('src', `/files/${recording.route}`);
    // The file is served with range requests (how the audio element seeks).
    const ranged = await page.request.get(`/files/${recording.route}`, { headers: { Range: 'bytes=0-43' } });
    expect(ranged.status()).toBe(206);
    expect((await ranged.body()).subarray(0, 4).toString('latin1')).toBe('RIFF');

    await page.getByTestId('play-toggle').click();
    await expect(player).toHaveAttribute('data-playing', 'true');
    await expect.poll(() => audio.evaluate((el: HTMLAudioElement) => el.currentTime), { timeout: 10_000 }).toBeGreaterThan(0.3);
    await page.getByTestId('speed').getByRole('radio', { name: '2×' }).click();
    expect(await audio.evaluate((el: HTMLAudioElement) => el.playbackRate)).toBe(2);
    await page.getByTestId('speed').getByRole('radio', { name: '1×' }).click();

    // Click a later line: the recording jumps there and that line is the one highlighted.
    const lines = await finalLines(api, charged);
    const later = lines.filter((u) => u.speaker === 'caller').at(-1) ?? lines.at(-1)!;
    const row = page.locator(`[data-testid="utterance"][data-utterance-id="${later.id}"]`);
    await row.getByTestId('line-seek').click();
    const expected = (later.startMs - recording.startMs) / 1000;
    await expect
      .poll(() => audio.evaluate((el: HTMLAudioElement) => el.currentTime), { timeout: 5_000 })
      .toBeGreaterThan(expected - 0.5);
    expect(await audio.evaluate((el: HTMLAudioElement) => el.currentTime)).toBeLessThan(expected + 3);
    await expect(row).toHaveAttribute('data-playing', 'true');
    await expect(row).toBeInViewport();
    await shot(page, '05-call-playing');
    await page.getByTestId('play-toggle').click();
    await expect(player).toHaveAttribute('data-playing', 'false');
  });

  await test.step('export: CSV from the UI with its progress, downloaded and parsed back', async () => {
    await page.getByTestId('back-to-history').click();
    await expect(page).toHaveURL(/#\/history\?q=charge/);
    await page.getByTestId('search-input').fill('');
    await expect(page.getByTestId('history-row')).toHaveCount(2);
    await page.getByTestId('export-button').click();
    const panel = page.getByTestId('export-panel');
    await expect(panel.getByTestId('export-estimate')).toContainText('2 calls match');
    await panel.getByRole('radio', { name: 'CSV', exact: true }).check();
    await panel.getByRole('radio', { name: 'Calls', exact: true }).check();
    holdFinalExportEvents = true;
    const job = await startExport(panel);
    await expect(job.getByTestId('export-progress')).toBeVisible();
    await expect(job.getByTestId('export-rows')).toHaveText(/of 2 rows/);
    await shot(page, '06-export-running');
    releaseExportEvents();
    await expect(job).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
    await expect(job.getByTestId('export-size')).toContainText('2 rows');

    const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('export-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^switchboard-calls-.*\.csv$/);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const records = csvRecords(text);
    expect(records).toHaveLength(stored.length);
    expect(records.map((r) => r['call_id']).sort()).toEqual(stored.map((c) => c.id).sort());
    for (const call of stored) {
      const r = records.find((x) => x['call_id'] === call.id)!;
      expect(Number(r['duration_s'])).toBeCloseTo(call.durationMs! / 1000, 3);
      expect(r['taken_over']).toBe(String(call.takenOver));
      expect(r['end_reason']).toBe(call.endReason);
      // Formula injection: a phone number starting with + is text, prefixed with '.
      expect(r['from']).toBe(`'${call.from}`);
    }
    await shot(page, '07-export-done');
  });

  await test.step('export: Excel with calls and lines, parsed back with exceljs', async () => {
    const panel = page.getByTestId('export-panel');
    await panel.getByRole('radio', { name: 'Excel', exact: true }).check();
    await panel.getByRole('radio', { name: 'Both', exact: true }).check();
    const job = await startExport(panel);
    await expect(job).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('export-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path())!);
    const calls = workbook.getWorksheet('Calls')!;
    const lines = workbook.getWorksheet('Lines')!;
    expect(calls.actualRowCount - 1).toBe(stored.length);
    const header = (calls.getRow(1).values as unknown[]).slice(1);
    const col = (name: string) => header.indexOf(name) + 1;
    const rows = Array.from({ length: calls.actualRowCount - 1 }, (_, i) => calls.getRow(i + 2));
    expect(rows.map((row) => String(row.getCell(col('call_id')).value)).sort()).toEqual(stored.map((c) => c.id).sort());
    for (const call of stored) {
      const row = rows.find((x) => x.getCell(col('call_id')).value === call.id)!;
      expect(Number(row.getCell(col('duration_s')).value)).toBeCloseTo(call.durationMs! / 1000, 3);
      expect(row.getCell(col('taken_over')).value).toBe(call.takenOver);
      expect(row.getCell(col('from')).value).toBe(`'${call.from}`);
    }

    const expectedLines = (await finalLines(api, charged)).length + (await finalLines(api, cancelled)).length;
    expect(lines.actualRowCount - 1).toBe(expectedLines);
    const lineHeader = (lines.getRow(1).values as unknown[]).slice(1);
    const textCol = lineHeader.indexOf('text') + 1;
    const texts: string[] = [];
    for (let r = 2; r <= lines.actualRowCount; r++) texts.push(String(lines.getRow(r).getCell(textCol).value));
    expect(texts).toContain('I can refund the duplicate charge for you today.');
  });

  await test.step('export: cancel leaves no file behind', async () => {
    const panel = page.getByTestId('export-panel');
    await panel.getByRole('radio', { name: 'JSON Lines', exact: true }).check();
    await panel.getByRole('radio', { name: 'Lines', exact: true }).check();
    holdFinalExportEvents = true;
    const job = await startExport(panel);
    await job.getByTestId('export-cancel').click();
    releaseExportEvents();
    // Two calls export in milliseconds: the worker may have finished before Cancel arrived.
    await expect(job).toHaveAttribute('data-state', /cancelled|done/, { timeout: 15_000 });
    const id = (await job.getAttribute('data-job-id'))!;
    if ((await job.getAttribute('data-state')) === 'cancelled') {
      await expect(job).toContainText('Nothing was saved');
      await expect(job.getByTestId('export-download')).toHaveCount(0);
      expect((await page.request.get(`/files/exports/${id}`)).status()).toBe(404);
    } else {
      test.info().annotations.push({ type: 'note', description: 'export finished before Cancel; cancel is proven in history-volume.spec.ts' });
    }
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });

  await test.step('analytics: same filters, figures match the core, a chart’s CSV', async () => {
    await page.getByTestId('takeover-select').selectOption('yes');
    await page.getByTestId('nav-analytics').click();
    await expect(page).toHaveURL(/#\/analytics\?takenOver=yes/);
    await expect(page.getByTestId('filter-chip')).toHaveText(['Taken over']);
    await expect(page.getByTestId('kpi-calls').getByTestId('kpi-value')).toHaveText('1');
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect(page.getByTestId('kpi-calls').getByTestId('kpi-value')).toHaveText('2');
    const analytics = await api.invoke('history.analytics', { filter: {}, groupBy: 'day', utcOffsetMin: -new Date().getTimezoneOffset() });
    await expect(page.getByTestId('kpi-takeover').getByTestId('kpi-value')).toHaveText(`${Math.round((analytics.totals.takeoverRate ?? 0) * 100)}%`);
    await expect(page.getByTestId('chart-volume')).toBeVisible();
    await expect(page.getByTestId('chart-latency')).toBeVisible();

    await page.getByTestId('group-by').getByRole('radio', { name: 'Hour' }).click();
    await expect(page).toHaveURL(/group=hour/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-volume').getByTestId('chart-csv').click()]);
    const records = csvRecords(await readFile((await download.path())!, 'utf8'));
    expect(Object.keys(records[0]!)).toEqual(['period_start', 'inbound', 'outbound', 'total']);
    expect(records.reduce((n, r) => n + Number(r['total']), 0)).toBe(2);
    expect(records[0]!['period_start']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00[+-]\d\d:\d\d$/);
    await page.getByTestId('group-by').getByRole('radio', { name: 'Day' }).click();
  });

  await test.step('screenshots at 1024 and 1440 px', async () => {
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: width === 1024 ? 768 : 900 });
      await page.getByTestId('nav-analytics').click();
      await expect(page.getByTestId('kpi-calls')).toBeVisible();
      await shot(page, `analytics-${width}`);
      await page.getByTestId('nav-history').click();
      await expect(page.getByTestId('history-row')).toHaveCount(2);
      await shot(page, `history-${width}`);
      await page.goto(`/#/calls/${charged}?line=${hitLineId}`);
      await expect(page.getByTestId('call-detail')).toBeVisible();
      await expect(page.getByTestId('sentiment-chart')).toBeVisible();
      await shot(page, `call-${width}`);
      // Nothing in the top bar or the page header spills out of the window.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
  });

  api.close();
  expect(problems).toEqual([]);
});
