/** The values filters can take in this store (end reasons seen), loaded on every (re)connect. */
import { useEffect, useState } from 'react';
import type { DataSource } from '@shared/history';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';

/** `source`: this desk's store, or the team database (issue 12). */
export function useFacets(source: DataSource = 'desk'): { endReasons: string[] } {
  const epoch = useConnectEpoch();
  const [endReasons, setEndReasons] = useState<string[]>([]);
  useEffect(() => {
    if (epoch < 0) return;
    let cancelled = false;
    client
      .invoke('history.facets', { source })
      .then((f) => {
        if (!cancelled) setEndReasons(f.endReasons);
      })
      // The picker still lists the reasons already chosen; nothing to tell the user.
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [epoch, source]);
  return { endReasons };
}

/** The team's wrap-up dispositions (Settings), loaded on every (re)connect. */
export function useDispositions(): string[] {
  const epoch = useConnectEpoch();
  const [dispositions, setDispositions] = useState<string[]>([]);
  useEffect(() => {
    if (epoch < 0) return;
    let cancelled = false;
    client
      .invoke('settings.get')
      .then((s) => {
        if (!cancelled) setDispositions(s.dispositions ?? []);
      })
      // The picker still lists the dispositions already chosen.
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, [epoch]);
  return dispositions;
}
