/**
 * The call's recording: an <audio> element on the core's file route with the console's own
 * controls (play/pause, seek bar, time, speed), and a choice of track when the agent's
 * softphone leg was recorded too, each placed on the call's clock.
 */
import type { KeyboardEvent } from 'react';
import type { Recording } from '@shared/history';
import { Segmented } from '../../components/ui/fields';
import { PauseIcon, PlayIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatDuration } from '../../lib/format';
import type { AudioPlayer } from './useAudioPlayer';

export const SPEEDS = [1, 1.5, 2] as const;

export function trackName(r: Recording): string {
  return r.kind === 'line' ? 'Line recording' : 'Agent’s softphone leg';
}

export function RecordingPlayer({
  recordings,
  current,
  src,
  onSelect,
  player,
  audioRef,
  callDurationMs,
}: {
  recordings: Recording[];
  current: Recording;
  /** URL of `current` (fileUrl of its route). */
  src: string;
  onSelect: (id: string) => void;
  player: AudioPlayer;
  /** Attaches the <audio> element to the player. */
  audioRef: (el: HTMLAudioElement | null) => void;
  /** The call's length, to place each track on its clock. */
  callDurationMs: number | null;
}) {
  const duration = player.duration ?? (current.durationMs !== null ? current.durationMs / 1000 : null);
  const callClockMs = current.startMs + player.position * 1000;
  const spanMs = Math.max(
    callDurationMs ?? 0,
    ...recordings.map((r) => r.startMs + (r.durationMs ?? (r.id === current.id && duration ? duration * 1000 : 0))),
    1,
  );

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target instanceof HTMLInputElement && e.target.type === 'range') return; // the slider has its own keys
    if (e.key === ' ' || e.key === 'k') {
      if (e.target instanceof HTMLButtonElement) return;
      e.preventDefault();
      player.toggle();
    }
  };

  return (
    <section
      aria-label="Recording"
      data-testid="recording-player"
      data-recording-id={current.id}
      data-playing={player.playing}
      onKeyDown={onKeyDown}
      className="flex flex-col gap-2 rounded-lg border border-slate-800/80 bg-slate-900/50 px-3 py-2.5"
    >
      <audio ref={audioRef} src={src} preload="metadata" data-testid="recording-audio" className="hidden" />
      <div className="flex items-center gap-3">
        <button
          type="button"
          onClick={player.toggle}
          aria-label={player.playing ? 'Pause' : 'Play'}
          data-testid="play-toggle"
          className="focus-ring flex size-9 shrink-0 items-center justify-center rounded-full bg-indigo-500 text-white shadow-sm shadow-indigo-950 hover:bg-indigo-400"
        >
          {player.playing ? <PauseIcon className="size-4" strokeWidth={2.2} /> : <PlayIcon className="size-4 translate-x-px" />}
        </button>
        <div className="flex min-w-0 flex-1 flex-col gap-1">
          <label className="sr-only" htmlFor={`seek-${current.id}`}>
            Position in the recording
          </label>
          <input
            id={`seek-${current.id}`}
            type="range"
            min={0}
            max={duration ?? 0}
            step={0.1}
            value={Math.min(player.position, duration ?? 0)}
            disabled={duration === null}
            onChange={(e) => player.seek(Number(e.target.value))}
            aria-valuetext={`${formatDuration(player.position * 1000)} of ${duration === null ? 'unknown' : formatDuration(duration * 1000)}`}
            data-testid="seek-bar"
            className="focus-ring h-1.5 w-full cursor-pointer accent-indigo-400"
          />
          <div className="flex items-center gap-2 text-[11.5px] text-slate-400 tabular-nums">
            <span className="font-mono text-slate-200" data-testid="player-time">
              {formatDuration(player.position * 1000)}
            </span>
            <span>/ {duration === null ? '–:––' : formatDuration(duration * 1000)}</span>
            <span aria-hidden>·</span>
            <span>
              call clock <span className="font-mono text-slate-300">{formatDuration(callClockMs)}</span>
            </span>
          </div>
        </div>
        <Segmented
          label="Playback speed"
          value={String(player.rate)}
          options={SPEEDS.map((s) => ({ value: String(s), label: `${s}×` }))}
          onChange={(v) => player.setRate(Number(v))}
          testId="speed"
        />
      </div>

      {recordings.length > 1 ? (
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-800/80 pt-2" role="radiogroup" aria-label="Recording track">
          {recordings.map((r) => (
            <TrackChoice key={r.id} recording={r} selected={r.id === current.id} spanMs={spanMs} onSelect={() => onSelect(r.id)} />
          ))}
        </div>
      ) : null}

      {player.error ? (
        <p role="alert" className="text-[12px] text-rose-300" data-testid="player-error">
          {player.error}
        </p>
      ) : null}
    </section>
  );
}

function TrackChoice({
  recording,
  selected,
  spanMs,
  onSelect,
}: {
  recording: Recording;
  selected: boolean;
  spanMs: number;
  onSelect: () => void;
}) {
  const left = (recording.startMs / spanMs) * 100;
  const width = recording.durationMs === null ? 100 - left : Math.max(2, (recording.durationMs / spanMs) * 100);
  return (
    <button
      type="button"
      role="radio"
      aria-checked={selected}
      onClick={onSelect}
      data-testid="track-choice"
      data-kind={recording.kind}
      className={cn(
        'focus-ring flex min-w-52 flex-1 flex-col gap-1 rounded-md border px-2.5 py-1.5 text-left',
        selected ? 'border-indigo-400/50 bg-indigo-400/[0.08]' : 'border-slate-800 hover:border-slate-700',
      )}
    >
      <span className="flex items-center gap-2 text-[12px]">
        <span className={cn('font-medium', selected ? 'text-slate-50' : 'text-slate-300')}>{trackName(recording)}</span>
        <span className="text-slate-400 tabular-nums">
          from {formatDuration(recording.startMs)}
          {recording.durationMs !== null ? ` · ${formatDuration(recording.durationMs)} long` : ''}
          {recording.channels === 2 ? ' · stereo' : ''}
        </span>
      </span>
      <span aria-hidden className="relative h-1 w-full rounded-full bg-slate-800">
        <span
          className={cn('absolute inset-y-0 rounded-full', recording.kind === 'agent' ? 'bg-amber-300/80' : 'bg-indigo-400/80')}
          style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }}
        />
      </span>
    </button>
  );
}

/** What the call's page shows when there is nothing to play. */
export function NoRecording({ live }: { live: boolean }) {
  return (
    <section
      aria-label="Recording"
      data-testid="no-recording"
      className="flex items-center gap-3 rounded-lg border border-dashed border-slate-800 px-3 py-2.5 text-[12.5px] text-slate-400"
    >
      <span aria-hidden className="flex size-8 items-center justify-center rounded-full bg-slate-800/80 text-faint">
        <PlayIcon className="size-3.5" />
      </span>
      {live
        ? 'The recording will be here when the call ends.'
        : 'This call was not recorded. (Recording can be turned on in Settings.)'}
    </section>
  );
}
