/**
 * What the agent can do to a live call — take over, hand back, end, say (and stop saying),
 * pause or resume the AI, whisper to it, have it say a line — each with a busy flag and an
 * error toast on failure.
 */
import { useCallback, useState } from 'react';
import type { WhisperHandling } from '@shared/domain';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { useCallsStore } from '../calls/store';
import { useSoftphoneStore } from '../softphone/store';

export type CallAction = 'takeOver' | 'handBack' | 'end' | 'say' | 'stopSpeaking' | 'pause' | 'whisper' | 'aiSay';

export interface CallActions {
  busy: CallAction | null;
  takeOver(): void;
  handBack(): void;
  end(): void;
  /** Resolves true when the line was sent. */
  say(text: string): Promise<boolean>;
  /** Cuts the agent's line being spoken (and any queued behind it); the transcript keeps what the caller heard. */
  stopSpeaking(): void;
  /** Pauses (true) or resumes (false) the AI. */
  pause(paused: boolean): void;
  /** Resolves with how the AI will take the whisper, or null when it was not sent. */
  whisper(text: string): Promise<WhisperHandling | null>;
  /** Resolves true when the AI will say `text` next. */
  aiSay(text: string, source: 'suggestion' | 'agent'): Promise<boolean>;
}

export function useCallActions(callId: string | null): CallActions {
  const [busy, setBusy] = useState<CallAction | null>(null);

  /** Runs `work` under the busy flag; a failure becomes a toast saying `failure`, and `fallback` is returned. */
  const attempt = useCallback(
    async <T>(action: CallAction, failure: string, fallback: T, work: (id: string) => Promise<T>): Promise<T> => {
      if (!callId) return fallback;
      setBusy(action);
      try {
        return await work(callId);
      } catch (err) {
        reportError(failure, err);
        return fallback;
      } finally {
        setBusy(null);
      }
    },
    [callId],
  );

  const run = useCallback(
    async (action: 'takeOver' | 'handBack' | 'end', failure: string) => {
      const call = await attempt(action, failure, null, async (id) => {
        // A real call goes to the agent's softphone; the core refuses (and says why) if it isn't registered.
        const softphoneReady = useSoftphoneStore.getState().registration.kind === 'ready';
        return action === 'takeOver'
          ? await client.invoke('call.takeOver', { callId: id, softphoneReady })
          : await client.invoke(action === 'handBack' ? 'call.handBack' : 'call.end', { callId: id });
      });
      // Shown once the busy flag is down: the moment the view says "Agent", B (hand back) works.
      if (call) useCallsStore.getState().upsertCalls([call]);
    },
    [attempt],
  );

  // Stable for a call, so a countdown holding `end` (EndCallControl) keeps ending that call.
  const takeOver = useCallback(() => void run('takeOver', "Couldn't take over the call"), [run]);
  const handBack = useCallback(() => void run('handBack', "Couldn't hand the call back"), [run]);
  const end = useCallback(() => void run('end', "Couldn't end the call"), [run]);

  const say = useCallback(
    (text: string) =>
      attempt('say', "Couldn't send your reply", false, async (id) => {
        const line = await client.invoke('call.say', { callId: id, text });
        useCallsStore.getState().upsertUtterance(line);
        return true;
      }),
    [attempt],
  );

  const stopSpeaking = useCallback(
    () =>
      void attempt('stopSpeaking', "Couldn't stop your line", undefined, async (id) => {
        const { lines } = await client.invoke('call.stopSpeaking', { callId: id });
        for (const line of lines) useCallsStore.getState().upsertUtterance(line);
      }),
    [attempt],
  );

  const pause = useCallback(
    (paused: boolean) =>
      void attempt('pause', paused ? "Couldn't pause the AI" : "Couldn't resume the AI", undefined, async (id) => {
        const call = await client.invoke('call.pause', { callId: id, paused });
        useCallsStore.getState().upsertCalls([call]);
      }),
    [attempt],
  );

  const whisper = useCallback(
    (text: string) =>
      attempt<WhisperHandling | null>('whisper', "Couldn't whisper to the AI", null, async (id) => {
        const { event, handling } = await client.invoke('call.whisper', { callId: id, text });
        // Shown at once; the same event arriving from the feed is merged by id.
        useCallsStore.getState().addEvent(event);
        return handling;
      }),
    [attempt],
  );

  const aiSay = useCallback(
    (text: string, source: 'suggestion' | 'agent') =>
      attempt('aiSay', "Couldn't pass the line to the AI", false, async (id) => {
        const event = await client.invoke('call.aiSay', { callId: id, text, source });
        useCallsStore.getState().addEvent(event);
        return true;
      }),
    [attempt],
  );

  return {
    busy,
    takeOver,
    handBack,
    end,
    say,
    stopSpeaking,
    pause,
    whisper,
    aiSay,
  };
}
