/**
 * The agent's softphone: one Twilio Device, its registration, and the call on it.
 * Plain TypeScript (no React) so it can be driven by a fake Device in tests; `useSoftphone()`
 * owns one instance for the page's lifetime.
 *
 * - Token: `softphone.token` from the core. `unavailable` means Twilio is not set up: the
 *   softphone stays off (no retries) until `retry()`.
 * - Register: `device.register()` never settles when Twilio's signalling is unreachable, so
 *   it races a timeout; on timeout the Device is destroyed (it stops reconnecting) and the
 *   state says "offline" with the reason. Retries back off from 30 s to 5 min.
 * - Token refresh: on `tokenWillExpire` a fresh token goes to `device.updateToken`.
 * - Take-over: the core's TwiML rings this Device with `<Parameter name="callSid">` (see
 *   @shared/softphone). When that CallSid is a live call this console has taken over, the call
 *   is answered by itself; otherwise it rings for the agent to answer or decline.
 */
import { SwitchboardError, type SwitchboardClient } from '@shared/client';
import { SOFTPHONE_PARAM, SOFTPHONE_PURPOSE, type SoftphoneToken } from '@shared/softphone';
import type { SoftphoneCall, SoftphoneControls, SoftphoneRegistration } from './store';

/** The part of a @twilio/voice-sdk Call the softphone uses. */
export interface PhoneCall {
  readonly customParameters: Map<string, string>;
  accept(): void;
  reject(): void;
  disconnect(): void;
  mute(shouldMute?: boolean): void;
  isMuted(): boolean;
  sendDigits(digits: string): void;
  on(event: 'accept' | 'cancel' | 'disconnect' | 'reject' | 'reconnecting' | 'reconnected', listener: () => void): unknown;
  on(event: 'mute', listener: (muted: boolean) => void): unknown;
  on(event: 'error', listener: (error: PhoneError) => void): unknown;
}

/** The part of a @twilio/voice-sdk Device the softphone uses. */
export interface PhoneDevice {
  register(): Promise<void>;
  destroy(): void;
  updateToken(token: string): void;
  on(event: 'registered' | 'unregistered' | 'tokenWillExpire', listener: () => void): unknown;
  on(event: 'error', listener: (error: PhoneError) => void): unknown;
  on(event: 'incoming', listener: (call: PhoneCall) => void): unknown;
}

/** What the SDK's TwilioError looks like to us. */
export interface PhoneError {
  code?: number;
  message: string;
}

export type DeviceFactory = (token: string) => PhoneDevice | Promise<PhoneDevice>;

export interface SoftphoneSessionOptions {
  client: Pick<SwitchboardClient, 'invoke'>;
  createDevice: DeviceFactory;
  /** Receives every state change. */
  publish(update: { registration?: SoftphoneRegistration; call?: SoftphoneCall | null }): void;
  /**
   * Whether `callSid` is a live call this console has taken over; `onChange` fires whenever
   * that may have changed. Returns an unsubscribe function.
   */
  watchTakeovers(onChange: () => void): () => void;
  isTakenOver(callSid: string): boolean;
  registerTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long a take-over call may ring before the console has seen its own take-over. */
  takeoverMatchMs?: number;
  now?: () => number;
}

