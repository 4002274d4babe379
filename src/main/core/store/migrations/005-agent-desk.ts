import type { Migration } from './migration';

/*
 * The agent's desk (issue 8): facts the AI recorded and each call's wrap-up.
 * - call_facts: one row per `record_fact` tool call, keyed by the tool_call event's id, so a
 *   fact seen twice (a replayed event, a sync) is stored once. `seq` keeps the order the AI
 *   recorded them in; (call_id, seq) is unique and is the index for "a call's facts".
 * - wrap_ups: at most one per call (call_id is the key; saving again rewrites it). The summary
 *   sections live in `summary` as JSON (reason, actions, resolution, followUps); `resolution`
 *   and `disposition` are also columns because History filters and Analytics count by them.
 *   `disposition` is whatever the Settings list said when it was saved: renaming a disposition
 *   later does not rewrite history, so there is no CHECK on it (migration rule: no enum CHECKs).
 * - wrap_up_ms: from the wrap-up's start to its first save (after-call work), in ms.
 * - Both cascade with their call, like every other child row.
 */
const SQL = /* sql */ `
CREATE TABLE call_facts (
  id       TEXT    NOT NULL PRIMARY KEY,
  call_id  TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  key      TEXT    NOT NULL,
  value    TEXT    NOT NULL,
  at_ms    INTEGER NOT NULL
);
CREATE UNIQUE INDEX call_facts_by_call ON call_facts (call_id, seq);

CREATE TABLE wrap_ups (
  call_id              TEXT    NOT NULL PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
  disposition          TEXT    NOT NULL,
  resolution           TEXT    NOT NULL,
  summary              TEXT    NOT NULL CHECK (json_valid(summary)),
  notes                TEXT    NOT NULL DEFAULT '',
  source               TEXT    NOT NULL,
  proposed_disposition TEXT,
  started_at           INTEGER NOT NULL,
  saved_at             INTEGER NOT NULL,
  wrap_up_ms           INTEGER NOT NULL
);
-- History's disposition filter (names match without case; queries spell lower(disposition)
-- exactly so, to use it) and Analytics' count by disposition.
CREATE INDEX wrap_ups_by_disposition ON wrap_ups (lower(disposition), call_id);
`;

export const migration005AgentDesk: Migration = {
  version: 5,
  name: 'agent-desk',
  up(db) {
    db.exec(SQL);
  },
};
