import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CallEvent, Utterance } from '@shared/domain';
import { SentimentDot } from '../../components/ui/Indicators';
import { ArrowDownIcon, PlayIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatOffset } from '../../lib/format';
import { eventLabel, eventShape, eventTone, keypadLabel, type EventTone, type TimelineItem } from './timeline';

/** How close to the bottom (px) still counts as "following" the conversation. */
const FOLLOW_THRESHOLD_PX = 48;

/**
 * The call's transcript and timeline, virtualised. Live: follows new lines while the user is
 * at the bottom; stops following when they scroll up, and offers a "Jump to latest" button.
 * Review (a call's page): starts at `targetLineId` if given (highlighted), keeps the line
 * being played (`playingLineId`) in view, and a click on a line calls `onLineClick`.
 */
export function Transcript({
  callId,
  items,
  empty,
  mode = 'live',
  targetLineId = null,
  targetLabel = 'Linked line',
  playingLineId = null,
  onLineClick,
}: {
  callId: string;
  items: TimelineItem[];
  empty: ReactNode;
  mode?: 'live' | 'review';
  /** A line to open at and mark (e.g. the search match that opened the call). */
  targetLineId?: string | null;
  /** The tag on the target line ("Search match"). */
  targetLabel?: string;
  /** The line the recording is playing now. */
  playingLineId?: string | null;
  /** Makes lines clickable (seek the recording there). */
  onLineClick?: (line: Utterance) => void;
}) {
  const review = mode === 'review';
  const scrollRef = useRef<HTMLDivElement>(null);
  const followingRef = useRef(!review);
  const [following, setFollowing] = useState(!review);
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

  // A different call starts at its latest line (live) or its first / target line (review).
  useLayoutEffect(() => {
    setFollow(!review);
    lastCountRef.current = 0;
  }, [callId, setFollow, review]);

  // Review: open at the target line once it is in the list.
  const scrolledTo = useRef<string | null>(null);
  const targetIndex = targetLineId ? items.findIndex((it) => it.kind === 'line' && it.line.id === targetLineId) : -1;
  useEffect(() => {
    if (!review || targetIndex < 0 || scrolledTo.current === `${callId}:${targetLineId}`) return;
    scrolledTo.current = `${callId}:${targetLineId}`;
    virtualizer.scrollToIndex(targetIndex, { align: 'center' });
  }, [review, targetIndex, targetLineId, callId, virtualizer]);

  // Review: keep the line being played in view.
  const playingIndex = playingLineId ? items.findIndex((it) => it.kind === 'line' && it.line.id === playingLineId) : -1;
  useEffect(() => {
    if (!review || playingIndex < 0) return;
    virtualizer.scrollToIndex(playingIndex, { align: 'auto' });
  }, [review, playingIndex, virtualizer]);

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
    } else if (added > 0 && !review) {
      setUnseen((n) => n + added);
    }
  }, [items.length, totalSize, lastSignature, review]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    const atBottom = distance <= FOLLOW_THRESHOLD_PX;
    if (!review && atBottom !== followingRef.current) setFollow(atBottom);
  }, [setFollow, review]);

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
        aria-live={review ? 'off' : 'polite'}
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
                  {item.kind === 'line' ? (
                    <Line
                      line={item.line}
                      targeted={item.line.id === targetLineId ? targetLabel : null}
                      playing={item.line.id === playingLineId}
                      onClick={onLineClick}
                    />
                  ) : eventShape(item.event) === 'whisper' ? (
                    <WhisperLine event={item.event} />
                  ) : eventShape(item.event) === 'keypad' ? (
                    <KeypadLine event={item.event} />
                  ) : (
                    <EventDivider event={item.event} />
                  )}
                </div>
              );
            })}
          </div>
        )}
      </div>
      {!review && !following && items.length > 0 ? (
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

const Line = memo(function Line({
  line,
  targeted = null,
  playing = false,
  onClick,
}: {
  line: Utterance;
  /** The target line's tag, or null. */
  targeted?: string | null;
  playing?: boolean;
  onClick?: ((line: Utterance) => void) | undefined;
}) {
  const ours = line.speaker !== 'caller';
  const clickable = onClick !== undefined && line.final;
  // Redacted lines (issue 10) carry the words as said only where Settings let the console see them.
  const [showOriginal, setShowOriginal] = useState(false);
  const original = line.originalText !== undefined && showOriginal;
  return (
    <div
      className={cn('flex py-1.5', ours ? 'justify-end' : 'justify-start')}
      data-testid="utterance"
      data-utterance-id={line.id}
      data-speaker={line.speaker}
      data-final={line.final}
      data-interrupted={line.interrupted || undefined}
      data-targeted={targeted ? true : undefined}
      data-playing={playing || undefined}
    >
      <div
        className={cn('flex max-w-[78%] flex-col gap-1', ours ? 'items-end' : 'items-start', clickable && 'cursor-pointer')}
        onClick={clickable ? () => onClick(line) : undefined}
      >
        <div className="flex items-center gap-2 px-1 text-[11px]">
          {line.speaker === 'caller' && line.sentiment ? (
            <SentimentDot score={line.sentiment.score} what="This line" className="size-1.5" />
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
          {clickable ? (
            <button
              type="button"
              onClick={(e) => {
                e.stopPropagation();
                onClick(line);
              }}
              className="focus-ring -mx-1 inline-flex items-center gap-1 rounded px-1 font-mono text-slate-400 tabular-nums hover:bg-slate-800 hover:text-slate-100"
              aria-label={`Play from ${formatOffset(line.startMs)}`}
              data-testid="line-seek"
            >
              <PlayIcon className="size-2.5" />
              {formatOffset(line.startMs)}
            </button>
          ) : (
            <span className="font-mono text-faint tabular-nums">{formatOffset(line.startMs)}</span>
          )}
          {playing ? (
            <span className="rounded bg-indigo-400/15 px-1 text-[10.5px] font-medium text-indigo-200" data-testid="playing-marker">
              Playing
            </span>
          ) : null}
          {targeted ? (
            <span className="rounded bg-amber-300/15 px-1 text-[10.5px] font-medium text-amber-100" data-testid="target-marker">
              {targeted}
            </span>
          ) : null}
          {!line.final ? <span className="text-faint italic">speaking…</span> : null}
          {line.originalText !== undefined ? (
            <button
              type="button"
              onClick={(e) => {
                e.stopPropagation();
                setShowOriginal((v) => !v);
              }}
              className="focus-ring -mx-1 rounded px-1 text-faint hover:bg-slate-800 hover:text-slate-100"
              aria-pressed={showOriginal}
              data-testid="show-original"
            >
              {showOriginal ? 'hide original' : 'show original'}
            </button>
          ) : null}
        </div>
        <div
          className={cn(
            'rounded-xl px-3.5 py-2 text-[13.5px] leading-relaxed break-words whitespace-pre-wrap ring-1 ring-inset transition-shadow',
            line.speaker === 'caller' && 'rounded-tl-sm bg-slate-800/60 text-slate-100 ring-slate-700/50',
            line.speaker === 'ai' && 'rounded-tr-sm bg-indigo-500/[0.09] text-slate-100 ring-indigo-400/20',
            line.speaker === 'agent' && 'rounded-tr-sm bg-amber-400/[0.08] text-slate-100 ring-amber-400/25',
            targeted && 'ring-2 ring-amber-300/70',
            playing && 'shadow-[0_0_0_2px_var(--color-indigo-400)]',
            clickable && !playing && 'hover:ring-slate-500/70',
            !line.final && 'text-slate-400 italic', // not faded further: opacity took it under 4.5:1
          )}
        >
          <span data-testid="line-text" data-original={original || undefined}>
            {(original ? line.originalText : line.text) || '…'}
          </span>
          {line.interrupted ? (
            <span className="ml-1.5 text-[12px] whitespace-nowrap text-faint not-italic" data-testid="cut-off">
              — cut off
            </span>
          ) : null}
        </div>
      </div>
    </div>
  );
});

const toneClass: Record<EventTone, string> = {
  muted: 'text-faint',
  agent: 'text-amber-300/90',
  ai: 'text-indigo-300/90',
  problem: 'text-rose-300/80',
  attention: 'text-amber-200',
  paused: 'text-fuchsia-300',
};

const EventDivider = memo(function EventDivider({ event }: { event: CallEvent }) {
  const tone = toneClass[eventTone(event)];
  return (
    <div className="flex items-center gap-3 py-2.5" data-testid="timeline-event" data-event-type={event.type}>
      <span aria-hidden className="h-px flex-1 bg-linear-to-r from-transparent to-slate-800" />
      <span className={cn('flex items-center gap-2 text-[11px] font-medium', tone)}>
        {eventLabel(event)}
        <span className="font-mono font-normal text-faint tabular-nums">{formatOffset(event.atMs)}</span>
      </span>
      <span aria-hidden className="h-px flex-1 bg-linear-to-l from-transparent to-slate-800" />
    </div>
  );
});

/** How the AI takes a whisper, as a short tag beside it (the full sentence shows under the whisper box). */
const whisperHandlingTag: Record<string, string> = {
  instruction: 'AI follows it next turn',
  say: 'AI says it next',
  unsupported: 'Saved only · offline AI can’t follow it',
};

/**
 * The agent's whisper to the AI: on the agent's side, but dashed and dimmed, and labelled as
 * never heard by the caller, so it cannot be mistaken for something said on the line.
 */
const WhisperLine = memo(function WhisperLine({ event }: { event: CallEvent }) {
  const whisper = typeof event.data['text'] === 'string' ? event.data['text'] : '';
  const handling = typeof event.data['handling'] === 'string' ? whisperHandlingTag[event.data['handling']] : undefined;
  return (
    <div className="flex justify-end py-1.5" data-testid="whisper" data-event-id={event.id} data-handling={event.data['handling'] as string | undefined}>
      <div className="flex max-w-[78%] flex-col items-end gap-1">
        <div className="flex items-center gap-2 px-1 text-[11px]">
          <span className="flex items-center gap-1 font-medium text-violet-300/90">
            <WhisperGlyph />
            Whisper to the AI
          </span>
          <span className="text-faint">· the caller doesn’t hear this</span>
          <span className="font-mono text-faint tabular-nums">{formatOffset(event.atMs)}</span>
        </div>
        <div className="rounded-xl rounded-tr-sm border border-dashed border-violet-400/45 bg-violet-500/[0.05] px-3.5 py-2 text-[13px] leading-relaxed break-words whitespace-pre-wrap text-violet-100/90 italic">
          {whisper}
        </div>
        {handling ? <span className="px-1 text-[10.5px] text-faint" data-testid="whisper-handling">{handling}</span> : null}
      </div>
    </div>
  );
});

/** An ear with a stroke through it: said to the AI only. */
function WhisperGlyph() {
  return (
    <svg viewBox="0 0 16 16" aria-hidden className="size-3.5" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round">
      <path d="M5 6.5a3.5 3.5 0 1 1 6.2 2.2c-.9 1-1.7 1.5-1.7 2.8a2 2 0 0 1-3.6 1.2" />
      <path d="M2.5 2.5l11 11" />
    </svg>
  );
}

/** The caller's keypad entry, inline on the caller's side: the digits, and the menu choice when known. */
const KeypadLine = memo(function KeypadLine({ event }: { event: CallEvent }) {
  const digits = typeof event.data['digits'] === 'string' ? event.data['digits'] : '';
  const option = typeof event.data['option'] === 'string' && event.data['option'].trim() ? event.data['option'].trim() : null;
  return (
    <div className="flex justify-start py-1.5" data-testid="keypad-entry" data-event-id={event.id} data-kind={event.data['kind'] as string | undefined}>
      <div
        className="flex items-center gap-2 rounded-lg bg-slate-800/40 px-2.5 py-1.5 text-[12px] text-slate-300 ring-1 ring-slate-700/60 ring-inset"
        aria-label={keypadLabel(event)}
        role="note"
      >
        <KeypadGlyph />
        <span className="text-slate-400">{event.data['kind'] === 'menu' ? 'Caller pressed' : 'Caller keyed'}</span>
        <span className="font-mono text-[13px] tracking-[0.2em] text-slate-100 tabular-nums">{digits || '—'}</span>
        {option ? <span className="rounded bg-slate-700/60 px-1.5 text-[11px] text-slate-200">{option}</span> : null}
        <span className="font-mono text-[11px] text-faint tabular-nums">{formatOffset(event.atMs)}</span>
      </div>
    </div>
  );
});

function KeypadGlyph() {
  return (
    <svg viewBox="0 0 16 16" aria-hidden className="size-3.5 text-slate-400" fill="currentColor">
      {[3, 8, 13].flatMap((cy) => [3, 8, 13].map((cx) => <circle key={`${cx}-${cy}`} cx={cx} cy={cy} r="1.4" />))}
    </svg>
  );
}
