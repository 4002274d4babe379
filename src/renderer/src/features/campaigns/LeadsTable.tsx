/**
 * A campaign's leads as a virtualised grid: number, name, state (with a pending lead's next
 * try), outcome, attempts, last attempt, refusal reason, disposition and summary, and a link
 * to the last call. The next page is fetched as the end comes into view. Rows are one tab
 * stop (arrows, Home/End, Page Up/Down move; Enter opens the last call when there is one).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Link } from 'wouter';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CampaignLead } from '@shared/campaign';
import { dispositionLabel } from '@shared/wrapup';
import { ColumnHeader, LoadingMoreRow } from '../../components/ui/grid';
import { cn } from '../../lib/cn';
import { formatPhone, formatWhen } from '../../lib/format';
import { navigate, routes } from '../../lib/router';
import { useRovingRows } from '../../lib/useRovingRows';
import { dueInWords } from './CampaignProgress';
import { LEAD_STATE_WORDS, OUTCOME_COLOUR, OUTCOME_WORDS } from './words';

const ROW_PX = 44;
const HEADER_PX = 34;
const PREFETCH_ROWS = 20;

/** number, name, state, outcome, attempts, last attempt, refusal reason, disposition + summary, call */
const COLUMNS =
  'grid-cols-[8.5rem_minmax(5.5rem,1fr)_6rem_6rem_4.75rem_6.5rem_minmax(6rem,1fr)_minmax(8rem,1.6fr)_3.5rem]';

