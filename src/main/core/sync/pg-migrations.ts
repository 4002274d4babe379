/**
 * The team database's schema (PostgreSQL), created and upgraded by the desks themselves.
 *
 * Numbered migrations, recorded in `switchboard_schema`; all pending ones run in one
 * transaction that first takes a transaction-scoped advisory lock, so twenty desks starting
 * at once queue on the lock and each sees the schema the first one left (PostgreSQL's DDL is
 * transactional: a failed migration leaves nothing behind). Like the desk's SQLite schema,
 * migrations are additive only: a desk running an older Switchboard keeps syncing into a
 * newer schema (its upserts name their columns), so a team upgrades desk by desk.
 *
 * What is kept mirrors the desk's tables, minus what must not leave the desk: redaction
 * originals (utterances.original_text, call_events.original_data) and recordings (audio stays
 * local). No foreign keys between the tables: desks sync concurrently and a call's lines may
 * land before its call row after a re-sync; queries join on call_id, and deletes (retention)
 * arrive for every row, children included.
 *
 * Times are double precision, not bigint: call-clock times are fractional milliseconds on the
 * desk (a line starting at 12070.625 ms), and epoch milliseconds are exact in a double.
 */
import type { ClientBase } from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Arbitrary, fixed: the advisory lock every desk takes to migrate (pg_advisory_xact_lock(bigint)). */
export const SCHEMA_LOCK_KEY = 0x5357_4244_0001n;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: /* sql */ `
CREATE TABLE desks (
  id           text        PRIMARY KEY,
  name         text        NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_sync_at timestamptz
);

CREATE TABLE calls (
  id                     text    PRIMARY KEY,
  desk_id                text    NOT NULL,
  call_sid               text    NOT NULL,
  direction              text    NOT NULL,
  from_number            text    NOT NULL,
  to_number              text    NOT NULL,
  status                 text    NOT NULL,
  controller             text    NOT NULL,
  started_at             double precision  NOT NULL,
  ended_at               double precision,
  scenario               text,
  end_reason             text,
  intent                 text,
  caller_sentiment_avg   double precision,
  caller_sentiment_first double precision,
  caller_sentiment_last  double precision,
  taken_over_at_ms       double precision,
  alert_count            integer NOT NULL DEFAULT 0
);
CREATE INDEX calls_by_started_at ON calls (started_at DESC, id DESC);
CREATE INDEX calls_by_desk ON calls (desk_id, started_at DESC);
CREATE INDEX calls_by_duration ON calls ((ended_at - started_at), id);
CREATE INDEX calls_by_sentiment ON calls (caller_sentiment_avg, id);

CREATE TABLE utterances (
  id              text    PRIMARY KEY,
  call_id         text    NOT NULL,
  seq             integer NOT NULL,
  speaker         text    NOT NULL,
  text            text    NOT NULL,
  start_ms        double precision  NOT NULL,
  end_ms          double precision  NOT NULL,
  sentiment_score double precision,
  sentiment_label text,
  interrupted     boolean NOT NULL DEFAULT false,
  intent          text,
  redacted_kinds  text
);
CREATE INDEX utterances_by_call ON utterances (call_id, seq);
-- Team search: PostgreSQL full-text search, English stemming (the desk's FTS5 uses porter).
CREATE INDEX utterances_fts ON utterances USING gin (to_tsvector('english', text));

CREATE TABLE call_events (
  id      text    PRIMARY KEY,
  call_id text    NOT NULL,
  seq     integer NOT NULL,
  type    text    NOT NULL,
  at_ms   double precision  NOT NULL,
  data    jsonb   NOT NULL DEFAULT '{}'
);
CREATE INDEX call_events_by_call ON call_events (call_id, seq);
CREATE INDEX call_events_by_type ON call_events (type, call_id);

CREATE TABLE turn_metrics (
  turn_id               text    PRIMARY KEY,
  call_id               text    NOT NULL,
  seq                   integer NOT NULL,
  speech_end_at_ms      double precision  NOT NULL,
  stt_final_at_ms       double precision  NOT NULL,
  llm_first_token_at_ms double precision,
  tts_first_byte_at_ms  double precision,
  first_audio_at_ms     double precision,
  stt_label             text    NOT NULL,
  llm_label             text    NOT NULL,
  tts_label             text    NOT NULL
);
CREATE INDEX turn_metrics_by_call ON turn_metrics (call_id, seq);

CREATE TABLE call_facts (
  id      text    PRIMARY KEY,
  call_id text    NOT NULL,
  seq     integer NOT NULL,
  key     text    NOT NULL,
  value   text    NOT NULL,
  at_ms   double precision  NOT NULL
);
CREATE INDEX call_facts_by_call ON call_facts (call_id, seq);

CREATE TABLE wrap_ups (
  call_id              text    PRIMARY KEY,
  disposition          text    NOT NULL,
  resolution           text    NOT NULL,
  summary              jsonb   NOT NULL,
  notes                text    NOT NULL DEFAULT '',
  source               text    NOT NULL,
  proposed_disposition text,
  started_at           double precision  NOT NULL,
  saved_at             double precision  NOT NULL,
  wrap_up_ms           double precision  NOT NULL
);
CREATE INDEX wrap_ups_by_disposition ON wrap_ups (lower(disposition), call_id);
`,
  },
  {
    // Each turn carries its call's start, kept by the database itself, so the dashboard's
    // latency figures for a time range read turn_metrics alone instead of joining 383,000
    // turns to their calls (team-analytics.ts). Triggers rather than a column the desks send:
    // a desk running an older Switchboard keeps syncing (its upserts do not name the column),
    // and a turn that lands before its call (a re-sync) is filled in when the call arrives.
    // A turn whose call never arrived keeps NULL, and no time range includes it: the same
    // turns the join finds.
    version: 2,
    name: 'turn call start',
    sql: /* sql */ `
ALTER TABLE turn_metrics ADD COLUMN call_started_at double precision;
UPDATE turn_metrics m SET call_started_at = c.started_at FROM calls c WHERE c.id = m.call_id;

CREATE FUNCTION switchboard_turn_call_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.call_started_at := (SELECT c.started_at FROM calls c WHERE c.id = NEW.call_id);
  RETURN NEW;
END $$;
CREATE TRIGGER turn_metrics_call_start BEFORE INSERT OR UPDATE ON turn_metrics
  FOR EACH ROW EXECUTE FUNCTION switchboard_turn_call_start();

CREATE FUNCTION switchboard_call_start_to_turns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE turn_metrics SET call_started_at = NEW.started_at
  WHERE call_id = NEW.id AND call_started_at IS DISTINCT FROM NEW.started_at;
  RETURN NULL;
END $$;
CREATE TRIGGER calls_start_to_turns AFTER INSERT OR UPDATE OF started_at ON calls
  FOR EACH ROW EXECUTE FUNCTION switchboard_call_start_to_turns();
`,
  },
];

export const LATEST_PG_VERSION = PG_MIGRATIONS.at(-1)!.version;

/** The schema from which turn_metrics.call_started_at exists (team-analytics.ts reads it). */
export const TURN_CALL_START_SCHEMA = 2;

/**
 * Brings the team database up to date (or leaves it, if another desk already did). Returns
 * the schema version before and after. A database newer than this desk knows is fine
 * (migrations are additive): it is used as it is.
 */
export async function migrateTeamDatabase(
  client: ClientBase,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS switchboard_schema (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM switchboard_schema');
    const from = rows[0]?.version ?? 0;
    let to = from;
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO switchboard_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      to = migration.version;
    }
    await client.query('COMMIT');
    return { from, to };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
