/**
 * Property-based fuzz of the webhook form parser and signature check (fast-check): parseForm
 * and isValidTwilioSignature never throw on arbitrary strings (a request target or body from
 * a stranger), parseForm gives back exactly the pairs that were encoded (keys such as
 * `__proto__` or `toString` included), and a signature validates exactly when it is Twilio's
 * for that URL and those parameters.
 */
import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, parseForm, type FormParams } from '../../../src/main/core/telephony/twilio-webhooks';

const RUNS = 20_000;
const ORIGIN = 'https://switchboard-test.example.ngrok.app';

/** Keys a form may carry, names of Object.prototype members among them. */
const formKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('CallSid', 'From', 'To', 'StatusCallbackEvent', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'),
);
const formPairs = fc.array(fc.tuple(formKey, fc.string({ maxLength: 12 })), { maxLength: 8 });
/** A body: encoded pairs, or any text at all (stray `%`, `&&`, `=`, unicode). */
const formBody = fc.oneof(
  formPairs.map((pairs) => new URLSearchParams(pairs).toString()),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.array(fc.constantFrom('a', '=', '&', '%', '%2', '%ZZ', '+', '__proto__', 'toString', '[]', '\u0000', 'é'), { maxLength: 20 }).map((parts) => parts.join('')),
);
/** What the webhook handler signs: the public origin then the request target as received, or any string. */
const signedUrl = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }).map((target) => `${ORIGIN}${target}`),
  fc.constantFrom('/twilio/voice', '/twilio/status?x=1', 'http://elsewhere.example/twilio/voice', '*', ':99999/x', '@evil', '[::1').map((target) => `${ORIGIN}${target}`),
  fc.string({ maxLength: 40 }),
);

/** The pairs grouped by key as Twilio's validator expects them, built without touching any prototype. */
function grouped(pairs: Array<[string, string]>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [key, value] of pairs) groups.set(key, [...(groups.get(key) ?? []), value]);
  return groups;
}

/** Keys that are ordinary names, not members of Object.prototype. */
const plainPairs = fc.array(
  fc.tuple(
    fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('CallSid', 'From', 'To', 'StatusCallbackEvent')).filter((key) => !(key in Object.prototype)),
    fc.string({ maxLength: 12 }),
  ),
  { minLength: 1, maxLength: 8 },
);
/** What the public server lets through to the webhooks: the origin then an origin-form target. */
const originFormUrl = fc
  .string({ unit: 'binary', maxLength: 80 })
  .map((rest) => `${ORIGIN}/${rest}`)
  .filter((url) => !url.startsWith(`${ORIGIN}//`));

describe('webhook form parser fuzz', () => {
  it('parseForm never throws on an arbitrary body', () => {
    fc.assert(
      fc.property(formBody, (body) => {
        expect(typeof parseForm(body)).toBe('object');
      }),
      { numRuns: RUNS },
    );
  });

  it('parseForm gives every parameter as an own string or array of strings, whatever its name', () => {
    fc.assert(
      fc.property(formBody, (body) => {
        const params = parseForm(body);
        expect([Object.prototype, null]).toContain(Object.getPrototypeOf(params));
        for (const key of Object.keys(params)) {
          const value = params[key];
          expect(typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('parseForm gives back exactly the encoded pairs, repeated keys as arrays in order (ordinary names)', () => {
    fc.assert(fc.property(plainPairs, (pairs) => expectRoundTrip(pairs)), { numRuns: RUNS });
  });

  it('parseForm gives back exactly the encoded pairs, also for names such as __proto__ and constructor', () => {
    fc.assert(fc.property(formPairs, (pairs) => expectRoundTrip(pairs)), { numRuns: RUNS });
  });

  it('isValidTwilioSignature never throws on what the public server lets through (origin-form targets), any signature, token or body', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.oneof(fc.string({ maxLength: 40 }), fc.constant(undefined)), originFormUrl, formBody, (token, signature, url, body) => {
        expect(typeof isValidTwilioSignature(token, signature, url, parseForm(body))).toBe('boolean');
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it('isValidTwilioSignature never throws on an arbitrary URL', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), signedUrl, formBody, (token, signature, url, body) => {
        expect(typeof isValidTwilioSignature(`t${token}`, signature, url, parseForm(body))).toBe('boolean');
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it("accepts Twilio's signature of the URL and parameters, and refuses it once a parameter is changed", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 32 }),
        fc.constantFrom('/twilio/voice', '/twilio/status', '/twilio/voice?dial=DL1'),
        plainPairs,
        fc.string({ minLength: 1, maxLength: 6 }),
        (token, path, pairs, extra) => {
          const url = `${ORIGIN}${path}`;
          const params: FormParams = parseForm(new URLSearchParams(pairs).toString());
          const signature = twilio.getExpectedTwilioSignature(token, url, params);
          expect(isValidTwilioSignature(token, signature, url, params)).toBe(true);
          const [key, value] = pairs[0]!;
          const tampered = parseForm(new URLSearchParams([...pairs.slice(1), [key, `${value}${extra}`]]).toString());
          expect(isValidTwilioSignature(token, signature, url, tampered)).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

function expectRoundTrip(pairs: Array<[string, string]>): void {
  const params = parseForm(new URLSearchParams(pairs).toString());
  const expected = grouped(pairs);
  expect(Object.keys(params).sort()).toEqual([...expected.keys()].sort());
  for (const [key, values] of expected) expect(params[key]).toEqual(values.length === 1 ? values[0] : values);
}
