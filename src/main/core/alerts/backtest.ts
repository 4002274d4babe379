/**
 * "Try this rule on stored calls": replays the stored calls of the last N days through the
 * same evaluator live calls use (evaluator.ts) and says where the rule would have fired.
 *
 * SQL does the narrowing, JavaScript only replays what it is handed:
 * - the calls are walked newest first in keyset batches (never OFFSET, never the whole table);
 *   kinds that can only fire on some calls narrow them in SQL first: phrases through the
 *   full-text index (which tokenizes and stems as words.ts does), events through
 *   call_events_by_type, long calls on the duration;
 * - each candidate call's lines and events are read by its own index, one call at a time;
 * - at most MAX_CALLS_CHECKED candidate calls are replayed and MAX_MATCHES places listed; the
 *   answer says how many calls were covered and how many places there were in all.
 * It runs in a worker thread (backtest-worker.ts) on a read-only connection: replaying
 * thousands of calls must not hold up the thread that paces live calls' audio.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { AlertBacktestMatch, AlertBacktestResult, AlertRule } from '@shared/alerts';
import type { CallEventType, CallState, Speaker } from '@shared/domain';
import { createStatementCache } from '../store/statement-cache';
import { CallAlertEvaluator, type AlertInput } from './evaluator';
import { phrasesFtsQuery } from './words';

export const MAX_CALLS_CHECKED = 20_000;
export const MAX_MATCHES = 100;
const BATCH_CALLS = 500;
const DAY_MS = 86_400_000;

interface Plan {
  /** Extra condition on `calls c`, with its parameters. */
  where: string;
  params: Record<string, string | number>;
  /** Whose lines to replay (null: none needed). */
  speakers: Speaker[] | null;
  /** Event types to replay besides those that say who has the call. */
  eventTypes: CallEventType[];
}

/** Events that say who has the call (the silence rule needs them; they are cheap for all). */
const STATE_EVENTS: CallEventType[] = ['takeover', 'handback', 'hold', 'pause'];

function planFor(rule: AlertRule): Plan {
  const plan: Plan = { where: '1', params: {}, speakers: null, eventTypes: [] };
  const hasEvent = (types: string[]) => {
    types.forEach((t, i) => (plan.params[`ev${i}`] = t));
    return `EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.type IN (${types.map((_, i) => `@ev${i}`).join(', ')}))`;
  };
  const hasPhrase = (phrases: readonly string[], speakers: Speaker[]) => {
    const fts = phrasesFtsQuery(phrases);
    if (fts === null) return '0';
    plan.params['fts'] = fts;
    const inSpeakers = speakers.map((s) => `'${s}'`).join(', ');
    return `c.id IN (SELECT u.call_id FROM utterances_fts f JOIN utterances u ON u.row_id = f.rowid
                     WHERE utterances_fts MATCH @fts AND u.speaker IN (${inSpeakers}))`;
  };
  switch (rule.kind) {
    case 'phrase': {
      const speakers: Speaker[] = rule.params.speaker === 'any' ? ['caller', 'ai'] : [rule.params.speaker];
      plan.where = hasPhrase(rule.params.phrases, speakers);
      plan.speakers = speakers;
      break;
    }
    case 'person_request': {
      const parts: string[] = [];
      if (rule.params.phrases.length > 0) {
        parts.push(hasPhrase(rule.params.phrases, ['caller']));
        plan.speakers = ['caller'];
      }
      if (rule.params.onTakeoverRequest) {
        parts.push(hasEvent(['takeover_requested']));
        plan.eventTypes = ['takeover_requested'];
      }
      plan.where = parts.length > 0 ? `(${parts.join(' OR ')})` : '0';
      break;
    }
    case 'sentiment':
      plan.where = 'c.caller_sentiment_avg IS NOT NULL';
      plan.speakers = ['caller'];
      break;
    case 'ai_loop':
      plan.speakers = ['ai'];
      break;
    case 'caller_repeat':
      plan.speakers = ['caller'];
      break;
    case 'silence':
      plan.speakers = ['caller', 'ai', 'agent'];
      plan.eventTypes = [...STATE_EVENTS];
      break;
    case 'barge_ins':
      plan.where = hasEvent(['barge_in']);
      plan.eventTypes = ['barge_in'];
      break;
    case 'long_call':
      plan.where = '(c.ended_at - c.started_at) >= @long_ms';
      plan.params['long_ms'] = rule.params.afterMin * 60_000;
      break;
    case 'provider_trouble': {
      const types: CallEventType[] = [];
      if (rule.params.fallbacks) types.push('fallback');
      if (rule.params.errors) types.push('error');
      plan.where = hasEvent(types);
      plan.eventTypes = types;
      break;
    }
  }
  return plan;
}

