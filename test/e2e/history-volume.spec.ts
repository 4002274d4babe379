/**
 * The team lead's desk over a big store: its own headless server (this file starts it) on a
 * copy of a synthetic store of 8,000 calls and 100,000 lines (the history benchmark's
 * generator, cached in the temp folder). Proves what two demo calls cannot: History pages
 * through the calls as you scroll (keyset, in the core's order), an export runs long enough to
 * show real progress and is cancelled leaving no file, and the charts have data to show.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { connectApi, type Api } from './support/api';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47331;
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/volume-${name}.png` });

let server: OwnServer | null = null;
let ORIGIN = '';
let TOKEN = '';
let DATA_DIR = '';
let api: Api;
let store: { calls: number; lines: number; startAt: number; endAt: number };

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const out = execFileSync(process.execPath, ['test/support/run-ts.mjs', 'test/e2e/support/volume-store.ts'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const built = JSON.parse(out.trim().split('\n').at(-1)!) as typeof store & { file: string };
  store = built;
  server = await startOwnServer({ port: PORT, name: 'volume', seedDb: built.file });
  ({ origin: ORIGIN, token: TOKEN, dataDir: DATA_DIR } = server);
  api = await connectApi(ORIGIN, TOKEN);
});

test.afterAll(async () => {
  api?.close();
  await server?.stop();
});

test('history pages through 8,000 calls as you scroll, in the core’s order', async ({ page }) => {
  await page.goto(`${ORIGIN}/?token=${TOKEN}#/history`);
  const table = page.getByTestId('calls-table');
  const rows = page.getByTestId('history-row');
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId('result-summary')).toHaveText('100+ calls');

  const first = await api.invoke('history.page', { filter: {}, limit: 100 });
  const second = await api.invoke('history.page', { filter: {}, limit: 100, cursor: first.nextCursor });
  await expect(rows.first()).toHaveAttribute('data-call-id', first.calls[0]!.id);

  // Scroll to the end of what is loaded: the next page comes in by itself.
  await table.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(page.getByTestId('result-summary')).toHaveText('200+ calls');
  const row150 = page.locator('[data-testid="history-row"][data-row-index="150"]');
  // Scrolled again until it is rendered: on a loaded machine the first scroll can land while
  // the list is still growing to its second page (seen once in a full run, never alone).
  await expect(async () => {
    await table.evaluate((el) => el.scrollTo({ top: 44 * 150 }));
    await expect(row150).toBeAttached({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await expect(row150).toHaveAttribute('data-call-id', second.calls[50]!.id);
  // Only the rows in view are in the DOM (virtualised).
  expect(await rows.count()).toBeLessThan(80);
  await shot(page, 'history-scrolled');

  // Keyboard: End then Home jump through what is loaded.
  await row150.focus();
  await page.keyboard.press('Home');
  await expect(page.locator('[data-row-index="0"]')).toBeFocused();
});

test('a long export: Cancel leaves no file; another shows progress and time left, and outlives the view', async ({ page }) => {
  await page.goto(`${ORIGIN}/?token=${TOKEN}#/history`);
  await expect(page.getByTestId('history-row').first()).toBeVisible();
  await page.getByTestId('export-button').click();
  const panel = page.getByTestId('export-panel');
  await expect(panel.getByTestId('export-estimate')).toContainText(`${store.calls.toLocaleString()} calls match`);
  await panel.getByRole('radio', { name: 'Excel', exact: true }).check();
  await panel.getByRole('radio', { name: 'Both', exact: true }).check();
  const jobs = panel.getByTestId('export-job');

  // Cancel at once: the job ends cancelled and leaves nothing behind.
  await panel.getByTestId('export-start').click();
  await expect(jobs).toHaveCount(1);
  const cancelledId = (await jobs.first().getAttribute('data-job-id'))!;
  const cancelled = panel.locator(`[data-job-id="${cancelledId}"]`);
  await expect(cancelled.getByTestId('export-rows')).toContainText(`of ${(store.calls + store.lines).toLocaleString()} rows`);
  await cancelled.getByTestId('export-cancel').click();
  await expect(cancelled).toHaveAttribute('data-state', 'cancelled', { timeout: 15_000 });
  await expect(cancelled).toContainText('Nothing was saved');
  await expect(cancelled.getByTestId('export-download')).toHaveCount(0);
  expect((await page.request.get(`${ORIGIN}/files/exports/${cancelledId}`)).status()).toBe(404);
  // Neither the file nor its partial copy is left in the data folder.
  expect(readdirSync(join(DATA_DIR, 'exports')).filter((name) => name.includes(cancelledId))).toEqual([]);

  // Run one to the end: rows move, an estimate of the time left appears, then the file.
  await panel.getByTestId('export-start').click();
  await expect(jobs).toHaveCount(2);
  const id = (await jobs.first().getAttribute('data-job-id'))!;
  const job = panel.locator(`[data-job-id="${id}"]`);
  await expect(job.getByTestId('export-eta')).toHaveText(/about .* left|almost done/, { timeout: 10_000 });
  await expect(job.getByTestId('export-progress')).not.toHaveAttribute('aria-valuenow', '0');
  await shot(page, 'export-running');
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(job.getByTestId('export-size')).toContainText(`${(store.calls + store.lines).toLocaleString()} rows`);
  // Jobs live in their own store: still listed after changing views.
  await page.keyboard.press('Escape');
  await page.getByTestId('nav-analytics').click();
  await page.getByTestId('exports-indicator').click();
  await expect(panel.locator(`[data-job-id="${id}"]`)).toHaveAttribute('data-state', 'done');
  await expect(panel.locator(`[data-job-id="${id}"]`).getByTestId('export-download')).toHaveAttribute('href', `/files/exports/${id}`);
  await shot(page, 'export-done');
});

test('analytics over two months of calls; screenshots at four widths', async ({ page }) => {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const range = `range=custom&from=${day(store.startAt + 86_400_000)}&to=${day(store.endAt - 86_400_000)}`;
  await page.goto(`${ORIGIN}/?token=${TOKEN}#/analytics?${range}&group=week`);
  await expect(page.getByTestId('filter-chip').first()).toContainText('–');
  await expect(page.getByTestId('kpi-calls')).toBeVisible();
  const [from, to] = [
    new Date(`${day(store.startAt + 86_400_000)}T00:00:00`).getTime(),
    new Date(`${day(store.endAt - 86_400_000)}T00:00:00`).getTime() + 86_400_000,
  ];
  const figures = await api.invoke('history.analytics', {
    filter: { from, to },
    groupBy: 'week',
    utcOffsetMin: -new Date().getTimezoneOffset(),
  });
  await expect(page.getByTestId('kpi-calls').getByTestId('kpi-value')).toHaveText(figures.totals.calls.toLocaleString());
  await expect(page.getByTestId('chart-intents')).toBeVisible();
  for (const [width, height] of [
    [1024, 768],
    [1280, 800],
    [1440, 900],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto(`${ORIGIN}/#/analytics?${range}&group=week`);
    await expect(page.getByTestId('chart-latency')).toBeVisible();
    await shot(page, `analytics-${width}`);
    await page.goto(`${ORIGIN}/#/history?${range}`);
    await expect(page.getByTestId('history-row').first()).toBeVisible();
    await shot(page, `history-${width}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }
  // A busy call (taken over, with alerts) on its page.
  const busy = await api.invoke('history.page', { filter: { takenOver: true, hasAlerts: true }, limit: 1 });
  await page.goto(`${ORIGIN}/#/calls/${busy.calls[0]!.id}`);
  await expect(page.getByTestId('sentiment-chart')).toBeVisible();
  await expect(page.getByTestId('no-recording')).toBeVisible();
  await shot(page, 'call-1920');
  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(page, 'call-1024');
});
