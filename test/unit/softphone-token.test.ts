import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '@shared/contract';
import { createDispatcher, type Handlers } from '../../src/main/core/api/dispatcher';
import { silentLogger } from '../../src/main/core/log';
import {
  mintSoftphoneToken,
  requireSoftphoneCredentials,
  type SoftphoneCredentialSource,
  softphoneIdentity,
  SoftphoneUnavailableError,
  SOFTPHONE_TOKEN_TTL_S,
} from '../../src/main/core/telephony/softphone-token';

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const KEY = `SK${'b2'.repeat(16)}`;
const APP = `AP${'c3'.repeat(16)}`;
const SECRET = 'test-api-key-secret-0123456789';

interface VoiceTokenPayload {
  jti: string;
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  grants: { identity: string; voice: { incoming?: { allow: boolean }; outgoing?: { application_sid: string } } };
}

afterEach(() => vi.useRealTimers());

/**
 * Splits and checks a JWT by hand (HS256 with `secret`), so the test does not lean on the
 * library that signed it. Throws on a bad signature.
 */
function verifyJwt(token: string, secret: string): { header: Record<string, unknown>; payload: VoiceTokenPayload } {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length > 0) throw new Error('not a JWT');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('invalid signature');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  return { header: decode(header) as Record<string, unknown>, payload: decode(payload) as VoiceTokenPayload };
}

describe('softphone token', () => {
  it('is a Voice access token signed with the API key secret: identity, grants, ttl', () => {
    vi.useFakeTimers({ now: new Date('2030-05-01T12:00:00Z') });
    const minted = mintSoftphoneToken(
      { accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: SECRET, twimlAppSid: APP },
      { agentName: 'Priya Shah' },
    );

    // Verifies the HS256 signature with the secret (throws otherwise).
    const { header, payload } = verifyJwt(minted.token, SECRET);
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(payload.iss).toBe(KEY);
    expect(payload.sub).toBe(ACCOUNT);
    expect(payload.grants).toEqual({
      identity: 'agent_priya_shah',
      voice: { incoming: { allow: true }, outgoing: { application_sid: APP } },
    });
    expect(payload.iat).toBe(Date.parse('2030-05-01T12:00:00Z') / 1000);
    expect(payload.exp - payload.iat).toBe(SOFTPHONE_TOKEN_TTL_S);
    expect(SOFTPHONE_TOKEN_TTL_S).toBeLessThanOrEqual(15 * 60);
    expect(minted.identity).toBe('agent_priya_shah');
    expect(minted.expiresAt).toBe(payload.exp * 1000);

    // Matches the contract's output schema.
    expect(commands['softphone.token'].output.parse(minted)).toEqual(minted);
  });

  it('refuses a different secret', () => {
    const { token } = mintSoftphoneToken({ accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: SECRET }, { agentName: 'A' });
    expect(() => verifyJwt(token, 'some-other-secret-value')).toThrow(/invalid signature/);
    expect(() => verifyJwt(token, SECRET)).not.toThrow();
  });

  it('receives only when no TwiML app is configured', () => {
    const { token } = mintSoftphoneToken(
      { accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: SECRET, twimlAppSid: null },
      { agentName: 'Sam', ttlSeconds: 300 },
    );
    const { payload } = verifyJwt(token, SECRET);
    expect(payload.grants.voice).toEqual({ incoming: { allow: true } });
    expect(payload.exp - payload.iat).toBe(300);
  });

  it('refuses silly ttls', () => {
    const creds = { accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: SECRET };
    expect(() => mintSoftphoneToken(creds, { agentName: 'A', ttlSeconds: 5 })).toThrow(RangeError);
    expect(() => mintSoftphoneToken(creds, { agentName: 'A', ttlSeconds: 2 * 86_400 })).toThrow(RangeError);
  });
});

describe('softphone identity', () => {
  it('is stable and sanitised from the agent name', () => {
    expect(softphoneIdentity('Priya Shah')).toBe('agent_priya_shah');
    expect(softphoneIdentity('Priya Shah')).toBe(softphoneIdentity('Priya Shah'));
    expect(softphoneIdentity("  Zoë O'Brien  ")).toBe('agent_zoe_o_brien');
    expect(softphoneIdentity('<script>alert(1)</script>')).toBe('agent_script_alert_1_script');
    expect(softphoneIdentity('客服')).toBe('agent_console');
    expect(softphoneIdentity('x'.repeat(80))).toMatch(/^agent_x{64}$/);
    expect(softphoneIdentity('a'.repeat(63) + ' b')).toBe(`agent_${'a'.repeat(63)}`);
  });
});

describe('softphone credentials', () => {
  it('names every missing setting, and never a value', () => {
    const attempt = () => requireSoftphoneCredentials({ accountSid: ACCOUNT, apiKeySid: '  ', apiKeySecret: undefined });
    expect(attempt).toThrow(SoftphoneUnavailableError);
    expect(attempt).toThrow('Softphone unavailable: set the Twilio API key SID and Twilio API key secret.');
    try {
      attempt();
    } catch (error) {
      expect((error as SoftphoneUnavailableError).code).toBe('unavailable');
      expect((error as SoftphoneUnavailableError).settings).toEqual(['apiKeySid', 'apiKeySecret']);
      expect(String((error as Error).message)).not.toContain(ACCOUNT);
    }
  });

  it('says which SID looks wrong without echoing it', () => {
    const attempt = () =>
      requireSoftphoneCredentials({ accountSid: 'ACnope', apiKeySid: KEY, apiKeySecret: SECRET, twimlAppSid: 'APnope' });
    expect(attempt).toThrow(
      'Softphone unavailable: check the Twilio account SID (AC followed by 32 hex digits) and Twilio TwiML app SID (AP followed by 32 hex digits).',
    );
    expect(attempt).not.toThrow(/nope/);
  });

  it('names every missing setting, trims values, and treats a missing TwiML app as none', () => {
    expect(() => requireSoftphoneCredentials({})).toThrow(
      'Softphone unavailable: set the Twilio account SID, Twilio API key SID and Twilio API key secret.',
    );
    expect(requireSoftphoneCredentials({ accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: ` ${SECRET} ` })).toEqual({
      accountSid: ACCOUNT,
      apiKeySid: KEY,
      apiKeySecret: SECRET,
      twimlAppSid: null,
    });
  });
});

describe("'softphone.token' through the dispatcher", () => {
  const handlerWith = (source: SoftphoneCredentialSource) =>
    createDispatcher(
      {
        'softphone.token': () => mintSoftphoneToken(requireSoftphoneCredentials(source), { agentName: 'Agent' }),
      } as unknown as Handlers,
      silentLogger,
    );

  it('answers a clear unavailable error when Twilio is not configured', async () => {
    const result = await handlerWith({ accountSid: ACCOUNT })('softphone.token', {});
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message:
          'Softphone unavailable: set the Twilio API key SID and Twilio API key secret.',
      },
    });
  });

  it('answers { token, identity, expiresAt } when it is', async () => {
    const result = await handlerWith({ accountSid: ACCOUNT, apiKeySid: KEY, apiKeySecret: SECRET })(
      'softphone.token',
      {},
    );
    expect(result.ok).toBe(true);
    const value = commands['softphone.token'].output.parse((result as { value: unknown }).value);
    expect(value.identity).toBe('agent_agent');
    expect(verifyJwt(value.token, SECRET).payload.grants.identity).toBe('agent_agent');
  });
});
