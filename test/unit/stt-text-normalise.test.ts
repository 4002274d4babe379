import { describe, expect, it } from 'vitest';
import { digitStringToWords, normaliseText, normaliseTranscript, numberToWords, ordinalToWords } from '../../src/main/core/providers/stt/text-normalise';

describe('number normalisation', () => {
  it('spells cardinals', () => {
    expect(numberToWords(0)).toBe('zero');
    expect(numberToWords(42)).toBe('forty two');
    expect(numberToWords(120)).toBe('one hundred and twenty');
    expect(numberToWords(1005)).toBe('one thousand and five');
    expect(numberToWords(2_500_000)).toBe('two million five hundred thousand');
    expect(() => numberToWords(-1)).toThrow(RangeError);
    expect(() => numberToWords(1.5)).toThrow(RangeError);
  });

  it('spells ordinals, years and long digit strings as callers say them', () => {
    expect(ordinalToWords(3)).toBe('third');
    expect(ordinalToWords(21)).toBe('twenty first');
    expect(digitStringToWords('1985')).toBe('nineteen eighty five');
    expect(digitStringToWords('2024')).toBe('twenty twenty four');
    expect(digitStringToWords('58213')).toBe('five eight two one three');
    expect(digitStringToWords('07')).toBe('zero seven');
  });

  it('normalises sentences: lowercase, digits to words, punctuation dropped, apostrophes kept', () => {
    expect(normaliseText("Hi, I'm calling about order 58213. It's £42.99!")).toEqual([
      ['hi', "i'm", 'calling', 'about', 'order', 'five', 'eight', 'two', 'one', 'three'],
      ["it's", 'forty', 'two', 'pounds', 'ninety', 'nine'],
    ]);
    expect(normaliseTranscript('It was on the 3rd at 3:30, 50% off')).toBe('it was on the third at three thirty fifty percent off');
    expect(normaliseTranscript('Wi-Fi & TV')).toBe('wi fi and tv');
    expect(normaliseTranscript('  ')).toBe('');
  });
});
