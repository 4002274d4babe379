/**
 * A call's page (`#/calls/<id>?line=<lineId>`): the transcript with its timeline, the
 * recording player (click a line to hear it; the line being played is highlighted), caller
 * sentiment line by line, the events, and the latency breakdown. Works for live calls too.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearch } from 'wouter';
import type { CallEvent, Utterance } from '@shared/domain';
import type { Recording } from '@shared/history';
import { Spinner } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { ControllerBadge, StatusBadge } from '../../components/ui/Indicators';
import { ArrowLeftIcon, InboxIcon, PhoneIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import {
  endReasonLabel,
  formatDateTime,
  formatDuration,
  formatOffset,
  formatScore,
  idInWords,
} from '../../lib/format';
import { routes } from '../../lib/router';
import { fileUrl } from '../../lib/transport';
import { Card } from '../assist/Card';
import { DetailsCard, FactsCard, useCallInsights } from '../assist/CallInsights';
import { WrapUpCard } from '../wrap-up/WrapUpCard';
import { SentimentScore } from '../sentiment/CallerSentiment';
import { callDurationMs } from '../calls/CallList';
import { callerNumber } from '../../lib/format';
import { selectEvents, selectRecordings, selectTranscript, selectTurns, useCallsStore } from '../calls/store';
import { useNow } from '../calls/useNow';
import { Transcript } from '../call-view/Transcript';
import { buildTimeline, eventLabel, eventTone } from '../call-view/timeline';
import { useCallDetail } from '../call-view/useCallDetail';
import { listHref } from '../history/return-to';
import { LatencyCard } from '../latency/LatencyCard';
import { NoRecording, RecordingPlayer } from './RecordingPlayer';
import { SentimentChart } from './SentimentChart';
import { useAudioPlayer } from './useAudioPlayer';

/** A seek lands a little before the line so its first word is heard. */
const LEAD_IN_MS = 150;
/** How far past a line's end it still counts as the one being played. */
const LINE_TAIL_MS = 400;

function covers(r: Recording, atMs: number, knownDurationMs: number | null): boolean {
  const length = r.durationMs ?? knownDurationMs;
  return atMs >= r.startMs - 500 && (length === null || atMs <= r.startMs + length);
}

/** The recording to play a line from: the current one if it covers the moment, else the best other. */
function recordingFor(recordings: Recording[], current: Recording | null, line: Utterance, knownMs: number | null): Recording | null {
  if (current && covers(current, line.startMs, knownMs)) return current;
  const covering = recordings.filter((r) => covers(r, line.startMs, null));
  const preferred = line.speaker === 'agent' ? 'agent' : 'line';
  return covering.find((r) => r.kind === preferred) ?? covering[0] ?? current;
}

/**
 * The line being played at `atMs` on the call clock: the line the user clicked while the
 * playhead is in it, else the latest line that has started and not long ended, else one about
 * to start (a seek lands just before its line).
 */
function lineAt(lines: Utterance[], atMs: number, preferId: string | null): Utterance | null {
  const within = (l: Utterance) => atMs >= l.startMs - LEAD_IN_MS - 100 && atMs <= l.endMs + LINE_TAIL_MS;
  if (preferId) {
    const preferred = lines.find((l) => l.id === preferId);
    if (preferred && within(preferred)) return preferred;
  }
  let best: Utterance | null = null;
  for (const l of lines) {
    if (l.final && l.startMs <= atMs && atMs <= l.endMs + LINE_TAIL_MS) best = l;
  }
  return best ?? lines.find((l) => l.final && within(l)) ?? null;
}

function firstTakeoverMs(events: CallEvent[]): number | null {
  return events.find((e) => e.type === 'takeover')?.atMs ?? null;
}

