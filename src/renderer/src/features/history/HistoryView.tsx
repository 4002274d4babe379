/**
 * History: every stored call, filtered by the URL's filter. With search text the list shows
 * the matching lines instead, each opening its call at that line. With Team sync set up, a
 * switch reads the team database instead (issue 12): every desk's calls, each with its desk.
 */
import { useCallback, useMemo } from 'react';
import { Link } from 'wouter';
import type { ReactNode } from 'react';
import type { CallHistoryRow, HistorySort, SearchHit } from '@shared/history';
import { Button, Spinner } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { ChartIcon, DownloadIcon, InboxIcon, SearchIcon } from '../../components/ui/icons';
import { formatPhone } from '../../lib/format';
import { navigate, routes } from '../../lib/router';
import { useNow } from '../calls/useNow';
import { FilterBar } from '../filters/FilterBar';
import { FilterChips } from '../filters/FilterChips';
import {
  EMPTY_FILTER,
  checkFilter,
  filterChips,
  filterQuery,
  phoneNumberSearch,
  problemFromCore,
  type FilterProblems,
} from '../filters/filter-query';
import { useFacets } from '../filters/useFacets';
import { useFilterQuery } from '../filters/useFilterQuery';
import { useExports } from '../exports/store';
import { SourceSwitch } from '../team-view/SourceSwitch';
import { withSource } from '../team-view/source';
import { useSource } from '../team-view/useSource';
import { CallsTable } from './CallsTable';
import { SearchResults } from './SearchResults';
import { rememberListHref } from './return-to';
import { useCallsEndedSince, useHistoryCalls, useSearchHits } from './useHistory';

function parseSort(search: string): HistorySort {
  const p = new URLSearchParams(search);
  const by = p.get('sort');
  const dir = p.get('order');
  return {
    by: by === 'duration' || by === 'sentiment' ? by : 'startedAt',
    dir: dir === 'asc' ? 'asc' : 'desc',
  };
}

export function HistoryView() {
  const { search, filter, setFilter, setParams } = useFilterQuery();
  const sort = useMemo(() => parseSort(search), [search]);
  const { source, teamAvailable, deskName, setSource } = useSource(search, setParams);
  const { endReasons } = useFacets(source);
  const now = useNow(30_000);
  const problems = useMemo(() => checkFilter(filter), [filter]);
  const valid = Object.keys(problems).length === 0;
  const searching = filter.search.trim() !== '';
  const calls = useHistoryCalls(filter, sort, valid && !searching, source);
  const hits = useSearchHits(filter, valid && searching, source);
  const active = searching ? hits : calls;
  const chips = filterChips(filter);
  const openExport = useExports((s) => s.openPanel);
  const endedSince = useCallsEndedSince(active.status === 'ready' ? active.items : null);

  // A refusal from the core (bad_request) is shown next to the input it is about.
  const coreProblems: FilterProblems = active.error?.code === 'bad_request' ? problemFromCore(active.error.message) : {};
  const shownProblems = { ...coreProblems, ...problems };

  const onSort = useCallback(
    (next: HistorySort) =>
      setParams({
        sort: next.by === 'startedAt' ? null : next.by,
        order: next.dir === 'desc' ? null : next.dir,
      }),
    [setParams],
  );
  // A team row opens its call page only when it is this desk's own call: the page reads
  // this desk's store (recordings, events and all), which another desk's calls are not in.
  const canOpen = useCallback((call: CallHistoryRow) => call.desk === undefined || call.desk === deskName, [deskName]);
  const openCall = useCallback(
    (call: CallHistoryRow) => {
      if (!canOpen(call)) return;
      rememberListHref(routes.history(search));
      navigate(routes.call(call.id));
    },
    [search, canOpen],
  );
  const openHit = useCallback(
    (hit: SearchHit) => {
      if (!canOpen(hit.call)) return;
      rememberListHref(routes.history(search));
      navigate(routes.call(hit.call.id, { line: hit.line.id, from: 'search' }));
    },
    [search, canOpen],
  );

  const summary =
    active.status === 'ready' || (active.status === 'loading' && active.items.length > 0)
      ? searching
        ? `${active.items.length.toLocaleString()}${active.hasMore ? '+' : ''} matching ${active.items.length === 1 ? 'line' : 'lines'}`
        : `${active.items.length.toLocaleString()}${active.hasMore ? '+' : ''} ${active.items.length === 1 ? 'call' : 'calls'}`
      : null;

  return (
    <section aria-labelledby="history-title" className="flex min-h-0 min-w-0 flex-1 flex-col" data-testid="history-view">
      <div className="flex shrink-0 flex-col gap-2.5 border-b border-slate-800/80 px-4 pt-3 pb-2.5 xl:px-6">
        <div className="flex items-center gap-3">
          <h1 id="history-title" className="text-[15px] font-semibold tracking-tight text-slate-50">
            Call history
          </h1>
          <span className="text-[12px] text-slate-400">
            {source === 'team' ? 'Every desk’s calls, newest first. Search finds what was said.' : 'Every stored call, newest first. Search finds what was said.'}
          </span>
          {teamAvailable ? <SourceSwitch source={source} onChange={setSource} /> : null}
          <Link
            href={routes.analytics(withSource(filterQuery(filter), source))}
            className="focus-ring ml-auto inline-flex items-center gap-1.5 rounded text-[12px] text-slate-300 hover:text-white"
          >
            <ChartIcon className="size-3.5" /> Analytics for these calls
          </Link>
        </div>
        <FilterBar
          filter={filter}
          onChange={setFilter}
          endReasons={endReasons}
          problems={shownProblems}
          actions={
            <Button
              variant="secondary"
              icon={<DownloadIcon className="size-3.5" />}
              onClick={() => openExport(filter, source)}
              data-testid="export-button"
              aria-haspopup="dialog"
            >
              Export
            </Button>
          }
        />
        <FilterChips
          filter={filter}
          chips={chips}
          onChange={setFilter}
          trailing={
            <span className="flex items-center gap-2">
              {active.status === 'loading' ? <Spinner className="size-3" /> : null}
              <span data-testid="result-summary">{summary}</span>
            </span>
          }
        />
      </div>

      {endedSince > 0 && !searching && sort.by === 'startedAt' && sort.dir === 'desc' ? (
        <div className="flex shrink-0 justify-center border-b border-slate-800/60 bg-indigo-400/[0.04] py-1.5">
          <button
            type="button"
            onClick={active.reload}
            className="focus-ring rounded-full px-3 text-[12px] font-medium text-indigo-200 hover:text-white"
            data-testid="new-calls"
          >
            {endedSince} new {endedSince === 1 ? 'call' : 'calls'} ended · Show
          </button>
        </div>
      ) : null}

      <Body
        valid={valid}
        searching={searching}
        status={active.status}
        error={active.error}
        empty={active.items.length === 0}
        hasFilters={chips.length > 0}
        numberInSearch={searching ? phoneNumberSearch(filter.search) : null}
        onSearchNumber={(number) => setFilter((current) => ({ ...current, search: '', numberContains: number }))}
        onClear={() => setFilter(EMPTY_FILTER)}
        onRetry={active.reload}
      >
        {searching ? (
          <SearchResults
            hits={hits.items}
            hasMore={hits.hasMore}
            loadingMore={hits.loadingMore}
            onLoadMore={hits.loadMore}
            onOpen={openHit}
            canOpen={canOpen}
            now={now}
            busy={hits.status === 'loading'}
          />
        ) : (
          <CallsTable
            calls={calls.items}
            sort={sort}
            onSort={onSort}
            hasMore={calls.hasMore}
            loadingMore={calls.loadingMore}
            onLoadMore={calls.loadMore}
            onOpen={openCall}
            canOpen={canOpen}
            showDesk={source === 'team'}
            now={now}
            busy={calls.status === 'loading'}
          />
        )}
      </Body>
    </section>
  );
}

