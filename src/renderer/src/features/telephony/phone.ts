/** Phone-number helpers for the telephony forms. */
import { E164 } from '@shared/telephony';
import { formatPhone } from '../../lib/format';

/** What people paste ("+1 (415) 555-0100") in E.164 form ("+14155550100"); anything else trimmed. */
export function normalizePhone(input: string): string {
  const text = input.trim();
  return /^\+?[\d\s().-]+$/.test(text) ? text.replace(/[\s().-]/g, '') : text;
}

/** null when `input` (normalised) is an E.164 number, else why not. */
export function e164Problem(input: string): string | null {
  const parsed = E164.safeParse(normalizePhone(input));
  if (parsed.success) return null;
  const message = parsed.error.issues[0]?.message ?? 'not an E.164 number';
  return message.charAt(0).toUpperCase() + message.slice(1);
}

export const callerNumberOf = (raw: string): string => (raw ? formatPhone(raw) : 'Unknown number');
