import type { Migration } from './migration';

/*
 * Per-turn latency of the AI (domain TurnMetrics): where the time went between the caller
 * going quiet and the AI's first audio. One row per AI turn, keyed by the AI line's id.
 * - Times are ms since the call started, as in the domain type; the stages a turn never
 *   reached (cut off, or answered without an LLM) are NULL. speech_end and stt_final are
 *   always known when a turn starts, so they are NOT NULL.
 * - Provider labels are stored per turn because a fallback can swap an engine mid-call.
 * - `seq` keeps arrival order (assigned by the store) as the tie-break for equal speech-end
 *   times; (call_id, seq) is unique and is the index for "a call's turns".
 * - Rows cascade with their call, like utterances and events (retention is one DELETE).
 */
const SQL = /* sql */ `
CREATE TABLE turn_metrics (
  turn_id               TEXT    NOT NULL PRIMARY KEY,
  call_id               TEXT    NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  seq                   INTEGER NOT NULL,
  speech_end_at_ms      INTEGER NOT NULL,
  stt_final_at_ms       INTEGER NOT NULL,
  llm_first_token_at_ms INTEGER,
  tts_first_byte_at_ms  INTEGER,
  first_audio_at_ms     INTEGER,
  stt_label             TEXT    NOT NULL,
  llm_label             TEXT    NOT NULL,
  tts_label             TEXT    NOT NULL
);
CREATE UNIQUE INDEX turn_metrics_by_call ON turn_metrics (call_id, seq);
`;

export const migration002TurnMetrics: Migration = {
  version: 2,
  name: 'turn-metrics',
  up(db) {
    db.exec(SQL);
  },
};
