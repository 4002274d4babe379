/**
 * Campaigns (`#/campaigns`): every outbound campaign with its live progress, newest activity
 * first (running and paused ones before drafts, finished ones last), filtered by
 * `?show=active|finished`; the callbacks queue agreed with callers apart, as "Callbacks".
 */
import { useMemo } from 'react';
import { Link, useSearch } from 'wouter';
import type { CampaignState, CampaignSummary } from '@shared/campaign';
import { Button, Spinner } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { Segmented } from '../../components/ui/fields';
import { InboxIcon, PlusIcon, QueueIcon } from '../../components/ui/icons';
import { navigate, routes } from '../../lib/router';
import { useNow } from '../calls/useNow';
import { CampaignList } from './CampaignList';
import { dueInWords } from './CampaignProgress';
import { useCampaigns } from './useCampaigns';
import { CAMPAIGN_STATE_WORDS, retryingCount } from './words';

type Show = 'all' | 'active' | 'finished';

const STATE_RANK: Record<CampaignState, number> = { running: 0, paused: 0, draft: 1, completed: 2, cancelled: 2 };
const FINISHED: ReadonlySet<CampaignState> = new Set(['completed', 'cancelled']);

function parseShow(search: string): Show {
  const show = new URLSearchParams(search).get('show');
  return show === 'active' || show === 'finished' ? show : 'all';
}

export function CampaignsView() {
  const search = useSearch();
  const show = parseShow(search);
  const list = useCampaigns();
  const now = useNow(5_000);

  const { callbacks, campaigns, activeCount, finishedCount } = useMemo(() => {
    const all = list.campaigns.filter((c) => c.kind === 'campaign');
    const sorted = [...all].sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || b.updatedAt - a.updatedAt);
    const finished = sorted.filter((c) => FINISHED.has(c.state));
    return {
      callbacks: list.campaigns.find((c) => c.kind === 'callbacks') ?? null,
      campaigns: show === 'all' ? sorted : sorted.filter((c) => FINISHED.has(c.state) === (show === 'finished')),
      activeCount: sorted.length - finished.length,
      finishedCount: finished.length,
    };
  }, [list.campaigns, show]);

  return (
    <section aria-labelledby="campaigns-title" className="flex min-h-0 min-w-0 flex-1 flex-col" data-testid="campaigns-view">
      <div className="flex shrink-0 flex-wrap items-center gap-3 border-b border-slate-800/80 px-4 py-3 xl:px-6">
        <h1 id="campaigns-title" className="text-[15px] font-semibold tracking-tight text-slate-50">
          Campaigns
        </h1>
        <span className="hidden text-[12px] text-slate-400 lg:inline">The AI dials each campaign’s leads on its schedule. Progress updates live.</span>
        <div className="ml-auto flex items-center gap-2.5">
          <Segmented<Show>
            label="Show campaigns"
            value={show}
            onChange={(next) => navigate(routes.campaigns(next === 'all' ? '' : `show=${next}`), { replace: true })}
            options={[
              { value: 'all', label: 'All' },
              { value: 'active', label: `Active${list.status === 'ready' ? ` ${activeCount}` : ''}` },
              { value: 'finished', label: `Finished${list.status === 'ready' ? ` ${finishedCount}` : ''}` },
            ]}
            testId="campaigns-show"
          />
          <Link
            href={routes.newCampaign()}
            data-testid="new-campaign"
            className="focus-ring inline-flex h-8 items-center gap-2 rounded-md bg-indigo-500 px-3 text-[13px] font-medium text-white shadow-sm shadow-indigo-950/50 hover:bg-indigo-600"
          >
            <PlusIcon className="size-3.5" /> New campaign
          </Link>
        </div>
      </div>

      {callbacks ? <CallbacksStrip queue={callbacks} now={now} /> : null}

      {list.status === 'error' && list.campaigns.length === 0 ? (
        <div className="flex flex-1 items-center justify-center" data-testid="campaigns-error">
          <EmptyState icon={<InboxIcon />} title="Couldn’t load campaigns">
            <p>{list.error?.message}</p>
            <Button variant="secondary" className="mt-3" onClick={list.reload}>
              Try again
            </Button>
          </EmptyState>
        </div>
      ) : list.status === 'loading' && list.campaigns.length === 0 ? (
        <div className="flex flex-1 items-center justify-center gap-2 text-[12.5px] text-slate-400">
          <Spinner /> Loading campaigns…
        </div>
      ) : campaigns.length === 0 ? (
        <div className="flex flex-1 items-center justify-center" data-testid="campaigns-empty">
          <EmptyState icon={<QueueIcon />} title={show === 'all' ? 'No campaigns yet' : show === 'active' ? 'No active campaigns' : 'No finished campaigns'}>
            {show === 'all' ? (
              <p>
                A campaign is a list of leads from a CSV file, a profile the AI calls with, and a schedule. It starts as a draft: nothing is dialled
                until you start it.
              </p>
            ) : (
              <Link href={routes.campaigns()} className="text-indigo-300 underline underline-offset-2">
                Show all campaigns
              </Link>
            )}
          </EmptyState>
        </div>
      ) : (
        <CampaignList campaigns={campaigns} now={now} />
      )}
    </section>
  );
}

/** The callbacks queue in one line: what is scheduled, when the next is due, and its state. */
function CallbacksStrip({ queue, now }: { queue: CampaignSummary; now: number }) {
  const { counts } = queue;
  const live = counts.dialling + counts.inCall;
  return (
    <div className="shrink-0 border-b border-slate-800/80 px-4 py-2 xl:px-6">
      <Link
        href={routes.campaign(queue.id)}
        data-testid="callbacks-queue"
        data-campaign-id={queue.id}
        className="focus-ring flex min-w-0 items-center gap-3 rounded-md px-2 py-1.5 text-[12.5px] hover:bg-slate-900/70"
      >
        <span className="font-semibold text-slate-100">Callbacks</span>
        <span className="text-slate-400">
          <span className="font-medium text-slate-200 tabular-nums" data-testid="callbacks-pending">
            {counts.pending.toLocaleString()}
          </span>{' '}
          scheduled
          {retryingCount(counts) > 0 ? ` (${retryingCount(counts).toLocaleString()} to retry)` : ''}
          {live > 0 ? ` · ${live} being called` : ''}
          {` · ${counts.done.toLocaleString()} done`}
        </span>
        <span className="ml-auto truncate text-slate-400">
          {queue.state !== 'running'
            ? CAMPAIGN_STATE_WORDS[queue.state]
            : queue.waiting
              ? `Waiting: ${queue.waiting}`
              : queue.nextDialAt !== null
                ? `Next callback ${dueInWords(queue.nextDialAt, now)}`
                : 'None due'}
        </span>
      </Link>
    </div>
  );
}
