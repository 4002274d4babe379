/**
 * The softphone's state, shared by the top-bar chip and the call view's in-call strip.
 * `useSoftphone()` (the one owner of the Twilio Device) writes it; components read it and
 * call the controls it publishes.
 */
import { create } from 'zustand';

/**
 * - `off`: not started yet
 * - `unavailable`: the console is not set up for a softphone (Twilio settings missing)
 * - `connecting`: fetching a token / registering with Twilio
 * - `ready`: registered; take-over calls ring here
 * - `offline`: could not register (`reason` says why); retried later, or on demand
 */
export type SoftphoneRegistration =
  | { kind: 'off' }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'connecting' }
  | { kind: 'ready'; identity: string }
  | { kind: 'offline'; reason: string; retryAt: number | null };

/** The call on the agent's softphone, if any. */
export interface SoftphoneCall {
  /** The caller's CallSid this leg belongs to (from the take-over TwiML), or null if unknown. */
  callSid: string | null;
  /** True when the console asked for this call (a take-over) and answers it by itself. */
  takeover: boolean;
  state: 'ringing' | 'connecting' | 'open' | 'reconnecting';
  muted: boolean;
}

export interface SoftphoneControls {
  answer(): void;
  decline(): void;
  setMuted(muted: boolean): void;
  /** Sends DTMF to the caller. Digits are never logged. */
  sendDigits(digits: string): void;
  hangUp(): void;
  /** Tries to register again now. */
  retry(): void;
}

const noControls: SoftphoneControls = {
  answer() {},
  decline() {},
  setMuted() {},
  sendDigits() {},
  hangUp() {},
  retry() {},
};

interface SoftphoneState {
  registration: SoftphoneRegistration;
  call: SoftphoneCall | null;
  controls: SoftphoneControls;
}

export const useSoftphoneStore = create<SoftphoneState>()(() => ({
  registration: { kind: 'off' },
  call: null,
  controls: noControls,
}));

export function resetSoftphoneStore(): void {
  useSoftphoneStore.setState({ registration: { kind: 'off' }, call: null, controls: noControls });
}
