/**
 * Export jobs: follows 'export.progress' for the whole session (mounted once, at the shell),
 * and starts or cancels jobs. Jobs live in the exports store, so they survive changing views.
 */
import { useCallback, useEffect, useState } from 'react';
import { SwitchboardError } from '@shared/client';
import type { DataSource, ExportContent, ExportFormat } from '@shared/history';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { toCallFilter, type FilterState } from '../filters/filter-query';
import { useExports } from './store';

export function useExportsFeed(): void {
  useEffect(() => client.on('export.progress', (job) => useExports.getState().upsert(job)), []);
}

export function useExportActions(): {
  starting: boolean;
  /** Why the last start was refused (shown beside the Start button). */
  startError: string | null;
  start(filter: FilterState, format: ExportFormat, content: ExportContent, source?: DataSource): Promise<string | null>;
  cancel(id: string): void;
} {
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);

  const start = useCallback(async (filter: FilterState, format: ExportFormat, content: ExportContent, source: DataSource = 'desk') => {
    setStarting(true);
    setStartError(null);
    try {
      const job = await client.invoke('export.start', { filter: toCallFilter(filter, Date.now()), format, content, source });
      useExports.getState().upsert(job);
      return job.id;
    } catch (err) {
      setStartError(err instanceof SwitchboardError || err instanceof Error ? err.message : 'The export could not start.');
      return null;
    } finally {
      setStarting(false);
    }
  }, []);

  const cancel = useCallback((id: string) => {
    client
      .invoke('export.cancel', { id })
      .then((job) => useExports.getState().upsert(job))
      .catch((err: unknown) => reportError("Couldn't cancel the export", err));
  }, []);

  return { starting, startError, start, cancel };
}
