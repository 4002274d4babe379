import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature, parseForm } from '../../src/main/core/telephony/twilio-webhooks';

// Twilio's published test vector (protocols.md).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const SIGNATURE = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('Twilio webhook signatures', () => {
  it('computes the published test vector', () => {
    expect(twilio.getExpectedTwilioSignature(TOKEN, URL_, PARAMS)).toBe(SIGNATURE);
  });

  it('accepts the published test vector, also from a parsed form body', () => {
    expect(isValidTwilioSignature(TOKEN, SIGNATURE, URL_, PARAMS)).toBe(true);
    const body = new URLSearchParams(PARAMS).toString();
    expect(isValidTwilioSignature(TOKEN, SIGNATURE, URL_, parseForm(body))).toBe(true);
  });

  it.each([
    ['a tampered parameter', TOKEN, SIGNATURE, URL_, { ...PARAMS, Digits: '1235' }],
    ['an added parameter', TOKEN, SIGNATURE, URL_, { ...PARAMS, Extra: 'x' }],
    ['a removed parameter', TOKEN, SIGNATURE, URL_, { CallSid: PARAMS.CallSid, Caller: PARAMS.Caller, Digits: PARAMS.Digits, From: PARAMS.From }],
    ['a different path', TOKEN, SIGNATURE, 'https://mycompany.com/other.php?foo=1&bar=2', PARAMS],
    ['a different query', TOKEN, SIGNATURE, 'https://mycompany.com/myapp.php?foo=2&bar=2', PARAMS],
    ['a different host', TOKEN, SIGNATURE, 'https://evil.example/myapp.php?foo=1&bar=2', PARAMS],
    ['the local URL instead of the public one', TOKEN, SIGNATURE, 'http://127.0.0.1:8080/myapp.php?foo=1&bar=2', PARAMS],
    ['another auth token', '54321', SIGNATURE, URL_, PARAMS],
    ['a flipped signature byte', TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=', URL_, PARAMS],
    ['an empty signature', TOKEN, '', URL_, PARAMS],
    ['no signature', TOKEN, undefined, URL_, PARAMS],
    ['an empty auth token', '', SIGNATURE, URL_, PARAMS],
  ])('rejects %s', (_what, token, signature, url, params) => {
    expect(isValidTwilioSignature(token, signature, url, params)).toBe(false);
  });

  it('signs repeated form keys (StatusCallbackEvent) the way Twilio does', () => {
    const body = 'CallSid=CA1&StatusCallbackEvent=ringing&StatusCallbackEvent=answered';
    const params = parseForm(body);
    expect(params.StatusCallbackEvent).toEqual(['ringing', 'answered']);
    const url = 'https://example.ngrok.app/twilio/status';
    const signature = twilio.getExpectedTwilioSignature('tok', url, params);
    expect(isValidTwilioSignature('tok', signature, url, params)).toBe(true);
    expect(isValidTwilioSignature('tok', signature, url, parseForm('CallSid=CA1&StatusCallbackEvent=ringing'))).toBe(false);
  });
});
