import type { Database } from 'better-sqlite3';
import type {
  AiActivity,
  CallDirection,
  CallEvent,
  CallEventType,
  CallStatus,
  CallSummary,
  Controller,
  Sentiment,
  Speaker,
  TurnMetrics,
  Utterance,
} from '@shared/domain';
import { storedCallLiveFields } from '@shared/domain';
import { sqliteCode, StoreError, translateSqliteError } from './errors';
import { toFtsQuery } from './fts-query';

/** What is stored about a call; utteranceCount and callerSentiment are computed, aiActivity is live-only. */
export type NewCall = Pick<
  CallSummary,
  | 'id'
  | 'callSid'
  | 'direction'
  | 'from'
  | 'to'
  | 'status'
  | 'controller'
  | 'startedAt'
  | 'endedAt'
  | 'scenario'
  | 'endReason'
> &
  Partial<Pick<CallSummary, 'profile' | 'campaignId'>>;

/** Fields that change during a call. Keys that are absent or undefined are left alone; null clears. */
export type CallPatch = Partial<
  Pick<CallSummary, 'callSid' | 'status' | 'controller' | 'endedAt' | 'scenario' | 'endReason'>
>;

export type CallScope = 'live' | 'ended' | 'all';

export interface ListCallsOptions {
  /** live = ringing or active. */
  scope: CallScope;
  /** Positive integer; newest calls first. */
  limit: number;
}

export interface CallRecord {
  call: CallSummary;
  /** In the order they were stored. */
  utterances: Utterance[];
  /** By atMs, then the order they were stored. */
  events: CallEvent[];
}

export interface UtteranceSearchHit {
  utterance: Utterance;
  /** FTS5 bm25 rank: lower is more relevant. Hits come sorted by it. */
  rank: number;
}

export interface CallStore {
  /** Throws StoreError INVALID_INPUT if a call with this id is already stored. */
  insertCall(call: NewCall): void;
  /** Returns false when no call has this id. */
  updateCall(id: string, patch: CallPatch): boolean;
  /**
   * Stores a FINAL line, committed before this returns (one small transaction per line), so a
   * crash loses nothing already said. Storing the same id again replaces the line's content
   * and keeps its place: that is how an AI line trimmed by barge-in, a late sentiment score
   * or a redaction is written. Interim lines are rejected (INVALID_INPUT).
   * `text` must already be redacted; `originalText` (the words as said, only when the
   * redaction policy keeps them) goes to its own column, which nothing but
   * getCall({ withOriginals }) reads (never FTS, History or Export). `redaction.kinds`: what
   * was masked in the line (redacted_kinds), for the recording repair after a crash.
   */
  appendUtterance(utterance: Utterance, redaction?: { kinds: readonly string[] }): void;
  /** Events are immutable facts: storing the same id again is ignored. `originalData` as `originalText` above. */
  appendEvent(event: CallEvent): void;
  /**
   * Stores one AI turn's latency breakdown, committed before this returns. Storing the same
   * turnId again replaces the figures and keeps the turn's place (a turn first stored cut off
   * may be completed later). UNKNOWN_CALL when the call is not stored.
   */
  appendTurnMetrics(metrics: TurnMetrics): void;
  /** A call's turns, oldest first (by when the caller stopped speaking, then arrival); [] for an unknown call. */
  listTurnMetrics(callId: string): TurnMetrics[];
  listCalls(options: ListCallsOptions): CallSummary[];
  /**
   * A stored call. Originals kept beside redacted lines and events (issue 10) are read only
   * with `withOriginals` (Settings let the console see them); by default a record carries
   * the redacted text alone, as every other reader (wrap-up, Gemini's summary) must.
   */
  getCall(id: string, options?: { withOriginals?: boolean }): CallRecord | null;
  /**
   * Run at startup: calls a crash left ringing/active become ended with endReason
   * 'interrupted'; nothing is deleted. endedAt becomes the last sign of life on the call
   * (last line or event, at least startedAt, at most `nowMs`) rather than `nowMs`, so handle
   * times are not inflated by however long the app was down. Returns the ids changed.
   */
  markInterruptedCallsEnded(nowMs: number): string[];
  /** Full-text search over stored lines, all words must match (see toFtsQuery). */
  searchUtterances(query: string, options?: { limit?: number }): UtteranceSearchHit[];
}

/** aiActivity changes several times a second and means nothing once the app restarts, so it
 * is not stored; rows read back say 'idle' and live views overlay the CallSession's value. */
