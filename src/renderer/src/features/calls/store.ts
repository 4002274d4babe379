/**
 * The console's call state: summaries by id, transcripts by call id (interim lines replaced
 * in place by the line with the same id), timeline events, and the latest suggestion per call.
 * Fed by useCallsFeed / useCallDetail; components read it through selectors and take props.
 */
import { create } from 'zustand';
import type { CallEvent, CallSummary, Suggestion, Utterance } from '@shared/domain';

export interface CallsState {
  calls: Record<string, CallSummary>;
  transcripts: Record<string, Utterance[]>;
  events: Record<string, CallEvent[]>;
  suggestions: Record<string, Suggestion>;
  /** Calls whose stored transcript has been loaded with calls.get. */
  detailLoaded: Record<string, true>;
  /** Composer text per call, so "Use" in the Assist panel can fill it. */
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
  loadDetail(detail: {
    call: CallSummary;
    utterances: Utterance[];
    events: CallEvent[];
    suggestion: Suggestion | null;
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
  detailLoaded: {},
  drafts: {},
  selectedId: null,
  pendingSelectSid: null,
  listsLoaded: false,

  upsertCalls: (list) =>
    set((s) => {
      if (list.length === 0) return s;
      const calls = { ...s.calls };
      let selectedId = s.selectedId;
      let pendingSelectSid = s.pendingSelectSid;
      for (const c of list) {
        calls[c.id] = mergeCall(calls[c.id], c);
        if (pendingSelectSid && c.callSid === pendingSelectSid) {
          selectedId = c.id;
          pendingSelectSid = null;
        }
      }
      return { calls, selectedId, pendingSelectSid };
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

  setSuggestion: (sug) => set((s) => ({ suggestions: { ...s.suggestions, [sug.callId]: sug } })),

  loadDetail: ({ call, utterances, events, suggestion }) =>
    set((s) => {
      // Lines that arrived live while calls.get was in flight are merged, not overwritten.
      let lines = s.transcripts[call.id] ?? [];
      for (const u of utterances) lines = mergeUtterance(lines, u);
      let evs = s.events[call.id] ?? [];
      for (const e of events) evs = mergeEvent(evs, e);
      const suggestions =
        suggestion && !s.suggestions[call.id] ? { ...s.suggestions, [call.id]: suggestion } : s.suggestions;
      return {
        calls: { ...s.calls, [call.id]: mergeCall(s.calls[call.id], call) },
        transcripts: { ...s.transcripts, [call.id]: lines },
        events: { ...s.events, [call.id]: evs },
        suggestions,
        detailLoaded: { ...s.detailLoaded, [call.id]: true },
      };
    }),

  select: (id) => set({ selectedId: id }),
  selectWhenArrives: (callSid) =>
    set((s) => {
      const existing = Object.values(s.calls).find((c) => c.callSid === callSid);
      return existing ? { selectedId: existing.id, pendingSelectSid: null } : { pendingSelectSid: callSid };
    }),
  setDraft: (callId, text) => set((s) => ({ drafts: { ...s.drafts, [callId]: text } })),
  setListsLoaded: () => set({ listsLoaded: true }),
}));

const EMPTY_LINES: Utterance[] = [];
const EMPTY_EVENTS: CallEvent[] = [];

export const selectTranscript =
  (callId: string | null) =>
  (s: CallsState): Utterance[] =>
    (callId && s.transcripts[callId]) || EMPTY_LINES;

export const selectEvents =
  (callId: string | null) =>
  (s: CallsState): CallEvent[] =>
    (callId && s.events[callId]) || EMPTY_EVENTS;
