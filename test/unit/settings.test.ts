import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSettings, DEFAULT_SETTINGS } from '../../src/main/core/config/settings';

const freshDir = () => mkdtempSync(join(tmpdir(), 'switchboard-settings-'));

describe('settings (conf, in the data folder)', () => {
  it('starts from defaults and keeps updates across restarts', () => {
    const dir = freshDir();
    expect(createSettings(dir).get()).toEqual(DEFAULT_SETTINGS);
    createSettings(dir).update({ agentName: 'Priya', silenceRepromptMs: 12_000 });
    expect(createSettings(dir).get()).toEqual({ ...DEFAULT_SETTINGS, agentName: 'Priya', silenceRepromptMs: 12_000 });
  });

  it('refuses invalid values and keeps what was there', () => {
    const dir = freshDir();
    const settings = createSettings(dir);
    expect(() => settings.update({ silenceRepromptMs: 5 })).toThrow(/silenceRepromptMs/);
    expect(() => settings.update({ agentName: '' })).toThrow();
    expect(createSettings(dir).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('says clearly when the settings file is not JSON, and leaves it alone', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), '{ not json');
    expect(() => createSettings(dir)).toThrow(/settings\.json.*not valid JSON/);
  });

  it('falls back to defaults for a hand-edited file with bad values instead of crashing', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ agentName: 42, businessName: 'Acme' }));
    expect(createSettings(dir).get()).toEqual({ ...DEFAULT_SETTINGS, businessName: 'Acme' });
  });
});
