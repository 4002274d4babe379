import type { Migration } from './migration';

/*
 * Recordings attached to a call (issue 7). The audio lives in files in <dataDir>/recordings;
 * a row says which call a file belongs to and where it sits on the call's clock.
 * - kind: 'line' = what passed through the media bridge (stereo: caller left, AI/agent
 *   right), written by the core as the call runs; 'agent' = the leg on the agent's softphone,
 *   recorded by Twilio (<Dial record>) and downloaded when Twilio says it is complete.
 * - file_name is a bare name inside the recordings folder, never a path: the folder can move
 *   with the data folder, and a row can never point outside it.
 * - start_ms: where the recording starts on the call's clock (ms since the call started),
 *   like utterance and event times. duration_ms is NULL while a line recording is still
 *   being written: a NULL left after a crash is how the next start knows which files to
 *   repair.
 * - source_sid: Twilio's RecordingSid for agent legs. Unique, so a callback Twilio delivers
 *   twice (it retries) attaches the recording once.
 * - Rows cascade with their call, like every other child row; deleting the file is the job
 *   of whoever deletes the call (retention), since SQLite cannot.
 */
const SQL = /* sql */ `
CREATE TABLE recordings (
  id             TEXT    NOT NULL PRIMARY KEY,
  call_id        TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  kind           TEXT    NOT NULL,
  file_name      TEXT    NOT NULL UNIQUE,
  content_type   TEXT    NOT NULL,
  channels       INTEGER NOT NULL,
  sample_rate_hz INTEGER NOT NULL,
  start_ms       INTEGER NOT NULL,
  duration_ms    INTEGER,
  source_sid     TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX recordings_by_call ON recordings (call_id, start_ms);
CREATE UNIQUE INDEX recordings_by_source_sid ON recordings (source_sid) WHERE source_sid IS NOT NULL;
-- Start-up repair looks for recordings a crash left unfinished.
CREATE INDEX recordings_unfinished ON recordings (id) WHERE duration_ms IS NULL;
`;

export const migration004Recordings: Migration = {
  version: 4,
  name: 'recordings',
  up(db) {
    db.exec(SQL);
  },
};
