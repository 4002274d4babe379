/**
 * A campaign's page (`#/campaigns/<id>?state=pending`): its state and run buttons, live
 * progress, a summary of its settings, and its leads (filtered by state in the URL), each
 * with its outcome, attempts, refusal, disposition and a link to the last call; the leads
 * export through the team lead's export.
 */
import { useState } from 'react';
import { Link, useParams, useSearch } from 'wouter';
import { LeadState, type CampaignSummary } from '@shared/campaign';
import { Button, Spinner } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { Segmented } from '../../components/ui/fields';
import { ArrowLeftIcon, InboxIcon } from '../../components/ui/icons';
import { formatDateTime, formatPhone } from '../../lib/format';
import { navigate, routes } from '../../lib/router';
import { useNow } from '../calls/useNow';
import { CampaignControls } from './CampaignControls';
import { ExportLeads } from './ExportLeads';
import { CampaignStateChip, CountsLegend, DialStatus, DoneFigure, ProgressBar } from './CampaignProgress';
import { LeadsTable } from './LeadsTable';
import { useCampaign, useCampaignControl } from './useCampaigns';
import { useCampaignLeads } from './useCampaignLeads';
import { LEAD_STATE_WORDS, clockInWords, daysInWords, minutesInWords, paceInWords } from './words';

export function CampaignDetailView() {
  const { campaignId = '' } = useParams<{ campaignId: string }>();
  return <CampaignPage key={campaignId} campaignId={decodeURIComponent(campaignId)} />;
}

function parseState(search: string): LeadState | null {
  const parsed = LeadState.safeParse(new URLSearchParams(search).get('state'));
  return parsed.success ? parsed.data : null;
}

