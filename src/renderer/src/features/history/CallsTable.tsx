/**
 * Stored calls as a virtualised grid: one row per call, newest first by default, the next
 * page fetched as the end comes into view. Sortable column headers carry aria-sort; rows are
 * a roving tab stop (arrows, Home/End, Page Up/Down move, Enter opens the call).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CallHistoryRow, HistorySort, HistorySortKey } from '@shared/history';
import { DIRECTION_MIN_CHANGE } from '@shared/sentiment';
import { dispositionLabel } from '@shared/wrapup';
import { ColumnHeader, LoadingMoreRow } from '../../components/ui/grid';
import { AlertIcon, ArrowDownIcon, ArrowUpIcon, HeadsetIcon, SortIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { useRovingRows } from '../../lib/useRovingRows';
import { callerNumber, endReasonLabel, formatDuration, formatScore, formatWhen } from '../../lib/format';
import { SentimentScore } from '../sentiment/CallerSentiment';
import { DeskChip } from '../team-view/SourceSwitch';

const ROW_PX = 44;
const HEADER_PX = 34;
/** Fetch the next page when the last rendered row is this close to the end. */
const PREFETCH_ROWS = 20;

/** started, direction, number, duration, end reason, taken over, sentiment, alerts */
export const GRID_COLUMNS =
  'grid-cols-[minmax(7.5rem,1fr)_5rem_minmax(11rem,1.3fr)_4.5rem_minmax(7rem,1fr)_5.5rem_minmax(10.5rem,1fr)_3.5rem]';
/**
 * The team view (issue 12): from xl up, a Desk column first; narrower, the desk is a chip
 * beside the number (a ninth column would push Alerts out of a 1024 px window).
 */
const GRID_COLUMNS_WITH_DESK = `${GRID_COLUMNS} xl:grid-cols-[minmax(6.5rem,0.8fr)_minmax(7.5rem,1fr)_5rem_minmax(11rem,1.3fr)_4.5rem_minmax(7rem,1fr)_5.5rem_minmax(10.5rem,1fr)_3.5rem]`;

