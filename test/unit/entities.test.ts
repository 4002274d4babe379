import { describe, expect, it } from 'vitest';
import { extractEntities, speakDigits } from '../../src/main/core/assist/entities';

const values = (line: string) => extractEntities(line).map((e) => [e.type, e.value]);

describe('entity extraction', () => {
  it('reads account numbers written or spoken digit by digit', () => {
    expect(values('my account number is 45678912')).toEqual([['account_number', '45678912']]);
    expect(values('its four five six seven eight nine one two')).toEqual([['account_number', '45678912']]);
    expect(values('account one two oh double four seven')).toEqual([['account_number', '120447']]);
    expect(values('its 4567-8912')).toEqual([['account_number', '45678912']]);
  });

  it('calls a number an order number when the caller says so', () => {
    expect(values('my order reference is nine nine triple three one')).toEqual([['order_number', '993331']]);
  });

  it('ignores short numbers and a leading "oh"', () => {
    expect(values('i have two routers and one phone')).toEqual([]);
    expect(values('oh right okay')).toEqual([]);
  });

  it('reads amounts with symbols, digits or words', () => {
    expect(values('you took $45.99 twice')).toEqual([['amount', '45.99']]);
    expect(values('they charged me fifty dollars')).toEqual([['amount', '50.00']]);
    expect(values('forty five dollars and ninety nine cents')).toEqual([['amount', '45.99']]);
    expect(values('one hundred and twenty pounds')).toEqual([['amount', '120.00']]);
    expect(values('twelve point five euros')).toEqual([['amount', '12.50']]);
  });

  it('reads dates in the ways callers say them', () => {
    expect(values('it came out on the third of march')).toEqual([['date', '3 March']]);
    expect(values('we move on march twenty first')).toEqual([['date', '21 March']]);
    expect(values('the payment was taken yesterday')).toEqual([['date', 'yesterday']]);
    expect(values('can the engineer come next tuesday')).toEqual([['date', 'next Tuesday']]);
    expect(values('it is due on the fifteenth')).toEqual([['date', 'the 15th']]);
    expect(values('paid on 12/03/2024')).toEqual([['date', '12/03/2024']]);
  });

  it('does not mistake ordinary words for dates', () => {
    expect(values('this is the third time i have called')).toEqual([]);
    expect(values('you may need to reset it')).toEqual([]);
  });

  it('finds several entities in one line', () => {
    expect(values('account 12345678 was charged 30 dollars twice on the 2nd of june')).toEqual([
      ['account_number', '12345678'],
      ['amount', '30.00'],
      ['date', '2 June'],
    ]);
  });

  it('spaces digits out for speech', () => {
    expect(speakDigits('4567')).toBe('4 5 6 7');
  });
});