const STORED_AI_ACTIVITY: AiActivity = 'idle';
const LIVE_STATUSES = `('ringing', 'active')`;

interface CallRow {
  id: string;
  call_sid: string;
  direction: string;
  from_number: string;
  to_number: string;
  status: string;
  controller: string;
  started_at: number;
  ended_at: number | null;
  scenario: string | null;
  end_reason: string | null;
  utterance_count: number;
  caller_sentiment: number | null;
  disposition: string | null;
  profile_id: string | null;
  profile_version: number | null;
  profile_name: string | null;
  campaign_id: string | null;
}

interface UtteranceRow {
  id: string;
  call_id: string;
  speaker: string;
  text: string;
  start_ms: number;
  end_ms: number;
  sentiment_score: number | null;
  sentiment_label: string | null;
  interrupted: number;
  intent: string | null;
  /** Selected only when originals are read (UTTERANCE_COLUMNS_WITH_ORIGINALS). */
  original_text?: string | null;
}

interface TurnMetricsRow {
  turn_id: string;
  call_id: string;
  speech_end_at_ms: number;
  stt_final_at_ms: number;
  llm_first_token_at_ms: number | null;
  tts_first_byte_at_ms: number | null;
  first_audio_at_ms: number | null;
  stt_label: string;
  llm_label: string;
  tts_label: string;
}

interface EventRow {
  id: string;
  call_id: string;
  type: string;
  at_ms: number;
  data: string;
  /** Selected only when originals are read. */
  original_data?: string | null;
}

const CALL_COLUMNS = /* sql */ `
  c.id, c.call_sid, c.direction, c.from_number, c.to_number, c.status, c.controller,
  c.started_at, c.ended_at, c.scenario, c.end_reason,
  (SELECT count(*) FROM utterances u WHERE u.call_id = c.id) AS utterance_count,
  c.caller_sentiment_avg AS caller_sentiment, -- kept by migration 003's triggers
  (SELECT w.disposition FROM wrap_ups w WHERE w.call_id = c.id) AS disposition,
  c.profile_id, c.profile_version, c.campaign_id,
  (SELECT v.name FROM ai_profile_versions v WHERE v.profile_id = c.profile_id AND v.version = c.profile_version) AS profile_name`;

const UTTERANCE_COLUMNS = /* sql */ `
  u.id, u.call_id, u.speaker, u.text, u.start_ms, u.end_ms,
  u.sentiment_score, u.sentiment_label, u.interrupted, u.intent`;

const UTTERANCE_COLUMNS_WITH_ORIGINALS = /* sql */ `${UTTERANCE_COLUMNS}, u.original_text`;

const DEFAULT_SEARCH_LIMIT = 50;

