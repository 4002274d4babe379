/**
 * Raises each new alert the way its rule asks, once: a desktop notification (unless the agent
 * is already looking at that call) and a chime. Mounted once for the whole console, so alerts
 * on calls the agent is not looking at are heard too.
 */
import { useEffect } from 'react';
import { client } from '../../lib/client';
import { useCallsStore } from '../calls/store';
import { showDesktopNotification } from '../notifications/desktop-notifications';
import { playAlertSound } from './alert-sounds';
import { raiseAlertOnce } from './raise-alert';

export function useAlertNotifications(): void {
  useEffect(
    () =>
      client.on('call.event', (e) => {
        if (e.type !== 'alert') return;
        const { calls, selectedId } = useCallsStore.getState();
        raiseAlertOnce(
          e,
          { call: calls[e.callId], lookingAtCall: selectedId === e.callId && document.hasFocus() && document.visibilityState === 'visible' },
          { notify: showDesktopNotification, play: playAlertSound },
        );
      }),
    [],
  );
}
