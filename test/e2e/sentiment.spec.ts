/**
 * Caller sentiment reads the same everywhere (issue 9): the live row, the call header and the
 * Assist card show one figure and the same words ("Negative · falling"), coloured by calibrated
 * bands, so a neutral call is never red; History labels the stored mean in the same words.
 * First against the fake backend, where the caller's scores are in the test's hands; then a
 * demo call through the real core (its own server, offline engines, the real analyser), live
 * and again read back from storage after a reload.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { describeReading, readCallerSentiment, type CallerSentimentReading } from '../../src/shared/sentiment';
import { connectApi } from './support/api';
import { openWithFakeBackend } from './support/fake-page';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47421;
const TOKEN = 'sentiment-e2e-token-0123456789abcdef';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/sentiment-${name}.png` });

type Fake = {
  calls(): Array<{ id: string; from: string; sentimentTrend: number[]; callerSentiment: number | null }>;
  callerSays(callId: string, text: string, score: number): void;
};

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  return problems;
}

async function fakeCall(page: Page, from: string) {
  const call = await page.evaluate((number) => (globalThis as unknown as { __fake: Fake }).__fake.calls().find((c) => c.from === number), from);
  expect(call, from).toBeTruthy();
  return call!;
}

async function callerSays(page: Page, callId: string, lines: Array<[text: string, score: number]>) {
  await page.evaluate(
    ({ callId, lines }) => {
      for (const [text, score] of lines) (globalThis as unknown as { __fake: Fake }).__fake.callerSays(callId, text, score);
    },
    { callId, lines },
  );
}

/** What the shared function makes of the call's scores as the fake backend holds them now. */
async function expectedReading(page: Page, from: string): Promise<CallerSentimentReading> {
  const call = await fakeCall(page, from);
  const reading = readCallerSentiment(call.sentimentTrend, call.callerSentiment);
  expect(reading).not.toBeNull();
  return reading!;
}

/** One readout shows exactly this reading: band, figure, direction, words, number. */
async function expectReadout(readout: Locator, reading: CallerSentimentReading, words: string): Promise<void> {
  const figure = reading.figure.toFixed(2);
  await expect(readout).toHaveAttribute('data-band', reading.band);
  await expect(readout).toHaveAttribute('data-figure', figure);
  await expect(readout).toHaveAttribute('data-direction', reading.direction ?? 'none');
  await expect(readout.getByTestId(/-words$/)).toHaveText(words);
  const shown = `${reading.figure > 0 ? '+' : reading.figure < 0 ? '−' : ''}${Math.abs(reading.figure).toFixed(2)}`;
  await expect(readout.getByTestId(/-figure$/)).toHaveText(shown);
  // The number is explained in the tooltip, with the whole-call mean beside it.
  await expect(readout).toHaveAttribute('title', new RegExp(`^Caller sentiment ${shown.replace('+', '\\+')} \\(latest lines weighted most\\), on a scale of −1 to \\+1; whole-call mean [+−]?\\d\\.\\d\\d\\.$`));
}

