/** Take over, hand back, end and say — each with a busy flag and an error toast on failure. */
import { useCallback, useState } from 'react';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { useCallsStore } from '../calls/store';
import { useSoftphoneStore } from '../softphone/store';

export type CallAction = 'takeOver' | 'handBack' | 'end' | 'say';

export interface CallActions {
  busy: CallAction | null;
  takeOver(): void;
  handBack(): void;
  end(): void;
  /** Resolves true when the line was sent. */
  say(text: string): Promise<boolean>;
}

export function useCallActions(callId: string | null): CallActions {
  const [busy, setBusy] = useState<CallAction | null>(null);

  const run = useCallback(
    async (action: Exclude<CallAction, 'say'>, failure: string) => {
      if (!callId) return;
      setBusy(action);
      try {
        // A real call goes to the agent's softphone; the core refuses (and says why) if it isn't registered.
        const softphoneReady = useSoftphoneStore.getState().registration.kind === 'ready';
        const call =
          action === 'takeOver'
            ? await client.invoke('call.takeOver', { callId, softphoneReady })
            : await client.invoke(action === 'handBack' ? 'call.handBack' : 'call.end', { callId });
        useCallsStore.getState().upsertCalls([call]);
      } catch (err) {
        reportError(failure, err);
      } finally {
        setBusy(null);
      }
    },
    [callId],
  );

  const say = useCallback(
    async (text: string) => {
      if (!callId) return false;
      setBusy('say');
      try {
        const line = await client.invoke('call.say', { callId, text });
        useCallsStore.getState().upsertUtterance(line);
        return true;
      } catch (err) {
        reportError("Couldn't send your reply", err);
        return false;
      } finally {
        setBusy(null);
      }
    },
    [callId],
  );

  return {
    busy,
    takeOver: () => void run('takeOver', "Couldn't take over the call"),
    handBack: () => void run('handBack', "Couldn't hand the call back"),
    end: () => void run('end', "Couldn't end the call"),
    say,
  };
}
