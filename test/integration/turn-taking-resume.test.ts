/**
 * Turn-taking (issue 14), when it was not an interruption: a backchannel or a cough pauses
 * the AI on the caller's first syllable, and it carries on from the last word heard without
 * losing one.
 * test/support/turn-taking.ts says how (real bridge, flite caller, Deepgram SDK on its fake).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilFound } from '../support/raw-twilio';
import { coughAudio } from '../support/sounds';
import { clausesHeard, REPLY, startTurnTakingCore, type Caller, type TurnTakingCore } from '../support/turn-taking';

describe('turn-taking: stop on the first syllable, let the words decide', () => {
  let t: TurnTakingCore;

  beforeAll(async () => {
    t = await startTurnTakingCore();
  });
  afterAll(async () => {
    await t?.cloud.close();
  });

  for (const [what, words, over] of [
    ['a backchannel ("uh huh")', 'uh huh', (c: Caller) => c.say('Uh huh.')],
    ['a cough', '', async (c: Caller) => c.makeSound(coughAudio(), '(cough)')],
  ] as const) {
    it(`${what} pauses the AI and it carries on without losing a word`, async () => {
      const { caller, callId, onsetMs } = await t.callWithOvertalk(words, over);
      const resumed = await untilFound(() => t.eventsOf(callId, 'false_interruption')[0], 10_000, 'the false interruption');
      expect(resumed.data['why']).toBe(words ? 'backchannel' : 'no_words');
      const clear = caller.report.clears.find((at) => at >= onsetMs)!;
      expect(clear - onsetMs).toBeLessThanOrEqual(150);
      const resumedAt = (await untilFound(() => caller.report.played.find((p) => p.atMs > clear), 5000, 'the AI to play again')).atMs;
      console.log(`turn-taking: ${what}: paused ${clear - onsetMs} ms after onset, playing again ${resumedAt - clear} ms later`);
      // The whole reply is heard, every clause played through, and stored as said in full.
      const reply = await untilFound(() => t.replyLine(callId), 20_000, 'the reply to be heard to its end');
      expect(reply.interrupted).toBe(false);
      expect(reply.text).toBe(REPLY.join(' '));
      expect(clausesHeard(caller, reply.id)).toEqual(REPLY.map((_, i) => i));
      expect(t.eventsOf(callId, 'barge_in')).toEqual([]);
      caller.hangUp();
    }, 60_000);
  }

});
