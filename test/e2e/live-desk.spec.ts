/**
 * The agent's live desk (issue 8): steer the AI without taking the call, and see which call
 * needs you. Against the real core (a headless server of this spec's own, offline engines):
 * pause and resume, a whisper shown inline with what the engine does with it, a suggested
 * reply sent to the AI; then three calls in different states, photographed at 1024 and
 * 1440 px. Alerts and keypad entries are driven through the fake backend, where the exact
 * moment they arrive is in the test's hands.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { connectApi } from './support/api';
import { startDemo } from './support/demo';
import { openWithFakeBackend } from './support/fake-page';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47371;
const TOKEN = 'live-desk-e2e-token-0123456789abcdef';
const SCREENSHOTS = 'test-results/screens';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/live-desk-${name}.png` });

type Fake = {
  calls(): Array<{ id: string; from: string }>;
  started: string[];
  requestTakeover(callId: string, reason: string): void;
  pressKeys(callId: string, digits: string, kind: 'menu' | 'digits', option?: string): void;
  raiseAlert(callId: string, severity: 'info' | 'warning' | 'critical', title: string): void;
  recordEvent(callId: string, type: string, data?: Record<string, unknown>, summary?: Record<string, unknown>): void;
};
/** Calls a method of the fake backend's control object in the page. */
function fake<M extends 'requestTakeover' | 'pressKeys' | 'raiseAlert' | 'recordEvent'>(page: Page, method: M, ...args: Parameters<Fake[M]>) {
  return page.evaluate(
    ({ method, args }) => {
      const f = (globalThis as unknown as { __fake: Record<string, (...a: unknown[]) => unknown> }).__fake;
      f[method]!(...args);
    },
    { method, args: args as unknown[] },
  );
}
async function fakeCallId(page: Page, from: string): Promise<string> {
  const id = await page.evaluate(
    (number) => (globalThis as unknown as { __fake: Fake }).__fake.calls().find((c) => c.from === number)?.id,
    from,
  );
  expect(id).toBeTruthy();
  return id!;
}

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to|Warning:/i.test(msg.text())) problems.push(msg.text());
  });
  return problems;
}

/** The live rows' call ids, top to bottom. */
async function rowOrder(page: Page): Promise<string[]> {
  return page.getByTestId('live-call').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id') ?? ''));
}

