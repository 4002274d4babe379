/**
 * Several calls at once, each with its own state; one caller's stream breaking the
 * protocol ends only that call, and the others carry on to the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { loadScenarios, type CallerScenario } from '../../src/main/core/telephony/scenario';
import { RESOURCES_DIR, startHarness, type CoreHarness } from '../support/core-harness';
import { connectRawPeer, until } from '../support/raw-twilio';

describe('concurrent calls', () => {
  let harness: CoreHarness;
  afterAll(() => harness?.core.close());

  it('keeps each call to itself and survives a broken stream', async () => {
    harness = await startHarness();
    const scenarios = await loadScenarios(RESOURCES_DIR);
    const short = (id: string): CallerScenario => {
      const s = scenarios.find((x) => x.id === id)!;
      return { ...s, turns: s.turns.slice(0, 1), afterLastTurn: 'hang-up' };
    };
    const callers = ['double-charge', 'cancel-service'].map(
      (id) => new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario: short(id), voice: createFliteTts({ voice: short(id).voice }) }),
    );
    await Promise.all(callers.map((c) => c.start()));

    const broken = await connectRawPeer(harness.core.bridgeUrl);
    broken.start('CA-broken', { ...harness.core.simulatedCall({ callSid: 'CA-broken' }).customParameters, from: '+15550009999' });
    await until(() => harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === 'CA-broken'), 5000, 'broken call to start');
    broken.socket.send('{"event":"media","streamSid":');
    expect((await broken.closed).code).toBe(1007);

    const reports = await Promise.all(callers.map((c) => c.done));
    const idOf = (sid: string) => harness.callIdFor(sid)!;
    await until(() => [...callers.map((c) => c.callSid), 'CA-broken'].every((sid) => harness.latest(idOf(sid))?.status === 'ended'), 5000, 'all calls ended');

    expect(harness.latest(idOf('CA-broken'))?.endReason).toBe('stream_closed');
    for (const [i, caller] of callers.entries()) {
      const report = reports[i]!;
      expect(report.endedBy).toBe('caller');
      expect(report.protocolErrors).toEqual([]);
      const callId = idOf(caller.callSid);
      expect(harness.latest(callId)?.endReason).toBe('caller_hangup');
      const lines = harness.finals(callId);
      expect(lines.every((u) => u.callId === callId)).toBe(true);
      expect(lines.filter((u) => u.speaker === 'caller')).toHaveLength(1);
      // Greeting plus an answer to the caller's one line.
      expect(lines.filter((u) => u.speaker === 'ai').length).toBeGreaterThanOrEqual(2);
    }
    const [charge, cancel] = callers.map((c) => harness.finals(idOf(c.callSid)).find((u) => u.speaker === 'caller')!.text);
    expect(charge).toMatch(/charged twice/);
    expect(cancel).toMatch(/cancel/);
  });
});
