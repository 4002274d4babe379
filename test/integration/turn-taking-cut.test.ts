/**
 * Turn-taking (issue 14), when the caller means it: a real interruption stops the AI on the
 * caller's first syllable and keeps only what was heard, also after a false alarm; taking over
 * while the AI is paused ends its turn there.
 * test/support/turn-taking.ts says how (real bridge, flite caller, Deepgram SDK on its fake).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, untilFound } from '../support/raw-twilio';
import { noiseAudio } from '../support/sounds';
import { REPLY, startTurnTakingCore, type TurnTakingCore } from '../support/turn-taking';

describe('turn-taking: stop on the first syllable, let the words decide', () => {
  let t: TurnTakingCore;

  beforeAll(async () => {
    t = await startTurnTakingCore();
  });
  afterAll(async () => {
    await t?.cloud.close();
  });

  it('a real interruption stops the AI within 150 ms of the caller starting, long before the first word is recognised, and keeps only what was heard', async () => {
    const { caller, callId, onsetMs } = await t.callWithOvertalk('wait that is not right I only paid once', (c) => c.say('Wait, that is not right, I only paid once.'));
    await until(() => t.eventsOf(callId, 'barge_in').length === 1, 10_000, 'the barge-in');
    const clear = caller.report.clears.find((at) => at >= onsetMs)!;
    console.log(`turn-taking: interruption: AI audio stopped at the caller ${clear - onsetMs} ms after the caller started`);
    expect(clear - onsetMs).toBeLessThanOrEqual(150);
    // Nothing more of the old reply reached the caller's ear after the clear.
    const reply = await untilFound(() => t.replyLine(callId), 10_000, 'the cut reply line');
    expect(reply.interrupted).toBe(true);
    expect(REPLY.join(' ').startsWith(reply.text)).toBe(true);
    expect(reply.text.length).toBeLessThan(REPLY.join(' ').length);
    expect(t.eventsOf(callId, 'false_interruption')).toEqual([]);
    caller.hangUp();
  }, 60_000);

  it('a real interruption after a false alarm still cuts off, with only what was heard', async () => {
    const { caller, callId, script } = await t.callWithOvertalk('mm hmm', (c) => c.say('Mm hmm.'));
    await until(() => t.eventsOf(callId, 'false_interruption').length === 1, 10_000, 'the false interruption');
    // Back to the reply for a moment, then a real interruption.
    const resumedClears = caller.report.clears.length;
    await until(() => caller.report.played.filter((p) => p.atMs > caller.report.clears.at(-1)!).length >= 25, 10_000, 'the reply to play again');
    script.push('actually cancel the refund');
    await caller.say('Actually, cancel the refund.');
    await until(() => t.eventsOf(callId, 'barge_in').length === 1, 10_000, 'the barge-in');
    expect(caller.report.clears.length).toBeGreaterThan(resumedClears);
    const reply = await untilFound(() => t.replyLine(callId), 10_000, 'the cut reply line');
    expect(reply.interrupted).toBe(true);
    expect(REPLY.join(' ').startsWith(reply.text)).toBe(true);
    caller.hangUp();
  }, 60_000);

  it('taking over while the AI is paused ends its turn there: it never resumes', async () => {
    // Steady noise: the pause lasts while the caller is still making a sound; the agent takes over meanwhile.
    let pausedWhenTaken = false;
    const { caller, callId } = await t.callWithOvertalk('', async (c) => {
      c.makeSound(noiseAudio(2500), '(noise)');
      const id = await untilFound(() => t.harness.callIdFor(c.callSid), 1000, 'the call');
      await until(() => t.harness.latest(id)?.aiActivity === 'listening', 3000, 'the AI to pause');
      pausedWhenTaken = t.eventsOf(id, 'false_interruption').length === 0;
      await t.harness.call('call.takeOver', { callId: id });
    });
    expect(pausedWhenTaken).toBe(true);
    const takenAt = caller.report.clears.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(t.eventsOf(callId, 'false_interruption')).toEqual([]);
    // Nothing of the AI's reply played after the take-over.
    expect(caller.report.played.filter((p) => p.atMs > takenAt + 100)).toEqual([]);
    expect(t.harness.latest(callId)?.controller).toBe('agent');
    caller.hangUp();
  }, 60_000);
});