/** No two of the header's pieces (number, timer, badges, buttons) overlap. */
async function expectNoOverlap(header: Locator): Promise<void> {
  const boxes = await header.evaluate((el) => {
    const parts = [
      ...el.querySelectorAll('[data-testid="call-number"], [data-testid="call-view-duration"], [data-testid="call-status"], button'),
    ];
    return parts
      .map((p) => ({ name: p.textContent?.trim() || p.getAttribute('data-testid') || '?', r: p.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0)
      .map(({ name, r }) => ({ name, left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
  });
  const overlaps: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 0.5 && y > 0.5) overlaps.push(`${a.name} × ${b.name}`);
    }
  }
  expect(overlaps).toEqual([]);
}

test.describe('live desk against the real core', () => {
  test.use({ baseURL: `http://127.0.0.1:${PORT}` });
  let server: OwnServer | null = null;
  test.beforeAll(async () => {
    server = await startOwnServer({ port: PORT, name: 'live-desk', token: TOKEN });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('pause and resume, whisper inline with what the engine does, a suggested whisper from Assist; three calls photographed', async ({
    page,
    baseURL,
  }) => {
    test.setTimeout(300_000);
    const problems = collectProblems(page);
    const api = await connectApi(baseURL!, TOKEN);
    const log = page.getByRole('log', { name: 'Transcript' });
    const view = page.getByTestId('call-view');
    const row = (id: string) => page.locator(`[data-testid="live-call"][data-call-id="${id}"]`);
    const summary = async (id: string) => (await api.invoke('calls.get', { callId: id })).call;

    await page.goto(`/?token=${TOKEN}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

    // A calm caller; wait for the first thing they say (real-time speech through the offline engines).
    const calm = await startDemo(page, 'cancel-service');
    await expect(log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="true"]').first()).toBeVisible({
      timeout: 60_000,
    });

    await test.step('pause: the view and the row say Paused in words and colour; the core agrees', async () => {
      await page.getByTestId('pause-ai').click();
      await expect(view.getByTestId('paused-banner')).toContainText('AI paused');
      await expect(page.getByTestId('pause-ai')).toHaveText('Resume AI');
      await expect(view.getByTestId('controller')).toHaveAttribute('data-state', 'ai_paused');
      await expect(view.getByTestId('controller')).toHaveText(/AI paused/i);
      await expect(row(calm)).toHaveAttribute('data-state', 'ai_paused');
      await expect(row(calm).getByTestId('controller')).toHaveText(/AI paused/i);
      await expect(log.locator('[data-event-type="pause"]').last()).toContainText('Agent paused the AI');
      expect((await summary(calm)).state).toBe('ai_paused');
      await shot(page, 'real-01-paused');
    });

    await test.step('whisper: inline in the transcript as a whisper, with what the offline engine does with it', async () => {
      const box = page.getByRole('textbox', { name: 'Whisper to the AI' });
      await box.fill('offer the 10% loyalty discount');
      await box.press('Enter');
      const coaching = log.getByTestId('whisper').filter({ hasText: 'offer the 10% loyalty discount' });
      await expect(coaching).toBeVisible();
      await expect(coaching).toContainText('the caller doesn’t hear this');
      await expect(coaching).toHaveAttribute('data-handling', 'unsupported');
      await expect(page.getByTestId('whisper-result')).toContainText(
        "The offline engine can't follow instructions; it only speaks whispers written as say: … or a quoted sentence. Saved on the call's record.",
      );
      await expect(box).toHaveValue('');

      // A "say:" whisper becomes the AI's next line, even while paused (the agent asked for it).
      // Sent once the scripted caller has said its second line (it speaks while the AI is
      // paused, after the hold line): it is then quiet until it hears this line out. Sent any
      // earlier, the line can start just as the caller does on a loaded machine, and the
      // caller's words barge in on it, as they should.
      await expect(log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="true"]')).toHaveCount(2, { timeout: 60_000 });
      await box.fill('say: Thanks for holding, I am checking that for you now.');
      await box.press('Enter');
      await expect(page.getByTestId('whisper-result')).toContainText('The offline AI will say this next.');
      await expect(log.getByTestId('whisper').filter({ hasText: 'Thanks for holding' })).toHaveAttribute('data-handling', 'say');
      await expect(
        log.locator('[data-testid="utterance"][data-speaker="ai"]').filter({ hasText: 'Thanks for holding, I am checking that for you now' }),
      ).toBeVisible({ timeout: 20_000 });
      // Stored on the call's record.
      const stored = (await api.invoke('calls.get', { callId: calm })).events.filter((e) => e.type === 'whisper');
      expect(stored.map((e) => [e.data['text'], e.data['handling']])).toEqual([
        ['offer the 10% loyalty discount', 'unsupported'],
        ['say: Thanks for holding, I am checking that for you now.', 'say'],
      ]);
      await shot(page, 'real-02-whispers');
    });

    await test.step('resume: the AI has the call again', async () => {
      await page.getByTestId('pause-ai').click();
      await expect(page.getByTestId('pause-ai')).toHaveText('Pause AI');
      await expect(view.getByTestId('paused-banner')).toHaveCount(0);
      await expect(row(calm)).toHaveAttribute('data-state', 'ai');
      await expect(log.locator('[data-event-type="pause"]').last()).toContainText('Agent resumed the AI');
      expect((await summary(calm)).state).toBe('ai');
    });

    await test.step('Assist with the AI on the call: the agent’s moves, not the AI’s next line; a suggested whisper, one click, and the AI says it', async () => {
      const actions = page.getByTestId('agent-actions');
      // The scripted caller says its last line and hears the answer first: a whisper sent while
      // it is about to speak gets its line talked over (a barge-in, as it should), which is not
      // what this step is about.
      await expect(log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="true"]')).toHaveCount(3, { timeout: 60_000 });
      await expect.poll(async () => (await summary(calm)).aiActivity, { timeout: 60_000 }).toBe('listening');
      await expect(actions.getByTestId('action-whisper')).toBeVisible({ timeout: 60_000 });
      await expect(page.getByTestId('suggestion-reply')).toHaveCount(0);
      await expect(page.getByTestId('suggestion-intent')).not.toHaveText('Not sure yet');
      await actions.getByTestId('action-whisper').click();
      await expect(actions.getByTestId('action-whisper-status')).toHaveText('The offline AI will say this next.');
      // Sent as a whisper ("say: …", which the offline engine speaks), on the timeline and stored.
      const sent = log.getByTestId('whisper').last();
      await expect(sent).toHaveAttribute('data-handling', 'say');
      const whispered = (await api.invoke('calls.get', { callId: calm })).events.filter((e) => e.type === 'whisper').at(-1)!;
      const line = String(whispered.data['text']).replace(/^say:\s*/, '');
      await expect(log.locator('[data-testid="utterance"][data-speaker="ai"]').filter({ hasText: line.slice(0, 40) })).toBeVisible({
        timeout: 30_000,
      });
      expect((await summary(calm)).controller).toBe('ai');
    });

    await test.step('three calls in different states: waiting for a person, paused, with the agent', async () => {
      // Pause the calm call first: its caller has said everything, and the AI hangs up on a
      // caller quiet through two silence prompts (a paused AI never does).
      await page.getByTestId('pause-ai').click();
      await expect(row(calm)).toHaveAttribute('data-state', 'ai_paused');
      const waiting = await startDemo(page, 'double-charge');
      const withAgent = await startDemo(page, 'slow-internet');
      await expect(log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="true"]').first()).toBeVisible({
        timeout: 60_000,
      });
      await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
      await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
      // With the agent, Assist shows a reply for the composer instead, at once.
      await expect(page.getByRole('button', { name: 'Put in composer' })).toBeVisible();
      await expect(page.getByTestId('agent-actions')).toHaveCount(0);

      await expect(row(calm)).toHaveAttribute('data-state', 'ai_paused');

      // The double-charge caller asks for a real person on their fourth line.
      await expect(row(waiting)).toHaveAttribute('data-attention', 'takeover-requested', { timeout: 120_000 });
      await expect(row(waiting).getByTestId('waiting-badge')).toHaveText(/waiting \d:\d\d/);
      expect((await summary(waiting)).waitingSince).not.toBeNull();
      // Who needs the agent first: the caller waiting for a person, then alerts and the paused call;
      // whatever alert rules fire on the way, no row sorts above one that needs the agent more.
      await expect.poll(async () => (await rowOrder(page))[0]).toBe(waiting);
      const ranks = await page.getByTestId('live-call').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-rank'))));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(Number(await row(calm).getAttribute('data-rank'))).toBeLessThanOrEqual(3); // paused, or an alert above that
      expect((await rowOrder(page)).sort()).toEqual([waiting, calm, withAgent].sort());

      await row(waiting).click();
      await expect(page.getByTestId('takeover-request').getByTestId('takeover-wait')).toContainText('Caller has waited');
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 860 });
        await expectNoOverlap(page.getByTestId('call-header'));
        await page.screenshot({ path: `${SCREENSHOTS}/live-desk-three-calls-${width}.png` });
      }
      await row(calm).click();
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 860 });
        await expectNoOverlap(page.getByTestId('call-header'));
      }
      await page.screenshot({ path: `${SCREENSHOTS}/live-desk-paused-call-1440.png` });
    });

    api.close();
    expect(problems).toEqual([]);
  });
});

test.describe('live desk against the fake backend', () => {
  test('rows: alert badge, waiting badge, sort order that moves only when a call needs you; keypad inline', async ({ page }) => {
    const problems = collectProblems(page);
    await openWithFakeBackend(page, { seed: true });
    const older = await fakeCallId(page, '+15557654321');
    const newer = await fakeCallId(page, '+447700900789');
    // Newest first while nothing needs the agent.
    await expect.poll(() => rowOrder(page)).toEqual([newer, older]);
    const olderRow = page.locator(`[data-testid="live-call"][data-call-id="${older}"]`);
    await expect(olderRow.getByTestId('row-sparkline')).toBeVisible();

    // A warning alert on the older call lifts it to the top, with its colour and title.
    await fake(page, 'raiseAlert', older, 'warning', 'Caller sounds frustrated');
    await expect(olderRow.getByTestId('row-alert')).toHaveAttribute('data-severity', 'warning');
    await expect(olderRow.getByTestId('row-alert')).toContainText('Caller sounds frustrated');
    await expect.poll(() => rowOrder(page)).toEqual([older, newer]);

    // A critical one on the same call: the badge shows the most severe, and counts the rest.
    await fake(page, 'raiseAlert', older, 'critical', 'Caller mentioned a lawyer');
    await expect(olderRow.getByTestId('row-alert')).toHaveAttribute('data-severity', 'critical');
    await expect(olderRow.getByTestId('row-alert')).toContainText('Caller mentioned a lawyer');
    await expect(olderRow.getByTestId('row-alert')).toContainText('+1');

    // The newer call's AI asks for a person: waiting beats any alert, with a ticking badge.
    await fake(page, 'requestTakeover', newer, 'Caller asked for a manager');
    const newerRow = page.locator(`[data-testid="live-call"][data-call-id="${newer}"]`);
    await expect(newerRow.getByTestId('waiting-badge')).toHaveText(/waiting 0:0\d/);
    await expect.poll(() => rowOrder(page)).toEqual([newer, older]);
    await expect(newerRow).toHaveAttribute('data-rank', '0');

    // The order holds while the calls tick along (durations, the AI's activity).
    const settled = await rowOrder(page);
    await page.waitForTimeout(2200);
    expect(await rowOrder(page)).toEqual(settled);

    // Keypad entries show in the transcript inline, on the caller's side.
    await olderRow.click();
    await fake(page, 'pressKeys', older, '2', 'menu', 'billing');
    await fake(page, 'pressKeys', older, '4419027#', 'digits');
    const log = page.getByRole('log', { name: 'Transcript' });
    await expect(log.getByTestId('keypad-entry').filter({ hasText: 'billing' })).toContainText('Caller pressed');
    await expect(log.getByTestId('keypad-entry').filter({ hasText: '4419027#' })).toContainText('Caller keyed');
    await shot(page, 'fake-01-alerts-waiting-keypad');
    expect(problems).toEqual([]);
  });

  test('three calls in different states: paused, waiting with an alert, with the agent; no overlap at 1024 or 1440', async ({ page }) => {
    const problems = collectProblems(page);
    await openWithFakeBackend(page, { seed: true, speed: 2 });
    const waiting = await fakeCallId(page, '+15557654321');
    const paused = await fakeCallId(page, '+447700900789');
    await page.getByRole('button', { name: 'Start demo call' }).click();
    const view = page.getByTestId('call-view');
    await expect(view).toBeVisible();
    const agentCall = (await view.getAttribute('data-call-id'))!;
    await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
    await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'agent');

    await page.locator(`[data-testid="live-call"][data-call-id="${paused}"]`).click();
    await page.getByTestId('pause-ai').click();
    await expect(view.getByTestId('paused-banner')).toContainText('AI paused');
    await fake(page, 'raiseAlert', waiting, 'critical', 'Caller mentioned a lawyer');
    await fake(page, 'requestTakeover', waiting, 'Caller asked for a manager');
    await expect.poll(() => rowOrder(page)).toEqual([waiting, paused, agentCall]);

    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 800 });
      await expectNoOverlap(page.getByTestId('call-header'));
      await shot(page, `fake-03-three-states-${width}`);
      await page.getByTestId('live-calls').screenshot({ path: `test-results/screens/live-desk-fake-03-rows-${width}.png` });
    }
    await page.locator(`[data-testid="live-call"][data-call-id="${agentCall}"]`).click();
    await expectNoOverlap(page.getByTestId('call-header'));
    await page.setViewportSize({ width: 1024, height: 800 });
    await expectNoOverlap(page.getByTestId('call-header'));
    await shot(page, 'fake-04-agent-1024');
    expect(problems).toEqual([]);
  });

  test('waiting banner ticks and escalates; a withdrawn request reads plainly', async ({ page }) => {
    await page.clock.install();
    await openWithFakeBackend(page, { seed: true });
    const id = await fakeCallId(page, '+15557654321');
    await page.locator(`[data-testid="live-call"][data-call-id="${id}"]`).click();
    await fake(page, 'requestTakeover', id, 'Caller wants a person');
    const banner = page.getByTestId('takeover-request');
    await expect(banner.getByTestId('takeover-wait')).toContainText('Caller has waited 0:0');
    await expect(banner).not.toHaveAttribute('data-long');
    await page.clock.runFor(65_000);
    await expect(banner.getByTestId('takeover-wait')).toContainText('Caller has waited 1:0');
    await expect(banner).toHaveAttribute('data-long', 'true');
    await expect(page.locator(`[data-testid="live-call"][data-call-id="${id}"]`).getByTestId('waiting-badge')).toHaveAttribute(
      'data-long',
      'true',
    );
    await shot(page, 'fake-02-long-wait');

    // The AI keeps the caller company, then offers a choice: the banner says so.
    await fake(page, 'recordEvent', id, 'waiting', { waitedMs: 20_000 });
    await expect(banner.getByTestId('takeover-note')).toContainText('The AI last checked in with the caller');
    await fake(page, 'recordEvent', id, 'waiting', { offer: true });
    await expect(banner.getByTestId('takeover-note')).toContainText('the AI offered a choice: keep waiting, a call back, or carry on with the AI');
    // The caller asks for a call back and carries on with the AI: no longer waiting, and the transcript says so plainly.
    await fake(page, 'recordEvent', id, 'callback_requested', { number: '+1 555 765 4321', when: 'tomorrow after 3' });
    await fake(page, 'recordEvent', id, 'takeover_withdrawn', {}, { waitingSince: null });
    await expect(banner).toHaveCount(0);
    const row = page.locator(`[data-testid="live-call"][data-call-id="${id}"]`);
    await expect(row).not.toHaveAttribute('data-attention');
    await expect(row.getByTestId('waiting-badge')).toHaveCount(0);
    const log = page.getByRole('log', { name: 'Transcript' });
    await expect(log.locator('[data-event-type="callback_requested"]')).toHaveText(
      /Caller asked for a call back on \+1 555 765 4321, tomorrow after 3/,
    );
    await expect(log.locator('[data-event-type="takeover_withdrawn"]')).toContainText(
      'Caller no longer waiting for a person — carrying on with the AI',
    );
    await shot(page, 'fake-03-withdrawn');
  });
});
