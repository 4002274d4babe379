/** Transient notices (mostly SwitchboardError messages) shown bottom-right. */
import { create } from 'zustand';
import { SwitchboardError } from '@shared/client';

export interface Toast {
  id: number;
  tone: 'error' | 'info';
  title: string;
  message: string;
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
}

let nextId = 1;
const TOAST_MS = 7000;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (t) => {
    const id = nextId++;
    // Same message twice in a row (e.g. a double click) shows once.
    const last = get().toasts.at(-1);
    if (last && last.title === t.title && last.message === t.message) return;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { ...t, id }] }));
    setTimeout(() => get().dismiss(id), TOAST_MS);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

/** Shows a failed command as an error toast. `action` reads like "Couldn't take over the call". */
export function reportError(action: string, err: unknown): void {
  const message =
    err instanceof SwitchboardError || err instanceof Error ? err.message : 'Something went wrong';
  useToasts.getState().push({ tone: 'error', title: action, message });
}