export function CallDetailView() {
  const params = useParams<{ callId: string }>();
  const callId = decodeURIComponent(params.callId ?? '');
  const search = useSearch();
  const query = useMemo(() => new URLSearchParams(search), [search]);
  const targetLineId = query.get('line');
  const fromSearch = query.get('from') === 'search';

  const call = useCallsStore((s) => s.calls[callId] ?? null);
  const { loading, error } = useCallDetail(callId, call?.status ?? 'unknown', { quiet: true });
  const lines = useCallsStore(selectTranscript(callId));
  const events = useCallsStore(selectEvents(callId));
  const turns = useCallsStore(selectTurns(callId));
  const recordings = useCallsStore(selectRecordings(callId));
  const insights = useCallInsights(callId);
  const ended = call?.status === 'ended';
  const now = useNow(1000, call !== null && !ended);

  const shownLines = useMemo(() => (ended ? lines.filter((l) => l.final) : lines), [lines, ended]);
  const items = useMemo(() => buildTimeline(shownLines, events), [shownLines, events]);

  const [chosenId, setChosenId] = useState<string | null>(null);
  const current = recordings.find((r) => r.id === chosenId) ?? recordings.find((r) => r.kind === 'line') ?? recordings[0] ?? null;
  const src = current ? fileUrl(current.route) : null;
  const { attach, player } = useAudioPlayer(src);
  const knownMs = player.duration === null ? null : player.duration * 1000;
  /** A seek into another track, done once the element has that track's source. */
  const pendingSeek = useRef<{ id: string; seconds: number } | null>(null);
  const currentId = current?.id ?? null;
  const { seek } = player;
  useEffect(() => {
    const pending = pendingSeek.current;
    if (pending && pending.id === currentId) {
      pendingSeek.current = null;
      seek(pending.seconds, true);
    }
  }, [currentId, seek]);

  const playheadMs = current && player.engaged ? current.startMs + player.position * 1000 : null;
  const [clickedLineId, setClickedLineId] = useState<string | null>(null);
  const playing = playheadMs !== null ? lineAt(shownLines, playheadMs, clickedLineId) : null;

  const playLine = useCallback(
    (line: Utterance) => {
      const target = recordingFor(recordings, current, line, knownMs);
      if (!target) return;
      setClickedLineId(line.id);
      const seconds = Math.max(0, (line.startMs - target.startMs - LEAD_IN_MS) / 1000);
      if (current && target.id === current.id) {
        player.seek(seconds, true);
      } else {
        pendingSeek.current = { id: target.id, seconds };
        setChosenId(target.id);
      }
    },
    [recordings, current, knownMs, player],
  );
  const pickLine = useCallback(
    (lineId: string) => {
      const line = shownLines.find((l) => l.id === lineId);
      if (line) playLine(line);
    },
    [shownLines, playLine],
  );
  const seekEvent = useCallback(
    (event: CallEvent) => {
      // Play from the first line at or after the event.
      const line = shownLines.find((l) => l.startMs >= event.atMs - 200) ?? shownLines.at(-1);
      if (line) playLine(line);
    },
    [shownLines, playLine],
  );

  if (!call) {
    return (
      <section aria-label="Call" className="flex flex-1 items-center justify-center" data-testid="call-detail">
        {error ? (
          <EmptyState icon={<InboxIcon />} title={error.code === 'not_found' ? 'This call is not in the store' : 'Couldn’t load this call'}>
            <p>{error.code === 'not_found' ? 'It may have been deleted, or the link is wrong.' : error.message}</p>
            <Link href={listHref()} className="mt-3 inline-block text-indigo-300 underline underline-offset-2">
              Back to history
            </Link>
          </EmptyState>
        ) : (
          <span className="flex items-center gap-2 text-[12.5px] text-slate-400">
            <Spinner /> Loading the call…
          </span>
        )}
      </section>
    );
  }

  const takeoverAtMs = firstTakeoverMs(events);
  const durationMs = callDurationMs(call, now);
  // What History counts (migration 006): alert rules that fired; a call stored before alert
  // rules existed keeps counting take-over requests, fallbacks and errors (alerts, issue 8).
  const alerts = events.some((e) => e.type === 'alert')
    ? events.filter((e) => e.type === 'alert')
    : events.filter((e) => e.type === 'takeover_requested' || e.type === 'fallback' || e.type === 'error');
  const callerScores = shownLines.filter((l) => l.speaker === 'caller' && l.final && l.sentiment).map((l) => l.sentiment!.score);
  const keyEvents = events.filter((e) => e.type !== 'agent_message' && e.type !== 'status');

  return (
    <section
      aria-labelledby="call-detail-title"
      className="flex min-h-0 min-w-0 flex-1 flex-col"
      data-testid="call-detail"
      data-call-id={call.id}
    >
      <header className="flex shrink-0 flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-800/80 px-4 py-3 xl:px-6">
        <Link
          href={listHref()}
          className="focus-ring inline-flex items-center gap-1.5 rounded text-[12.5px] text-slate-300 hover:text-white"
          data-testid="back-to-history"
        >
          <ArrowLeftIcon className="size-3.5" /> History
        </Link>
        <span aria-hidden className="h-4 w-px bg-slate-800" />
        <div className="flex min-w-0 flex-col gap-0.5">
          <div className="flex items-center gap-2.5">
            <h1 id="call-detail-title" className="truncate text-[16px] font-semibold tracking-tight text-slate-50 tabular-nums">
              {callerNumber(call)}
            </h1>
            <StatusBadge status={call.status} />
            <span className="font-mono text-[13px] text-slate-300 tabular-nums">{formatDuration(durationMs)}</span>
          </div>
          <p className="flex flex-wrap items-center gap-x-2 text-[12px] text-slate-400">
            <span>{call.direction === 'inbound' ? 'Inbound' : 'Outbound'}</span>
            <span aria-hidden>·</span>
            <span>{formatDateTime(call.startedAt)}</span>
            {call.scenario ? (
              <>
                <span aria-hidden>·</span>
                <span>Demo: {idInWords(call.scenario)}</span>
              </>
            ) : null}
            {call.endReason ? (
              <>
                <span aria-hidden>·</span>
                <span data-testid="detail-end-reason">{endReasonLabel(call.endReason)}</span>
              </>
            ) : null}
            {call.profile ? (
              <>
                <span aria-hidden>·</span>
                <span data-testid="detail-profile" title={`Ran with version ${call.profile.version} of this AI profile`}>
                  AI profile: <span className="text-slate-300">{call.profile.name}</span>{' '}
                  <span className="text-faint tabular-nums">v{call.profile.version}</span>
                </span>
              </>
            ) : null}
          </p>
        </div>
        <dl className="ml-auto flex items-center gap-4 text-[12px]">
          <div className="flex flex-col items-end gap-0.5">
            <dt className="text-slate-400">Handled by</dt>
            <dd className="flex items-center gap-1.5">
              {takeoverAtMs !== null ? (
                <span className="text-amber-200">Agent from {formatOffset(takeoverAtMs)}</span>
              ) : (
                <ControllerBadge controller={call.controller} />
              )}
            </dd>
          </div>
          <div className="flex flex-col items-end gap-0.5">
            <dt className="text-slate-400">Caller sentiment, mean</dt>
            <dd className="flex items-center gap-1.5" data-testid="detail-sentiment">
              <SentimentScore score={call.callerSentiment} what="Whole-call mean of the caller's lines" />
            </dd>
          </div>
          <div className="flex flex-col items-end gap-0.5">
            <dt className="text-slate-400">Alerts</dt>
            <dd className={cn('tabular-nums', alerts.length > 0 ? 'text-amber-200' : 'text-slate-300')}>{alerts.length}</dd>
          </div>
          {!ended ? (
            <Link
              href={routes.live(call.id)}
              className="focus-ring inline-flex h-8 items-center rounded-md border border-emerald-400/30 bg-emerald-400/10 px-3 text-[12.5px] font-medium text-emerald-200 hover:bg-emerald-400/20"
            >
              Open in Live
            </Link>
          ) : null}
        </dl>
      </header>

      <div className="grid min-h-0 flex-1 grid-cols-[minmax(0,1fr)_20rem] xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="flex min-h-0 min-w-0 flex-col">
          <div className="shrink-0 px-4 pt-3 xl:px-6">
            {current && src ? (
              <RecordingPlayer
                recordings={recordings}
                current={current}
                src={src}
                onSelect={setChosenId}
                player={player}
                audioRef={attach}
                callDurationMs={call.endedAt ? call.endedAt - call.startedAt : null}
              />
            ) : loading ? null : (
              <NoRecording live={!ended} />
            )}
          </div>
          <Transcript
            callId={call.id}
            items={items}
            mode="review"
            targetLineId={targetLineId}
            targetLabel={fromSearch ? 'Search match' : 'Linked line'}
            playingLineId={playing?.id ?? null}
            onLineClick={current ? playLine : undefined}
            empty={
              loading ? (
                <span className="flex items-center gap-2 text-[12px] text-slate-400">
                  <Spinner /> Loading transcript…
                </span>
              ) : (
                <EmptyState icon={<PhoneIcon />} title={ended ? 'No transcript was recorded' : 'Waiting for the first words'} />
              )
            }
          />
        </div>

        <aside aria-label="Call details" className="flex min-h-0 flex-col gap-3 overflow-y-auto border-l border-slate-800/80 bg-slate-950 px-3 py-3">
          <WrapUpCard call={call} />
          <DetailsCard entities={insights.entities} ended={ended} />
          <FactsCard facts={insights.facts} ended={ended} />
          <Card
            title="Sentiment by line"
            aside={
              callerScores.length > 0 ? (
                <span className="text-[11px] whitespace-nowrap text-slate-400 tabular-nums">
                  start {formatScore(callerScores[0]!)} · end {formatScore(callerScores.at(-1)!)}
                </span>
              ) : null
            }
          >
            {shownLines.length === 0 ? (
              <p className="py-3 text-[12px] text-slate-400">Nothing was said on this call.</p>
            ) : (
              <SentimentChart
                lines={shownLines}
                takeoverAtMs={takeoverAtMs}
                playheadMs={playheadMs}
                durationMs={call.endedAt ? call.endedAt - call.startedAt : durationMs}
                onPick={pickLine}
              />
            )}
          </Card>
          <Card title="Timeline" aside={<span className="text-[11px] text-slate-400">{keyEvents.length} events</span>}>
            {keyEvents.length === 0 ? (
              <p className="py-2 text-[12px] text-slate-400">No events yet.</p>
            ) : (
              <ol className="flex flex-col" data-testid="detail-timeline">
                {keyEvents.map((e) => (
                  <li key={e.id}>
                    <button
                      type="button"
                      onClick={() => seekEvent(e)}
                      disabled={!current}
                      className="focus-ring flex w-full items-baseline gap-2 rounded px-1 py-1 text-left text-[12px] enabled:hover:bg-slate-800/60"
                      title={current ? 'Play from here' : undefined}
                    >
                      <span className="w-10 shrink-0 font-mono text-[11px] text-slate-400 tabular-nums">{formatOffset(e.atMs)}</span>
                      <span
                        className={cn(
                          'min-w-0 flex-1',
                          eventTone(e) === 'problem' && 'text-rose-300',
                          eventTone(e) === 'agent' && 'text-amber-200',
                          eventTone(e) === 'attention' && 'text-amber-200',
                          eventTone(e) === 'ai' && 'text-indigo-200',
                          eventTone(e) === 'muted' && 'text-slate-300',
                        )}
                      >
                        {eventLabel(e)}
                      </span>
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </Card>
          <LatencyCard turns={turns} ended={ended} />
          <Card title="Call">
            <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]">
              <dt className="text-slate-400">From</dt>
              <dd className="truncate text-slate-200 tabular-nums">{call.from}</dd>
              <dt className="text-slate-400">To</dt>
              <dd className="truncate text-slate-200 tabular-nums">{call.to}</dd>
              <dt className="text-slate-400">Lines</dt>
              <dd className="text-slate-200 tabular-nums">{shownLines.length}</dd>
              <dt className="text-slate-400">Call SID</dt>
              <dd className="truncate font-mono text-[11px] text-slate-300" title={call.callSid}>
                {call.callSid}
              </dd>
            </dl>
          </Card>
        </aside>
      </div>
    </section>
  );
}
