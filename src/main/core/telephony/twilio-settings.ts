/**
 * Twilio account settings, kept with `conf` in the data folder (`telephony.json`). Nothing
 * secret lives here: the auth token and API key secret are SecretNames in the SecretStore.
 * A hand-edited file with a bad field falls back to that field's default, never a crash.
 */
import { join } from 'node:path';
import Conf from 'conf';
import type { CallDirection } from '@shared/domain';
import { TelephonySettings, type CallTransport } from '@shared/telephony';
import { PRIVATE_FILE_MODE, tightenFile } from '../privacy/private-files';

export const DEFAULT_TELEPHONY_SETTINGS: TelephonySettings = {
  accountSid: null,
  apiKeySid: null,
  twimlAppSid: null,
  phoneNumbers: [],
  publicBaseUrl: null,
  doNotCall: [],
  allowedHours: { start: '08:00', end: '21:00' },
  allowedCountries: null,
  maxLiveStreams: 200,
  relayNumbers: [],
  // Set explicitly: Twilio's defaults are not documented [?] (protocols-2.md §1).
  relay: { ttsProvider: 'ElevenLabs', voice: '', transcriptionProvider: 'Deepgram', language: 'en-US' },
  localPort: 0,
};

/** The paths Twilio calls on publicBaseUrl. */
export const TWILIO_PATHS = {
  voice: '/twilio/voice',
  status: '/twilio/status',
  streamStatus: '/twilio/stream-status',
  /** Twilio's recording of the agent's softphone leg (<Dial record>) is ready (issue 7). */
  recordingStatus: '/twilio/recording-status',
  media: '/media',
  /** ConversationRelay's WebSocket (issue 11). */
  relay: '/relay',
  /** Twilio asks here what to do once a ConversationRelay session ends (`<Connect action>`). */
  relayEnded: '/twilio/relay-ended',
} as const;

export interface TelephonySettingsStore {
  get(): TelephonySettings;
  /** Validates the merged result; throws a ZodError (bad_request at the dispatcher) if invalid. */
  update(patch: Partial<TelephonySettings>): TelephonySettings;
}

export function createTelephonySettings(dataDir: string): TelephonySettingsStore {
  let conf: Conf<TelephonySettings>;
  try {
    conf = new Conf<TelephonySettings>({ cwd: dataDir, configName: 'telephony', defaults: DEFAULT_TELEPHONY_SETTINGS, configFileMode: PRIVATE_FILE_MODE });
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new Error(`${join(dataDir, 'telephony.json')} is not valid JSON (${error.message}); fix or remove it`);
    }
    throw error;
  }
  tightenFile(conf.path); // privacy (issue 10): 0600, also when an older build wrote it 0644
  const read = (): TelephonySettings => {
    const stored: Record<string, unknown> = conf.store;
    const settings: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(TelephonySettings.shape)) {
      const parsed = field.safeParse(stored[key]);
      settings[key] = parsed.success ? parsed.data : DEFAULT_TELEPHONY_SETTINGS[key as keyof TelephonySettings];
    }
    return settings as TelephonySettings;
  };
  // Read once and kept (frozen, so no caller can change it behind the file): every dial, every
  // campaign decision and every webhook reads these, and parsing the file each time cost
  // milliseconds a decision (issue 15's bench). The console is the file's only writer.
  let current = freezeSettings(read());
  return {
    get: () => current,
    update(patch) {
      const merged = TelephonySettings.parse({ ...current, ...patch });
      // One spelling per number, so look-ups (do-not-call, caller ID) are exact.
      const phoneNumbers = [...new Set(merged.phoneNumbers)];
      // A number removed from the console takes its ConversationRelay choice with it.
      const relayNumbers = [...new Set(merged.relayNumbers)].filter((n) => phoneNumbers.includes(n));
      const next = { ...merged, phoneNumbers, relayNumbers, doNotCall: [...new Set(merged.doNotCall)] };
      conf.set(next);
      current = freezeSettings(next);
      return current;
    },
  };
}

function freezeSettings(settings: TelephonySettings): TelephonySettings {
  for (const value of Object.values(settings)) if (typeof value === 'object' && value !== null) Object.freeze(value);
  return Object.freeze(settings);
}

/**
 * How a real call reaches the core: ConversationRelay when the console's number on it (the
 * called number inbound, the caller ID outbound) is one of `relayNumbers`, else Media Streams.
 */
export function transportFor(settings: TelephonySettings, call: { direction: CallDirection; from: string; to: string }): CallTransport {
  const ours = call.direction === 'outbound' ? call.from : call.to;
  return settings.relayNumbers.includes(ours) ? 'relay' : 'media';
}

/** publicBaseUrl without a trailing slash, or null. */
export function publicOrigin(settings: TelephonySettings): string | null {
  return settings.publicBaseUrl ? new URL(settings.publicBaseUrl).origin : null;
}
