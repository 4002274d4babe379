/**
 * Transcript lines that match the search, newest first, virtualised. The matched words come
 * marked by the core as segments; they are rendered as text (never as HTML).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { SearchHit, TextSegment } from '@shared/history';
import { Spinner } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { callerNumber, formatOffset, formatWhen } from '../../lib/format';
import { DeskChip } from '../team-view/SourceSwitch';

const speakerName = { caller: 'Caller', ai: 'AI', agent: 'Agent' } as const;
const PREFETCH_ROWS = 15;

export function Highlighted({ segments }: { segments: TextSegment[] }) {
  return (
    <>
      {segments.map((s, i) =>
        s.hit ? (
          <mark key={i} className="rounded-[3px] bg-amber-300/25 px-0.5 text-amber-50 ring-1 ring-amber-300/30">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

export function SearchResults({
  hits,
  hasMore,
  loadingMore,
  onLoadMore,
  onOpen,
  canOpen = () => true,
  now,
  busy,
}: {
  hits: SearchHit[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onOpen: (hit: SearchHit) => void;
  /** Whether a hit opens its call (team hits of other desks do not, issue 12). */
  canOpen?: (call: SearchHit['call']) => boolean;
  now: number;
  busy: boolean;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const count = hits.length + (hasMore ? 1 : 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoisable; this component opts out of the compiler.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 74,
    overscan: 8,
    paddingStart: 8,
    paddingEnd: 8,
    getItemKey: (i) => (hits[i] ? `${hits[i].call.id}:${hits[i].line.id}` : `more-${i}`),
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= hits.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, hits.length, onLoadMore]);

  const activeIndex = Math.min(active, Math.max(0, hits.length - 1));
  const onKeyDown = (e: KeyboardEvent<HTMLElement>, index: number) => {
    const next = e.key === 'ArrowDown' ? index + 1 : e.key === 'ArrowUp' ? index - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? hits.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const i = Math.max(0, Math.min(hits.length - 1, next));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-hit-index="${i}"]`)?.focus({ preventScroll: true }));
  };

  return (
    <div
      ref={scrollRef}
      className={cn('min-h-0 flex-1 overflow-y-auto px-4', busy && 'opacity-60 transition-opacity')}
      data-testid="search-results"
      aria-busy={busy || undefined}
    >
      <ul aria-label="Matching lines" className="relative mx-auto w-full max-w-5xl" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((v) => {
          const hit = hits[v.index];
          return (
            <li
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              className="absolute top-0 left-0 w-full py-1"
              style={{ transform: `translateY(${v.start}px)` }}
            >
              {hit ? (
                <button
                  type="button"
                  data-testid="search-hit"
                  data-call-id={hit.call.id}
                  data-line-id={hit.line.id}
                  data-hit-index={v.index}
                  tabIndex={v.index === activeIndex ? 0 : -1}
                  onFocus={() => setActive(v.index)}
                  onKeyDown={(e) => onKeyDown(e, v.index)}
                  onClick={() => onOpen(hit)}
                  title={canOpen(hit.call) ? undefined : `A call on ${hit.call.desk ?? 'another desk'}: its page is on that desk`}
                  className={cn(
                    'focus-ring flex w-full flex-col gap-1 rounded-lg border border-slate-800/80 bg-slate-900/40 px-3.5 py-2.5 text-left hover:border-slate-700 hover:bg-slate-900/80',
                    !canOpen(hit.call) && 'cursor-default',
                  )}
                >
                  <span className="flex items-center gap-2 text-[11.5px] text-slate-400">
                    {hit.call.desk ? <DeskChip desk={hit.call.desk} className="max-w-[12rem]" /> : null}
                    <span className="font-medium text-slate-200 tabular-nums">
                      {callerNumber(hit.call)}
                    </span>
                    <span aria-hidden>·</span>
                    <span>{formatWhen(hit.call.startedAt, now)}</span>
                    <span aria-hidden>·</span>
                    <span
                      className={cn(
                        'font-medium',
                        hit.line.speaker === 'ai' && 'text-indigo-300',
                        hit.line.speaker === 'agent' && 'text-amber-300',
                        hit.line.speaker === 'caller' && 'text-slate-300',
                      )}
                    >
                      {speakerName[hit.line.speaker]}
                    </span>
                    <span className="font-mono tabular-nums">at {formatOffset(hit.line.startMs)}</span>
                  </span>
                  <span className="line-clamp-2 text-[13.5px] leading-relaxed text-slate-200" data-testid="hit-text">
                    <Highlighted segments={hit.line.segments} />
                  </span>
                </button>
              ) : (
                <div className="flex h-12 items-center justify-center gap-2 text-[12px] text-slate-400" data-testid="loading-more">
                  <Spinner /> Loading more lines…
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
