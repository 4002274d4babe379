/** The caller's details the assist panel shows: the kinds issue 8 adds, and a call's list over its lines. */
import { describe, expect, it } from 'vitest';
import { callEntities, extractEntities } from '../../../src/main/core/assist/entities';

const values = (line: string) => extractEntities(line).map((e) => [e.type, e.value]);

describe('caller details beyond numbers, amounts and dates', () => {
  it('reads emails written or spelled out', () => {
    expect(values('my email is Jo.Smith@Example.co.uk thanks')).toEqual([['email', 'jo.smith@example.co.uk']]);
    expect(values('its jo dot smith at gmail dot com')).toEqual([['email', 'jo.smith@gmail.com']]);
    expect(values('send it to sam underscore lee at brightwave dot co dot uk please')).toEqual([['email', 'sam_lee@brightwave.co.uk']]);
  });

  it('does not read "at" in a sentence as an email', () => {
    expect(values('i was at home at the time')).toEqual([]);
    expect(values('look at it again')).toEqual([]);
  });

  it('reads phone numbers by their cue or their plus sign, and keeps account numbers apart', () => {
    expect(values('you can call me on oh seven seven double oh nine double oh one two three')).toEqual([['phone_number', '07700900123']]);
    expect(values('my number is 07700 900123')).toEqual([['phone_number', '07700900123']]);
    expect(values('reach me at +44 20 7946 0958 after five')).toEqual([['phone_number', '+442079460958']]);
    expect(values('my account number is 0770090012')).toEqual([['account_number', '0770090012']]);
    expect(values('my order number is 12345678901')).toEqual([['order_number', '12345678901']]);
  });

  it('reads a name after a clear cue, and not ordinary words', () => {
    expect(values('hi my name is jo smith and i was charged twice')).toEqual([['name', 'Jo Smith']]);
    expect(values("Hello, my name's Priya Patel.")).toEqual([['name', 'Priya Patel']]);
    expect(values('my surname is Okafor')).toEqual([['name', 'Okafor']]);
    expect(values('this is Dana Kim speaking')).toEqual([['name', 'Dana Kim']]);
    expect(values('my name is not on the account')).toEqual([]);
    expect(values('this is ridiculous')).toEqual([]);
  });

  it('finds every kind in one line', () => {
    expect(values('my name is sam lee, account 45678912, they took $45.99 on the 2nd of june, email sam at lee dot com')).toEqual([
      ['name', 'Sam Lee'],
      ['email', 'sam@lee.com'],
      ['account_number', '45678912'],
      ['amount', '45.99'],
      ['date', '2 June'],
    ]);
  });
});

describe("a call's details from its caller lines", () => {
  it('keeps caller details only, newest first, each once', () => {
    const lines = [
      { speaker: 'caller' as const, final: true, text: 'my account number is four five six seven eight' },
      { speaker: 'ai' as const, final: true, text: 'Thanks, account 9 9 9 9 9 9 noted.' },
      { speaker: 'caller' as const, final: true, text: 'they took fifty dollars on the third of march' },
      { speaker: 'caller' as const, final: false, text: 'order 11111111' },
      { speaker: 'caller' as const, final: true, text: 'yes account four five six seven eight' },
    ];
    expect(callEntities(lines)).toEqual([
      { type: 'account_number', value: '45678' },
      { type: 'amount', value: '50.00' },
      { type: 'date', value: '3 March' },
    ]);
  });
});
