/**
 * Calls on the cloud providers: Deepgram live STT, Gemini and Deepgram Aura, each the
 * vendor's real SDK talking to a protocol-faithful fake on loopback, through the real media
 * bridge and caller simulator. Then the faults: Gemini failing or hanging (the offline
 * engine answers, the agent is told, dead air stays under 2 s) and Aura failing (the turn is
 * spoken in the offline voice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent, TurnMetrics } from '../../src/shared/domain';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { DEFAULT_LISTEN_VAD, type DeepgramFake } from '../fakes/deepgram-fake';
import { errorReply, functionCallReply, sentenceReply, type GeminiFake } from '../fakes/gemini-fake';
import { GEMINI_TEST_KEY, startCloudCore, type CloudCore } from '../support/cloud-core';
import type { CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const LINES = ['Hi, I was charged twice for my broadband this month.', 'My account number is four five six seven eight.'];

describe('calls on the cloud providers (real SDKs against loopback fakes)', () => {
  let cloud: CloudCore;
  let deepgram: DeepgramFake;
  let gemini: GeminiFake;
  let harness: CoreHarness;

  beforeAll(async () => {
    cloud = await startCloudCore(({ deepgram, gemini }) => {
      // The fake hears speech by its energy and "recognises" the scenario's lines in order.
      deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: (_connection, n) => LINES[n] ?? 'Thank you.' };
      deepgram.speak.firstByteDelayMs = 100;
      // Brisk synthetic speech keeps each call short; timing is not what these tests measure.
      deepgram.speak.msPerChar = 25;
      gemini.auto = sentenceReply({ firstTokenMs: 300, gapMs: 50, sentences: ['I can help with that.', 'Let me look at your account.'] });
    });
    ({ deepgram, gemini, harness } = cloud);
    const state = await harness.call('providers.get');
    expect(state.engines.map((e) => e.offline)).toEqual([false, false, false]);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  async function runCall(turns = LINES.length) {
    const scenario: CallerScenario = {
      id: 'cloud',
      title: 'cloud',
      description: '',
      from: '+15550102000',
      to: '+15550109999',
      voice: 'rms',
      turns: LINES.slice(0, turns).map((say) => ({ say, pauseMs: 300 })),
      afterLastTurn: 'hang-up',
    };
    const caller = new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario, voice: createFliteTts({ voice: 'rms' }) });
    await caller.start();
    const report = await caller.done;
    const callId = harness.callIdFor(caller.callSid)!;
    await until(() => harness.latest(callId)?.status === 'ended', 10_000, 'call to end');
    const events = harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId ? [e.payload] : [])) as CallEvent[];
    const turnMetrics = harness.events.flatMap((e) => (e.name === 'call.turn' && e.payload.callId === callId ? [e.payload] : [])) as TurnMetrics[];
    /** ms from the end of each caller line to the first AI audio the caller received after it. */
    const deadAir = report.spoken.map((line) => {
      const next = report.received.find((r) => r.atMs >= line.endMs);
      return next ? next.atMs - line.endMs : Number.POSITIVE_INFINITY;
    });
    return { callId, report, events, turnMetrics, deadAir, finals: harness.finals(callId) };
  }

  it('runs a call: Deepgram hears, Gemini answers with tools, Aura speaks, every turn timed', async () => {
    gemini.script(
      sentenceReply({ firstTokenMs: 300, gapMs: 50, sentences: ["I'm sorry about the double charge.", 'Could I have your account number?'] }),
      functionCallReply('transfer_to_agent', { reason: 'refund needs a person' }, 'Thanks, let me get a colleague to sort that refund.'),
    );
    const { report, events, turnMetrics, finals, deadAir } = await runCall();
    expect(report.protocolErrors).toEqual([]);
    expect(finals.filter((u) => u.speaker === 'caller').map((u) => u.text)).toEqual(LINES);
    const ai = finals.filter((u) => u.speaker === 'ai').map((u) => u.text);
    expect(ai).toContain("I'm sorry about the double charge. Could I have your account number?");
    expect(ai).toContain('Thanks, let me get a colleague to sort that refund.');

    // Gemini saw the caller's words, as the Deepgram fake recognised them, with the persona.
    const lastRequest = gemini.requests.at(-1)!.body!;
    expect(JSON.stringify(lastRequest.contents)).toContain('four five six seven eight');
    expect(JSON.stringify(lastRequest.systemInstruction)).toMatch(/phone assistant/);
    expect(events.find((e) => e.type === 'tool_call')?.data).toMatchObject({ tool: 'transfer_to_agent' });
    expect(events.find((e) => e.type === 'takeover_requested')?.data).toEqual({ reason: 'refund needs a person' });

    expect(turnMetrics).toHaveLength(2);
    for (const m of turnMetrics) {
      expect(m.llmFirstTokenAtMs).not.toBeNull();
      expect(m.ttsFirstByteAtMs).not.toBeNull();
      expect(m.firstAudioAtMs).not.toBeNull();
      expect(m.sttFinalAtMs).toBeGreaterThanOrEqual(m.speechEndAtMs);
      expect(m.llmFirstTokenAtMs!).toBeGreaterThanOrEqual(m.sttFinalAtMs);
      expect(m.firstAudioAtMs!).toBeGreaterThanOrEqual(m.ttsFirstByteAtMs!);
      expect([m.sttLabel, m.llmLabel, m.ttsLabel]).toEqual(['Deepgram Nova-3', 'Gemini 2.5 Flash', 'Deepgram Aura-2']);
    }
    expect(deadAir.every((ms) => ms < 2000)).toBe(true);
    const stored = await harness.call('calls.get', { callId: turnMetrics[0]!.callId });
    expect(stored.turns.map((t) => t.turnId)).toEqual(turnMetrics.map((t) => t.turnId));
  });

  it('answers from the offline engine when Gemini keeps failing, and tells the agent', async () => {
    // One request, tried twice (the provider retries once), both failing.
    gemini.script(errorReply(500), errorReply(503));
    const { events, finals, deadAir } = await runCall(1);
    const fallback = events.find((e) => e.type === 'fallback');
    expect(fallback?.data).toMatchObject({ role: 'llm', partial: false });
    expect(String(fallback?.data.reason)).not.toContain(GEMINI_TEST_KEY);
    // The offline engine's answer to a double charge, spoken by Aura.
    expect(finals.filter((u) => u.speaker === 'ai').length).toBeGreaterThanOrEqual(2);
    expect(deadAir[0]).toBeLessThan(2000);
    expect(gemini.pending).toBe(0);
  });

  it('keeps dead air under 2 s when Gemini hangs', async () => {
    gemini.script({ kind: 'hang' });
    const { events, deadAir } = await runCall(1);
    expect(events.find((e) => e.type === 'fallback')?.data).toMatchObject({ role: 'llm' });
    console.log(`dead air with Gemini hanging: ${deadAir[0]} ms`);
    expect(deadAir[0]).toBeLessThan(2000);
    // It really waited on the hung request before the offline engine answered.
    expect(deadAir[0]).toBeGreaterThan(1000);
    expect(gemini.pending).toBe(0);
  });

  it('speaks the turn in the offline voice when Aura fails', async () => {
    deepgram.speakFailure = 'reject-upgrade';
    // Pooled sockets from earlier calls would still work: cut them so the next clause
    // needs a new connection, which the service now refuses.
    for (const connection of deepgram.speakConnections) connection.drop();
    try {
      const { events, report, finals } = await runCall(1);
      expect(events.filter((e) => e.type === 'fallback').map((e) => e.data.role)).toContain('tts');
      expect(finals.filter((u) => u.speaker === 'ai').length).toBeGreaterThanOrEqual(2);
      expect(report.played.reduce((n, p) => n + p.bytes.length, 0)).toBeGreaterThan(8000);
    } finally {
      deepgram.speakFailure = null;
    }
  });
});
