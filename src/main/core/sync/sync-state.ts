/**
 * Turning change recording on and off on the desk's database (main thread, tiny writes).
 * `target` identifies the team database (a fingerprint of host, port and database name, never
 * the URL, which may carry a password): pointing the desk at another database starts the
 * backfill over, so the new one receives everything; the same database again resumes.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/** "host:port/database" hashed: which team database, without anything secret. */
export function targetFingerprint(url: string): string {
  const u = new URL(url);
  const what = `${u.hostname.toLowerCase()}:${u.port || '5432'}/${decodeURIComponent(u.pathname.replace(/^\//, '')) || u.username}`;
  return createHash('sha256').update(what).digest('hex').slice(0, 32);
}

/** Starts recording changes for `target`; a new target (or the first) restarts the backfill and drops entries meant for the old one. */
export function enableSync(db: Database, target: string): void {
  db.transaction(() => {
    const state = db.prepare('SELECT enabled, target FROM sync_state WHERE id = 1').get() as { enabled: number; target: string | null };
    if (state.enabled === 1 && state.target === target) return;
    if (state.target !== target) {
      db.prepare('DELETE FROM sync_outbox').run();
      db.prepare('UPDATE sync_state SET backfill_done = 0, backfill_table = NULL, backfill_after = NULL, last_synced_at = NULL WHERE id = 1').run();
    } else {
      // Re-enabled for the same database after a pause in recording: changes made meanwhile
      // were not recorded, so walk the tables again (upserts make it harmless).
      db.prepare('UPDATE sync_state SET backfill_done = 0, backfill_table = NULL, backfill_after = NULL WHERE id = 1').run();
    }
    db.prepare('UPDATE sync_state SET enabled = 1, target = ? WHERE id = 1').run(target);
  })();
}

/** Stops recording changes (sync turned off). The target is kept, so turning it back on for the same database resumes with a backfill. */
export function disableSync(db: Database): void {
  db.transaction(() => {
    db.prepare('UPDATE sync_state SET enabled = 0 WHERE id = 1').run();
    db.prepare('DELETE FROM sync_outbox').run();
  })();
}

/** This desk's id in the team database: made the first time it is asked for, then kept in the desk's database. */
export function deskId(db: Database): string {
  return db.transaction(() => {
    const row = db.prepare('SELECT desk_id FROM sync_state WHERE id = 1').get() as { desk_id: string | null };
    if (row.desk_id) return row.desk_id;
    const id = randomUUID();
    db.prepare('UPDATE sync_state SET desk_id = ? WHERE id = 1').run(id);
    return id;
  })();
}
