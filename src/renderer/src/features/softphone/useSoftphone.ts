/**
 * `useSoftphone()` owns the agent's Twilio Device for as long as it is mounted (mount it
 * once: the top bar's chip does) and publishes its state to the softphone store.
 * `useSoftphoneState()` reads that state anywhere else.
 */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { client } from '../../lib/client';
import { useCallsStore } from '../calls/store';
import { SoftphoneSession, type DeviceFactory, type PhoneDevice } from './session';
import { localSounds } from './sounds';
import { resetSoftphoneStore, useSoftphoneStore, type SoftphoneCall, type SoftphoneControls, type SoftphoneRegistration } from './store';

export interface SoftphoneState {
  registration: SoftphoneRegistration;
  call: SoftphoneCall | null;
  controls: SoftphoneControls;
}

/**
 * The real Device, loaded on first use (the SDK is a few hundred kB the console only needs
 * once Twilio is set up). No request leaves for sounds (local files) or Insights.
 */
export const twilioDevice: DeviceFactory = async (token) => {
  const { Device } = await import('@twilio/voice-sdk');
  const options: NonNullable<ConstructorParameters<typeof Device>[1]> & { publishEvents: boolean } = {
    sounds: localSounds(),
    // Not in the public Options type, but honoured: no call-quality events to eventgw.twilio.com.
    publishEvents: false,
    logLevel: 'error',
    closeProtection: false,
  };
  return new Device(token, options) as unknown as PhoneDevice;
};

/** A live call this console has taken over, by its CallSid. */
function isTakenOver(callSid: string): boolean {
  return Object.values(useCallsStore.getState().calls).some(
    (c) => c.callSid === callSid && c.controller === 'agent' && c.status !== 'ended',
  );
}

export function useSoftphone(createDevice: DeviceFactory = twilioDevice): SoftphoneState {
  useEffect(() => {
    const session = new SoftphoneSession({
      client,
      createDevice,
      publish: (update) => useSoftphoneStore.setState(update),
      watchTakeovers: (onChange) => useCallsStore.subscribe((s, prev) => s.calls !== prev.calls && onChange()),
      isTakenOver,
    });
    useSoftphoneStore.setState({ controls: session.controls });
    void session.start();
    return () => {
      session.dispose();
      resetSoftphoneStore();
    };
  }, [createDevice]);
  return useSoftphoneState();
}

export function useSoftphoneState(): SoftphoneState {
  return useSoftphoneStore(useShallow((s) => ({ registration: s.registration, call: s.call, controls: s.controls })));
}
