/** Starting a demo call from the top bar, as an agent does, for specs against a real core. */
import { expect, type Page } from '@playwright/test';

/** Picks `scenarioId`, clicks Start demo call, and resolves with the id of the call it opens. */
export async function startDemo(page: Page, scenarioId: string): Promise<string> {
  await page.getByLabel('Demo scenario').selectOption(scenarioId);
  const view = page.getByTestId('call-view');
  const before = (await view.count()) > 0 ? await view.getAttribute('data-call-id') : null;
  await page.getByRole('button', { name: 'Start demo call' }).click();
  await expect(view).toBeVisible({ timeout: 15_000 });
  await expect.poll(async () => view.getAttribute('data-call-id'), { timeout: 15_000 }).not.toBe(before);
  return (await view.getAttribute('data-call-id'))!;
}
