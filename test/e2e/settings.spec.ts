/**
 * API keys are write-only: the renderer sends a key once, and nothing the core sends back
 * (replies or events) ever contains it — not after saving, not after a reload.
 */
import { expect, test } from '@playwright/test';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';
import { startOwnServer, type OwnServer } from './support/own-server';

const TOKEN = 'e2e-token-0123456789abcdef0123456789'; // E2E_TOKEN in playwright.config.ts
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

/**
 * Provider faults (issue 10): a Deepgram key is tested as it is saved. A console of its own,
 * its Deepgram pointed at a loopback fake (SWITCHBOARD_DEEPGRAM_URL) that accepts one key:
 * a wrong key is reported beside the key and on the engine badge, in words, and the engines
 * stay offline; the right key clears it.
 */
test.describe('a Deepgram key the service rejects', () => {
  const PORT = 47561;
  const GOOD_KEY = 'dg-e2e-accepted-key-0123456789';
  let deepgram: DeepgramFake;
  let server: OwnServer;

  test.beforeAll(async () => {
    deepgram = await startDeepgramFake({ apiKey: GOOD_KEY });
    server = await startOwnServer({ port: PORT, name: 'provider-faults', env: { SWITCHBOARD_DEEPGRAM_URL: deepgram.environment.base } });
  });
  test.afterAll(async () => {
    await server?.stop();
    await deepgram?.close();
  });

  test('is reported in words beside the key and on the engine badge, and kept off new calls', async ({ page }) => {
    await page.goto(`${server.origin}/?token=${server.token}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    const badge = page.getByTestId('engine-badge');
    await expect(badge).toHaveText('Offline engines');

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByTestId('settings-dialog');
    const card = dialog.locator('[data-testid="provider-card"][data-provider="deepgram"]');
    await card.getByLabel(/API key/i).fill('dg-e2e-wrong-key-000000');
    await card.getByRole('button', { name: 'Save' }).click();
    const result = card.getByTestId('test-result');
    await expect(result).toHaveAttribute('data-ok', 'false');
    await expect(result).toContainText('Deepgram: the API key was refused (HTTP 401).');
    await expect(result).toContainText('New calls use the offline engine instead');
    // The engines for new calls stay offline, and say why.
    const stt = dialog.locator('[data-testid="engine-row"][data-role="stt"]');
    await expect(stt.getByTestId('engine-in-use')).toContainText('Running offline: Deepgram key rejected');
    expect(deepgram.handshakes).toEqual([{ path: '/v1/listen', status: 401 }]);

    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await stt.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screens/server-22-key-rejected-engines-${width}.png` });
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screens/server-22-key-rejected-settings-${width}.png` });
    }
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(badge).toContainText('Offline engines');
    await expect(badge).toContainText('Deepgram key rejected');
    await expect(badge).toHaveAttribute('data-trouble', 'Deepgram key rejected');
    await page.setViewportSize({ width: 1024, height: 900 });
    await expect(badge).toHaveAccessibleName('Offline engines: Deepgram key rejected');
    await expect(badge).toHaveText('Key rejected', { useInnerText: true }); // narrow: the short form, the tooltip has the rest
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await badge.hover();
      await expect(page.getByRole('tooltip')).toContainText('the API key was refused');
      await page.screenshot({ path: `test-results/screens/server-23-key-rejected-badge-${width}.png` });
    }

    // The right key passes its test: Deepgram is back for new calls and the badge is calm.
    await page.getByRole('button', { name: 'Settings' }).click();
    await card.getByLabel(/API key/i).fill(GOOD_KEY);
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(result).toHaveAttribute('data-ok', 'true');
    await expect(result).toContainText('Deepgram accepted the key');
    await expect(stt.getByTestId('engine-in-use')).not.toContainText('Running offline');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(badge).toHaveText('Cloud engines');
    await expect(badge).not.toHaveAttribute('data-trouble');
  });
});
