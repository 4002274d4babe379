/**
 * Whether Team sync is set up (the lead's `sync.status`, issue 12), for the source switch.
 * Read on every (re)connect and kept current by 'sync.status' events; remembered across
 * views so the switch does not blink while a view mounts. A core that does not answer
 * (older build, a transport error) counts as "not set up": the switch then stays hidden.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { SyncStatus } from '@shared/sync';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';

export interface TeamSyncInfo {
  /** null until the first answer. */
  configured: boolean | null;
  /** This desk's name in the team view (team rows of this desk open their call page). */
  deskName: string | null;
}

const useTeamSyncStore = create<TeamSyncInfo>()(() => ({ configured: null, deskName: null }));

function take(status: Pick<SyncStatus, 'configured' | 'deskName'>): void {
  useTeamSyncStore.setState({ configured: status.configured === true, deskName: typeof status.deskName === 'string' ? status.deskName : null });
}

export function useTeamSync(): TeamSyncInfo {
  const epoch = useConnectEpoch();
  useEffect(() => client.on('sync.status', take), []);
  useEffect(() => {
    if (epoch < 0) return;
    let cancelled = false;
    client
      .invoke('sync.status')
      .then((status) => {
        if (!cancelled) take(status);
      })
      .catch(() => {
        if (!cancelled) useTeamSyncStore.setState({ configured: false });
      });
    return () => {
      cancelled = true;
    };
  }, [epoch]);
  const configured = useTeamSyncStore((s) => s.configured);
  const deskName = useTeamSyncStore((s) => s.deskName);
  return { configured, deskName };
}