export function LeadsTable({
  leads,
  hasMore,
  loadingMore,
  onLoadMore,
  busy,
  now,
}: {
  leads: CampaignLead[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** A new filter is loading: the rows shown are the previous answer. */
  busy: boolean;
  now: number;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = leads.length + (hasMore ? 1 : 0);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 12,
    paddingStart: HEADER_PX,
    scrollPaddingStart: HEADER_PX,
    getItemKey: (i) => leads[i]?.id ?? `more-${i}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { activeIndex, setActive, onNavigate } = useRovingRows(leads.length, virtualizer, scrollRef, ROW_PX);

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= leads.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, leads.length, onLoadMore]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>, index: number) => {
    if (onNavigate(e, index) || e.key !== 'Enter') return;
    const callId = leads[index]?.lastCallId;
    if (callId) {
      e.preventDefault();
      navigate(routes.call(callId));
    }
  };

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="Leads"
      aria-rowcount={hasMore ? -1 : leads.length + 1}
      aria-busy={busy || undefined}
      data-testid="leads-table"
      className={cn('relative min-h-0 flex-1 overflow-auto', busy && 'opacity-60 transition-opacity')}
    >
      <div className="relative min-w-[62rem]" style={{ height: virtualizer.getTotalSize() }}>
        <div role="rowgroup" className="sticky top-0 z-10 border-b border-slate-800 bg-slate-950/95 backdrop-blur">
          <div role="row" aria-rowindex={1} className={cn('grid h-[34px] items-center gap-2.5 px-4 xl:px-6', COLUMNS)}>
            <ColumnHeader>Number</ColumnHeader>
            <ColumnHeader>Name</ColumnHeader>
            <ColumnHeader>State</ColumnHeader>
            <ColumnHeader>Outcome</ColumnHeader>
            <ColumnHeader align="end">Attempts</ColumnHeader>
            <ColumnHeader>Last attempt</ColumnHeader>
            <ColumnHeader title="Why compliance refused to dial the lead">Refusal</ColumnHeader>
            <ColumnHeader title="The call's disposition and summary">Summary</ColumnHeader>
            <ColumnHeader align="end">Call</ColumnHeader>
          </div>
        </div>
        <div role="rowgroup">
          {items.map((v) => {
            const lead = leads[v.index];
            if (!lead) {
              return (
                <LoadingMoreRow key={v.key} size={v.size} start={v.start} testId="leads-loading-more">
                  Loading more leads…
                </LoadingMoreRow>
              );
            }
            return (
              <LeadRow
                key={v.key}
                lead={lead}
                index={v.index}
                start={v.start}
                tabbable={v.index === activeIndex}
                onFocus={() => setActive(v.index)}
                onKeyDown={(e) => onKeyDown(e, v.index)}
                now={now}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

const STATE_TONE: Record<CampaignLead['state'], string> = {
  pending: 'text-slate-300',
  dialling: 'text-indigo-200',
  in_call: 'text-indigo-200 font-medium',
  done: 'text-slate-400',
};

function LeadRow({
  lead,
  index,
  start,
  tabbable,
  onFocus,
  onKeyDown,
  now,
}: {
  lead: CampaignLead;
  index: number;
  start: number;
  tabbable: boolean;
  onFocus: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => void;
  now: number;
}) {
  const context = Object.entries(lead.context);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      tabIndex={tabbable ? 0 : -1}
      data-testid="lead-row"
      data-lead-id={lead.id}
      data-state={lead.state}
      data-outcome={lead.outcome ?? ''}
      data-row-index={index}
      onFocus={onFocus}
      onKeyDown={onKeyDown}
      className={cn(
        'focus-ring absolute top-0 left-0 grid w-full items-center gap-2.5 border-b border-slate-800/60 px-4 text-[12.5px] text-slate-300 [outline-offset:-2px] hover:bg-slate-800/30 xl:px-6',
        COLUMNS,
      )}
      style={{ height: ROW_PX, transform: `translateY(${start}px)` }}
    >
      <div role="gridcell" className="truncate font-medium text-slate-100 tabular-nums">
        {formatPhone(lead.number)}
      </div>
      <div
        role="gridcell"
        className="truncate"
        title={context.length > 0 ? context.map(([k, v]) => `${k}: ${v}`).join('\n') : undefined}
      >
        {lead.name ?? <span className="text-faint">—</span>}
      </div>
      <div role="gridcell" className={cn('flex min-w-0 flex-col leading-tight', STATE_TONE[lead.state])}>
        <span className="truncate">{LEAD_STATE_WORDS[lead.state]}</span>
        {lead.state === 'pending' && lead.nextAt !== null && lead.attempts > 0 ? (
          <span className="truncate text-[11px] text-faint" title={new Date(lead.nextAt).toLocaleString()}>
            retry {dueInWords(lead.nextAt, now)}
          </span>
        ) : null}
      </div>
      <div role="gridcell" className="min-w-0">
        {lead.outcome ? (
          <span className="inline-flex max-w-full items-center gap-1.5 truncate">
            <span aria-hidden className={cn('size-2 shrink-0 rounded-[3px]', OUTCOME_COLOUR[lead.outcome])} />
            <span className="truncate">{OUTCOME_WORDS[lead.outcome]}</span>
          </span>
        ) : (
          <span className="text-faint">—</span>
        )}
      </div>
      <div role="gridcell" className="text-right tabular-nums">
        {lead.attempts}
      </div>
      <div role="gridcell" className="truncate text-slate-400 tabular-nums" title={lead.lastAttemptAt !== null ? new Date(lead.lastAttemptAt).toLocaleString() : undefined}>
        {lead.lastAttemptAt !== null ? formatWhen(lead.lastAttemptAt, now) : <span className="text-faint">—</span>}
      </div>
      <div role="gridcell" className="truncate text-fuchsia-200/90" title={lead.refusal ?? undefined} data-testid="lead-refusal">
        {lead.refusal ?? <span className="text-faint">—</span>}
      </div>
      <div role="gridcell" className="flex min-w-0 items-center gap-1.5" title={lead.summary ?? undefined}>
        {lead.disposition ? (
          <span className="shrink-0 rounded bg-indigo-400/10 px-1 text-[10.5px] leading-4 text-indigo-200">{dispositionLabel(lead.disposition)}</span>
        ) : null}
        {lead.summary ? (
          <span className="truncate text-slate-400">{lead.summary}</span>
        ) : !lead.disposition ? (
          <span className="text-faint">—</span>
        ) : null}
      </div>
      <div role="gridcell" className="text-right">
        {lead.lastCallId ? (
          <Link
            href={routes.call(lead.lastCallId)}
            tabIndex={-1}
            className="text-[12px] text-indigo-300 underline-offset-2 hover:text-indigo-200 hover:underline"
            data-testid="lead-call-link"
            aria-label={`Open the last call to ${formatPhone(lead.number)}`}
          >
            Open
          </Link>
        ) : (
          <span className="text-faint">—</span>
        )}
      </div>
    </div>
  );
}
