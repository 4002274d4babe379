/**
 * The agent's desk in a real browser against the real headless server (its own, on a fresh
 * data folder): a demo call's caller details show in the Assist panel and copy with a click;
 * ending the call opens the wrap-up form (proposed summary, disposition preselected, running
 * timer); bad input is refused in plain words; the saved wrap-up survives a reload, shows on
 * the call's page and filters History.
 */
import { expect, test, type Page } from '@playwright/test';
import { connectApi, type Api } from './support/api';
import { openWithFakeBackend } from './support/fake-page';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47361;
const TOKEN = 'wrapup-e2e-token-0123456789abcdef';
test.use({ baseURL: `http://127.0.0.1:${PORT}`, permissions: ['clipboard-read', 'clipboard-write'] });

let server: OwnServer | null = null;
test.beforeAll(async () => {
  server = await startOwnServer({ port: PORT, name: 'wrapup', token: TOKEN });
});
test.afterAll(async () => {
  await server?.stop();
});

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Screenshots at the two widths agents use, for looking at. */
async function shots(page: Page, name: string): Promise<void> {
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `test-results/screens/wrapup-${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('caller details copy with a click; the wrap-up form opens when the call ends, saves, and survives a reload', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  const api: Api = await connectApi(baseURL!, TOKEN);

  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.getByLabel('Demo scenario').selectOption('double-charge');
  await page.getByRole('button', { name: 'Start demo call' }).click();
  const view = page.getByTestId('call-view');
  await expect(view).toBeVisible({ timeout: 15_000 });
  const callId = (await view.getAttribute('data-call-id'))!;

  // The caller gives their account number (real-time speech through the offline engines).
  await until('the account number line', async () => {
    const detail = await api.invoke('calls.get', { callId });
    return detail.entities.some((e) => e.type === 'account_number');
  }, 120_000);

  await test.step('caller details: shown in Assist as said and after a reload, click to copy says Copied', async () => {
    const chip = page.getByTestId('entity-chip').and(page.locator('[data-type="account_number"]'));
    // Live, from the suggestion that followed the line.
    await expect(chip).toContainText('45678', { timeout: 15_000 });
    await page.reload();
    await expect(view).toHaveAttribute('data-call-id', callId);
    await expect(chip).toContainText('45678');
    await chip.click();
    await expect(chip.getByTestId('entity-copied')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('45678');
    // The confirmation goes away by itself.
    await expect(chip.getByTestId('entity-copied')).toHaveCount(0, { timeout: 5000 });
    await shots(page, 'assist');
  });

  const panel = page.getByTestId('wrap-up-panel');
  await test.step('Wrap up during the call opens the form; ending the call keeps it open', async () => {
    await page.getByTestId('wrap-up-open').click();
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('wrap-up-reason')).toHaveValue(/Charged twice/, { timeout: 15_000 });
    await expect(panel.getByTestId('wrap-up-source')).toContainText('still going on');
    await page.getByRole('button', { name: 'End call' }).click();
    await expect(view.getByTestId('call-status')).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });
    await expect(panel).toBeVisible();
  });

  await test.step('the form: proposal preselected, a running timer, bad input refused in plain words', async () => {
    const proposal = await api.invoke('wrapup.get', { callId });
    expect(proposal.savedAt).toBeNull();
    if (proposal.proposedDisposition) await expect(panel.getByTestId('wrap-up-disposition')).toHaveValue(proposal.proposedDisposition);
    const timer = panel.getByTestId('wrap-up-timer');
    const before = await timer.textContent();
    await expect.poll(() => timer.textContent(), { timeout: 5000 }).not.toBe(before);

    await panel.getByTestId('wrap-up-notes').fill('x'.repeat(4001));
    await expect(panel.getByTestId('wrap-up-error')).toHaveText('Notes can be at most 4000 characters.');
    await expect(panel.getByTestId('wrap-up-save')).toBeDisabled();
    await expect(panel.getByTestId('wrap-up-notes-count')).toHaveText('4001/4000');

    await panel.getByTestId('wrap-up-reason').fill('Charged twice for broadband this month; refund agreed.');
    await panel.getByTestId('wrap-up-resolution-yes').click();
    await panel.getByTestId('wrap-up-followups').fill('Check the refund reached the account');
    await panel.getByTestId('wrap-up-disposition').selectOption('resolved');
    await panel.getByTestId('wrap-up-notes').fill('Refunded the duplicate charge.');
    await expect(panel.getByTestId('wrap-up-error')).toHaveCount(0);
    await shots(page, 'form');
  });

  await test.step('save: the saved state shows; a reload keeps it', async () => {
    await panel.getByTestId('wrap-up-save').click();
    const bar = page.getByTestId('wrap-up-bar');
    await expect(bar).toContainText('Wrapped up');
    await expect(bar.getByTestId('wrap-up-saved-disposition')).toHaveText('Resolved');
    // Recent calls say which ended calls are wrapped up, and how.
    await expect(page.locator(`[data-testid="recent-call"][data-call-id="${callId}"]`).getByTestId('recent-disposition')).toHaveText('Resolved');
    await expect(panel).toHaveCount(0);
    const saved = await api.invoke('wrapup.get', { callId });
    expect(saved).toMatchObject({
      disposition: 'resolved',
      notes: 'Refunded the duplicate charge.',
      summary: { reason: 'Charged twice for broadband this month; refund agreed.', resolution: 'yes', followUps: ['Check the refund reached the account'] },
    });
    expect(saved.wrapUpMs).toBeGreaterThan(1000);
    await shots(page, 'saved');

    await page.reload();
    await expect(view).toHaveAttribute('data-call-id', callId);
    await expect(page.getByTestId('wrap-up-bar').getByTestId('wrap-up-saved-disposition')).toHaveText('Resolved');
    await expect(page.getByTestId('wrap-up-panel')).toHaveCount(0);
  });

  await test.step('the call page shows the wrap-up; History filters by disposition', async () => {
    await page.goto(`/?token=${TOKEN}#/calls/${callId}`);
    const card = page.getByTestId('wrap-up-card');
    await expect(card.getByTestId('wrap-up-saved-disposition')).toHaveText('Resolved');
    await expect(card.getByTestId('wrap-up-saved-notes')).toHaveText('Refunded the duplicate charge.');
    await expect(page.getByTestId('entities-card').getByTestId('entity-chip').first()).toBeVisible();
    await shots(page, 'call-page');

    await page.goto(`/?token=${TOKEN}#/history?disposition=resolved`);
    await expect(page.getByTestId('history-row')).toHaveCount(1);
    await expect(page.getByTestId('history-row').getByTestId('row-disposition')).toHaveText('Resolved');
    await page.goto(`/?token=${TOKEN}#/history?disposition=spam`);
    await expect(page.getByText(/No calls match/i).first()).toBeVisible();
    await expect(page.getByTestId('history-row')).toHaveCount(0);
  });

  await test.step('Settings: the team adds a disposition; the form offers it; an existing name is refused', async () => {
    await page.goto(`/?token=${TOKEN}#/live/${callId}`);
    await page.getByTestId('settings-button').click();
    const section = page.getByTestId('disposition-settings');
    await section.getByTestId('disposition-input').fill('Refund issued');
    await section.getByRole('button', { name: 'Add' }).click();
    await expect(section.getByTestId('disposition-list')).toContainText('Refund issued');
    await section.getByTestId('disposition-input').fill('RESOLVED');
    await section.getByRole('button', { name: 'Add' }).click();
    await expect(section.getByRole('alert')).toHaveText('“RESOLVED” is already in the list.');
    await page.keyboard.press('Escape');
    expect((await api.invoke('settings.get')).dispositions.at(-1)).toBe('Refund issued');
    await page.getByTestId('wrap-up-edit').click();
    await expect(page.getByTestId('wrap-up-disposition').locator('option', { hasText: 'Refund issued' })).toHaveCount(1);
  });

  api.close();
  expect(problems).toEqual([]);
});

