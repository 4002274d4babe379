import { memo, useCallback, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CallEvent, Utterance } from '@shared/domain';
import { SentimentDot } from '../../components/ui/Indicators';
import { ArrowDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatOffset } from '../../lib/format';
import { eventLabel, eventTone, type EventTone, type TimelineItem } from './timeline';

/** How close to the bottom (px) still counts as "following" the conversation. */
const FOLLOW_THRESHOLD_PX = 48;

/**
 * The call's transcript and timeline, virtualised. Follows new lines while the user is at
 * the bottom; stops following when they scroll up, and offers a "Jump to latest" button.
 */
export function Transcript({ callId, items, empty }: { callId: string; items: TimelineItem[]; empty: ReactNode }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const followingRef = useRef(true);
  const [following, setFollowing] = useState(true);
  const [unseen, setUnseen] = useState(0);
  const lastCountRef = useRef(items.length);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i]?.kind === 'event' ? 36 : 76),
    overscan: 10,
    paddingStart: 20,
    paddingEnd: 20,
    getItemKey: (i) => items[i]?.key ?? i,
  });

  const setFollow = useCallback((value: boolean) => {
    followingRef.current = value;
    setFollowing(value);
    if (value) setUnseen(0);
  }, []);

  // A different call starts at its latest line.
  useLayoutEffect(() => {
    setFollow(true);
    lastCountRef.current = 0;
  }, [callId, setFollow]);

  const totalSize = virtualizer.getTotalSize();
  const last = items.at(-1);
  const lastSignature = last ? `${last.key}:${last.kind === 'line' ? last.line.text.length : 0}` : '';

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const added = items.length - lastCountRef.current;
    lastCountRef.current = items.length;
    if (followingRef.current) {
      el.scrollTop = el.scrollHeight;
    } else if (added > 0) {
      setUnseen((n) => n + added);
    }
  }, [items.length, totalSize, lastSignature]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    const atBottom = distance <= FOLLOW_THRESHOLD_PX;
    if (atBottom !== followingRef.current) setFollow(atBottom);
  }, [setFollow]);

  const jumpToLatest = useCallback(() => {
    const el = scrollRef.current;
    setFollow(true);
    if (el) el.scrollTo({ top: el.scrollHeight });
  }, [setFollow]);

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scrollRef}
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label="Transcript"
        data-testid="transcript"
        data-following={following}
        tabIndex={0}
        className="focus-ring absolute inset-0 overflow-y-auto px-6 [outline-offset:-2px]"
      >
        {items.length === 0 ? (
          <div className="flex h-full items-center justify-center">{empty}</div>
        ) : (
          <div className="relative mx-auto w-full max-w-3xl" style={{ height: totalSize }}>
            {virtualizer.getVirtualItems().map((v) => {
              const item = items[v.index];
              if (!item) return null;
              return (
                <div
                  key={v.key}
                  data-index={v.index}
                  ref={virtualizer.measureElement}
                  className="absolute top-0 left-0 w-full"
                  style={{ transform: `translateY(${v.start}px)` }}
                >
                  {item.kind === 'line' ? <Line line={item.line} /> : <EventDivider event={item.event} />}
                </div>
              );
            })}
          </div>
        )}
      </div>
      {!following && items.length > 0 ? (
        <button
          type="button"
          onClick={jumpToLatest}
          className="focus-ring absolute bottom-4 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full border border-slate-700 bg-slate-900/95 px-3 py-1.5 text-[12px] text-slate-200 shadow-lg shadow-black/40 backdrop-blur hover:border-slate-600 hover:bg-slate-800"
        >
          <ArrowDownIcon className="size-3.5" />
          {unseen > 0 ? `${unseen} new ${unseen === 1 ? 'line' : 'lines'}` : 'Jump to latest'}
        </button>
      ) : null}
    </div>
  );
}

const speakerName = { caller: 'Caller', ai: 'AI', agent: 'Agent' } as const;

const Line = memo(function Line({ line }: { line: Utterance }) {
  const ours = line.speaker !== 'caller';
  return (
    <div
      className={cn('flex py-1.5', ours ? 'justify-end' : 'justify-start')}
      data-testid="utterance"
      data-utterance-id={line.id}
      data-speaker={line.speaker}
      data-final={line.final}
      data-interrupted={line.interrupted || undefined}
    >
      <div className={cn('flex max-w-[78%] flex-col gap-1', ours ? 'items-end' : 'items-start')}>
        <div className="flex items-center gap-2 px-1 text-[11px]">
          {line.speaker === 'caller' && line.sentiment ? (
            <SentimentDot score={line.sentiment.score} className="size-1.5" />
          ) : null}
          <span
            className={cn(
              'font-medium',
              line.speaker === 'caller' && 'text-slate-400',
              line.speaker === 'ai' && 'text-indigo-300/90',
              line.speaker === 'agent' && 'text-amber-300/90',
            )}
          >
            {speakerName[line.speaker]}
          </span>
          <span className="font-mono text-slate-600 tabular-nums">{formatOffset(line.startMs)}</span>
          {!line.final ? <span className="text-slate-600 italic">speaking…</span> : null}
        </div>
        <div
          className={cn(
            'rounded-xl px-3.5 py-2 text-[13.5px] leading-relaxed break-words whitespace-pre-wrap ring-1 ring-inset',
            line.speaker === 'caller' && 'rounded-tl-sm bg-slate-800/60 text-slate-100 ring-slate-700/50',
            line.speaker === 'ai' && 'rounded-tr-sm bg-indigo-500/[0.09] text-slate-100 ring-indigo-400/20',
            line.speaker === 'agent' && 'rounded-tr-sm bg-amber-400/[0.08] text-slate-100 ring-amber-400/25',
            !line.final && 'text-slate-400 italic opacity-75',
          )}
        >
          {line.text || '…'}
          {line.interrupted ? (
            <span className="ml-1.5 text-[12px] whitespace-nowrap text-slate-500 not-italic" data-testid="cut-off">
              — cut off
            </span>
          ) : null}
        </div>
      </div>
    </div>
  );
});

const toneClass: Record<EventTone, string> = {
  muted: 'text-slate-500',
  agent: 'text-amber-300/90',
  ai: 'text-indigo-300/90',
  problem: 'text-rose-300/80',
  attention: 'text-amber-200',
};

const EventDivider = memo(function EventDivider({ event }: { event: CallEvent }) {
  const tone = toneClass[eventTone(event)];
  return (
    <div className="flex items-center gap-3 py-2.5" data-testid="timeline-event" data-event-type={event.type}>
      <span aria-hidden className="h-px flex-1 bg-linear-to-r from-transparent to-slate-800" />
      <span className={cn('flex items-center gap-2 text-[11px] font-medium', tone)}>
        {eventLabel(event)}
        <span className="font-mono font-normal text-slate-600 tabular-nums">{formatOffset(event.atMs)}</span>
      </span>
      <span aria-hidden className="h-px flex-1 bg-linear-to-l from-transparent to-slate-800" />
    </div>
  );
});
