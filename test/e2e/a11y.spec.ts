/**
 * Accessibility (issue 9): axe-core (WCAG 2.0/2.1 A and AA rules) runs on every main view and
 * the suite fails on any serious or critical violation, printing each one's rule, help and
 * the elements it found, so the failure says what to fix. Against the real core (a headless
 * server of this spec's own, a demo call through the offline engines) for the live call in
 * each of its states, History, the call page, Analytics, Export, Settings and its dialogs;
 * against the fake backend for what the core can't be made to do on cue (a toast, an alert
 * banner, a takeover request) and for the keyboard-only walk through a call.
 * The main views are photographed at 1024, 1280, 1440 and 1920 px wide for looking at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { FAKE_ORIGIN, openWithFakeBackend, serveRenderer } from './support/fake-page';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47461;
const TOKEN = 'a11y-e2e-token-0123456789abcdef0123';
const WIDTHS = [1024, 1280, 1440, 1920] as const;
const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

/** Every violation seen (any impact), one file per view, for counting across a run. */
const VIOLATIONS_DIR = 'test-results/a11y-violations';

/**
 * Runs axe on the page as it is now; a serious or critical violation fails the test (softly,
 * so one run reports every view) with what and where. Minor and moderate ones are recorded.
 */
async function audit(page: Page, view: string): Promise<void> {
  // Let entrance animations finish: axe reads colours mid-fade as lower contrast than they are.
  await page.waitForTimeout(300);
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_AA_TAGS).analyze();
  mkdirSync(VIOLATIONS_DIR, { recursive: true });
  writeFileSync(
    `${VIOLATIONS_DIR}/${view}.json`,
    JSON.stringify(violations.map((v) => ({ view, id: v.id, impact: v.impact ?? 'unknown', nodes: v.nodes.map((n) => n.target.join(' ')) }))),
  );
  const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  const report = blocking.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes
        .slice(0, 8)
        .map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n'),
  );
  expect.soft(report, `axe: serious/critical violations on "${view}"`).toEqual([]);
}

/** Full-page screenshots of the view at the four widths, back to 1440 after. */
async function shots(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `test-results/screens/a11y-${name}-${width}.png`, fullPage: true });
    // The console's panes scroll on their own; the page itself never should (an empty band below).
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    expect.soft(pageHeight, `${name} at ${width} px: the page itself scrolls`).toBeLessThanOrEqual(900);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

/**
 * Ends the open call by its End call button; if the button asks to confirm first (or offers a
 * moment's undo), goes through with it.
 */
async function endCall(page: Page): Promise<void> {
  const status = page.getByTestId('call-view').getByTestId('call-status');
  await page.getByTestId('call-header').getByRole('button', { name: 'End call', exact: true }).click();
  const ended = await expect(status)
    .toHaveAttribute('data-status', 'ended', { timeout: 8000 })
    .then(() => true, () => false);
  if (ended) return;
  await page.getByRole('button', { name: /^(end call|end it|yes, end|confirm)/i }).last().click();
  await expect(status).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });
}

/** Presses Tab until `target` has the focus (if it has not already) and notes how many presses that took; fails after `max`. */
async function tabTo(page: Page, target: Locator, max = 80, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<number> {
  for (let i = 0; i <= max; i++) {
    if (i > 0) await page.keyboard.press(key);
    // 0 presses: the app already put the focus there (the composer does, on taking over).
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))) {
      test.info().annotations.push({ type: 'tabs', description: `${i} × ${key} to ${target.toString()}` });
      return i;
    }
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

/**
 * Whether the focused control shows it: its outline, ring, border or background (or its box's,
 * for a text box inside a framed composer) differs between focused and not. Null: no focus.
 */
async function focusShows(page: Page): Promise<{ what: string; changed: boolean } | null> {
  return page.evaluate(async () => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const chain = [el, el.parentElement, el.parentElement?.parentElement].filter((n): n is HTMLElement => Boolean(n));
    const look = () =>
      chain
        .map((n) => {
          const s = getComputedStyle(n);
          return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor, s.backgroundColor].join('|');
        })
        .join('\n');
    const focused = look();
    el.blur();
    // Past the colour transitions (150 ms), so the blurred look is the settled one.
    await new Promise((r) => setTimeout(r, 250));
    const blurred = look();
    el.focus();
    const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40);
    const id = el.getAttribute('data-testid');
    return { what: `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''} "${name}"`, changed: focused !== blurred };
  });
}

async function expectFocusVisible(page: Page): Promise<void> {
  const result = await focusShows(page);
  expect(result, 'something has the focus').not.toBeNull();
  expect(result!.changed, `focus is visible on ${result!.what}`).toBe(true);
}

/** Tabs through every stop on the page (up to `max`) and lists the ones whose focus does not show. */
async function stopsWithoutVisibleFocus(page: Page, max = 120): Promise<{ stops: number; hidden: string[] }> {
  const hidden = new Set<string>();
  let stops = 0;
  let first: string | null = null;
  for (; stops < max; stops++) {
    await page.keyboard.press('Tab');
    const result = await focusShows(page);
    if (!result) continue;
    if (result.what === first) break; // round the page once
    first ??= result.what;
    if (!result.changed) hidden.add(result.what);
  }
  return { stops, hidden: [...hidden] };
}

