/**
 * The team view's source switch (issue 12) against the fake backend: hidden until Team sync
 * is set up; then "This desk / Team" on History, Analytics and the Export panel, kept in the
 * URL, team rows with their desk. The real queries are tested against PostgreSQL in
 * test/integration/team-view.test.ts and team-console.test.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/team-view-${name}.png` });

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

test('without Team sync there is no source switch, and History reads this desk', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row').first()).toBeVisible();
  await expect(page.getByTestId('source-switch')).toHaveCount(0);
  await expect(page.getByTestId('row-desk')).toHaveCount(0);
  // A team link on a desk without Team sync shows this desk's calls, not an error.
  await page.goto(`${new URL(page.url()).origin}/#/history?source=team`);
  await expect(page.getByTestId('history-row').first()).toBeVisible();
  await expect(page.getByTestId('history-error')).toHaveCount(0);
  await expect(page.getByTestId('desk-chip')).toHaveCount(0);
  expect(problems).toEqual([]);
});

for (const width of [1024, 1440]) {
  test(`the switch reads the team: desk column, search chips, analytics and export follow (${width} px)`, async ({ page }) => {
    const problems = collectProblems(page);
    await page.setViewportSize({ width, height: 860 });
    await openWithFakeBackend(page, { seed: true, teamSync: true });
    await page.getByTestId('nav-history').click();
    const rows = page.getByTestId('history-row');
    await expect(rows.first()).toBeVisible();
    const deskRows = await rows.count();
    const switcher = page.getByTestId('source-switch');
    await expect(switcher.getByRole('radio', { name: 'This desk' })).toHaveAttribute('aria-checked', 'true');

    await switcher.getByRole('radio', { name: 'Team' }).click();
    await expect(page).toHaveURL(/source=team/);
    // A Desk column where there is room (xl, 1280 px up); a chip beside the number below.
    await expect(page.getByRole('columnheader', { name: 'Desk' })).toBeVisible({ visible: width >= 1280 });
    await expect(rows.first().getByTestId('desk-chip').filter({ visible: true })).toBeVisible();
    // Every column still fits: Alerts is on screen.
    const alerts = await page.getByRole('columnheader', { name: 'Alerts' }).boundingBox();
    expect(alerts!.x + alerts!.width).toBeLessThanOrEqual(width);
    await expect.poll(() => rows.count()).toBe(deskRows);
    const desks = await rows.getByTestId('desk-chip').filter({ visible: true }).allTextContents();
    expect(new Set(desks)).toEqual(new Set(['Front desk', 'Bristol desk']));
    await shot(page, `history-${width}`);

    // The choice is part of the URL: a reload keeps it.
    await page.reload();
    await expect(page.getByTestId('source-switch').getByRole('radio', { name: 'Team' })).toHaveAttribute('aria-checked', 'true');
    await expect(rows.first().getByTestId('desk-chip').filter({ visible: true })).toBeVisible();

    // Another desk's call does not open (its page is on that desk); this desk's does.
    const other = rows.filter({ has: page.getByTestId('desk-chip').filter({ hasText: 'Bristol desk' }) }).first();
    await other.click();
    await expect(page).toHaveURL(/#\/history/);
    const own = rows.filter({ has: page.getByTestId('desk-chip').filter({ hasText: 'Front desk' }) }).first();
    await own.click();
    await expect(page).toHaveURL(/#\/calls\//);
    await page.goBack();
    await expect(page).toHaveURL(/source=team/);

    // Search hits carry their desk.
    await page.getByTestId('search-input').fill('charged');
    await expect(page.getByTestId('search-hit').first()).toBeVisible();
    await expect(page.getByTestId('search-hit').first().getByTestId('desk-chip')).toBeVisible();
    await shot(page, `search-${width}`);

    // Analytics for these calls: the link keeps the team source.
    await page.getByRole('link', { name: /Analytics for these calls/ }).click();
    await expect(page).toHaveURL(/#\/analytics\?.*source=team/);
    await expect(page.getByTestId('source-switch').getByRole('radio', { name: 'Team' })).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('kpi-tiles').or(page.getByText('No calls match these filters'))).toBeVisible();
    await shot(page, `analytics-${width}`);

    // Export from the team: the panel starts on the view's source; the job is a team export.
    await page.getByTestId('export-button').click();
    const panel = page.getByTestId('export-panel');
    await expect(panel.getByRole('radio', { name: /^Team/ })).toBeChecked();
    await expect(panel.getByTestId('export-estimate')).toContainText('from the team');
    await shot(page, `export-${width}`);
    await panel.getByTestId('export-start').click();
    await expect(panel.getByText(/switchboard-team-calls/)).toBeVisible();
    await panel.getByRole('radio', { name: /^This desk/ }).check();
    await expect(panel.getByTestId('export-estimate')).not.toContainText('from the team');
    expect(problems).toEqual([]);
  });
}
