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
