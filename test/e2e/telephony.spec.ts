/**
 * Telephony in the console against the fake backend (test/e2e/support/fake-backend.ts, which
 * answers telephony.* and calls.dial like the core): the Settings dialog's Telephony tab, the
 * New AI call dialog with the core's refusals, and Twilio call statuses on outbound calls.
 * Needs the built renderer (out/renderer).
 */
import { expect, test, type Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/telephony-${name}.png` });

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

/** Sets Twilio up through the fake backend's transport, as a previous session would have. */
async function configureTwilio(page: Page, extra: Record<string, unknown> = {}): Promise<void> {
  await page.evaluate(async (patch) => {
    const api = (globalThis as unknown as { switchboard: { invoke(name: string, input: unknown): Promise<{ ok: boolean }> } }).switchboard;
    await api.invoke('secrets.set', { name: 'twilioAuthToken', value: 'auth-token-0123456789' });
    const r = await api.invoke('telephony.update', {
      accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
      phoneNumbers: ['+14155550199'],
      publicBaseUrl: 'https://switchboard-demo.ngrok.app',
      // All day, so the test does not depend on when it runs.
      allowedHours: { start: '00:00', end: '24:00' },
      ...patch,
    });
    if (!r.ok) throw new Error('telephony.update failed');
  }, extra);
}

test('telephony settings: fields validate as you type, save, and readiness follows', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  await page.getByTestId('settings-button').click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByRole('tab', { name: 'Telephony' }).click();

  const readiness = dialog.getByTestId('telephony-readiness');
  await expect(readiness).toHaveAttribute('data-ready', 'false');
  const missing = dialog.getByTestId('telephony-missing');
  await expect(missing).toContainText('Twilio account SID');
  await expect(missing).toContainText('Twilio auth token');
  await expect(missing).toContainText('a Twilio phone number');
  await expect(dialog).toContainText("The https address your tunnel forwards to this machine's telephony port 47890.");
  await shot(page, '01-settings-empty');

  // Account SID: a malformed SID is caught in the field, a good one saves and leaves "missing".
  const sid = dialog.getByLabel('Account SID');
  await sid.fill('AC1234');
  await sid.press('Enter');
  await expect(dialog.getByText('an Account SID is AC followed by 32 hex digits')).toBeVisible();
  await sid.fill(ACCOUNT_SID);
  await sid.press('Enter');
  await expect(missing).not.toContainText('Twilio account SID');
  await expect(dialog.getByLabel('Account SID')).toHaveValue(ACCOUNT_SID);

  // The auth token is write-only: saved, then only its status shows.
  const token = dialog.locator('[data-testid="twilio-secret"][data-secret="twilioAuthToken"]');
  await token.locator('input[type="password"]').fill('auth-token-0123456789');
  await token.getByRole('button', { name: 'Save' }).click();
  await expect(token.getByTestId('secret-status')).toHaveAttribute('data-configured', 'true');
  await expect(token.locator('input[type="password"]')).toHaveValue('');
  await expect(missing).not.toContainText('Twilio auth token');

  // Phone numbers: E.164 checked as you type (spaces and brackets are fine), added as a row.
  const add = dialog.getByLabel('Add a phone number');
  await add.fill('+1 415');
  await expect(dialog.getByTestId('add-phone-number').getByTestId('number-problem')).toContainText('E.164');
  await expect(dialog.getByTestId('add-phone-number').getByRole('button', { name: 'Add' })).toBeDisabled();
  await add.fill('+1 (415) 555-0100');
  await add.press('Enter');
  await expect(dialog.locator('[data-testid="phone-number"][data-number="+14155550100"]')).toBeVisible();
  await expect(add).toHaveValue('');
  await expect(missing).not.toContainText('a Twilio phone number');

  // Public base URL: http is refused in the field; the core's refusal of a port shows inline.
  const url = dialog.getByLabel('Public base URL');
  await url.fill('http://switchboard-demo.ngrok.app');
  await url.press('Enter');
  await expect(dialog.getByText('expected an https:// URL')).toBeVisible();
  await url.fill('https://switchboard-demo.ngrok.app');
  await url.press('Enter');
  await expect(dialog.getByTestId('telephony-webhooks')).toContainText('https://switchboard-demo.ngrok.app/twilio/voice');

  const port = dialog.getByLabel('Local port');
  await port.fill('80');
  await port.press('Enter');
  await expect(dialog.getByText("Can't listen there: port 80 needs administrator rights (ports below 1024 do)")).toBeVisible();
  await port.fill('8089');
  await port.press('Enter');
  await expect(dialog.getByTestId('telephony-port')).toHaveText('8089');
  await expect(dialog.getByText("Can't listen there: port 80 needs administrator rights (ports below 1024 do)")).toHaveCount(0);

  // How many live calls the bridge carries at once: checked as typed, saved.
  const cap = dialog.getByLabel('Live calls at once');
  await expect(cap).toHaveValue('200');
  await cap.fill('0');
  await cap.press('Enter');
  await expect(dialog.getByText('at least 1 call')).toBeVisible();
  await cap.fill('50');
  await cap.press('Enter');
  await expect(cap).toHaveValue('50');
  await expect(dialog.getByText('at least 1 call')).toHaveCount(0);

  await expect(readiness).toHaveAttribute('data-ready', 'true');
  await expect(readiness).toContainText('Ready for real calls');

  // Point the number at this console: the result shows where Twilio now sends its calls.
  const row = dialog.locator('[data-testid="phone-number"][data-number="+14155550100"]');
  await row.getByRole('button', { name: 'Point this number here' }).click();
  await expect(row.getByTestId('number-setup-result')).toContainText('https://switchboard-demo.ngrok.app/twilio/voice');
  await expect(row.getByTestId('number-setup-result')).toContainText('PN');
  await dialog.locator('[role="tabpanel"]').evaluate((el) => el.scrollTo(0, 0));
  await shot(page, '02-settings-ready');
  await dialog.getByTestId('phone-numbers').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await shot(page, '02b-settings-numbers');

  // Do-not-call list and allowed hours.
  const dnc = dialog.getByLabel('Add to the do-not-call list');
  await dnc.fill('+14155550123, +44 7700 900123');
  await dnc.press('Enter');
  await expect(dialog.getByTestId('do-not-call').getByTestId('number-chip')).toHaveCount(2);
  await dialog.getByLabel('Calls allowed from').fill('18:00');
  await dialog.getByLabel('Calls allowed until').fill('09:00');
  await dialog.getByLabel('Calls allowed until').blur();
  await expect(dialog.getByText('The start must be before the end.')).toBeVisible();
  await dialog.getByLabel('Calls allowed from').fill('09:00');
  await dialog.getByLabel('Calls allowed until').fill('20:30');
  await dialog.getByLabel('Calls allowed until').blur();
  await expect(dialog.getByText('The start must be before the end.')).toHaveCount(0);
  const saved = await page.evaluate(async () => {
    const api = (globalThis as unknown as { switchboard: { invoke(name: string, input: unknown): Promise<{ ok: true; value: { settings: unknown } }> } }).switchboard;
    return (await api.invoke('telephony.get', {})).value.settings;
  });
  expect(saved).toMatchObject({ allowedHours: { start: '09:00', end: '20:30' }, doNotCall: ['+14155550123', '+447700900123'], localPort: 8089 });
  await dialog.getByTestId('do-not-call').scrollIntoViewIfNeeded();
  await shot(page, '03-settings-outbound-rules');

  // Removing the only number makes telephony not ready again.
  await row.getByRole('button', { name: 'Remove +14155550100' }).click();
  await expect(readiness).toHaveAttribute('data-ready', 'false');
  await expect(missing).toContainText('a Twilio phone number');

  expect(problems).toEqual([]);
});

test('new AI call: not configured, invalid number, do-not-call, then a call that rings and is answered', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  const button = page.getByRole('button', { name: 'New AI call' });
  await expect(button).toBeEnabled();

  // Before Twilio is set up the dialog says so, and the core's refusal says what is missing.
  await button.click();
  const dialog = page.getByTestId('new-call-dialog');
  await expect(dialog.getByTestId('dial-not-ready')).toContainText('Twilio account SID');
  await dialog.getByLabel('Number to call').fill('+14155550100');
  await dialog.getByLabel('Purpose and context for the AI').fill('Confirm the boiler service appointment on Thursday morning.');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-refusal')).toContainText('Twilio is not configured: missing Twilio account SID');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  await configureTwilio(page, { doNotCall: ['+14155550123'] });
  await button.click();
  await expect(dialog.getByTestId('dial-form')).toBeVisible();
  await expect(dialog.getByTestId('dial-not-ready')).toHaveCount(0);
  await shot(page, '10-new-call-empty');

  // An incomplete number is caught in the form: nothing is sent.
  const number = dialog.getByLabel('Number to call');
  await number.fill('+1 415');
  await dialog.getByLabel('Purpose and context for the AI').fill(
    "Confirm Ms Jones' boiler service on Thursday between 8 and 12; offer Friday morning if that no longer suits.",
  );
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-number-error')).toContainText('Expected an E.164 number such as +14155550100');
  await expect(dialog.getByTestId('dial-refusal')).toHaveCount(0);
  await shot(page, '11-new-call-invalid');

  // E.164 in shape but not a number in use (libphonenumber, as the core checks): caught in the form too.
  await number.fill('+1 555 555 0123');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-number-error')).toContainText("This isn't a number in use");
  await number.fill('+999 123 4567');
  await expect(dialog.getByTestId('dial-number-error')).toContainText('No country uses this country code');
  await expect(dialog.getByTestId('dial-refusal')).toHaveCount(0);
  // One on the do-not-call list: the core's reason.
  await number.fill('+1 415 555 0123');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-refusal')).toContainText('The number is on the do-not-call list');
  await shot(page, '12-new-call-do-not-call');

  // A good number: "Calling…" with Twilio's status, then the call opens when it is answered.
  await number.fill('+1 415 555 0100');
  await dialog.getByLabel('Script').fill('1. Greet and say who is calling.\n2. Confirm the Thursday slot.\n3. Offer Friday if needed.');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  const placed = dialog.getByTestId('dial-placed');
  await expect(placed).toContainText('Calling +1 415 555 0100…');
  await expect(placed.getByTestId('twilio-status')).toHaveAttribute('data-twilio-status', 'ringing');
  await expect(page.getByTestId('outbound-dial')).toContainText('+1 415 555 0100');
  await shot(page, '13-new-call-ringing');

  await expect(dialog).toBeHidden({ timeout: 10_000 });
  const view = page.getByTestId('call-view');
  await expect(view.getByTestId('call-number')).toHaveText('+1 415 555 0100');
  await expect(view).toContainText('Outbound');
  await expect(page.getByTestId('outbound-dial')).toHaveCount(0);
  await expect(page.getByTestId('live-call').filter({ hasText: '415 555 0100' })).toBeVisible();

  expect(problems).toEqual([]);
});

test('call status: an outbound call rings in Live calls, then ends unanswered with "No answer"', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  await configureTwilio(page);

  await page.getByRole('button', { name: 'New AI call' }).click();
  const dialog = page.getByTestId('new-call-dialog');
  await dialog.getByLabel('Number to call').fill('+14155550013');
  await dialog.getByLabel('Purpose and context for the AI').fill('Remind the customer their meter reading is due this week.');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-placed')).toContainText('Calling +1 415 555 0013…');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // No summary yet: the Live calls list shows the dial, ringing, with its purpose.
  const pending = page.getByTestId('outbound-dial');
  await expect(pending.getByTestId('twilio-status')).toHaveAttribute('data-twilio-status', 'ringing');
  await expect(pending).toContainText('meter reading');
  await shot(page, '20-live-calls-ringing');

  // Twilio says no-answer: the core stores it as an ended call, which opens with the reason.
  await expect(pending).toHaveCount(0, { timeout: 10_000 });
  const view = page.getByTestId('call-view');
  await expect(view.getByTestId('call-number')).toHaveText('+1 415 555 0013');
  await expect(view.getByTestId('call-status')).toHaveAttribute('data-status', 'ended');
  await expect(view.getByTestId('twilio-status')).toHaveAttribute('data-twilio-status', 'no-answer');
  await expect(view.getByTestId('twilio-status')).toHaveText('No answer');
  await expect(page.getByTestId('recent-call').first()).toContainText('No answer');
  await shot(page, '21-no-answer');

  expect(problems).toEqual([]);
});

test('toll-fraud guard: allowed countries in Settings, and the New AI call form refuses premium-rate and foreign numbers before sending', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  await configureTwilio(page);
  const savedCountries = () =>
    page.evaluate(async () => {
      const api = (globalThis as unknown as { switchboard: { invoke(name: string, input: unknown): Promise<{ ok: true; value: { settings: { allowedCountries: string[] | null } } }> } }).switchboard;
      return (await api.invoke('telephony.get', {})).value.settings.allowedCountries;
    });

  await page.getByTestId('settings-button').click();
  const settings = page.getByTestId('settings-dialog');
  await settings.getByRole('tab', { name: 'Telephony' }).click();
  // The default: the countries of the console's own numbers (+1 415: the United States).
  const chips = settings.getByTestId('allowed-countries').getByTestId('country-chip');
  await expect(chips).toHaveText(['United StatesUS']);
  await expect(settings.getByTestId('allowed-countries-note')).toContainText("The default: the countries of this console's own numbers.");
  await expect(settings.getByRole('button', { name: 'Use the default' })).toHaveCount(0);

  // Adding a country (by name) turns the default into a list of its own.
  const add = settings.getByLabel('Allow calls to a country');
  await add.selectOption({ label: 'United Kingdom (+44)' });
  await expect(chips).toHaveText(['United StatesUS', 'United KingdomGB']);
  expect(await savedCountries()).toEqual(['US', 'GB']);
  await expect(settings.getByTestId('allowed-countries-note')).toContainText('Calls to any other country are refused.');
  // A country already allowed is not offered again.
  await expect(add.locator('option', { hasText: 'United Kingdom' })).toHaveCount(0);
  await settings.getByTestId('allowed-countries').scrollIntoViewIfNeeded();
  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(page, '30-allowed-countries-1024');
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(page, '30-allowed-countries-1440');

  // Removing every country allows none, and says so; "Use the default" goes back.
  await settings.getByRole('button', { name: 'Remove United States' }).click();
  await expect(chips).toHaveText(['United KingdomGB']);
  await settings.getByRole('button', { name: 'Remove United Kingdom' }).click();
  await expect(settings.getByTestId('allowed-countries-none')).toContainText('No country is allowed: every AI call is refused until you add one.');
  expect(await savedCountries()).toEqual([]);
  await settings.getByRole('button', { name: 'Use the default' }).click();
  await expect(chips).toHaveText(['United StatesUS']);
  expect(await savedCountries()).toBeNull();
  await page.keyboard.press('Escape');
  await expect(settings).toBeHidden();

  // The New AI call form: a premium-rate number and a country not allowed are refused in the
  // field, in the core's words, and nothing is sent.
  await page.getByRole('button', { name: 'New AI call' }).click();
  const dialog = page.getByTestId('new-call-dialog');
  await dialog.getByLabel('Purpose and context for the AI').fill('Confirm the boiler service appointment on Thursday morning.');
  const number = dialog.getByLabel('Number to call');
  await number.fill('+1 900 555 0100');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-number-error')).toContainText('This is a premium-rate number (United States). The console never calls these');
  await shot(page, '31-new-call-premium-rate');
  await number.fill('+33 6 12 34 56 78');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-number-error')).toHaveText(
    "Calls to France are not allowed. By default only the countries of this console's own numbers are (United States); add others in Settings → Telephony → Allowed countries.",
  );
  await shot(page, '32-new-call-country-not-allowed');
  await expect(dialog.getByTestId('dial-refusal')).toHaveCount(0);
  await expect(dialog.getByTestId('dial-placed')).toHaveCount(0);
  // An allowed number goes through.
  await number.fill('+1 415 555 0100');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog.getByTestId('dial-placed')).toContainText('Calling +1 415 555 0100…');

  expect(problems).toEqual([]);
});

test('ConversationRelay per number: choose Twilio’s speech for one number, set its voice and language, and switch back', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  await configureTwilio(page, { phoneNumbers: ['+14155550199', '+14155550123'] });
  const saved = () =>
    page.evaluate(async () => {
      const api = (globalThis as unknown as { switchboard: { invoke(name: string, input: unknown): Promise<{ ok: true; value: { settings: { relayNumbers: string[]; relay: Record<string, string> }; webhooks: { relay: string } | null } }> } }).switchboard;
      return (await api.invoke('telephony.get', {})).value;
    });

  await page.getByTestId('settings-button').click();
  const settings = page.getByTestId('settings-dialog');
  await settings.getByRole('tab', { name: 'Telephony' }).click();
  const second = settings.locator('[data-testid="phone-number"][data-number="+14155550123"]');
  const transport = second.getByTestId('number-transport');
  // Every number starts on Switchboard's own engines; no relay card until a number uses it.
  await expect(transport).toHaveValue('media');
  await expect(settings.getByTestId('relay-speech')).toHaveCount(0);

  await transport.selectOption({ label: 'ConversationRelay' });
  await expect(transport).toHaveValue('relay');
  expect((await saved()).settings.relayNumbers).toEqual(['+14155550123']);
  await expect(settings.locator('[data-testid="phone-number"][data-number="+14155550199"]').getByTestId('number-transport')).toHaveValue('media');
  const card = settings.getByTestId('relay-speech');
  await expect(card).toBeVisible();
  await expect(settings.getByRole('region', { name: 'ConversationRelay speech' })).toContainText("Listen-in and local recordings aren't available on those calls.");

  // Voice provider and voice; a voice id with spaces is refused as you type, then a good one saves.
  await card.locator('#tel-relay-tts').selectOption('Google');
  await expect.poll(async () => (await saved()).settings.relay.ttsProvider).toBe('Google');
  const voice = card.locator('#tel-relay-voice');
  await voice.fill('not a voice');
  await voice.blur();
  await expect(card).toContainText('a voice id has letters, digits, dots, dashes, colons and underscores only');
  expect((await saved()).settings.relay.voice).toBe('');
  await voice.fill('en-US-Journey-O');
  await voice.press('Enter');
  await expect.poll(async () => (await saved()).settings.relay.voice).toBe('en-US-Journey-O');
  const language = card.locator('#tel-relay-language');
  await language.fill('english');
  await language.blur();
  await expect(card).toContainText('a language such as en-US');
  await language.fill('es-ES');
  await language.press('Enter');
  await expect.poll(async () => (await saved()).settings.relay.language).toBe('es-ES');

  await card.scrollIntoViewIfNeeded();
  await page.setViewportSize({ width: 1024, height: 768 });
  await shot(page, '40-relay-1024');
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(page, '40-relay-1440');

  // Back to Switchboard's engines: the relay card goes with the last relay number.
  await transport.selectOption({ label: 'Media Streams' });
  await expect.poll(async () => (await saved()).settings.relayNumbers).toEqual([]);
  await expect(settings.getByTestId('relay-speech')).toHaveCount(0);
  expect(problems).toEqual([]);
});
