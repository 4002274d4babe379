/**
 * The console's call state: summaries by id, transcripts by call id (interim lines replaced
 * in place by the line with the same id), timeline events, the latest suggestion and the AI
 * turns' latency per call.
 * Fed by useCallsFeed / useCallDetail; components read it through selectors and take props.
 */
import { create } from 'zustand';
import type { CallEvent, CallSummary, Suggestion, TurnMetrics, Utterance } from '@shared/domain';
import type { Recording } from '@shared/history';
import { mergeEntities, type CallEntity, type WrapUp } from '@shared/wrapup';
import { pruneDrafts, readDrafts, writeDraft } from '../drafts/drafts';

export interface CallsState {
  calls: Record<string, CallSummary>;
  transcripts: Record<string, Utterance[]>;
  events: Record<string, CallEvent[]>;
  suggestions: Record<string, Suggestion>;
  /** Per-turn latency by call id, oldest first (call.turn events and calls.get). */
  turns: Record<string, TurnMetrics[]>;
  /** Recordings per call id, as calls.get last reported them. */
  recordings: Record<string, Recording[]>;
  /** Calls whose stored transcript has been loaded with calls.get. */
  detailLoaded: Record<string, true>;
  /** The caller's details per call (issue 8): newest first, each once (suggestions and calls.get). */
  entities: Record<string, CallEntity[]>;
  /** Saved wrap-ups per call (issue 8): null when calls.get said there is none yet. */
  wrapUps: Record<string, WrapUp | null>;
  /**
   * Composer text per call, so "Use" in the Assist panel can fill it; kept in sessionStorage
   * (features/drafts) so a reload keeps it, and dropped once the call has ended.
   */
  drafts: Record<string, string>;
  selectedId: string | null;
  /** A demo call we started and want to open as soon as its summary arrives. */
  pendingSelectSid: string | null;
  /** True once the first calls.list answered (distinguishes "loading" from "no calls"). */
  listsLoaded: boolean;

  upsertCalls(calls: CallSummary[]): void;
  upsertUtterance(u: Utterance): void;
  addEvent(e: CallEvent): void;
  setSuggestion(s: Suggestion): void;
  setWrapUp(w: WrapUp): void;
  upsertTurn(m: TurnMetrics): void;
  loadDetail(detail: {
    call: CallSummary;
    utterances: Utterance[];
    events: CallEvent[];
    suggestion: Suggestion | null;
    turns: TurnMetrics[];
    recordings?: Recording[];
    entities?: CallEntity[];
    wrapUp?: WrapUp | null;
  }): void;
  select(id: string | null): void;
  selectWhenArrives(callSid: string): void;
  setDraft(callId: string, text: string): void;
  setListsLoaded(): void;
}

/** Inserts or replaces `u` by id, keeping lines ordered by start time. A final line is never downgraded. */
export function mergeUtterance(lines: readonly Utterance[], u: Utterance): Utterance[] {
  const at = lines.findIndex((l) => l.id === u.id);
  // An empty final line was never heard (the AI was cut off before its first word): drop it.
  if (u.final && !u.text) return at >= 0 ? lines.filter((l) => l.id !== u.id) : (lines as Utterance[]);
  if (at >= 0) {
    const current = lines[at]!;
    if (current.final && !u.final) return lines as Utterance[];
    const next = lines.slice();
    next[at] = u;
    return next;
  }
  let i = lines.length;
  while (i > 0 && lines[i - 1]!.startMs > u.startMs) i -= 1;
  const next = lines.slice();
  next.splice(i, 0, u);
  return next;
}

function mergeEvent(list: readonly CallEvent[], e: CallEvent): CallEvent[] {
  if (list.some((x) => x.id === e.id)) return list as CallEvent[];
  let i = list.length;
  while (i > 0 && list[i - 1]!.atMs > e.atMs) i -= 1;
  const next = list.slice();
  next.splice(i, 0, e);
  return next;
}

/** Inserts or replaces `m` by turnId, keeping turns ordered by when the caller stopped speaking. */
export function mergeTurn(list: readonly TurnMetrics[], m: TurnMetrics): TurnMetrics[] {
  const at = list.findIndex((x) => x.turnId === m.turnId);
  if (at >= 0) {
    const next = list.slice();
    next[at] = m;
    return next;
  }
  let i = list.length;
  while (i > 0 && list[i - 1]!.speechEndAtMs > m.speechEndAtMs) i -= 1;
  const next = list.slice();
  next.splice(i, 0, m);
  return next;
}

