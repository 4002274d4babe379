/** The recordings table (migration 004): which file belongs to which call, and where it sits on its clock. */
import type { Database } from 'better-sqlite3';

export type RecordingKind = 'line' | 'agent';

export interface RecordingRow {
  id: string;
  callId: string;
  kind: RecordingKind;
  /** A bare file name inside the recordings folder. */
  fileName: string;
  contentType: string;
  channels: 1 | 2;
  sampleRateHz: number;
  /** ms since the call started. */
  startMs: number;
  /** Null while a line recording is being written (or a crash left it unfinished). */
  durationMs: number | null;
  /** Twilio's RecordingSid for an agent leg. */
  sourceSid: string | null;
  /** Epoch ms. */
  createdAt: number;
}

interface Row {
  id: string;
  call_id: string;
  kind: string;
  file_name: string;
  content_type: string;
  channels: number;
  sample_rate_hz: number;
  start_ms: number;
  duration_ms: number | null;
  source_sid: string | null;
  created_at: number;
}

export interface RecordingStore {
  insert(row: RecordingRow): void;
  setDuration(id: string, durationMs: number): void;
  remove(id: string): void;
  get(id: string): RecordingRow | null;
  /** A call's recordings by where they start on its clock. */
  listForCall(callId: string): RecordingRow[];
  /** Line recordings a crash left without a final duration. */
  listUnfinished(): RecordingRow[];
  bySourceSid(sourceSid: string): RecordingRow | null;
  /** The newest stored call with this Twilio CallSid (recording callbacks name only the CallSid). */
  callBySid(callSid: string): { id: string; startedAt: number } | null;
  /** Take-over and resume moments on a call's timeline (ms on its clock), oldest first. */
  agentLegStarts(callId: string): number[];
  /** A call's lines with PII masked in them (issue 10: utterances.redacted_kinds), where they sit on its clock. */
  redactedLines(callId: string): { speaker: string; startMs: number; endMs: number }[];
}

export function createRecordingStore(db: Database): RecordingStore {
  const insert = db.prepare(
    `INSERT INTO recordings (id, call_id, kind, file_name, content_type, channels, sample_rate_hz, start_ms, duration_ms, source_sid, created_at)
     VALUES (@id, @callId, @kind, @fileName, @contentType, @channels, @sampleRateHz, @startMs, @durationMs, @sourceSid, @createdAt)`,
  );
  const setDuration = db.prepare('UPDATE recordings SET duration_ms = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM recordings WHERE id = ?');
  const get = db.prepare('SELECT * FROM recordings WHERE id = ?');
  const listForCall = db.prepare('SELECT * FROM recordings WHERE call_id = ? ORDER BY start_ms, created_at, id');
  const listUnfinished = db.prepare('SELECT * FROM recordings WHERE duration_ms IS NULL');
  const bySourceSid = db.prepare('SELECT * FROM recordings WHERE source_sid = ?');
  const callBySid = db.prepare('SELECT id, started_at AS startedAt FROM calls WHERE call_sid = ? ORDER BY started_at DESC LIMIT 1');
  const legStarts = db.prepare(
    `SELECT at_ms FROM call_events WHERE call_id = ?
       AND (type = 'takeover' OR (type = 'hold' AND json_extract(data, '$.on') = 0))
     ORDER BY at_ms, seq`,
  );
  const redactedLines = db.prepare(
    `SELECT speaker, start_ms AS startMs, end_ms AS endMs FROM utterances
     WHERE call_id = ? AND redacted_kinds IS NOT NULL ORDER BY seq`,
  );
  return {
    insert: (row) => void insert.run(row),
    setDuration: (id, durationMs) => void setDuration.run(Math.round(durationMs), id),
    remove: (id) => void remove.run(id),
    get: (id) => toRow(get.get(id) as Row | undefined),
    listForCall: (callId) => (listForCall.all(callId) as Row[]).map((r) => toRow(r)!),
    listUnfinished: () => (listUnfinished.all() as Row[]).map((r) => toRow(r)!),
    bySourceSid: (sid) => toRow(bySourceSid.get(sid) as Row | undefined),
    callBySid: (callSid) => (callBySid.get(callSid) as { id: string; startedAt: number } | undefined) ?? null,
    agentLegStarts: (callId) => legStarts.pluck().all(callId) as number[],
    redactedLines: (callId) => redactedLines.all(callId) as { speaker: string; startMs: number; endMs: number }[],
  };
}

function toRow(row: Row | undefined): RecordingRow | null {
  if (!row) return null;
  return {
    id: row.id,
    callId: row.call_id,
    kind: row.kind === 'agent' ? 'agent' : 'line',
    fileName: row.file_name,
    contentType: row.content_type,
    channels: row.channels === 1 ? 1 : 2,
    sampleRateHz: row.sample_rate_hz,
    startMs: row.start_ms,
    durationMs: row.duration_ms,
    sourceSid: row.source_sid,
    createdAt: row.created_at,
  };
}
