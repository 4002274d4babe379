/**
 * Campaigns as a virtualised list of cards (name, state, profile, schedule, progress and
 * counts, why it waits or when it dials next), each a link to its page. The cards are one tab
 * stop: arrows, Home/End and Page Up/Down move between them, Enter opens one.
 */
import { useRef, type KeyboardEvent } from 'react';
import { Link } from 'wouter';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CampaignSummary } from '@shared/campaign';
import { routes } from '../../lib/router';
import { useRovingRows } from '../../lib/useRovingRows';
import { CampaignStateChip, CountsLegend, DialStatus, DoneFigure, ProgressBar } from './CampaignProgress';
import { clockInWords, daysInWords } from './words';

const CARD_PX = 104;
const GAP_PX = 8;

export function CampaignList({ campaigns, now }: { campaigns: CampaignSummary[]; now: number }) {
  const scrollRef = useRef<HTMLDivElement>(null);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count: campaigns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_PX + GAP_PX,
    overscan: 6,
    paddingStart: 12,
    paddingEnd: 16,
    getItemKey: (i) => campaigns[i]?.id ?? i,
  });
  const { activeIndex, setActive, onNavigate } = useRovingRows(campaigns.length, virtualizer, scrollRef, CARD_PX + GAP_PX);

  return (
    <div ref={scrollRef} className="min-h-0 flex-1 overflow-auto px-4 xl:px-6" data-testid="campaign-list">
      <ul aria-label="Campaigns" className="relative" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((v) => {
          const campaign = campaigns[v.index]!;
          return (
            <li
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              className="absolute top-0 left-0 w-full"
              style={{ transform: `translateY(${v.start}px)`, paddingBottom: GAP_PX }}
            >
              <CampaignCard
                campaign={campaign}
                index={v.index}
                now={now}
                tabbable={v.index === activeIndex}
                onFocus={() => setActive(v.index)}
                onKeyDown={(e) => onNavigate(e, v.index)}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function CampaignCard({
  campaign,
  index,
  now,
  tabbable,
  onFocus,
  onKeyDown,
}: {
  campaign: CampaignSummary;
  index: number;
  now: number;
  tabbable: boolean;
  onFocus: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLAnchorElement>) => void;
}) {
  const { settings, counts } = campaign;
  return (
    <Link
      href={routes.campaign(campaign.id)}
      tabIndex={tabbable ? 0 : -1}
      data-row-index={index}
      data-testid="campaign-card"
      data-campaign-id={campaign.id}
      onFocus={onFocus}
      onKeyDown={onKeyDown}
      className="focus-ring group flex flex-col gap-2.5 rounded-lg border border-slate-800 bg-slate-900/40 px-4 py-3 hover:border-slate-700 hover:bg-slate-900/70"
    >
      <div className="flex min-w-0 items-center gap-2.5">
        <span className="max-w-[60%] shrink-0 truncate text-[13.5px] font-semibold text-slate-100 group-hover:text-white" data-testid="campaign-name">
          {settings.name}
        </span>
        <CampaignStateChip state={campaign.state} />
        <span className="min-w-0 truncate text-[12px] text-faint">
          {campaign.profileName} · {daysInWords(settings.days)} {clockInWords(settings.start)}–{clockInWords(settings.end)}
        </span>
      </div>
      <div className="flex items-center gap-3">
        <ProgressBar counts={counts} className="flex-1" />
        <DoneFigure counts={counts} />
      </div>
      <div className="flex flex-wrap items-center gap-x-6 gap-y-1.5">
        <CountsLegend counts={counts} machineDetection={settings.machineDetection} compact />
        <DialStatus campaign={campaign} now={now} className="ml-auto" />
      </div>
    </Link>
  );
}
