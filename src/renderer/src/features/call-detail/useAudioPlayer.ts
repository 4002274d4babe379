/**
 * Owns one <audio> element's state for the recording player: playing, position (smooth while
 * playing), duration, speed and errors, plus play/pause/seek. The element itself is rendered
 * by the component; this hook gets it through `ref`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface AudioPlayer {
  playing: boolean;
  /** Seconds into the recording. */
  position: number;
  /** Seconds; null until the metadata is in. */
  duration: number | null;
  rate: number;
  /** True once the user played or seeked (the transcript starts following then). */
  engaged: boolean;
  error: string | null;
  toggle(): void;
  play(): void;
  pause(): void;
  /** Jumps to `seconds` (clamped) and, with `andPlay`, plays from there. */
  seek(seconds: number, andPlay?: boolean): void;
  setRate(rate: number): void;
}

function mediaErrorText(el: HTMLAudioElement): string {
  switch (el.error?.code) {
    case MediaError.MEDIA_ERR_NETWORK:
      return 'The recording stopped loading (network error).';
    case MediaError.MEDIA_ERR_DECODE:
      return 'The recording file is damaged and cannot be decoded.';
    case MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED:
      return 'The recording could not be loaded (it may have been removed, or this format is not supported).';
    default:
      return 'The recording could not be played.';
  }
}

export function useAudioPlayer(src: string | null): {
  /** The callback ref for the <audio> element. */
  attach: (el: HTMLAudioElement | null) => void;
  player: AudioPlayer;
} {
  /** The element, for commands; `el` (state) is what the listeners subscribe to. */
  const elRef = useRef<HTMLAudioElement | null>(null);
  const [el, setEl] = useState<HTMLAudioElement | null>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [duration, setDuration] = useState<number | null>(null);
  const [rate, setRateState] = useState(1);
  const [engaged, setEngaged] = useState(false);
  const [error, setError] = useState<{ src: string | null; text: string } | null>(null);
  const rateRef = useRef(1);

  const attach = useCallback((node: HTMLAudioElement | null) => {
    elRef.current = node;
    setEl(node);
  }, []);

  useEffect(() => {
    if (!el) return;
    if (elRef.current) elRef.current.playbackRate = rateRef.current;
    let frame = 0;
    const tick = () => {
      setPosition(el.currentTime);
      frame = requestAnimationFrame(tick);
    };
    const onPlay = () => {
      setPlaying(true);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(tick);
    };
    const onPause = () => {
      setPlaying(false);
      cancelAnimationFrame(frame);
      setPosition(el.currentTime);
    };
    const onMeta = () => setDuration(Number.isFinite(el.duration) ? el.duration : null);
    const onTime = () => setPosition(el.currentTime);
    const onError = () => setError({ src: el.currentSrc || el.src, text: mediaErrorText(el) });
    const onLoad = () => {
      setError(null);
      setPosition(el.currentTime);
      setDuration(Number.isFinite(el.duration) ? el.duration : null);
    };
    el.addEventListener('play', onPlay);
    el.addEventListener('pause', onPause);
    el.addEventListener('ended', onPause);
    el.addEventListener('loadedmetadata', onMeta);
    el.addEventListener('durationchange', onMeta);
    el.addEventListener('timeupdate', onTime);
    el.addEventListener('seeked', onTime);
    el.addEventListener('error', onError);
    el.addEventListener('loadstart', onLoad);
    if (el.readyState >= 1) onMeta();
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('play', onPlay);
      el.removeEventListener('pause', onPause);
      el.removeEventListener('ended', onPause);
      el.removeEventListener('loadedmetadata', onMeta);
      el.removeEventListener('durationchange', onMeta);
      el.removeEventListener('timeupdate', onTime);
      el.removeEventListener('seeked', onTime);
      el.removeEventListener('error', onError);
      el.removeEventListener('loadstart', onLoad);
    };
  }, [el]);

  const play = useCallback(() => {
    const node = elRef.current;
    if (!node) return;
    setEngaged(true);
    node.play().catch((err: unknown) => {
      // An interrupted play() (a pause or a new source) is not a failure.
      if (err instanceof DOMException && err.name === 'AbortError') return;
      setError({ src: node.currentSrc || node.src, text: mediaErrorText(node) });
    });
  }, []);
  const pause = useCallback(() => elRef.current?.pause(), []);
  const toggle = useCallback(() => {
    const node = elRef.current;
    if (!node) return;
    if (node.paused) play();
    else node.pause();
  }, [play]);
  const seek = useCallback(
    (seconds: number, andPlay = false) => {
      const node = elRef.current;
      if (!node) return;
      const max = Number.isFinite(node.duration) ? node.duration : Infinity;
      const to = Math.max(0, Math.min(max, seconds));
      node.currentTime = to;
      setPosition(to);
      setEngaged(true);
      if (andPlay && node.paused) play();
    },
    [play],
  );
  const setRate = useCallback((next: number) => {
    rateRef.current = next;
    setRateState(next);
    if (elRef.current) elRef.current.playbackRate = next;
  }, []);

  const player: AudioPlayer = {
    playing,
    position,
    duration,
    rate,
    engaged,
    error: error && (error.src === null || !src || error.src.endsWith(src) || error.src === src) ? error.text : null,
    toggle,
    play,
    pause,
    seek,
    setRate,
  };
  return { attach, player };
}
