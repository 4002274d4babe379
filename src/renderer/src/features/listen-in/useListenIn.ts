/**
 * Listen in on a live call: asks the core for the call's line audio ('call.listen'), plays
 * its 'call.audio' slices with WebAudio behind a ~200 ms jitter buffer, and reports a level
 * for a meter. The AudioContext is created and resumed inside the user's click (autoplay
 * rules); listening stops when `available` turns false (take over, call ended), when the
 * call on screen changes, and on unmount. While on, the lease is renewed well before it lapses.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { decodeSlice, levelOf, PlayoutClock } from './playback';

const SAMPLE_RATE_HZ = 8000;
/** The core's lease is a minute; renew three times within it. */
const FALLBACK_RENEW_MS = 20_000;

export interface ListenInState {
  /** The agent switched listening on (and it is still allowed). */
  on: boolean;
  /** The core confirmed; audio may flow. */
  confirmed: boolean;
  /** Level of the audio playing now, 0..1 (0 when nothing plays). */
  level: number;
  toggle(): void;
}

export function useListenIn(callId: string, available: boolean): ListenInState {
  // The call the agent switched listening on for; anything else means off.
  const [onFor, setOnFor] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [level, setLevel] = useState(0);
  const contextRef = useRef<AudioContext | null>(null);

  // Switching calls, taking over or the call ending turns listening off (adjusted while
  // rendering, so no effect has to chase it).
  if (onFor !== null && (onFor !== callId || !available)) setOnFor(null);
  const on = onFor !== null && onFor === callId && available;

  const toggle = useCallback(() => {
    if (on) {
      setOnFor(null);
      return;
    }
    // Inside the click: a context created and resumed here is allowed to play.
    const context = contextRef.current ?? new AudioContext();
    contextRef.current = context;
    void context.resume();
    setOnFor(callId);
  }, [on, callId]);

  useEffect(() => {
    const context = contextRef.current;
    if (!on || !context) return;
    let stopped = false;
    const clock = new PlayoutClock();
    const output = context.createGain();
    output.connect(context.destination);
    const playing = new Set<AudioBufferSourceNode>();
    const levelTimers = new Set<ReturnType<typeof setTimeout>>();
    let renewTimer: ReturnType<typeof setTimeout> | null = null;

    const unsubscribe = client.on('call.audio', (slice) => {
      if (slice.callId !== callId || stopped) return;
      const samples = decodeSlice(slice);
      if (samples.length === 0) return;
      const startSec = clock.place(context.currentTime, samples.length / slice.sampleRateHz);
      if (startSec === null) return;
      const buffer = context.createBuffer(1, samples.length, SAMPLE_RATE_HZ);
      buffer.copyToChannel(samples, 0);
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(output);
      source.onended = () => {
        playing.delete(source);
        if (playing.size === 0 && !stopped) setLevel(0);
      };
      playing.add(source);
      source.start(startSec);
      // The meter follows what is heard, not what arrived.
      const sliceLevel = levelOf(samples);
      const timer = setTimeout(
        () => {
          levelTimers.delete(timer);
          if (!stopped) setLevel(sliceLevel);
        },
        Math.max(0, (startSec - context.currentTime) * 1000),
      );
      levelTimers.add(timer);
    });

    const request = async () => {
      try {
        const result = await client.invoke('call.listen', { callId, listening: true });
        if (stopped) return;
        setConfirmed(result.listening);
        if (!result.listening) {
          setOnFor(null);
          return;
        }
        renewTimer = setTimeout(() => void request(), result.leaseMs ? result.leaseMs / 3 : FALLBACK_RENEW_MS);
      } catch (err) {
        if (stopped) return;
        reportError("Couldn't listen in", err);
        setOnFor(null);
      }
    };
    void request();

    return () => {
      stopped = true;
      unsubscribe();
      if (renewTimer) clearTimeout(renewTimer);
      for (const timer of levelTimers) clearTimeout(timer);
      for (const source of playing) source.stop();
      output.disconnect();
      setConfirmed(false);
      setLevel(0);
      // The call may have ended already (not_found): nothing left to stop then.
      client.invoke('call.listen', { callId, listening: false }).catch(() => undefined);
      // Release the audio device until the next click.
      if (contextRef.current === context) contextRef.current = null;
      void context.close();
    };
  }, [on, callId]);

  // Unmounting with the context created but listening never started (a click racing a re-render).
  useEffect(
    () => () => {
      void contextRef.current?.close();
      contextRef.current = null;
    },
    [],
  );

  return { on, confirmed, level, toggle };
}
