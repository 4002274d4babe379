/**
 * redact(), maskDtmf() and dtmfPrompt() beyond the golden file: spans point into the original
 * text (spoken digits included), the policy switches emails and phone numbers only, bad input
 * is refused clearly, the line before is read for context and split numbers, and properties over generated input (fast-check): any valid card in any
 * layout is masked, and redact() never throws, never leaves a valid card's digits, and its
 * spans always describe exactly the text it replaced.
 */
import cardValidator from 'card-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dtmfPrompt, LOG_POLICY, maskDtmf, redact, redactionPolicy, type RedactionPolicy } from '../../../src/main/core/privacy/redaction';

const ALL: RedactionPolicy = { emails: true, phoneNumbers: true };
const NONE: RedactionPolicy = { emails: false, phoneNumbers: false };
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Rebuilds the masked text from the original and the spans: proves the offsets are the original's. */
function rebuild(original: string, spans: ReturnType<typeof redact>['spans'], masks: string[]): string {
  let out = '';
  let at = 0;
  spans.forEach((s, i) => {
    out += original.slice(at, s.start) + masks[i];
    at = s.end;
  });
  return out + original.slice(at);
}
const masksOf = (text: string): string[] => text.match(/\[(?:CARD ••••\d{4}|IBAN ••••[A-Z0-9]{4}|CVV|SSN|EMAIL|PHONE)\]/g) ?? [];

/** A Luhn-valid number of `length` digits starting with `prefix`. */
function withLuhn(prefix: string, body: string, length: number): string {
  const partial = (prefix + body).slice(0, length - 1).padEnd(length - 1, '0');
  for (let d = 0; d <= 9; d++) if (cardValidator.number(partial + d, { skipLuhnValidation: false }).isValid) return partial + d;
  throw new Error(`no check digit for ${partial}`);
}

