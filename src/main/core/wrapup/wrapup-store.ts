/**
 * Storage of the agent's desk (issue 8, migration 005): the facts the AI recorded on a call
 * and the call's wrap-up. Writes are synchronous and committed when they return, like the
 * call store's.
 */
import type { Database } from 'better-sqlite3';
import { Resolution, WrapUpSource, WrapUpSummary, type CallFact, type WrapUp } from '@shared/wrapup';
import { translateSqliteError } from '../store/errors';

/** A wrap-up as saved: the agent chose a disposition and it has a save time. */
export type SavedWrapUp = WrapUp & { disposition: string; savedAt: number; wrapUpMs: number };

export interface WrapUpStore {
  /** Stores a fact once (by its event id); false when it was already stored. UNKNOWN_CALL when the call is not stored. */
  recordFact(fact: CallFact): boolean;
  /** A call's facts in the order the AI recorded them; [] for an unknown call. */
  listFacts(callId: string): CallFact[];
  /** The saved wrap-up, or null. */
  get(callId: string): SavedWrapUp | null;
  /** Saves or replaces the call's wrap-up. UNKNOWN_CALL when the call is not stored. */
  save(wrapUp: SavedWrapUp): void;
}

interface FactRow {
  id: string;
  call_id: string;
  key: string;
  value: string;
  at_ms: number;
}

interface WrapUpRow {
  call_id: string;
  disposition: string;
  resolution: string;
  summary: string;
  notes: string;
  source: string;
  proposed_disposition: string | null;
  started_at: number;
  saved_at: number;
  wrap_up_ms: number;
}

export function createWrapUpStore(db: Database): WrapUpStore {
  const insertFact = db.prepare(/* sql */ `
    INSERT INTO call_facts (id, call_id, seq, key, value, at_ms)
    VALUES (@id, @callId, (SELECT coalesce(max(seq), 0) + 1 FROM call_facts WHERE call_id = @callId),
            @key, @value, @atMs)
    ON CONFLICT (id) DO NOTHING`);
  const listFacts = db.prepare(`SELECT id, call_id, key, value, at_ms FROM call_facts WHERE call_id = ? ORDER BY seq`);
  const getWrapUp = db.prepare(/* sql */ `
    SELECT call_id, disposition, resolution, summary, notes, source, proposed_disposition,
           started_at, saved_at, wrap_up_ms
    FROM wrap_ups WHERE call_id = ?`);
  const upsertWrapUp = db.prepare(/* sql */ `
    INSERT INTO wrap_ups (call_id, disposition, resolution, summary, notes, source, proposed_disposition,
                          started_at, saved_at, wrap_up_ms)
    VALUES (@callId, @disposition, @resolution, @summary, @notes, @source, @proposedDisposition,
            @startedAt, @savedAt, @wrapUpMs)
    ON CONFLICT (call_id) DO UPDATE SET
      disposition = excluded.disposition, resolution = excluded.resolution, summary = excluded.summary,
      notes = excluded.notes, source = excluded.source, proposed_disposition = excluded.proposed_disposition,
      started_at = excluded.started_at, saved_at = excluded.saved_at, wrap_up_ms = excluded.wrap_up_ms`);

  return {
    recordFact(fact) {
      return guard('save a recorded fact', () => insertFact.run({ ...fact }).changes > 0);
    },
    listFacts(callId) {
      return guard('read recorded facts', () =>
        (listFacts.all(callId) as FactRow[]).map((r) => ({ id: r.id, callId: r.call_id, key: r.key, value: r.value, atMs: r.at_ms })),
      );
    },
    get(callId) {
      const row = guard('read a wrap-up', () => getWrapUp.get(callId) as WrapUpRow | undefined);
      return row === undefined ? null : toWrapUp(row);
    },
    save(w) {
      guard('save a wrap-up', () =>
        upsertWrapUp.run({
          callId: w.callId,
          disposition: w.disposition,
          resolution: w.summary.resolution,
          summary: JSON.stringify(w.summary),
          notes: w.notes,
          source: w.source,
          proposedDisposition: w.proposedDisposition,
          startedAt: w.startedAt,
          savedAt: w.savedAt,
          wrapUpMs: w.wrapUpMs,
        }),
      );
    },
  };
}

function guard<T>(action: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translateSqliteError(error, action);
  }
}

/** Rows are written only by save(); the schemas re-check the JSON and enums another writer (a sync) may have put there. */
function toWrapUp(row: WrapUpRow): SavedWrapUp {
  const summary = WrapUpSummary.parse({ ...(JSON.parse(row.summary) as object), resolution: Resolution.parse(row.resolution) });
  return {
    callId: row.call_id,
    summary,
    disposition: row.disposition,
    notes: row.notes,
    source: WrapUpSource.parse(row.source),
    proposedDisposition: row.proposed_disposition,
    startedAt: row.started_at,
    savedAt: row.saved_at,
    wrapUpMs: row.wrap_up_ms,
    notice: null,
  };
}
