import type { Migration } from './migration';

/*
 * Alerts are events now (issue 8): a rule that fires on a live call stores an 'alert' event,
 * and calls.alert_count (History's "has alerts", Analytics) counts those. Until now the count
 * was of take-over requests, fallbacks and errors (migration 003); those are now what the
 * "wants a person" and "engine trouble" rules alert on, so they still count when they alert,
 * just not twice.
 * - The old trigger is replaced by one on 'alert' events. (Triggers hold no data, and an
 *   older build reading a synced copy reads the column, never the trigger.)
 * - The data is sacred: a call stored before this version keeps the count it was given; only
 *   a call that already has 'alert' events (one that started while this build was being
 *   rolled out) is recounted, from its 'alert' events.
 */
const SQL = /* sql */ `
DROP TRIGGER IF EXISTS calls_alerts_after_event;
CREATE TRIGGER calls_alert_count_after_alert_event AFTER INSERT ON call_events
WHEN new.type = 'alert' BEGIN
  UPDATE calls SET alert_count = alert_count + 1 WHERE id = new.call_id;
END;

UPDATE calls SET alert_count = (SELECT count(*) FROM call_events e WHERE e.call_id = calls.id AND e.type = 'alert')
WHERE id IN (SELECT DISTINCT call_id FROM call_events WHERE type = 'alert');
`;

export const migration006AlertEvents: Migration = {
  version: 6,
  name: 'alert-events',
  up(db) {
    db.exec(SQL);
  },
};
