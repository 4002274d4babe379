/** Loads a call's stored transcript, events and suggestion (calls.get) when it is opened. */
import { useEffect, useState } from 'react';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { useConnectEpoch } from '../connection/useConnection';
import { useCallsStore } from '../calls/store';

export function useCallDetail(callId: string | null): { loading: boolean } {
  const epoch = useConnectEpoch();
  const loaded = useCallsStore((s) => (callId ? s.detailLoaded[callId] === true : false));
  const [failedId, setFailedId] = useState<string | null>(null);

  useEffect(() => {
    if (!callId || epoch < 0) return;
    let cancelled = false;
    client
      .invoke('calls.get', { callId })
      .then((detail) => {
        if (!cancelled) useCallsStore.getState().loadDetail(detail);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setFailedId(callId);
        reportError("Couldn't load the call", err);
      });
    return () => {
      cancelled = true;
    };
  }, [callId, epoch]);

  return { loading: callId !== null && !loaded && failedId !== callId };
}
