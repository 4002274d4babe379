/** Owns the `call.status` subscription: every Twilio status callback goes into the telephony store. */
import { useEffect } from 'react';
import { client } from '../../lib/client';
import { useTelephonyStatus } from './store';

export function useCallStatusFeed(): void {
  useEffect(() => client.on('call.status', (s) => useTelephonyStatus.getState().recordStatus(s)), []);
}
