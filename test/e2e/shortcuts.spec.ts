/**
 * The keyboard: a skip link past the top bar, shortcuts for the moves an agent makes all day
 * (next/previous call, views, search) with a "?" cheat sheet, and a window title that says
 * when a caller waits. Against the fake backend.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { openWithFakeBackend } from './support/fake-page';

type Fake = { requestTakeover(id: string, reason: string): void; shellCommand(command: unknown): void; shellNotices: unknown[]; started: string[] };
const fake = <T>(page: Page, run: (f: Fake, arg: string) => T, arg = '') =>
  page.evaluate(([body, a]) => new Function('f', 'a', `return (${body})(f, a)`)((globalThis as unknown as { __fake: Fake }).__fake, a) as T, [run.toString(), arg] as const);

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
  await expect(dialog.locator('dt')).toHaveCount(15);
  await expect(dialog).toContainText('Next live call');
  await expect(dialog).toContainText('Go to Campaigns');
  await page.screenshot({ path: 'test-results/screens/shortcuts-dialog-1440.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // G then Q opens the campaigns (the call queue); G then L comes back.
  await page.keyboard.press('g');
  await page.keyboard.press('q');
  await expect(page).toHaveURL(/#\/campaigns$/);

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

test('B hands back, Shift+E ends (undoable), N visits the calls that need you, Ctrl+, opens Settings', async ({ page }) => {
  await openWithFakeBackend(page, { seed: true, speed: 1 });
  const rows = page.getByTestId('live-call');
  await expect(rows).toHaveCount(2);
  const view = page.getByTestId('call-view');
  await page.locator('[data-testid="live-call"][data-state="ai"]').first().click();
  const first = (await view.getAttribute('data-call-id'))!;

  await page.keyboard.press('t');
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  // Taking over puts the cursor in the reply box, where a B is a letter; out of it, B hands back.
  await expect(page.getByTestId('composer')).toBeFocused();
  await page.keyboard.press('b');
  await expect(page.getByTestId('composer')).toHaveValue('b');
  await page.getByTestId('composer').fill('');
  await page.getByTestId('composer').blur();
  await page.keyboard.press('b');
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'ai');

  // N goes to the call waiting for a person, from wherever the agent is.
  const other = (await rows.evaluateAll((els, id) => els.map((e) => e.getAttribute('data-call-id')).find((c) => c !== id), first))!;
  await fake(page, (f, id) => f.requestTakeover(id, 'Caller asked for a person'), other);
  await page.keyboard.press('g');
  await page.keyboard.press('h');
  await expect(page).toHaveURL(/#\/history/);
  await page.keyboard.press('n');
  await expect(view).toHaveAttribute('data-call-id', other);
  await expect(page).toHaveURL(new RegExp(`#/live/${other}`));

  // Shift+E ends the open call the way End call does: while the AI has it, after a countdown that Esc undoes.
  await page.keyboard.press('Shift+E');
  await expect(page.getByTestId('end-call-countdown')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('end-call-countdown')).toBeHidden();
  await expect(page.getByTestId('end-call-announcement')).toHaveText('Call kept: it was not ended.');

  // Nothing needs the agent once they have the waiting call: N says so instead of doing nothing.
  await page.keyboard.press('t');
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await page.getByTestId('composer').blur();
  await page.keyboard.press('n');
  await expect(page.getByTestId('toast').filter({ hasText: 'No call needs you' })).toBeVisible();

  await page.keyboard.press('Control+Comma');
  await expect(page.getByTestId('settings-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('settings-dialog')).toBeHidden();

  // The buttons say their keys.
  await expect(page.getByRole('button', { name: 'Hand back' })).toHaveAttribute('title', /\(B\)$/);
  await expect(page.getByTestId('end-call')).toHaveAttribute('title', /\(Shift\+E\)$/);
});

test('under the Electron shell: notifications go to the shell with their call; menu and tray commands run the console\'s own actions', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 720 });
  await openWithFakeBackend(page, { seed: true, speed: 1, shellBridge: true });
  const rows = page.getByTestId('live-call');
  await expect(rows).toHaveCount(2);
  const view = page.getByTestId('call-view');
  await page.locator('[data-testid="live-call"][data-state="ai"]').first().click();
  const first = (await view.getAttribute('data-call-id'))!;
  const other = (await rows.evaluateAll((els, id) => els.map((e) => e.getAttribute('data-call-id')).find((c) => c !== id), first))!;

  // The AI on the other call asks for a person: the page hands the notice to the shell, with the call.
  await fake(page, (f, id) => f.requestTakeover(id, 'Caller asked for a person'), other);
  await expect.poll(() => fake(page, (f) => f.shellNotices)).toEqual([
    expect.objectContaining({ title: 'The AI asks for a person', tag: `takeover-request:${other}`, callId: other }),
  ]);

  // Clicking it (the shell sends open-call) opens that call; the Call menu acts on it.
  await fake(page, (f, id) => f.shellCommand({ kind: 'open-call', callId: id }), other);
  await expect(view).toHaveAttribute('data-call-id', other);
  await fake(page, (f) => f.shellCommand({ kind: 'shortcut', id: 'takeOver' }));
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await fake(page, (f) => f.shellCommand({ kind: 'shortcut', id: 'handBack' }));
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'ai');
  await fake(page, (f) => f.shellCommand({ kind: 'shortcut', id: 'settings' }));
  await expect(page.getByTestId('settings-dialog')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/shell-settings-1024.png' });
  await page.keyboard.press('Escape');

  // A Call menu item with no call open says so; a malformed command is ignored.
  await page.keyboard.press('g');
  await page.keyboard.press('h');
  await expect(page).toHaveURL(/#\/history/);
  await fake(page, (f) => f.shellCommand({ kind: 'shortcut', id: 'takeOver' }));
  await expect(page.getByTestId('toast').filter({ hasText: 'Take Over: nothing to do' })).toBeVisible();
  await fake(page, (f) => f.shellCommand({ kind: 'shortcut', id: 'rm -rf' }));
  await fake(page, (f) => f.shellCommand('open-call'));

  // The tray's Start Demo Call is the top bar's button.
  await fake(page, (f) => f.shellCommand({ kind: 'start-demo' }));
  await expect.poll(() => fake(page, (f) => f.started.length)).toBe(1);
  await expect(rows).toHaveCount(3);
  await page.screenshot({ path: 'test-results/screens/shell-commands-1024.png' });
});
