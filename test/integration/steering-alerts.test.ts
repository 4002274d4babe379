/**
 * Live alert rules of every kind on one scripted call (issue 8; phrase and sentiment rules are
 * in alerts.test.ts). Through the real media bridge, the real Deepgram and Gemini SDKs
 * against their loopback fakes (test/support/steering-core.ts).
 */
import { describe, expect, it } from 'vitest';
import { errorReply, functionCallReply, textReply } from '../fakes/gemini-fake';
import { until } from '../support/raw-twilio';
import { steeringCore } from '../support/steering-core';

describe('steering the AI: alert rules on a live call (real SDKs against loopback fakes)', () => {
  const steer = steeringCore();

  it('alert rules of every live kind fire once each on one scripted call (phrase and sentiment: alerts.test.ts)', async () => {
    const rule = (id: string, kind: string, params: Record<string, unknown>) => ({
      id,
      name: id,
      kind,
      enabled: true,
      severity: 'warning',
      cooldownMs: 600_000,
      actions: [],
      params,
    });
    await steer.harness.call('alerts.saveRules', {
      rules: [
        rule('loop', 'ai_loop', { similarity: 0.8, times: 3, withinLines: 6 }),
        rule('repeat', 'caller_repeat', { similarity: 0.75, times: 3, withinLines: 5 }),
        rule('quiet', 'silence', { afterS: 5 }),
        rule('trouble', 'provider_trouble', { fallbacks: true, errors: true }),
        rule('barging', 'barge_ins', { count: 2, withinS: 60 }),
        rule('person', 'person_request', { onTakeoverRequest: true, phrases: [] }),
      ] as never,
    });
    // No re-prompt within the silence rule's 5 s; the AI says the same thing every time.
    await steer.harness.call('settings.update', { silenceRepromptMs: 15_000 });
    steer.gemini.auto = textReply('Let me check that for you.');
    const repeated = 'I was charged twice.';
    const { caller, callId, events } = await steer.dial(repeated, [
      repeated,
      repeated,
      repeated,
      'Hello?',
      'Tell me about my bill.',
      'Sorry, one question.',
      'Tell me again.',
      'Sorry, another question.',
      'I want a person.',
    ]);
    const alerts = () => events().filter((e) => e.type === 'alert').map((e) => e.data['ruleId']);
    const callerLines = () => steer.harness.finals(callId).filter((l) => l.speaker === 'caller').length;
    const listening = () => steer.harness.latest(callId)?.aiActivity === 'listening';
    const sayWhenAiIsDone = async (text: string) => {
      const before = callerLines();
      await until(listening, 15_000, 'the AI to finish');
      await caller.say(text);
      await until(() => callerLines() > before, 15_000, `"${text}" heard`);
    };
    try {
      await until(() => callerLines() >= 1, 15_000, 'the first line');
      await sayWhenAiIsDone(repeated);
      await sayWhenAiIsDone(repeated);
      await until(() => alerts().includes('loop') && alerts().includes('repeat'), 15_000, 'loop and repeat alerts');
      // Dead air: nobody speaks for 5 s after the AI's third identical line.
      await until(() => alerts().includes('quiet'), 15_000, 'the silence alert');
      // Gemini fails (first try and its retry): the offline engine stands in.
      steer.gemini.script(errorReply(500), errorReply(500));
      await sayWhenAiIsDone('Hello?');
      await until(() => alerts().includes('trouble'), 15_000, 'the provider alert');
      // Two interruptions of a long reply.
      const long = 'Here is everything about your bill, every charge on it, line by line, so that nothing is left unclear.';
      for (const [ask, interrupt] of [
        ['Tell me about my bill.', 'Sorry, one question.'],
        ['Tell me again.', 'Sorry, another question.'],
      ] as const) {
        steer.gemini.script(textReply(long), textReply('Of course.'));
        const barges = events().filter((e) => e.type === 'barge_in').length;
        await sayWhenAiIsDone(ask);
        await until(() => steer.harness.latest(callId)?.aiActivity === 'speaking', 15_000, 'the long reply');
        await caller.say(interrupt);
        await until(() => events().filter((e) => e.type === 'barge_in').length > barges, 15_000, 'the barge-in');
      }
      await until(() => alerts().includes('barging'), 5000, 'the barge-ins alert');
      steer.gemini.script(functionCallReply('transfer_to_agent', { reason: 'Wants a person' }, 'Let me get a colleague.'));
      await sayWhenAiIsDone('I want a person.');
      await until(() => alerts().includes('person'), 15_000, 'the person alert');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(alerts().sort()).toEqual(['barging', 'loop', 'person', 'quiet', 'repeat', 'trouble']);
    } finally {
      caller.hangUp();
      await until(() => steer.harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
      steer.gemini.auto = textReply('Certainly, I can help with that.');
      await steer.harness.call('settings.update', { silenceRepromptMs: 2000 });
    }
  });
});
