/**
 * Campaigns (issue 15) against the real headless server (its own, on a fresh data folder) and
 * the Twilio fake (test/fakes/twilio-fake.ts, through SWITCHBOARD_TWILIO_URL): the team lead
 * imports a CSV whose columns the console cannot guess, maps them (number, name, which
 * columns the AI gets), and sees the bad row reported while the rest import; then runs the
 * campaign, which waits while Twilio lacks its auth token, dials at its concurrency once it has
 * it, stops dialling when paused while the calls in progress finish, and completes after
 * Resume. The fake's status callbacks end the calls; the page follows along, and the leads'
 * results export through the team lead's export.
 */
import { expect, test, type Page } from '@playwright/test';
import type { CampaignLead } from '@shared/campaign';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { connectApi, type Api } from './support/api';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47631;
const TOKEN = 'campaigns-e2e-token-0123456789abcdef';
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'campaigns-auth-token-0123456789';
const OUR_NUMBER = '+14155550199';
const PUBLIC = 'https://campaigns-e2e.example.ngrok.app';
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

let fake: TwilioFake;
let server: OwnServer | null = null;
let api: Api;
test.beforeAll(async () => {
  fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
  server = await startOwnServer({ port: PORT, name: 'campaigns', token: TOKEN, env: { SWITCHBOARD_TWILIO_URL: fake.url } });
  api = await connectApi(server.origin, TOKEN);
  // Everything but the auth token: a campaign can be built (its caller ID is one of the numbers)
  // and started, and waits to dial until the token is there. All day, so the run time does not matter.
  const state = await api.invoke('telephony.update', {
    accountSid: ACCOUNT_SID,
    phoneNumbers: [OUR_NUMBER],
    publicBaseUrl: PUBLIC,
    allowedHours: { start: '00:00', end: '24:00' },
    localPort: 0,
  });
  fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
});
test.afterAll(async () => {
  api?.close();
  await server?.stop();
  await fake?.close();
});

const LEADS_CSV = [
  'Who,Contact,Plan,Notes',
  'Ada Jones,+1 415 555 0101,Gold,prefers mornings',
  'Ben Okafor,12345,Silver,',
  'Chloé Martin,(415) 555-0102,Gold,',
  'Dan Wu,+14155550103,Bronze,',
  'Eve Adams,415-555-0104,Gold,call after 5',
].join('\n');

