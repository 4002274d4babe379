/**
 * Every rule kind on scripted calls: it fires when it should, at most once per cooldown, and
 * never on a calm call. The evaluator is pure, so a "call" here is a list of what happened.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES, newAlertRule, type AlertRule } from '../../../src/shared/alerts';
import { CallAlertEvaluator, type AlertInput, type FiredAlert } from '../../../src/main/core/alerts/evaluator';
import { replayCall } from '../../../src/main/core/alerts/backtest';

let lineNo = 0;
const caller = (atMs: number, text: string, sentiment: number | null = 0.1): AlertInput => ({
  type: 'line',
  atMs,
  line: { id: `l${++lineNo}`, speaker: 'caller', text, sentiment },
});
const ai = (atMs: number, text: string): AlertInput => ({ type: 'line', atMs, line: { id: `l${++lineNo}`, speaker: 'ai', text, sentiment: null } });
const event = (atMs: number, eventType: Extract<AlertInput, { type: 'event' }>['eventType'], data: Record<string, unknown> = {}): AlertInput => ({
  type: 'event',
  atMs,
  eventType,
  data,
});
const tick = (atMs: number): AlertInput => ({ type: 'tick', atMs });

/** Feeds the inputs in order, giving the evaluator the ticks it asks for in between (as the live timer does). */
function run(rules: AlertRule | AlertRule[], inputs: AlertInput[]): FiredAlert[] {
  const evaluator = new CallAlertEvaluator(Array.isArray(rules) ? rules : [rules]);
  const fired: FiredAlert[] = [];
  for (const input of inputs) {
    for (let due = evaluator.nextDeadlineMs(); due !== null && due <= input.atMs; due = evaluator.nextDeadlineMs()) {
      const before = due;
      fired.push(...evaluator.push(tick(due)));
      if (evaluator.nextDeadlineMs() === before) break;
    }
    fired.push(...evaluator.push(input));
  }
  return fired;
}

function rule<K extends AlertRule['kind']>(kind: K, patch: Partial<Extract<AlertRule, { kind: K }>> = {}): Extract<AlertRule, { kind: K }> {
  return { ...(newAlertRule(kind, `r-${kind}`) as Extract<AlertRule, { kind: K }>), cooldownMs: 60_000, ...patch };
}

/** A calm call: polite caller, helpful AI, no trouble, a minute and a half long, no long gaps. */
function calmCall(): AlertInput[] {
  const script: AlertInput[] = [{ type: 'state', atMs: 0, state: 'ai' }, { type: 'voice', atMs: 200, speaker: 'ai', on: true }];
  script.push(ai(3000, 'Hi, thanks for calling Brightwave. How can I help?'));
  script.push(caller(6000, 'Hi, I would like to check my bill for this month please', 0.3));
  script.push(ai(9000, 'Of course. Your bill this month is forty two pounds, due on the fifth.'));
  script.push(caller(14000, 'Great, and can I pay it by card?', 0.4));
  script.push(ai(18000, 'Yes, you can pay by card online or over the phone at any time.'));
  script.push(caller(24000, 'Lovely, could you also tell me about faster plans?', 0.5));
  script.push(ai(30000, 'Our Fibre 500 plan is ten pounds more a month and five times faster.'));
  script.push(caller(36000, 'That sounds good, I will think about it', 0.3));
  script.push(ai(40000, 'No problem. Is there anything else I can help with today?'));
  script.push(caller(45000, 'No that is all, thank you very much', 0.6));
  script.push(ai(49000, 'Thanks for calling, goodbye!'));
  script.push({ type: 'state', atMs: 52000, state: 'ended' });
  return script;
}