/** An open "the AI asks for a person" request on a live call. */
export interface TakeoverRequest {
  /** The 'takeover_requested' event, when this console has seen it (null: known only from the summary). */
  eventId: string | null;
  reason: string;
  /** When the AI asked, in ms since the call started. */
  atMs: number;
  /** Epoch ms the caller started waiting (the summary's `waitingSince`, else the request's time). */
  since: number;
}

/** Events after which the AI's request for a person is no longer open. */
const CLOSES_REQUEST = new Set<CallEvent['type']>(['takeover', 'handback', 'ended', 'takeover_withdrawn']);

/**
 * The AI's latest request for a person, unless the call has moved on since (someone took
 * over, the call was handed back or ended, or the caller chose to carry on with the AI).
 * Callers also check that the AI still controls the call: a summary can say so before the
 * takeover event arrives. `since` is filled in by `takeoverRequestFor`.
 */
export function openTakeoverRequest(events: readonly CallEvent[]): Omit<TakeoverRequest, 'since'> | null {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const e = events[i]!;
    if (CLOSES_REQUEST.has(e.type)) return null;
    if (e.type === 'takeover_requested') {
      const reason = typeof e.data['reason'] === 'string' ? e.data['reason'] : '';
      return { eventId: e.id, reason, atMs: e.atMs };
    }
  }
  return null;
}

/**
 * The open request for a person on `call`: the summary's `waitingSince` is the core's word on
 * it; the events add the reason (and stand in when a core does not set `waitingSince`).
 */
export function takeoverRequestFor(call: CallSummary, events: readonly CallEvent[]): TakeoverRequest | null {
  if (call.controller !== 'ai' || call.status === 'ended') return null;
  const fromEvents = openTakeoverRequest(events);
  if (call.waitingSince !== null) {
    const atMs = Math.max(0, call.waitingSince - call.startedAt);
    return { eventId: fromEvents?.eventId ?? null, reason: fromEvents?.reason ?? '', atMs, since: call.waitingSince };
  }
  return fromEvents ? { ...fromEvents, since: call.startedAt + fromEvents.atMs } : null;
}

/** Newer summaries win; an ended call never comes back to life from a stale update. */
function mergeCall(current: CallSummary | undefined, next: CallSummary): CallSummary {
  if (current && current.status === 'ended' && next.status !== 'ended') return current;
  return next;
}

