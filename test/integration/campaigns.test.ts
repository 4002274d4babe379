/**
 * Outbound campaigns end to end on loopback (issue 15): a real core, the real twilio SDK
 * talking REST to the Twilio fake, and the test playing the callees through Twilio's status
 * callbacks. The campaigns' clock runs with real time from a moment the test chose, and jumps
 * when the test says (retry delays and calling hours pass at once); ticks are real.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignSettings, CampaignSummary } from '../../src/shared/campaign';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { parseTwiml, startTwilioFake, type FakeCall, type TwilioFake } from '../fakes/twilio-fake';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { connectRawPeer, until } from '../support/raw-twilio';
import { DEFAULT_AI_PROFILE_FIELDS } from '../../src/shared/ai-profile';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-campaigns-0123';
const PUBLIC = 'https://switchboard-campaigns.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const DNC = '+442079460001';
const MINUTE = 60_000;
/** Wednesday 2 December 2026, 15:00 in London, 10:00 in New York. */
const START = Date.parse('2026-12-02T15:00:00Z');

const settings = (name: string, extra: Partial<CampaignSettings> = {}): CampaignSettings => ({
  name,
  purpose: 'Remind the customer of their engineer visit',
  script: '',
  days: [0, 1, 2, 3, 4, 5, 6],
  start: '08:00',
  end: '20:00',
  maxAttempts: 3,
  retryAfterMinutes: { no_answer: 60, busy: 30, failed: 45, voicemail: 60 },
  callsPerMinute: 120,
  maxConcurrent: 3,
  callerId: OUR_NUMBER,
  machineDetection: false,
  ...extra,
});