function CampaignPage({ campaignId }: { campaignId: string }) {
  const search = useSearch();
  const stateFilter = parseState(search);
  const one = useCampaign(campaignId);
  const control = useCampaignControl(campaignId, one.replace);
  const now = useNow(5_000);
  const campaign = one.campaign;
  // The lead rows follow the campaign's progress: a change in its state or counts re-reads them.
  const leads = useCampaignLeads(campaignId, stateFilter, campaign ? JSON.stringify([campaign.state, campaign.counts]) : null);

  if (!campaign) {
    return (
      <div className="flex flex-1 items-center justify-center" data-testid="campaign-page">
        {one.status === 'error' ? (
          <EmptyState icon={<InboxIcon />} title={one.error?.code === 'not_found' ? 'No such campaign' : 'Couldn’t load the campaign'}>
            <p>{one.error?.code === 'not_found' ? 'It may have been deleted, or the link is wrong.' : one.error?.message}</p>
            <div className="mt-3 flex justify-center gap-3">
              {one.error?.code !== 'not_found' ? (
                <Button variant="secondary" onClick={one.reload}>
                  Try again
                </Button>
              ) : null}
              <Link href={routes.campaigns()} className="inline-flex items-center text-indigo-300 underline underline-offset-2">
                All campaigns
              </Link>
            </div>
          </EmptyState>
        ) : (
          <span className="flex items-center gap-2 text-[12.5px] text-slate-400">
            <Spinner /> Loading the campaign…
          </span>
        )}
      </div>
    );
  }

  const isCallbacks = campaign.kind === 'callbacks';
  const title = isCallbacks ? 'Callbacks' : campaign.settings.name;
  const filterTotal = stateFilter === null ? campaign.counts.total : stateFilter === 'in_call' ? campaign.counts.inCall : campaign.counts[stateFilter];

  return (
    <section aria-labelledby="campaign-title" className="flex min-h-0 min-w-0 flex-1 flex-col" data-testid="campaign-page" data-campaign-id={campaign.id}>
      <header className="flex shrink-0 flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-800/80 px-4 py-3 xl:px-6">
        <Link href={routes.campaigns()} className="focus-ring inline-flex items-center gap-1.5 rounded text-[12.5px] text-slate-300 hover:text-white" data-testid="back-to-campaigns">
          <ArrowLeftIcon className="size-3.5" /> Campaigns
        </Link>
        <span aria-hidden className="h-4 w-px bg-slate-800" />
        <div className="flex min-w-0 flex-1 flex-col gap-0.5">
          <div className="flex min-w-0 items-center gap-2.5">
            <h1 id="campaign-title" className="truncate text-[15px] font-semibold tracking-tight text-slate-50">
              {title}
            </h1>
            <CampaignStateChip state={campaign.state} />
          </div>
          <p className="truncate text-[12px] text-faint">
            {isCallbacks ? 'Callbacks agreed with callers, each dialled at its time with the same rules' : `Created ${formatDateTime(campaign.createdAt)}`} · Profile{' '}
            <span className="text-slate-300">{campaign.profileName}</span>
          </p>
        </div>
        <ExportLeads campaignId={campaign.id} />
        <CampaignControls campaign={campaign} control={control} />
      </header>

      {control.problem ? (
        <div role="alert" className="flex shrink-0 items-center gap-3 border-b border-rose-500/20 bg-rose-500/[0.07] px-4 py-2 text-[12.5px] text-rose-200 xl:px-6" data-testid="control-problem">
          <span>
            Couldn’t {control.problem.action} the campaign: {control.problem.message}
          </span>
          <Button variant="ghost" size="sm" className="ml-auto" onClick={control.dismiss}>
            Dismiss
          </Button>
        </div>
      ) : null}

      <div className="flex shrink-0 flex-col gap-2.5 border-b border-slate-800/80 px-4 py-3 xl:px-6" data-testid="campaign-progress-panel">
        <div className="flex items-center gap-3">
          <ProgressBar counts={campaign.counts} className="h-2.5 flex-1" />
          <DoneFigure counts={campaign.counts} />
        </div>
        <div className="flex flex-wrap items-center gap-x-6 gap-y-1.5">
          <CountsLegend counts={campaign.counts} machineDetection={campaign.settings.machineDetection} />
          <DialStatus campaign={campaign} now={now} className="ml-auto" />
        </div>
        {campaign.state === 'draft' ? (
          <p className="text-[12px] text-slate-400" data-testid="campaign-draft-note">
            A draft: nothing is dialled until you start it. Check the leads below first.
          </p>
        ) : null}
      </div>

      {!isCallbacks ? <SettingsSummary campaign={campaign} /> : null}

      <div className="flex shrink-0 flex-wrap items-center gap-3 px-4 pt-3 pb-2 xl:px-6">
        <h2 className="text-[13px] font-semibold text-slate-100">Leads</h2>
        <Segmented<'all' | LeadState>
          label="Show leads"
          value={stateFilter ?? 'all'}
          onChange={(next) => navigate(routes.campaign(campaign.id, next === 'all' ? '' : `state=${next}`), { replace: true })}
          options={[
            { value: 'all', label: 'All' },
            ...LeadState.options.map((s) => ({ value: s, label: LEAD_STATE_WORDS[s] })),
          ]}
          testId="leads-filter"
        />
        <span className="ml-auto flex items-center gap-2 text-[12px] text-slate-400" data-testid="leads-summary">
          {leads.status === 'loading' ? <Spinner className="size-3" /> : null}
          {filterTotal.toLocaleString()} {filterTotal === 1 ? 'lead' : 'leads'}
          {stateFilter ? ` ${LEAD_STATE_WORDS[stateFilter].toLowerCase()}` : ''}
        </span>
        {leads.stale ? (
          <Button size="sm" variant="secondary" onClick={leads.reload} data-testid="leads-stale">
            Leads changed · Reload
          </Button>
        ) : null}
      </div>
      <LeadsBody campaign={campaign} leads={leads} stateFilter={stateFilter} now={now} />
    </section>
  );
}

