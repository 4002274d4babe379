/**
 * Keypad (DTMF) digits are masked by what the AI had just asked for: a caller keying a card
 * number or a PIN never leaves those digits in the transcript, store or logs.
 */
import { cardMask, isCardNumber } from './pii-detectors';

export type DtmfPrompt = 'card' | 'pin' | 'other';

/**
 * What the AI's last line asked the caller to key in. A PIN-like secret (PIN, passcode,
 * password, social security number) is 'pin'; a card number, expiry or security code is
 * 'card'; anything else is 'other'.
 */
export function dtmfPrompt(aiLine: string): DtmfPrompt {
  const s = aiLine.toLowerCase();
  if (/\b(?:pin|pin\s*code|passcode|pass\s*code|password|passphrase|social\s+security|ssn|secret\s+code|access\s+code)\b/.test(s)) return 'pin';
  if (
    /\b(?:card(?:\s+number)?|credit|debit|visa|master\s?card|amex|long\s+number|security\s+code|cvv2?|cvc2?|expiry|expiration|digits\s+on\s+the\s+back)\b/.test(s)
  ) {
    return 'card';
  }
  return 'other';
}

/**
 * The mask for keypad digits, given what was asked:
 *  - 'pin': always "[PIN]", whatever was keyed.
 *  - 'card': a valid card (Luhn and brand length) -> "[CARD ••••1234]"; 3-4 digits (the
 *    security code asked next) -> "[CVV]"; anything else -> "[DIGITS]". A mistyped card is
 *    still card digits, so it is masked rather than kept.
 *  - 'other': the digits unchanged (menu choices, extensions), except that a valid card keyed
 *    without being asked is still masked.
 */
export function maskDtmf(digits: string, asked: DtmfPrompt): string {
  if (asked === 'pin') return '[PIN]';
  const plain = digits.replace(/[^0-9]/g, '');
  if (isCardNumber(plain)) return cardMask(plain);
  if (asked === 'card') return plain.length >= 3 && plain.length <= 4 ? '[CVV]' : '[DIGITS]';
  return digits;
}
