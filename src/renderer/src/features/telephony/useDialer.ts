/**
 * Placing an outbound AI call (calls.dial) from the New AI call dialog: whether Twilio is set up
 * (telephony.get, loaded when the dialog opens), the core's refusal if it says no, and the
 * placed call, which the console opens as soon as its summary arrives.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DialRequest, DialResult, TelephonySettings, TelephonyState } from '@shared/telephony';
import { client } from '../../lib/client';
import { useCallsStore } from '../calls/store';
import { useTelephonyStatus } from './store';

export interface Dialer {
  /** Null until telephony.get answered (or when it failed: dialling still says why it can't). */
  telephony: (Pick<TelephonyState, 'ready' | 'missing'> & Pick<TelephonySettings, 'phoneNumbers' | 'allowedCountries'>) | null;
  busy: boolean;
  /** The core's reason for not placing the call. */
  refusal: string | null;
  placed: (DialResult & { to: string }) | null;
  dial(request: DialRequest): void;
}

export function useDialer(): Dialer {
  const [telephony, setTelephony] = useState<Dialer['telephony']>(null);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [placed, setPlaced] = useState<Dialer['placed']>(null);

  useEffect(() => {
    let live = true;
    client.invoke('telephony.get').then(
      (s) =>
        live &&
        setTelephony({ ready: s.ready, missing: s.missing, phoneNumbers: s.settings.phoneNumbers, allowedCountries: s.settings.allowedCountries }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);

  const dial = useCallback((request: DialRequest) => {
    setBusy(true);
    setRefusal(null);
    client.invoke('calls.dial', request).then(
      (result) => {
        useTelephonyStatus.getState().recordDial({ callSid: result.callSid, to: request.to, purpose: request.purpose, placedAt: Date.now() });
        useCallsStore.getState().selectWhenArrives(result.callSid);
        setPlaced({ ...result, to: request.to });
        setBusy(false);
      },
      (err: unknown) => {
        setRefusal(err instanceof Error ? err.message : 'The call was not placed');
        setBusy(false);
      },
    );
  }, []);

  return { telephony, busy, refusal, placed, dial };
}
