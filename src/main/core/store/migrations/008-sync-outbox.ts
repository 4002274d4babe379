import type { Migration } from './migration';

/**
 * Team sync (issue 12): every change to a synced table is recorded in `sync_outbox` by a
 * trigger, so it is part of the very transaction that stores it: a crash, a killed process or
 * a week offline cannot lose a change, and no code path can forget to record one.
 *
 * An entry names a row (table + key), not its contents: the sync worker sends each named
 * row's state as it is when the entry is drained (or deletes it in the team database if the
 * row is gone). Many changes to one row (a call's row is updated by every caller line's
 * sentiment) therefore cost one upsert per batch, and replaying entries is harmless.
 *
 * Recording is on only while sync is configured (`sync_state.enabled`); the rows stored
 * before that are sent by the worker's backfill, which walks the tables themselves.
 * AUTOINCREMENT keeps `seq` growing even after the outbox is emptied, so "seq ≤ N is synced"
 * stays true and the backlog is max(seq) - min(seq) + 1 without counting rows.
 * Recordings are not synced (the audio stays on the desk), nor redaction originals.
 */
const SYNCED: ReadonlyArray<{ table: string; key: string }> = [
  { table: 'calls', key: 'id' },
  { table: 'utterances', key: 'id' },
  { table: 'call_events', key: 'id' },
  { table: 'turn_metrics', key: 'turn_id' },
  { table: 'call_facts', key: 'id' },
  { table: 'wrap_ups', key: 'call_id' },
];

const ENABLED = '(SELECT enabled FROM sync_state WHERE id = 1) = 1';

const triggers = SYNCED.map(({ table, key }) => /* sql */ `
CREATE TRIGGER ${table}_sync_after_insert AFTER INSERT ON ${table} WHEN ${ENABLED} BEGIN
  INSERT INTO sync_outbox (tbl, row_key, op) VALUES ('${table}', new.${key}, 'upsert');
END;
CREATE TRIGGER ${table}_sync_after_update AFTER UPDATE ON ${table} WHEN ${ENABLED} BEGIN
  INSERT INTO sync_outbox (tbl, row_key, op) VALUES ('${table}', new.${key}, 'upsert');
END;
CREATE TRIGGER ${table}_sync_after_delete AFTER DELETE ON ${table} WHEN ${ENABLED} BEGIN
  INSERT INTO sync_outbox (tbl, row_key, op) VALUES ('${table}', old.${key}, 'delete');
END;`).join('\n');

const SQL = /* sql */ `
CREATE TABLE sync_outbox (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl     TEXT    NOT NULL,
  row_key TEXT    NOT NULL,
  op      TEXT    NOT NULL
);

-- One row. enabled: record changes. backfill_*: how far the worker has walked the tables
-- (NULL table: not started or done, see backfill_done). target: which team database the
-- backfill and outbox are for (a new URL starts over). desk_id: this desk's identity in the
-- team database, made once, kept with the data it names.
CREATE TABLE sync_state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  enabled          INTEGER NOT NULL DEFAULT 0,
  desk_id          TEXT,
  target           TEXT,
  backfill_done    INTEGER NOT NULL DEFAULT 0,
  backfill_table   TEXT,
  backfill_after   TEXT,
  last_synced_at   INTEGER
);
INSERT INTO sync_state (id) VALUES (1);
${triggers}
`;

export const migration008SyncOutbox: Migration = {
  version: 8,
  name: 'sync-outbox',
  up(db) {
    db.exec(SQL);
  },
};
