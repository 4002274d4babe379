/**
 * The console against the real headless server (playwright.config.ts starts
 * `node out/main/serve.js` with token E2E_TOKEN): a demo call from start to Recent calls.
 * The simulated caller speaks in real time, so waits for transcript lines are generous.
 */
import { expect, test, type Page } from '@playwright/test';

const TOKEN = 'e2e-token-0123456789abcdef0123456789'; // E2E_TOKEN in playwright.config.ts
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/server-${name}.png` });

test('demo call: transcript, take over, reply, end, recent calls', async ({ page }) => {
  test.setTimeout(180_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });

  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  // The token leaves the address bar, and a reload still gets in.
  expect(new URL(page.url()).searchParams.has('token')).toBe(false);
  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('engine-badge')).toBeVisible();
  await shot(page, '01-ready');

  await page.getByRole('button', { name: 'Start demo call' }).click();
  const view = page.getByTestId('call-view');
  await expect(view).toBeVisible({ timeout: 15_000 });
  const callId = await view.getAttribute('data-call-id');
  expect(callId).toBeTruthy();
  await expect(page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`)).toBeVisible();

  const log = page.getByRole('log', { name: 'Transcript' });
  await expect(log.locator('[data-testid="utterance"][data-speaker="ai"]').first()).toBeVisible({ timeout: 60_000 });
  await expect(log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="true"]').first()).toBeVisible({
    timeout: 60_000,
  });
  await shot(page, '02-transcript');

  await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await expect(page.getByRole('button', { name: 'Hand back' })).toBeVisible();
  await expect(page.getByTestId('handover-summary')).toContainText('Last said');
  await shot(page, '03-taken-over');

  const reply = 'Hi, this is Sam from the support team. I can help you with that.';
  const composer = page.getByRole('textbox', { name: 'Reply to caller' });
  await composer.fill(reply);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(log.locator('[data-testid="utterance"][data-speaker="agent"]').filter({ hasText: 'Sam from the support team' })).toBeVisible({
    timeout: 15_000,
  });
  await expect(composer).toHaveValue('');
  // The line turns final once the caller has heard all of it (Twilio's mark came back).
  await expect(
    log.locator('[data-testid="utterance"][data-speaker="agent"][data-final="true"]').filter({ hasText: 'Sam from the support team' }),
  ).toBeVisible({ timeout: 15_000 });
  await shot(page, '04-agent-reply');

  await page.getByRole('button', { name: 'End call' }).click();
  await expect(view.getByTestId('call-status')).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'End call' })).toHaveCount(0);
  const recent = page.getByTestId('recent-calls').locator(`[data-call-id="${callId}"]`);
  await expect(recent).toBeVisible({ timeout: 15_000 });
  await expect(page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`)).toHaveCount(0);
  await shot(page, '05-ended');

  // The ended call reopens read-only from storage.
  await page.reload();
  await page.getByTestId('recent-calls').locator(`[data-call-id="${callId}"]`).click();
  await expect(log.locator('[data-speaker="agent"]').filter({ hasText: 'Sam from the support team' })).toBeVisible();
  await expect(page.getByTestId('composer')).toHaveCount(0);
  await shot(page, '06-recent-reopened');

  expect(problems).toEqual([]);
});

test('without its token the console explains what is needed', async ({ page, context }) => {
  await context.clearCookies();
  const response = await page.goto('/');
  expect(response?.status()).toBe(401);
  await expect(page.getByText(/needs its access token/i)).toBeVisible();
  await shot(page, '10-needs-token');

  // The socket refuses a wrong token too.
  const refused = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/api?token=wrong`);
        ws.onopen = () => resolve(false);
        ws.onerror = () => resolve(true);
      }),
  );
  expect(refused).toBe(true);
});