/** The live row, the header and the Assist card of the open call all show `reading`. */
async function expectSameEverywhere(page: Page, callId: string, reading: CallerSentimentReading, words: string): Promise<void> {
  const row = page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`);
  await expectReadout(row.getByTestId('row-sentiment'), reading, words);
  await expectReadout(page.getByTestId('call-header').getByTestId('header-sentiment'), reading, words);
  await expectReadout(page.getByTestId('sentiment-card').getByTestId('card-sentiment'), reading, words);
}

test('row, header and Assist card show one figure in words; a neutral call is not red; History labels the mean', async ({ page }) => {
  const problems = collectProblems(page);
  await openWithFakeBackend(page, { seed: true });
  const upset = await fakeCall(page, '+15557654321'); // three angry caller lines so far
  const calm = await fakeCall(page, '+447700900789'); // one mildly upset line so far

  await test.step('an upset caller: the same figure and words in all three places', async () => {
    await page.locator(`[data-testid="live-call"][data-call-id="${upset.id}"]`).click();
    await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', upset.id);
    const reading = await expectedReading(page, '+15557654321');
    expect(reading.band).toBe('very_negative');
    await expectSameEverywhere(page, upset.id, reading, describeReading(reading));
  });

  await test.step('the caller calms down: all three follow, and say which way it is going', async () => {
    await callerSays(page, upset.id, [
      ['okay that makes sense', 0.05],
      ['right so the refund is on its way', 0.1],
      ['thanks that is great', 0.44],
      ['that is much better thanks', 0.5],
      ['brilliant thank you', 0.6],
    ]);
    const reading = await expectedReading(page, '+15557654321');
    expect(reading.direction).toBe('rising');
    expect(reading.band).toBe('positive');
    // The whole-call mean, still weighed down by the complaints, lags how the caller sounds now.
    expect(reading.wholeCallMean).toBeLessThan(reading.figure - 0.2);
    await expectSameEverywhere(page, upset.id, reading, 'Positive · rising');
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 820 });
      await shot(page, `01-calmed-${width}`);
    }
  });

  await test.step('a neutral call reads neutral in slate, not red, though its mean is slightly below zero', async () => {
    await page.setViewportSize({ width: 1440, height: 820 });
    await callerSays(page, calm.id, [
      ['my account number is four five six seven', 0.077],
      ['can i pay by card', -0.103],
      ['i moved house last month', 0],
      ['the postcode is s w one a one a a', 0],
      ['i pay by direct debit', -0.103],
    ]);
    await page.locator(`[data-testid="live-call"][data-call-id="${calm.id}"]`).click();
    await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', calm.id);
    const reading = await expectedReading(page, '+447700900789');
    // Below VADER's −0.05, where the console used to call it negative (red).
    expect(reading.wholeCallMean).toBeLessThan(-0.05);
    expect(reading.band).toBe('neutral');
    await expectSameEverywhere(page, calm.id, reading, describeReading(reading));
    await expect(page.getByTestId('card-sentiment-words')).toHaveText(/^Neutral/);
    // Neutral words are slate, never the negative colours.
    const calmRow = page.locator(`[data-testid="live-call"][data-call-id="${calm.id}"]`);
    for (const words of [calmRow.getByTestId('row-sentiment-words'), page.getByTestId('header-sentiment-words'), page.getByTestId('card-sentiment-words')]) {
      await expect(words).toHaveClass(/text-slate-300/);
      await expect(words).not.toHaveClass(/rose|amber/);
    }
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 820 });
      await shot(page, `02-neutral-${width}`);
    }
  });

  await test.step('a caller losing patience reads "Negative · falling" in all three places', async () => {
    await callerSays(page, calm.id, [
      ['i have been waiting two weeks for this', -0.2],
      ['this is the third time i have called', -0.45],
      ['i am really not happy with the service', -0.38],
    ]);
    const reading = await expectedReading(page, '+447700900789');
    expect(reading.direction).toBe('falling');
    expect(reading.band).toBe('negative');
    await expectSameEverywhere(page, calm.id, reading, 'Negative · falling');
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 820 });
      await shot(page, `03-falling-${width}`);
    }
  });

  await test.step('History: the stored mean in the same words and colours, labelled as the mean', async () => {
    await page.setViewportSize({ width: 1440, height: 820 });
    await page.getByTestId('nav-history').click();
    const rows = page.getByTestId('history-row');
    await expect(rows.first()).toBeVisible();
    await expect(page.getByTestId('sort-sentiment')).toContainText('Sentiment (mean)');
    // The seeded history has means of +0.32, −0.41, +0.05, −0.12, +0.58 and −0.66.
    const band = (score: string) => rows.getByTestId('row-sentiment').filter({ hasText: score }).first().locator('[data-band]');
    await expect(band('−0.12')).toHaveAttribute('data-band', 'neutral');
    await expect(rows.getByTestId('row-sentiment').filter({ hasText: '−0.12' }).first()).toContainText('Neutral −0.12');
    await expect(band('−0.41')).toHaveAttribute('data-band', 'very_negative');
    await expect(band('+0.58')).toHaveAttribute('data-band', 'positive');
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 820 });
      await shot(page, `04-history-${width}`);
    }
    await rows.filter({ has: page.getByTestId('row-sentiment').filter({ hasText: '−0.66' }) }).first().click();
    await expect(page.getByTestId('detail-sentiment')).toContainText('Very negative −0.66');
    await expect(page.getByTestId('sentiment-chart')).toBeVisible();
    for (const width of [1024, 1440]) {
      await page.setViewportSize({ width, height: 820 });
      await shot(page, `05-call-page-${width}`);
    }
  });

  expect(problems).toEqual([]);
});

/** What each of the three readouts shows now: band, figure, direction and words. */
async function shown(page: Page, callId: string) {
  const read = async (readout: Locator) =>
    (await readout.count()) === 0
      ? null
      : {
          band: await readout.getAttribute('data-band'),
          figure: await readout.getAttribute('data-figure'),
          direction: await readout.getAttribute('data-direction'),
          words: await readout.getByTestId(/-words$/).textContent(),
        };
  return {
    row: await read(page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`).getByTestId('row-sentiment')),
    header: await read(page.getByTestId('call-header').getByTestId('header-sentiment')),
    card: await read(page.getByTestId('sentiment-card').getByTestId('card-sentiment')),
  };
}