export const REGISTER_TIMEOUT_MS = 10_000;
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 5 * 60_000;
const TAKEOVER_MATCH_MS = 5_000;
const DTMF_PATTERN = /^[0-9*#w]{1,32}$/;

export class SoftphoneSession {
  private device: PhoneDevice | null = null;
  private call: PhoneCall | null = null;
  private callInfo: SoftphoneCall | null = null;
  private registration: SoftphoneRegistration = { kind: 'off' };
  private generation = 0;
  private failures = 0;
  private lastError: PhoneError | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private registerTimer: ReturnType<typeof setTimeout> | null = null;
  private stopMatching: (() => void) | null = null;
  private disposed = false;
  /** The current Device has registered at least once. */
  private registered = false;
  private readonly o: Required<Omit<SoftphoneSessionOptions, 'now'>> & { now: () => number };

  constructor(options: SoftphoneSessionOptions) {
    this.o = {
      registerTimeoutMs: REGISTER_TIMEOUT_MS,
      retryBaseMs: RETRY_BASE_MS,
      retryMaxMs: RETRY_MAX_MS,
      takeoverMatchMs: TAKEOVER_MATCH_MS,
      now: () => Date.now(),
      ...options,
    };
  }

  readonly controls: SoftphoneControls = {
    answer: () => this.call?.accept(),
    decline: () => {
      if (this.callInfo?.state === 'ringing') this.call?.reject();
    },
    setMuted: (muted) => this.call?.mute(muted),
    sendDigits: (digits) => {
      if (this.callInfo?.state === 'open' && DTMF_PATTERN.test(digits)) this.call?.sendDigits(digits);
    },
    hangUp: () => this.call?.disconnect(),
    retry: () => {
      if (!this.call) void this.start();
    },
  };

  /** Fetches a token, builds the Device and registers it. Safe to call again (restarts). */
  async start(): Promise<void> {
    if (this.disposed) return;
    const generation = this.teardown();
    this.setRegistration({ kind: 'connecting' });

    let minted: SoftphoneToken;
    try {
      minted = await this.o.client.invoke('softphone.token');
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof SwitchboardError && (error.code === 'unavailable' || error.code === 'bad_request')) {
        // Not set up (or a console without the command): nothing to retry until settings change.
        this.setRegistration({ kind: 'unavailable', reason: error.message });
      } else {
        this.goOffline(generation, `couldn't get a softphone token (${errorText(error)})`);
      }
      return;
    }
    if (generation !== this.generation) return;

    let device: PhoneDevice;
    try {
      device = await this.o.createDevice(minted.token);
    } catch (error) {
      if (generation === this.generation) this.goOffline(generation, `this browser can't run the softphone (${errorText(error)})`);
      return;
    }
    if (generation !== this.generation) {
      device.destroy();
      return;
    }
    this.device = device;
    this.lastError = null;
    this.listen(device, generation, minted.identity);

    const timedOut = new Promise<'timeout'>((resolve) => {
      this.registerTimer = setTimeout(() => resolve('timeout'), this.o.registerTimeoutMs);
    });
    try {
      const outcome = await Promise.race([device.register().then(() => 'registered' as const), timedOut]);
      if (generation !== this.generation) return;
      if (outcome === 'timeout') {
        const seconds = Math.round(this.o.registerTimeoutMs / 1000);
        this.goOffline(generation, `no answer from Twilio in ${seconds} s${this.lastError ? ` (${errorText(this.lastError)})` : ''}`);
        return;
      }
      this.failures = 0;
      this.registered = true;
      this.setRegistration({ kind: 'ready', identity: minted.identity });
    } catch (error) {
      if (generation === this.generation) this.goOffline(generation, `Twilio refused to register (${errorText(error)})`);
    } finally {
      if (this.registerTimer) clearTimeout(this.registerTimer);
      this.registerTimer = null;
    }
  }

  /** Ends everything: hangs up, destroys the Device, stops timers. */
  dispose(): void {
    this.disposed = true;
    this.teardown();
  }

  private listen(device: PhoneDevice, generation: number, identity: string): void {
    const current = () => generation === this.generation && !this.disposed;
    device.on('error', (error) => {
      if (current()) this.lastError = error;
    });
    device.on('registered', () => {
      // The first registration is reported by start(); this is the SDK re-registering.
      if (!current() || !this.registered) return;
      if (this.registerTimer) clearTimeout(this.registerTimer);
      this.registerTimer = null;
      this.setRegistration({ kind: 'ready', identity });
    });
    device.on('unregistered', () => {
      // Signalling dropped after registering: the SDK reconnects and re-registers by itself.
      // Give it the same time as a first registration; then start over with a fresh token.
      if (!current() || this.registration.kind !== 'ready') return;
      this.setRegistration({ kind: 'connecting' });
      this.registerTimer = setTimeout(() => {
        if (current() && this.registration.kind === 'connecting' && !this.call) {
          this.goOffline(generation, `lost Twilio${this.lastError ? ` (${errorText(this.lastError)})` : ''}`);
        }
      }, this.o.registerTimeoutMs);
    });
    device.on('tokenWillExpire', () => {
      if (!current()) return;
      this.o.client.invoke('softphone.token').then(
        (fresh) => {
          if (current()) device.updateToken(fresh.token);
        },
        (error: unknown) => {
          // The current token still works for a few seconds; if it lapses the Device drops
          // and the 'unregistered' path starts over.
          if (current()) this.lastError = { message: `token refresh failed: ${errorText(error)}` };
        },
      );
    });
    device.on('incoming', (call) => {
      if (current()) this.ring(call);
    });
  }

  private ring(call: PhoneCall): void {
    if (this.call) {
      call.reject();
      return;
    }
    const callSid = call.customParameters.get(SOFTPHONE_PARAM.callSid) ?? null;
    const takeover = call.customParameters.get(SOFTPHONE_PARAM.purpose) === SOFTPHONE_PURPOSE.takeover && callSid !== null;
    this.call = call;
    this.setCall({ callSid, takeover, state: 'ringing', muted: false });

    const done = () => {
      if (this.call !== call) return;
      this.stopMatching?.();
      this.stopMatching = null;
      this.call = null;
      this.setCall(null);
    };
    call.on('accept', () => this.call === call && this.patchCall({ state: 'open' }));
    call.on('reconnecting', () => this.call === call && this.patchCall({ state: 'reconnecting' }));
    call.on('reconnected', () => this.call === call && this.patchCall({ state: 'open' }));
    call.on('mute', (muted) => this.call === call && this.patchCall({ muted }));
    call.on('disconnect', done);
    call.on('cancel', done);
    call.on('reject', done);
    call.on('error', (error) => {
      this.lastError = error;
    });

    if (takeover && callSid) this.answerWhenTakenOver(call, callSid);
  }

  /** Answers once the console's own take-over of `callSid` is visible (or right away). */
  private answerWhenTakenOver(call: PhoneCall, callSid: string): void {
    const tryAnswer = () => {
      if (this.call !== call || this.callInfo?.state !== 'ringing') return true;
      if (!this.o.isTakenOver(callSid)) return false;
      this.patchCall({ state: 'connecting' });
      call.accept();
      return true;
    };
    if (tryAnswer()) return;
    const unsubscribe = this.o.watchTakeovers(() => {
      if (tryAnswer()) stop();
    });
    const timer = setTimeout(() => stop(), this.o.takeoverMatchMs);
    const stop = () => {
      unsubscribe();
      clearTimeout(timer);
      if (this.stopMatching === stop) this.stopMatching = null;
    };
    this.stopMatching = stop;
  }

  private goOffline(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    this.teardown();
    this.failures += 1;
    const delay = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** (this.failures - 1));
    const generationAfter = this.generation;
    this.retryTimer = setTimeout(() => {
      if (generationAfter === this.generation && !this.disposed) void this.start();
    }, delay);
    this.setRegistration({ kind: 'offline', reason, retryAt: this.o.now() + delay });
  }

  /** Drops the Device, the call and timers; returns the new generation. */
  private teardown(): number {
    this.generation += 1;
    this.registered = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.registerTimer) clearTimeout(this.registerTimer);
    this.retryTimer = this.registerTimer = null;
    this.stopMatching?.();
    this.stopMatching = null;
    if (this.call) {
      this.call = null;
      this.setCall(null);
    }
    const device = this.device;
    this.device = null;
    // destroy() hangs up any call and stops the signalling reconnect loop.
    try {
      device?.destroy();
    } catch {
      // Already destroyed.
    }
    return this.generation;
  }

  private setRegistration(registration: SoftphoneRegistration): void {
    this.registration = registration;
    if (!this.disposed) this.o.publish({ registration });
  }

  private setCall(call: SoftphoneCall | null): void {
    this.callInfo = call;
    if (!this.disposed) this.o.publish({ call });
  }

  private patchCall(patch: Partial<SoftphoneCall>): void {
    if (this.callInfo) this.setCall({ ...this.callInfo, ...patch });
  }
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    const code = 'code' in error && typeof error.code === 'number' ? ` ${error.code}` : '';
    return `${error.message}${code ? ` [${code.trim()}]` : ''}`.slice(0, 200);
  }
  return 'unknown error';
}
