/**
 * The export panel: what will be exported (the filter's chips and how many calls match),
 * format and content, Start; then each job's progress with rows, time left and Cancel, and a
 * download link when it is done. Jobs are in the exports store, so they outlive the panel.
 */
import { useEffect, useId, useState } from 'react';
import type { DataSource, ExportContent, ExportFormat } from '@shared/history';
import { Button } from '../../components/ui/Button';
import { FieldError } from '../../components/ui/fields';
import { CloseIcon, DownloadIcon } from '../../components/ui/icons';
import { Modal } from '../../components/ui/Modal';
import { client } from '../../lib/client';
import { cn } from '../../lib/cn';
import { formatBytes, formatSeconds } from '../../lib/format';
import { fileUrl } from '../../lib/transport';
import { useConnectEpoch } from '../connection/useConnection';
import { FilterChips } from '../filters/FilterChips';
import { checkFilter, filterChips, toCallFilter, type FilterState } from '../filters/filter-query';
import { useTeamSync } from '../team-view/useTeamSync';
import { estimate, useExports, type TrackedJob } from './store';
import { useExportActions } from './useExports';

const formats: Array<{ value: ExportFormat; label: string; hint: string }> = [
  { value: 'csv', label: 'CSV', hint: 'Opens in Excel, Numbers, Google Sheets' },
  { value: 'jsonl', label: 'JSON Lines', hint: 'One JSON object per line, for scripts and BI tools' },
  { value: 'xlsx', label: 'Excel', hint: '.xlsx workbook; “both” gives two sheets' },
];
const sources: Array<{ value: DataSource; label: string; hint: string }> = [
  { value: 'desk', label: 'This desk', hint: 'Calls taken on this desk' },
  { value: 'team', label: 'Team', hint: 'Every desk’s calls, with a desk column' },
];
const contents: Array<{ value: ExportContent; label: string; hint: string }> = [
  { value: 'calls', label: 'Calls', hint: 'One row per call' },
  { value: 'lines', label: 'Lines', hint: 'One row per transcript line' },
  { value: 'both', label: 'Both', hint: 'Calls and their lines' },
];

/** The panel, driven by the exports store (mounted once, at the shell). */
export function ExportPanelHost() {
  const open = useExports((s) => s.panelOpen);
  const filter = useExports((s) => s.panelFilter);
  const panelSource = useExports((s) => s.panelSource);
  const close = useExports((s) => s.closePanel);
  return (
    <Modal open={open} onClose={close} testId="export-panel" className="max-h-[min(90vh,44rem)] w-[min(36rem,calc(100vw-2rem))]">
      {(titleId) => <ExportPanel titleId={titleId} filter={filter} initialSource={panelSource} onClose={close} />}
    </Modal>
  );
}

