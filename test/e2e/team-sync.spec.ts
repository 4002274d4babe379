/**
 * Settings → Team sync (issue 12) through the real headless server and a real PostgreSQL
 * (test/support/postgres.ts): a bad URL is refused as typed, TLS the server cannot do is said
 * in words, the desk's stored calls are sent and the status follows, the server going away and
 * coming back shows in the status, the desk's name reaches the team database, and the URL's
 * password never reaches the page.
 */
import pg from 'pg';
import { expect, test } from '@playwright/test';
import { historyStore } from '../bench/support/history-store';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47581;
const PASSWORD = 'pw-never-in-the-page-7f3a';

test.describe('Settings → Team sync', () => {
  let postgres: TestPostgres;
  let server: OwnServer;

  test.beforeAll(async () => {
    postgres = await startPostgres();
    const store = historyStore({ calls: 300, lines: 3000, days: 10, seed: 7 });
    server = await startOwnServer({ port: PORT, name: 'team-sync', seedDb: store.file });
  });
  test.afterAll(async () => {
    await server?.stop();
    await postgres?.close();
  });

  test('set up, send the stored calls, survive the server going away, rename the desk', async ({ page }) => {
    test.setTimeout(180_000);
    const received: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));
    await page.goto(`${server.origin}/?token=${server.token}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByTestId('settings-dialog');
    await dialog.getByRole('tab', { name: 'Team sync' }).click();
    const section = dialog.getByTestId('team-sync-settings');
    await expect(section.getByTestId('team-url-status')).toHaveText('Not set');
    await expect(section.getByTestId('team-sync-status')).toHaveCount(0);

    // Not a PostgreSQL URL: said as typed, nothing sent.
    const url = section.getByLabel('Team database URL');
    await url.fill('mysql://desk@db.example.com/team');
    await expect(section.getByRole('alert')).toHaveText('A team database URL looks like postgres://user:password@host:5432/database.');
    await expect(section.getByRole('button', { name: 'Save' })).toBeDisabled();

    // The real URL, with TLS still "require": the test server has no certificate, and says so.
    const withPassword = postgres.url.replace('switchboard@', `switchboard:${PASSWORD}@`);
    await url.fill(withPassword);
    await section.getByRole('button', { name: 'Save' }).click();
    await expect(section.getByTestId('team-test-result')).toHaveAttribute('data-ok', 'false');
    await expect(section.getByTestId('team-test-result')).toContainText('does not accept TLS connections');
    await expect(section.getByTestId('team-server')).toHaveText(`127.0.0.1:${postgres.port}/switchboard`);
    await expect(section.getByTestId('team-sync-status')).toHaveAttribute('data-state', 'offline');

    // TLS off (a server on this machine): connected, and the 300 stored calls go over.
    await section.getByLabel('Encryption (TLS)').selectOption('disable');
    await expect(section.getByTestId('team-sync-status')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    await expect(section.getByTestId('team-sync-backlog')).toHaveText('Nothing: up to date', { timeout: 30_000 });
    await section.getByRole('button', { name: 'Test connection' }).click();
    await expect(section.getByTestId('team-test-result')).toHaveAttribute('data-ok', 'true');
    await expect(section.getByTestId('team-test-result')).toContainText(/Connected to PostgreSQL 1\d/);
    const team = new pg.Client({ connectionString: postgres.url });
    team.on('error', () => undefined); // the server is stopped below while this is open
    await team.connect();
    try {
      expect((await team.query('SELECT count(*)::int AS n FROM calls')).rows[0].n).toBe(300);
      expect((await team.query('SELECT count(*)::int AS n FROM utterances')).rows[0].n).toBe(3000);

      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: `test-results/screens/team-sync-connected-${width}.png` });
      }

      // The server goes away: the status says so in words, with the next attempt.
      await postgres.stop();
      await expect(section.getByTestId('team-sync-status')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
      await expect(section.getByTestId('team-sync-error')).toContainText(`Could not reach the team database at 127.0.0.1:${postgres.port}`, { timeout: 20_000 });
      await expect(section.getByTestId('team-sync-error')).toContainText('Trying again');
      await page.screenshot({ path: 'test-results/screens/team-sync-offline-1440.png' });
      await postgres.start();
      await expect(section.getByTestId('team-sync-status')).toHaveAttribute('data-state', 'connected', { timeout: 90_000 });
    } finally {
      await team.end().catch(() => undefined);
    }

    // A new name for the desk reaches the team database.
    const desk = section.getByLabel('This desk’s name');
    await desk.fill('');
    await expect(section.getByRole('alert')).toHaveText('The desk needs a name.');
    await desk.fill('Front desk 2');
    await desk.press('Enter');
    const again = new pg.Client({ connectionString: postgres.url });
    await again.connect();
    try {
      await expect.poll(async () => (await again.query('SELECT name FROM desks')).rows.map((r: { name: string }) => r.name), { timeout: 20_000 }).toEqual(['Front desk 2']);
    } finally {
      await again.end();
    }

    // The team view on the real core: History's Team source reads PostgreSQL, each row with its desk.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('nav-history').click();
    await page.getByTestId('source-switch').getByRole('radio', { name: 'Team' }).click();
    await expect(page).toHaveURL(/source=team/);
    const rows = page.getByTestId('history-row');
    await expect(rows.first()).toBeVisible();
    await expect(rows.first().getByTestId('desk-chip').filter({ visible: true })).toHaveText('Front desk 2');
    await page.screenshot({ path: 'test-results/screens/team-sync-history-team-1440.png' });

    // The URL was typed into a password field and never came back: not in any frame the page received.
    expect(received.some((frame) => frame.includes(PASSWORD))).toBe(false);
    expect(received.some((frame) => frame.includes('postgres://'))).toBe(false);
  });
});
