import type { Migration } from './migration';

/**
 * Marks the file as Switchboard's (header bytes 68-71, "SWBD"), so opening some other
 * application's SQLite file is refused instead of having our tables written into it.
 */
export const SWITCHBOARD_APPLICATION_ID = 0x53574244;

/*
 * Design notes (why the schema looks like this):
 * - Enum-like columns (status, direction, speaker, type, ...) are plain TEXT without CHECK
 *   constraints: SQLite cannot alter a CHECK without rebuilding the table, and migrations are
 *   additive-only. Values are validated by the zod contract at the boundary.
 * - Times: calls carry epoch ms (`*_at`); utterances and events carry ms since the call
 *   started (`*_ms`), as in the domain types. Handle time = ended_at - started_at.
 * - Child rows cascade on delete so a retention policy is one `DELETE FROM calls WHERE ...`,
 *   and the FTS triggers keep the search index in step with it.
 * - utterances has an INTEGER PRIMARY KEY (`row_id`) besides its TEXT `id` because the FTS
 *   index refers to rows by rowid, and VACUUM may renumber implicit rowids; an INTEGER
 *   PRIMARY KEY is never renumbered.
 * - `seq` orders a call's lines and events by arrival; it is assigned by the store.
 * - Ids are TEXT (UUIDs) so rows keep their identity when synced to a team database.
 * - Porter stemming lets "charge" find "charged twice"; changing the tokenizer later means
 *   adding a new FTS table in a later migration, the base rows are untouched.
 */
const SQL = /* sql */ `
CREATE TABLE calls (
  id          TEXT    NOT NULL PRIMARY KEY,
  call_sid    TEXT    NOT NULL,
  direction   TEXT    NOT NULL,
  from_number TEXT    NOT NULL,
  to_number   TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  controller  TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  scenario    TEXT,
  end_reason  TEXT
);
-- History lists newest first; (started_at, id) gives a stable order for equal start times.
CREATE INDEX calls_by_started_at ON calls (started_at, id);
-- Live calls view and status filters in history.
CREATE INDEX calls_by_status ON calls (status, started_at, id);
-- Twilio webhooks (status callbacks) identify a call only by its CallSid.
CREATE INDEX calls_by_call_sid ON calls (call_sid);

CREATE TABLE utterances (
  row_id          INTEGER PRIMARY KEY,
  id              TEXT    NOT NULL UNIQUE,
  call_id         TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  speaker         TEXT    NOT NULL,
  text            TEXT    NOT NULL,
  start_ms        INTEGER NOT NULL,
  end_ms          INTEGER NOT NULL,
  sentiment_score REAL,
  sentiment_label TEXT,
  interrupted     INTEGER NOT NULL DEFAULT 0,
  CHECK ((sentiment_score IS NULL) = (sentiment_label IS NULL)),
  -- Also the index for "all lines of a call, in order".
  UNIQUE (call_id, seq)
);

CREATE TABLE call_events (
  id      TEXT    NOT NULL PRIMARY KEY,
  call_id TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  type    TEXT    NOT NULL,
  at_ms   INTEGER NOT NULL,
  data    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
  UNIQUE (call_id, seq)
);

-- External-content FTS5 index: stores only the index, the text lives in utterances.
CREATE VIRTUAL TABLE utterances_fts USING fts5 (
  text,
  content = 'utterances',
  content_rowid = 'row_id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER utterances_fts_after_insert AFTER INSERT ON utterances BEGIN
  INSERT INTO utterances_fts (rowid, text) VALUES (new.row_id, new.text);
END;
CREATE TRIGGER utterances_fts_after_delete AFTER DELETE ON utterances BEGIN
  INSERT INTO utterances_fts (utterances_fts, rowid, text) VALUES ('delete', old.row_id, old.text);
END;
-- Redaction and interrupted-line trimming rewrite text in place.
CREATE TRIGGER utterances_fts_after_update AFTER UPDATE OF text ON utterances BEGIN
  INSERT INTO utterances_fts (utterances_fts, rowid, text) VALUES ('delete', old.row_id, old.text);
  INSERT INTO utterances_fts (rowid, text) VALUES (new.row_id, new.text);
END;
`;

export const migration001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(SQL);
    db.pragma(`application_id = ${SWITCHBOARD_APPLICATION_ID}`);
  },
};