interface LineRow {
  id: string;
  speaker: Speaker;
  text: string;
  start_ms: number;
  end_ms: number;
  sentiment_score: number | null;
}

interface EventRow {
  type: CallEventType;
  at_ms: number;
  data: string;
}

/** Replays the rule over the stored calls that started in the last `days` days before `nowMs`. */
export function backtestRule(
  db: Database,
  rule: AlertRule,
  days: number,
  nowMs = Date.now(),
  limits: { maxCalls: number; maxMatches: number } = { maxCalls: MAX_CALLS_CHECKED, maxMatches: MAX_MATCHES },
): AlertBacktestResult {
  const started = performance.now();
  const prepare = createStatementCache(db);
  const since = nowMs - days * DAY_MS;
  // The rule is tried as it would run live, enabled or not.
  const replayed: AlertRule = { ...rule, enabled: true };
  const plan = planFor(replayed);
  const range = 'c.status = \'ended\' AND c.started_at >= @since AND c.ended_at IS NOT NULL';
  const params = { ...plan.params, since };

  const callsInRange = prepare(`SELECT count(*) FROM calls c WHERE ${range}`).pluck().get({ since }) as number;
  const linesOf = plan.speakers
    ? prepare(`SELECT id, speaker, text, start_ms, end_ms, sentiment_score FROM utterances
               WHERE call_id = ? AND speaker IN (${plan.speakers.map((s) => `'${s}'`).join(', ')}) ORDER BY seq`)
    : null;
  const eventTypes = [...new Set([...plan.eventTypes, ...STATE_EVENTS])];
  const eventsOf = prepare(`SELECT type, at_ms, data FROM call_events
                            WHERE call_id = ? AND type IN (${eventTypes.map((t) => `'${t}'`).join(', ')}) ORDER BY at_ms, seq`);

  // Candidates replayed (the kind's SQL narrowing already ruled out every other call in range).
  const walked = { replayed: 0, last: null as CandidateCall | null, capped: false };
  let matchedCalls = 0;
  let alerts = 0;
  const matches: AlertBacktestMatch[] = [];
  // One snapshot for the whole walk, however long it takes.
  const walk = db.transaction(() => {
    for (const call of candidateCalls(prepare, `${range} AND ${plan.where}`, params)) {
      if (walked.replayed >= limits.maxCalls) {
        walked.capped = true;
        break;
      }
      walked.replayed++;
      walked.last = call;
      const lines = linesOf ? (linesOf.all(call.id) as LineRow[]) : [];
      const events = eventsOf.all(call.id) as EventRow[];
      const fired = replayCall(replayed, call.durationMs, lines, events);
      if (fired.length === 0) continue;
      matchedCalls++;
      alerts += fired.length;
      const byId = new Map(lines.map((l) => [l.id, l]));
      for (const f of fired) {
        if (matches.length >= limits.maxMatches) break;
        const line = f.alert.utteranceId ? byId.get(f.alert.utteranceId) : undefined;
        matches.push({
          callId: call.id,
          callStartedAt: call.startedAt,
          caller: call.caller,
          atMs: Math.max(0, Math.round(line ? line.start_ms : f.atMs)),
          lineId: line?.id ?? null,
          speaker: line?.speaker ?? null,
          text: line?.text ?? f.alert.detail,
          detail: f.alert.detail,
        });
      }
    }
  });
  walk();
  // Every call in range was looked at, unless the cap stopped the walk: then those from the
  // last one replayed onwards (newest first) were.
  const callsChecked =
    walked.capped && walked.last
      ? (prepare(`SELECT count(*) FROM calls c WHERE ${range} AND (c.started_at, c.id) >= (@k, @id)`)
          .pluck()
          .get({ since, k: walked.last.startedAt, id: walked.last.id }) as number)
      : callsInRange;
  return {
    days,
    since,
    callsInRange,
    callsChecked,
    matchedCalls,
    alerts,
    matches,
    truncated: alerts > matches.length,
    tookMs: Math.round(performance.now() - started),
  };
}