describe('alert rules on scripted calls', () => {
  it('stay quiet on a calm call (every shipped rule)', () => {
    expect(run([...DEFAULT_ALERT_RULES], calmCall())).toEqual([]);
  });

  it('phrase: matches whole, stemmed words of the chosen speaker, once per cooldown', () => {
    const r = rule('phrase', { params: { phrases: ['cancel my account', 'lawyer', 'complaint'], speaker: 'caller' }, actions: ['banner', 'sound'] });
    const fired = run(r, [
      caller(1000, "I'm calling to cancel my account"),
      caller(2000, 'I will get my lawyers involved'), // within the cooldown: nothing
      ai(3000, 'I can take a complaint for you'), // the AI's line: not this rule's speaker
      caller(4000, 'my flawyer is not a word'), // not a whole word
      caller(70_000, 'I am making complaints about this'), // stemmed, cooldown over
    ]);
    expect(fired.map((f) => [f.atMs, f.alert.detail])).toEqual([
      [1000, 'Caller said “cancel my account”.'],
      [70_000, 'Caller said “complaint”.'],
    ]);
    expect(fired[0]!.alert).toMatchObject({ ruleId: 'r-phrase', kind: 'phrase', severity: 'warning', title: 'Phrase said', actions: ['banner', 'sound'] });
    expect(fired[0]!.alert.utteranceId).toMatch(/^l\d+$/);
    // 'any' listens to the AI too; punctuation and case do not matter.
    const any = run(rule('phrase', { params: { phrases: ['Cancel my account'], speaker: 'any' } }), [ai(500, 'You want to CANCEL, my account?')]);
    expect(any).toHaveLength(1);
  });

  it('sentiment below a threshold over the last N caller lines', () => {
    const r = rule('sentiment', { params: { mode: 'below', threshold: -0.4, drop: 0.6, overLines: 3 } });
    const fired = run(r, [
      caller(1000, 'a', -0.9), // fewer than 3 lines: not yet
      caller(2000, 'b', -0.5),
      caller(3000, 'c', 0.5), // mean -0.3: not below
      caller(4000, 'd', -0.6), // mean of -0.5, 0.5, -0.6 = -0.2
      caller(5000, 'e', -0.7), // mean of 0.5, -0.6, -0.7 = -0.27
      caller(6000, 'f', -0.8), // mean -0.7: fires
      caller(7000, 'g', -0.9), // still low, within cooldown
      ai(8000, 'sorry'),
      caller(70_000, 'h', -0.9), // cooldown over, still low: fires again
    ]);
    expect(fired.map((f) => f.atMs)).toEqual([6000, 70_000]);
    expect(fired[0]!.alert.detail).toBe('Caller sentiment very negative (-0.70) over the last 3 lines (alert below -0.40).');
  });

  it("sentiment dropping from the call's start", () => {
    const r = rule('sentiment', { params: { mode: 'drop', threshold: -0.4, drop: 0.8, overLines: 2 } });
    const fired = run(r, [caller(1000, 'a', 0.6), caller(2000, 'b', 0.4), caller(3000, 'c', 0.1), caller(4000, 'd', -0.3), caller(5000, 'e', -0.5)]);
    // Start 0.5; last two: -0.1, then -0.4 (a drop of 0.9).
    expect(fired.map((f) => f.atMs)).toEqual([5000]);
    expect(fired[0]!.alert.detail).toContain('fell from +0.50 to -0.40');
  });

  it('silence: nobody speaks for N s while the line is ours; the AI speaking is not silence', () => {
    const r = rule('silence', { params: { afterS: 10 } });
    const fired = run(r, [
      ai(2000, 'Hello, how can I help?'),
      // A long AI sentence: 15 s of voice, no alert.
      { type: 'voice', atMs: 3000, speaker: 'ai', on: true },
      { type: 'voice', atMs: 18_000, speaker: 'ai', on: false },
      { type: 'speech', atMs: 25_000 }, // the caller starts talking (interim) 7 s later
      caller(26_000, 'hmm'),
      // 12 s of nothing: fires at 36 s, once for this stretch…
      caller(38_000, 'are you there'),
      // …and again after the next quiet 10 s, but the cooldown (60 s from 36 s) holds it back.
      // The agent takes the call on their softphone: we cannot hear the line, no silence.
      { type: 'state', atMs: 40_000, state: 'agent_phone' },
      { type: 'state', atMs: 100_000, state: 'ai' },
      ai(101_000, "I'm back"),
      { type: 'state', atMs: 140_000, state: 'ended' },
    ]);
    expect(fired.map((f) => f.atMs)).toEqual([36_000, 111_000]);
    expect(fired[0]!.alert.detail).toBe('Nobody has spoken for 10 s.');
  });

  it('AI looping: the AI says a near-identical line N times among its last lines', () => {
    const r = rule('ai_loop', { params: { similarity: 0.8, times: 3, withinLines: 6 } });
    const sorry = "Sorry, I didn't quite catch that. Could you say it again?";
    const fired = run(r, [
      ai(1000, sorry),
      ai(2000, 'Your order ships tomorrow.'),
      ai(3000, "Sorry I didn't quite catch that, could you say it again"),
      ai(4000, 'Okay.'),
      ai(5000, sorry), // third time within six lines: fires
      ai(6000, sorry), // fourth, within the cooldown
    ]);
    expect(fired.map((f) => f.atMs)).toEqual([5000]);
    expect(fired[0]!.alert.detail).toBe('The AI said much the same thing 3 times in 5 lines.');
    // Short lines ("Okay.") never count as a loop.
    expect(run(r, [ai(1, 'Okay.'), ai(2, 'Okay.'), ai(3, 'Okay.')])).toEqual([]);
  });

  it('caller repeating themselves', () => {
    const r = rule('caller_repeat', { params: { similarity: 0.6, times: 2, withinLines: 4 } });
    const fired = run(r, [
      caller(1000, 'I want to cancel my broadband'),
      ai(1500, 'I can help with your bill.'),
      caller(2000, 'no I want to cancel the broadband'),
      caller(3000, 'yes'),
      caller(90_000, 'I want to cancel my broadband'),
    ]);
    expect(fired.map((f) => f.atMs)).toEqual([2000, 90_000]);
  });

  it('caller asks for a person: the AI\'s request, or a phrase', () => {
    const r = rule('person_request', { params: { onTakeoverRequest: true, phrases: ['speak to a person', 'representative'] } });
    const fired = run(r, [
      caller(1000, 'can I speak to a person please'),
      event(1500, 'takeover_requested', { reason: 'caller asked' }), // within cooldown
      event(80_000, 'takeover_requested', { reason: 'caller is upset' }),
    ]);
    expect(fired.map((f) => [f.atMs, f.alert.detail])).toEqual([
      [1000, 'Caller said “speak to a person”.'],
      [80_000, 'The AI asks for a person: caller is upset'],
    ]);
    const onlyPhrases = rule('person_request', { params: { onTakeoverRequest: false, phrases: ['representative'] } });
    expect(run(onlyPhrases, [event(1, 'takeover_requested', { reason: 'x' })])).toEqual([]);
  });

  it('repeated barge-ins: N within a window', () => {
    const r = rule('barge_ins', { cooldownMs: 0, params: { count: 3, withinS: 30 } });
    const fired = run(r, [
      event(1000, 'barge_in'),
      event(20_000, 'barge_in'),
      event(40_000, 'barge_in'), // the first fell out of the window: 2 in 30 s
      event(45_000, 'barge_in'), // 3 in 30 s: fires, and starts a new run
      event(50_000, 'barge_in'),
      event(55_000, 'barge_in'),
      event(58_000, 'barge_in'), // a fresh run of 3
    ]);
    expect(fired.map((f) => f.atMs)).toEqual([45_000, 58_000]);
  });

  it('long call: once, when the call passes N minutes; never on a shorter call', () => {
    const r = rule('long_call', { cooldownMs: 0, params: { afterMin: 2 } });
    const fired = run(r, [caller(60_000, 'hello'), caller(125_000, 'still here'), caller(400_000, 'still here'), tick(500_000)]);
    expect(fired.map((f) => f.atMs)).toEqual([120_000]);
    expect(run(r, [caller(60_000, 'hello'), { type: 'state', atMs: 110_000, state: 'ended' }, tick(130_000)])).toEqual([]);
  });

  it('fallback or provider error', () => {
    const r = rule('provider_trouble', { params: { fallbacks: true, errors: false } });
    const fired = run(r, [
      event(1000, 'error', { stage: 'stt', message: 'boom' }), // errors not asked for
      event(2000, 'fallback', { role: 'llm', standIn: 'offline', reason: 'timeout' }),
      event(3000, 'fallback', { role: 'tts', standIn: 'flite', reason: '503' }), // within cooldown
    ]);
    expect(fired.map((f) => [f.atMs, f.alert.detail])).toEqual([[2000, 'The language model failed (timeout); offline stood in.']]);
    const errors = rule('provider_trouble', { cooldownMs: 0, params: { fallbacks: false, errors: true } });
    expect(run(errors, [event(1, 'error', { stage: 'stt', message: 'boom' })])[0]!.alert.detail).toBe('Error in stt: boom.');
  });

  it('a disabled rule never fires; saving rules keeps cooldowns and unchanged rules\' memory', () => {
    const r = rule('phrase', { params: { phrases: ['lawyer'], speaker: 'caller' } });
    expect(run({ ...r, enabled: false }, [caller(1, 'my lawyer')])).toEqual([]);

    const evaluator = new CallAlertEvaluator([r]);
    expect(evaluator.push(caller(1000, 'my lawyer'))).toHaveLength(1);
    // Renamed (a changed rule): it starts fresh, but the cooldown by id still holds.
    evaluator.setRules([{ ...r, name: 'Legal' }]);
    expect(evaluator.push(caller(2000, 'my lawyer again'))).toEqual([]);
    expect(evaluator.push(caller(61_000, 'my lawyer again'))[0]!.alert.title).toBe('Legal');
  });
});