async function shots(page: Page, name: string) {
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: `test-results/screens/campaigns-${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** The calls the campaign placed, oldest first, as Twilio (the fake) has them. */
const placed = () => [...fake.calls.values()].filter((c) => c.direction === 'outbound-api');

test('import leads with a column mapping and a bad row; run, pause and resume the campaign and watch it progress', async ({ page }) => {
  test.setTimeout(60_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));

  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('nav-campaigns').click();
  await expect(page.getByTestId('campaigns-empty')).toBeVisible();
  await page.getByTestId('new-campaign').click();

  // Create with nothing filled in: each problem beside its field, in the shared schema's words; nothing is sent.
  const form = page.getByTestId('new-campaign-form');
  await form.getByTestId('create-campaign').click();
  await expect(form.locator('[data-field="campaign-name"]')).toContainText('a campaign needs a name');
  await expect(form.getByTestId('leads-section')).toContainText('Choose a CSV file with the leads.');
  await expect(form.getByTestId('create-problems')).toBeVisible();
  await expect(page.getByLabel('Name', { exact: true })).toBeFocused();

  await page.getByLabel('Name', { exact: true }).fill('Spring service reminders');
  await page.getByLabel('Purpose', { exact: true }).fill('Remind the customer their boiler service is due and offer a visit next week.');
  await form.getByTestId('leads-file-input').setInputFiles({ name: 'spring-leads.csv', mimeType: 'text/csv', buffer: Buffer.from(LEADS_CSV) });
  await expect(form.getByTestId('leads-file-summary')).toContainText('5 rows');
  await expect(form.getByTestId('leads-preview')).toContainText('Chloé Martin');

  // Neither column is named like a number or a name: the number must be chosen before Create.
  await form.getByTestId('create-campaign').click();
  await expect(form.locator('[data-field="map-number"]')).toContainText('Choose the column with the phone numbers.');
  await page.getByLabel('Phone number column').selectOption('Contact');
  await page.getByLabel('Name column').selectOption('Who');
  // The chips are labelled checkboxes: a click on the chip toggles it.
  await form.getByTestId('context-columns').locator('label', { hasText: 'Notes' }).click();
  await expect(form.getByTestId('context-columns').getByRole('checkbox', { name: 'Notes' })).not.toBeChecked();
  await expect(page.getByLabel('Default country')).toHaveValue('US'); // the caller ID's country, for "(415) 555-0102"
  await expect(form.getByTestId('leads-preview').locator('th[data-role="unused"]')).toContainText('Notes');

  // Every day, all day, fast, two at a time, one attempt each.
  for (const day of ['Sat', 'Sun']) await form.getByTestId('schedule-section').locator('label', { hasText: day }).click();
  await expect(page.getByRole('checkbox', { name: 'Sunday' })).toBeChecked();
  await page.getByLabel('From', { exact: true }).selectOption('00:00');
  await page.getByLabel('Until', { exact: true }).selectOption('24:00');
  await page.getByLabel('Attempts per lead').fill('1');
  await page.getByLabel('Calls per minute').fill('120');
  await page.getByLabel('Calls at once').fill('2');
  await shots(page, '01-new-mapped');
  await form.getByTestId('create-campaign').click();

  // The report: four leads in, the bad row out with its line and reason; a draft dials no one.
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('report-imported')).toHaveText('4');
  await expect(report.getByTestId('report-rejected-count')).toHaveText('1');
  await expect(report.getByTestId('rejected-row')).toHaveCount(1);
  await expect(report.getByTestId('rejected-row')).toHaveAttribute('data-reason', 'invalid_number');
  await expect(report.getByTestId('rejected-row')).toContainText('3');
  await expect(report.getByTestId('rejected-row')).toContainText('"12345" is not a valid phone number');
  await shots(page, '02-report');

  const campaign = (await api.invoke('campaigns.list')).find((c) => c.kind === 'campaign');
  expect(campaign).toMatchObject({ state: 'draft', counts: { total: 4, pending: 4 } });
  const { leads } = await api.invoke('campaigns.leads', { campaignId: campaign!.id });
  expect(leads.map((l: CampaignLead) => [l.number, l.name])).toEqual([
    ['+14155550101', 'Ada Jones'],
    ['+14155550102', 'Chloé Martin'],
    ['+14155550103', 'Dan Wu'],
    ['+14155550104', 'Eve Adams'],
  ]);
  expect(leads[0]!.context).toEqual({ Plan: 'Gold' }); // Notes was unticked

  await report.getByTestId('open-campaign').click();
  const pageEl = page.getByTestId('campaign-page');
  const state = pageEl.getByTestId('campaign-state');
  const count = (key: string) => pageEl.getByTestId(`count-${key}`);
  await expect(state).toHaveAttribute('data-state', 'draft');
  await expect(pageEl.getByTestId('lead-row')).toHaveCount(4);
  await expect(count('pending')).toHaveAttribute('data-value', '4');

  // Started without the auth token: running, but waiting, and saying why.
  await pageEl.getByRole('button', { name: 'Start' }).click();
  await expect(state).toHaveAttribute('data-state', 'running');
  await expect(pageEl.getByTestId('campaign-waiting')).toContainText('Twilio is not configured: missing Twilio auth token');
  expect(placed()).toHaveLength(0);

  // With the token it dials: two at once, no more.
  await api.invoke('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
  await expect(count('dialling')).toHaveAttribute('data-value', '2');
  await expect(pageEl.getByTestId('campaign-waiting')).toHaveCount(0);
  expect(placed()).toHaveLength(2);
  await shots(page, '03-running');

  // The first is not answered: done (one attempt), and the third lead is dialled in its place.
  const [first, second] = placed();
  await fake.sendStatus(first!.sid, 'no-answer');
  await expect(count('no_answer')).toHaveAttribute('data-value', '1');
  await expect.poll(() => placed().length).toBe(3);
  await expect(pageEl.getByTestId('campaign-progress')).toHaveAttribute('data-done', '1');

  // Pause: no new dial, while the calls in progress finish and are counted.
  await pageEl.getByRole('button', { name: 'Pause' }).click();
  await expect(state).toHaveAttribute('data-state', 'paused');
  await fake.sendStatus(second!.sid, 'busy');
  const third = placed()[2]!;
  await fake.sendStatus(third.sid, 'in-progress');
  await expect(count('busy')).toHaveAttribute('data-value', '1');
  await expect(count('in_call')).toHaveAttribute('data-value', '1');
  await page.waitForTimeout(1500); // 3 dial slots at 120 a minute
  expect(placed()).toHaveLength(3);
  await expect(count('pending')).toHaveAttribute('data-value', '1');
  await shots(page, '04-paused');

  // Resume: the last lead is dialled; the answered call and the last one end; the campaign completes.
  await pageEl.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => placed().length).toBe(4);
  await fake.sendStatus(third.sid, 'completed');
  await fake.sendStatus(placed()[3]!.sid, 'failed');
  await expect(state).toHaveAttribute('data-state', 'completed');
  await expect(pageEl.getByTestId('campaign-progress')).toHaveAttribute('data-done', '4');
  await expect(count('answered')).toHaveAttribute('data-value', '1');
  await expect(count('failed')).toHaveAttribute('data-value', '1');

  // The lead table followed along: filtered to done leads, each with its outcome.
  await pageEl.getByTestId('leads-filter').getByRole('radio', { name: 'Done' }).click();
  const rows = pageEl.getByTestId('lead-row');
  await expect(rows).toHaveCount(4);
  const answered = pageEl.locator('[data-testid="lead-row"][data-outcome="answered"]');
  await expect(answered).toContainText('Dan Wu');
  await expect(answered.getByTestId('lead-call-link')).toHaveAttribute('href', /^#\/calls\/.+/);
  await expect(pageEl.locator('[data-testid="lead-row"][data-outcome="no_answer"]')).toContainText('Ada Jones');
  await shots(page, '05-completed');

  // The per-lead results go out through the team lead's export.
  await pageEl.getByTestId('export-leads').click();
  await page.getByRole('button', { name: /^CSV/ }).click();
  const job = page.getByTestId('export-panel').getByTestId('export-job');
  await expect(job).toHaveAttribute('data-state', 'done');
  await expect(job.getByTestId('export-size')).toContainText('4 rows');
  await page.keyboard.press('Escape');

  // The list shows it finished, live counts and all.
  await pageEl.getByTestId('back-to-campaigns').click();
  const card = page.getByTestId('campaign-card');
  await expect(card).toContainText('Spring service reminders');
  await expect(card.getByTestId('campaign-state')).toHaveAttribute('data-state', 'completed');
  await expect(card.getByTestId('campaign-done')).toContainText('4 of 4 done');
  await shots(page, '06-list');
  expect(problems).toEqual([]);
});
