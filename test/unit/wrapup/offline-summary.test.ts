/** The offline wrap-up: summary sections and a proposed disposition from what a call already knows. */
import { describe, expect, it } from 'vitest';
import type { CallEvent, CallSummary, Utterance } from '@shared/domain';
import { storedCallLiveFields } from '@shared/domain';
import { DEFAULT_DISPOSITIONS, factFromEvent, findDisposition, mergeEntities, WrapUpSaveInput } from '@shared/wrapup';
import { callEntities } from '../../../src/main/core/assist/entities';
import { judgeResolution, offlineWrapUp, type WrapUpMaterial } from '../../../src/main/core/wrapup/offline-summary';

const LABELS: Record<string, string> = { billing_double_charge: 'Charged twice / wrong bill', human_agent: 'Wants a person', upgrade_plan: 'Plans, prices and upgrades' };
const options = { dispositions: DEFAULT_DISPOSITIONS, intentLabel: (id: string) => LABELS[id] ?? id };

function call(overrides: Partial<CallSummary> = {}): CallSummary {
  return {
    id: 'c1', callSid: 'CA1', direction: 'inbound', from: '+15550101234', to: '+15550109999', status: 'ended', controller: 'ai',
    aiActivity: 'idle', startedAt: 0, endedAt: 95_000, scenario: null, utteranceCount: 0, callerSentiment: null, endReason: 'caller_hangup',
    ...storedCallLiveFields('ended', 'ai'), ...overrides,
  };
}

let n = 0;
const line = (speaker: Utterance['speaker'], text: string, extra: Partial<Utterance> = {}): Utterance => ({
  id: `u${++n}`, callId: 'c1', speaker, text, final: true, startMs: n * 3000, endMs: n * 3000 + 2000, sentiment: null, interrupted: false, ...extra,
});
const ev = (type: CallEvent['type'], atMs: number, data: Record<string, unknown> = {}): CallEvent => ({ id: `e${++n}`, callId: 'c1', type, atMs, data });

function material(utterances: Utterance[], events: CallEvent[], callOverrides: Partial<CallSummary> = {}): WrapUpMaterial {
  const facts = events.flatMap((e) => factFromEvent(e) ?? []);
  return { call: call(callOverrides), utterances, events, facts, entities: callEntities(utterances) };
}

describe('offline wrap-up from a scripted call', () => {
  it('a double charge escalated to the agent: reason, details, what was done, partial, escalated', () => {
    const m = material(
      [
        line('ai', "Hello, thanks for calling. I'm an automated assistant."),
        line('caller', 'Hi, I was charged twice for my broadband this month.', { intent: 'billing_double_charge', sentiment: { score: -0.4, label: 'negative' } }),
        line('ai', 'I am sorry about that. What is your account number?'),
        line('caller', 'My account number is four five six seven eight.', { sentiment: { score: 0, label: 'neutral' } }),
        line('caller', 'Can I speak to a real person please?', { intent: 'human_agent', sentiment: { score: 0, label: 'neutral' } }),
        line('agent', 'This is Sam from billing, I have refunded the second charge.'),
        line('caller', 'Okay, thank you, that is great.', { sentiment: { score: 0.6, label: 'positive' } }),
      ],
      [
        ev('started', 0),
        ev('tool_call', 14_000, { tool: 'record_fact', args: { name: 'order number', value: '99812' } }),
        ev('takeover_requested', 16_000, { reason: 'caller asked for a person' }),
        ev('takeover', 21_000, { via: 'console' }),
        ev('alert', 17_000, { title: 'Caller asked for a person', ruleId: 'r1', kind: 'phrase', severity: 'warning' }),
        ev('ended', 95_000),
      ],
      { controller: 'agent', endReason: 'agent_ended' },
    );
    const { summary, proposedDisposition } = offlineWrapUp(m, options);
    expect(summary.reason).toBe('Charged twice / wrong bill; Wants a person. Details given: account number 45678.');
    expect(summary.actions).toContain('The AI answered and spoke twice; the agent spoke once.');
    expect(summary.actions).toContain('Recorded: order number 99812.');
    expect(summary.actions).toContain('0:16 the AI asked for a person (caller asked for a person).');
    expect(summary.actions).toContain('0:21 the agent took the call over.');
    expect(summary.actions).toContain('Alerts: Caller asked for a person.');
    expect(summary.actions).toContain('In the end the agent ended the call.');
    // The caller's last words were a thank-you.
    expect(summary.resolution).toBe('yes');
    expect(summary.followUps).toEqual([]);
    expect(proposedDisposition).toBe('escalated');
  });

  it('a callback request: partial, a follow-up with the number and time, callback proposed', () => {
    const m = material(
      [line('caller', 'My internet keeps dropping out.', { intent: 'slow_internet', sentiment: { score: -0.2, label: 'negative' } })],
      [ev('takeover_requested', 5000, { reason: 'needs an engineer' }), ev('callback_requested', 70_000, { number: '+15550101234', when: 'tomorrow at 9' })],
    );
    const { summary, proposedDisposition } = offlineWrapUp(m, options);
    expect(summary.resolution).toBe('partial');
    expect(summary.actions).toContain('1:10 the caller asked to be called back tomorrow at 9.');
    expect(summary.followUps).toEqual(['Call the caller back on +15550101234 tomorrow at 9.', 'The caller asked for a person and nobody took the call: call them back.']);
    expect(proposedDisposition).toBe('callback');
  });

  it('a silent call: nothing said, not resolved, spam proposed', () => {
    const m = material([line('ai', 'Hello, how can I help?')], [ev('silence', 8000, { attempt: 1 })], { endReason: 'silence_timeout' });
    const { summary, proposedDisposition } = offlineWrapUp(m, options);
    expect(summary.reason).toBe('The caller did not say anything.');
    expect(summary.resolution).toBe('no');
    expect(summary.actions).toContain('In the end the line went silent and the AI hung up.');
    expect(proposedDisposition).toBe('spam');
  });

  it('proposes only names the team’s list has', () => {
    const m = material([line('caller', 'I would like to upgrade to the faster plan, thanks that is great', { intent: 'upgrade_plan', sentiment: { score: 0.7, label: 'positive' } })], []);
    expect(offlineWrapUp(m, options).proposedDisposition).toBe('sale');
    expect(offlineWrapUp(m, { ...options, dispositions: ['Done', 'Resolved'] }).proposedDisposition).toBe('Resolved');
    expect(offlineWrapUp(m, { ...options, dispositions: ['Done'] }).proposedDisposition).toBeNull();
  });

  it('judges an unanswered request for a person and an unhappy ending as not resolved', () => {
    const unanswered = material([line('caller', 'Let me talk to someone', { sentiment: { score: 0, label: 'neutral' } })], [ev('takeover_requested', 3000)]);
    expect(judgeResolution(unanswered)).toBe('no');
    const unhappy = material([line('caller', 'This is useless', { sentiment: { score: -0.6, label: 'negative' } })], []);
    expect(judgeResolution(unhappy)).toBe('no');
    const unclear = material([line('caller', 'I see', { sentiment: { score: 0, label: 'neutral' } })], []);
    expect(judgeResolution(unclear)).toBe('partial');
  });
});

