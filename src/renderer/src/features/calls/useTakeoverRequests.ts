/** Open "the AI asks for a person" requests on the live calls the AI still controls, by call id. */
import { useMemo } from 'react';
import type { CallSummary } from '@shared/domain';
import { takeoverRequestFor, useCallsStore, type TakeoverRequest } from './store';

export function useTakeoverRequests(live: readonly CallSummary[]): Record<string, TakeoverRequest> {
  const events = useCallsStore((s) => s.events);
  return useMemo(() => {
    const open: Record<string, TakeoverRequest> = {};
    for (const call of live) {
      const request = takeoverRequestFor(call, events[call.id] ?? []);
      if (request) open[call.id] = request;
    }
    return open;
  }, [live, events]);
}