describe('redact', () => {
  it('reports spans as offsets in the original text, also for spoken digits', () => {
    const text = 'Hi. My card is four one one one, one one one one, one one one one, one one one one, and my email is a.b@example.com.';
    const r = redact(text, ALL);
    expect(r.text).toBe('Hi. My card is [CARD ••••1111], and my email is [EMAIL].');
    expect(r.changed).toBe(true);
    expect(r.spans.map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([
      ['card', 'four one one one, one one one one, one one one one, one one one one'],
      ['email', 'a.b@example.com'],
    ]);
    expect(rebuild(text, r.spans, masksOf(r.text))).toBe(r.text);
  });

  it('masks emails and phone numbers only when the policy says so; cards, CVVs, SSNs and IBANs always', () => {
    const text = 'Card 5555 5555 5555 4444, CVV 123, SSN 123-45-6789, IBAN GB82WEST12345698765432, mail bob@example.com, phone (415) 555-0134.';
    expect(redact(text, NONE).text).toBe('Card [CARD ••••4444], CVV [CVV], SSN [SSN], IBAN [IBAN ••••5432], mail bob@example.com, phone (415) 555-0134.');
    expect(redact(text, { emails: true, phoneNumbers: false }).text).toContain('mail [EMAIL], phone (415) 555-0134.');
    expect(redact(text, { emails: false, phoneNumbers: true }).text).toContain('mail bob@example.com, phone [PHONE].');
    expect(redact(text, LOG_POLICY).text).toBe('Card [CARD ••••4444], CVV [CVV], SSN [SSN], IBAN [IBAN ••••5432], mail [EMAIL], phone [PHONE].');
  });

  it('never masks a card as a phone number or half a card', () => {
    const r = redact('4111 1111 1111 1111', LOG_POLICY);
    expect(r.spans).toEqual([{ kind: 'card', start: 0, end: 19 }]);
  });

  it('leaves text with nothing in it unchanged, the same string', () => {
    const text = 'I was charged twice for my broadband this month.';
    const r = redact(text, LOG_POLICY);
    expect(r).toEqual({ text, spans: [], changed: false });
    expect(redact('', LOG_POLICY)).toEqual({ text: '', spans: [], changed: false });
  });

  it('refuses what is not a string, with a clear error', () => {
    expect(() => redact(undefined as unknown as string, ALL)).toThrow(/redact\(\) needs a string, got undefined/);
    expect(() => redact(null as unknown as string, ALL)).toThrow(/got null/);
  });

  it('reads the line before for context and for a card split across two lines, reporting both parts', () => {
    const before = 'My card number is 4111 1111';
    const r = redact('1111 1111, expiry next May', NONE, { before });
    expect(r.text).toBe('[CARD ••••1111], expiry next May');
    expect(r.spans).toEqual([{ kind: 'card', start: 0, end: 9 }]);
    expect(r.spansBefore).toEqual([{ kind: 'card', start: 18, end: before.length }]);
    expect(before.slice(18)).toBe('4111 1111');

    const cvv = redact("It's 737.", NONE, { before: 'And what is the security code?' });
    expect(cvv).toMatchObject({ text: "It's [CVV].", spans: [{ kind: 'cvv', start: 5, end: 8 }], spansBefore: [] });
    // PII wholly in the line before is not this line's to mask, nor reported again.
    expect(redact('thanks', NONE, { before: 'card 4111 1111 1111 1111' })).toEqual({ text: 'thanks', spans: [], changed: false, spansBefore: [] });
    expect(() => redact('x', NONE, { before: 42 as unknown as string })).toThrow(/options.before needs a string/);
  });

  it('builds the policy from settings', () => {
    expect(redactionPolicy({ redactEmails: true, redactPhoneNumbers: false })).toEqual({ emails: true, phoneNumbers: false });
    expect(LOG_POLICY).toEqual({ emails: true, phoneNumbers: true });
    expect(Object.isFrozen(LOG_POLICY)).toBe(true);
  });

  it('masks any valid card of any brand, in digits with any grouping or as spoken words (property)', () => {
    const brands: Array<{ prefix: string; lengths: number[] }> = [
      { prefix: '4', lengths: [16, 19] },
      { prefix: '51', lengths: [16] },
      { prefix: '2221', lengths: [16] },
      { prefix: '34', lengths: [15] },
      { prefix: '6011', lengths: [16, 19] },
      { prefix: '3528', lengths: [16] },
      { prefix: '36', lengths: [14] },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...brands),
        fc.nat(),
        fc.stringMatching(/^\d{19}$/),
        fc.constantFrom('digits', 'words', 'mixed'),
        fc.constantFrom(' ', '-', '', ', '),
        fc.constantFrom('My card is ', 'Sure, ', '', 'the number on the front is '),
        (brand, pick, body, form, sep, lead) => {
          const card = withLuhn(brand.prefix, body, brand.lengths[pick % brand.lengths.length]!);
          if (!cardValidator.number(card).isValid) return; // a prefix card-validator reads as another brand
          const groups = card.match(/.{1,4}/g)!;
          const said = groups
            .map((g, i) => (form === 'digits' || (form === 'mixed' && i % 2 === 0) ? g : [...g].map((d) => DIGIT_WORDS[Number(d)]).join(' ')))
            .join(form === 'digits' ? sep : sep === '' ? ' ' : sep);
          const text = `${lead}${said}.`;
          const r = redact(text, NONE);
          expect(r.text).toBe(`${lead}[CARD ••••${card.slice(-4)}].`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws, keeps no valid card digits, and its spans describe the replaced text (property)', () => {
    const words = fc.constantFrom(
      // No "order"/"tracking"...: a valid card named as an order number is left alone by design (golden file).
      'my', 'card', 'number', 'is', 'the', 'security code', 'CVV', 'social', 'at', 'dot', 'com', 'double', 'oh',
      ...DIGIT_WORDS, 'twenty', 'forty', 'hundred', '-', ',', '.', '@', '+1', '4111', '1111', '555', '0134', '123-45-6789', 'GB82', 'WEST',
    );
    const digitRun = fc.stringMatching(/^[0-9]{1,19}$/);
    const chunk = fc.oneof(words, digitRun, fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 40 }), fc.constantFrom(ALL, NONE), (chunks, policy) => {
        const text = chunks.join(' ');
        const r = redact(text, policy);
        // Spans are in order, inside the text, and rebuild the output exactly.
        let last = 0;
        for (const s of r.spans) {
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(text.length);
          last = s.end;
        }
        expect(rebuild(text, r.spans, masksOf(r.text))).toBe(r.text);
        expect(r.changed).toBe(r.spans.length > 0);
        // No run of 13-19 digits that is a valid card is left in the output.
        for (const m of r.text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)) expect(cardValidator.number(m[0]).isValid, m[0]).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('maskDtmf', () => {
  it('masks a PIN always, whatever was keyed', () => {
    expect(maskDtmf('1234', 'pin')).toBe('[PIN]');
    expect(maskDtmf('4111111111111111', 'pin')).toBe('[PIN]');
    expect(maskDtmf('', 'pin')).toBe('[PIN]');
  });

  it('masks keyed card digits when a card was asked: card, security code, or a mistyped card as [DIGITS]', () => {
    expect(maskDtmf('4111111111111111', 'card')).toBe('[CARD ••••1111]');
    expect(maskDtmf('4111111111111111#', 'card')).toBe('[CARD ••••1111]');
    expect(maskDtmf('737', 'card')).toBe('[CVV]');
    expect(maskDtmf('4111111111111112', 'card')).toBe('[DIGITS]');
    expect(maskDtmf('12', 'card')).toBe('[DIGITS]');
  });

  it('leaves menu choices alone, but not a valid card keyed unasked', () => {
    expect(maskDtmf('2', 'other')).toBe('2');
    expect(maskDtmf('1#', 'other')).toBe('1#');
    expect(maskDtmf('5555555555554444', 'other')).toBe('[CARD ••••4444]');
  });
});

describe('dtmfPrompt', () => {
  it.each([
    ['Please key in your card number, then press the hash key.', 'card'],
    ['What is the long number on the front of your card?', 'card'],
    ['And the security code on the back?', 'card'],
    ['Please enter your CVV.', 'card'],
    ['Now please key in your PIN, then press the hash key.', 'pin'],
    ['Enter your four digit passcode.', 'pin'],
    ['Please key in your social security number.', 'pin'],
    ['Press 1 for billing, 2 for support.', 'other'],
    ['Is there anything else I can help with?', 'other'],
    ['Spin the wheel', 'other'],
  ] as const)('%s -> %s', (line, expected) => {
    expect(dtmfPrompt(line)).toBe(expected);
  });
});
