/**
 * Private files (issue 10), piece by piece on real files: the call database and the journal
 * files SQLite creates by itself, the settings files kept with `conf`, and the data folder.
 * (test/integration/private-files.test.ts walks a whole data folder after a real call.)
 */
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertRuleStore } from '../../../src/main/core/alerts/rule-store';
import { createSettings } from '../../../src/main/core/config/settings';
import { silentLogger } from '../../../src/main/core/log';
import { makePrivateDir, tightenFile } from '../../../src/main/core/privacy/private-files';
import { openDatabase } from '../../../src/main/core/store/db';
import { createTelephonySettings } from '../../../src/main/core/telephony/twilio-settings';
import { makeTempDir } from '../store/helpers';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('private files', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir('switchboard-private-')));
  afterEach(() => cleanup());

  it('creates the database 0600, and SQLite creates its -wal and -shm 0600 after it', () => {
    const file = join(dir, 'data', 'switchboard.db');
    const db = openDatabase(file);
    try {
      db.exec("INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at) VALUES ('c', 'CA', 'inbound', '+1', '+2', 'active', 'ai', 0)");
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect([mode(join(dir, 'data')), mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual(['700', '600', '600', '600']);
    } finally {
      db.close();
    }
  });

  it('tightens a database an older build left 0644, and journal files a crash left behind', () => {
    const file = join(dir, 'switchboard.db');
    openDatabase(file).close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    const db = openDatabase(file);
    try {
      expect([mode(file), mode(`${file}-wal`)]).toEqual(['600', '600']);
    } finally {
      db.close();
    }
  });

  it('writes settings.json, telephony.json and alert-rules.json 0600, and tightens older ones', () => {
    const settings = createSettings(dir);
    settings.update({ keepCallsDays: 30 });
    const telephony = createTelephonySettings(dir);
    telephony.update({ publicBaseUrl: 'https://example.ngrok.app' });
    const rules = createAlertRuleStore(dir, silentLogger);
    rules.save(rules.get());
    const files = ['settings.json', 'telephony.json', 'alert-rules.json'].map((name) => join(dir, name));
    expect(files.map(mode)).toEqual(['600', '600', '600']);

    for (const file of files) chmodSync(file, 0o644);
    createSettings(dir);
    createTelephonySettings(dir);
    createAlertRuleStore(dir, silentLogger);
    expect(files.map(mode)).toEqual(['600', '600', '600']);
  });

  it('creates the data folder 0700, and tightens one left open with a warning', () => {
    const fresh = join(dir, 'a', 'b');
    makePrivateDir(fresh);
    expect(mode(fresh)).toBe('700');

    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    const lines: string[] = [];
    const logger = pino(new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    makePrivateDir(open, logger);
    expect(mode(open)).toBe('700');
    expect(lines.join('')).toMatch(/"mode":"755".*data folder was open to other users/);
  });

  it('tightenFile leaves a missing file and a symlink alone, and keeps the owner bits', () => {
    expect(tightenFile(join(dir, 'missing'))).toBe(false);
    const file = join(dir, 'f');
    writeFileSync(file, 'x', { mode: 0o444 });
    expect(tightenFile(file)).toBe(true);
    expect(mode(file)).toBe('400');
    expect(tightenFile(file)).toBe(false);
  });
});
