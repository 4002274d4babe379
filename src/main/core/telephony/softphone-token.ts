/**
 * Twilio Voice access tokens for the agent's softphone (a @twilio/voice-sdk Device in the
 * renderer). The token carries a VoiceGrant that lets the agent's browser receive the calls
 * the core's take-over TwiML rings (`<Dial><Client>identity</Client></Dial>`) and, when a
 * TwiML app is configured, place calls through it.
 *
 * A token is a credential for the agent's own browser: it goes to the renderer (that is its
 * purpose) and nowhere else — never into a log line or an error message. Neither does the API
 * key secret that signs it.
 */
import twilio from 'twilio';
import { SOFTPHONE_IDENTITY_PATTERN, type SoftphoneToken } from '@shared/softphone';

const { AccessToken } = twilio.jwt;
const { VoiceGrant } = AccessToken;

/** Ten minutes: the Device refreshes it (`tokenWillExpire`) well before then. */
export const SOFTPHONE_TOKEN_TTL_S = 600;
/** Twilio refuses Voice tokens that live longer than a day. */
const MAX_TTL_S = 24 * 60 * 60;

/** What signs a softphone token. */
export interface SoftphoneCredentials {
  /** AC… */
  accountSid: string;
  /** SK… (an API key of that account, not the account's auth token). */
  apiKeySid: string;
  apiKeySecret: string;
  /** AP… TwiML app for outgoing calls from the softphone; without one it only receives. */
  twimlAppSid?: string | null;
}

/**
 * Where the credentials come from: any may be missing. The keys match TelephonySettings
 * (src/main/core/telephony/twilio-settings.ts), so the core can pass
 * `{ ...telephony.get(), apiKeySecret: secrets.get('twilioApiKeySecret') }`.
 */
export type SoftphoneCredentialSource = { [K in keyof SoftphoneCredentials]?: string | null | undefined };

/** How each setting is named to the user when it is missing or malformed. */
export type SoftphoneSettingLabels = Record<keyof SoftphoneCredentials, string>;

export const DEFAULT_SETTING_LABELS: SoftphoneSettingLabels = {
  accountSid: 'Twilio account SID',
  apiKeySid: 'Twilio API key SID',
  apiKeySecret: 'Twilio API key secret',
  twimlAppSid: 'Twilio TwiML app SID',
};

/** The softphone cannot work with the current configuration; the message says what to set. */
export class SoftphoneUnavailableError extends Error {
  override readonly name = 'SoftphoneUnavailableError';
  /** Maps onto the contract's error envelope. */
  readonly code = 'unavailable' as const;
  constructor(
    message: string,
    /** The settings that are missing or malformed. */
    readonly settings: (keyof SoftphoneCredentials)[],
  ) {
    super(message);
  }
}

const SID_FORMATS = {
  accountSid: { prefix: 'AC', pattern: /^AC[0-9a-fA-F]{32}$/ },
  apiKeySid: { prefix: 'SK', pattern: /^SK[0-9a-fA-F]{32}$/ },
  twimlAppSid: { prefix: 'AP', pattern: /^AP[0-9a-fA-F]{32}$/ },
} as const;

/**
 * Checks the source and returns usable credentials, or throws a SoftphoneUnavailableError
 * naming every missing or malformed setting (never echoing a value).
 */
export function requireSoftphoneCredentials(
  source: SoftphoneCredentialSource,
  labels: SoftphoneSettingLabels = DEFAULT_SETTING_LABELS,
): SoftphoneCredentials {
  const value = (key: keyof SoftphoneCredentials) => source[key]?.trim() || null;
  const required = ['accountSid', 'apiKeySid', 'apiKeySecret'] as const;
  const missing = required.filter((key) => value(key) === null);
  if (missing.length > 0) {
    throw new SoftphoneUnavailableError(`Softphone unavailable: set the ${list(missing.map((k) => labels[k]))}.`, [...missing]);
  }
  const malformed = (['accountSid', 'apiKeySid', 'twimlAppSid'] as const).filter((key) => {
    const v = value(key);
    return v !== null && !SID_FORMATS[key].pattern.test(v);
  });
  if (malformed.length > 0) {
    const what = malformed.map((k) => `${labels[k]} (${SID_FORMATS[k].prefix} followed by 32 hex digits)`);
    throw new SoftphoneUnavailableError(`Softphone unavailable: check the ${list(what)}.`, [...malformed]);
  }
  return {
    accountSid: value('accountSid')!,
    apiKeySid: value('apiKeySid')!,
    apiKeySecret: value('apiKeySecret')!,
    twimlAppSid: value('twimlAppSid'),
  };
}

/**
 * A stable Twilio client identity for the agent: `agent_` + the settings' agent name folded
 * to lower-case ASCII letters, digits and underscores ("Zoë O'Brien" -> "agent_zoe_o_brien").
 * The take-over TwiML dials this identity, so the same name always gives the same identity.
 */
export function softphoneIdentity(agentName: string): string {
  const slug = agentName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  const identity = `agent_${slug || 'console'}`;
  if (!SOFTPHONE_IDENTITY_PATTERN.test(identity)) throw new Error('softphone identity did not sanitise'); // unreachable
  return identity;
}

/** Mints a Voice access token for `agentName`'s softphone. */
export function mintSoftphoneToken(
  credentials: SoftphoneCredentials,
  options: { agentName: string; ttlSeconds?: number },
): SoftphoneToken {
  const ttl = options.ttlSeconds ?? SOFTPHONE_TOKEN_TTL_S;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TTL_S) throw new RangeError(`softphone token ttl must be 60..${MAX_TTL_S} s`);
  const identity = softphoneIdentity(options.agentName);
  const token = new AccessToken(credentials.accountSid, credentials.apiKeySid, credentials.apiKeySecret, { identity, ttl });
  token.addGrant(
    new VoiceGrant({
      incomingAllow: true,
      ...(credentials.twimlAppSid ? { outgoingApplicationSid: credentials.twimlAppSid } : {}),
    }),
  );
  const jwt = token.toJwt();
  return { token: jwt, identity, expiresAt: expiryMs(jwt) };
}

/** The token's own `exp` (the library stamps iat/exp from its clock), in epoch ms. */
function expiryMs(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
  if (typeof payload.exp !== 'number') throw new Error('minted token has no exp');
  return payload.exp * 1000;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
