/**
 * Intent and knowledge-base results smoothed over a call (core/assist/call-evidence.ts) and the
 * agent's actions built on them (call-suggestions.ts), fed by the real assist engine with the
 * shipped intents.json and knowledge base, one caller line at a time.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentAction, Suggestion } from '../../src/shared/domain';
import { createAssistEngine } from '../../src/main/core/assist/assist-engine';
import { CallEvidence, type SmoothedView } from '../../src/main/core/assist/call-evidence';
import { CallSuggestions } from '../../src/main/core/assist/call-suggestions';
import { sayableWhisper } from '../../src/main/core/calls/steering';

const engine = createAssistEngine({ resourcesDir: resolve(import.meta.dirname, '../../resources') });

/** Feeds caller lines through one call's evidence; returns the per-line classification and the smoothed view after each. */
function run(lines: readonly string[]): Array<{ line: string; own: string; ownConfidence: number; view: SmoothedView }> {
  const evidence = new CallEvidence();
  return lines.map((line) => {
    const analysis = engine.analyse(line);
    return { line, own: analysis.intent, ownConfidence: analysis.intentConfidence, view: evidence.add(analysis) };
  });
}

describe('intent smoothed over the call', () => {
  it('a single off-topic line does not flip the intent (though the line alone is classified as something else)', () => {
    const steps = run(['i want to cancel my broad band', 'i said i want to cancel', 'whats the weather like']);
    expect(steps.map((s) => s.view.intent)).toEqual(['cancel_service', 'cancel_service', 'cancel_service']);
    // The noisy line on its own is confidently something else: that is what used to flip the panel.
    expect(steps[2]!.own).toBe('opening_hours');
    expect(steps[2]!.ownConfidence).toBeGreaterThan(0.5);
    // It does make the call less certain, and the panel says so.
    expect(steps[2]!.view.confidence).toBeLessThan(steps[1]!.view.confidence);
  });

  it('a sustained change of topic does flip it, on the second line, not the first', () => {
    const steps = run(['i want to cancel my broad band', 'i said i want to cancel', 'also my wifi is slow sometimes', 'my broadband speed is really bad at night', 'the wifi keeps buffering when i watch films']);
    expect(steps.map((s) => s.own)).toEqual(['cancel_service', 'cancel_service', 'slow_internet', 'slow_internet', 'slow_internet']);
    expect(steps.map((s) => s.view.intent)).toEqual(['cancel_service', 'cancel_service', 'cancel_service', 'slow_internet', 'slow_internet']);
    // And it firms up as the new topic goes on.
    expect(steps[4]!.view.confidence).toBeGreaterThan(steps[3]!.view.confidence);
  });

  it('a clear new request (a line the classifier is very sure of) moves it at once', () => {
    const steps = run(['i want to cancel my broad band', 'i said i want to cancel', 'the router light is flashing orange']);
    expect(steps[2]!.ownConfidence).toBeGreaterThanOrEqual(0.85);
    expect(steps[2]!.view.intent).toBe('router_reset');
  });

  it('small talk neither changes the topic nor wears it down', () => {
    const steps = run(['i want to cancel my broad band', 'i said i want to cancel', 'yeah', 'no', 'hang on my dog is barking']);
    expect(steps.map((s) => s.view.intent)).toEqual(Array(5).fill('cancel_service'));
    expect(steps[4]!.view.confidence).toBe(steps[1]!.view.confidence);
  });

  it('confidence is reported low while the evidence is thin, and unknown before anything topical', () => {
    const steps = run(['hello', 'yeah', 'i want to cancel my broad band', 'i said i want to cancel']);
    expect(steps[0]!.view).toMatchObject({ intent: 'unknown', intentLabel: '', certainty: 'unknown', confidence: 0 });
    expect(steps[1]!.view.certainty).toBe('unknown');
    // One ordinary line: a guess, shown as one.
    expect(steps[2]!.view).toMatchObject({ intent: 'cancel_service', intentLabel: 'Cancel service', certainty: 'low' });
    expect(steps[2]!.view.confidence).toBeLessThan(0.6);
    // A second line on the same topic: now it is sure.
    expect(steps[3]!.view.certainty).toBe('high');
  });

  it('evidence split between two topics reads as low confidence', () => {
    const steps = run(['i want to cancel my broad band', 'also my wifi is slow sometimes', 'how much is your ultra plan']);
    expect(steps[2]!.view.certainty).toBe('low');
  });
});

describe('knowledge-base articles smoothed over the call', () => {
  it('one noisy line does not replace the article the call is about', () => {
    const steps = run(['i want to cancel my broad band', 'is there an early termination fee', 'hang on my dog is barking']);
    expect(steps.map((s) => s.view.articles[0]?.id)).toEqual(['cancellation-policy', 'cancellation-policy', 'cancellation-policy']);
    // The noisy line's own hit (a weak one) may appear lower down, marked weak.
    for (const a of steps[2]!.view.articles.slice(1)) if (a.id === 'data-privacy') expect(a.weak).toBe(true);
  });

  it('a thin match is marked weak; a match the call keeps coming back to is not', () => {
    const thin = run(['how do i get out of my contract']);
    expect(thin[0]!.view.articles.length).toBeGreaterThan(0);
    expect(thin[0]!.view.articles.every((a) => a.weak)).toBe(true);
    const strong = run(['the router light is flashing orange']);
    expect(strong[0]!.view.articles[0]).toMatchObject({ id: 'router-reset', weak: false });
  });
});

