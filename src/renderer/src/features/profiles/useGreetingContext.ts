/** What a greeting preview needs from Settings: the business name and whether calls are recorded. */
import { useEffect, useState } from 'react';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';

export interface GreetingContext {
  /** Null until settings.get answered. */
  business: string | null;
  /** Real (Twilio) calls are recorded: what profiles' calls are. */
  recordsRealCalls: boolean;
  recordsDemoCalls: boolean;
}

export function useGreetingContext(): GreetingContext {
  const epoch = useConnectEpoch();
  const [context, setContext] = useState<GreetingContext>({ business: null, recordsRealCalls: false, recordsDemoCalls: false });
  useEffect(() => {
    if (epoch < 0) return;
    let cancelled = false;
    client.invoke('settings.get').then(
      (s) => !cancelled && setContext({ business: s.businessName, recordsRealCalls: s.recordRealCalls, recordsDemoCalls: s.recordDemoCalls }),
      // The preview then shows {business} as typed; nothing else depends on it.
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [epoch]);
  return context;
}
