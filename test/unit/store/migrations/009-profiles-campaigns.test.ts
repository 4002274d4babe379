import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../../src/main/core/store/migrations/index';
import { migration009ProfilesCampaigns } from '../../../../src/main/core/store/migrations/009-profiles-campaigns';
import { migrate } from '../../../../src/main/core/store/migrations/runner';
import { makeTempDir } from '../helpers';

describe('migration 009-profiles-campaigns', () => {
  let cleanup: () => void;
  let db: Database.Database;
  const upTo8 = MIGRATIONS.filter((m) => m.version < 9);

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir());
    db = new Database(join(dir, 'v8.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, { migrations: upTo8 });
    db.exec(`INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller, started_at, ended_at)
             VALUES ('call-1', 'CA1', 'inbound', '+1', '+2', 'ended', 'ai', 0, 60000);`);
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  it('adds profile and campaign columns to calls as nulls, keeping every stored call', () => {
    expect(migrate(db, { migrations: [...upTo8, migration009ProfilesCampaigns] })).toEqual({ from: 8, to: 9 });
    expect(db.prepare(`SELECT id, profile_id, profile_version, campaign_id FROM calls`).all()).toEqual([
      { id: 'call-1', profile_id: null, profile_version: null, campaign_id: null },
    ]);
  });

  it("keeps each campaign's lead counts by state and outcome in step with its leads", () => {
    migrate(db, { migrations: [...upTo8, migration009ProfilesCampaigns] });
    db.exec(`INSERT INTO ai_profiles (id, version, is_default, created_at, updated_at) VALUES ('p', 1, 1, 0, 0);
             INSERT INTO campaigns (id, state, profile_id, settings, created_at, updated_at) VALUES ('k', 'draft', 'p', '{}', 0, 0);`);
    const add = db.prepare(`INSERT INTO campaign_leads (campaign_id, number, updated_at) VALUES ('k', ?, 0)`);
    for (let i = 0; i < 5; i++) add.run(`+4420794600${i}`);
    const counts = () => db.prepare(`SELECT state, outcome, n FROM campaign_lead_counts WHERE n > 0 ORDER BY state, outcome`).all();
    expect(counts()).toEqual([{ state: 'pending', outcome: '', n: 5 }]);
    db.exec(`UPDATE campaign_leads SET state = 'dialling' WHERE id IN (1, 2)`);
    db.exec(`UPDATE campaign_leads SET state = 'done', outcome = 'answered' WHERE id = 1`);
    db.exec(`UPDATE campaign_leads SET state = 'pending', outcome = 'busy' WHERE id = 2`);
    db.exec(`UPDATE campaign_leads SET updated_at = 5 WHERE id = 3`); // no state change: no count change
    db.exec(`DELETE FROM campaign_leads WHERE id = 5`);
    expect(counts()).toEqual([
      { state: 'done', outcome: 'answered', n: 1 },
      { state: 'pending', outcome: '', n: 2 },
      { state: 'pending', outcome: 'busy', n: 1 },
    ]);
  });
});
