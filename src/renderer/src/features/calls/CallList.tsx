import { dispositionLabel } from '@shared/wrapup';
import { useMemo, useRef, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link } from 'wouter';
import type { CallSummary } from '@shared/domain';
import {
  ActivityIndicator,
  AlertBadge,
  ControllerBadge,
  LONG_WAIT_MS,
  SentimentDot,
  WaitingBadge,
} from '../../components/ui/Indicators';
import { EmptyState } from '../../components/ui/EmptyState';
import { HeadsetIcon, InboxIcon, PhoneIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { callerNumber, endReasonLabel, formatDuration, formatWhen, idInWords } from '../../lib/format';
import { routes } from '../../lib/router';
import { CallTwilioStatus } from '../telephony/CallStatusChip';
import { OutboundDials } from '../telephony/OutboundDials';
import { Sparkline } from '../assist/Sparkline';
import { SentimentReadout, useCallerSentiment } from '../sentiment/CallerSentiment';
import { attentionRank, orderLiveCalls } from '@shared/attention';
import type { TakeoverRequest } from './store';

export function callDurationMs(c: CallSummary, now: number): number {
  return (c.endedAt ?? Math.max(now, c.startedAt)) - c.startedAt;
}

export function CallSidebar({
  live,
  recent,
  loaded,
  selectedId,
  now,
  onSelect,
  takeoverRequests,
}: {
  live: CallSummary[];
  recent: CallSummary[];
  loaded: boolean;
  selectedId: string | null;
  now: number;
  onSelect: (id: string) => void;
  /** Live calls whose AI asks for a person, by call id. */
  takeoverRequests: Record<string, TakeoverRequest>;
}) {
  // The calls that need the agent first; rows move only when a call's situation changes.
  const ordered = useMemo(() => orderLiveCalls(live, takeoverRequests), [live, takeoverRequests]);
  return (
    <nav aria-label="Calls" className="flex min-h-0 flex-col border-r border-slate-800/80 bg-slate-950">
      <section aria-labelledby="live-calls-heading" className="flex max-h-[55%] min-h-0 shrink-0 flex-col">
        <SectionHeading id="live-calls-heading" title="Live calls" count={live.length} live />
        {/* Outbound calls Twilio is still placing (no summary yet); the empty state only when none. */}
        <OutboundDials
          fallback={
            live.length === 0 ? (
              <EmptyState icon={<PhoneIcon />} title={loaded ? 'No live calls' : 'Loading calls…'} className="py-6">
                {loaded ? 'Calls the AI answers appear here. Start a demo call to see one.' : null}
              </EmptyState>
            ) : null
          }
        />
        {live.length === 0 ? null : (
          <ul data-testid="live-calls" className="min-h-0 overflow-y-auto px-2 pb-2">
            {ordered.map((c) => (
              <li key={c.id}>
                <LiveCallRow
                  call={c}
                  now={now}
                  selected={c.id === selectedId}
                  onSelect={onSelect}
                  request={takeoverRequests[c.id] ?? null}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="recent-calls-heading" className="flex min-h-0 flex-1 flex-col border-t border-slate-800/80">
        <SectionHeading id="recent-calls-heading" title="Recent calls" count={recent.length}>
          <Link
            href={routes.history()}
            className="focus-ring ml-auto rounded text-[11.5px] text-slate-400 hover:text-slate-100"
            data-testid="all-calls-link"
          >
            All calls →
          </Link>
        </SectionHeading>
        {recent.length === 0 ? (
          <EmptyState icon={<InboxIcon />} title={loaded ? 'No ended calls yet' : 'Loading…'} className="py-6">
            {loaded ? 'Finished calls and their transcripts are kept here.' : null}
          </EmptyState>
        ) : (
          <RecentList calls={recent} selectedId={selectedId} onSelect={onSelect} now={now} />
        )}
      </section>
    </nav>
  );
}

function SectionHeading({
  id,
  title,
  count,
  live,
  children,
}: {
  id: string;
  title: string;
  count: number;
  live?: boolean;
  children?: ReactNode;
}) {
  return (
    <div className="flex h-9 shrink-0 items-center gap-2 px-4">
      <h2 id={id} className="text-[11px] font-semibold tracking-[0.08em] text-faint uppercase">
        {title}
      </h2>
      <span
        className={cn(
          'rounded px-1.5 font-mono text-[10px] leading-4 tabular-nums',
          live && count > 0 ? 'bg-emerald-400/10 text-emerald-300' : 'bg-slate-800/80 text-faint',
        )}
      >
        {count}
      </span>
      {children}
    </div>
  );
}

function LiveCallRow({
  call,
  now,
  selected,
  onSelect,
  request,
}: {
  call: CallSummary;
  now: number;
  selected: boolean;
  onSelect: (id: string) => void;
  request: TakeoverRequest | null;
}) {
  const rank = attentionRank(call, request !== null);
  const paused = call.controller === 'ai' && call.state === 'ai_paused';
  const longWait = request !== null && now - request.since >= LONG_WAIT_MS;
  const alert = call.alert;
  return (
    <button
      type="button"
      data-testid="live-call"
      data-call-id={call.id}
      data-attention={request ? 'takeover-requested' : undefined}
      data-rank={rank}
      data-state={call.state}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(call.id)}
      className={cn(
        'focus-ring group relative mb-1 flex w-full min-w-0 flex-col gap-1.5 rounded-lg border px-3 py-2.5 text-left transition-colors',
        request
          ? longWait
            ? selected
              ? 'border-rose-400/55 bg-rose-500/[0.1]'
              : 'border-rose-400/40 bg-rose-500/[0.06] hover:bg-rose-500/[0.09]'
            : selected
              ? 'border-amber-400/50 bg-amber-400/[0.09]'
              : 'border-amber-400/35 bg-amber-400/[0.05] hover:bg-amber-400/[0.08]'
          : paused
            ? selected
              ? 'border-fuchsia-400/50 bg-fuchsia-400/[0.09]'
              : 'border-fuchsia-400/30 bg-fuchsia-400/[0.05] hover:bg-fuchsia-400/[0.08]'
            : selected
              ? 'border-indigo-400/30 bg-indigo-400/[0.07]'
              : 'border-transparent hover:border-slate-800 hover:bg-slate-900/70',
      )}
    >
      {selected ? <span aria-hidden className="absolute top-3 bottom-3 -left-2 w-0.5 rounded-full bg-indigo-400" /> : null}
      {/* A critical or warning alert colours the row's edge too, so it is seen while scanning. */}
      {alert && alert.severity !== 'info' && !selected ? (
        <span
          aria-hidden
          className={cn('absolute top-3 bottom-3 -left-2 w-0.5 rounded-full', alert.severity === 'critical' ? 'bg-rose-400' : 'bg-amber-400')}
        />
      ) : null}
      <span className="flex min-w-0 items-center gap-2">
        <span
          aria-hidden
          className={cn('size-1.5 shrink-0 rounded-full', call.status === 'ringing' ? 'animate-pulse bg-sky-400' : 'bg-emerald-400')}
        />
        <span className="min-w-0 truncate text-[13px] font-medium text-slate-100 tabular-nums">{callerNumber(call)}</span>
        <span className="sr-only">{call.status === 'ringing' ? 'Ringing' : 'Live'}</span>
        <CallTwilioStatus call={call} />
        <span className="ml-auto shrink-0 font-mono text-[12px] text-slate-400 tabular-nums" data-testid="call-duration">
          {formatDuration(callDurationMs(call, now))}
        </span>
      </span>
      <span className="flex min-w-0 items-center gap-2 pl-3.5">
        <ControllerBadge controller={call.controller} state={call.state} />
        {/* The badge already says "AI paused" or "Agent"; the activity adds what an active AI is doing. */}
        {call.controller === 'ai' && !paused ? <ActivityIndicator activity={call.aiActivity} className="min-w-0 truncate" /> : null}
      </span>
      <LiveRowSentiment call={call} />
      {alert ? (
        <span className="flex min-w-0 pl-3.5">
          <AlertBadge alert={alert} openAlerts={call.openAlerts} className="max-w-full" />
        </span>
      ) : null}
      {request ? (
        <span
          className={cn('flex min-w-0 items-center gap-1.5 pl-3.5 text-[11.5px] font-medium', longWait ? 'text-rose-200' : 'text-amber-200')}
          data-testid="attention-marker"
          title={request.reason || undefined}
        >
          <HeadsetIcon className="size-3.5 shrink-0" />
          {/* The reason says it best; the badge beside it says how long the caller has waited. */}
          <span className="min-w-0 truncate">
            <span className={request.reason ? 'sr-only' : undefined}>AI asks for a person{request.reason ? ': ' : ''}</span>
            {request.reason}
          </span>
          <WaitingBadge since={request.since} now={now} className="ml-auto" />
        </span>
      ) : null}
      {call.scenario ? (
        <span className="truncate pl-3.5 text-[11px] text-faint">Demo · {idInWords(call.scenario)}</span>
      ) : null}
    </button>
  );
}

/**
 * The caller's reading (the same figure and words as the header and Assist card) on a line of
 * its own, so the words are never cut short, with the trend's sparkline beside them.
 * Nothing until the caller has spoken.
 */
function LiveRowSentiment({ call }: { call: CallSummary }) {
  const reading = useCallerSentiment(call);
  if (!reading) return null;
  return (
    <span className="flex min-w-0 items-center gap-2 pl-3.5 text-[11.5px]">
      <SentimentReadout reading={reading} testId="row-sentiment" />
      {call.sentimentTrend.length > 1 ? (
        // The words come first: in the narrow list of a small window the sparkline gives way.
        <span className="ml-auto hidden w-16 shrink-0 xl:block" data-testid="row-sentiment-trend">
          <Sparkline scores={call.sentimentTrend} width={64} height={18} testId="row-sparkline" />
        </span>
      ) : null}
    </span>
  );
}

const RECENT_ROW_PX = 52;

function RecentList({
  calls,
  selectedId,
  onSelect,
  now,
}: {
  calls: CallSummary[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  now: number;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count: calls.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => RECENT_ROW_PX,
    overscan: 8,
    getItemKey: (i) => calls[i]?.id ?? i,
  });
  return (
    <div ref={scrollRef} className="min-h-0 flex-1 overflow-y-auto px-2 pb-2" data-testid="recent-calls">
      <ul className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const c = calls[item.index];
          if (!c) return null;
          const selected = c.id === selectedId;
          return (
            <li
              key={item.key}
              className="absolute top-0 left-0 w-full"
              style={{ height: item.size, transform: `translateY(${item.start}px)` }}
            >
              <button
                type="button"
                data-testid="recent-call"
                data-call-id={c.id}
                aria-current={selected ? 'true' : undefined}
                onClick={() => onSelect(c.id)}
                className={cn(
                  'focus-ring flex h-12 w-full items-center gap-3 rounded-lg border px-3 text-left transition-colors',
                  selected ? 'border-slate-700 bg-slate-800/60' : 'border-transparent hover:bg-slate-900/70',
                )}
              >
                <SentimentDot score={c.callerSentiment} what="Whole-call mean" />
                <span className="flex min-w-0 flex-1 flex-col">
                  <span className="truncate text-[12.5px] text-slate-300 tabular-nums">{callerNumber(c)}</span>
                  <span className="truncate text-[11px] text-faint">
                    {formatWhen(c.startedAt, now)}
                    {c.endReason ? ` · ${endReasonLabel(c.endReason)}` : ''}
                    {/* Wrapped-up calls say how; the ones still needing a wrap-up stand out by its absence. */}
                    {c.disposition ? (
                      <>
                        {' · '}
                        <span className="text-indigo-200" data-testid="recent-disposition" title="Wrap-up disposition">
                          {dispositionLabel(c.disposition)}
                        </span>
                      </>
                    ) : null}
                  </span>
                </span>
                <span className="flex flex-col items-end gap-0.5">
                  <span className="font-mono text-[11.5px] text-faint tabular-nums">
                    {formatDuration(callDurationMs(c, now))}
                  </span>
                  {c.controller === 'agent' ? (
                    <span className="text-[10px] font-medium text-amber-300/80">Agent</span>
                  ) : (
                    <span className="text-[10px] font-medium text-faint">AI</span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