function LeadsBody({
  campaign,
  leads,
  stateFilter,
  now,
}: {
  campaign: CampaignSummary;
  leads: ReturnType<typeof useCampaignLeads>;
  stateFilter: LeadState | null;
  now: number;
}) {
  if (leads.status === 'error' && leads.error) {
    return (
      <div className="flex flex-1 items-center justify-center border-t border-slate-800/60" data-testid="leads-error">
        <EmptyState icon={<InboxIcon />} title="Couldn’t load the leads">
          <p>{leads.error.message}</p>
          <Button variant="secondary" className="mt-3" onClick={leads.reload}>
            Try again
          </Button>
        </EmptyState>
      </div>
    );
  }
  if (leads.items.length === 0 && leads.status === 'loading') {
    return (
      <div className="flex flex-1 items-center justify-center gap-2 border-t border-slate-800/60 text-[12.5px] text-slate-400">
        <Spinner /> Loading leads…
      </div>
    );
  }
  if (leads.items.length === 0) {
    return (
      <div className="flex flex-1 items-center justify-center border-t border-slate-800/60" data-testid="leads-empty">
        <EmptyState
          icon={<InboxIcon />}
          title={stateFilter ? `No leads ${LEAD_STATE_WORDS[stateFilter].toLowerCase()}` : campaign.kind === 'callbacks' ? 'No callbacks scheduled' : 'No leads'}
        />
      </div>
    );
  }
  return <LeadsTable leads={leads.items} hasMore={leads.hasMore} loadingMore={leads.loadingMore} onLoadMore={leads.loadMore} busy={leads.status === 'loading'} now={now} />;
}

/** The settings at a glance; the purpose and script on demand. */
function SettingsSummary({ campaign }: { campaign: CampaignSummary }) {
  const s = campaign.settings;
  const [open, setOpen] = useState(false);
  const facts: Array<[string, string]> = [
    ['Schedule', `${daysInWords(s.days)} ${clockInWords(s.start)}–${clockInWords(s.end)}, callee’s time`],
    ['Attempts', `up to ${s.maxAttempts}`],
    [
      'Retry after',
      s.maxAttempts === 1
        ? 'no retries (one attempt per lead)'
        : `no answer ${minutesInWords(s.retryAfterMinutes.no_answer)}, busy ${minutesInWords(s.retryAfterMinutes.busy)}, failed ${minutesInWords(s.retryAfterMinutes.failed)}${
        s.machineDetection ? `, voicemail ${minutesInWords(s.retryAfterMinutes.voicemail)}` : ''
      }`,
    ],
    ['Pace', `${s.callsPerMinute}/min (${paceInWords(s.callsPerMinute)}), ${s.maxConcurrent} at once`],
    ['Caller ID', formatPhone(s.callerId)],
    ['Machine detection', s.machineDetection ? 'on' : 'off'],
  ];
  return (
    <div className="shrink-0 border-b border-slate-800/80 px-4 py-2.5 xl:px-6" data-testid="campaign-settings">
      <dl className="flex flex-wrap gap-x-6 gap-y-1.5 text-[12px]">
        {facts.map(([label, value]) => (
          <div key={label} className="flex min-w-0 gap-1.5">
            <dt className="shrink-0 text-faint">{label}</dt>
            <dd className="text-slate-300">{value}</dd>
          </div>
        ))}
      </dl>
      <div className="mt-1.5 flex min-w-0 items-start gap-2 text-[12px]">
        <span className="shrink-0 text-faint">Purpose</span>
        <p className={open ? 'whitespace-pre-wrap text-slate-300' : 'truncate text-slate-300'}>{s.purpose}</p>
        <button
          type="button"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
          className="focus-ring ml-auto shrink-0 rounded text-indigo-300 hover:text-indigo-200"
          data-testid="toggle-script"
        >
          {open ? 'Less' : s.script ? 'Purpose and script' : 'More'}
        </button>
      </div>
      {open ? (
        <div className="mt-1.5 flex min-w-0 gap-2 text-[12px]">
          <span className="shrink-0 text-faint">Script</span>
          <p className="max-h-40 overflow-auto whitespace-pre-wrap text-slate-300">{s.script || 'None: the AI works from the purpose.'}</p>
        </div>
      ) : null}
    </div>
  );
}
