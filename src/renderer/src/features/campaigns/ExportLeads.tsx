/**
 * A campaign's per-lead results through the team lead's export (content 'leads'): the format
 * is chosen here, the job then shows in the export panel with its progress and download, like
 * any other export.
 */
import { useState } from 'react';
import type { ExportFormat } from '@shared/history';
import { Popover } from '../../components/ui/fields';
import { DownloadIcon } from '../../components/ui/icons';
import { client } from '../../lib/client';
import { useExports } from '../exports/store';
import { reportError } from '../toasts/store';

const FORMATS: Array<{ value: ExportFormat; label: string; hint: string }> = [
  { value: 'csv', label: 'CSV', hint: 'Excel, Numbers, Google Sheets' },
  { value: 'xlsx', label: 'Excel', hint: '.xlsx workbook' },
  { value: 'jsonl', label: 'JSON Lines', hint: 'For scripts and BI tools' },
];

export function ExportLeads({ campaignId }: { campaignId: string }) {
  const [starting, setStarting] = useState(false);
  const start = (format: ExportFormat) => {
    setStarting(true);
    client.invoke('export.start', { format, content: 'leads', campaignId }).then(
      (job) => {
        setStarting(false);
        useExports.getState().upsert(job);
        useExports.getState().openPanel(null); // the jobs, with this one's progress and download
      },
      (err: unknown) => {
        setStarting(false);
        reportError("Couldn't export the leads", err);
      },
    );
  };
  return (
    <Popover
      testId="export-leads"
      align="end"
      label={
        <span className="flex items-center gap-1.5">
          <DownloadIcon className="size-3.5" /> Export leads
        </span>
      }
    >
      <p className="px-1 pb-1.5 text-[11.5px] text-faint">One row per lead: outcome, attempts, last call, wrap-up.</p>
      <ul className="flex flex-col gap-0.5">
        {FORMATS.map((f) => (
          <li key={f.value}>
            <button
              type="button"
              disabled={starting}
              onClick={() => start(f.value)}
              className="focus-ring flex w-full items-baseline gap-2 rounded px-2 py-1.5 text-left text-[12.5px] text-slate-200 hover:bg-slate-800 disabled:opacity-60"
            >
              {f.label}
              <span className="text-[11.5px] text-faint">{f.hint}</span>
            </button>
          </li>
        ))}
      </ul>
    </Popover>
  );
}