function asShown(reading: CallerSentimentReading | null) {
  return reading
    ? { band: reading.band, figure: reading.figure.toFixed(2), direction: reading.direction ?? 'none', words: describeReading(reading) }
    : null;
}

test.describe('against the real core', () => {
  test.use({ baseURL: `http://127.0.0.1:${PORT}` });
  let server: OwnServer | null = null;
  test.beforeAll(async () => {
    server = await startOwnServer({ port: PORT, name: 'sentiment', token: TOKEN });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('a demo call scored by the real analyser: row, header and card agree live, and header and card after a reload', async ({ page, baseURL }) => {
    test.setTimeout(240_000);
    const problems = collectProblems(page);
    const api = await connectApi(baseURL!, TOKEN);
    await page.goto(`/?token=${TOKEN}`);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    await api.invoke('demo.start', { scenarioId: 'double-charge' });
    await expect.poll(async () => (await api.invoke('calls.list', { scope: 'live' })).length, { timeout: 20_000 }).toBe(1);
    const callId = (await api.invoke('calls.list', { scope: 'live' }))[0]!.id;
    await page.locator(`[data-testid="live-call"][data-call-id="${callId}"]`).click();

    // Two caller lines give a direction; wait for them (real-time speech through the offline engines).
    await expect(page.getByTestId('header-sentiment')).toHaveAttribute('data-direction', /^(falling|rising|steady)$/, { timeout: 120_000 });

    await test.step('live: the three readouts show what the shared function makes of the core\'s summary', async () => {
      await expect
        .poll(
          async () => {
            const { call } = await api.invoke('calls.get', { callId });
            const expected = asShown(readCallerSentiment(call.sentimentTrend, call.callerSentiment));
            const now = await shown(page, callId);
            return [now.row, now.header, now.card].every((r) => JSON.stringify(r) === JSON.stringify(expected)) ? 'same' : JSON.stringify({ expected, now });
          },
          { timeout: 20_000 },
        )
        .toBe('same');
      await page.screenshot({ path: 'test-results/screens/sentiment-06-real-core-live-1440.png' });
    });

    await test.step('ended and reloaded: the stored transcript gives the header and card the same figure', async () => {
      await api.invoke('call.end', { callId });
      await expect.poll(async () => (await api.invoke('calls.get', { callId })).call.status, { timeout: 20_000 }).toBe('ended');
      // A reload drops the live summary's trend: the call is read back from storage.
      await page.reload();
      await page.locator(`[data-testid="recent-call"][data-call-id="${callId}"]`).click();
      await expect(page.getByTestId('call-view')).toHaveAttribute('data-call-id', callId);
      const stored = await api.invoke('calls.get', { callId });
      const scores = stored.utterances.filter((u) => u.speaker === 'caller' && u.final && u.sentiment).map((u) => u.sentiment!.score);
      expect(scores.length).toBeGreaterThanOrEqual(2);
      const expected = asShown(readCallerSentiment(scores, stored.call.callerSentiment));
      await expect.poll(async () => (await shown(page, callId)).header).toEqual(expected);
      expect((await shown(page, callId)).card).toEqual(expected);
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 820 });
        await page.screenshot({ path: `test-results/screens/sentiment-07-real-core-ended-${width}.png` });
      }
    });
    api.close();
    expect(problems).toEqual([]);
  });
});