test('facts the AI records and details the caller gives appear live in Assist, newest first', async ({ page }) => {
  await openWithFakeBackend(page, { seed: true, speed: 1 });
  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  const callId = (await page.getByTestId('call-view').getAttribute('data-call-id'))!;
  type Fake = { recordEvent(id: string, type: string, data: Record<string, unknown>): void; emit(event: unknown): void };
  await page.evaluate((id) => {
    const fake = (globalThis as unknown as { __fake: Fake }).__fake;
    fake.recordEvent(id, 'tool_call', { tool: 'record_fact', args: { name: 'order number', value: '99812' } });
    fake.recordEvent(id, 'tool_call', { tool: 'record_fact', args: { name: 'callback time', value: 'tomorrow 9am' } });
    fake.recordEvent(id, 'tool_call', { tool: 'lookup_knowledge', args: { query: 'refunds' } });
    const suggestion = { callId: id, utteranceId: 'u-x', intent: 'billing', intentConfidence: 0.8, reply: 'Sure.', articles: [] };
    fake.emit({ name: 'call.suggestion', payload: { ...suggestion, entities: [{ type: 'account_number', value: '4419027' }] } });
    fake.emit({ name: 'call.suggestion', payload: { ...suggestion, entities: [{ type: 'email', value: 'jo@example.com' }, { type: 'account_number', value: '4419027' }] } });
  }, callId);
  const facts = page.getByTestId('facts-card').getByTestId('fact');
  await expect(facts).toHaveText(['order number99812', 'callback timetomorrow 9am']);
  // Accumulated over the call, each once, newest first.
  await expect(page.getByTestId('entities-card').getByTestId('entity-chip')).toHaveText(['Email' + 'jo@example.com', 'Account' + '4419027']);
  await page.getByTestId('entity-chip').first().click();
  await expect(page.getByTestId('entity-copied')).toHaveText('Copied');
  await page.screenshot({ path: 'test-results/screens/wrapup-facts-1440.png' });
});
