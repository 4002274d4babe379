import { useSyncExternalStore } from 'react';
import { connection } from '../../lib/client';
import type { ConnectionState } from '../../lib/transport';

/** The transport's connection state, live. */
export function useConnection(): ConnectionState {
  return useSyncExternalStore(
    (cb) => connection.onState(cb),
    () => connection.getState(),
  );
}

/** Increments each time the transport (re)connects, so hooks can reload what they missed. */
export function useConnectEpoch(): number {
  const state = useConnection();
  const epoch = useSyncExternalStore(subscribeEpoch, getEpoch);
  return state === 'connected' ? epoch : -1;
}

let epoch = connection.getState() === 'connected' ? 1 : 0;
const epochListeners = new Set<() => void>();
connection.onState((s) => {
  if (s !== 'connected') return;
  epoch += 1;
  for (const l of epochListeners) l();
});
function subscribeEpoch(cb: () => void): () => void {
  epochListeners.add(cb);
  return () => epochListeners.delete(cb);
}
function getEpoch(): number {
  return epoch;
}
