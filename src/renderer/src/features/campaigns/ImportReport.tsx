/**
 * What creating a campaign did with the file: how many leads were imported, and every row that
 * was not (its line, why, the core's message), downloadable to fix and import again. Rejected
 * rows are reported, never fatal. It only takes props.
 */
import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { RejectedLeadRow } from '@shared/campaign';
import { Button } from '../../components/ui/Button';
import { DownloadIcon } from '../../components/ui/icons';
import { downloadText, toCsv } from '../../lib/csv';
import { routes } from '../../lib/router';
import type { CreateReport } from './draft';

const REASON_WORDS: Record<RejectedLeadRow['reason'], string> = {
  malformed_row: 'Unreadable row',
  missing_number: 'No number',
  invalid_number: 'Not a valid number',
  duplicate_number: 'Duplicate number',
};

const ROW_PX = 32;

export function ImportReport({ report, onDone, onAnother }: { report: CreateReport; onDone: () => void; onAnother: () => void }) {
  // The form is gone: the report's title takes the focus, so it is read out and Tab starts here.
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => title.current?.focus(), []);
  const shownAll = report.rejected.length >= report.rejectedCount;
  return (
    <div className="mx-auto flex w-full max-w-4xl flex-col gap-4 px-4 py-5 xl:px-6" data-testid="import-report">
      <div>
        <h1 ref={title} tabIndex={-1} className="text-[15px] font-semibold tracking-tight text-slate-50 outline-none">“{report.name}” is ready as a draft</h1>
        <p className="mt-0.5 text-[12.5px] text-slate-400">Nothing is dialled until you start it from the campaign’s page.</p>
      </div>
      <div className="grid grid-cols-2 gap-3">
        <div className="rounded-lg border border-emerald-400/20 bg-emerald-400/[0.05] px-4 py-3">
          <p className="text-[24px] font-semibold text-emerald-200 tabular-nums" data-testid="report-imported">
            {report.imported.toLocaleString()}
          </p>
          <p className="text-[12px] text-slate-300">{report.imported === 1 ? 'lead imported' : 'leads imported'}</p>
        </div>
        <div className={report.rejectedCount > 0 ? 'rounded-lg border border-amber-400/25 bg-amber-400/[0.05] px-4 py-3' : 'rounded-lg border border-slate-800 px-4 py-3'}>
          <p className={report.rejectedCount > 0 ? 'text-[24px] font-semibold text-amber-200 tabular-nums' : 'text-[24px] font-semibold text-slate-400 tabular-nums'} data-testid="report-rejected-count">
            {report.rejectedCount.toLocaleString()}
          </p>
          <p className="text-[12px] text-slate-300">{report.rejectedCount === 1 ? 'row not imported' : 'rows not imported'}</p>
        </div>
      </div>

      {report.rejected.length > 0 ? (
        <section aria-labelledby="rejected-title" className="flex flex-col gap-2">
          <div className="flex items-center gap-3">
            <h2 id="rejected-title" className="text-[13px] font-semibold text-slate-100">
              Rows not imported
            </h2>
            <span className="text-[12px] text-faint">
              {shownAll
                ? 'Fix them in the file and import it as another campaign.'
                : `The first ${report.rejected.length.toLocaleString()} of ${report.rejectedCount.toLocaleString()}.`}
            </span>
            <Button
              variant="secondary"
              size="sm"
              className="ml-auto"
              icon={<DownloadIcon className="size-3.5" />}
              onClick={() =>
                downloadText(
                  `${report.name.replace(/[^\w-]+/g, '-').slice(0, 60) || 'campaign'}-rejected-rows.csv`,
                  toCsv(['line', 'reason', 'message'], report.rejected.map((r) => [r.line, r.reason, r.message])),
                )
              }
            >
              Download CSV
            </Button>
          </div>
          <RejectedTable rows={report.rejected} />
        </section>
      ) : (
        <p className="text-[12.5px] text-slate-300">Every row of the file was imported.</p>
      )}

      <div className="flex items-center gap-2">
        <Link
          href={routes.campaign(report.campaignId)}
          onClick={onDone}
          className="focus-ring inline-flex h-8 items-center rounded-md bg-indigo-500 px-3 text-[13px] font-medium text-white hover:bg-indigo-600"
          data-testid="open-campaign"
        >
          Open the campaign
        </Link>
        <Button variant="ghost" onClick={onAnother}>
          Create another campaign
        </Button>
      </div>
    </div>
  );
}

function RejectedTable({ rows }: { rows: RejectedLeadRow[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 10,
    paddingStart: ROW_PX,
  });
  const columns = 'grid grid-cols-[4rem_9.5rem_minmax(0,1fr)] items-center gap-3 px-3';
  return (
    <div
      ref={scrollRef}
      role="table"
      aria-label="Rows not imported"
      aria-rowcount={rows.length + 1}
      tabIndex={0}
      className="focus-ring relative max-h-80 overflow-auto rounded-md border border-slate-800"
      data-testid="rejected-rows"
    >
      <div className="relative" style={{ height: virtualizer.getTotalSize() }}>
        <div role="rowgroup" className="sticky top-0 z-10 border-b border-slate-800 bg-slate-950">
          <div role="row" aria-rowindex={1} className={`${columns} h-8 text-[11px] font-semibold tracking-[0.06em] text-slate-400 uppercase`}>
            <span role="columnheader" className="text-right">
              Line
            </span>
            <span role="columnheader">Reason</span>
            <span role="columnheader">Message</span>
          </div>
        </div>
        <div role="rowgroup">
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            return (
              <div
                key={v.key}
                role="row"
                aria-rowindex={v.index + 2}
                data-testid="rejected-row"
                data-reason={row.reason}
                className={`${columns} absolute top-0 left-0 w-full border-b border-slate-800/60 text-[12px]`}
                style={{ height: ROW_PX, transform: `translateY(${v.start}px)` }}
              >
                <span role="cell" className="text-right text-slate-300 tabular-nums">
                  {row.line}
                </span>
                <span role="cell" className="truncate text-amber-200">
                  {REASON_WORDS[row.reason]}
                </span>
                <span role="cell" className="truncate text-slate-400" title={row.message}>
                  {row.message}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