describe('dispositions, facts and details', () => {
  it('accepts a disposition only from the list, in the list’s spelling', () => {
    expect(findDisposition('Wrong Number ', DEFAULT_DISPOSITIONS)).toBe('wrong number');
    expect(findDisposition('refunded', DEFAULT_DISPOSITIONS)).toBeNull();
    expect(WrapUpSaveInput.safeParse({ callId: 'c1', disposition: '  ' }).success).toBe(false);
    expect(WrapUpSaveInput.safeParse({ callId: 'c1', disposition: 'resolved', notes: 'x'.repeat(4001) }).success).toBe(false);
    expect(WrapUpSaveInput.safeParse({ callId: 'c1', disposition: 'resolved', summary: { resolution: 'maybe' } }).success).toBe(false);
    expect(WrapUpSaveInput.parse({ callId: 'c1', disposition: 'resolved' })).toEqual({ callId: 'c1', disposition: 'resolved', notes: '' });
  });

  it('reads a record_fact tool call as a fact, whichever name the key has, and nothing else', () => {
    const base = { id: 'e1', callId: 'c1', atMs: 1200 };
    expect(factFromEvent({ ...base, type: 'tool_call', data: { tool: 'record_fact', args: { name: ' order number ', value: '123' } } })).toEqual({
      ...base,
      key: 'order number',
      value: '123',
    });
    expect(factFromEvent({ ...base, type: 'tool_call', data: { tool: 'record_fact', args: { key: 'callback time', value: '5pm' } } })?.key).toBe('callback time');
    expect(factFromEvent({ ...base, type: 'tool_call', data: { tool: 'record_fact', args: { name: '', value: '1' } } })).toBeNull();
    expect(factFromEvent({ ...base, type: 'tool_call', data: { tool: 'end_call', args: { reason: 'done' } } })).toBeNull();
    expect(factFromEvent({ ...base, type: 'tool_call', data: { tool: 'record_fact', args: 'nonsense' } })).toBeNull();
  });

  it('merges a call’s details newest first, each once', () => {
    const a = { type: 'account_number', value: '45678' };
    const b = { type: 'amount', value: '50.00' };
    const c = { type: 'date', value: '3 March' };
    expect(mergeEntities(mergeEntities([], [a]), [b, c])).toEqual([b, c, a]);
    expect(mergeEntities([b, c, a], [a, a])).toEqual([a, b, c]);
  });
});
