/**
 * Settings → Privacy (issue 10) against the fake backend (test/e2e/support/fake-backend.ts,
 * which keeps settings like settings.json and reports a purge like the core's
 * `privacy.status`): the redaction policy with its dependent switches, the retention days
 * checked as they are typed and saved, and the last clean-up line. Needs the built renderer.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/privacy-${name}.png` });

test('privacy settings: redaction policy, retention days validated as typed and saved, last clean-up', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  await openWithFakeBackend(page);
  await page.getByTestId('settings-button').click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByRole('tab', { name: 'Privacy' }).click();
  const privacy = dialog.getByTestId('privacy-settings');

  // The defaults: masked lines only; the switches that need originals wait for them.
  await expect(privacy.getByTestId('redactionMode-redacted')).toBeChecked();
  await expect(privacy.getByTestId('redactEmails')).toBeChecked();
  await expect(privacy.getByTestId('redactPhoneNumbers')).not.toBeChecked();
  await expect(privacy.getByTestId('showOriginalToConsole')).toBeDisabled();
  await expect(privacy.getByTestId('redactBeforeCloudLlm')).toBeDisabled();
  await expect(privacy.getByTestId('redactBeforeCloudLlm')).toBeChecked();
  await expect(privacy.getByTestId('setting-keepCallsDays')).toHaveValue('90');
  await expect(privacy.getByTestId('setting-keepRecordingsDays')).toHaveValue('30');
  await expect(privacy.getByTestId('last-purge')).toHaveText(/^Last clean-up .+: deleted 12 calls and 3 recordings\.$/);
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await shot(page, `01-defaults-${width}`);
  }
  // As a11y.spec.ts audits every tab: no serious or critical axe findings (WCAG 2 AA).
  const { violations } = await new AxeBuilder({ page }).include('[data-testid="settings-dialog"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // Keeping originals opens the two switches; each change is saved as it is made.
  await privacy.getByTestId('redactionMode-redacted_and_original').check();
  await expect(privacy.getByTestId('showOriginalToConsole')).toBeEnabled();
  await expect(privacy.getByTestId('redactBeforeCloudLlm')).toBeEnabled();
  await privacy.getByTestId('showOriginalToConsole').check();
  await privacy.getByTestId('redactPhoneNumbers').check();
  await expect(privacy.getByTestId('redactPhoneNumbers')).toBeEnabled(); // the save came back

  // Days: what is wrong is said as it is typed, and Save waits until both are right.
  const calls = privacy.getByTestId('setting-keepCallsDays');
  const recordings = privacy.getByTestId('setting-keepRecordingsDays');
  const save = privacy.getByTestId('retention-save');
  await calls.fill('0');
  await expect(privacy.getByTestId('problem-keepCallsDays')).toHaveText('Enter 1–3650 days (3650 days is about 10 years).');
  await expect(save).toBeDisabled();
  await calls.fill('4000');
  await expect(privacy.getByTestId('problem-keepCallsDays')).toContainText('Enter 1–3650 days');
  await calls.fill('two weeks');
  await expect(privacy.getByTestId('problem-keepCallsDays')).toHaveText('Enter whole days, as a number (for example 90).');
  await calls.fill('');
  await expect(privacy.getByTestId('problem-keepCallsDays')).toHaveText('Enter a number of days.');
  await calls.fill('45');
  await expect(privacy.getByTestId('problem-keepCallsDays')).toHaveCount(0);
  await recordings.fill('60');
  await expect(privacy.getByTestId('recordings-capped')).toHaveText('Recordings go with their calls, so they are kept 45 days at most.');
  await expect(save).toBeEnabled();
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await save.scrollIntoViewIfNeeded();
    await shot(page, `02-editing-${width}`);
  }
  await recordings.fill('14');
  await expect(privacy.getByTestId('recordings-capped')).toHaveCount(0);
  await save.click();
  await expect(privacy.getByTestId('retention-saved')).toHaveText('Saved. The next clean-up uses these.');
  await expect(save).toBeDisabled();
  await shot(page, '03-saved-1024');

  // Closed and opened again: what was saved is what it shows.
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.getByTestId('settings-button').click();
  await dialog.getByRole('tab', { name: 'Privacy' }).click();
  await expect(privacy.getByTestId('setting-keepCallsDays')).toHaveValue('45');
  await expect(privacy.getByTestId('setting-keepRecordingsDays')).toHaveValue('14');
  await expect(privacy.getByTestId('redactionMode-redacted_and_original')).toBeChecked();
  await expect(privacy.getByTestId('showOriginalToConsole')).toBeChecked();
  await expect(privacy.getByTestId('redactPhoneNumbers')).toBeChecked();

  // Back to masked only: the console can no longer be shown originals.
  await privacy.getByTestId('redactionMode-redacted').check();
  await expect(privacy.getByTestId('showOriginalToConsole')).toBeDisabled();
  expect(problems).toEqual([]);
});
