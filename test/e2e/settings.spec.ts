/**
 * API keys are write-only: the renderer sends a key once, and nothing the core sends back
 * (replies or events) ever contains it — not after saving, not after a reload.
 */
import { expect, test } from '@playwright/test';

const TOKEN = 'e2e-token';
const KEY = 'dg-e2e-secret-key-0123456789';

test('a saved API key never comes back to the renderer', async ({ page }) => {
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));

  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByTestId('settings-dialog');
  const deepgram = dialog.locator('[data-testid="provider-card"][data-provider="deepgram"]');
  await deepgram.getByLabel(/API key/i).fill(KEY);
  await deepgram.getByRole('button', { name: 'Save' }).click();
  await expect(deepgram.getByTestId('secret-status')).toHaveText(/saved/i);
  await expect(deepgram.getByLabel(/API key/i)).toHaveValue('');
  await page.screenshot({ path: 'test-results/screens/server-20-settings-saved.png' });

  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(deepgram.getByTestId('secret-status')).toHaveText(/saved/i);
  await expect(deepgram.getByLabel(/API key/i)).toHaveValue('');

  // Leave the console as the other tests expect it: offline, no key.
  await deepgram.getByRole('button', { name: 'Clear' }).click();
  await expect(deepgram.getByTestId('secret-status')).not.toHaveText(/saved/i);

  expect(received.length).toBeGreaterThan(0);
  expect(received.filter((frame) => frame.includes(KEY))).toEqual([]);
  expect(await page.content()).not.toContain(KEY);
});

test('call handling times are edited in seconds, refused out of range, and kept', async ({ page }) => {
  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: 'Settings' }).click();
  const section = page.getByTestId('call-handling-settings');
  const offer = section.getByTestId('timing-waitOfferMs');
  await expect(offer).toHaveValue('60');
  await offer.fill('3');
  await offer.press('Enter');
  await expect(section.getByRole('alert')).toHaveText('Enter 10–1800 seconds.');
  await offer.fill('90');
  await offer.press('Tab');
  await expect(section.getByRole('alert')).toHaveCount(0);
  await section.screenshot({ path: 'test-results/screens/server-21-call-handling.png' });

  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(section.getByTestId('timing-waitOfferMs')).toHaveValue('90');
  // Leave the defaults for the other tests.
  await section.getByTestId('timing-waitOfferMs').fill('60');
  await section.getByTestId('timing-waitOfferMs').press('Enter');
  await expect(section.getByTestId('timing-pauseHoldLineMs')).toHaveValue('8');
});
