/**
 * Telephony (Twilio) shapes shared by the core and the renderer: the account settings,
 * the outbound-call command's refusals, and status callbacks as the console records them.
 */
import { z } from 'zod';
import { CallDirection, SecretStatus, type CallTransport } from './domain';

export type { CallTransport };

/** A phone number in E.164 form (+, country code, subscriber number; no spaces). */
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +14155550100');

/** A wall-clock time, 24-hour HH:MM; 24:00 is midnight at the end of the day. */
export const ClockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a 24-hour time such as 08:00');

/** ConversationRelay's voice, recogniser and language (Twilio's attributes; protocols-2.md §1). */
export const RelaySpeech = z.object({
  ttsProvider: z.enum(['ElevenLabs', 'Google', 'Amazon']),
  /** The provider's voice id or name; empty: the provider's default voice. */
  voice: z
    .string()
    .trim()
    .max(100, 'at most 100 characters')
    .regex(/^[\w.\-:]*$/, 'a voice id has letters, digits, dots, dashes, colons and underscores only'),
  transcriptionProvider: z.enum(['Deepgram', 'Google']),
  /** BCP-47, such as en-US. */
  language: z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'a language such as en-US'),
});
export type RelaySpeech = z.infer<typeof RelaySpeech>;

/**
 * Twilio account settings (not secret: the auth token and API key secret are SecretNames).
 * Outbound calls are placed only to valid numbers, never to the do-not-call list, and only
 * while the callee's local time is within `allowedHours` (see outbound-rules.ts).
 */
export const TelephonySettings = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an Account SID is AC followed by 32 hex digits').nullable(),
  /** Optional: REST calls use this API key (with twilioApiKeySecret) instead of the auth token. */
  apiKeySid: z.string().regex(/^SK[0-9a-fA-F]{32}$/, 'an API key SID is SK followed by 32 hex digits').nullable(),
  /** Optional TwiML app (AP…) for calls the agent's softphone places. */
  twimlAppSid: z.string().regex(/^AP[0-9a-fA-F]{32}$/, 'a TwiML app SID is AP followed by 32 hex digits').nullable(),
  /** The account's numbers this console answers and calls from; the first is the default caller ID. */
  phoneNumbers: z.array(E164).max(50),
  /** https origin Twilio reaches (a tunnel to `localUrl`): webhooks and the media stream. */
  publicBaseUrl: z
    .url({ protocol: /^https$/, error: 'expected an https:// URL' })
    .refine((v) => {
      const u = new URL(v);
      return u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
    }, 'expected an origin only, such as https://example.ngrok.app (no path, query or credentials)')
    .nullable(),
  doNotCall: z.array(E164).max(100_000),
  /** Outbound calls only while the callee's local time is in [start, end). */
  allowedHours: z
    .object({ start: ClockTime, end: ClockTime })
    .refine((h) => h.start < h.end, 'allowedHours.start must be before allowedHours.end'),
  /**
   * Countries (ISO 3166 alpha-2) outbound calls may go to (toll-fraud guard). Null: the
   * countries of this console's own phone numbers, like Twilio's geo permissions default.
   */
  allowedCountries: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'a country is a two-letter ISO code such as US'))
    .max(250)
    .nullable(),
  /** Live media streams (calls) the bridge carries at once; past it new streams are refused. */
  maxLiveStreams: z.number().int('a whole number of calls').min(1, 'at least 1 call').max(5000, 'at most 5,000 calls'),
  /**
   * Numbers (of `phoneNumbers`) whose calls use Twilio ConversationRelay instead of Media
   * Streams: Twilio does speech-to-text and text-to-speech, the console exchanges text.
   */
  relayNumbers: z.array(E164).max(50),
  /** The speech Twilio does on ConversationRelay calls (its providers, not the console's engines). */
  relay: RelaySpeech,
  /** Loopback port of the public server (webhooks + /media) the tunnel forwards to; 0 (a new install) settles on one at the first start and saves it. */
  localPort: z.number().int('a port is a whole number').min(0, 'a port is a number from 1 to 65535').max(65535, 'a port is a number from 1 to 65535'),
});
export type TelephonySettings = z.infer<typeof TelephonySettings>;

/** Twilio's CallStatus values, as status callbacks report them. */
export const TwilioCallStatus = z.enum(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled']);
export type TwilioCallStatus = z.infer<typeof TwilioCallStatus>;

/** A Twilio status callback for a call, as the console records it. `at` is epoch ms. */
export const TelephonyCallStatus = z.object({
  callSid: z.string(),
  /** The console's call id, once the call has one (a stream was admitted, or a record was stored). */
  callId: z.string().nullable(),
  status: TwilioCallStatus,
  direction: CallDirection,
  from: z.string(),
  to: z.string(),
  at: z.number(),
  /** Twilio's CallDuration (seconds) on `completed`, else null. */
  durationSec: z.number().int().nonnegative().nullable(),
});
export type TelephonyCallStatus = z.infer<typeof TelephonyCallStatus>;

/** What `telephony.get` / `telephony.update` answer. Secrets appear as statuses only. */
export const TelephonyState = z.object({
  settings: TelephonySettings,
  /** twilioAuthToken (webhook signatures; REST without an API key) and twilioApiKeySecret. */
  secrets: z.array(SecretStatus),
  /** True when real calls can be answered and placed. */
  ready: z.boolean(),
  /** What is still missing for real calls, in words, empty when ready. */
  missing: z.array(z.string()),
  /** http://127.0.0.1:PORT the tunnel must forward to (webhooks and /media), null if not listening. */
  localUrl: z.string().nullable(),
  /** Why the public server is not listening (its port is taken by another program…), in words; null when it listens. */
  listenProblem: z.string().nullable(),
  /** The URLs to give Twilio (telephony.configureNumber sets them), null without publicBaseUrl. */
  webhooks: z.object({ voice: z.string(), status: z.string(), streamStatus: z.string(), media: z.string(), relay: z.string() }).nullable(),
});
export type TelephonyState = z.infer<typeof TelephonyState>;

export const DialRequest = z
  .object({
    /** The callee, E.164. Checked against validity, the do-not-call list and allowed hours. */
    to: z.string().trim().min(1).max(40),
    /** Caller ID: one of settings.phoneNumbers (default: the first). */
    from: E164.optional(),
    /** Why the AI calls: given to the AI as context for the call. */
    purpose: z.string().trim().min(1).max(2000),
    /** Optional script the AI follows. */
    script: z.string().trim().min(1).max(20_000).optional(),
    /** The AI profile the call runs with (issue 15); omitted: the default profile. */
    profileId: z.string().min(1).max(100).optional(),
  })
  .strict();
export type DialRequest = z.infer<typeof DialRequest>;

export const DialResult = z.object({
  callSid: z.string(),
  /** Twilio's status when it accepted the call (queued). */
  status: z.string(),
  /** The console's id for this dial: outbound streams carry it as the `dial` parameter. */
  dialId: z.string(),
});
export type DialResult = z.infer<typeof DialResult>;

export const ConfiguredNumber = z.object({
  phoneNumber: E164,
  /** Twilio's IncomingPhoneNumber SID (PN…). */
  sid: z.string(),
  voiceUrl: z.string(),
  statusCallback: z.string(),
});
export type ConfiguredNumber = z.infer<typeof ConfiguredNumber>;