export function createCallStore(db: Database): CallStore {
  const insertCallStmt = db.prepare(/* sql */ `
    INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller,
                       started_at, ended_at, scenario, end_reason, profile_id, profile_version, campaign_id)
    VALUES (@id, @callSid, @direction, @from, @to, @status, @controller,
            @startedAt, @endedAt, @scenario, @endReason, @profileId, @profileVersion, @campaignId)`);

  // One statement for every patch shape: a field is written only when its set_ flag is 1,
  // so an explicit null can clear a column while a missing key leaves it alone.
  const updateCallStmt = db.prepare(/* sql */ `
    UPDATE calls SET
      call_sid   = CASE WHEN @set_callSid    THEN @callSid    ELSE call_sid   END,
      status     = CASE WHEN @set_status     THEN @status     ELSE status     END,
      controller = CASE WHEN @set_controller THEN @controller ELSE controller END,
      ended_at   = CASE WHEN @set_endedAt    THEN @endedAt    ELSE ended_at   END,
      scenario   = CASE WHEN @set_scenario   THEN @scenario   ELSE scenario   END,
      end_reason = CASE WHEN @set_endReason  THEN @endReason  ELSE end_reason END
    WHERE id = @id`);

  // seq is computed in the same statement, so the line and its place are one atomic write.
  const upsertUtteranceStmt = db.prepare(/* sql */ `
    INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms,
                            sentiment_score, sentiment_label, interrupted, intent, original_text, redacted_kinds)
    VALUES (@id, @callId,
            (SELECT coalesce(max(seq), 0) + 1 FROM utterances WHERE call_id = @callId),
            @speaker, @text, @startMs, @endMs, @sentimentScore, @sentimentLabel, @interrupted, @intent, @originalText, @redactedKinds)
    ON CONFLICT (id) DO UPDATE SET
      speaker = excluded.speaker, text = excluded.text,
      original_text = excluded.original_text, redacted_kinds = excluded.redacted_kinds,
      start_ms = excluded.start_ms, end_ms = excluded.end_ms,
      sentiment_score = excluded.sentiment_score, sentiment_label = excluded.sentiment_label,
      interrupted = excluded.interrupted, intent = excluded.intent`);

  const insertEventStmt = db.prepare(/* sql */ `
    INSERT INTO call_events (id, call_id, seq, type, at_ms, data, original_data)
    VALUES (@id, @callId,
            (SELECT coalesce(max(seq), 0) + 1 FROM call_events WHERE call_id = @callId),
            @type, @atMs, @data, @originalData)
    ON CONFLICT (id) DO NOTHING`);

  const upsertTurnMetricsStmt = db.prepare(/* sql */ `
    INSERT INTO turn_metrics (turn_id, call_id, seq, speech_end_at_ms, stt_final_at_ms,
                              llm_first_token_at_ms, tts_first_byte_at_ms, first_audio_at_ms,
                              stt_label, llm_label, tts_label)
    VALUES (@turnId, @callId,
            (SELECT coalesce(max(seq), 0) + 1 FROM turn_metrics WHERE call_id = @callId),
            @speechEndAtMs, @sttFinalAtMs, @llmFirstTokenAtMs, @ttsFirstByteAtMs, @firstAudioAtMs,
            @sttLabel, @llmLabel, @ttsLabel)
    ON CONFLICT (turn_id) DO UPDATE SET
      speech_end_at_ms = excluded.speech_end_at_ms, stt_final_at_ms = excluded.stt_final_at_ms,
      llm_first_token_at_ms = excluded.llm_first_token_at_ms,
      tts_first_byte_at_ms = excluded.tts_first_byte_at_ms,
      first_audio_at_ms = excluded.first_audio_at_ms,
      stt_label = excluded.stt_label, llm_label = excluded.llm_label, tts_label = excluded.tts_label`);

  const listTurnMetricsStmt = db.prepare(/* sql */ `
    SELECT turn_id, call_id, speech_end_at_ms, stt_final_at_ms, llm_first_token_at_ms,
           tts_first_byte_at_ms, first_audio_at_ms, stt_label, llm_label, tts_label
    FROM turn_metrics WHERE call_id = ? ORDER BY speech_end_at_ms, seq`);

  const listStmts: Record<CallScope, ReturnType<Database['prepare']>> = {
    live: db.prepare(listSql(`c.status IN ${LIVE_STATUSES}`)),
    ended: db.prepare(listSql(`c.status = 'ended'`)),
    all: db.prepare(listSql('1')),
  };

  const getCallStmt = db.prepare(`SELECT ${CALL_COLUMNS} FROM calls c WHERE c.id = ?`);
  const getUtterancesStmt = db.prepare(
    `SELECT ${UTTERANCE_COLUMNS} FROM utterances u WHERE u.call_id = ? ORDER BY u.seq`,
  );
  const getEventsStmt = db.prepare(/* sql */ `
    SELECT id, call_id, type, at_ms, data FROM call_events
    WHERE call_id = ? ORDER BY at_ms, seq`);
  // Separate statements, so the default read never even selects the originals.
  const getUtterancesWithOriginalsStmt = db.prepare(
    `SELECT ${UTTERANCE_COLUMNS_WITH_ORIGINALS} FROM utterances u WHERE u.call_id = ? ORDER BY u.seq`,
  );
  const getEventsWithOriginalsStmt = db.prepare(/* sql */ `
    SELECT id, call_id, type, at_ms, data, original_data FROM call_events
    WHERE call_id = ? ORDER BY at_ms, seq`);

  const markInterruptedStmt = db.prepare(/* sql */ `
    UPDATE calls SET
      status = 'ended',
      end_reason = 'interrupted',
      ended_at = coalesce(ended_at, max(started_at, min(@nowMs, started_at + max(0,
        coalesce((SELECT max(end_ms) FROM utterances u WHERE u.call_id = calls.id), 0),
        coalesce((SELECT max(at_ms) FROM call_events e WHERE e.call_id = calls.id), 0)))))
    WHERE status IN ${LIVE_STATUSES}
    RETURNING id`);

  const searchStmt = db.prepare(/* sql */ `
    SELECT ${UTTERANCE_COLUMNS}, f.rank AS rank
    FROM utterances_fts f JOIN utterances u ON u.row_id = f.rowid
    WHERE utterances_fts MATCH @query
    ORDER BY f.rank
    LIMIT @limit`);

  const readCall = db.transaction((id: string, withOriginals: boolean): CallRecord | null => {
    const row = getCallStmt.get(id) as CallRow | undefined;
    if (row === undefined) return null;
    return {
      call: toCallSummary(row),
      utterances: ((withOriginals ? getUtterancesWithOriginalsStmt : getUtterancesStmt).all(id) as UtteranceRow[]).map(toUtterance),
      events: ((withOriginals ? getEventsWithOriginalsStmt : getEventsStmt).all(id) as EventRow[]).map(toCallEvent),
    };
  });

  return {
    insertCall(call) {
      guard('save a call', () => {
        try {
          // Explicit fields: callers may pass a whole CallSummary, whose computed fields are not columns.
          insertCallStmt.run({
            id: call.id,
            callSid: call.callSid,
            direction: call.direction,
            from: call.from,
            to: call.to,
            status: call.status,
            controller: call.controller,
            startedAt: call.startedAt,
            endedAt: call.endedAt,
            scenario: call.scenario,
            endReason: call.endReason,
            profileId: call.profile?.id ?? null,
            profileVersion: call.profile?.version ?? null,
            campaignId: call.campaignId ?? null,
          });
        } catch (error) {
          if (sqliteCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
            throw new StoreError('INVALID_INPUT', 'Could not save a call: a call with this id is already stored.', {
              cause: error,
            });
          }
          throw error;
        }
      });
    },

    updateCall(id, patch) {
      return guard('update a call', () => {
        const has = (key: keyof CallPatch): number => (patch[key] !== undefined ? 1 : 0);
        const result = updateCallStmt.run({
          id,
          set_callSid: has('callSid'),
          callSid: patch.callSid ?? null,
          set_status: has('status'),
          status: patch.status ?? null,
          set_controller: has('controller'),
          controller: patch.controller ?? null,
          set_endedAt: has('endedAt'),
          endedAt: patch.endedAt ?? null,
          set_scenario: has('scenario'),
          scenario: patch.scenario ?? null,
          set_endReason: has('endReason'),
          endReason: patch.endReason ?? null,
        });
        return result.changes > 0;
      });
    },

    appendUtterance(utterance, redaction) {
      if (!utterance.final) {
        throw new StoreError('INVALID_INPUT', 'Only final transcript lines are stored; this line is interim.');
      }
      guard('save a transcript line', () => {
        upsertUtteranceStmt.run({
          id: utterance.id,
          callId: utterance.callId,
          speaker: utterance.speaker,
          text: utterance.text,
          startMs: utterance.startMs,
          endMs: utterance.endMs,
          sentimentScore: utterance.sentiment?.score ?? null,
          sentimentLabel: utterance.sentiment?.label ?? null,
          interrupted: utterance.interrupted ? 1 : 0,
          intent: utterance.intent ?? null,
          // NULL unless redaction changed the line (and the policy keeps originals).
          originalText: utterance.originalText !== undefined && utterance.originalText !== utterance.text ? utterance.originalText : null,
          redactedKinds: redaction && redaction.kinds.length > 0 ? [...new Set(redaction.kinds)].join(',') : null,
        });
      });
    },

    appendEvent(event) {
      guard('save a call event', () => {
        insertEventStmt.run({
          id: event.id,
          callId: event.callId,
          type: event.type,
          atMs: event.atMs,
          data: JSON.stringify(event.data ?? {}),
          originalData: event.originalData === undefined ? null : JSON.stringify(event.originalData),
        });
      });
    },

    appendTurnMetrics(m) {
      guard('save turn latency', () => {
        upsertTurnMetricsStmt.run({
          turnId: m.turnId,
          callId: m.callId,
          speechEndAtMs: m.speechEndAtMs,
          sttFinalAtMs: m.sttFinalAtMs,
          llmFirstTokenAtMs: m.llmFirstTokenAtMs,
          ttsFirstByteAtMs: m.ttsFirstByteAtMs,
          firstAudioAtMs: m.firstAudioAtMs,
          sttLabel: m.sttLabel,
          llmLabel: m.llmLabel,
          ttsLabel: m.ttsLabel,
        });
      });
    },

    listTurnMetrics(callId) {
      return guard('read turn latency', () => (listTurnMetricsStmt.all(callId) as TurnMetricsRow[]).map(toTurnMetrics));
    },

    listCalls({ scope, limit }) {
      if (!Number.isInteger(limit) || limit < 1) {
        throw new StoreError('INVALID_INPUT', `listCalls: limit must be a positive integer, got ${limit}.`);
      }
      return guard('list calls', () => (listStmts[scope].all(limit) as CallRow[]).map(toCallSummary));
    },

    getCall(id, options = {}) {
      return guard('read a call', () => readCall(id, options.withOriginals === true));
    },

    markInterruptedCallsEnded(nowMs) {
      return guard('close calls interrupted by a crash', () =>
        (markInterruptedStmt.all({ nowMs }) as { id: string }[]).map((row) => row.id),
      );
    },

    searchUtterances(query, options = {}) {
      const ftsQuery = toFtsQuery(query);
      if (ftsQuery === null) return [];
      const limit = options.limit ?? DEFAULT_SEARCH_LIMIT;
      return guard('search transcripts', () =>
        (searchStmt.all({ query: ftsQuery, limit }) as (UtteranceRow & { rank: number })[]).map((row) => ({
          utterance: toUtterance(row),
          rank: row.rank,
        })),
      );
    },
  };
}

