/**
 * Export jobs of this session, kept across views: what the core last said about each job
 * (export.progress), when progress was seen (for the time-left estimate), and whether the
 * export panel is open and with which filter.
 */
import { create } from 'zustand';
import type { DataSource, ExportJob } from '@shared/history';
import type { FilterState } from '../filters/filter-query';

export interface ProgressSample {
  /** Local clock (ms) when the sample arrived. */
  at: number;
  rows: number;
}

export interface TrackedJob {
  job: ExportJob;
  /** The first and latest progress seen, for the rate. */
  first: ProgressSample;
  last: ProgressSample;
}

interface ExportsState {
  jobs: Record<string, TrackedJob>;
  /** Newest first. */
  order: string[];
  panelOpen: boolean;
  /** The filter a new export will use; null when the panel was opened to look at jobs only. */
  panelFilter: FilterState | null;
  /** Where a new export reads from: the view's source when the panel opened (issue 12). */
  panelSource: DataSource;
  upsert(job: ExportJob, at?: number): void;
  openPanel(filter: FilterState | null, source?: DataSource): void;
  closePanel(): void;
  dismiss(id: string): void;
}

export const useExports = create<ExportsState>()((set) => ({
  jobs: {},
  order: [],
  panelOpen: false,
  panelFilter: null,
  panelSource: 'desk',
  upsert: (job, at = Date.now()) =>
    set((s) => {
      const current = s.jobs[job.id];
      // A late progress event never undoes a finished state.
      if (current && current.job.state !== 'running' && job.state === 'running') return s;
      if (current && job.state === 'running' && job.rowsWritten < current.job.rowsWritten) return s;
      const sample = { at, rows: job.rowsWritten };
      const tracked: TrackedJob = current ? { job, first: current.first, last: sample } : { job, first: sample, last: sample };
      return {
        jobs: { ...s.jobs, [job.id]: tracked },
        order: current ? s.order : [job.id, ...s.order],
      };
    }),
  openPanel: (filter, source = 'desk') => set({ panelOpen: true, panelFilter: filter, panelSource: source }),
  closePanel: () => set({ panelOpen: false }),
  dismiss: (id) =>
    set((s) => {
      const jobs = { ...s.jobs };
      delete jobs[id];
      return { jobs, order: s.order.filter((x) => x !== id) };
    }),
}));

/** Rows per second so far and the seconds left at that pace; null until there is a rate. */
export function estimate(t: TrackedJob): { rowsPerS: number | null; secondsLeft: number | null } {
  const { job, first, last } = t;
  const elapsedS = (last.at - first.at) / 1000;
  const rows = last.rows - first.rows;
  if (elapsedS < 0.3 || rows <= 0) return { rowsPerS: null, secondsLeft: null };
  const rowsPerS = rows / elapsedS;
  const left = Math.max(0, job.rowsTotal - job.rowsWritten);
  return { rowsPerS, secondsLeft: left / rowsPerS };
}

export function runningJobs(s: Pick<ExportsState, 'jobs' | 'order'>): TrackedJob[] {
  return s.order.map((id) => s.jobs[id]!).filter((t) => t && t.job.state === 'running');
}

