/**
 * Issue 9, against the real core (a headless server of this spec's own, offline engines):
 * - a reload mid-call reopens the same call (the URL holds it) with both unsent drafts (the
 *   whisper while the AI has the call, the reply while the agent has it), a sent draft stays
 *   sent, an ended call reopens ended, and a link to an unknown call says so;
 * - Business settings (business and agent name) are checked as they are typed, saved, kept
 *   across a reload and a server restart, and used by the next call's greeting; the silence
 *   timing (Call handling) is kept the same way;
 * - the main screens speak plain words: no engine software names, raw error codes or
 *   title-cased ids in the page's visible text.
 * Screenshots at 1024 and 1440 px go to test-results/screens/reload-settings-*.
 */
import { expect, test, type Page } from '@playwright/test';
import { connectApi } from './support/api';
import { startDemo } from './support/demo';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47451;
const NAME = 'reload-settings';
const TOKEN = 'reload-settings-e2e-token-0123456789abcdef';
const WIDTHS = [1024, 1440] as const;

const shot = (page: Page, name: string, width: number) =>
  page.screenshot({ path: `test-results/screens/${NAME}-${name}-${width}.png` });

/** Shoots the page at each width, then goes back to the width it had. */
async function shootAtWidths(page: Page, name: string): Promise<void> {
  const before = page.viewportSize()!;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 860 });
    await shot(page, name, width);
  }
  await page.setViewportSize(before);
}

/** Words that must not be on the main screens (technical names belong in tooltips). */
const JARGON = /pocketsphinx|flite|\bslt\b|Ai Ended|Detached|ENOTFOUND|ECONNREFUSED|[a-z]+_[a-z]+/;

async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

async function expectPlainWords(page: Page): Promise<void> {
  const text = await visibleText(page);
  expect(text.match(JARGON)?.[0] ?? null, 'jargon on screen').toBeNull();
}

