/**
 * A campaign survives its console being killed (issue 15): the console runs as `npm start`
 * does (the headless shell, its own process, on a data folder), is killed with SIGKILL while
 * a dial's request is at Twilio and its answer not yet back, and is started again on the
 * same folder. Nobody is dialled twice: the claimed dial is found at Twilio (the calls placed
 * to that number since the claim) and followed, and the rest of the leads are dialled once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignSettings } from '../../src/shared/campaign';
import { startTwilioFake, type FakeCall, type TwilioFake } from '../fakes/twilio-fake';
import { connectApi, type Api } from '../e2e/support/api';
import { until } from '../support/raw-twilio';
import { startServe, type ServeProcess } from '../support/serve-process';

const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-crash-0123456';
const PUBLIC = 'https://switchboard-crash.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const TOKEN = 'campaign-crash-token-0123456789abcdef';
const NUMBERS = ['+442079460800', '+442079460801', '+442079460802', '+442079460803', '+442079460804', '+442079460805'];

const settings: CampaignSettings = {
  name: 'Crash',
  purpose: 'Confirm the delivery slot',
  script: '',
  days: [0, 1, 2, 3, 4, 5, 6],
  start: '00:00',
  end: '24:00',
  maxAttempts: 2,
  retryAfterMinutes: { no_answer: 60, busy: 30, failed: 45, voicemail: 60 },
  callsPerMinute: 120,
  maxConcurrent: 6,
  callerId: OUR_NUMBER,
  machineDetection: false,
};

describe('campaigns: a console killed mid-campaign dials no one twice', () => {
  let fake: TwilioFake;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  let serve: ServeProcess | null = null;
  let api: Api | null = null;

  const dialsTo = (number: string): FakeCall[] => [...fake.calls.values()].filter((c) => c.to === number);
  const start = async (): Promise<Api> => {
    serve = startServe([], { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_PORT: '0', SWITCHBOARD_TOKEN: TOKEN, SWITCHBOARD_TWILIO_URL: fake.url });
    const [, base] = await serve.waitFor(/Switchboard console: (http:\/\/127\.0\.0\.1:\d+)\//, 60_000);
    api = await connectApi(base!, TOKEN);
    return api;
  };

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
  });
  afterAll(async () => {
    api?.close();
    serve?.child.kill('SIGKILL');
    await fake?.close();
  });

  it('follows the dial whose answer the crash lost, and dials every other lead exactly once', async () => {
    let console = await start();
    await console.invoke('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    await console.invoke('telephony.update', { accountSid: ACCOUNT_SID, publicBaseUrl: PUBLIC, allowedHours: { start: '00:00', end: '24:00' }, allowedCountries: ['GB'] });
    await console.invoke('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: (await console.invoke('telephony.get')).localUrl! });

    const { preview } = await console.invoke('leads.upload', { uploadId: null, text: ['name,phone', ...NUMBERS.map((n, i) => `Lead ${i},${n}`)].join('\n'), last: true });
    const profileId = (await console.invoke('profiles.list'))[0]!.id;
    const { campaign } = await console.invoke('campaigns.create', { settings, profileId, uploadId: preview!.uploadId, mapping: { number: 'phone', name: 'name', defaultCountry: 'GB' } });
    await console.invoke('campaigns.control', { campaignId: campaign.id, action: 'start' });

    // Two dials go through; the third reaches Twilio, whose answer is held: then the kill.
    await until(() => fake.calls.size >= 2, 10_000, 'two dials');
    fake.createDelayMs = 30_000;
    await until(() => fake.calls.size >= 3, 10_000, 'a third dial at Twilio');
    serve!.child.kill('SIGKILL');
    expect(await serve!.exited).toBe('SIGKILL');
    api!.close();
    fake.createDelayMs = 0;
    const placedBeforeKill = fake.calls.size;
    expect(placedBeforeKill).toBe(3);

    console = await start();
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: (await console.invoke('telephony.get')).localUrl! });
    await until(() => NUMBERS.every((n) => dialsTo(n).length >= 1), 20_000, 'every lead dialled');
    // A few more ticks and reconciliations: still one call each.
    await new Promise((r) => setTimeout(r, 1500));
    expect(NUMBERS.map((n) => dialsTo(n).length)).toEqual(NUMBERS.map(() => 1));

    for (const call of fake.calls.values()) {
      await fake.sendStatus(call.sid, 'in-progress');
      await fake.sendStatus(call.sid, 'completed', { CallDuration: '20' });
    }
    await until(async () => (await console.invoke('campaigns.get', { campaignId: campaign.id })).state === 'completed', 10_000, 'the campaign to complete');
    const done = await console.invoke('campaigns.get', { campaignId: campaign.id });
    expect(done.counts).toMatchObject({ total: 6, done: 6, outcomes: { answered: 6 } });
    const { leads } = await console.invoke('campaigns.leads', { campaignId: campaign.id, limit: 10 });
    expect(leads.map((l) => l.attempts)).toEqual(NUMBERS.map(() => 1));
    await serve!.stop();
  });
});
