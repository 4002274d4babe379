/** The dashboard's figures (history.analytics) for the URL's filter and grouping, in local time. */
import { useEffect, useState } from 'react';
import { SwitchboardError } from '@shared/client';
import type { Analytics, AnalyticsGroupBy, DataSource } from '@shared/history';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { toCallFilter, type FilterState } from '../filters/filter-query';

/** A caller who leaves within this many seconds counts as abandoned. */
export const ABANDON_WITHIN_S = 10;

export interface AnalyticsQuery {
  data: Analytics | null;
  /** True while a query runs (data may still show the previous answer). */
  loading: boolean;
  error: { code: string; message: string } | null;
  reload(): void;
}

/** `source`: this desk's store, or the team database (issue 12). */
export function useAnalytics(filter: FilterState, groupBy: AnalyticsGroupBy, enabled: boolean, source: DataSource = 'desk'): AnalyticsQuery {
  const epoch = useConnectEpoch();
  const key = enabled ? JSON.stringify([filter, groupBy, source]) : null;
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<{ key: string | null; revision: number; data: Analytics | null; error: AnalyticsQuery['error'] }>({
    key: null,
    revision: 0,
    data: null,
    error: null,
  });

  useEffect(() => {
    if (key === null || epoch < 0) return;
    let cancelled = false;
    // Days start at local midnight: the browser's offset from UTC now.
    const utcOffsetMin = -new Date().getTimezoneOffset();
    client
      .invoke('history.analytics', {
        filter: toCallFilter(filter, Date.now()),
        groupBy,
        utcOffsetMin,
        abandonWithinS: ABANDON_WITHIN_S,
        source,
      })
      .then((data) => {
        if (!cancelled) setState({ key, revision, data, error: null });
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        const error =
          err instanceof SwitchboardError
            ? { code: err.code, message: err.message }
            : { code: 'internal', message: err instanceof Error ? err.message : 'Something went wrong' };
        setState((s) => ({ key, revision, data: s.data, error }));
      });
    return () => {
      cancelled = true;
    };
    // `key` stands for filter, groupBy and source.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, epoch, revision]);

  const current = state.key === key && state.revision === revision;
  return {
    data: state.data,
    loading: key !== null && !current,
    error: current ? state.error : null,
    reload: () => setRevision((r) => r + 1),
  };
}