describe('what the agent might do while the AI has the call', () => {
  function suggestions(lines: ReadonlyArray<readonly [string, number]>): Suggestion[] {
    const call = new CallSuggestions('call-1');
    const trend: number[] = [];
    return lines.map(([text, sentiment], i) => {
      trend.push(sentiment);
      return call.next(`u${i}`, engine.analyse(text), trend);
    });
  }

  it('once the intent is clear: a concrete line to whisper (which the offline engine speaks too) and the article', () => {
    const [, second] = suggestions([['i want to cancel my broad band', 0], ['i said i want to cancel', 0]]);
    const whisper = second!.agentActions.find((a) => a.kind === 'whisper');
    expect(whisper).toMatchObject({ label: 'Offer a better price before cancelling' });
    // Sent as "say: …", so every engine says it: an LLM as an instruction, the offline engine as its next line.
    expect(sayableWhisper(whisper!.kind === 'whisper' ? whisper!.text : '')).toMatch(/lower your price or find you a better plan/);
    expect(second!.agentActions).toContainEqual({ kind: 'article', articleId: 'cancellation-policy', title: 'Cancellation policy and notice period' });
    expect(second!.agentActions.some((a) => a.kind === 'take_over')).toBe(false);
    // The reply for the agent (when they have the call) is there too, and the whole thing matches the contract.
    expect(second!.reply.length).toBeGreaterThan(0);
    expect(Suggestion.parse(second)).toEqual(second);
  });

  it('no coaching on a wild guess: a call split between topics gets no whisper until one leads', () => {
    const [first, second] = suggestions([['i want to cancel my broad band', 0], ['also my wifi is slow sometimes', 0]]);
    // One clear line: a likely intent, its whisper offered (the panel says how sure it is).
    expect(first!.agentActions.some((a) => a.kind === 'whisper')).toBe(true);
    // Then the evidence splits: still cancel_service, but too unsure to coach on.
    expect(second).toMatchObject({ intent: 'cancel_service', intentCertainty: 'low' });
    expect(second!.intentConfidence).toBeLessThan(0.45);
    expect(second!.agentActions.some((a) => a.kind === 'whisper')).toBe(false);
  });

  it('take over, first, when the caller asks for a person', () => {
    const [, second] = suggestions([['i want to cancel my broad band', 0], ['can i talk to a real person', -0.1]]);
    expect(second!.agentActions[0]).toEqual({ kind: 'take_over', reason: 'The caller asked for a person' });
  });

  it('take over when an unhappy caller keeps asking for the same thing (the AI going round in circles), not when a calm one does', () => {
    const lines = ['i want to cancel my broad band', 'i said i want to cancel', 'i want to cancel my broad band now'];
    const unhappy = suggestions(lines.map((l) => [l, -0.3] as const));
    expect(unhappy[2]!.agentActions[0]).toEqual({
      kind: 'take_over',
      reason: 'The caller has raised “Cancel service” 3 times in a row: the AI may be going round in circles',
    });
    const calm = suggestions(lines.map((l) => [l, 0] as const));
    expect(calm[2]!.agentActions.some((a) => a.kind === 'take_over')).toBe(false);
  });

  it('take over when the caller is negative and falling, not merely negative', () => {
    const falling = suggestions([['my bill is way higher than normal', -0.35], ['i was charged twice this month', -0.45], ['this is ridiculous ive been on hold for ages', -0.7]]);
    expect(falling[2]!.agentActions[0]).toEqual({ kind: 'take_over', reason: 'The caller is upset, and getting more so' });
    const recovering = suggestions([['my bill is way higher than normal', -0.7], ['i was charged twice this month', -0.5], ['ok thanks that helps', -0.3]]);
    expect(recovering[2]!.agentActions.some((a) => a.kind === 'take_over')).toBe(false);
  });
});

describe('coaching lines in intents.json', () => {
  it('each one, sent as a whisper, is a valid whisper that the offline engine speaks word for word', () => {
    const coached = engine.intents.catalogue.intents.filter((i) => i.coaching !== undefined);
    expect(coached.map((i) => i.id)).toContain('cancel_service');
    for (const intent of coached) {
      const text = `say: ${intent.coaching!.say}`;
      expect(AgentAction.safeParse({ kind: 'whisper', label: intent.coaching!.label, text }).success, intent.id).toBe(true);
      expect(sayableWhisper(text), intent.id).toBe(intent.coaching!.say);
    }
  });
});

describe('Suggestion in the contract', () => {
  it('a suggestion from before these fields existed still parses, with defaults', () => {
    const old = { callId: 'c', utteranceId: 'u', intent: 'billing', intentConfidence: 0.8, reply: 'Sure.', articles: [{ id: 'a', title: 'A', snippet: 's', score: 3 }] };
    expect(Suggestion.parse(old)).toMatchObject({ intentLabel: '', intentCertainty: 'high', agentActions: [], entities: [], articles: [{ id: 'a', weak: false }] });
  });

  it('a whisper action longer than a whisper may be is refused', () => {
    const bad = { callId: 'c', utteranceId: 'u', intent: 'x', intentConfidence: 1, reply: '', articles: [], agentActions: [{ kind: 'whisper', label: 'l', text: 'x'.repeat(501) }] };
    expect(Suggestion.safeParse(bad).success).toBe(false);
  });
});