interface CandidateCall {
  id: string;
  startedAt: number;
  durationMs: number;
  caller: string;
}

/** Candidate calls newest first, in keyset batches (no statement stays open between them). */
function* candidateCalls(
  prepare: (sql: string) => Statement,
  where: string,
  params: Record<string, string | number>,
): Generator<CandidateCall> {
  const columns = `c.id, c.started_at, c.ended_at - c.started_at AS duration_ms,
                   CASE c.direction WHEN 'outbound' THEN c.to_number ELSE c.from_number END AS caller`;
  const first = prepare(`SELECT ${columns} FROM calls c WHERE ${where} ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`);
  const next = prepare(`SELECT ${columns} FROM calls c WHERE ${where} AND (c.started_at, c.id) < (@k, @id)
                        ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`);
  type Row = { id: string; started_at: number; duration_ms: number; caller: string };
  let batch = first.all({ ...params, limit: BATCH_CALLS }) as Row[];
  while (batch.length > 0) {
    for (const r of batch) yield { id: r.id, startedAt: r.started_at, durationMs: Math.max(0, r.duration_ms), caller: r.caller };
    if (batch.length < BATCH_CALLS) return;
    const last = batch[batch.length - 1]!;
    batch = next.all({ ...params, limit: BATCH_CALLS, k: last.started_at, id: last.id }) as Row[];
  }
}

/**
 * One stored call through the evaluator, in time order: each line is a voice from its start
 * to its end (then the final line), events as they happened, who had the call from the
 * take-over/hold/pause events, ticks wherever a rule asked for one, and the end.
 */
export function replayCall(rule: AlertRule, durationMs: number, lines: readonly LineRow[], events: readonly EventRow[]) {
  const inputs: AlertInput[] = [];
  for (const line of lines) {
    inputs.push({ type: 'voice', atMs: line.start_ms, speaker: line.speaker, on: true });
    inputs.push({
      type: 'line',
      atMs: line.end_ms,
      line: { id: line.id, speaker: line.speaker, text: line.text, sentiment: line.sentiment_score },
    });
  }
  for (const event of events) {
    const data = parseData(event.data);
    const state = stateAfter(event.type, data);
    if (state) inputs.push({ type: 'state', atMs: event.at_ms, state });
    inputs.push({ type: 'event', atMs: event.at_ms, eventType: event.type, data });
  }
  // Stable: a line's voice before the line, events in their stored order.
  inputs.sort((a, b) => a.atMs - b.atMs);
  inputs.push({ type: 'state', atMs: durationMs, state: 'ended' });

  const evaluator = new CallAlertEvaluator([rule], 0);
  const fired: ReturnType<CallAlertEvaluator['push']> = [];
  for (const input of inputs) {
    // Time passes up to this input: the rules that asked to look again get their tick.
    for (let guard = 0; guard < 1000; guard++) {
      const due = evaluator.nextDeadlineMs();
      if (due === null || due > input.atMs) break;
      fired.push(...evaluator.push({ type: 'tick', atMs: due }));
      if (evaluator.nextDeadlineMs() === due) break;
    }
    fired.push(...evaluator.push(input));
  }
  return fired;
}

function stateAfter(type: CallEventType, data: Record<string, unknown>): CallState | null {
  switch (type) {
    case 'takeover':
      return data['via'] === 'softphone' ? 'agent_phone' : 'agent';
    case 'handback':
      return 'ai';
    case 'hold':
      return data['on'] === true ? 'agent_hold' : 'agent_phone';
    case 'pause':
      return data['on'] === true ? 'ai_paused' : 'ai';
    default:
      return null;
  }
}

function parseData(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
