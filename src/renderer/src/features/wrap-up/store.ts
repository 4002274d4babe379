/**
 * Which wrap-up forms are open: a live call's opens when the agent presses Wrap up; an ended
 * call's opens by itself until the agent puts it off with Later (per call, this session).
 */
import { create } from 'zustand';

interface WrapUpUiState {
  /** Live calls the agent pressed Wrap up on. */
  requested: Record<string, true>;
  /** Calls whose form the agent closed for now. */
  deferred: Record<string, true>;
  /** Calls whose saved wrap-up the agent reopened to edit. */
  editing: Record<string, true>;
  request(callId: string): void;
  defer(callId: string): void;
  edit(callId: string, on: boolean): void;
}

const without = (map: Record<string, true>, key: string): Record<string, true> => {
  if (!(key in map)) return map;
  const next = { ...map };
  delete next[key];
  return next;
};

export const useWrapUpUi = create<WrapUpUiState>()((set) => ({
  requested: {},
  deferred: {},
  editing: {},
  request: (callId) => set((s) => ({ requested: { ...s.requested, [callId]: true }, deferred: without(s.deferred, callId) })),
  defer: (callId) =>
    set((s) => ({ deferred: { ...s.deferred, [callId]: true }, requested: without(s.requested, callId), editing: without(s.editing, callId) })),
  edit: (callId, on) => set((s) => ({ editing: on ? { ...s.editing, [callId]: true } : without(s.editing, callId), deferred: without(s.deferred, callId) })),
}));
