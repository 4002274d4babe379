/**
 * The shell's view of the live calls, for the tray: how many are live, and how many need the
 * agent (the same rule the console orders its list by, @shared/attention). Kept from the core's
 * `call.updated` events after one initial list, and reported only when a count changes.
 */
import { attentionCounts } from '@shared/attention';
import type { CallSummary } from '@shared/domain';
import type { Core } from '../core/core-types';

export interface LiveCounts {
  live: number;
  attention: number;
}

export function trackLiveCalls(core: Core, onChange: (counts: LiveCounts) => void): () => void {
  const live = new Map<string, CallSummary>();
  /** Calls an event told us about before the initial list came: the list (maybe older) never overrides them. */
  const heard = new Set<string>();
  let listed = false;
  let last = '';
  const report = () => {
    const counts = attentionCounts(live.values());
    const key = `${counts.live}/${counts.attention}`;
    if (key === last) return;
    last = key;
    onChange(counts);
  };
  const stop = core.subscribe((event) => {
    if (event.name !== 'call.updated') return;
    const call = event.payload as CallSummary;
    if (!listed) heard.add(call.id);
    if (call.status === 'ended') live.delete(call.id);
    else live.set(call.id, call);
    report();
  });
  report();
  void core.dispatch('calls.list', { scope: 'live', limit: 100 }).then((result) => {
    listed = true;
    if (result.ok) {
      for (const call of result.value as CallSummary[]) {
        if (!heard.has(call.id) && call.status !== 'ended') live.set(call.id, call);
      }
    }
    heard.clear();
    report();
  });
  return stop;
}
