import type { Migration } from './migration';

/*
 * What History, Analytics and Export filter and sort on, kept on the calls row so a filter
 * over 100,000 calls is an index range and never a per-call aggregate (issue 7).
 * - Derived columns are maintained by triggers on utterances and call_events, in the same
 *   transaction as the row that changes them: every existing write path (and a sync or
 *   import later) keeps them right without knowing they exist, and a crash can never leave
 *   them out of step. Existing rows are back-filled here.
 * - caller_sentiment_avg is the mean of the caller's scored lines (what the live call shows);
 *   _first and _last are the caller's first and last scored lines ("start vs end").
 * - taken_over_at_ms: the first take-over, ms since the call started; NULL = never taken over.
 * - alert_count: take-over requests, fallbacks and errors raised on the call. Alert kinds
 *   added later (issue 8) replace the trigger in their own migration.
 * - intent: the caller's first substantive intent (the session writes it on the line only
 *   when confident and not small talk), for "top intents".
 * - Duration sorts and filters use the expression (ended_at - started_at), indexed as such:
 *   queries must spell it exactly that way to use the index.
 */
const ALERT_EVENT_TYPES = `('takeover_requested', 'fallback', 'error')`;

const CALLER_SENTIMENT = /* sql */ `
  UPDATE calls SET
    caller_sentiment_avg = (SELECT avg(sentiment_score) FROM utterances
                            WHERE call_id = calls.id AND speaker = 'caller' AND sentiment_score IS NOT NULL),
    caller_sentiment_first = (SELECT sentiment_score FROM utterances
                              WHERE call_id = calls.id AND speaker = 'caller' AND sentiment_score IS NOT NULL
                              ORDER BY seq LIMIT 1),
    caller_sentiment_last = (SELECT sentiment_score FROM utterances
                             WHERE call_id = calls.id AND speaker = 'caller' AND sentiment_score IS NOT NULL
                             ORDER BY seq DESC LIMIT 1)`;

const SQL = /* sql */ `
ALTER TABLE utterances ADD COLUMN intent TEXT;
ALTER TABLE calls ADD COLUMN intent TEXT;
ALTER TABLE calls ADD COLUMN caller_sentiment_avg REAL;
ALTER TABLE calls ADD COLUMN caller_sentiment_first REAL;
ALTER TABLE calls ADD COLUMN caller_sentiment_last REAL;
ALTER TABLE calls ADD COLUMN taken_over_at_ms INTEGER;
ALTER TABLE calls ADD COLUMN alert_count INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER calls_caller_sentiment_after_insert AFTER INSERT ON utterances
WHEN new.speaker = 'caller' AND new.sentiment_score IS NOT NULL BEGIN
  ${CALLER_SENTIMENT} WHERE id = new.call_id;
END;
CREATE TRIGGER calls_caller_sentiment_after_update AFTER UPDATE OF sentiment_score, speaker ON utterances
WHEN old.speaker = 'caller' OR new.speaker = 'caller' BEGIN
  ${CALLER_SENTIMENT} WHERE id = new.call_id;
END;
CREATE TRIGGER calls_caller_sentiment_after_delete AFTER DELETE ON utterances
WHEN old.speaker = 'caller' AND old.sentiment_score IS NOT NULL BEGIN
  ${CALLER_SENTIMENT} WHERE id = old.call_id;
END;

CREATE TRIGGER calls_intent_after_insert AFTER INSERT ON utterances
WHEN new.intent IS NOT NULL BEGIN
  UPDATE calls SET intent = new.intent WHERE id = new.call_id AND intent IS NULL;
END;
CREATE TRIGGER calls_intent_after_update AFTER UPDATE OF intent ON utterances
WHEN new.intent IS NOT NULL BEGIN
  UPDATE calls SET intent = new.intent WHERE id = new.call_id AND intent IS NULL;
END;

CREATE TRIGGER calls_takeover_after_event AFTER INSERT ON call_events
WHEN new.type = 'takeover' BEGIN
  UPDATE calls SET taken_over_at_ms = min(coalesce(taken_over_at_ms, new.at_ms), new.at_ms) WHERE id = new.call_id;
END;
CREATE TRIGGER calls_alerts_after_event AFTER INSERT ON call_events
WHEN new.type IN ${ALERT_EVENT_TYPES} BEGIN
  UPDATE calls SET alert_count = alert_count + 1 WHERE id = new.call_id;
END;

${CALLER_SENTIMENT};
UPDATE calls SET
  taken_over_at_ms = (SELECT min(at_ms) FROM call_events e WHERE e.call_id = calls.id AND e.type = 'takeover'),
  alert_count = (SELECT count(*) FROM call_events e WHERE e.call_id = calls.id AND e.type IN ${ALERT_EVENT_TYPES});

-- Sorts of History (start time has calls_by_started_at already). After the sort key and the
-- tie-break, each carries the columns History filters on, so a page sorted by duration or
-- sentiment tests the filter inside the index and reads only the rows it shows (a rare filter
-- such as outbound + alerts, shortest first: 30 ms -> 1.5 ms on 100,000 calls).
CREATE INDEX calls_by_duration ON calls ((ended_at - started_at), id,
  started_at, direction, end_reason, taken_over_at_ms, alert_count, caller_sentiment_last, caller_sentiment_avg);
CREATE INDEX calls_by_sentiment ON calls (caller_sentiment_avg, id,
  started_at, ended_at, direction, end_reason, taken_over_at_ms, alert_count, caller_sentiment_last);
-- Analytics counts incidents by kind without visiting every call's events.
CREATE INDEX call_events_by_type ON call_events (type, call_id);
`;

export const migration003History: Migration = {
  version: 3,
  name: 'history',
  up(db) {
    db.exec(SQL);
  },
};
