import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeypadCollector, keypadHistoryText, menuOptions, parseKeypadHistoryText, type KeypadEntry } from '../../../src/main/core/calls/keypad';
import { OpenAlerts } from '../../../src/main/core/calls/open-alerts';
import { handBackLine, sayableWhisper } from '../../../src/main/core/calls/steering';
import { callbackWhen, spokenPhoneNumber, TakeoverWait, WAIT_LINES } from '../../../src/main/core/calls/waiting';

describe('keypad menus', () => {
  it('reads the choices an AI line offers, in either order of words', () => {
    expect([...menuOptions('Press 1 for billing, press 2 for sales, or press three to report a fault.')]).toEqual([
      ['1', 'billing'],
      ['2', 'sales'],
      ['3', 'report a fault'],
    ]);
    expect([...menuOptions('For billing, press 1. For anything else, press 9.')]).toEqual([
      ['1', 'billing'],
      ['9', 'anything else'],
    ]);
    expect(menuOptions('How can I help you today?').size).toBe(0);
  });

  it('writes keypad input for the model and reads it back, and nothing else', () => {
    const entries: KeypadEntry[] = [
      { digits: '1', kind: 'menu', option: 'billing' },
      { digits: '4', kind: 'menu', option: null },
      { digits: '12345678', kind: 'digits', option: null },
    ];
    for (const entry of entries) expect(parseKeypadHistoryText(keypadHistoryText(entry))).toEqual(entry);
    expect(parseKeypadHistoryText('I pressed 1 for billing')).toBeNull();
  });
});

describe('keypad collector', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('answers a menu with one key, ends a digit string with # or a pause', () => {
    const got: KeypadEntry[] = [];
    const keypad = new KeypadCollector((e) => got.push(e), 2500);
    keypad.heardAiLine('Press 1 for billing or press 2 for sales.');
    keypad.press('2');
    expect(got).toEqual([{ digits: '2', kind: 'menu', option: 'sales' }]);
    // The menu was answered: the next keys are a number.
    for (const k of '4455#') keypad.press(k);
    expect(got[1]).toEqual({ digits: '4455', kind: 'digits', option: null });
    for (const k of '987') keypad.press(k);
    vi.advanceTimersByTime(2400);
    keypad.press('6');
    vi.advanceTimersByTime(2499);
    expect(got).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(got[2]).toEqual({ digits: '9876', kind: 'digits', option: null });
  });

  it('drops a half-typed number on reset, and ignores a lone #', () => {
    const got: KeypadEntry[] = [];
    const keypad = new KeypadCollector((e) => got.push(e), 2500);
    keypad.press('#');
    keypad.press('5');
    keypad.reset();
    vi.advanceTimersByTime(5000);
    expect(got).toEqual([]);
  });
});

describe('whispers and hand-back', () => {
  it('finds the line an offline AI can say in a whisper', () => {
    expect(sayableWhisper('say: Thanks for waiting.')).toBe('Thanks for waiting.');
    expect(sayableWhisper('Say "We can do that today."')).toBe('We can do that today.');
    expect(sayableWhisper('“I’ll check that for you.”')).toBe('I’ll check that for you.');
    expect(sayableWhisper('offer the discount')).toBeNull();
    expect(sayableWhisper('say:   ')).toBeNull();
  });

  it('owns the request it could not fulfil when the call comes back', () => {
    expect(handBackLine('Billing dispute')).toContain("I couldn't help with billing dispute myself");
    expect(handBackLine(null)).toBe("You're back with the automated assistant. Is there anything else I can help you with?");
  });
});

describe('a caller waiting for a person', () => {
  const T0 = 1_700_000_000_000;

  it('keeps the caller company, then offers the choice once the wait is long', () => {
    const wait = new TakeoverWait(T0, { companyMs: 20_000, offerMs: 60_000 });
    expect(wait.nextPromptInMs(T0 + 5000)).toBe(15_000);
    expect(wait.prompt(T0 + 20_000)).toEqual({ line: WAIT_LINES.company, offer: false });
    expect(wait.prompt(T0 + 40_000).offer).toBe(false);
    expect(wait.prompt(T0 + 60_000)).toEqual({ line: WAIT_LINES.offer, offer: true });
    expect(wait.stage).toBe('offered');
  });

  it('takes the caller at their word: keep waiting (offer again later), carry on, or a call back', () => {
    const wait = new TakeoverWait(T0, { companyMs: 20_000, offerMs: 60_000 });
    // Before the offer, ordinary talk is the AI's to answer.
    expect(wait.onCallerLine('I will wait', T0 + 1000, null)).toEqual({ kind: 'none' });
    wait.prompt(T0 + 60_000);
    expect(wait.onCallerLine("I'll hold, thanks", T0 + 65_000, null).kind).toBe('keep_waiting');
    expect(wait.prompt(T0 + 85_000).offer).toBe(false);
    expect(wait.prompt(T0 + 125_000).offer).toBe(true);
    expect(wait.onCallerLine("Let's just carry on with you", T0 + 130_000, null).kind).toBe('continue_with_ai');
  });

  it('asks for a number and time, or takes them from one sentence', () => {
    const wait = new TakeoverWait(T0, { companyMs: 20_000, offerMs: 60_000 });
    expect(wait.onCallerLine('Can you call me back?', T0, '+15550100001')).toEqual({ kind: 'ask_callback', line: WAIT_LINES.askCallback });
    const reply = wait.onCallerLine('Try 555 010 2222 this afternoon', T0 + 1000, '+15550100001');
    expect(reply).toMatchObject({ kind: 'callback', number: '5550102222', when: 'this afternoon' });
    expect(reply.kind === 'callback' && reply.line).toContain('ending 2222, this afternoon');
    const quick = new TakeoverWait(T0, { companyMs: 20_000, offerMs: 60_000 });
    expect(quick.onCallerLine('Just call me back on Monday at 3 pm', T0, '+15550100001')).toMatchObject({
      kind: 'callback',
      number: '+15550100001',
      when: 'on Monday at 3 pm',
    });
  });

  it('reads times and numbers as speech-to-text writes them', () => {
    expect(callbackWhen('tomorrow morning at 9:30 am please')).toBe('tomorrow morning at 9:30 am');
    expect(callbackWhen('whenever')).toBeNull();
    expect(spokenPhoneNumber('it is +44 20 7946 0018')).toBe('+442079460018');
    expect(spokenPhoneNumber('order 1234')).toBeNull();
  });
});

describe('open alerts on a call', () => {
  it('shows the most severe open alert, the latest of equal severity, until acknowledged', () => {
    const alerts = new OpenAlerts();
    expect(alerts.summary()).toEqual({ alert: null, openAlerts: 0 });
    const alert = (id: string, severity: 'info' | 'warning' | 'critical') => ({ id, ruleId: `r-${id}`, severity, title: id, atMs: 0 });
    alerts.add(alert('a', 'warning'));
    alerts.add(alert('b', 'critical'));
    alerts.add(alert('c', 'info'));
    alerts.add(alert('d', 'critical'));
    expect(alerts.summary()).toMatchObject({ alert: { id: 'd' }, openAlerts: 4 });
    expect(alerts.acknowledge('d')).toBe(true);
    expect(alerts.acknowledge('d')).toBe(false);
    expect(alerts.summary()).toMatchObject({ alert: { id: 'b' }, openAlerts: 3 });
    alerts.acknowledge('b');
    expect(alerts.summary().alert?.id).toBe('a');
  });
});