test.describe('reload and settings against the real core', () => {
  test.use({ baseURL: `http://127.0.0.1:${PORT}` });
  let server: OwnServer | null = null;
  test.beforeAll(async () => {
    server = await startOwnServer({ port: PORT, name: NAME, token: TOKEN });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('a reload keeps the open call and both drafts; an ended or unknown call reads clearly', async ({ page, baseURL }) => {
    test.setTimeout(240_000);
    const api = await connectApi(baseURL!, TOKEN);
    const view = page.getByTestId('call-view');
    const whisper = page.getByRole('textbox', { name: 'Whisper to the AI' });
    const composer = page.getByRole('textbox', { name: 'Reply to caller' });
    const log = page.getByRole('log', { name: 'Transcript' });

    // The console's WebSocket, passed through; while `holdLists` is on, calls.list requests wait
    // until released, so a reload sees the open call's details before any call list.
    let holdLists = false;
    let held: Array<() => void> = [];
    await page.routeWebSocket(/\/api/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = typeof message === 'string' ? (JSON.parse(message) as { name?: string }) : {};
        if (holdLists && frame.name === 'calls.list') held.push(() => server.send(message));
        else server.send(message);
      });
      server.onMessage((message) => ws.send(message));
    });
    const releaseLists = () => {
      holdLists = false;
      for (const send of held) send();
      held = [];
    };

    await page.goto(`/?token=${TOKEN}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    const callId = await startDemo(page, 'cancel-service');
    await expect(page).toHaveURL(new RegExp(`#/live/${callId}$`));

    await test.step('the whisper typed while the AI has the call survives a reload', async () => {
      await whisper.fill('offer the loyalty discount');
      await page.reload();
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
      await expect(view).toHaveAttribute('data-call-id', callId);
      await expect(page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`)).toHaveAttribute('aria-current', 'true');
      await expect(whisper).toHaveValue('offer the loyalty discount');
    });

    await test.step('take over; the reply typed survives a reload, and so does the whisper kept for later', async () => {
      await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
      await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
      await composer.fill('Let me check your account for you now.');
      await page.reload();
      await expect(view).toHaveAttribute('data-call-id', callId);
      await expect(composer).toHaveValue('Let me check your account for you now.');
      await expect(log).toBeVisible();
      await shootAtWidths(page, 'after-reload-with-draft');
      await expectPlainWords(page);

      const stored = await page.evaluate(() => sessionStorage.getItem('switchboard.drafts.v1'));
      expect(JSON.parse(stored!)[callId]).toMatchObject({
        composer: 'Let me check your account for you now.',
        whisper: 'offer the loyalty discount',
      });
    });

    await test.step('a sent reply is cleared from the drafts: a reload brings back an empty composer', async () => {
      await composer.press('Enter');
      await expect(composer).toHaveValue('');
      await expect(log.locator('[data-testid="utterance"][data-speaker="agent"]').filter({ hasText: 'Let me check your account' })).toBeVisible({
        timeout: 20_000,
      });
      await page.reload();
      await expect(view).toHaveAttribute('data-call-id', callId);
      await expect(composer).toHaveValue('');
    });

    await test.step('handed back, the whisper box still holds the whisper draft', async () => {
      await page.getByRole('button', { name: 'Hand back' }).click();
      await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'ai');
      await expect(whisper).toHaveValue('offer the loyalty discount');
    });

    await test.step('the call lists arriving after the page has rendered change nothing', async () => {
      holdLists = true;
      await page.reload();
      await expect(view).toHaveAttribute('data-call-id', callId);
      await expect(whisper).toHaveValue('offer the loyalty discount');
      // Shown from the call's own details while both list requests are still held back.
      expect(held.length).toBe(2);
      releaseLists();
      await expect(page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`)).toHaveAttribute('aria-current', 'true');
      await expect(view).toHaveAttribute('data-call-id', callId);
      await expect(whisper).toHaveValue('offer the loyalty discount');
    });

    await test.step('an ended call reopens ended after a reload, listed in Recent, its drafts dropped', async () => {
      await api.invoke('call.end', { callId });
      await expect(view.getByTestId('call-footer-note')).toBeVisible({ timeout: 15_000 });
      await page.reload();
      await expect(view).toHaveAttribute('data-call-id', callId);
      await expect(view.getByTestId('call-footer-note')).toBeVisible();
      const recent = page.locator(`[data-testid="recent-call"][data-call-id="${callId}"]`);
      await expect(recent).toHaveAttribute('aria-current', 'true');
      await expect(recent).toContainText('Agent ended');
      expect(await page.evaluate(() => sessionStorage.getItem('switchboard.drafts.v1'))).toBeNull();
      await expectPlainWords(page);
      await shootAtWidths(page, 'ended-after-reload');
    });

    await test.step('History and the call page speak plain words too', async () => {
      await page.getByTestId('nav-history').click();
      await expect(page.getByText('Agent ended').first()).toBeVisible();
      await expectPlainWords(page);
      await page.goto(`/#/calls/${callId}`);
      await expect(page.getByText('Agent ended').first()).toBeVisible();
      await expectPlainWords(page);
    });

    await test.step('a link to a call this console has no record of says so, with a way back', async () => {
      await page.goto('/#/live/no-such-call');
      const unavailable = page.getByTestId('call-unavailable');
      await expect(unavailable).toContainText('This call is not here');
      await expect(unavailable).toContainText('no-such-call');
      await shootAtWidths(page, 'unknown-call');
      await unavailable.getByRole('button', { name: 'Back to live calls' }).click();
      await expect(page.getByTestId('no-call')).toBeVisible();
      await expect(page).not.toHaveURL(/no-such-call/);
    });
    api.close();
  });

  test('Business settings are checked as typed, kept across a reload and a restart, and used by the next call', async ({ page }) => {
    test.setTimeout(240_000);
    const dialog = page.getByTestId('settings-dialog');
    const section = dialog.getByTestId('business-settings');
    const business = section.getByLabel('Business name');
    const agent = section.getByLabel('Your name');
    const save = section.getByRole('button', { name: 'Save' });
    const silence = dialog.getByTestId('timing-silenceRepromptMs');
    const openSettings = async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      await expect(business).toBeEnabled();
    };

    await page.goto(`/?token=${TOKEN}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    await openSettings();
    await expect(business).toHaveValue('Brightwave Broadband');
    await expect(agent).toHaveValue('Agent');
    await expect(section).toContainText('Applies to calls that start after you save');

    await test.step('validation as you type, with the limits of the contract', async () => {
      await business.fill('');
      await expect(section.getByTestId('problem-businessName')).toHaveText('Enter the business name.');
      await expect(save).toBeDisabled();
      await business.fill('N'.repeat(125));
      await expect(section.getByTestId('problem-businessName')).toHaveText('Keep the business name to 120 characters (now 125).');
      await agent.fill('   ');
      await expect(section.getByTestId('problem-agentName')).toHaveText('Enter your name.');
      await expect(save).toBeDisabled();
      await shootAtWidths(page, 'settings-invalid');
    });

    await test.step('saved through the settings command', async () => {
      await business.fill('Northwind Energy');
      await agent.fill('Sam Rivera');
      await expect(section.getByRole('alert')).toHaveCount(0);
      await save.click();
      await expect(section.getByTestId('business-saved')).toHaveText('Saved. New calls use these names.');
      await expect(save).toBeDisabled();
      await silence.fill('12');
      await silence.press('Enter');
      await expect(silence).toHaveValue('12');
      await expectPlainWords(page);
      // Back to the top of the settings, where the Business section and its "Saved" are.
      await dialog.getByRole('tabpanel').evaluate((el) => el.scrollTo({ top: 0 }));
      await shootAtWidths(page, 'settings-saved');
    });

    const expectKept = async () => {
      await openSettings();
      await expect(business).toHaveValue('Northwind Energy');
      await expect(agent).toHaveValue('Sam Rivera');
      await expect(silence).toHaveValue('12');
    };

    await test.step('kept across a reload', async () => {
      await page.reload();
      await expectKept();
    });

    await test.step('kept across a server restart (settings.json in the data folder)', async () => {
      await server!.stop();
      server = await startOwnServer({ port: PORT, name: NAME, token: TOKEN, keepData: true });
      await page.reload();
      await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
      await expectKept();
      await dialog.getByRole('button', { name: 'Done' }).click();
    });

    await test.step('the next call is answered with the new business name', async () => {
      await startDemo(page, 'slow-internet');
      const greeting = page.getByRole('log', { name: 'Transcript' }).locator('[data-testid="utterance"][data-speaker="ai"]').first();
      await expect(greeting).toContainText("you're through to Northwind Energy", { timeout: 30_000 });
      await expectPlainWords(page);
    });

    await test.step('the engines chip names engines by what they do; the software names are the detail', async () => {
      await page.setViewportSize({ width: 1440, height: 860 });
      await page.getByTestId('engine-badge').hover();
      const tip = page.getByRole('tooltip').filter({ hasText: 'Speech-to-text' });
      await expect(tip).toBeVisible();
      await expect(tip).toContainText('Offline speech recognition');
      await expect(tip).toContainText('Offline replies');
      await expect(tip).toContainText('Offline voice');
      await shot(page, 'engines-tooltip', 1440);
    });
  });
});
