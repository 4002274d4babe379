/**
 * Settings → Telephony shows the telephony port with the tunnel commands to copy, and says
 * plainly when the saved port is taken by another program (the core then listens nowhere
 * rather than somewhere the tunnel doesn't point); choosing a free port fixes it. Against the
 * fake backend (support/fake-backend.ts, which answers telephony.* like the core). Needs the
 * built renderer (out/renderer). Photographed at 1024 and 1440 px wide.
 */
import { expect, test, type Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

/**
 * The page pretends to be a console on loopback (requests are intercepted; nothing listens on
 * this port): a secure context, like the headless console and Electron, so the Clipboard API
 * is there to be checked.
 */
const LOOPBACK_ORIGIN = 'http://127.0.0.1:47531';

const WIDTHS = [1024, 1440] as const;
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/telephony-port-${name}.png` });

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

async function openTelephony(page: Page) {
  await page.getByTestId('settings-button').click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByRole('tab', { name: 'Telephony' }).click();
  await expect(dialog.getByTestId('telephony-settings')).toBeVisible();
  return dialog;
}

async function configureTelephony(page: Page, patch: Record<string, unknown>): Promise<void> {
  await page.evaluate(async (p) => {
    const api = (globalThis as unknown as { switchboard: { invoke(name: string, input: unknown): Promise<{ ok: boolean }> } }).switchboard;
    if (!(await api.invoke('telephony.update', p)).ok) throw new Error('telephony.update failed');
  }, patch);
}

test('the telephony port with its tunnel commands, copied with one click', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: LOOPBACK_ORIGIN });
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true }, LOOPBACK_ORIGIN);
  await configureTelephony(page, { localPort: 4781 });
  const dialog = await openTelephony(page);

  await expect(dialog.getByTestId('telephony-port')).toHaveText('4781');
  await expect(dialog.getByTestId('telephony-listen-problem')).toHaveCount(0);
  const commands = dialog.getByTestId('tunnel-command');
  await expect(commands).toHaveCount(2);
  await expect(commands.nth(0)).toContainText('ngrok http 4781');
  await expect(commands.nth(1)).toContainText('cloudflared tunnel --url http://127.0.0.1:4781');

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await dialog.getByTestId('tunnel-commands').scrollIntoViewIfNeeded();
    // Each command is shown whole, beside its button, at both widths.
    for (const i of [0, 1]) {
      const code = commands.nth(i).locator('code');
      expect(await code.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    await shot(page, `01-commands-${width}`);
  }

  await dialog.getByRole('button', { name: 'Copy the ngrok command' }).click();
  await expect(dialog.getByRole('button', { name: 'Copy the ngrok command' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('ngrok http 4781');
  await dialog.getByRole('button', { name: 'Copy the cloudflared command' }).click();
  // "Copied" shows for a moment only: look before reading the clipboard back.
  await expect(dialog.getByRole('button', { name: 'Copy the cloudflared command' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('cloudflared tunnel --url http://127.0.0.1:4781');
  await expect(dialog.getByRole('button', { name: 'Copy the ngrok command' })).toHaveText('Copy');

  // A new port: the commands follow.
  const port = dialog.getByLabel('Local port');
  await port.fill('5099');
  await port.press('Enter');
  await expect(commands.nth(0)).toContainText('ngrok http 5099');
  await expect(dialog.getByTestId('telephony-port')).toHaveText('5099');
  expect(problems).toEqual([]);
});

test('a saved port taken by another program is said plainly, and a free port fixes it', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true, telephonyPortTaken: 4781 });
  const dialog = await openTelephony(page);

  const problem = dialog.getByTestId('telephony-listen-problem');
  await expect(problem.getByTestId('telephony-listen-problem-text')).toHaveText(
    "Not listening for Twilio: port 4781 is in use by another program, so real calls can't reach this console. " +
      'Stop that program and restart Switchboard, or choose another local port in Settings → Telephony (and point your tunnel at it).',
  );
  await expect(problem).toHaveAttribute('role', 'alert');
  // No command to copy: a tunnel to 4781 would reach the other program.
  await expect(dialog.getByTestId('tunnel-commands')).toHaveCount(0);
  await expect(dialog.getByTestId('telephony-readiness')).toHaveAttribute('data-ready', 'false');
  await expect(dialog.getByTestId('telephony-missing')).toContainText('a local port Switchboard can listen on (port 4781 is unavailable)');
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await problem.scrollIntoViewIfNeeded();
    await shot(page, `02-port-taken-${width}`);
  }

  // Trying the same port again while it is still taken says why, and keeps the problem shown.
  await problem.getByRole('button', { name: 'Try again' }).click();
  await expect(dialog.getByText("Can't listen there: port 4781 is in use by another program")).toBeVisible();
  await expect(problem).toBeVisible();

  // A free port: listening, the problem gone, the commands offered.
  const port = dialog.getByLabel('Local port');
  await port.fill('4782');
  await port.press('Enter');
  await expect(problem).toHaveCount(0);
  await expect(dialog.getByTestId('tunnel-command').nth(0)).toContainText('ngrok http 4782');
  await expect(dialog.getByTestId('telephony-missing')).not.toContainText('a local port');
  await shot(page, '03-port-fixed-1440');
  expect(problems).toEqual([]);
});
