/**
 * History's data: stored calls (history.page) or matching transcript lines (history.search)
 * for the URL's filter, keyset-paginated, from this desk or the team database (issue 12). A
 * filter with a problem queries nothing.
 */
import { useEffect, useState } from 'react';
import type { CallHistoryRow, DataSource, HistorySort, SearchHit } from '@shared/history';
import { client } from '../../lib/client';
import { toCallFilter, type FilterState } from '../filters/filter-query';
import { useKeysetPages, type KeysetPages } from './useKeysetPages';

export const PAGE_SIZE = 100;

export function useHistoryCalls(filter: FilterState, sort: HistorySort, enabled: boolean, source: DataSource = 'desk'): KeysetPages<CallHistoryRow> {
  const key = enabled ? JSON.stringify(['calls', filter, sort, source]) : null;
  return useKeysetPages(
    key,
    () => toCallFilter({ ...filter, search: '' }, Date.now()),
    (f, cursor) =>
      client
        .invoke('history.page', { filter: f, sort, limit: PAGE_SIZE, source, ...(cursor ? { cursor } : {}) })
        .then((page) => ({ items: page.calls, nextCursor: page.nextCursor })),
  );
}

export function useSearchHits(filter: FilterState, enabled: boolean, source: DataSource = 'desk'): KeysetPages<SearchHit> {
  const key = enabled ? JSON.stringify(['search', filter, source]) : null;
  return useKeysetPages(
    key,
    () => toCallFilter(filter, Date.now()),
    (f, cursor) =>
      client
        .invoke('history.search', { filter: f, limit: PAGE_SIZE, source, ...(cursor ? { cursor } : {}) })
        .then((page) => ({ items: page.hits, nextCursor: page.nextCursor })),
  );
}

/** Calls that ended since `since` changed: History offers to show them instead of jumping. */
export function useCallsEndedSince(since: unknown): number {
  const [ended, setEnded] = useState<{ since: unknown; ids: ReadonlySet<string> }>({ since, ids: new Set() });
  useEffect(() => {
    return client.on('call.updated', (call) => {
      if (call.status !== 'ended') return;
      setEnded((e) => (e.ids.has(call.id) ? e : { ...e, ids: new Set([...e.ids, call.id]) }));
    });
  }, []);
  if (ended.since !== since) {
    setEnded({ since, ids: new Set() });
    return 0;
  }
  return ended.ids.size;
}
