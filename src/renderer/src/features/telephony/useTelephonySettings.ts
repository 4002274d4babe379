/**
 * Twilio settings for the Settings dialog's Telephony tab: the account settings, whether the
 * two Twilio secrets are set (never their values), readiness, and pointing numbers here.
 * Errors from the core (SwitchboardError messages) are kept per field, for inline display.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConfiguredNumber, TelephonySettings, TelephonyState } from '@shared/telephony';
import type { SecretName } from '@shared/domain';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

export type TelephonyField = keyof TelephonySettings;
export type TwilioSecret = Extract<SecretName, 'twilioAuthToken' | 'twilioApiKeySecret'>;

export type NumberSetup = { state: 'busy' } | { state: 'done'; value: ConfiguredNumber } | { state: 'error'; message: string };

export interface TelephonySettingsApi {
  state: TelephonyState | null;
  loadError: string | null;
  /** A save of this field / secret is in flight. */
  busy: Partial<Record<TelephonyField | TwilioSecret, boolean>>;
  /** The core's refusal of the last save of a field, by field. */
  errors: Partial<Record<TelephonyField, string>>;
  /** "Point this number here" outcomes, by number. */
  numberSetup: Record<string, NumberSetup>;
  /** Saves one field; resolves true when the core accepted it. */
  update<K extends TelephonyField>(field: K, value: TelephonySettings[K]): Promise<boolean>;
  saveSecret(name: TwilioSecret, value: string): Promise<boolean>;
  clearSecret(name: TwilioSecret): void;
  configureNumber(phoneNumber: string): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : 'Something went wrong');

/** Loads when `open` turns true (and on every reconnect while open). */
export function useTelephonySettings(open: boolean): TelephonySettingsApi {
  const epoch = useConnectEpoch();
  const [state, setState] = useState<TelephonyState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<TelephonySettingsApi['busy']>({});
  const [errors, setErrors] = useState<TelephonySettingsApi['errors']>({});
  const [numberSetup, setNumberSetup] = useState<Record<string, NumberSetup>>({});

  const reload = useCallback(
    () =>
      client.invoke('telephony.get').then(
        (s) => {
          setState(s);
          setLoadError(null);
        },
        (err: unknown) => setLoadError(message(err)),
      ),
    [],
  );

  useEffect(() => {
    if (!open || epoch < 0) return;
    void reload();
  }, [open, epoch, reload]);

  const update = useCallback(async <K extends TelephonyField>(field: K, value: TelephonySettings[K]) => {
    setBusy((b) => ({ ...b, [field]: true }));
    try {
      setState(await client.invoke('telephony.update', { [field]: value }));
      setErrors((e) => ({ ...e, [field]: undefined }));
      return true;
    } catch (err) {
      setErrors((e) => ({ ...e, [field]: message(err) }));
      return false;
    } finally {
      setBusy((b) => ({ ...b, [field]: false }));
    }
  }, []);

  const saveSecret = useCallback(
    async (name: TwilioSecret, value: string) => {
      setBusy((b) => ({ ...b, [name]: true }));
      try {
        await client.invoke('secrets.set', { name, value });
        await reload();
        return true;
      } catch (err) {
        reportError("Couldn't save the secret", err);
        return false;
      } finally {
        setBusy((b) => ({ ...b, [name]: false }));
      }
    },
    [reload],
  );

  const clearSecret = useCallback(
    (name: TwilioSecret) => {
      setBusy((b) => ({ ...b, [name]: true }));
      client
        .invoke('secrets.clear', { name })
        .then(reload, (err: unknown) => reportError("Couldn't clear the secret", err))
        .finally(() => setBusy((b) => ({ ...b, [name]: false })));
    },
    [reload],
  );

  const configureNumber = useCallback(
    (phoneNumber: string) => {
      setNumberSetup((n) => ({ ...n, [phoneNumber]: { state: 'busy' } }));
      client.invoke('telephony.configureNumber', { phoneNumber }).then(
        (value) => {
          setNumberSetup((n) => ({ ...n, [phoneNumber]: { state: 'done', value } }));
          void reload(); // the core adds the number to the list if it was not there
        },
        (err: unknown) => setNumberSetup((n) => ({ ...n, [phoneNumber]: { state: 'error', message: message(err) } })),
      );
    },
    [reload],
  );

  return { state, loadError, busy, errors, numberSetup, update, saveSecret, clearSecret, configureNumber };
}
