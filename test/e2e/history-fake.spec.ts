/**
 * The team lead's desk (History, call page, Analytics, Export panel) against the fake backend
 * (test/e2e/support/fake-backend.ts): fast UI checks and screenshots that need no server.
 * The real thing, end to end, is history.spec.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/fake-history-${name}.png` });

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

test('history: table, sort, filters as chips in the URL, search, call page, analytics, export', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  await page.getByTestId('nav-history').click();
  await expect(page).toHaveURL(/#\/history$/);
  const rows = page.getByTestId('history-row');
  await expect(rows.first()).toBeVisible();
  const all = await rows.count();
  expect(all).toBeGreaterThan(5);
  await shot(page, '01-table');

  // Sort by duration: the header says so (aria-sort) and the URL keeps it.
  await page.getByTestId('sort-duration').getByRole('button').click();
  await expect(page.getByTestId('sort-duration')).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/sort=duration/);

  // A filter becomes a chip, narrows the list and survives a reload.
  await page.getByTestId('takeover-select').selectOption('yes');
  await expect(page.getByTestId('filter-chip').filter({ hasText: 'Taken over' })).toBeVisible();
  await expect.poll(() => rows.count()).toBeLessThan(all);
  await page.reload();
  await expect(page.getByTestId('filter-chip').filter({ hasText: 'Taken over' })).toBeVisible();
  await expect(page.getByTestId('takeover-select')).toHaveValue('yes');

  // End reasons come from the store (history.facets) and are picked in a popover.
  await page.getByRole('button', { name: 'Remove filter: Taken over' }).click();
  await page.getByTestId('end-reason-button').click();
  await page.getByRole('checkbox', { name: 'Caller hung up' }).check();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('filter-chip')).toHaveText(['Ended: Caller hung up']);
  await expect(page).toHaveURL(/end=caller_hung_?up/);
  await expect.poll(() => rows.count()).toBeLessThan(all);

  // No match: the empty state says so and offers to clear the filters.
  await page.getByTestId('direction-select').selectOption('outbound');
  await expect(page.getByTestId('history-empty')).toContainText('No calls match these filters');
  await page.getByTestId('empty-clear').click();
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  await expect(rows).toHaveCount(all);

  // Bad input: a clear message next to the input, nothing queried.
  await page.getByTestId('min-duration').fill('300');
  await page.getByTestId('max-duration').fill('60');
  await page.getByTestId('max-duration').press('Enter');
  await expect(page.getByTestId('duration-error')).toContainText('longer than the longest');
  await shot(page, '02-bad-duration');
  await page.getByRole('button', { name: 'Clear all' }).click();
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  await expect(page.getByTestId('duration-error')).toHaveCount(0);

  // Keyboard: the grid's rows are one tab stop; arrows move, Enter opens.
  await rows.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();

  // Search shows matching lines with the words marked, and opens the call at that line.
  await page.getByTestId('search-input').fill('charge');
  const hit = page.getByTestId('search-hit').first();
  await expect(hit).toBeVisible();
  await expect(hit.locator('mark').first()).toHaveText(/charge/i);
  await shot(page, '03-search');
  const lineId = await hit.getAttribute('data-line-id');
  await hit.click();
  await expect(page).toHaveURL(new RegExp(`#/calls/[^?]+\\?line=${lineId}`));
  await expect(page.locator(`[data-utterance-id="${lineId}"]`)).toHaveAttribute('data-targeted', 'true');
  await expect(page.getByTestId('no-recording')).toBeVisible();
  await expect(page.getByTestId('sentiment-chart')).toBeVisible();
  await shot(page, '04-call');
  await page.getByTestId('back-to-history').click();
  await expect(page.getByTestId('search-input')).toHaveValue('charge');

  // Too long a search is refused with a clear message.
  await page.getByTestId('search-input').fill('x'.repeat(300));
  await expect(page.getByTestId('search-error')).toContainText('at most 200');
  await page.getByTestId('search-input').fill('');

  // A phone number typed into search finds no lines; one click finds the calls with that number.
  await page.getByTestId('search-input').fill('+44 7700 900123');
  await page.getByTestId('search-input').press('Enter');
  await page.getByTestId('search-number-instead').click();
  await expect(page.getByTestId('search-input')).toHaveValue('');
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-row')).toContainText('+44 7700 900123');
  expect(new URL(page.url().replace('#/', '')).searchParams.get('number')).toBe('+447700900123');
  await page.getByRole('button', { name: /clear filters|clear all/i }).first().click();

  // Export: progress, then a download link.
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-estimate')).toContainText('calls match');
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-job').first()).toHaveAttribute('data-state', 'done', { timeout: 10_000 });
  await expect(page.getByTestId('export-download')).toBeVisible();
  await shot(page, '05-export');
  await page.keyboard.press('Escape');

  // Analytics with the same filters.
  await page.getByTestId('nav-analytics').click();
  await expect(page.getByTestId('kpi-calls')).toBeVisible();
  await expect(page.getByTestId('chart-volume')).toBeVisible();
  await shot(page, '06-analytics');

  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(page, '07-analytics-1024');
  await page.getByTestId('nav-history').click();
  await shot(page, '08-history-1024');

  expect(problems).toEqual([]);
});
