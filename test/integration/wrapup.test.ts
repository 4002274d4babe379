/**
 * Wrap-up and recorded facts through the real core (issue 8): calls run through the real
 * media bridge and caller simulator, with Deepgram and Gemini as their real SDKs against the
 * loopback fakes (so the AI can call record_fact). Then: the fact is stored and listed, the
 * ended call's wrap-up is proposed (by Gemini, by the offline summariser when Gemini fails,
 * saying so), saved, survives a restart on the same data folder, filters History, and is in
 * the exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../src/shared/history';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { DEFAULT_LISTEN_VAD, startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';
import { errorReply, sentenceReply, startGeminiFake, textReply, type GeminiFake } from '../fakes/gemini-fake';
import { startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';
import { createCallStore } from '../../src/main/core/store/call-store';
import { openDatabase } from '../../src/main/core/store/db';
import { finalLine, newCall } from '../unit/store/helpers';

const DEEPGRAM_KEY = 'dg-wrapup-key-0123456789';
const GEMINI_KEY = 'gm-wrapup-key-0123456789';
const LINES = ['Hi, I was charged twice for my broadband this month.', 'My order number is nine nine eight one two, please call me back tomorrow.'];
/** A value a spreadsheet would run as a formula: the CSV must keep it text. */
const HOSTILE_FACT = '=HYPERLINK("http://evil.example","x")';

async function waitForExport(harness: CoreHarness, id: string): Promise<ExportJob> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const last = harness.events.filter((e) => e.name === 'export.progress' && e.payload.id === id).at(-1);
    if (last && last.name === 'export.progress' && last.payload.state !== 'running') return last.payload;
    if (Date.now() > deadline) throw new Error('export did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exported(harness: CoreHarness, request: Parameters<CoreHarness['call']>[1] & object): Promise<string> {
  const job = await harness.call('export.start', request as never);
  const done = await waitForExport(harness, job.id);
  expect(done.state).toBe('done');
  const file = await harness.core.file(done.fileRoute!);
  return readFileSync(file!.path, 'utf8');
}

