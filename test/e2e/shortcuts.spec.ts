/**
 * The keyboard: a skip link past the top bar, shortcuts for the moves an agent makes all day
 * (next/previous call, views, search) with a "?" cheat sheet, and a window title that says
 * when a caller waits. Against the fake backend.
 */
import { expect, test } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

test('skip link, J/K through live calls in the list order, G then H/A/L, / to search, ? for the list; title counts waiting callers', async ({ page }) => {
  await openWithFakeBackend(page, { seed: true, speed: 1 });
  const rows = page.getByTestId('live-call');
  await expect(rows).toHaveCount(2);
  await expect(page).toHaveTitle('2 live · Switchboard');

  // The first Tab reaches the skip link, which moves focus past the top bar.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('button', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('#content')).toBeFocused();

  // J opens the first call in the list's order, then the next; K goes back; both wrap around.
  const order = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-call-id')));
  await page.keyboard.press('j');
  await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', order[0]!);
  await page.keyboard.press('j');
  await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', order[1]!);
  await page.keyboard.press('j');
  await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', order[0]!);
  await page.keyboard.press('k');
  await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', order[1]!);
  expect(page.url()).toContain(`#/live/${order[1]}`);

  // Letters typed into a field are text, never shortcuts.
  const box = page.getByRole('textbox').first();
  await box.click();
  await page.keyboard.type('jk');
  await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', order[1]!);
  await box.fill('');
  await box.blur();

  // Views by G then a letter; / opens History's search with the cursor in it.
  await page.keyboard.press('g');
  await page.keyboard.press('h');
  await expect(page).toHaveURL(/#\/history/);
  await expect(page.getByTestId('history-row').first()).toBeVisible();
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await expect(page).toHaveURL(/#\/analytics/);
  await expect(page.getByText('Call volume')).toBeVisible();
  await page.keyboard.press('g');
  await page.keyboard.press('l');
  await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', order[1]!);
  await page.keyboard.press('/');
  await expect(page.getByTestId('search-input')).toBeFocused();
  await page.keyboard.type('refund');
  await expect(page.getByTestId('search-input')).toHaveValue('refund');

  // ? lists every shortcut; Esc closes it.
  await page.getByTestId('search-input').blur();
  await page.keyboard.press('Shift+Slash');
  const dialog = page.getByTestId('shortcuts-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(dialog.locator('dt')).toHaveCount(10);
  await expect(dialog).toContainText('Next live call');
  await page.screenshot({ path: 'test-results/screens/shortcuts-dialog-1440.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // On the open call: P pauses and resumes the AI, C puts the cursor where the agent writes
  // (the whisper box while the AI has the call, the reply box after T takes it over).
  await page.keyboard.press('g');
  await page.keyboard.press('l');
  await page.locator('[data-testid="live-call"][data-state="ai"]').first().click();
  const view = page.getByTestId('call-view');
  // A caller waiting for a person shows in the window title, for a console in a background tab.
  await page.evaluate((id) => (globalThis as unknown as { __fake: { requestTakeover(id: string, reason: string): void } }).__fake.requestTakeover(id, 'Caller asked for a person'), (await view.getAttribute('data-call-id'))!);
  await expect(page).toHaveTitle('(1) Caller waiting · Switchboard');

  await page.keyboard.press('p');
  await expect(page.getByTestId('pause-ai')).toHaveText('Resume AI');
  // Like the button, the key waits for the core's answer before it acts again.
  await expect(page.getByTestId('pause-ai')).toBeEnabled();
  await page.keyboard.press('p');
  await expect(page.getByTestId('pause-ai')).toHaveText('Pause AI');
  await expect(page.getByTestId('pause-ai')).toBeEnabled();
  await page.keyboard.press('c');
  await expect(page.getByTestId('whisper-input')).toBeFocused();
  await page.getByTestId('whisper-input').blur();
  await page.keyboard.press('t');
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await page.keyboard.press('c');
  await expect(page.getByTestId('composer')).toBeFocused();
  await page.getByTestId('composer').blur();
});