describe('campaigns: dialling leads on schedule through Twilio', () => {
  let harness: CoreHarness;
  let fake: TwilioFake;
  /** The campaigns' clock: real time, shifted so the run starts at START; `skip` jumps it ahead. */
  let offset = START - Date.now();
  const clock = () => Date.now() + offset;
  const skip = (ms: number) => (offset += ms);
  /** Jumps to an instant (rounded to the minute the test means). */
  const jumpTo = (at: number) => (offset = at - Date.now());
  const savedEnv = process.env[TWILIO_URL_ENV];

  const dialsTo = (number: string): FakeCall[] => [...fake.calls.values()].filter((c) => c.to === number && c.direction === 'outbound-api');
  const allDials = (): FakeCall[] => [...fake.calls.values()].filter((c) => c.direction === 'outbound-api');
  const summary = (id: string) => harness.call('campaigns.get', { campaignId: id });
  const leads = async (id: string) => (await harness.call('campaigns.leads', { campaignId: id, limit: 500 })).leads;
  /** Plays the callee: Twilio's callbacks for how the call went. */
  const finishCall = async (call: FakeCall, how: 'answered' | 'busy' | 'no-answer' | 'failed') => {
    await fake.sendStatus(call.sid, 'ringing');
    if (how === 'answered') {
      await fake.sendStatus(call.sid, 'in-progress');
      await fake.sendStatus(call.sid, 'completed', { CallDuration: '42' });
    } else {
      await fake.sendStatus(call.sid, how);
    }
  };
  const upload = async (csv: string) => {
    const { preview } = await harness.call('leads.upload', { uploadId: null, text: csv, last: true });
    return preview!;
  };
  const create = async (name: string, csv: string, extra: Partial<CampaignSettings> = {}) => {
    const preview = await upload(csv);
    return harness.call('campaigns.create', {
      settings: settings(name, extra),
      profileId: (await harness.call('profiles.list'))[0]!.id,
      uploadId: preview.uploadId,
      mapping: { number: 'phone', name: 'name', defaultCountry: 'GB' },
    });
  };

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] });
    process.env[TWILIO_URL_ENV] = fake.url;
    harness = await startHarness(undefined, { campaigns: { now: clock, tickMs: 40 } });
    await harness.call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
    await harness.call('telephony.update', {
      accountSid: ACCOUNT_SID,
      publicBaseUrl: PUBLIC,
      doNotCall: [DNC],
      allowedHours: { start: '00:00', end: '24:00' },
      allowedCountries: ['US', 'GB'],
    });
    await harness.call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
    const state = await harness.call('telephony.get');
    fake.connectApp({ publicBaseUrl: PUBLIC, localUrl: state.localUrl! });
  });
  afterAll(async () => {
    await harness?.core.close();
    await fake?.close();
    if (savedEnv === undefined) delete process.env[TWILIO_URL_ENV];
    else process.env[TWILIO_URL_ENV] = savedEnv;
  });

  it('imports leads with a column mapping, reporting bad rows without failing the file', async () => {
    const csv = 'name,phone,plan\nAda,020 7946 0100,Fibre 500\nBad Row,not a number,x\nBob,+442079460101,Fibre 100\nAda again,020 7946 0100,dup\n';
    const preview = await upload(csv);
    expect(preview).toMatchObject({ headers: ['name', 'phone', 'plan'], totalRows: 4, suggested: { number: 'phone', name: 'name' } });
    const made = await harness.call('campaigns.create', {
      settings: settings('Import check'),
      profileId: (await harness.call('profiles.list'))[0]!.id,
      uploadId: preview.uploadId,
      mapping: { number: 'phone', name: 'name', defaultCountry: 'GB' },
    });
    expect(made.imported).toBe(2);
    expect(made.rejectedCount).toBe(2);
    expect(made.rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, 'invalid_number'],
      [5, 'duplicate_number'],
    ]);
    expect(made.campaign).toMatchObject({ state: 'draft', counts: { total: 2, pending: 2 } });
    const rows = await leads(made.campaign.id);
    expect(rows.map((l) => [l.number, l.name, l.context])).toEqual([
      ['+442079460100', 'Ada', { plan: 'Fibre 500' }],
      ['+442079460101', 'Bob', { plan: 'Fibre 100' }],
    ]);
    // An upload is used once: it is gone after the campaign is made from it.
    const again = await harness.core.dispatch('campaigns.create', {
      settings: settings('Twice'),
      profileId: made.campaign.profileId,
      uploadId: preview.uploadId,
      mapping: { number: 'phone', name: 'name', defaultCountry: 'GB' },
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // A draft never dials.
    await new Promise((r) => setTimeout(r, 200));
    expect(dialsTo('+442079460100')).toHaveLength(0);
    await harness.call('campaigns.control', { campaignId: made.campaign.id, action: 'cancel' });
  });

  it('runs to completion: answered, busy then answered, no answer until attempts run out, failed; retries wait their delay', async () => {
    const csv = [
      'name,phone',
      'Answers,+442079460200',
      'Busy first,+442079460201',
      'Never answers,+442079460202',
      'Fails,+442079460203',
    ].join('\n');
    const { campaign } = await create('Four outcomes', csv, { maxAttempts: 3 });
    await harness.call('campaigns.control', { campaignId: campaign.id, action: 'start' });
    await until(() => allDials().filter((c) => c.to.startsWith('+44207946020')).length === 3, 5000, 'three dials (max 3 at once)');
    // Concurrency: the fourth waits for a call to end.
    await new Promise((r) => setTimeout(r, 200));
    expect(allDials().filter((c) => c.to.startsWith('+44207946020'))).toHaveLength(3);

    await finishCall(dialsTo('+442079460200')[0]!, 'answered');
    await until(() => dialsTo('+442079460203').length === 1, 5000, 'the fourth lead dialled once a call ended');
    await finishCall(dialsTo('+442079460201')[0]!, 'busy');
    await finishCall(dialsTo('+442079460202')[0]!, 'no-answer');
    await finishCall(dialsTo('+442079460203')[0]!, 'failed');
    await until(async () => (await summary(campaign.id)).counts.dialling === 0, 5000, 'all four attempts recorded');

    // Nothing is redialled before its delay, however many ticks pass.
    await new Promise((r) => setTimeout(r, 300));
    expect(dialsTo('+442079460201')).toHaveLength(1);
    let s = await summary(campaign.id);
    expect(s.counts).toMatchObject({ total: 4, pending: 3, done: 1, outcomes: { answered: 1, retrying: 3 } });

    // 30 minutes: busy retries (no_answer waits 60, failed 45).
    skip(30 * MINUTE);
    await until(() => dialsTo('+442079460201').length === 2, 5000, 'the busy lead redialled after 30 minutes');
    expect(dialsTo('+442079460202')).toHaveLength(1);
    expect(dialsTo('+442079460203')).toHaveLength(1);
    await finishCall(dialsTo('+442079460201')[1]!, 'answered');

    // 45 minutes: the failed one; 60: the one that never answers.
    skip(15 * MINUTE);
    await until(() => dialsTo('+442079460203').length === 2, 5000, 'the failed lead redialled after 45 minutes');
    expect(dialsTo('+442079460202')).toHaveLength(1);
    await finishCall(dialsTo('+442079460203')[1]!, 'failed');
    skip(15 * MINUTE);
    await until(() => dialsTo('+442079460202').length === 2, 5000, 'the unanswered lead redialled after 60 minutes');
    await finishCall(dialsTo('+442079460202')[1]!, 'no-answer');
    skip(60 * MINUTE);
    await until(() => dialsTo('+442079460202').length === 3 && dialsTo('+442079460203').length === 3, 5000, 'third attempts');
    await finishCall(dialsTo('+442079460202')[2]!, 'no-answer');
    await finishCall(dialsTo('+442079460203')[2]!, 'failed');

    await until(async () => (await summary(campaign.id)).state === 'completed', 5000, 'the campaign to complete');
    s = await summary(campaign.id);
    expect(s.counts).toMatchObject({ total: 4, pending: 0, dialling: 0, inCall: 0, done: 4, outcomes: { answered: 2, no_answer: 1, failed: 1 } });
    const byNumber = Object.fromEntries((await leads(campaign.id)).map((l) => [l.number, l]));
    expect(byNumber['+442079460200']).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
    expect(byNumber['+442079460201']).toMatchObject({ state: 'done', outcome: 'answered', attempts: 2 });
    expect(byNumber['+442079460202']).toMatchObject({ state: 'done', outcome: 'no_answer', attempts: 3 });
    expect(byNumber['+442079460203']).toMatchObject({ state: 'done', outcome: 'failed', attempts: 3 });
    // The answered lead's last call is in History (a stream-less call Twilio ended).
    expect(byNumber['+442079460200']!.lastCallId).toEqual(expect.any(String));
    // The right form went to Twilio, and the campaign's brief stayed in the console.
    const createRequest = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/Calls.json') && r.params['To'] === '+442079460200')!;
    expect(createRequest.params).toMatchObject({ From: OUR_NUMBER, Method: 'POST', StatusCallback: `${PUBLIC}/twilio/status` });
    expect(JSON.stringify(createRequest.params)).not.toMatch(/engineer/);
    // The per-lead results export with the team lead's export (a worker thread, like any export).
    const job = await harness.call('export.start', { format: 'csv', content: 'leads', campaignId: campaign.id });
    await until(() => harness.events.some((e) => e.name === 'export.progress' && e.payload.id === job.id && e.payload.state === 'done'), 10_000, 'the leads export');
    const file = await harness.core.file(`exports/${job.id}`);
    const exported = readFileSync(file!.path, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(exported[0]).toBe('lead_id,number,name,state,outcome,attempts,last_attempt_at,next_attempt_at,last_call_id,refusal,disposition,summary,context');
    expect(exported).toHaveLength(5);
    expect(exported.find((row) => row.includes('+442079460202'))).toMatch(/,Never answers,done,no_answer,3,/);
    // The console hears of it (announcements are throttled to a few a second).
    await until(() => harness.events.some((e) => e.name === 'campaign.updated' && (e.payload as CampaignSummary).id === campaign.id && (e.payload as CampaignSummary).state === 'completed'), 2000, 'campaign.updated: completed');
  });

  it('refuses do-not-call, barred and never-callable leads with their reason, and never dials them', async () => {
    const csv = ['name,phone', `On the list,${DNC}`, 'Premium,+448712345678', 'Germany,+4930123456', 'Fine,+442079460300'].join('\n');
    const { campaign } = await create('Compliance', csv);
    await harness.call('campaigns.control', { campaignId: campaign.id, action: 'start' });
    await until(() => dialsTo('+442079460300').length === 1, 5000, 'the callable lead dialled');
    await finishCall(dialsTo('+442079460300')[0]!, 'answered');
    await until(async () => (await summary(campaign.id)).state === 'completed', 5000, 'the campaign to complete');
    const byNumber = Object.fromEntries((await leads(campaign.id)).map((l) => [l.number, l]));
    expect(byNumber[DNC]).toMatchObject({ state: 'done', outcome: 'refused', attempts: 0, refusal: expect.stringMatching(/do-not-call/i) });
    expect(byNumber['+448712345678']).toMatchObject({ outcome: 'refused', refusal: expect.stringMatching(/premium-rate/) });
    expect(byNumber['+4930123456']).toMatchObject({ outcome: 'refused', refusal: expect.stringMatching(/Germany are not allowed/) });
    for (const n of [DNC, '+448712345678', '+4930123456']) expect(dialsTo(n)).toHaveLength(0);

    // Hours in the callee's zone: 17:00 in London now; an 18:00-20:00 campaign waits for 18:00, then dials.
    // Hours that never hold in every zone of the callee's country at once are refused.
    jumpTo(Date.parse('2026-12-02T17:00:00Z'));
    const evening = await create('Evening', 'name,phone\nLondon,+442079460400\nNew York,+12125550123', { start: '18:00', end: '20:00' });
    await harness.call('campaigns.control', { campaignId: evening.campaign.id, action: 'start' });
    await until(async () => (await summary(evening.campaign.id)).nextDialAt === Date.parse('2026-12-02T18:00:00Z'), 5000, 'the London lead to wait for 18:00');
    await new Promise((r) => setTimeout(r, 200));
    expect(dialsTo('+442079460400')).toHaveLength(0);
    const us = (await leads(evening.campaign.id)).find((l) => l.number === '+12125550123')!;
    expect(us).toMatchObject({ state: 'done', outcome: 'refused', refusal: expect.stringMatching(/never hold at once in every time zone of US/) });
    jumpTo(Date.parse('2026-12-02T18:00:00Z'));
    await until(() => dialsTo('+442079460400').length === 1, 5000, 'the London lead dialled at 18:00');
    expect(dialsTo('+12125550123')).toHaveLength(0);
    await finishCall(dialsTo('+442079460400')[0]!, 'answered');
  });

  it('pause and cancel stop new dials at once; calls in progress finish and are recorded', async () => {
    const numbers = ['+442079460500', '+442079460501', '+442079460502', '+442079460503', '+442079460504'];
    const { campaign } = await create('Pause and cancel', ['name,phone', ...numbers.map((n, i) => `Lead ${i},${n}`)].join('\n'), { maxConcurrent: 2 });
    const dialled = () => numbers.filter((n) => dialsTo(n).length > 0);
    await harness.call('campaigns.control', { campaignId: campaign.id, action: 'start' });
    await until(() => dialled().length === 2, 5000, 'two dials');
    const paused = await harness.call('campaigns.control', { campaignId: campaign.id, action: 'pause' });
    expect(paused).toMatchObject({ state: 'paused', counts: { dialling: 2, pending: 3 } });
    // A call ending frees a slot, but a paused campaign does not use it.
    await finishCall(dialsTo(numbers[0]!)[0]!, 'answered');
    await new Promise((r) => setTimeout(r, 300));
    expect(dialled()).toHaveLength(2);
    expect((await summary(campaign.id)).counts).toMatchObject({ dialling: 1, done: 1, outcomes: { answered: 1 } });

    await harness.call('campaigns.control', { campaignId: campaign.id, action: 'resume' });
    await until(() => dialled().length === 3, 5000, 'dialling resumed');
    const cancelled = await harness.call('campaigns.control', { campaignId: campaign.id, action: 'cancel' });
    expect(cancelled).toMatchObject({ state: 'cancelled', counts: { dialling: 2, done: 3, outcomes: { answered: 1, cancelled: 2 } } });
    // The two calls in progress still finish and are recorded; nothing else is dialled.
    await finishCall(dialsTo(numbers[1]!)[0]!, 'busy');
    await finishCall(dialsTo(numbers[2]!)[0]!, 'answered');
    await new Promise((r) => setTimeout(r, 300));
    expect(dialled()).toHaveLength(3);
    const s = await summary(campaign.id);
    expect(s).toMatchObject({ state: 'cancelled', counts: { total: 5, dialling: 0, pending: 0, done: 5, outcomes: { answered: 2, busy: 1, cancelled: 2 } } });
    const again = await harness.core.dispatch('campaigns.control', { campaignId: campaign.id, action: 'resume' });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict', message: 'A cancelled campaign cannot be resumed' } });
  });

  it('answering-machine detection: a machine is hung up on, recorded as voicemail and retried after its delay', async () => {
    const number = '+442079460700';
    const { campaign } = await create('Machines', `name,phone\nMachine,${number}`, { machineDetection: true, maxAttempts: 2 });
    await harness.call('campaigns.control', { campaignId: campaign.id, action: 'start' });
    await until(() => dialsTo(number).length === 1, 5000, 'the lead dialled');
    const first = dialsTo(number)[0]!;
    expect(first.machineDetection).toBe('Enable');
    const answered = await fake.answer(first.sid, { answeredBy: 'machine_start' });
    expect(parseTwiml(answered.body)).toMatchObject({ hangup: true, streamUrl: null });
    await fake.sendStatus(first.sid, 'completed', { CallDuration: '4' });
    await until(async () => (await leads(campaign.id))[0]!.outcome === 'voicemail', 5000, 'the attempt recorded as voicemail');
    expect((await leads(campaign.id))[0]).toMatchObject({ state: 'pending', attempts: 1 });

    skip(60 * MINUTE);
    await until(() => dialsTo(number).length === 2, 5000, 'the retry after the voicemail delay');
    const second = dialsTo(number)[1]!;
    const human = await fake.answer(second.sid);
    expect(parseTwiml(human.body).streamUrl).toMatch(/\/media$/);
    await fake.sendStatus(second.sid, 'completed', { CallDuration: '30' });
    await until(async () => (await summary(campaign.id)).state === 'completed', 5000, 'the campaign to complete');
    expect((await leads(campaign.id))[0]).toMatchObject({ state: 'done', outcome: 'answered', attempts: 2 });
  });

  it("an agent's do-not-call disposition puts the number on the list: no campaign dials it again", async () => {
    const number = '+442079460600';
    const first = await create('Opt-out first', `name,phone\nKeen,${number}`);
    const second = await create('Opt-out second', `name,phone\nKeen,${number}\nOther,+442079460601`);
    await harness.call('campaigns.control', { campaignId: first.campaign.id, action: 'start' });
    await until(() => dialsTo(number).length === 1, 5000, 'the lead dialled');
    await finishCall(dialsTo(number)[0]!, 'answered');
    await until(async () => (await leads(first.campaign.id))[0]!.lastCallId !== null, 5000, 'the call stored');
    const callId = (await leads(first.campaign.id))[0]!.lastCallId!;
    await harness.call('wrapup.save', { callId, disposition: 'Do not call' });
    expect((await harness.call('telephony.get')).settings.doNotCall).toContain(number);
    const lead = (await leads(second.campaign.id)).find((l) => l.number === number)!;
    expect(lead).toMatchObject({ state: 'done', outcome: 'opted_out', attempts: 0 });
    await harness.call('campaigns.control', { campaignId: second.campaign.id, action: 'start' });
    await until(() => dialsTo('+442079460601').length === 1, 5000, 'the other lead dialled');
    await new Promise((r) => setTimeout(r, 200));
    expect(dialsTo(number)).toHaveLength(1);
    expect((await leads(first.campaign.id))[0]).toMatchObject({ outcome: 'answered', disposition: 'do not call' });
  });

  it("an agent's callback disposition queues the callback: dialled when it is due, by the same rules", async () => {
    const number = '+442079460900';
    const { campaign } = await create('Callback source', `name,phone\nCaller,${number}`);
    await harness.call('campaigns.control', { campaignId: campaign.id, action: 'start' });
    await until(() => dialsTo(number).length === 1, 5000, 'the lead dialled');
    await finishCall(dialsTo(number)[0]!, 'answered');
    await until(async () => (await leads(campaign.id))[0]!.lastCallId !== null, 5000, 'the call stored');
    const callId = (await leads(campaign.id))[0]!.lastCallId!;
    await harness.call('wrapup.save', { callId, disposition: 'callback' });

    const queue = (await harness.call('campaigns.list')).find((c) => c.kind === 'callbacks')!;
    expect(queue).toMatchObject({ id: 'callbacks', state: 'running', settings: { callerId: OUR_NUMBER }, counts: { pending: 1 } });
    const [lead] = await leads(queue.id);
    expect(lead).toMatchObject({ number, state: 'pending', attempts: 0, context: { 'Earlier call': callId } });
    // Due 15 minutes on (no time was agreed): not before.
    await new Promise((r) => setTimeout(r, 300));
    expect(dialsTo(number)).toHaveLength(1);
    skip(16 * MINUTE);
    await until(() => dialsTo(number).length === 2, 5000, 'the callback dialled');
    await finishCall(dialsTo(number)[1]!, 'answered');
    await until(async () => (await leads(queue.id))[0]!.outcome === 'answered', 5000, 'the callback recorded');
    // The queue stays open for the next one.
    expect(await summary(queue.id)).toMatchObject({ state: 'running', counts: { done: 1 } });
  });

  it('an inbound number answers with its own profile, and a dial with the profile it names', async () => {
    const sales = await harness.call('profiles.save', { fields: { ...DEFAULT_AI_PROFILE_FIELDS, name: 'Sales line' } });
    await harness.call('profiles.assignNumber', { phoneNumber: OUR_NUMBER, profileId: sales.id });
    const media = `${(await harness.call('telephony.get')).localUrl!.replace(/^http:/, 'ws:')}/media`;
    const connect = async (callSid: string, twiml: string) => {
      const peer = await connectRawPeer(media);
      peer.start(callSid, parseTwiml(twiml).parameters, ACCOUNT_SID);
      await until(() => harness.callIdFor(callSid) !== undefined, 5000, 'the call');
      const profile = harness.latest(harness.callIdFor(callSid)!)?.profile;
      peer.sendJson({ event: 'stop', sequenceNumber: '9', streamSid: 'x', stop: { accountSid: ACCOUNT_SID, callSid } });
      await peer.closed;
      return profile;
    };
    const rung = await fake.ringInbound({ from: '+442079461000', to: OUR_NUMBER });
    expect(await connect(rung.callSid, rung.body)).toEqual({ id: sales.id, version: 1, name: 'Sales line' });

    const support = await harness.call('profiles.save', { fields: { ...DEFAULT_AI_PROFILE_FIELDS, name: 'Support line' } });
    const dialled = await harness.call('calls.dial', { to: '+442079461001', purpose: 'Check the repair worked', profileId: support.id });
    const answered = await fake.answer(dialled.callSid);
    expect(await connect(dialled.callSid, answered.body)).toEqual({ id: support.id, version: 1, name: 'Support line' });
    const unknown = await harness.core.dispatch('calls.dial', { to: '+442079461001', purpose: 'x', profileId: 'no-such-profile' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await harness.call('profiles.assignNumber', { phoneNumber: OUR_NUMBER, profileId: null });
  });
});
