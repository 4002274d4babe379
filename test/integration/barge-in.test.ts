/**
 * The caller cuts the AI off mid-reply: the AI stops at once (`clear`), the cut line keeps
 * only what the caller heard, and the next reply answers the interruption.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { loadScenarios } from '../../src/main/core/telephony/scenario';
import { RESOURCES_DIR, startHarness, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

describe('barge-in', () => {
  let harness: CoreHarness;
  afterAll(() => harness?.core.close());

  it('stops the AI when the caller talks over it and keeps only what was heard', async () => {
    harness = await startHarness();
    const scenario = (await loadScenarios(RESOURCES_DIR)).find((s) => s.id === 'slow-internet')!;
    expect(scenario.turns[1]!.bargeInAfterMs).toBeDefined();
    const caller = new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario, voice: createFliteTts({ voice: scenario.voice }) });
    await caller.start();
    const report = await caller.done;
    // The caller says goodbye last: either side may hang up first.
    expect(['caller', 'app']).toContain(report.endedBy);
    expect(report.protocolErrors).toEqual([]);

    const callId = harness.callIdFor(caller.callSid)!;
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'call to end');
    expect(harness.latest(callId)?.endReason).toBe(report.endedBy === 'caller' ? 'caller_hangup' : 'ai_ended');

    const bargeIns = harness.events.filter((e) => e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'barge_in');
    expect(bargeIns.length).toBeGreaterThanOrEqual(1);
    // The caller started talking over the AI; a clear reached the caller soon after.
    const cutIn = report.spoken[1]!;
    const clear = report.clears.find((atMs) => atMs >= cutIn.startMs);
    expect(clear).toBeDefined();
    console.log(`barge-in: clear reached the caller ${clear! - cutIn.startMs} ms after they started talking over the AI`);
    expect(clear! - cutIn.startMs).toBeLessThan(2500);
    // After the clear, the caller heard nothing more of the old reply: the next audio it
    // played only started once the caller had finished the line.
    const playedAfterClear = report.played.filter((p) => p.atMs > clear!);
    expect(playedAfterClear.every((p) => p.atMs >= cutIn.endMs)).toBe(true);

    const finals = harness.finals(callId);
    const cut = finals.find((u) => u.speaker === 'ai' && u.interrupted);
    expect(cut).toBeDefined();
    const planned = harness.events
      .flatMap((e) => (e.name === 'call.transcript' && e.payload.id === cut!.id && !e.payload.final ? [e.payload.text] : []))
      .at(-1)!;
    expect(planned.startsWith(cut!.text)).toBe(true);
    expect(cut!.text.length).toBeLessThan(planned.length);
    // The AI answered the interruption afterwards.
    const cutIndex = finals.indexOf(cut!);
    expect(finals.slice(cutIndex + 1).some((u) => u.speaker === 'ai' && !u.interrupted)).toBe(true);
  });
});
