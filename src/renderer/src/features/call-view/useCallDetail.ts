/**
 * Loads a call's stored transcript, events, suggestion and recordings (calls.get) when it is
 * opened, again on reconnect, and again when `revision` changes (e.g. the call ended and its
 * recording was finished).
 */
import { useEffect, useState } from 'react';
import { SwitchboardError } from '@shared/client';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { useConnectEpoch } from '../connection/useConnection';
import { useCallsStore } from '../calls/store';

export function useCallDetail(
  callId: string | null,
  revision: string | number = 0,
  { quiet = false }: { quiet?: boolean } = {},
): { loading: boolean; error: { code: string; message: string } | null } {
  const epoch = useConnectEpoch();
  const loaded = useCallsStore((s) => (callId ? s.detailLoaded[callId] === true : false));
  const [failed, setFailed] = useState<{ id: string; code: string; message: string } | null>(null);

  useEffect(() => {
    if (!callId || epoch < 0) return;
    let cancelled = false;
    client
      .invoke('calls.get', { callId })
      .then((detail) => {
        if (cancelled) return;
        setFailed((f) => (f && f.id === callId ? null : f));
        useCallsStore.getState().loadDetail(detail);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        const code = err instanceof SwitchboardError ? err.code : 'internal';
        const message = err instanceof Error ? err.message : 'Something went wrong';
        setFailed({ id: callId, code, message });
        if (!quiet) reportError("Couldn't load the call", err);
      });
    return () => {
      cancelled = true;
    };
  }, [callId, epoch, revision, quiet]);

  const error = failed && failed.id === callId ? { code: failed.code, message: failed.message } : null;
  return { loading: callId !== null && !loaded && error === null, error };
}