test.describe('axe against the real core', () => {
  test.use({ baseURL: `http://127.0.0.1:${PORT}` });
  let server: OwnServer | null = null;
  test.beforeAll(async () => {
    server = await startOwnServer({ port: PORT, name: 'a11y', token: TOKEN });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('the needs-token pages, the server one and the console one, have no serious violations', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByText('This console needs its access token')).toBeVisible();
    await audit(page, 'needs-token-server');
    // The console itself, opened without a token (served as files, so the server's gate is not in the way).
    await serveRenderer(page);
    await page.goto(`${FAKE_ORIGIN}/`);
    await expect(page.getByTestId('auth-required')).toBeVisible();
    await audit(page, 'needs-token-console');
  });

  test('live call in every state, History, call page, Analytics, Export, Settings and dialogs: no serious violations', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    const problems = collectProblems(page);
    const view = page.getByTestId('call-view');
    const log = page.getByRole('log', { name: 'Transcript' });

    await page.goto(`/?token=${TOKEN}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

    await test.step('live view, no call', async () => {
      await audit(page, 'live-empty');
    });

    await test.step('live call, AI in control (transcript, Assist panel)', async () => {
      await page.getByLabel('Demo scenario').selectOption('double-charge');
      await page.getByRole('button', { name: 'Start demo call' }).click();
      await expect(view).toBeVisible({ timeout: 15_000 });
      // Real-time speech through the offline engines: wait for the caller and the AI to have spoken.
      await expect(log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="true"]').first()).toBeVisible({
        timeout: 60_000,
      });
      await expect(log.locator('[data-testid="utterance"][data-speaker="ai"]').first()).toBeVisible({ timeout: 60_000 });
      await audit(page, 'live-ai');
      await shots(page, 'live-ai');
    });

    await test.step('paused', async () => {
      await page.getByTestId('pause-ai').click();
      await expect(view.getByTestId('paused-banner')).toBeVisible();
      await audit(page, 'live-paused');
      await page.getByTestId('pause-ai').click();
      await expect(view.getByTestId('paused-banner')).toHaveCount(0);
    });

    await test.step('taken over: the agent composer', async () => {
      await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
      await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
      await expect(page.getByRole('textbox', { name: 'Reply to caller' })).toBeVisible();
      await audit(page, 'live-agent');
      await shots(page, 'live-agent');
    });

    await test.step('ended: the wrap-up form and Recent calls', async () => {
      await endCall(page);
      const wrapUp = page.getByTestId('wrap-up-panel');
      if ((await wrapUp.count()) === 0) await page.getByTestId('wrap-up-open').click();
      await expect(wrapUp).toBeVisible();
      await audit(page, 'live-ended-wrapup');
      await shots(page, 'live-ended-wrapup');
      await expect(page.getByTestId('recent-calls')).toBeVisible();
    });

    const callId = (await view.getAttribute('data-call-id'))!;

    await test.step('History: the table, the filters open, search results', async () => {
      await page.getByTestId('nav-history').click();
      await expect(page.getByTestId('history-row').first()).toBeVisible();
      await audit(page, 'history');
      await shots(page, 'history');
      await page.getByTestId('end-reason-button').click();
      await audit(page, 'history-filters-open');
      await page.keyboard.press('Escape');
      await page.getByTestId('search-input').fill('charge');
      await expect(page.getByTestId('search-results')).toBeVisible();
      await audit(page, 'history-search');
      await page.getByTestId('search-input').fill('');
    });

    await test.step('Export panel', async () => {
      await page.getByTestId('export-button').click();
      await expect(page.getByTestId('export-panel')).toBeVisible();
      await audit(page, 'export-panel');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('export-panel')).toBeHidden();
    });

    await test.step('the call page, with its recording player', async () => {
      await page.goto(`/?token=${TOKEN}#/calls/${callId}`);
      await expect(page.getByTestId('call-detail')).toBeVisible();
      await expect(page.getByTestId('recording-player').or(page.getByTestId('no-recording'))).toBeVisible({ timeout: 15_000 });
      await audit(page, 'call-detail');
      await shots(page, 'call-detail');
    });

    await test.step('Analytics', async () => {
      await page.getByTestId('nav-analytics').click();
      await expect(page.getByTestId('kpi-calls')).toBeVisible();
      await expect(page.getByTestId('chart-volume')).toBeVisible();
      await audit(page, 'analytics');
      await shots(page, 'analytics');
    });

    await test.step('Settings: every section', async () => {
      await page.getByTestId('nav-history').click();
      await page.getByRole('button', { name: 'Settings' }).click();
      const dialog = page.getByTestId('settings-dialog');
      await expect(dialog).toBeVisible();
      const tabs = dialog.getByRole('tab');
      const names = await tabs.allTextContents();
      expect(names.length).toBeGreaterThan(0);
      for (const [i, name] of names.entries()) {
        await tabs.nth(i).click();
        await expect(tabs.nth(i)).toHaveAttribute('aria-selected', 'true');
        const key = name.trim().toLowerCase().replace(/\W+/g, '-');
        await audit(page, `settings-${key}`);
        if (i === 0) await shots(page, 'settings');
        if (/alert/i.test(name)) await shots(page, 'settings-alerts');
      }
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    });

    await test.step('New AI call dialog', async () => {
      await page.getByRole('button', { name: 'New AI call' }).click();
      await expect(page.getByTestId('new-call-dialog')).toBeVisible();
      await audit(page, 'new-call-dialog');
      await page.keyboard.press('Escape');
    });

    expect(problems).toEqual([]);
  });
});