function listSql(where: string): string {
  return `SELECT ${CALL_COLUMNS} FROM calls c WHERE ${where}
          ORDER BY c.started_at DESC, c.id DESC LIMIT ?`;
}

function guard<T>(action: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translateSqliteError(error, action);
  }
}

// Rows are written only through this store with domain-typed values, so the casts below
// restate what was written; tests parse every mapped row with the zod schemas.

function toCallSummary(row: CallRow): CallSummary {
  return {
    id: row.id,
    callSid: row.call_sid,
    direction: row.direction as CallDirection,
    from: row.from_number,
    to: row.to_number,
    status: row.status as CallStatus,
    controller: row.controller as Controller,
    aiActivity: STORED_AI_ACTIVITY,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    scenario: row.scenario,
    utteranceCount: row.utterance_count,
    // A float mean of values in [-1, 1] can land a rounding error outside the range.
    callerSentiment: row.caller_sentiment === null ? null : Math.min(1, Math.max(-1, row.caller_sentiment)),
    endReason: row.end_reason,
    // Live-only detail (pause, waiting, open alerts, the trend) is not stored with the call.
    ...storedCallLiveFields(row.status as CallStatus, row.controller as Controller),
    disposition: row.disposition,
    ...(row.profile_id !== null && row.profile_version !== null
      ? { profile: { id: row.profile_id, version: row.profile_version, name: row.profile_name ?? row.profile_id } }
      : {}),
    ...(row.campaign_id !== null ? { campaignId: row.campaign_id } : {}),
  };
}

