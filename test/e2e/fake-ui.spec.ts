/**
 * UI-only behaviour against the fake backend (test/e2e/support/fake-backend.ts), installed where
 * the Electron preload puts the real transport. Needs the built renderer (out/renderer).
 */
import { expect, test, type Page } from '@playwright/test';
import { FAKE_ORIGIN, openWithFakeBackend, serveRenderer } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/fake-${name}.png` });

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

test('overview: live calls, recent calls, call view and assist panel', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true, speed: 1 });

  await expect(page.getByTestId('live-call')).toHaveCount(2);
  await expect(page.getByTestId('recent-call').first()).toBeVisible();
  await expect(page.getByTestId('engine-badge')).toHaveText(/Offline engines/);
  await expect(page.getByTestId('no-call')).toBeVisible();
  await shot(page, '01-empty-selection');

  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  await expect(page.getByRole('log', { name: 'Transcript' }).getByTestId('utterance')).not.toHaveCount(0);
  await expect(page.getByTestId('cut-off')).toBeVisible();
  await expect(page.getByTestId('suggestion-reply')).toBeVisible();
  await expect(page.getByTestId('sentiment-sparkline')).toBeVisible();
  await shot(page, '02-live-call');

  // Engine details are a tooltip on hover.
  await page.getByTestId('engine-badge').hover();
  await expect(page.getByRole('tooltip').filter({ hasText: 'eSpeak NG' })).toBeVisible();
  await page.waitForTimeout(200); // let the fade-in finish for the screenshot
  await shot(page, '03-engine-tooltip');

  // An ended call opens read-only.
  await page.getByTestId('recent-call').first().click();
  await expect(page.getByTestId('call-status')).toHaveAttribute('data-status', 'ended');
  await expect(page.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(page.getByTestId('composer')).toHaveCount(0);
  await expect(page.getByTestId('call-footer-note')).toContainText('read-only');
  await shot(page, '04-ended-call');

  // The strict CSP (no inline styles or scripts) holds for everything the console renders.
  expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
});

test('demo call: interim lines are replaced in place, take over, use suggestion, send, end', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { speed: 3 });
  await expect(page.getByTestId('no-call')).toBeVisible();

  await page.getByRole('button', { name: 'Start demo call' }).click();
  const view = page.getByTestId('call-view');
  await expect(view).toBeVisible();
  const log = page.getByRole('log', { name: 'Transcript' });

  // The first caller line shows as interim (dimmed) before it is final, and stays one element.
  const interim = log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="false"]').first();
  await expect(interim).toBeVisible({ timeout: 15_000 });
  const id = await interim.getAttribute('data-utterance-id');
  expect(id).toBeTruthy();
  await shot(page, '10-interim');
  const sameLine = log.locator(`[data-utterance-id="${id}"]`);
  await expect(sameLine).toHaveAttribute('data-final', 'true', { timeout: 15_000 });
  await expect(sameLine).toHaveCount(1);
  await expect(page.getByTestId('suggestion-reply')).toBeVisible();

  await page.getByRole('button', { name: 'Take over' }).click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await expect(log.locator('[data-event-type="takeover"]')).toBeVisible();

  // "Use" fills the composer with the suggested reply.
  await page.getByRole('button', { name: 'Use', exact: true }).click();
  const composer = page.getByRole('textbox', { name: 'Reply to caller' });
  await expect(composer).toHaveValue(/charged twice/);
  await composer.fill('Let me fix that for you right now.');
  await shot(page, '11-agent-composer');
  await composer.press('Enter');
  await expect(log.locator('[data-speaker="agent"]').filter({ hasText: 'Let me fix that' })).toBeVisible();
  await expect(composer).toHaveValue('');

  await page.getByRole('button', { name: 'Hand back' }).click();
  await expect(page.getByRole('button', { name: 'Take over' })).toBeVisible();

  await page.getByRole('button', { name: 'End call' }).click();
  await expect(page.getByTestId('call-status')).toHaveAttribute('data-status', 'ended');
  await expect(page.getByTestId('recent-call')).toHaveCount(1);
  await shot(page, '12-ended');
  expect(problems).toEqual([]);
});

test('transcript follows new lines until the user scrolls up', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 600 });
  await openWithFakeBackend(page, { speed: 6, loop: true });
  await page.getByRole('button', { name: 'Start demo call' }).click();
  const log = page.getByRole('log', { name: 'Transcript' });

  // Wait until the transcript overflows, then check it is pinned to the bottom.
  await expect
    .poll(() => log.evaluate((el) => el.scrollHeight > el.clientHeight + 200), { timeout: 30_000 })
    .toBe(true);
  await expect
    .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
    .toBeLessThan(60);

  // Scrolling up stops following; new lines do not move the view.
  await log.hover();
  await page.mouse.wheel(0, -600);
  await expect(log).toHaveAttribute('data-following', 'false');
  const top = await log.evaluate((el) => el.scrollTop);
  await expect(page.getByRole('button', { name: /new line/ })).toBeVisible({ timeout: 15_000 });
  expect(Math.abs((await log.evaluate((el) => el.scrollTop)) - top)).toBeLessThan(2);
  await shot(page, '20-scrolled-up');

  await page.getByRole('button', { name: /new line/ }).click();
  await expect(log).toHaveAttribute('data-following', 'true');
  await expect
    .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
    .toBeLessThan(60);
});

test('a failed command shows its message as a toast', async ({ page }) => {
  await openWithFakeBackend(page, { seed: true });
  await page.getByTestId('live-call').first().click();
  await page.evaluate(() => {
    const fake = (globalThis as unknown as { __fake: { failNext(name: string, message: string): void } }).__fake;
    fake.failNext('call.takeOver', 'The media bridge is not connected');
  });
  await page.getByRole('button', { name: 'Take over' }).click();
  const toast = page.getByRole('alert').filter({ hasText: "Couldn't take over the call" });
  await expect(toast).toContainText('The media bridge is not connected');
  await expect(page.getByRole('button', { name: 'Take over' })).toBeEnabled();
  await shot(page, '30-error-toast');
  await toast.getByRole('button', { name: 'Dismiss notification' }).click();
  await expect(toast).toHaveCount(0);
});

test('without Electron or a token, a socket the server refuses shows the needs-token state', async ({ page }) => {
  // No window.switchboard, so the renderer uses the WebSocket; nothing answers it, but /healthz does.
  await serveRenderer(page);
  await page.goto(`${FAKE_ORIGIN}/`);
  const gate = page.getByTestId('auth-required');
  await expect(gate).toBeVisible();
  await expect(gate).toHaveAttribute('data-reason', 'no-token');
  await expect(page.getByRole('heading', { name: 'This console needs its access token' })).toBeVisible();
  await shot(page, '40-needs-token');

  // With a token in the URL it is taken out of the address bar (kept for reloads) and, when
  // refused, reported as a rejected token.
  await page.goto(`${FAKE_ORIGIN}/?token=stale-token`);
  await expect(gate).toHaveAttribute('data-reason', 'unauthorized');
  expect(new URL(page.url()).search).toBe('');
  expect(await page.evaluate(() => sessionStorage.getItem('switchboard.token'))).toBe('stale-token');
});
