/**
 * Alerts against the real headless server (one of its own, on a fresh data folder): the agent
 * writes a rule in Settings → Alerts (with the editor refusing a broken one), saves it, a demo
 * caller says the phrase, the banner shows the alert in its colour and the agent acknowledges
 * it; then "Try this rule on stored calls" finds that call's line and links to it.
 */
import { expect, test, type Page } from '@playwright/test';
import type { AlertRule } from '@shared/alerts';
import { connectApi } from './support/api';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47351;
const TOKEN = 'alerts-e2e-token-0123456789abcdef';
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

let server: OwnServer | null = null;
test.beforeAll(async () => {
  server = await startOwnServer({ port: PORT, name: 'alerts', token: TOKEN });
});
test.afterAll(async () => {
  await server?.stop();
});

/** A screenshot at each of the two widths the console is checked at. */
async function shots(page: Page, name: string) {
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `test-results/screens/alerts-${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function openAlertSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByRole('tab', { name: 'Alerts' }).click();
  await expect(dialog.getByTestId('alert-rule').first()).toBeVisible();
  return dialog;
}

test('write a rule, see it fire on a live call, acknowledge it, and try it on stored calls', async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  const api = await connectApi(baseURL!, TOKEN);

  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

  let ruleId = '';
  await test.step('Settings → Alerts: the shipped rules, a new phrase rule, a refusal, a save', async () => {
    const dialog = await openAlertSettings(page);
    const shipped = await api.invoke('alerts.rules');
    await expect(dialog.getByTestId('alert-rule')).toHaveCount(shipped.length);
    await expect(dialog.getByTestId('alert-rule').first()).toContainText('Escalation words');
    await shots(page, 'settings-defaults');

    await dialog.getByTestId('add-rule-kind').selectOption('phrase');
    await dialog.getByTestId('add-rule').click();
    const editor = dialog.getByTestId('rule-editor');
    ruleId = (await editor.getAttribute('data-rule-id'))!;
    await expect(dialog.locator(`[data-testid="alert-rule"][data-rule-id="${ruleId}"]`)).toHaveAttribute('data-selected', 'true');

    // A broken rule is named and cannot be saved.
    await editor.getByTestId('rule-name').fill('');
    await editor.getByTestId('rule-phrases').fill('');
    await expect(editor.getByTestId('rule-problem')).toHaveText(['Give the rule a name', 'Add at least one phrase']);
    await expect(dialog.getByTestId('alert-rules-invalid')).toHaveText('1 rule needs fixing before the rules can be saved.');
    await expect(dialog.getByTestId('save-alert-rules')).toBeDisabled();
    await shots(page, 'settings-invalid');

    await editor.getByTestId('rule-name').fill('Wants to cancel');
    await editor.getByTestId('rule-phrases').fill('cancel my contract\nclose my account');
    await editor.getByTestId('rule-severity').getByRole('radio', { name: 'Critical' }).click();
    await editor.getByTestId('rule-action-sound').check();
    await editor.getByTestId('rule-cooldown').fill('5');
    await expect(editor.getByTestId('rule-problem')).toHaveCount(0);
    // Duplicate and delete work on the draft.
    await editor.getByTestId('duplicate-rule').click();
    await expect(dialog.getByTestId('alert-rule')).toHaveCount(shipped.length + 2);
    await expect(dialog.getByTestId('rule-name')).toHaveValue('Wants to cancel (copy)');
    await dialog.getByTestId('delete-rule').click();
    await expect(dialog.getByTestId('alert-rule')).toHaveCount(shipped.length + 1);
    await dialog.locator(`[data-testid="alert-rule"][data-rule-id="${ruleId}"] button`).click();
    await dialog.getByTestId('save-alert-rules').click();
    await expect(dialog.getByTestId('alert-rules-bar')).toContainText('All changes saved.');

    const saved = (await api.invoke('alerts.rules')).find((r) => r.id === ruleId) as AlertRule;
    expect(saved).toMatchObject({
      name: 'Wants to cancel',
      kind: 'phrase',
      severity: 'critical',
      cooldownMs: 300_000,
      actions: ['banner', 'sound'],
      params: { phrases: ['cancel my contract', 'close my account'], speaker: 'caller' },
    });
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  let callId = '';
  await test.step('a demo caller says it: the banner shows the alert; Acknowledge clears it', async () => {
    await page.getByLabel('Demo scenario').selectOption('cancel-service');
    await page.getByRole('button', { name: 'Start demo call' }).click();
    const view = page.getByTestId('call-view');
    await expect(view).toBeVisible({ timeout: 15_000 });
    callId = (await view.getAttribute('data-call-id'))!;
    const item = page.getByTestId('alert-banner-item').filter({ hasText: 'Wants to cancel' });
    await expect(item).toBeVisible({ timeout: 90_000 });
    await expect(item).toHaveAttribute('data-severity', 'critical');
    await expect(item).toContainText('Caller said “cancel my contract”.');
    await shots(page, 'banner');

    const alertId = (await item.getAttribute('data-alert-id'))!;
    await item.getByTestId('alert-ack').click();
    await expect(page.locator(`[data-testid="alert-banner-item"][data-alert-id="${alertId}"]`)).toHaveCount(0);
    await expect
      .poll(async () => (await api.invoke('calls.get', { callId })).events.filter((e) => e.type === 'alert_ack').map((e) => e.data['alertId']))
      .toEqual([alertId]);
    await page.getByRole('button', { name: 'End call' }).click();
    await expect(view.getByTestId('call-status')).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });
    const page1 = await api.invoke('history.page', { filter: { hasAlerts: true } });
    expect(page1.calls.map((c) => c.id)).toEqual([callId]);
  });

  await test.step('Try this rule on stored calls: the call and its line, linked', async () => {
    const dialog = await openAlertSettings(page);
    await dialog.locator(`[data-testid="alert-rule"][data-rule-id="${ruleId}"] button`).click();
    const backtest = dialog.getByTestId('backtest');
    await backtest.getByTestId('backtest-days').fill('1');
    await backtest.getByTestId('backtest-run').click();
    await expect(backtest.getByTestId('backtest-summary')).toContainText('Would have fired 1 time on 1 of 1 call in the last 1 day.');
    const match = backtest.getByTestId('backtest-match');
    await expect(match).toHaveCount(1);
    await expect(match).toContainText(/cancel my contract/i);
    await shots(page, 'backtest');

    // Not saved yet, and tried all the same: a phrase nobody said finds nothing.
    await dialog.getByTestId('rule-phrases').fill('speak to a lawyer');
    await expect(backtest.getByTestId('backtest-result')).toHaveAttribute('data-stale', 'true');
    await backtest.getByTestId('backtest-run').click();
    await expect(backtest.getByTestId('backtest-summary')).toContainText('Would not have fired on any of 1 call in the last 1 day.');
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await backtest.getByTestId('backtest-run').click();
    await match.locator('a').click();
    await expect(page).toHaveURL(new RegExp(`#/calls/${callId}\\?line=`));
    await expect(page.getByTestId('settings-dialog')).not.toBeVisible();
    await shots(page, 'call-page');
  });

  api.close();
  expect(problems).toEqual([]);
});
