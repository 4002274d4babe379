/** app.info and demo.scenarios, loaded on every (re)connect; starting a demo call. */
import { useCallback, useEffect, useState } from 'react';
import type { CommandOutput } from '@shared/contract';
import type { Scenario } from '@shared/domain';
import { client } from '../../lib/client';
import { reportError } from '../toasts/store';
import { useConnectEpoch } from '../connection/useConnection';
import { useCallsStore } from '../calls/store';

export type AppInfo = CommandOutput<'app.info'>;

const refreshListeners = new Set<() => void>();

/** Reloads app.info wherever it is shown (the engines changed in Settings). */
export function refreshAppInfo(): void {
  for (const listener of refreshListeners) listener();
}

export function useAppInfo(): { info: AppInfo | null; scenarios: Scenario[] } {
  const epoch = useConnectEpoch();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [revision, setRevision] = useState(0);

  useEffect(() => {
    const listener = () => setRevision((r) => r + 1);
    refreshListeners.add(listener);
    return () => void refreshListeners.delete(listener);
  }, []);

  useEffect(() => {
    if (epoch < 0) return;
    let cancelled = false;
    client
      .invoke('app.info')
      .then((i) => !cancelled && setInfo(i))
      .catch((err: unknown) => reportError("Couldn't read app info", err));
    client
      .invoke('demo.scenarios')
      .then((s) => !cancelled && setScenarios(s))
      .catch((err: unknown) => reportError("Couldn't load demo scenarios", err));
    return () => {
      cancelled = true;
    };
  }, [epoch, revision]);

  return { info, scenarios };
}

export function useStartDemo(): { starting: boolean; start(scenarioId: string | undefined): void } {
  const [starting, setStarting] = useState(false);
  const start = useCallback((scenarioId: string | undefined) => {
    setStarting(true);
    client
      .invoke('demo.start', scenarioId ? { scenarioId } : {})
      .then(({ callSid }) => useCallsStore.getState().selectWhenArrives(callSid))
      .catch((err: unknown) => reportError("Couldn't start a demo call", err))
      .finally(() => setStarting(false));
  }, []);
  return { starting, start };
}
