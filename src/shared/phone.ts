/**
 * Whether a number can be dialled: libphonenumber-js with full metadata (the data Google's
 * libphonenumber uses). Shared, so the New AI call form refuses exactly what the core's
 * outbound rules would, before anything is sent.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/** The number in E.164 with its country, or null when it is not a valid phone number. */
export function parseE164(input: string): { e164: string; country: string | null } | null {
  const text = input.trim();
  if (!E164_SHAPE.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed || !parsed.isValid() || parsed.number !== text) return null;
  return { e164: parsed.number, country: parsed.country ?? null };
}

/** null when an E.164-shaped `e164` can be dialled, else why not, in words. */
export function dialProblem(e164: string): string | null {
  if (parseE164(e164)) return null;
  const parsed = parsePhoneNumberFromString(e164.trim());
  // libphonenumber parses nothing when no country has the calling code (+999…).
  if (!parsed) return 'No country uses this country code: check the digits after the +.';
  const where = parsed.country ? ` in ${new Intl.DisplayNames(['en'], { type: 'region' }).of(parsed.country) ?? parsed.country}` : '';
  return `This isn't a number in use${where}: check for a missing or extra digit.`;
}
