import type { Migration } from './migration';

/*
 * PII redaction (issue 10). Lines and events are stored redacted ("[CARD ••••1111]").
 * - utterances.redacted_kinds: the kinds masked in the line ("card,cvv"), NULL when none. A
 *   crash can stop a recording before a redacted line's audio was toned; the next start
 *   tones the lines marked here (recordings.ts, repair).
 * - utterances.original_text, call_events.original_data: with Settings → Privacy → "keep the
 *   original" (redactionMode 'redacted_and_original') the words as said are kept beside the
 *   redacted ones, in their own columns, so that:
 *   - every reader that exists today (History, search, Analytics, Export, backtests, the CLI,
 *     sync) reads `text` / `data` and so only ever sees the redacted form: none of them names
 *     these columns, and only calls.get reads them, when Settings allow the console to;
 *   - the FTS index stays on the redacted text: utterances_fts is external-content over
 *     utterances.text only (migration 001's triggers fire on UPDATE OF text), so the original
 *     words are never tokenised into it and a search for a card number finds nothing;
 *   - NULL means "nothing differs" (the common case): no copy of every line.
 * Additive only: three nullable columns, nothing back-filled (originals of older lines were
 * never kept).
 */
const SQL = /* sql */ `
ALTER TABLE utterances ADD COLUMN original_text TEXT;
ALTER TABLE utterances ADD COLUMN redacted_kinds TEXT;
ALTER TABLE call_events ADD COLUMN original_data TEXT CHECK (original_data IS NULL OR json_valid(original_data));
`;

export const migration007RedactionOriginals: Migration = {
  version: 7,
  name: 'redaction-originals',
  up(db) {
    db.exec(SQL);
  },
};
