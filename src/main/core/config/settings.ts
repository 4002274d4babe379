/**
 * Console settings, kept with `conf` (a JSON file with atomic writes) in the data folder.
 * The Electron shell keeps secrets separately (safeStorage); nothing secret lives here.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { PublicSettings } from '@shared/domain';
import { DEFAULT_DISPOSITIONS } from '@shared/wrapup';
import { PRIVATE_FILE_MODE, tightenFile } from '../privacy/private-files';

export const DEFAULT_SETTINGS: PublicSettings = {
  agentName: 'Agent',
  businessName: 'Brightwave Broadband',
  silenceRepromptMs: 8000,
  // Turn-taking (issue 14), measured with `npm run bench:bargein -- --mode onset` (README):
  // mode 1 and 60 ms of voice stop the AI 40 ms after the caller's voice starts (p95). The
  // window must outlast the recogniser's first interim (400 ms there), or a short real word
  // is resumed over: at 450 ms every interruption was cut off and a cough's gap was 260 ms
  // p95 (500 ms: 320; 600 ms: 420).
  bargeInVadMode: 1,
  bargeInMinVoicedMs: 60,
  bargeInResumeWindowMs: 450,
  // Demo calls are recorded out of the box; real calls only once the team decides to (the
  // caller is told, and the law on recording calls differs by country).
  recordDemoCalls: true,
  recordRealCalls: false,
  // "One moment, please" after 8 s of a paused AI: long enough for a quick whisper, short
  // enough that the caller does not think the line dropped.
  pauseHoldLineMs: 8000,
  waitCompanyMs: 20000,
  waitOfferMs: 60000,
  // The wrap-up's choices (issue 8); a team edits the list in settings.json or Settings.
  dispositions: [...DEFAULT_DISPOSITIONS],
  // Privacy (issue 10): store redacted text only; emails masked, phone numbers kept (agents
  // call back on the number a caller gives); the cloud LLM sees redacted lines.
  redactionMode: 'redacted',
  redactEmails: true,
  redactPhoneNumbers: false,
  redactBeforeCloudLlm: true,
  showOriginalToConsole: false,
  keepCallsDays: 90,
  keepRecordingsDays: 30,
  // Team sync (issue 12): the machine's name until the agent names the desk; TLS always on.
  teamDeskName: hostname().slice(0, 60) || 'Desk',
  teamTls: 'require',
  teamCaFile: '',
};

export interface SettingsStore {
  get(): PublicSettings;
  update(patch: Partial<PublicSettings>): PublicSettings;
}

export function createSettings(dataDir: string): SettingsStore {
  let conf: Conf<PublicSettings>;
  try {
    conf = new Conf<PublicSettings>({ cwd: dataDir, configName: 'settings', defaults: DEFAULT_SETTINGS, configFileMode: PRIVATE_FILE_MODE });
  } catch (error) {
    // Refuse rather than overwrite: the user may want what is in that file.
    if (error instanceof SyntaxError) {
      throw new Error(`${join(dataDir, 'settings.json')} is not valid JSON (${error.message}); fix or remove it`);
    }
    throw error;
  }
  tightenFile(conf.path); // privacy (issue 10): 0600, also when an older build wrote it 0644
  const read = (): PublicSettings => {
    // A hand-edited or older file may hold bad values: fall back per field, never crash.
    const stored: Record<string, unknown> = conf.store;
    const settings: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(PublicSettings.shape)) {
      const parsed = field.safeParse(stored[key]);
      settings[key] = parsed.success ? parsed.data : DEFAULT_SETTINGS[key as keyof PublicSettings];
    }
    return settings as PublicSettings;
  };
  return {
    get: read,
    update(patch) {
      const next = PublicSettings.parse({ ...read(), ...patch });
      conf.set(next);
      return next;
    },
  };
}
