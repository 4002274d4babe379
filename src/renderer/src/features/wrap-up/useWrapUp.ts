/**
 * Loads a call's wrap-up ('wrapup.get': the saved one, or a proposal) and the team's
 * dispositions while the form is open; saves with 'wrapup.save'. The saved wrap-up also goes
 * into the calls store, so the call's page and the Live view agree.
 */
import { useCallback, useEffect, useState } from 'react';
import type { WrapUp, WrapUpSaveInput } from '@shared/wrapup';
import { client } from '../../lib/client';
import { useCallsStore } from '../calls/store';
import { useConnectEpoch } from '../connection/useConnection';

export interface WrapUpState {
  wrapUp: WrapUp | null;
  dispositions: string[];
  loading: boolean;
  /** Plain words when loading failed. */
  loadError: string | null;
  saving: boolean;
  /** Plain words when the last save failed (the form keeps what was typed). */
  saveError: string | null;
  save(input: Omit<WrapUpSaveInput, 'callId'>): Promise<boolean>;
  retry(): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : 'Something went wrong');

/** `revision`: ask again when it changes (the call ended), keeping the current one shown meanwhile. */
export function useWrapUp(callId: string, open: boolean, revision: string = ''): WrapUpState {
  const epoch = useConnectEpoch();
  const [attempt, setAttempt] = useState(0);
  /** The last answer, with the request it answers: a newer request shows as loading until its own arrives. */
  const [loaded, setLoaded] = useState<{ key: string; wrapUp: WrapUp | null; dispositions: string[]; error: string | null } | null>(null);
  const [wrapUp, setWrapUp] = useState<WrapUp | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const key = `${callId}:${epoch}:${attempt}:${revision}`;

  useEffect(() => {
    if (!open || epoch < 0) return;
    let cancelled = false;
    Promise.all([client.invoke('wrapup.get', { callId }), client.invoke('settings.get')])
      .then(([w, settings]) => {
        if (cancelled) return;
        setLoaded({ key, wrapUp: w, dispositions: settings.dispositions, error: null });
        setWrapUp(w);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoaded({ key, wrapUp: null, dispositions: [], error: message(err) });
      });
    return () => {
      cancelled = true;
    };
  }, [callId, open, epoch, key]);

  const current = loaded?.key === key ? loaded : null;
  const loading = open && current === null;
  const loadError = current?.error ?? null;
  const dispositions = current?.dispositions ?? loaded?.dispositions ?? [];

  const save = useCallback(
    async (input: Omit<WrapUpSaveInput, 'callId'>) => {
      setSaving(true);
      setSaveError(null);
      try {
        const saved = await client.invoke('wrapup.save', { ...input, callId });
        setWrapUp(saved);
        useCallsStore.getState().setWrapUp(saved);
        return true;
      } catch (err) {
        setSaveError(message(err));
        return false;
      } finally {
        setSaving(false);
      }
    },
    [callId],
  );

  return {
    wrapUp: wrapUp?.callId === callId ? wrapUp : null,
    dispositions,
    loading,
    loadError,
    saving,
    saveError,
    save,
    retry: () => setAttempt((n) => n + 1),
  };
}
