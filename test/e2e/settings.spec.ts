/**
 * API keys are write-only: the renderer sends a key once, and nothing the core sends back
 * (replies or events) ever contains it — not after saving, not after a reload.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake';
import { startOpenAiFake, textReply as openAiText, type OpenAiFake } from '../fakes/openai-fake';
import { startSmallestFake, type SmallestFake } from '../fakes/smallest-fake';
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

/**
 * The engines teams bring from other stacks (issue 11): OpenAI for the language model,
 * ElevenLabs or Smallest.AI for the voice, chosen per role in Settings, each key tested as it
 * is saved against the vendor's loopback fake (SWITCHBOARD_OPENAI_URL, …), the model and voice
 * fields checked as they are typed, and the engine summary saying what the next call will use.
 */
test.describe('OpenAI, ElevenLabs and Smallest.AI in Settings → Engines', () => {
  const PORT = 47571;
  const OPENAI_KEY = 'sk-e2e-accepted-key-0123456789';
  const ELEVENLABS_KEY = 'sk_e2e-elevenlabs-key-0123456789';
  const SMALLEST_KEY = 'sm-e2e-smallest-key-0123456789';
  let openai: OpenAiFake;
  let elevenlabs: ElevenLabsFake;
  let smallest: SmallestFake;
  let server: OwnServer;

  test.beforeAll(async () => {
    openai = await startOpenAiFake({ apiKey: OPENAI_KEY });
    openai.auto = openAiText('OK'); // what each connection test gets
    elevenlabs = await startElevenLabsFake({ apiKey: ELEVENLABS_KEY });
    smallest = await startSmallestFake({ apiKey: SMALLEST_KEY });
    server = await startOwnServer({
      port: PORT,
      name: 'engines',
      env: { SWITCHBOARD_OPENAI_URL: openai.baseUrl, SWITCHBOARD_ELEVENLABS_URL: elevenlabs.baseUrl, SWITCHBOARD_SMALLEST_URL: smallest.baseUrl },
    });
  });
  test.afterAll(async () => {
    await server?.stop();
    await Promise.all([openai?.close(), elevenlabs?.close(), smallest?.close()]);
  });

  test('each role offers its engines; keys are tested as saved; model and voice are checked as typed; the summary follows', async ({ page }) => {
    const received: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(String(frame.payload))));
    await page.goto(`${server.origin}/?token=${server.token}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByTestId('settings-dialog');
    const llm = dialog.locator('[data-testid="engine-row"][data-role="llm"]');
    const tts = dialog.locator('[data-testid="engine-row"][data-role="tts"]');

    // The language model: OpenAI, without a key yet, runs offline and says so.
    await expect(llm.getByRole('combobox', { name: 'Language model' }).locator('option')).toHaveText(['Offline', 'Gemini', 'OpenAI']);
    await llm.getByRole('combobox', { name: 'Language model' }).selectOption('openai');
    await expect(llm.getByTestId('engine-in-use')).toContainText('Running offline: no OpenAI key');
    const model = llm.getByRole('combobox', { name: 'OpenAI model' });
    await expect(model).toHaveValue('gpt-4o-mini');

    // A wrong key is refused in words, then the right one passes and OpenAI is in use.
    const openaiCard = dialog.locator('[data-testid="provider-card"][data-provider="openai"]');
    await openaiCard.getByLabel(/API key/i).fill('sk-e2e-wrong-key-000000000');
    await openaiCard.getByRole('button', { name: 'Save' }).click();
    await expect(openaiCard.getByTestId('test-result')).toHaveAttribute('data-ok', 'false');
    await expect(openaiCard.getByTestId('test-result')).toContainText('OpenAI: the API key was refused (HTTP 401).');
    await expect(llm.getByTestId('engine-in-use')).toContainText('Running offline: OpenAI key rejected');
    await openaiCard.getByLabel(/API key/i).fill(OPENAI_KEY);
    await openaiCard.getByRole('button', { name: 'Save' }).click();
    await expect(openaiCard.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
    await expect(openaiCard.getByTestId('test-result')).toContainText('OpenAI accepted the key');
    await expect(llm.getByTestId('engine-in-use')).toHaveText(/OpenAI gpt-4o-mini\s*\(cloud\)/);
    await model.selectOption('gpt-4o');
    await expect(llm.getByTestId('engine-in-use')).toHaveText(/OpenAI gpt-4o\s*\(cloud\)/);

    // The voice: ElevenLabs, its voice id checked as it is typed and saved on Enter.
    await expect(tts.getByRole('combobox', { name: 'Text-to-speech' }).locator('option')).toHaveText(['Offline', 'Deepgram', 'ElevenLabs', 'Smallest.AI']);
    await tts.getByRole('combobox', { name: 'Text-to-speech' }).selectOption('elevenlabs');
    const voice = tts.getByRole('textbox', { name: 'ElevenLabs voice id' });
    await expect(voice).toHaveValue('21m00Tcm4TlvDq8ikWAM');
    await expect(tts.getByRole('combobox', { name: 'ElevenLabs model' })).toHaveValue('eleven_flash_v2_5');
    await voice.fill('Rachel please');
    await expect(voice).toHaveAttribute('aria-invalid', 'true');
    await expect(tts.getByRole('alert')).toHaveText('Not saved: a voice id is letters, digits, "-" and "_" only.');
    await voice.fill('pNInz6obpgDQGcFmaJgB');
    await expect(tts.getByRole('alert')).toHaveCount(0);
    await voice.press('Enter');
    await expect(tts.getByRole('button', { name: 'Use the default' })).toBeVisible();
    const elevenCard = dialog.locator('[data-testid="provider-card"][data-provider="elevenlabs"]');
    await elevenCard.getByLabel(/API key/i).fill(ELEVENLABS_KEY);
    await elevenCard.getByRole('button', { name: 'Save' }).click();
    // ElevenLabs' SDK loads in its own thread (started when ElevenLabs was chosen above): seconds on a loaded machine.
    await expect(elevenCard.getByTestId('test-result')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(elevenCard.getByTestId('test-result')).toContainText('ElevenLabs accepted the key');
    await expect(tts.getByTestId('engine-in-use')).toContainText('ElevenLabs Flash');
    await expect(tts.getByTestId('engine-in-use')).toContainText('voice pNInz6obpgDQGcFmaJgB');

    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await dialog.getByTestId('engines-settings').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screens/server-24-engines-openai-elevenlabs-${width}.png` });
    }
    // The model and voice fields meet WCAG AA as the rest of Settings does (a11y.spec.ts sees only the default engines).
    await voice.fill('no spaces please');
    const { violations } = await new AxeBuilder({ page }).include('[data-testid="engines-settings"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    // Left invalid, nothing is saved: the summary keeps the voice in force.
    await voice.blur();
    await expect(tts.getByTestId('engine-in-use')).toContainText('voice pNInz6obpgDQGcFmaJgB');

    // Smallest.AI: its own voice and model; Test connection on a saved key.
    await tts.getByRole('combobox', { name: 'Text-to-speech' }).selectOption('smallest');
    await expect(tts.getByRole('textbox', { name: 'Smallest.AI voice id' })).toHaveValue('avery');
    await tts.getByRole('combobox', { name: 'Smallest.AI model' }).selectOption('lightning_v3.1_pro');
    await expect(tts.getByTestId('engine-in-use')).toContainText('Running offline: no Smallest.AI key');
    const smallestCard = dialog.locator('[data-testid="provider-card"][data-provider="smallest"]');
    await smallestCard.getByLabel(/API key/i).fill(SMALLEST_KEY);
    await smallestCard.getByRole('button', { name: 'Save' }).click();
    await expect(smallestCard.getByTestId('test-result')).toHaveAttribute('data-ok', 'true');
    await smallestCard.getByRole('button', { name: 'Test connection' }).click();
    await expect(smallestCard.getByTestId('test-result')).toContainText('Smallest.AI accepted the key');
    await expect(tts.getByTestId('engine-in-use')).toContainText('Smallest.AI Lightning Pro');

    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      await dialog.getByTestId('engines-settings').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screens/server-24-engines-smallest-${width}.png` });
      await smallestCard.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screens/server-24-engine-keys-${width}.png` });
    }

    // Kept: a reload shows the same choices, and the top bar says cloud engines are in use.
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(llm.getByRole('combobox', { name: 'OpenAI model' })).toHaveValue('gpt-4o');
    await expect(tts.getByRole('textbox', { name: 'Smallest.AI voice id' })).toHaveValue('avery');
    await tts.getByRole('combobox', { name: 'Text-to-speech' }).selectOption('elevenlabs');
    await expect(tts.getByRole('textbox', { name: 'ElevenLabs voice id' })).toHaveValue('pNInz6obpgDQGcFmaJgB');
    await dialog.getByRole('button', { name: 'Done' }).click();

    for (const key of [OPENAI_KEY, ELEVENLABS_KEY, SMALLEST_KEY]) {
      expect(received.filter((frame) => frame.includes(key))).toEqual([]);
      expect(await page.content()).not.toContain(key);
    }
  });
});