function Body({
  valid,
  searching,
  status,
  error,
  empty,
  hasFilters,
  numberInSearch,
  onSearchNumber,
  onClear,
  onRetry,
  children,
}: {
  valid: boolean;
  searching: boolean;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: { message: string; code: string } | null;
  empty: boolean;
  hasFilters: boolean;
  /** The search is only a phone number: offer the calls from or to it instead. */
  numberInSearch: string | null;
  onSearchNumber: (number: string) => void;
  onClear: () => void;
  onRetry: () => void;
  children: ReactNode;
}) {
  if (!valid) {
    return (
      <div className="flex flex-1 items-center justify-center" data-testid="history-invalid">
        <EmptyState icon={<SearchIcon />} title="Fix the highlighted filter to see calls">
          The message next to it says what is wrong.
        </EmptyState>
      </div>
    );
  }
  if (status === 'error' && error) {
    return (
      <div className="flex flex-1 items-center justify-center" data-testid="history-error">
        <EmptyState icon={<InboxIcon />} title={searching ? 'The search did not run' : 'Couldn’t load calls'}>
          <p>{error.message}</p>
          <Button variant="secondary" className="mt-3" onClick={onRetry}>
            Try again
          </Button>
        </EmptyState>
      </div>
    );
  }
  if (empty && (status === 'loading' || status === 'idle')) {
    return (
      <div className="flex flex-1 items-center justify-center gap-2 text-[12.5px] text-slate-400" data-testid="history-loading">
        <Spinner /> {searching ? 'Searching transcripts…' : 'Loading calls…'}
      </div>
    );
  }
  if (empty) {
    return (
      <div className="flex flex-1 items-center justify-center" data-testid="history-empty">
        <EmptyState
          icon={searching ? <SearchIcon /> : <InboxIcon />}
          title={searching ? 'No lines match this search' : hasFilters ? 'No calls match these filters' : 'No calls stored yet'}
        >
          {numberInSearch ? (
            <>
              <p>Search looks in what was said. To find calls from or to this number, search the numbers instead.</p>
              <Button variant="primary" className="mt-3" onClick={() => onSearchNumber(numberInSearch)} data-testid="search-number-instead">
                Find calls with {formatPhone(numberInSearch)}
              </Button>
            </>
          ) : hasFilters ? (
            <>
              <p>{searching ? 'Try other words, or fewer filters.' : 'Loosen or clear the filters to see more calls.'}</p>
              <Button variant="secondary" className="mt-3" onClick={onClear} data-testid="empty-clear">
                Clear filters
              </Button>
            </>
          ) : (
            <p>
              Calls appear here when they end. <Link href={routes.live()} className="text-indigo-300 underline underline-offset-2">Go to Live</Link> to
              start a demo call.
            </p>
          )}
        </EmptyState>
      </div>
    );
  }
  return <>{children}</>;
}
