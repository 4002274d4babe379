/**
 * Provider settings for the Settings dialog: the choice per role, which keys are set (never
 * their values), the engines new calls will use, and connection tests.
 */
import { refreshAppInfo } from '../topbar/useAppInfo';
import { useCallback, useEffect, useState } from 'react';
import type { CommandOutput } from '@shared/contract';
import type { CloudProvider, ProviderChoice, SecretName } from '@shared/domain';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

export type ProvidersState = CommandOutput<'providers.get'>;
export type TestResult = CommandOutput<'providers.test'>;

export interface ProviderSettings {
  state: ProvidersState | null;
  /** The last load failed (shown in place of the form). */
  loadError: string | null;
  /** A command for this secret / provider is in flight. */
  busy: Partial<Record<SecretName | CloudProvider | 'choice', boolean>>;
  choose(patch: Partial<ProviderChoice>): void;
  /** Resolves true when saved (so the field can be emptied). */
  saveSecret(name: SecretName, value: string): Promise<boolean>;
  clearSecret(name: SecretName): void;
  test(provider: CloudProvider): void;
}

/** Loads when `open` turns true (and on every reconnect while open). */
export function useProviderSettings(open: boolean): ProviderSettings {
  const epoch = useConnectEpoch();
  const [state, setState] = useState<ProvidersState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ProviderSettings['busy']>({});

  const reload = useCallback(() => {
    return client.invoke('providers.get').then(
      (s) => {
        setState(s);
        setLoadError(null);
        // The top bar's engine badge follows what new calls will use.
        refreshAppInfo();
      },
      (err: unknown) => setLoadError(err instanceof Error ? err.message : 'Could not load the settings'),
    );
  }, []);

  useEffect(() => {
    if (!open || epoch < 0) return;
    void reload();
  }, [open, epoch, reload]);

  const run = useCallback(async <T>(key: keyof ProviderSettings['busy'], action: string, work: () => Promise<T>): Promise<T | null> => {
    setBusy((b) => ({ ...b, [key]: true }));
    try {
      return await work();
    } catch (err) {
      reportError(action, err);
      return null;
    } finally {
      setBusy((b) => ({ ...b, [key]: false }));
    }
  }, []);

  const choose = useCallback(
    (patch: Partial<ProviderChoice>) => {
      void run('choice', "Couldn't change the engines", async () => {
        setState(await client.invoke('providers.update', patch));
        refreshAppInfo();
      });
    },
    [run],
  );

  const saveSecret = useCallback(
    async (name: SecretName, value: string) => {
      // The core tests a cloud key as it saves it; the state reloaded below holds that result.
      const saved = await run(name, "Couldn't save the API key", () => client.invoke('secrets.set', { name, value }));
      if (saved === null) return false;
      await reload();
      return true;
    },
    [run, reload],
  );

  const clearSecret = useCallback(
    (name: SecretName) => {
      void run(name, "Couldn't clear the API key", async () => {
        await client.invoke('secrets.clear', { name });
        await reload();
      });
    },
    [run, reload],
  );

  const test = useCallback(
    (provider: CloudProvider) => {
      void run(provider, "Couldn't run the connection test", async () => {
        // Kept by the core as the key's last check (it decides whether new calls use the key).
        await client.invoke('providers.test', { provider });
        await reload();
      });
    },
    [run, reload],
  );

  return { state, loadError, busy, choose, saveSecret, clearSecret, test };
}
