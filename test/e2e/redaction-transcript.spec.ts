/**
 * A redacted line in the live transcript (issue 10), in Chromium against the fake backend:
 * the console shows the masked text; when the core sends the words as said (Settings keep
 * originals and let the console see them) the line offers "show original", which swaps in
 * the original on that line only and back. A line without an original offers nothing.
 * Photographed at 1024 and 1440 px as test-results/screens/redaction-<state>-<width>.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/redaction-${name}.png` });

function callerSays(page: Page, callId: string, text: string, originalText?: string) {
  return page.evaluate(
    ({ callId, text, originalText }) =>
      (globalThis as unknown as { __fake: { callerSays(id: string, t: string, s: number, o?: string): void } }).__fake.callerSays(callId, text, 0, originalText),
    { callId, text, originalText },
  );
}

test('a redacted line shows its mask, and its original only on demand', async ({ page }) => {
  await page.clock.install();
  await openWithFakeBackend(page, { seed: true });
  await page.getByRole('button', { name: 'Start demo call' }).click();
  const view = page.getByTestId('call-view');
  await expect(view).toBeVisible();
  const callId = (await view.getAttribute('data-call-id'))!;
  await page.clock.runFor(4000);
  // Time stands still from here: the demo script adds no lines under the test.
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);

  await callerSays(page, callId, 'My card is [CARD ••••4242], expiry in May.', 'My card is 4242 4242 4242 4242, expiry in May.');
  await callerSays(page, callId, 'Thanks, that was quick.');
  const masked = page.getByTestId('utterance').filter({ hasText: 'My card is' });
  const plain = page.getByTestId('utterance').filter({ hasText: 'that was quick' });
  await expect(masked.getByTestId('line-text')).toHaveText('My card is [CARD ••••4242], expiry in May.');
  await expect(plain.getByTestId('show-original')).toHaveCount(0);

  const toggle = masked.getByTestId('show-original');
  await expect(toggle).toHaveText('show original');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await shot(page, `masked-${width}`);
  }

  await toggle.click();
  await expect(masked.getByTestId('line-text')).toHaveText('My card is 4242 4242 4242 4242, expiry in May.');
  await expect(toggle).toHaveText('hide original');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  // Only that line: the next one is as it was.
  await expect(plain.getByTestId('line-text')).toHaveText('Thanks, that was quick.');
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await shot(page, `original-${width}`);
  }

  await toggle.click();
  await expect(masked.getByTestId('line-text')).toHaveText('My card is [CARD ••••4242], expiry in May.');
});
