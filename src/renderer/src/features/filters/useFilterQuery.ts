/**
 * The current view's filter, read from and written to the URL (the hash's query string), so
 * History, Analytics and Export all see the same filter and a reload keeps it.
 */
import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';
import { currentPath, currentSearch, navigate, pathWithSearch } from '../../lib/router';
import { parseFilter, writeFilter, type FilterState } from './filter-query';

export interface FilterQuery {
  /** The whole query string (filter plus the view's own keys such as sort). */
  search: string;
  filter: FilterState;
  /** Replaces the filter; the view's other keys stay. `next` may be an updater of the latest state. */
  setFilter(next: FilterState | ((current: FilterState) => FilterState)): void;
  /** Sets (or with null removes) the view's own keys, e.g. sort and grouping. */
  setParams(params: Record<string, string | null>): void;
}

export function useFilterQuery(): FilterQuery {
  const search = useSearch();
  const [path] = useLocation();
  const filter = useMemo(() => parseFilter(search), [search]);

  const setFilter = useCallback((next: FilterState | ((current: FilterState) => FilterState)) => {
    // A debounced input that commits as its view closes must not write into the next view.
    if (currentPath() !== path) return;
    // Read the URL now, not the render's copy: debounced inputs commit after other changes.
    const latest = currentSearch();
    const value = typeof next === 'function' ? next(parseFilter(latest)) : next;
    navigate(pathWithSearch(path, writeFilter(value, latest).toString()), { replace: true });
  }, [path]);

  const setParams = useCallback((params: Record<string, string | null>) => {
    if (currentPath() !== path) return;
    const p = new URLSearchParams(currentSearch());
    for (const [key, value] of Object.entries(params)) {
      if (value === null) p.delete(key);
      else p.set(key, value);
    }
    navigate(pathWithSearch(path, p.toString()), { replace: true });
  }, [path]);

  return { search, filter, setFilter, setParams };
}
