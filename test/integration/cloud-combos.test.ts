/**
 * Whole calls on the engines teams bring from other stacks (issue 11), each combination
 * chosen in the provider choice as Settings would, through the real media bridge and caller
 * simulator, every engine the vendor's real SDK (or our Smallest.AI client) against its
 * loopback fake: OpenAI + ElevenLabs, OpenAI + Smallest.AI, Gemini + ElevenLabs, with
 * Deepgram hearing. Then each new engine's faults fall back as Gemini's and Aura's do
 * (cloud-call.test.ts): OpenAI failing or hanging -> the offline engine answers and the
 * fallback event says why; ElevenLabs or Smallest.AI cut off mid-call -> the turn goes on in
 * the offline voice.
 *
 * One core serves every call: a choice applies to the next call, which is what is proven
 * here too. The fakes are brisk (timing is bench:latency's business, not these tests').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent, ProviderChoice, TurnMetrics } from '../../src/shared/domain';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { DEFAULT_LISTEN_VAD } from '../fakes/deepgram-fake';
import { sentenceReply as geminiSentences } from '../fakes/gemini-fake';
import { errorReply, sentenceReply, toolCallReply } from '../fakes/openai-fake';
import { ELEVENLABS_TEST_KEY, OPENAI_TEST_KEY, SMALLEST_TEST_KEY, startCloudCore, type CloudCore } from '../support/cloud-core';
import { until } from '../support/raw-twilio';

const LINES = ['Hi, I was charged twice for my broadband this month.', 'My account number is four five six seven eight.'];
const STT_LABEL = 'Deepgram Nova-3';

describe('whole calls on OpenAI, ElevenLabs and Smallest.AI (real SDKs against loopback fakes)', () => {
  let cloud: CloudCore;

  beforeAll(async () => {
    cloud = await startCloudCore(({ deepgram, gemini, openai, elevenlabs, smallest }) => {
      // The Deepgram fake hears speech by its energy and "recognises" the scenario's lines in order.
      deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: (_connection, n) => LINES[n] ?? 'Thank you.' };
      deepgram.speak.firstByteDelayMs = 100;
      deepgram.speak.msPerChar = 25;
      gemini.auto = geminiSentences({ firstTokenMs: 300, gapMs: 50, sentences: ['I can help with that.', 'Let me look at your account.'] });
      openai.auto = sentenceReply({ firstTokenMs: 300, gapMs: 50, sentences: ['I can help with that.', 'Let me look at your account.'] });
      // Brisk synthetic speech keeps each call short.
      Object.assign(elevenlabs.speak, { firstByteDelayMs: 100, msPerChar: 10 });
      Object.assign(smallest.speech, { firstByteDelayMs: 100, msPerChar: 10 });
    });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  async function choose(choice: Partial<ProviderChoice>): Promise<void> {
    const state = await cloud.harness.call('providers.update', choice);
    // Every engine is a cloud one: each key is set and none has failed a check.
    expect(state.engines.map((e) => e.offline)).toEqual([false, false, false]);
  }

  /**
   * A call of the first `turns` lines; the caller hangs up once the AI has answered the last.
   * `breakVoiceOnceHeard`: called as soon as the caller's last line is heard (the greeting went
   * out in the cloud voice), to break the voice for the reply; the caller then hangs up once
   * the offline voice has played a second of it (the rest of a long offline reply proves nothing more).
   */
  async function runCall(turns = LINES.length, options: { breakVoiceOnceHeard?: () => void } = {}) {
    const { harness } = cloud;
    const scenario: CallerScenario = {
      id: 'combo',
      title: 'combo',
      description: '',
      from: '+15550102000',
      to: '+15550109999',
      voice: 'rms',
      turns: LINES.slice(0, turns).map((say) => ({ say, pauseMs: 300 })),
      afterLastTurn: options.breakVoiceOnceHeard ? 'stay' : 'hang-up',
    };
    const caller = new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario, voice: createFliteTts({ voice: 'rms' }) });
    await caller.start();
    if (options.breakVoiceOnceHeard) {
      const callId = () => harness.callIdFor(caller.callSid);
      const ttsFallback = () => harness.events.some((e) => e.name === 'call.event' && e.payload.callId === callId() && e.payload.type === 'fallback' && e.payload.data.role === 'tts');
      const playedBytes = () => caller.report.played.reduce((n, p) => n + p.bytes.length, 0);
      // The final transcript is published in this process before the LLM is even asked (300 ms first token): the reply's first clause meets the broken voice.
      await until(() => harness.finals(callId() ?? '').filter((u) => u.speaker === 'caller').length >= turns, 20_000, 'the caller to be heard');
      options.breakVoiceOnceHeard();
      await until(ttsFallback, 10_000, 'the voice to fail over');
      const atFallback = playedBytes();
      await until(() => playedBytes() >= atFallback + 8000, 10_000, 'a second of the offline voice');
      caller.hangUp();
    }
    const report = await caller.done;
    const callId = harness.callIdFor(caller.callSid)!;
    await until(() => harness.latest(callId)?.status === 'ended', 10_000, 'call to end');
    const events = harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId ? [e.payload] : [])) as CallEvent[];
    const turnMetrics = harness.events.flatMap((e) => (e.name === 'call.turn' && e.payload.callId === callId ? [e.payload] : [])) as TurnMetrics[];
    const finals = harness.finals(callId);
    return {
      callId,
      report,
      events,
      turnMetrics,
      callerLines: finals.filter((u) => u.speaker === 'caller').map((u) => u.text),
      aiLines: finals.filter((u) => u.speaker === 'ai').map((u) => u.text),
    };
  }

  /** Every turn went through each stage in order and names the engines that did it. */
  function expectTimedTurns(turnMetrics: TurnMetrics[], labels: [llm: string, tts: string], turns = LINES.length): void {
    expect(turnMetrics).toHaveLength(turns);
    for (const m of turnMetrics) {
      expect(m.sttFinalAtMs).toBeGreaterThanOrEqual(m.speechEndAtMs);
      expect(m.llmFirstTokenAtMs).not.toBeNull();
      expect(m.llmFirstTokenAtMs!).toBeGreaterThanOrEqual(m.sttFinalAtMs);
      expect(m.ttsFirstByteAtMs).not.toBeNull();
      expect(m.ttsFirstByteAtMs!).toBeGreaterThanOrEqual(m.llmFirstTokenAtMs!);
      expect(m.firstAudioAtMs!).toBeGreaterThanOrEqual(m.ttsFirstByteAtMs!);
      expect([m.sttLabel, m.llmLabel, m.ttsLabel]).toEqual([STT_LABEL, ...labels]);
    }
  }

  it('OpenAI + ElevenLabs: OpenAI answers with a tool, ElevenLabs speaks μ-law straight through, every turn timed', async () => {
    await choose({ stt: 'deepgram', llm: 'openai', tts: 'elevenlabs' });
    const { openai, elevenlabs, harness } = cloud;
    const requestsBefore = openai.requests.length;
    const connectionsBefore = elevenlabs.connections.length;
    openai.script(
      sentenceReply({ firstTokenMs: 300, gapMs: 50, sentences: ["I'm sorry about the double charge.", 'Could I have your account number?'] }),
      toolCallReply('transfer_to_agent', { reason: 'refund needs a person' }, 'Thanks, let me get a colleague to sort that refund.'),
    );
    const { report, events, turnMetrics, callerLines, aiLines } = await runCall();
    expect(report.protocolErrors).toEqual([]);
    expect(callerLines).toEqual(LINES);
    expect(aiLines).toContain("I'm sorry about the double charge. Could I have your account number?");
    expect(aiLines).toContain('Thanks, let me get a colleague to sort that refund.');
    expect(events.find((e) => e.type === 'tool_call')?.data).toMatchObject({ tool: 'transfer_to_agent' });
    expect(events.find((e) => e.type === 'takeover_requested')?.data).toEqual({ reason: 'refund needs a person' });
    expect(events.filter((e) => e.type === 'fallback')).toEqual([]);

    // OpenAI saw the caller's words as Deepgram heard them, with the persona, streamed with usage.
    const request = openai.requests.at(-1)!;
    expect(openai.requests.length).toBeGreaterThan(requestsBefore);
    expect(request.body?.model).toBe('gpt-4o-mini');
    expect(request.headers.authorization).toBe(`Bearer ${OPENAI_TEST_KEY}`);
    expect(JSON.stringify(request.body?.messages)).toContain('four five six seven eight');
    expect(JSON.stringify(request.body?.messages)).toMatch(/phone assistant/);

    // ElevenLabs was asked for telephone audio and its bytes reached the caller unchanged in kind.
    const opened = elevenlabs.connections.slice(connectionsBefore);
    expect(opened.length).toBeGreaterThan(0);
    for (const connection of opened) {
      expect(Object.fromEntries(connection.query)).toMatchObject({ output_format: 'ulaw_8000', model_id: 'eleven_flash_v2_5' });
      expect(connection.keyInHeader).toBe(true);
    }
    // Clauses finished on these sockets, and their audio reached the caller.
    expect(opened.flatMap((c) => c.finals).length).toBeGreaterThan(0);
    expect(report.received.length).toBeGreaterThan(0);

    expectTimedTurns(turnMetrics, ['OpenAI gpt-4o-mini', 'ElevenLabs Flash']);
    const stored = await harness.call('calls.get', { callId: turnMetrics[0]!.callId });
    expect(stored.turns.map((t) => t.turnId)).toEqual(turnMetrics.map((t) => t.turnId));
  });

  it('OpenAI + Smallest.AI: the chosen model and voice reach the vendors on the next call', async () => {
    await choose({ stt: 'deepgram', llm: 'openai', tts: 'smallest', openaiModel: 'gpt-4o', smallestVoiceId: 'emily', smallestModel: 'lightning_v3.1' });
    const { openai, smallest } = cloud;
    const connectionsBefore = smallest.connections.length;
    const { report, events, turnMetrics, callerLines, aiLines } = await runCall(1);
    expect(report.protocolErrors).toEqual([]);
    expect(callerLines).toEqual(LINES.slice(0, 1));
    expect(aiLines).toContain('I can help with that. Let me look at your account.');
    expect(events.filter((e) => e.type === 'fallback')).toEqual([]);
    expect(openai.requests.at(-1)?.body?.model).toBe('gpt-4o');

    // Smallest.AI got 8 kHz requests for the chosen voice with the bearer key.
    const requests = smallest.connections.slice(connectionsBefore).flatMap((c) => c.requests);
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r).toMatchObject({ voice_id: 'emily', sample_rate: 8000 });
    expect(smallest.handshakes.at(-1)?.authorization).toBe(`Bearer ${SMALLEST_TEST_KEY}`);
    expect(report.received.length).toBeGreaterThan(0);

    expectTimedTurns(turnMetrics, ['OpenAI gpt-4o', 'Smallest.AI Lightning'], 1);
    await choose({ openaiModel: 'gpt-4o-mini' });
  });

  it('Gemini + ElevenLabs: a changed voice builds a new pool for the next call', async () => {
    const voiceId = 'pNInz6obpgDQGcFmaJgB';
    await choose({ stt: 'deepgram', llm: 'gemini', tts: 'elevenlabs', elevenlabsVoiceId: voiceId });
    const { elevenlabs, gemini } = cloud;
    const handshakesBefore = elevenlabs.handshakes.length;
    const geminiBefore = gemini.requests.length;
    const { report, events, turnMetrics, callerLines, aiLines } = await runCall(1);
    expect(report.protocolErrors).toEqual([]);
    expect(callerLines).toEqual(LINES.slice(0, 1));
    expect(aiLines).toContain('I can help with that. Let me look at your account.');
    expect(events.filter((e) => e.type === 'fallback')).toEqual([]);
    expect(gemini.requests.length).toBeGreaterThan(geminiBefore);
    const opened = elevenlabs.handshakes.slice(handshakesBefore);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((h) => h.path.includes(`/v1/text-to-speech/${voiceId}/`))).toBe(true);
    expectTimedTurns(turnMetrics, ['Gemini 2.5 Flash', 'ElevenLabs Flash'], 1);
    await choose({ elevenlabsVoiceId: '21m00Tcm4TlvDq8ikWAM' });
  });

  it('answers from the offline engine when OpenAI fails, then when it hangs, and says why each time', async () => {
    await choose({ stt: 'deepgram', llm: 'openai', tts: 'elevenlabs' });
    const { openai } = cloud;
    // The first reply is tried twice (the provider retries once before any output), both
    // failing; the second hangs until the first-token timeout gives up on it (not retried).
    openai.script(errorReply(500), errorReply(503), { kind: 'hang' });
    const { events, aiLines, report } = await runCall();
    const fallbacks = events.filter((e) => e.type === 'fallback');
    expect(fallbacks.map((e) => e.data)).toEqual([
      expect.objectContaining({ role: 'llm', partial: false, reason: expect.stringMatching(/OpenAI/) }),
      expect.objectContaining({ role: 'llm', partial: false, reason: expect.stringMatching(/^OpenAI .*first-token timeout/) }),
    ]);
    for (const fallback of fallbacks) expect(String(fallback.data.reason)).not.toContain(OPENAI_TEST_KEY);
    // The offline engine answered both lines, spoken by ElevenLabs.
    expect(aiLines.length).toBeGreaterThanOrEqual(3);
    expect(openai.pending).toBe(0);
    // Dead air after the hung request: from the end of the caller's line to the first AI audio after it.
    const line = report.spoken[1]!;
    const next = report.received.find((r) => r.atMs >= line.endMs);
    console.log(`dead air with OpenAI hanging: ${next ? next.atMs - line.endMs : 'none'} ms`);
    expect(next).toBeDefined();
  });

  it('speaks the reply in the offline voice when ElevenLabs is cut off mid-call', async () => {
    await choose({ stt: 'deepgram', llm: 'openai', tts: 'elevenlabs' });
    const { elevenlabs } = cloud;
    try {
      // The greeting is spoken by ElevenLabs; then sockets are cut after their first audio frame,
      // the pooled ones now and any new one as it speaks, so the reply meets the failure.
      const { events, callerLines, aiLines } = await runCall(1, {
        breakVoiceOnceHeard: () => {
          elevenlabs.failure = 'drop-mid-clause';
          for (const connection of elevenlabs.connections) connection.drop();
        },
      });
      expect(callerLines).toEqual(LINES.slice(0, 1));
      expect(aiLines.length).toBeGreaterThanOrEqual(1); // the greeting, in the cloud voice
      const fallbacks = events.filter((e) => e.type === 'fallback');
      expect(fallbacks.map((e) => e.data)).toEqual([expect.objectContaining({ role: 'tts', standIn: expect.stringMatching(/offline/), reason: expect.stringMatching(/ElevenLabs/) })]);
      expect(String(fallbacks[0]?.data.reason)).not.toContain(ELEVENLABS_TEST_KEY);
    } finally {
      elevenlabs.failure = null;
    }
  });

  it('speaks the reply in the offline voice when Smallest.AI is cut off mid-call', async () => {
    await choose({ stt: 'deepgram', llm: 'openai', tts: 'smallest' });
    const { smallest } = cloud;
    try {
      const { events, callerLines, aiLines } = await runCall(1, {
        breakVoiceOnceHeard: () => {
          smallest.failure = 'drop-mid-stream';
          for (const connection of smallest.connections) connection.drop();
        },
      });
      expect(callerLines).toEqual(LINES.slice(0, 1));
      expect(aiLines.length).toBeGreaterThanOrEqual(1);
      const fallbacks = events.filter((e) => e.type === 'fallback');
      expect(fallbacks.map((e) => e.data)).toEqual([expect.objectContaining({ role: 'tts', standIn: expect.stringMatching(/offline/), reason: expect.stringMatching(/Smallest/) })]);
      expect(String(fallbacks[0]?.data.reason)).not.toContain(SMALLEST_TEST_KEY);
    } finally {
      smallest.failure = null;
    }
  });
});
