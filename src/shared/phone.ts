/**
 * Whether a number can be dialled: libphonenumber-js with full metadata (the data Google's
 * libphonenumber uses). Shared, so the New AI call form refuses exactly what the core's
 * outbound rules would, before anything is sent, in the same words.
 *
 * Toll fraud (international revenue share fraud): whoever makes the console dial a number
 * that pays its owner per minute earns money from the account. Two guards, like Twilio's own
 * geo permissions and high-risk number blocks:
 *  - number types that share the charge with the number's owner are never dialled:
 *    PREMIUM_RATE (the classic), and SHARED_COST (the callee's revenue share: UK 084x/087x
 *    service-charge, French 08 1x/08 2x, Spanish 90x numbers, …). An AI agent calling people
 *    back has no use for either, and both are sold to fraudsters for the same reason. No
 *    maintained open list of fraud ranges exists to add (carriers keep theirs private), so
 *    the types from libphonenumber's metadata are the block;
 *  - destination countries come from an allowlist (TelephonySettings.allowedCountries); null
 *    means the countries of this console's own numbers, as Twilio's default geo permissions
 *    allow only the account's home country. Numbers of no country (+800, +882/+883
 *    international networks, a favourite of revenue-share fraud) are never on it.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * libphonenumber's parse of `text`, the last one kept: one check of a number asks for it
 * three times (valid? costly? which country?), and a campaign checks a number before every
 * dial, where the parse is most of the time the check takes.
 */
let lastParse: { text: string; parsed: ReturnType<typeof parsePhoneNumberFromString> } | null = null;
function parsePhone(text: string): ReturnType<typeof parsePhoneNumberFromString> {
  if (lastParse?.text !== text) lastParse = { text, parsed: parsePhoneNumberFromString(text) };
  return lastParse.parsed;
}

/** The number in E.164 with its country, or null when it is not a valid phone number. */
export function parseE164(input: string): { e164: string; country: string | null } | null {
  const text = input.trim();
  if (!E164_SHAPE.test(text)) return null;
  const parsed = parsePhone(text);
  if (!parsed || !parsed.isValid() || parsed.number !== text) return null;
  return { e164: parsed.number, country: parsed.country ?? null };
}

let regionNames: Intl.DisplayNames | null = null;

/** A country's English name ("United Kingdom") from its ISO 3166 code, or the code itself. */
export function countryName(code: string): string {
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code; // not a well-formed region code
  }
}

/** Every country with phone numbers (libphonenumber's metadata), by English name: the allowlist's choices. */
export function dialableCountries(): Array<{ code: string; name: string; callingCode: string }> {
  return getCountries()
    .map((code) => ({ code, name: countryName(code), callingCode: getCountryCallingCode(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

/** Why the console will not dial a number (the refusal's reason and its message). */
export interface NumberRefusal {
  reason: 'premium_rate' | 'shared_cost' | 'country_not_allowed';
  message: string;
}

/** What decides which countries may be called (a slice of TelephonySettings). */
export interface DestinationRules {
  allowedCountries: readonly string[] | null;
  /** The console's own numbers: their countries are the default allowlist. */
  phoneNumbers: readonly string[];
}

/** Premium-rate or shared-cost: a number that pays its owner per call. Null for anything else. */
export function costlyNumberRefusal(e164: string): NumberRefusal | null {
  const parsed = parsePhone(e164.trim());
  if (!parsed?.isValid()) return null;
  const where = parsed.country ? ` (${countryName(parsed.country)})` : '';
  switch (parsed.getType()) {
    case 'PREMIUM_RATE':
      return {
        reason: 'premium_rate',
        message: `This is a premium-rate number${where}. The console never calls these: they charge the caller extra and pay the number's owner, the classic route of toll fraud.`,
      };
    case 'SHARED_COST':
      return {
        reason: 'shared_cost',
        message: `This is a shared-cost number${where}. The console never calls these: part of the charge goes to the number's owner, a route of toll fraud.`,
      };
    default:
      return null;
  }
}

/** The countries outbound calls may go to: the list set, or (null) those of the console's own numbers. */
export function allowedDestinationCountries(rules: DestinationRules): string[] {
  if (rules.allowedCountries !== null) return [...rules.allowedCountries];
  const own = rules.phoneNumbers.map((n) => parseE164(n)?.country).filter((c): c is string => Boolean(c));
  return [...new Set(own)];
}

/** Null when the number's country is allowed, else the refusal naming the country and what is allowed. */
export function countryRefusal(e164: string, rules: DestinationRules): NumberRefusal | null {
  const parsed = parsePhone(e164.trim());
  if (!parsed?.isValid()) return null;
  const allowed = allowedDestinationCountries(rules);
  const country = parsed.country ?? null;
  if (country && allowed.includes(country)) return null;
  const refuse = (message: string): NumberRefusal => ({ reason: 'country_not_allowed', message });
  if (allowed.length === 0) {
    return refuse(
      rules.allowedCountries === null
        ? "No destination country is allowed yet: choose the allowed countries in Settings → Telephony (by default they are those of this console's own numbers, and it has none)."
        : 'No destination country is allowed: the allowed countries in Settings → Telephony are empty.',
    );
  }
  const names = allowed.map(countryName).join(', ');
  const what = country ? `Calls to ${countryName(country)} are not allowed` : `This number belongs to no country (+${parsed.countryCallingCode}, an international service) and is never called`;
  return refuse(
    rules.allowedCountries === null
      ? `${what}. By default only the countries of this console's own numbers are (${names}); add others in Settings → Telephony → Allowed countries.`
      : `${what}. Allowed countries: ${names} (Settings → Telephony).`,
  );
}

/**
 * null when an E.164-shaped `e164` can be dialled, else why not, in words: not a number in
 * use, a premium-rate or shared-cost number, or (given the rules) a country not allowed.
 */
export function dialProblem(e164: string, rules?: DestinationRules): string | null {
  if (!parseE164(e164)) {
    const parsed = parsePhone(e164.trim());
    // libphonenumber parses nothing when no country has the calling code (+999…).
    if (!parsed) return 'No country uses this country code: check the digits after the +.';
    const where = parsed.country ? ` in ${countryName(parsed.country)}` : '';
    return `This isn't a number in use${where}: check for a missing or extra digit.`;
  }
  return (costlyNumberRefusal(e164) ?? (rules ? countryRefusal(e164, rules) : null))?.message ?? null;
}
