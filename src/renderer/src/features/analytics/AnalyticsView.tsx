/**
 * Analytics: the team lead's dashboard over the same filter as History and Export (shared
 * filter bar, filters in the URL), grouped by hour, day or week in local time.
 */
import { useMemo } from 'react';
import { Link } from 'wouter';
import type { AnalyticsGroupBy } from '@shared/history';
import { Button, Spinner } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { Segmented } from '../../components/ui/fields';
import { ChartIcon, DownloadIcon, HistoryIcon } from '../../components/ui/icons';
import { routes } from '../../lib/router';
import { useExports } from '../exports/store';
import { SourceSwitch } from '../team-view/SourceSwitch';
import { withSource } from '../team-view/source';
import { useSource } from '../team-view/useSource';
import { FilterBar } from '../filters/FilterBar';
import { FilterChips } from '../filters/FilterChips';
import { EMPTY_FILTER, checkFilter, filterChips, filterQuery, problemFromCore } from '../filters/filter-query';
import { useFacets } from '../filters/useFacets';
import { useFilterQuery } from '../filters/useFilterQuery';
import { HandleTimeChart, IntentsChart, LatencyChart, SentimentTrendChart, VolumeChart } from './charts';
import { DispositionsCard } from '../wrap-up/DispositionsCard'; // wrap-up (issue 8)
import { KpiTiles } from './KpiTiles';
import { useAnalytics } from './useAnalytics';

const groupings: Array<{ value: AnalyticsGroupBy; label: string }> = [
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
];

export function AnalyticsView() {
  const { search, filter, setFilter, setParams } = useFilterQuery();
  const groupBy: AnalyticsGroupBy = useMemo(() => {
    const g = new URLSearchParams(search).get('group');
    return g === 'hour' || g === 'week' ? g : 'day';
  }, [search]);
  const { source, teamAvailable, setSource } = useSource(search, setParams);
  const { endReasons } = useFacets(source);
  const problems = useMemo(() => checkFilter(filter), [filter]);
  const valid = Object.keys(problems).length === 0;
  const { data, loading, error, reload } = useAnalytics(filter, groupBy, valid, source);
  const chips = filterChips(filter);
  const openExport = useExports((s) => s.openPanel);
  const coreProblems = error?.code === 'bad_request' ? problemFromCore(error.message) : {};

  return (
    <section aria-labelledby="analytics-title" className="flex min-h-0 min-w-0 flex-1 flex-col" data-testid="analytics-view">
      <div className="flex shrink-0 flex-col gap-2.5 border-b border-slate-800/80 px-4 pt-3 pb-2.5 xl:px-6">
        <div className="flex items-center gap-3">
          <h1 id="analytics-title" className="text-[15px] font-semibold tracking-tight text-slate-50">
            Analytics
          </h1>
          <span className="text-[12px] text-slate-400">
            {source === 'team' ? 'Figures for every desk’s calls these filters match, in your local time.' : 'Figures for the calls these filters match, in your local time.'}
          </span>
          {teamAvailable ? <SourceSwitch source={source} onChange={setSource} /> : null}
          <Link
            href={routes.history(withSource(filterQuery(filter), source))}
            className="focus-ring ml-auto inline-flex items-center gap-1.5 rounded text-[12px] text-slate-300 hover:text-white"
          >
            <HistoryIcon className="size-3.5" /> See these calls
          </Link>
        </div>
        <FilterBar
          filter={filter}
          onChange={setFilter}
          endReasons={endReasons}
          problems={{ ...coreProblems, ...problems }}
          searchPlaceholder="Only calls where someone said…"
          actions={
            <>
              <Segmented
                label="Group by"
                value={groupBy}
                options={groupings}
                onChange={(g) => setParams({ group: g === 'day' ? null : g })}
                testId="group-by"
              />
              <Button
                variant="secondary"
                icon={<DownloadIcon className="size-3.5" />}
                onClick={() => openExport(filter, source)}
                aria-haspopup="dialog"
                data-testid="export-button"
              >
                Export
              </Button>
            </>
          }
        />
        <FilterChips
          filter={filter}
          chips={chips}
          onChange={setFilter}
          trailing={loading ? <Spinner className="size-3" /> : null}
        />
      </div>

      <div className="min-h-0 flex-1 overflow-y-auto px-4 py-4 xl:px-6" aria-busy={loading || undefined}>
        {!valid ? (
          <EmptyState icon={<ChartIcon />} title="Fix the highlighted filter to see figures" className="h-full">
            The message next to it says what is wrong.
          </EmptyState>
        ) : error && error.code !== 'bad_request' ? (
          <EmptyState icon={<ChartIcon />} title="Couldn’t compute the figures" className="h-full">
            <p data-testid="analytics-error">{error.message}</p>
            <Button variant="secondary" className="mt-3" onClick={reload}>
              Try again
            </Button>
          </EmptyState>
        ) : error ? (
          <EmptyState icon={<ChartIcon />} title="These filters can’t be charted" className="h-full">
            <p data-testid="analytics-error">{coreProblems.other ?? error.message}</p>
          </EmptyState>
        ) : !data ? (
          <div className="flex h-full items-center justify-center gap-2 text-[12.5px] text-slate-400">
            <Spinner /> Computing…
          </div>
        ) : data.totals.calls === 0 ? (
          <EmptyState icon={<ChartIcon />} title="No calls match these filters" className="h-full" >
            {chips.length > 0 ? (
              <Button variant="secondary" className="mt-3" onClick={() => setFilter(EMPTY_FILTER)}>
                Clear filters
              </Button>
            ) : (
              'Figures appear once calls have been handled.'
            )}
          </EmptyState>
        ) : (
          <div className={loading ? 'opacity-70 transition-opacity' : undefined}>
            <KpiTiles analytics={data} />
            <div className="mt-4 grid grid-cols-2 gap-3 2xl:grid-cols-3">
              <VolumeChart analytics={data} />
              <HandleTimeChart analytics={data} />
              <SentimentTrendChart analytics={data} />
              <IntentsChart analytics={data} />
              <LatencyChart analytics={data} />
              {data.incidents.length > 0 ? <IncidentsCard incidents={data.incidents} /> : null}
              {(data.dispositions ?? []).length > 0 ? <DispositionsCard dispositions={data.dispositions} calls={data.totals.calls} /> : null}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

function IncidentsCard({ incidents }: { incidents: Array<{ kind: string; count: number }> }) {
  const words: Record<string, string> = {
    'fallback:llm': 'Language model fell back to offline',
    'fallback:tts': 'Voice fell back to offline',
    'fallback:stt': 'Speech-to-text fell back to offline',
    error: 'Errors',
  };
  return (
    <section className="flex flex-col rounded-lg border border-slate-800/80 bg-slate-900/40 px-4 py-3" data-testid="incidents" aria-label="Fallbacks and errors">
      <h2 className="text-[13px] font-medium text-slate-200">Fallbacks and errors</h2>
      <ul className="mt-2 flex flex-col gap-1 text-[12.5px]">
        {incidents.map((i) => (
          <li key={i.kind} className="flex items-center gap-2">
            <span className="text-slate-300">{words[i.kind] ?? i.kind}</span>
            <span className="ml-auto font-mono text-slate-100 tabular-nums">{i.count}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