export const useCallsStore = create<CallsState>()((set) => ({
  calls: {},
  transcripts: {},
  events: {},
  suggestions: {},
  turns: {},
  recordings: {},
  detailLoaded: {},
  entities: {},
  wrapUps: {},
  drafts: readDrafts('composer'),
  selectedId: null,
  pendingSelectSid: null,
  listsLoaded: false,

  upsertCalls: (list) =>
    set((s) => {
      if (list.length === 0) return s;
      const calls = { ...s.calls };
      let selectedId = s.selectedId;
      let pendingSelectSid = s.pendingSelectSid;
      let drafts = s.drafts;
      for (const c of list) {
        calls[c.id] = mergeCall(calls[c.id], c);
        if (pendingSelectSid && c.callSid === pendingSelectSid) {
          selectedId = c.id;
          pendingSelectSid = null;
        }
        // Nobody can send to an ended call: its unsent text goes (here and in session storage).
        if (calls[c.id]!.status === 'ended' && c.id in drafts) {
          drafts = { ...drafts };
          delete drafts[c.id];
        }
      }
      const ended = list.filter((c) => calls[c.id]!.status === 'ended').map((c) => c.id);
      if (ended.length > 0) pruneDrafts((id) => !ended.includes(id));
      return drafts === s.drafts ? { calls, selectedId, pendingSelectSid } : { calls, selectedId, pendingSelectSid, drafts };
    }),

  upsertUtterance: (u) =>
    set((s) => {
      const current = s.transcripts[u.callId] ?? [];
      const next = mergeUtterance(current, u);
      return next === current ? s : { transcripts: { ...s.transcripts, [u.callId]: next } };
    }),

  addEvent: (e) =>
    set((s) => {
      const current = s.events[e.callId] ?? [];
      const next = mergeEvent(current, e);
      return next === current ? s : { events: { ...s.events, [e.callId]: next } };
    }),

  setSuggestion: (sug) =>
    set((s) => {
      const current = s.entities[sug.callId] ?? [];
      const entities = mergeEntities(current, sug.entities ?? []);
      return {
        suggestions: { ...s.suggestions, [sug.callId]: sug },
        ...(entities === current ? {} : { entities: { ...s.entities, [sug.callId]: entities } }),
      };
    }),

  setWrapUp: (w) => set((s) => ({ wrapUps: { ...s.wrapUps, [w.callId]: w } })),

  upsertTurn: (m) =>
    set((s) => ({ turns: { ...s.turns, [m.callId]: mergeTurn(s.turns[m.callId] ?? [], m) } })),

  loadDetail: ({ call, utterances, events, suggestion, turns, recordings, entities, wrapUp }) =>
    set((s) => {
      // Lines that arrived live while calls.get was in flight are merged, not overwritten.
      let lines = s.transcripts[call.id] ?? [];
      for (const u of utterances) lines = mergeUtterance(lines, u);
      let evs = s.events[call.id] ?? [];
      for (const e of events) evs = mergeEvent(evs, e);
      let callTurns = s.turns[call.id] ?? [];
      // A turn that arrived live is newer than the stored copy of the same turn.
      for (const m of turns) if (!callTurns.some((t) => t.turnId === m.turnId)) callTurns = mergeTurn(callTurns, m);
      const suggestions =
        suggestion && !s.suggestions[call.id] ? { ...s.suggestions, [call.id]: suggestion } : s.suggestions;
      return {
        calls: { ...s.calls, [call.id]: mergeCall(s.calls[call.id], call) },
        transcripts: { ...s.transcripts, [call.id]: lines },
        events: { ...s.events, [call.id]: evs },
        suggestions,
        turns: { ...s.turns, [call.id]: callTurns },
        recordings: recordings ? { ...s.recordings, [call.id]: recordings } : s.recordings,
        // Details seen live since are newer than the stored list: they stay in front.
        entities: entities ? { ...s.entities, [call.id]: mergeEntities(entities, s.entities[call.id] ?? []) } : s.entities,
        // A wrap-up saved from this console meanwhile is at least as new as what calls.get read.
        wrapUps: wrapUp !== undefined && !s.wrapUps[call.id] ? { ...s.wrapUps, [call.id]: wrapUp } : s.wrapUps,
        detailLoaded: { ...s.detailLoaded, [call.id]: true },
      };
    }),

  select: (id) => set({ selectedId: id }),
  selectWhenArrives: (callSid) =>
    set((s) => {
      const existing = Object.values(s.calls).find((c) => c.callSid === callSid);
      return existing ? { selectedId: existing.id, pendingSelectSid: null } : { pendingSelectSid: callSid };
    }),
  setDraft: (callId, text) => {
    writeDraft(callId, 'composer', text);
    set((s) => ({ drafts: { ...s.drafts, [callId]: text } }));
  },
  setListsLoaded: () =>
    set((s) => {
      // Drafts saved before a reload for calls that ended meanwhile (or are gone) are dropped.
      const live = (id: string) => s.calls[id] !== undefined && s.calls[id].status !== 'ended';
      pruneDrafts(live);
      const drafts = Object.fromEntries(Object.entries(s.drafts).filter(([id]) => live(id)));
      return { listsLoaded: true, drafts };
    }),
}));

const EMPTY_LINES: Utterance[] = [];
const EMPTY_EVENTS: CallEvent[] = [];
const EMPTY_TURNS: TurnMetrics[] = [];
const EMPTY_RECORDINGS: Recording[] = [];

export const selectTranscript =
  (callId: string | null) =>
  (s: CallsState): Utterance[] =>
    (callId && s.transcripts[callId]) || EMPTY_LINES;

export const selectEvents =
  (callId: string | null) =>
  (s: CallsState): CallEvent[] =>
    (callId && s.events[callId]) || EMPTY_EVENTS;

export const selectTurns =
  (callId: string | null) =>
  (s: CallsState): TurnMetrics[] =>
    (callId && s.turns[callId]) || EMPTY_TURNS;

export const selectRecordings =
  (callId: string | null) =>
  (s: CallsState): Recording[] =>
    (callId && s.recordings[callId]) || EMPTY_RECORDINGS;
