/**
 * Keyset pagination as a hook: the first page loads when `queryKey` changes (or the
 * connection comes back), `loadMore` fetches the next page with the cursor the last one gave.
 * The query's context (e.g. the CallFilter with "today" turned into timestamps) is made once
 * per query and reused for its later pages, as the cursor requires.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { SwitchboardError } from '@shared/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface KeysetPages<T> {
  items: T[];
  /** loading: the first page is on its way; ready: at least one page is in. */
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: { message: string; code: string } | null;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore(): void;
  reload(): void;
}

interface State<T> {
  /** The query (key, revision) this answer is for. */
  answered: string | null;
  items: T[];
  nextCursor: string | null;
  status: 'ready' | 'error';
  error: KeysetPages<T>['error'];
  loadingMore: boolean;
}

function describe(err: unknown): { message: string; code: string } {
  if (err instanceof SwitchboardError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? err.message : 'Something went wrong', code: 'internal' };
}

export function useKeysetPages<T, Ctx>(
  /** Identifies the query; null turns it off (e.g. the filter has a problem). */
  queryKey: string | null,
  makeContext: () => Ctx,
  fetchPage: (ctx: Ctx, cursor: string | undefined) => Promise<Page<T>>,
): KeysetPages<T> {
  const epoch = useConnectEpoch();
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<State<T>>({
    answered: null,
    items: [],
    nextCursor: null,
    status: 'ready',
    error: null,
    loadingMore: false,
  });
  const generation = useRef(0);
  const context = useRef<Ctx | null>(null);
  const inFlight = useRef(false);
  /** The next page's cursor, set as soon as a page arrives (before React renders it). */
  const cursorRef = useRef<string | null>(null);
  const fns = useRef({ makeContext, fetchPage });
  useEffect(() => {
    fns.current = { makeContext, fetchPage };
  });
  const tag = queryKey === null ? null : `${revision}:${queryKey}`;

  useEffect(() => {
    const gen = ++generation.current;
    inFlight.current = false;
    cursorRef.current = null;
    if (tag === null || epoch < 0) return;
    const ctx = fns.current.makeContext();
    context.current = ctx;
    inFlight.current = true;
    fns.current
      .fetchPage(ctx, undefined)
      .then((page) => {
        if (gen !== generation.current) return;
        cursorRef.current = page.nextCursor;
        setState({ answered: tag, items: page.items, nextCursor: page.nextCursor, status: 'ready', error: null, loadingMore: false });
      })
      .catch((err: unknown) => {
        if (gen !== generation.current) return;
        setState({ answered: tag, items: [], nextCursor: null, status: 'error', error: describe(err), loadingMore: false });
      })
      .finally(() => {
        if (gen === generation.current) inFlight.current = false;
      });
  }, [tag, epoch]);

  const loadMore = useCallback(() => {
    const cursor = cursorRef.current;
    const ctx = context.current;
    if (!cursor || inFlight.current || ctx === null) return;
    const gen = generation.current;
    inFlight.current = true;
    setState((cur) => ({ ...cur, loadingMore: true }));
    fns.current
      .fetchPage(ctx, cursor)
      .then((page) => {
        if (gen !== generation.current) return;
        cursorRef.current = page.nextCursor;
        setState((cur) => ({ ...cur, items: [...cur.items, ...page.items], nextCursor: page.nextCursor, loadingMore: false }));
      })
      .catch((err: unknown) => {
        if (gen !== generation.current) return;
        setState((cur) => ({ ...cur, loadingMore: false }));
        reportError("Couldn't load more", err);
      })
      .finally(() => {
        if (gen === generation.current) inFlight.current = false;
      });
  }, []);

  const reload = useCallback(() => setRevision((r) => r + 1), []);

  const current = tag !== null && state.answered === tag;
  return {
    // While a new query runs, the previous answer stays on screen (no flash of empty).
    items: state.items,
    status: tag === null ? 'idle' : current ? state.status : 'loading',
    error: current ? state.error : null,
    hasMore: current && state.nextCursor !== null,
    loadingMore: state.loadingMore,
    loadMore,
    reload,
  };
}