describe('wrap-up and recorded facts through the real core', () => {
  let deepgram: DeepgramFake;
  let gemini: GeminiFake;
  let harness: CoreHarness;
  const saved = { ...process.env };

  beforeAll(async () => {
    deepgram = await startDeepgramFake({ apiKey: DEEPGRAM_KEY });
    deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: (_connection, n) => LINES[n] ?? 'Thank you.' };
    deepgram.speak.firstByteDelayMs = 50;
    deepgram.speak.msPerChar = 20;
    gemini = await startGeminiFake({ apiKey: GEMINI_KEY });
    gemini.auto = sentenceReply({ firstTokenMs: 200, gapMs: 30, sentences: ['I can help with that.'] });
    Object.assign(process.env, {
      DEEPGRAM_API_KEY: DEEPGRAM_KEY,
      GEMINI_API_KEY: GEMINI_KEY,
      SWITCHBOARD_DEEPGRAM_URL: deepgram.environment.base,
      SWITCHBOARD_GEMINI_URL: gemini.baseUrl,
    });
    harness = await startHarness();
    await harness.call('providers.update', { stt: 'deepgram', llm: 'gemini', tts: 'deepgram' });
  });
  afterAll(async () => {
    await harness?.core.close();
    await deepgram?.close();
    await gemini?.close();
    process.env = saved;
  });

  async function runCall(turns: string[]): Promise<string> {
    const scenario: CallerScenario = {
      id: 'wrapup',
      title: 'wrapup',
      description: '',
      from: '+15550103000',
      to: '+15550109999',
      voice: 'rms',
      turns: turns.map((say) => ({ say, pauseMs: 300 })),
      afterLastTurn: 'hang-up',
    };
    const caller = new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario, voice: createFliteTts({ voice: 'rms' }) });
    await caller.start();
    await caller.done;
    const callId = harness.callIdFor(caller.callSid)!;
    await until(() => harness.latest(callId)?.status === 'ended', 10_000, 'call to end');
    return callId;
  }

  let callId = '';

  it('stores a fact the AI records, lists it with the call and proposes the wrap-up from Gemini', async () => {
    gemini.script(
      textReply("I'm sorry about the double charge. What is your order number?"),
      // Two record_fact calls mid-reply: the provider answers both and the model carries on speaking.
      {
        kind: 'stream',
        chunks: [
          { parts: [{ text: 'Thanks.' }] },
          {
            parts: [
              { functionCall: { name: 'record_fact', args: { name: 'order number', value: '99812' } } },
              { functionCall: { name: 'record_fact', args: { name: 'note', value: HOSTILE_FACT } } },
            ],
          },
        ],
      },
      textReply('I have noted it and someone will call you back tomorrow.'),
    );
    callId = await runCall(LINES);
    expect(gemini.pending).toBe(0);

    const detail = await harness.call('calls.get', { callId });
    expect(detail.facts.map((f) => [f.key, f.value])).toEqual([
      ['order number', '99812'],
      ['note', HOSTILE_FACT],
    ]);
    expect(detail.facts.every((f) => f.callId === callId && f.atMs > 0)).toBe(true);
    // The caller's details, from the stored lines: the newest line's first, in the order said.
    expect(detail.entities).toEqual([
      { type: 'order_number', value: '99812' },
      { type: 'date', value: 'tomorrow' },
    ]);
    expect(detail.wrapUp).toBeNull();

    // Gemini writes the summary: structured JSON output, the call's material in the request.
    const before = gemini.requests.length;
    gemini.script(
      textReply(
        JSON.stringify({
          reason: 'The caller was charged twice for broadband this month.',
          actions: 'The AI took the order number and arranged a call back.',
          resolution: 'partial',
          followUps: ['Call the caller back tomorrow about the refund.'],
          disposition: 'Callback',
        }),
      ),
    );
    const proposal = await harness.call('wrapup.get', { callId });
    expect(proposal).toMatchObject({
      callId,
      source: 'gemini',
      disposition: null,
      proposedDisposition: 'callback', // the list's spelling
      savedAt: null,
      wrapUpMs: null,
      notice: null,
      summary: { resolution: 'partial', followUps: ['Call the caller back tomorrow about the refund.'] },
    });
    const request = gemini.requests[before]!;
    expect(request.rpc).toBe('generateContent');
    expect(request.body?.generationConfig).toMatchObject({ responseMimeType: 'application/json' });
    expect(JSON.stringify(request.body?.generationConfig?.['responseJsonSchema'])).toContain('not interested');
    const prompt = JSON.stringify(request.body?.contents);
    expect(prompt).toContain('charged twice');
    expect(prompt).toContain('order number: 99812');
    // Asked again (the form reopened), the proposal is not asked of Gemini a second time.
    const again = await harness.call('wrapup.get', { callId });
    expect(gemini.requests.length).toBe(before + 1);
    expect(again.startedAt).toBe(proposal.startedAt);
  });

  it('refuses a disposition that is not in the list, and long notes, saying why', async () => {
    const wrong = await harness.core.dispatch('wrapup.save', { callId, disposition: 'refunded' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/not a disposition.*resolved, callback/) } });
    const long = await harness.core.dispatch('wrapup.save', { callId, disposition: 'callback', notes: 'x'.repeat(4001) });
    expect(long).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/notes/) } });
    const unknown = await harness.core.dispatch('wrapup.get', { callId: 'no-such-call' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await harness.call('calls.get', { callId })).wrapUp).toBeNull();
  });

  it('saves the wrap-up with the agent’s edits, and it survives a restart', async () => {
    const savedWrapUp = await harness.call('wrapup.save', {
      callId,
      disposition: 'CALLBACK',
      notes: 'Refund promised; check the billing system first.',
      summary: { reason: 'Charged twice this month (edited by the agent).' },
    });
    expect(savedWrapUp).toMatchObject({
      disposition: 'callback',
      notes: 'Refund promised; check the billing system first.',
      source: 'gemini',
      proposedDisposition: 'callback',
      summary: { reason: 'Charged twice this month (edited by the agent).', actions: 'The AI took the order number and arranged a call back.', resolution: 'partial' },
    });
    expect(savedWrapUp.savedAt).not.toBeNull();
    expect(savedWrapUp.wrapUpMs).toBe(savedWrapUp.savedAt! - savedWrapUp.startedAt);
    // The console's Recent calls learn the call is wrapped up, and how.
    expect(harness.latest(callId)?.disposition).toBe('callback');

    const dataDir = harness.dataDir;
    await harness.core.close();
    harness = await startHarness(dataDir);
    const detail = await harness.call('calls.get', { callId });
    expect(detail.wrapUp).toEqual(savedWrapUp);
    expect(detail.call.disposition).toBe('callback');
    expect(await harness.call('wrapup.get', { callId })).toEqual(savedWrapUp);
    expect(detail.facts).toHaveLength(2);

    // Re-saving later edits the wrap-up but keeps its after-call work time.
    const edited = await harness.call('wrapup.save', { callId, disposition: 'resolved', notes: 'Refunded.' });
    expect(edited).toMatchObject({ disposition: 'resolved', wrapUpMs: savedWrapUp.wrapUpMs, startedAt: savedWrapUp.startedAt });
    expect(edited.summary.reason).toBe('Charged twice this month (edited by the agent).');
  });

  it('falls back to the offline summary when Gemini fails, and says so', async () => {
    gemini.script(textReply('Hello.'));
    const second = await runCall([LINES[0]!]);
    gemini.script(errorReply(500), errorReply(500), errorReply(500));
    const proposal = await harness.call('wrapup.get', { callId: second });
    expect(proposal.source).toBe('offline');
    expect(proposal.notice).toMatch(/^Gemini answered HTTP 500, so this is the offline summary\.$/);
    expect(proposal.notice).not.toContain(GEMINI_KEY);
    expect(proposal.summary.reason).toMatch(/Charged twice/);
    await harness.call('wrapup.save', { callId: second, disposition: proposal.proposedDisposition ?? 'escalated' });
  });

  it('proposes the offline summary without a word about Gemini when the console runs offline', async () => {
    // A call another desk stored (a second connection writes, as an import would).
    const db = openDatabase(join(harness.dataDir, 'switchboard.db'));
    const store = createCallStore(db);
    store.insertCall(newCall({ id: 'seeded', callSid: 'CA-seeded', status: 'ended', startedAt: 1_700_000_000_000, endedAt: 1_700_000_040_000, endReason: 'caller_hangup' }));
    store.appendUtterance(finalLine({ id: 'seeded-1', callId: 'seeded', text: 'I would like to cancel my account', intent: 'cancel_service', sentiment: { score: -0.1, label: 'negative' } }));
    db.close();
    await harness.call('providers.update', { llm: 'offline' });
    const before = gemini.requests.length;
    const proposal = await harness.call('wrapup.get', { callId: 'seeded' });
    expect(proposal).toMatchObject({ source: 'offline', notice: null, summary: { reason: 'Cancel service.', resolution: 'partial' } });
    expect(gemini.requests.length).toBe(before);
    await harness.call('providers.update', { llm: 'gemini' });
  });

  it('filters History by disposition and exports the wrap-up and the facts', async () => {
    const page = await harness.call('history.page', { filter: { dispositions: ['Resolved'] }, limit: 50 });
    expect(page.calls.map((c) => c.id)).toEqual([callId]);
    expect(page.calls[0]).toMatchObject({ disposition: 'resolved', resolution: 'partial' });
    const none = await harness.call('history.page', { filter: { dispositions: ['spam'] }, limit: 50 });
    expect(none.calls).toEqual([]);
    const all = await harness.call('history.page', { limit: 50 });
    expect(all.calls.map((c) => c.disposition)).toEqual([expect.any(String), 'resolved', null]);

    const jsonl = await exported(harness, { filter: { dispositions: ['resolved'] }, format: 'jsonl', content: 'calls' });
    const rows = jsonl.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      call_id: callId,
      disposition: 'resolved',
      resolution: 'partial',
      wrap_up_notes: 'Refunded.',
      wrap_up_summary: { reason: 'Charged twice this month (edited by the agent).', resolution: 'partial' },
      facts: [
        { key: 'order number', value: '99812' },
        { key: 'note', value: HOSTILE_FACT },
      ],
    });

    const csv = await exported(harness, { filter: { dispositions: ['resolved'] }, format: 'csv', content: 'calls' });
    const [header, row] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).toMatch(/,disposition,resolution,wrap_up_summary,wrap_up_notes,facts,whispers$/);
    expect(row).toContain(',resolved,partial,');
    // The fact that looks like a formula is text in the cell ("order number: …; note: =HYP…" starts with a letter),
    // and a cell that would start with it is prefixed.
    expect(row).toContain('order number: 99812; note: =HYPERLINK');
  });
});