function useMatchCount(filter: FilterState | null, source: DataSource): number | null {
  const epoch = useConnectEpoch();
  const [count, setCount] = useState<{ key: string; calls: number } | null>(null);
  const key = filter ? JSON.stringify([filter, source]) : '';
  useEffect(() => {
    if (!filter || epoch < 0 || Object.keys(checkFilter(filter)).length > 0) return;
    let cancelled = false;
    client
      .invoke('history.analytics', { filter: toCallFilter(filter, Date.now()), groupBy: 'week', source })
      .then((a) => {
        if (!cancelled) setCount({ key, calls: a.totals.calls });
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
    // `key` stands for `filter` and `source`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, epoch]);
  return count && count.key === key ? count.calls : null;
}

function ExportPanel({
  titleId,
  filter,
  initialSource,
  onClose,
}: {
  titleId: string;
  filter: FilterState | null;
  initialSource: DataSource;
  onClose: () => void;
}) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [content, setContent] = useState<ExportContent>('calls');
  const [chosenSource, setSource] = useState<DataSource>(initialSource);
  // Team sync (issue 12): the choice is offered only when it is set up.
  const teamAvailable = useTeamSync().configured === true;
  const source: DataSource = teamAvailable ? chosenSource : 'desk';
  const actions = useExportActions();
  const order = useExports((s) => s.order);
  const jobs = useExports((s) => s.jobs);
  const matchCount = useMatchCount(filter, source);
  const problems = filter ? checkFilter(filter) : {};
  const problem = Object.values(problems)[0] ?? null;
  const errorId = useId();

  return (
    <div className="flex max-h-[inherit] flex-col">
      <header className="flex items-center gap-3 border-b border-slate-800 px-5 py-3.5">
        <h2 id={titleId} className="text-[14px] font-semibold text-slate-100">
          Export calls
        </h2>
        <button
          type="button"
          onClick={onClose}
          aria-label="Close"
          className="focus-ring ml-auto rounded p-1 text-slate-400 hover:bg-slate-800 hover:text-slate-100"
        >
          <CloseIcon />
        </button>
      </header>

      <div className="flex min-h-0 flex-col gap-5 overflow-y-auto px-5 py-4">
        {filter ? (
          <form
            className="flex flex-col gap-4"
            onSubmit={(e) => {
              e.preventDefault();
              if (!problem) void actions.start(filter, format, content, source);
            }}
          >
            <section className="flex flex-col gap-2">
              <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">What</h3>
              <FilterChips filter={filter} chips={filterChips(filter)} />
              <p className="text-[12.5px] text-slate-300" data-testid="export-estimate">
                {matchCount === null ? (
                  'Counting the calls that match…'
                ) : (
                  <>
                    <span className="font-semibold text-slate-100 tabular-nums">{matchCount.toLocaleString()}</span>{' '}
                    {source === 'team' ? (matchCount === 1 ? 'call from the team matches' : 'calls from the team match') : matchCount === 1 ? 'call matches' : 'calls match'} these filters
                    {content !== 'calls' ? ', with every line of each' : ''}.
                  </>
                )}
              </p>
            </section>

            {teamAvailable ? <RadioCards legend="From" name="export-source" options={sources} value={source} onChange={setSource} /> : null}
            <RadioCards legend="Format" name="export-format" options={formats} value={format} onChange={setFormat} />
            <RadioCards legend="Content" name="export-content" options={contents} value={content} onChange={setContent} />

            <div className="flex items-center gap-3">
              <Button
                type="submit"
                variant="primary"
                busy={actions.starting}
                disabled={actions.starting || problem !== null || matchCount === 0}
                icon={<DownloadIcon className="size-3.5" />}
                aria-describedby={problem || actions.startError ? errorId : undefined}
                data-testid="export-start"
              >
                Start export
              </Button>
              {problem || actions.startError ? (
                <FieldError id={errorId} testId="export-error">
                  {problem ?? actions.startError}
                </FieldError>
              ) : matchCount === 0 ? (
                <span className="text-[12px] text-slate-400">Nothing to export: no calls match.</span>
              ) : (
                <span className="text-[12px] text-slate-400">Runs in the background; you can keep working.</span>
              )}
            </div>
          </form>
        ) : null}

        <section className="flex flex-col gap-2" aria-label="Exports">
          {filter ? <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">This session’s exports</h3> : null}
          {order.length === 0 ? (
            <p className="text-[12.5px] text-slate-400">No exports yet.</p>
          ) : (
            <ul className="flex flex-col gap-2">
              {order.map((id) => {
                const tracked = jobs[id];
                return tracked ? <JobRow key={id} tracked={tracked} onCancel={() => actions.cancel(id)} /> : null;
              })}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

function RadioCards<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  options: Array<{ value: T; label: string; hint: string }>;
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-2 text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{legend}</legend>
      <div className={cn('grid gap-2', options.length === 2 ? 'grid-cols-2' : 'grid-cols-3')}>
        {options.map((o) => (
          <label
            key={o.value}
            className={cn(
              'flex cursor-pointer flex-col gap-0.5 rounded-lg border px-3 py-2 transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-400',
              value === o.value ? 'border-indigo-400/50 bg-indigo-400/[0.08]' : 'border-slate-800 bg-slate-950/40 hover:border-slate-700',
            )}
          >
            <span className="flex items-center gap-2 text-[13px] font-medium text-slate-100">
              <input
                type="radio"
                name={name}
                value={o.value}
                checked={value === o.value}
                onChange={() => onChange(o.value)}
                aria-labelledby={`${name}-${o.value}-label`}
                aria-describedby={`${name}-${o.value}-hint`}
                className="size-3.5 accent-indigo-400 focus:outline-none"
              />
              <span id={`${name}-${o.value}-label`}>{o.label}</span>
            </span>
            <span id={`${name}-${o.value}-hint`} className="text-[11.5px] leading-snug text-slate-400">
              {o.hint}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

const formatName: Record<ExportFormat, string> = { csv: 'CSV', jsonl: 'JSON Lines', xlsx: 'Excel' };

function JobRow({ tracked, onCancel }: { tracked: TrackedJob; onCancel: () => void }) {
  const { job } = tracked;
  const pct = job.rowsTotal > 0 ? Math.min(100, Math.round((job.rowsWritten / job.rowsTotal) * 100)) : job.state === 'done' ? 100 : 0;
  const { secondsLeft } = estimate(tracked);
  return (
    <li
      className="flex flex-col gap-2 rounded-lg border border-slate-800 bg-slate-950/40 px-3.5 py-3"
      data-testid="export-job"
      data-job-id={job.id}
      data-state={job.state}
    >
      <div className="flex items-center gap-2 text-[12.5px]">
        <span className="min-w-0 truncate font-medium text-slate-100" title={job.fileName}>
          {job.fileName}
        </span>
        <span className="shrink-0 text-slate-400">
          {formatName[job.format]} · {job.content}
        </span>
        <span className="ml-auto shrink-0">
          <JobState state={job.state} />
        </span>
      </div>

      {job.state === 'running' ? (
        <>
          <div
            role="progressbar"
            aria-label={`Exporting ${job.fileName}`}
            aria-valuemin={0}
            aria-valuemax={job.rowsTotal || 100}
            aria-valuenow={job.rowsTotal ? job.rowsWritten : pct}
            aria-valuetext={`${job.rowsWritten.toLocaleString()} of ${job.rowsTotal.toLocaleString()} rows`}
            data-testid="export-progress"
            className="h-1.5 overflow-hidden rounded-full bg-slate-800"
          >
            <div className="h-full rounded-full bg-indigo-400 transition-[width] duration-300" style={{ width: `${pct}%` }} />
          </div>
          <div className="flex items-center gap-2 text-[12px] text-slate-400 tabular-nums">
            <span data-testid="export-rows">
              {job.rowsWritten.toLocaleString()} of {job.rowsTotal.toLocaleString()} rows
            </span>
            <span aria-hidden>·</span>
            <span data-testid="export-eta">
              {secondsLeft === null ? 'estimating time left…' : secondsLeft < 1 ? 'almost done' : `about ${formatSeconds(Math.ceil(secondsLeft))} left`}
            </span>
            <Button size="sm" variant="ghost" className="ml-auto" onClick={onCancel} data-testid="export-cancel">
              Cancel
            </Button>
          </div>
        </>
      ) : job.state === 'done' && job.fileRoute ? (
        <div className="flex items-center gap-3 text-[12px] text-slate-400">
          <a
            href={fileUrl(job.fileRoute)}
            download={job.fileName}
            data-testid="export-download"
            className="focus-ring inline-flex h-7 items-center gap-1.5 rounded-md bg-indigo-500 px-2.5 text-[12px] font-medium text-white hover:bg-indigo-600"
          >
            <DownloadIcon className="size-3.5" />
            Download
          </a>
          <span className="tabular-nums" data-testid="export-size">
            {job.rowsWritten.toLocaleString()} rows{job.bytes !== null ? ` · ${formatBytes(job.bytes)}` : ''}
          </span>
        </div>
      ) : job.state === 'failed' ? (
        <p className="text-[12px] text-rose-300" role="alert" data-testid="export-failure">
          {job.error ?? 'The export failed.'}
        </p>
      ) : job.state === 'cancelled' ? (
        <p className="text-[12px] text-slate-400">Cancelled. Nothing was saved.</p>
      ) : null}
    </li>
  );
}

function JobState({ state }: { state: TrackedJob['job']['state'] }) {
  const look = {
    running: 'bg-indigo-400/10 text-indigo-200 ring-indigo-400/25',
    done: 'bg-emerald-400/10 text-emerald-300 ring-emerald-400/25',
    failed: 'bg-rose-400/10 text-rose-300 ring-rose-400/25',
    cancelled: 'bg-slate-700/40 text-slate-300 ring-slate-600/50',
  }[state];
  const word = { running: 'Exporting', done: 'Ready', failed: 'Failed', cancelled: 'Cancelled' }[state];
  return <span className={cn('inline-flex h-5 items-center rounded-full px-2 text-[11px] font-medium ring-1 ring-inset', look)}>{word}</span>;
}

/** Top-bar chip while exports run (or one is ready); opens the panel. */
export function ExportsIndicator() {
  const order = useExports((s) => s.order);
  const jobs = useExports((s) => s.jobs);
  const open = useExports((s) => s.openPanel);
  const running = order.map((id) => jobs[id]).filter((t) => t && t.job.state === 'running') as TrackedJob[];
  if (order.length === 0) return null;
  const rows = running.reduce((n, t) => n + t.job.rowsWritten, 0);
  const total = running.reduce((n, t) => n + t.job.rowsTotal, 0);
  const pct = total > 0 ? Math.round((rows / total) * 100) : 0;
  return (
    <button
      type="button"
      onClick={() => open(null)}
      data-testid="exports-indicator"
      className="focus-ring inline-flex h-7 items-center gap-1.5 rounded-full border border-slate-700/80 px-2.5 text-[12px] text-slate-300 hover:border-slate-600 hover:bg-slate-800/70"
      title="Exports"
      aria-label={running.length > 0 ? `Exporting, ${pct}%` : 'Exports'}
    >
      <DownloadIcon className="size-3.5" />
      {running.length > 0 ? <span className="tabular-nums">{pct}%</span> : <span className="hidden xl:inline">Exports</span>}
    </button>
  );
}