test.describe('axe and the keyboard against the fake backend', () => {
  // Each test has its own page and fake backend: they spread over the workers instead of
  // queueing behind the real-core audit above (the file took 5.2 min serially).
  test.describe.configure({ mode: 'parallel' });
  // With motion, as most people see the console (the rest of the suite runs reduced-motion).
  test.use({ reducedMotion: 'no-preference' });
  test('a toast, an alert banner and a takeover request: no serious violations', async ({ page }) => {
    await openWithFakeBackend(page, { seed: true });
    const row = page.getByTestId('live-call').first();
    await row.click();
    const callId = (await page.getByTestId('call-view').getAttribute('data-call-id'))!;
    await page.evaluate((id) => {
      const fake = (globalThis as unknown as {
        __fake: {
          failNext(name: string, message: string): void;
          raiseAlert(callId: string, severity: string, title: string, more: { actions: string[] }): void;
          requestTakeover(callId: string, reason: string): void;
        };
      }).__fake;
      fake.raiseAlert(id, 'critical', 'Wants to cancel', { actions: ['banner'] });
      fake.raiseAlert(id, 'warning', 'Long silence', { actions: [] });
      fake.requestTakeover(id, 'The caller asked for a person');
      fake.failNext('call.takeOver', 'The media bridge is not connected');
    }, callId);
    await expect(page.getByTestId('alert-banner-item').first()).toBeVisible();
    await expect(page.getByTestId('takeover-request')).toBeVisible();
    await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
    await expect(page.getByRole('alert').filter({ hasText: "Couldn't take over the call" })).toBeVisible();
    await audit(page, 'toast-alert-takeover-request');
    await shots(page, 'fake-alerts');
  });

  test('by keyboard alone: Tab to the call list, Enter opens a call, Take over, reply, End call; focus is visible', async ({ page }) => {
    await openWithFakeBackend(page, { seed: true });
    const first = page.getByTestId('live-call').first();
    await expect(first).toBeVisible();
    await page.locator('body').click({ position: { x: 1, y: 1 } });

    await tabTo(page, first);
    await expectFocusVisible(page);
    await page.keyboard.press('Enter');
    const view = page.getByTestId('call-view');
    await expect(view).toHaveAttribute('data-call-id', (await first.getAttribute('data-call-id'))!);

    const takeOver = page.getByTestId('call-header').getByRole('button', { name: 'Take over' });
    await tabTo(page, takeOver);
    await expectFocusVisible(page);
    await page.keyboard.press('Enter');
    await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');

    const composer = page.getByRole('textbox', { name: 'Reply to caller' });
    await tabTo(page, composer);
    await expectFocusVisible(page);
    await page.keyboard.type('One moment, I am checking that for you.');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('log', { name: 'Transcript' })).toContainText('One moment, I am checking that for you.');

    // End call sits above the transcript: back up to it from the composer.
    const end = page.getByTestId('call-header').getByRole('button', { name: 'End call', exact: true });
    await tabTo(page, end, 40, 'Shift+Tab');
    await expectFocusVisible(page);
    await page.keyboard.press('Enter');
    const status = view.getByTestId('call-status');
    const ended = await expect(status)
      .toHaveAttribute('data-status', 'ended', { timeout: 8000 })
      .then(() => true, () => false);
    if (!ended) {
      // End call asked to confirm: the confirm control takes the focus or is one Tab away.
      const confirm = page.getByRole('button', { name: /^(end call|end it|yes, end|confirm)/i }).last();
      await tabTo(page, confirm, 10);
      await expectFocusVisible(page);
      await page.keyboard.press('Enter');
      await expect(status).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });
    }
  });

  test('every Tab stop on the live call and on History shows its focus', async ({ page }) => {
    test.setTimeout(180_000);
    await openWithFakeBackend(page, { seed: true });
    await page.getByTestId('live-call').first().click();
    await expect(page.getByTestId('call-view')).toBeVisible();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const live = await stopsWithoutVisibleFocus(page);
    test.info().annotations.push({ type: 'tab stops', description: `live call: ${live.stops}` });
    expect.soft(live.hidden, 'live call: Tab stops without a visible focus').toEqual([]);

    await page.getByTestId('nav-history').click();
    await expect(page.getByTestId('history-row').first()).toBeVisible();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const history = await stopsWithoutVisibleFocus(page);
    test.info().annotations.push({ type: 'tab stops', description: `history: ${history.stops}` });
    expect.soft(history.hidden, 'history: Tab stops without a visible focus').toEqual([]);
  });
});