describe('replaying a stored call (the backtest path)', () => {
  it('fires on the same things as live, with silence measured between stored lines', () => {
    const line = (id: string, speaker: 'caller' | 'ai', text: string, start: number, end: number, score: number | null = null) => ({
      id,
      speaker,
      text,
      start_ms: start,
      end_ms: end,
      sentiment_score: score,
    });
    const lines = [
      line('a1', 'ai', 'Hello, how can I help?', 500, 2500),
      line('c1', 'caller', 'I want to make a complaint', 3000, 5000, -0.3),
      // 30 s gap: a 20 s silence rule fires at 25 s…
      line('a2', 'ai', 'Sorry about that, let me help. This is a long explanation of what happens next.', 35_000, 60_000),
      // …but not during the AI's 25 s line.
    ];
    const silence = rule('silence', { params: { afterS: 20 } });
    expect(replayCall(silence, 70_000, lines, []).map((f) => f.atMs)).toEqual([25_000]);
    const phrase = rule('phrase', { params: { phrases: ['complaint'], speaker: 'caller' } });
    expect(replayCall(phrase, 70_000, lines, []).map((f) => f.alert.utteranceId)).toEqual(['c1']);
    // Taken over on the softphone at 4 s: the line is not ours, no silence.
    const events = [{ type: 'takeover' as const, at_ms: 5500, data: '{"via":"softphone"}' }];
    expect(replayCall(silence, 70_000, lines.slice(0, 2), events)).toEqual([]);
  });
});
