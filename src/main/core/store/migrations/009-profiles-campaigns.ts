import type { Migration } from './migration';

/**
 * AI profiles and outbound campaigns (issue 15).
 *
 * Profiles: every save is a new row in `ai_profile_versions` holding the whole profile
 * (fields and knowledge-base articles) as JSON, so a call's `profile_id` + `profile_version`
 * say exactly what it ran with, however the profile changed since. `ai_profiles.version` is
 * the current one. A deleted profile keeps its versions (History still names it) and only
 * gets `deleted_at`. The default profile is created by the profile store on first start, from
 * today's greetings and the shipped knowledge base (it needs the resources folder).
 *
 * Campaigns: leads are rows, never held in memory as a list; the scheduler reads the next due
 * ones through `campaign_leads_due`. A dial is claimed in a transaction (an attempt row with
 * no call_sid yet, the lead in 'dialling') before the Twilio request, so after a crash an
 * attempt without an outcome is reconciled with Twilio instead of being dialled again.
 *
 * calls gains profile_id, profile_version and campaign_id (nullable: older calls have none).
 * Team sync sends the columns sync/team-tables.ts names, so these stay on the desk until the
 * team schema gains them.
 */
const SQL = /* sql */ `
CREATE TABLE ai_profiles (
  id          TEXT    NOT NULL PRIMARY KEY,
  version     INTEGER NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  deleted_at  INTEGER
);
CREATE TABLE ai_profile_versions (
  profile_id  TEXT    NOT NULL REFERENCES ai_profiles (id),
  version     INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  profile     TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (profile_id, version)
) WITHOUT ROWID;

-- Which profile answers an inbound number (absent: the default profile).
CREATE TABLE inbound_number_profiles (
  phone_number TEXT NOT NULL PRIMARY KEY,
  profile_id   TEXT NOT NULL REFERENCES ai_profiles (id)
) WITHOUT ROWID;

ALTER TABLE calls ADD COLUMN profile_id TEXT;
ALTER TABLE calls ADD COLUMN profile_version INTEGER;
ALTER TABLE calls ADD COLUMN campaign_id TEXT;
CREATE INDEX calls_by_profile ON calls (profile_id, started_at) WHERE profile_id IS NOT NULL;

CREATE TABLE campaigns (
  id          TEXT    NOT NULL PRIMARY KEY,
  kind        TEXT    NOT NULL DEFAULT 'campaign',
  state       TEXT    NOT NULL,
  profile_id  TEXT    NOT NULL REFERENCES ai_profiles (id),
  settings    TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE campaign_leads (
  id               INTEGER PRIMARY KEY,
  campaign_id      TEXT    NOT NULL REFERENCES campaigns (id),
  line             INTEGER,
  number           TEXT    NOT NULL,
  name             TEXT,
  context          TEXT    NOT NULL DEFAULT '{}',
  state            TEXT    NOT NULL DEFAULT 'pending',
  outcome          TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_at          INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  last_ended_at    INTEGER,
  last_call_sid    TEXT,
  refusal          TEXT,
  opted_out        INTEGER NOT NULL DEFAULT 0,
  updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX campaign_leads_number ON campaign_leads (campaign_id, number);
CREATE INDEX campaign_leads_due ON campaign_leads (campaign_id, state, next_at, id);

CREATE TABLE campaign_attempts (
  id           TEXT    NOT NULL PRIMARY KEY,
  campaign_id  TEXT    NOT NULL REFERENCES campaigns (id),
  lead_id      INTEGER NOT NULL REFERENCES campaign_leads (id),
  number       TEXT    NOT NULL,
  caller_id    TEXT    NOT NULL,
  claimed_at   INTEGER NOT NULL,
  call_sid     TEXT,
  answered_at  INTEGER,
  answered_by  TEXT,
  outcome      TEXT,
  ended_at     INTEGER
);
-- Leads by state and outcome per campaign, kept by triggers in the same transaction as every
-- change: the progress a campaign shows is one small read, however many leads it has.
CREATE TABLE campaign_lead_counts (
  campaign_id TEXT    NOT NULL,
  state       TEXT    NOT NULL,
  outcome     TEXT    NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, state, outcome)
) WITHOUT ROWID;
CREATE TRIGGER campaign_leads_count_insert AFTER INSERT ON campaign_leads BEGIN
  INSERT INTO campaign_lead_counts (campaign_id, state, outcome, n) VALUES (new.campaign_id, new.state, coalesce(new.outcome, ''), 1)
    ON CONFLICT (campaign_id, state, outcome) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER campaign_leads_count_update AFTER UPDATE OF state, outcome ON campaign_leads
  WHEN old.state IS NOT new.state OR old.outcome IS NOT new.outcome BEGIN
  UPDATE campaign_lead_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND state = old.state AND outcome = coalesce(old.outcome, '');
  INSERT INTO campaign_lead_counts (campaign_id, state, outcome, n) VALUES (new.campaign_id, new.state, coalesce(new.outcome, ''), 1)
    ON CONFLICT (campaign_id, state, outcome) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER campaign_leads_count_delete AFTER DELETE ON campaign_leads BEGIN
  UPDATE campaign_lead_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND state = old.state AND outcome = coalesce(old.outcome, '');
END;

CREATE INDEX campaign_attempts_open ON campaign_attempts (campaign_id) WHERE outcome IS NULL;
CREATE INDEX campaign_attempts_by_sid ON campaign_attempts (call_sid) WHERE call_sid IS NOT NULL;
CREATE INDEX campaign_attempts_by_lead ON campaign_attempts (lead_id);
`;

export const migration009ProfilesCampaigns: Migration = {
  version: 9,
  name: 'profiles-campaigns',
  up(db) {
    db.exec(SQL);
  },
};
