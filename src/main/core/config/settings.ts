/**
 * Console settings, kept with `conf` (a JSON file with atomic writes) in the data folder.
 * The Electron shell keeps secrets separately (safeStorage); nothing secret lives here.
 */
import Conf from 'conf';
import { PublicSettings } from '@shared/domain';

export const DEFAULT_SETTINGS: PublicSettings = {
  agentName: 'Agent',
  businessName: 'Brightwave Broadband',
  silenceRepromptMs: 8000,
};

export interface SettingsStore {
  get(): PublicSettings;
  update(patch: Partial<PublicSettings>): PublicSettings;
}

export function createSettings(dataDir: string): SettingsStore {
  const conf = new Conf<PublicSettings>({ cwd: dataDir, configName: 'settings', defaults: DEFAULT_SETTINGS });
  const read = (): PublicSettings => {
    // A hand-edited or older file may hold bad values: fall back per field, never crash.
    const parsed = PublicSettings.safeParse({ ...DEFAULT_SETTINGS, ...conf.store });
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
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