export function CallsTable({
  calls,
  sort,
  onSort,
  hasMore,
  loadingMore,
  onLoadMore,
  onOpen,
  canOpen = () => true,
  showDesk = false,
  now,
  busy,
}: {
  calls: CallHistoryRow[];
  sort: HistorySort;
  onSort: (sort: HistorySort) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onOpen: (call: CallHistoryRow) => void;
  /** Whether a row opens its call page (team rows of other desks do not: their calls are not in this desk's store). */
  canOpen?: (call: CallHistoryRow) => boolean;
  /** Team rows (issue 12): a Desk column first. */
  showDesk?: boolean;
  now: number;
  /** A new query is running: the rows shown are the previous answer. */
  busy: boolean;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = calls.length + (hasMore ? 1 : 0);
  const columns = showDesk ? GRID_COLUMNS_WITH_DESK : GRID_COLUMNS;

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_PX,
    overscan: 12,
    paddingStart: HEADER_PX,
    scrollPaddingStart: HEADER_PX,
    getItemKey: (i) => calls[i]?.id ?? `more-${i}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { activeIndex, setActive, onNavigate } = useRovingRows(calls.length, virtualizer, scrollRef, ROW_PX);

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= calls.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, calls.length, onLoadMore]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>, index: number) => {
    if (onNavigate(e, index)) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const call = calls[index];
      if (call) onOpen(call);
    }
  };

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="Calls"
      aria-rowcount={hasMore ? -1 : calls.length + 1}
      aria-busy={busy || undefined}
      data-testid="calls-table"
      className={cn('relative min-h-0 flex-1 overflow-auto', busy && 'opacity-60 transition-opacity')}
    >
      <div className={cn('relative min-w-[58rem]', showDesk && 'xl:min-w-[64rem]')} style={{ height: virtualizer.getTotalSize() }}>
        <div role="rowgroup" className="sticky top-0 z-10 border-b border-slate-800 bg-slate-950/95 backdrop-blur">
          <div role="row" aria-rowindex={1} className={cn('grid h-[34px] items-center gap-3 px-4 xl:px-6', columns)}>
            {showDesk ? (
              <div role="columnheader" className="hidden truncate text-[11px] font-semibold tracking-[0.06em] text-slate-400 uppercase xl:block">
                Desk
              </div>
            ) : null}
            <SortHeader label="Started" by="startedAt" sort={sort} onSort={onSort} />
            <ColumnHeader>Direction</ColumnHeader>
            <ColumnHeader>Number</ColumnHeader>
            <SortHeader label="Duration" by="duration" sort={sort} onSort={onSort} align="end" />
            <ColumnHeader>End reason</ColumnHeader>
            <ColumnHeader>Taken over</ColumnHeader>
            <SortHeader label="Sentiment (mean)" by="sentiment" sort={sort} onSort={onSort} />
            <ColumnHeader align="end">Alerts</ColumnHeader>
          </div>
        </div>
        <div role="rowgroup">
          {items.map((v) => {
            const call = calls[v.index];
            if (!call) {
              return (
                <LoadingMoreRow key={v.key} size={v.size} start={v.start} testId="loading-more">
                  Loading more calls…
                </LoadingMoreRow>
              );
            }
            return (
              <CallRow
                key={v.key}
                call={call}
                index={v.index}
                start={v.start}
                tabbable={v.index === activeIndex}
                onFocus={() => setActive(v.index)}
                onKeyDown={(e) => onKeyDown(e, v.index)}
                onOpen={onOpen}
                openable={canOpen(call)}
                showDesk={showDesk}
                columns={columns}
                now={now}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function SortHeader({
  label,
  by,
  sort,
  onSort,
  align,
}: {
  label: string;
  by: HistorySortKey;
  sort: HistorySort;
  onSort: (sort: HistorySort) => void;
  align?: 'end';
}) {
  const on = sort.by === by;
  const Icon = !on ? SortIcon : sort.dir === 'asc' ? ArrowUpIcon : ArrowDownIcon;
  return (
    <div
      role="columnheader"
      aria-sort={on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      className={cn('flex min-w-0', align === 'end' && 'justify-end')}
      data-testid={`sort-${by}`}
    >
      <button
        type="button"
        onClick={() => onSort({ by, dir: on ? (sort.dir === 'desc' ? 'asc' : 'desc') : 'desc' })}
        className={cn(
          'focus-ring -mx-1 flex items-center gap-1 rounded px-1 text-[11px] font-semibold tracking-[0.06em] uppercase',
          on ? 'text-slate-100' : 'text-slate-400 hover:text-slate-200',
        )}
        title={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        <Icon className={cn('size-3', on ? 'text-indigo-300' : 'text-faint')} />
      </button>
    </div>
  );
}

/** From the caller's first scored line to their last, with the live reading's minimum change. */
function trendWord(start: number | null, end: number | null): 'rising' | 'falling' | null {
  if (start === null || end === null) return null;
  if (end - start >= DIRECTION_MIN_CHANGE) return 'rising';
  if (start - end >= DIRECTION_MIN_CHANGE) return 'falling';
  return null;
}

function CallRow({
  call,
  index,
  start,
  tabbable,
  onFocus,
  onKeyDown,
  onOpen,
  openable,
  showDesk,
  columns,
  now,
}: {
  call: CallHistoryRow;
  index: number;
  start: number;
  tabbable: boolean;
  onFocus: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => void;
  onOpen: (call: CallHistoryRow) => void;
  openable: boolean;
  showDesk: boolean;
  columns: string;
  now: number;
}) {
  const number = callerNumber(call);
  const score = call.callerSentiment;
  const trend = trendWord(call.callerSentimentStart, call.callerSentimentEnd);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      tabIndex={tabbable ? 0 : -1}
      data-testid="history-row"
      data-call-id={call.id}
      data-row-index={index}
      onFocus={onFocus}
      onKeyDown={onKeyDown}
      onClick={() => onOpen(call)}
      title={openable ? undefined : `A call on ${call.desk ?? 'another desk'}: its page, recordings and timeline are on that desk`}
      className={cn(
        'focus-ring absolute top-0 left-0 grid w-full items-center gap-3 border-b border-slate-800/60 px-4 text-[12.5px] xl:px-6 text-slate-300 [outline-offset:-2px] hover:bg-slate-800/40',
        openable ? 'cursor-pointer' : 'cursor-default',
        columns,
      )}
      style={{ height: ROW_PX, transform: `translateY(${start}px)` }}
    >
      {showDesk ? (
        <div role="gridcell" className="hidden min-w-0 xl:block" data-testid="row-desk">
          {call.desk ? <DeskChip desk={call.desk} /> : null}
        </div>
      ) : null}
      <div role="gridcell" className="truncate text-slate-200 tabular-nums" title={new Date(call.startedAt).toLocaleString()}>
        {formatWhen(call.startedAt, now)}
      </div>
      <div role="gridcell" className="truncate text-slate-400">
        {call.direction === 'inbound' ? 'Inbound' : 'Outbound'}
      </div>
      <div role="gridcell" className="flex min-w-0 items-center gap-1.5">
        {/* Beside a desk chip the number keeps its width and the chip gives way. */}
        <span className={cn('truncate font-medium text-slate-100 tabular-nums', showDesk && 'shrink-0 xl:shrink')}>{number}</span>
        {call.scenario ? <span className="rounded bg-slate-800 px-1 text-[10.5px] leading-4 text-slate-400">Demo</span> : null}
        {call.status !== 'ended' ? (
          <span className="rounded bg-emerald-400/10 px-1 text-[10.5px] leading-4 text-emerald-300">Live</span>
        ) : null}
        {showDesk && call.desk ? <DeskChip desk={call.desk} className="min-w-[2.5rem] xl:hidden" /> : null}
      </div>
      <div role="gridcell" className="text-right font-mono text-[12px] text-slate-300 tabular-nums">
        {call.durationMs === null ? '—' : formatDuration(call.durationMs)}
      </div>
      <div role="gridcell" className="truncate text-slate-400">
        {call.endReason ? endReasonLabel(call.endReason) : call.status === 'ended' ? '—' : 'In progress'}
        {/* wrap-up (issue 8): how the agent closed the call */}
        {call.disposition ? (
          <span className="ml-1.5 rounded bg-indigo-400/10 px-1 text-[10.5px] leading-4 text-indigo-200" data-testid="row-disposition" title="Wrap-up disposition">
            {dispositionLabel(call.disposition)}
          </span>
        ) : null}
      </div>
      <div role="gridcell" className="truncate">
        {call.takenOver ? (
          <span className="inline-flex items-center gap-1 text-amber-200">
            <HeadsetIcon className="size-3.5" />
            Yes
            {call.takeoverAtMs !== null ? <span className="text-amber-200/70 tabular-nums">@{formatDuration(call.takeoverAtMs)}</span> : null}
          </span>
        ) : (
          <span className="text-faint">No</span>
        )}
      </div>
      <div role="gridcell" className="flex min-w-0 items-center gap-1.5" data-testid="row-sentiment">
        <SentimentScore score={score} what="Whole-call mean of the caller's lines" />
        {score !== null && trend ? (
          <span
            className="text-slate-400"
            title={`${trend === 'rising' ? 'Rose' : 'Fell'} from ${formatScore(call.callerSentimentStart!)} on the first caller line to ${formatScore(call.callerSentimentEnd!)} on the last`}
          >
            <span aria-hidden>{trend === 'rising' ? '↗' : '↘'}</span>
            <span className="sr-only">, {trend}</span>
          </span>
        ) : null}
      </div>
      <div role="gridcell" className="flex justify-end">
        {call.alertCount > 0 ? (
          <span
            className="inline-flex items-center gap-1 rounded-full bg-amber-400/10 px-1.5 text-[11.5px] text-amber-200 tabular-nums ring-1 ring-amber-400/25 ring-inset"
            title={`${call.alertCount} ${call.alertCount === 1 ? 'alert' : 'alerts'}`}
          >
            <AlertIcon className="size-3" />
            {call.alertCount}
          </span>
        ) : (
          <span className="text-faint">0</span>
        )}
      </div>
    </div>
  );
}