function toUtterance(row: UtteranceRow): Utterance {
  const sentiment: Sentiment | null =
    row.sentiment_score === null || row.sentiment_label === null
      ? null
      : { score: row.sentiment_score, label: row.sentiment_label as Sentiment['label'] };
  return {
    id: row.id,
    callId: row.call_id,
    speaker: row.speaker as Speaker,
    text: row.text,
    final: true,
    startMs: row.start_ms,
    endMs: row.end_ms,
    sentiment,
    interrupted: row.interrupted !== 0,
    // Absent rather than null when unknown, as lines are before any intent is judged.
    ...(row.intent !== null ? { intent: row.intent } : {}),
    ...(typeof row.original_text === 'string' ? { originalText: row.original_text } : {}),
  };
}

function toCallEvent(row: EventRow): CallEvent {
  return {
    id: row.id,
    callId: row.call_id,
    type: row.type as CallEventType,
    atMs: row.at_ms,
    data: JSON.parse(row.data) as Record<string, unknown>,
    ...(typeof row.original_data === 'string' ? { originalData: JSON.parse(row.original_data) as Record<string, unknown> } : {}),
  };
}

function toTurnMetrics(row: TurnMetricsRow): TurnMetrics {
  return {
    callId: row.call_id,
    turnId: row.turn_id,
    speechEndAtMs: row.speech_end_at_ms,
    sttFinalAtMs: row.stt_final_at_ms,
    llmFirstTokenAtMs: row.llm_first_token_at_ms,
    ttsFirstByteAtMs: row.tts_first_byte_at_ms,
    firstAudioAtMs: row.first_audio_at_ms,
    sttLabel: row.stt_label,
    llmLabel: row.llm_label,
    ttsLabel: row.tts_label,
  };
}
