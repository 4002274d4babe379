/**
 * UI-only behaviour against the fake backend (test/e2e/support/fake-backend.ts), installed where
 * the Electron preload puts the real transport. Needs the built renderer (out/renderer).
 */
import { expect, test, type Page } from '@playwright/test';
import { FAKE_ORIGIN, openWithFakeBackend, serveRenderer } from './support/fake-page';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/fake-${name}.png` });

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
  return problems;
}

test('overview: live calls, recent calls, call view and assist panel', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true, speed: 1 });

  await expect(page.getByTestId('live-call')).toHaveCount(2);
  await expect(page.getByTestId('recent-call').first()).toBeVisible();
  await expect(page.getByTestId('engine-badge')).toHaveText(/Offline engines/);
  await expect(page.getByTestId('no-call')).toBeVisible();
  await shot(page, '01-empty-selection');

  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  await expect(page.getByRole('log', { name: 'Transcript' }).getByTestId('utterance')).not.toHaveCount(0);
  await expect(page.getByTestId('cut-off')).toBeVisible();
  // The AI has the call: Assist offers the agent's moves, not a reply (assist.spec.ts covers both sides).
  await expect(page.getByTestId('agent-actions')).toBeVisible();
  await expect(page.getByTestId('sentiment-sparkline')).toBeVisible();
  await shot(page, '02-live-call');

  // Engine details are a tooltip on hover.
  await page.getByTestId('engine-badge').hover();
  await expect(page.getByRole('tooltip').filter({ hasText: 'eSpeak NG' })).toBeVisible();
  await page.waitForTimeout(200); // let the fade-in finish for the screenshot
  await shot(page, '03-engine-tooltip');

  // An ended call opens read-only.
  await page.getByTestId('recent-call').first().click();
  await expect(page.getByTestId('call-status')).toHaveAttribute('data-status', 'ended');
  await expect(page.getByTestId('call-header').getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(page.getByTestId('composer')).toHaveCount(0);
  await expect(page.getByTestId('call-footer-note')).toContainText('read-only');
  await shot(page, '04-ended-call');

  // The strict CSP (no inline styles or scripts) holds for everything the console renders.
  expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
});

test('demo call: interim lines are replaced in place, take over, use suggestion, send, end', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { speed: 3 });
  await expect(page.getByTestId('no-call')).toBeVisible();

  await page.getByRole('button', { name: 'Start demo call' }).click();
  const view = page.getByTestId('call-view');
  await expect(view).toBeVisible();
  const log = page.getByRole('log', { name: 'Transcript' });

  // The first caller line shows as interim (dimmed) before it is final, and stays one element.
  const interim = log.locator('[data-testid="utterance"][data-speaker="caller"][data-final="false"]').first();
  await expect(interim).toBeVisible({ timeout: 15_000 });
  const id = await interim.getAttribute('data-utterance-id');
  expect(id).toBeTruthy();
  await shot(page, '10-interim');
  const sameLine = log.locator(`[data-utterance-id="${id}"]`);
  await expect(sameLine).toHaveAttribute('data-final', 'true', { timeout: 15_000 });
  await expect(sameLine).toHaveCount(1);
  await expect(page.getByTestId('agent-actions')).toBeVisible();

  await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await expect(log.locator('[data-event-type="takeover"]')).toBeVisible();

  // "Put in composer" fills the composer with the suggested reply.
  await page.getByRole('button', { name: 'Put in composer' }).click();
  const composer = page.getByRole('textbox', { name: 'Reply to caller' });
  // The first suggestion's reply, or the second's if the caller's next line came first (the script plays on).
  await expect(composer).toHaveValue(/charged twice|duplicate payments/);
  await composer.fill('Let me fix that for you right now.');
  await shot(page, '11-agent-composer');
  await composer.press('Enter');
  await expect(log.locator('[data-speaker="agent"]').filter({ hasText: 'Let me fix that' })).toBeVisible();
  await expect(composer).toHaveValue('');

  await page.getByRole('button', { name: 'Hand back' }).click();
  await expect(page.getByTestId('call-header').getByRole('button', { name: 'Take over' })).toBeVisible();

  // The AI has the call again: End call counts down (Undo) before it ends it.
  await page.getByRole('button', { name: 'End call' }).click();
  await expect(page.getByTestId('end-call-countdown')).toBeVisible();
  await expect(page.getByTestId('call-status')).toHaveAttribute('data-status', 'ended', { timeout: 15_000 });
  await expect(page.getByTestId('recent-call')).toHaveCount(1);
  await shot(page, '12-ended');
  expect(problems).toEqual([]);
});

test('transcript follows new lines until the user scrolls up', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 600 });
  await openWithFakeBackend(page, { speed: 6, loop: true });
  await page.getByRole('button', { name: 'Start demo call' }).click();
  const log = page.getByRole('log', { name: 'Transcript' });

  // Wait until the transcript overflows, then check it is pinned to the bottom.
  await expect
    .poll(() => log.evaluate((el) => el.scrollHeight > el.clientHeight + 200), { timeout: 30_000 })
    .toBe(true);
  await expect
    .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
    .toBeLessThan(60);

  // Scrolling up stops following; new lines do not move the view.
  await log.hover();
  await page.mouse.wheel(0, -600);
  await expect(log).toHaveAttribute('data-following', 'false');
  const top = await log.evaluate((el) => el.scrollTop);
  await expect(page.getByRole('button', { name: /new line/ })).toBeVisible({ timeout: 15_000 });
  expect(Math.abs((await log.evaluate((el) => el.scrollTop)) - top)).toBeLessThan(2);
  await shot(page, '20-scrolled-up');

  await page.getByRole('button', { name: /new line/ }).click();
  await expect(log).toHaveAttribute('data-following', 'true');
  await expect
    .poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
    .toBeLessThan(60);
});

test('a failed command shows its message as a toast', async ({ page }) => {
  await openWithFakeBackend(page, { seed: true });
  await page.getByTestId('live-call').first().click();
  await page.evaluate(() => {
    const fake = (globalThis as unknown as { __fake: { failNext(name: string, message: string): void } }).__fake;
    fake.failNext('call.takeOver', 'The media bridge is not connected');
  });
  await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
  const toast = page.getByRole('alert').filter({ hasText: "Couldn't take over the call" });
  await expect(toast).toContainText('The media bridge is not connected');
  await expect(page.getByTestId('call-header').getByRole('button', { name: 'Take over' })).toBeEnabled();
  await shot(page, '30-error-toast');
  await toast.getByRole('button', { name: 'Dismiss notification' }).click();
  await expect(toast).toHaveCount(0);
});

type Fake = {
  calls(): Array<{ id: string; from: string }>;
  requestTakeover(callId: string, reason: string): void;
  addTurn(turn: Record<string, unknown>): void;
};

/** The seeded live call's id by the caller's number. */
async function seededCallId(page: Page, from: string): Promise<string> {
  const id = await page.evaluate(
    (number) => (globalThis as unknown as { __fake: Fake }).__fake.calls().find((c) => c.from === number)?.id,
    from,
  );
  expect(id).toBeTruthy();
  return id!;
}

test('latency card: per-turn voice-to-voice, stages, p50/p90, cut-off turns', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  const callId = await seededCallId(page, '+15557654321');
  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();

  const card = page.getByTestId('latency-card');
  // Two turns come from calls.get (820 ms and 1.11 s in the fake's timings).
  await expect(card.getByTestId('latency-turn')).toHaveCount(2);
  // A slow turn with a fallback engine, then a turn cut off before any audio, arrive live.
  await page.evaluate((id) => {
    const fake = (globalThis as unknown as { __fake: Fake }).__fake;
    const base = { callId: id, sttLabel: 'PocketSphinx (en-US)', ttsLabel: 'eSpeak NG' };
    fake.addTurn({
      ...base,
      turnId: 'live-1',
      speechEndAtMs: 60_000,
      sttFinalAtMs: 60_240,
      llmFirstTokenAtMs: 61_390,
      ttsFirstByteAtMs: 61_650,
      firstAudioAtMs: 61_690,
      llmLabel: 'Offline engine (Gemini failed)',
    });
    fake.addTurn({
      ...base,
      turnId: 'live-2',
      speechEndAtMs: 70_000,
      sttFinalAtMs: 70_200,
      llmFirstTokenAtMs: 70_610,
      ttsFirstByteAtMs: null,
      firstAudioAtMs: null,
      llmLabel: 'Intent + knowledge base',
    });
  }, callId);
  const rows = card.getByTestId('latency-turn');
  await expect(rows).toHaveCount(4);
  await expect(rows.getByTestId('latency-v2v')).toHaveText(['820 ms', '1.11 s', '1.69 s', 'cut off']);
  // Nearest rank over the three turns that reached the caller.
  await expect(card.getByTestId('latency-p50')).toHaveText('1.11 s');
  await expect(card.getByTestId('latency-p90')).toHaveText('1.69 s');
  await expect(card).toContainText('1 cut off');
  await card.scrollIntoViewIfNeeded();
  await shot(page, '50-latency-card');

  // Stage times and the engines that did the work are in the row's tooltip.
  await rows.nth(2).getByTestId('latency-v2v').hover();
  const tip = page.getByRole('tooltip').filter({ hasText: 'Turn 3' });
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('1.15 s');
  await expect(tip).toContainText('Offline engine (Gemini failed)');
  await expect(tip).toContainText('eSpeak NG');
  await page.waitForTimeout(200); // let the fade-in finish for the screenshot
  await shot(page, '51-latency-tooltip');

  // Reloading the call from calls.get keeps the stored turns (the fake stores added turns too).
  await page.getByTestId('recent-call').first().click();
  await expect(page.getByTestId('latency-card').getByTestId('latency-turn')).not.toHaveCount(0);
  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  await expect(rows).toHaveCount(4);
  expect(problems).toEqual([]);
});

test('the AI asks for a person: banner with Take over, attention marker in Live calls', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  const callId = await seededCallId(page, '+15557654321');
  const row = page.getByTestId('live-call').filter({ hasText: '765 4321' });
  await row.click();
  await expect(page.getByTestId('takeover-request')).toHaveCount(0);

  await page.evaluate(
    (id) =>
      (globalThis as unknown as { __fake: Fake }).__fake.requestTakeover(id, 'Caller asked for a manager about the refund'),
    callId,
  );
  const banner = page.getByTestId('takeover-request');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('The AI asks for a person: Caller asked for a manager about the refund');
  await expect(row).toHaveAttribute('data-attention', 'takeover-requested');
  await expect(row.getByTestId('attention-marker')).toBeVisible();
  await expect(page.getByTestId('live-call').filter({ hasText: '700 900789' })).not.toHaveAttribute('data-attention');
  await expect(page.locator('[data-event-type="takeover_requested"]')).toContainText('AI asked for a person');
  await shot(page, '52-takeover-requested');

  await banner.getByRole('button', { name: 'Take over' }).click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await expect(banner).toHaveCount(0);
  await expect(row).not.toHaveAttribute('data-attention');
  await shot(page, '53-after-takeover');
  expect(problems).toEqual([]);
});

test('desktop notifications: asked for only from the banner, shown for a call the agent is not watching', async ({ page }) => {
  // A stand-in Notification API that records what the console does with it.
  await page.addInitScript(() => {
    const log = { requests: 0, shown: [] as Array<{ title: string; body: string }> };
    class FakeNotification {
      static permission: NotificationPermission = 'default';
      static requestPermission(): Promise<NotificationPermission> {
        log.requests += 1;
        FakeNotification.permission = 'granted';
        return Promise.resolve('granted');
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        log.shown.push({ title, body: options?.body ?? '' });
      }
      close(): void {}
    }
    Object.assign(globalThis, { Notification: FakeNotification, __notifications: log });
  });
  await openWithFakeBackend(page, { seed: true });
  const watched = await seededCallId(page, '+15557654321');
  const other = await seededCallId(page, '+447700900789');
  const log = () =>
    page.evaluate(() => (globalThis as unknown as { __notifications: { requests: number; shown: unknown[] } }).__notifications);

  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  await page.evaluate((id) => (globalThis as unknown as { __fake: Fake }).__fake.requestTakeover(id, 'Caller is upset'), watched);
  const enable = page.getByTestId('takeover-request').getByRole('button', { name: 'Enable notifications' });
  await expect(enable).toBeVisible();
  expect(await log()).toEqual({ requests: 0, shown: [] }); // never asked on load, nothing shown without permission
  await shot(page, '54-enable-notifications');

  await enable.click();
  await expect(enable).toHaveCount(0);
  expect((await log()).requests).toBe(1);

  await page.evaluate((id) => (globalThis as unknown as { __fake: Fake }).__fake.requestTakeover(id, 'Caller wants to cancel'), other);
  await expect.poll(async () => (await log()).shown).toEqual([
    { title: 'The AI asks for a person', body: '+44 7700 900789: Caller wants to cancel' },
  ]);
  await expect(page.getByTestId('live-call').filter({ hasText: '700 900789' })).toHaveAttribute(
    'data-attention',
    'takeover-requested',
  );
});

test('without Electron or a token, a socket the server refuses shows the needs-token state', async ({ page }) => {
  // No window.switchboard, so the renderer uses the WebSocket; nothing answers it, but /healthz does.
  await serveRenderer(page);
  await page.goto(`${FAKE_ORIGIN}/`);
  const gate = page.getByTestId('auth-required');
  await expect(gate).toBeVisible();
  await expect(gate).toHaveAttribute('data-reason', 'no-token');
  await expect(page.getByRole('heading', { name: 'This console needs its access token' })).toBeVisible();
  await shot(page, '40-needs-token');

  // With a token in the URL it is taken out of the address bar (kept for reloads) and, when
  // refused, reported as a rejected token.
  await page.goto(`${FAKE_ORIGIN}/?token=stale-token`);
  await expect(gate).toHaveAttribute('data-reason', 'unauthorized');
  expect(new URL(page.url()).search).toBe('');
  expect(await page.evaluate(() => sessionStorage.getItem('switchboard.token'))).toBe('stale-token');
});

test('listen in: plays the call through an AudioContext started by the click, stops on take over', async ({ page }) => {
  const problems = collectProblems(page);
  // Count AudioContexts and the slices scheduled on them (the page's own WebAudio, observed).
  await page.addInitScript(() => {
    const Original = window.AudioContext;
    const seen: AudioContext[] = [];
    let started = 0;
    const start = AudioBufferSourceNode.prototype.start;
    AudioBufferSourceNode.prototype.start = function (...args: Parameters<AudioBufferSourceNode['start']>) {
      started++;
      return start.apply(this, args);
    };
    window.AudioContext = class extends Original {
      constructor(options?: AudioContextOptions) {
        super(options);
        seen.push(this);
      }
    };
    Object.assign(window, { __audio: () => ({ contexts: seen.map((c) => c.state), started }) });
  });
  await openWithFakeBackend(page, { speed: 2 });
  await page.getByRole('button', { name: 'Start demo call' }).click();
  const listen = page.getByTestId('listen-in');
  await expect(listen).toBeVisible();
  await expect(listen).toHaveAttribute('aria-pressed', 'false');
  const audio = () => page.evaluate(() => (window as unknown as { __audio(): { contexts: string[]; started: number } }).__audio());
  expect((await audio()).contexts).toEqual([]); // nothing before the click

  await listen.click();
  await expect(listen).toHaveAttribute('data-listening', 'true');
  await expect.poll(async () => (await audio()).contexts).toEqual(['running']);
  await expect.poll(async () => (await audio()).started, { timeout: 5000 }).toBeGreaterThan(5);
  await expect(listen).toHaveAttribute('data-flowing', 'true');
  await expect(page.getByTestId('listen-in-meter')).toBeVisible();
  await shot(page, '30-listen-in');

  // Taking over stops listening and releases the audio device.
  await page.getByTestId('call-header').getByRole('button', { name: 'Take over' }).click();
  await expect(page.getByTestId('listen-in')).toHaveCount(0);
  await expect.poll(async () => (await audio()).contexts).toEqual(['closed']);
  const after = (await audio()).started;
  await page.waitForTimeout(500);
  expect((await audio()).started).toBe(after);
  expect(problems).toEqual([]);
});

test('a ConversationRelay call: the header says there is no listen-in and why; the timeline names the transport', async ({ page }) => {
  await openWithFakeBackend(page, { seed: true, relayCall: true });
  await page.getByTestId('live-call').filter({ hasText: '900789' }).click();
  const header = page.getByTestId('call-header');
  await expect(header.getByTestId('listen-in')).toHaveCount(0);
  const note = header.getByTestId('listen-in-unavailable');
  await expect(note).toHaveText('Text call · no listen-in');
  await expect(note).toHaveAttribute('title', /Twilio ConversationRelay, so Twilio does the speech and no audio reaches Switchboard/);
  await note.focus();
  await expect(note).toBeFocused();
  await expect(page.getByText('Call started on ConversationRelay (Twilio speaks and listens; not recorded here)')).toBeVisible();
  // The other live call streams its audio: listen-in is there.
  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  await expect(header.getByTestId('listen-in')).toBeVisible();
  await page.getByTestId('live-call').filter({ hasText: '900789' }).click();
  await shot(page, '40-relay-call');
});

test('a build without PocketSphinx: the engine badge says callers go unheard, its tooltip and Settings say why (1024 and 1440 px)', async ({ page }) => {
  const reason =
    'Offline speech recognition cannot run on this machine: PocketSphinx addon not built (/opt/Switchboard/resources/pocketsphinx.node missing). Callers are heard only through a cloud recogniser (Settings → Engines).';
  await openWithFakeBackend(page, { sttUnavailable: reason });
  const badge = page.getByTestId('engine-badge');
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    await expect(badge).toHaveAttribute('data-trouble', 'No speech recognition');
    await expect(badge).toHaveAttribute('aria-label', 'Offline engines: No speech recognition');
    await expect(badge).toContainText(width < 1280 ? 'No speech-to-text' : 'No speech recognition');
    // The top bar still fits: nothing pushed past the window's edge.
    expect(await page.getByRole('button', { name: 'Settings' }).evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(width);
    await badge.hover();
    await expect(page.getByRole('tooltip').filter({ hasText: reason })).toBeVisible();
    await shot(page, `60-no-pocketsphinx-${width}`);
    await page.mouse.move(600, 600);
  }
  await page.getByRole('button', { name: 'Settings' }).click();
  const row = page.getByTestId('engine-row').and(page.locator('[data-role="stt"]'));
  await expect(row.getByTestId('engine-unavailable')).toHaveText(reason);
  await shot(page, '61-no-pocketsphinx-settings');
});
