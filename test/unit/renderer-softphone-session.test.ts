/**
 * The softphone session's decisions, with a fake Device and Call (the real SDK runs in
 * test/e2e/softphone.spec.ts): register timeout, unavailable, token refresh, take-over
 * auto-answer, DTMF.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SwitchboardError } from '@shared/client';
import { SOFTPHONE_PARAM, SOFTPHONE_PURPOSE, type SoftphoneToken } from '@shared/softphone';
import { SoftphoneSession, type PhoneCall, type PhoneDevice } from '../../src/renderer/src/features/softphone/session';
import type { SoftphoneCall, SoftphoneRegistration } from '../../src/renderer/src/features/softphone/store';

class FakeCall extends EventEmitter {
  readonly customParameters: Map<string, string>;
  accepted = 0;
  rejected = 0;
  digits: string[] = [];
  private muted = false;
  constructor(params: Record<string, string>) {
    super();
    this.customParameters = new Map(Object.entries(params));
  }
  accept() {
    this.accepted += 1;
    queueMicrotask(() => this.emit('accept'));
  }
  reject() {
    this.rejected += 1;
    this.emit('reject');
  }
  disconnect() {
    this.emit('disconnect');
  }
  mute(shouldMute = true) {
    this.muted = shouldMute;
    this.emit('mute', shouldMute);
  }
  isMuted() {
    return this.muted;
  }
  sendDigits(digits: string) {
    this.digits.push(digits);
  }
}

class FakeDevice extends EventEmitter {
  destroyed = false;
  tokens: string[] = [];
  constructor(
    token: string,
    private readonly registers: boolean,
  ) {
    super();
    this.tokens.push(token);
  }
  register(): Promise<void> {
    // Unreachable signalling: never settles (like the real SDK).
    return this.registers ? Promise.resolve().then(() => void this.emit('registered')) : new Promise(() => {});
  }
  destroy() {
    this.destroyed = true;
  }
  updateToken(token: string) {
    this.tokens.push(token);
  }
}

const token = (n: number): SoftphoneToken => ({ token: `jwt-${n}`, identity: 'agent_test', expiresAt: Date.now() + 600_000 });

function setup(options: { registers?: boolean; tokenError?: SwitchboardError; takenOver?: Set<string> } = {}) {
  let minted = 0;
  const devices: FakeDevice[] = [];
  const states: { registration?: SoftphoneRegistration; call?: SoftphoneCall | null }[] = [];
  const takenOver = options.takenOver ?? new Set<string>();
  const watchers = new Set<() => void>();
  const session = new SoftphoneSession({
    client: {
      invoke: (() => {
        if (options.tokenError) return Promise.reject(options.tokenError);
        minted += 1;
        return Promise.resolve(token(minted));
      }) as never,
    },
    createDevice: (t) => {
      const device = new FakeDevice(t, options.registers ?? true);
      devices.push(device);
      return device as unknown as PhoneDevice;
    },
    publish: (update) => states.push(update),
    watchTakeovers: (onChange) => {
      watchers.add(onChange);
      return () => watchers.delete(onChange);
    },
    isTakenOver: (sid) => takenOver.has(sid),
    registerTimeoutMs: 1000,
    retryBaseMs: 5000,
    takeoverMatchMs: 2000,
  });
  const registration = () => states.filter((s) => s.registration).at(-1)?.registration;
  const call = () => states.filter((s) => 'call' in s).at(-1)?.call ?? null;
  const takeOver = (sid: string) => {
    takenOver.add(sid);
    for (const w of [...watchers]) w();
  };
  return { session, devices, registration, call, takeOver, watchers, minted: () => minted };
}

const ring = (device: FakeDevice, params: Record<string, string>) => {
  const call = new FakeCall(params);
  device.emit('incoming', call as unknown as PhoneCall);
  return call;
};
const takeoverParams = (sid: string) => ({ [SOFTPHONE_PARAM.callSid]: sid, [SOFTPHONE_PARAM.purpose]: SOFTPHONE_PURPOSE.takeover });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('softphone session', () => {
  it('registers: ready with the identity', async () => {
    const t = setup();
    await t.session.start();
    expect(t.registration()).toEqual({ kind: 'ready', identity: 'agent_test' });
    expect(t.devices[0]?.tokens).toEqual(['jwt-1']);
  });

  it('a register that never settles ends offline after the timeout, destroys the Device, retries later', async () => {
    const t = setup({ registers: false });
    const started = t.session.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(t.registration()).toEqual({ kind: 'connecting' });
    await vi.advanceTimersByTimeAsync(1);
    await started;
    expect(t.registration()).toMatchObject({ kind: 'offline', reason: 'no answer from Twilio in 1 s' });
    expect(t.devices[0]?.destroyed).toBe(true);
    // Retry with a fresh token after the back-off.
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.devices).toHaveLength(2);
    expect(t.devices[1]?.tokens).toEqual(['jwt-2']);
  });

  it('says why it is unavailable and does not retry', async () => {
    const t = setup({ tokenError: new SwitchboardError('unavailable', 'Softphone unavailable: set the Twilio account SID.') });
    await t.session.start();
    expect(t.registration()).toEqual({ kind: 'unavailable', reason: 'Softphone unavailable: set the Twilio account SID.' });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(t.devices).toHaveLength(0);
  });

  it('hands a fresh token to the Device on tokenWillExpire', async () => {
    const t = setup();
    await t.session.start();
    t.devices[0]?.emit('tokenWillExpire');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.devices[0]?.tokens).toEqual(['jwt-1', 'jwt-2']);
  });

  it('answers a take-over call for a call this console took over', async () => {
    const t = setup({ takenOver: new Set(['CA1']) });
    await t.session.start();
    const call = ring(t.devices[0]!, takeoverParams('CA1'));
    expect(call.accepted).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.call()).toEqual({ callSid: 'CA1', takeover: true, state: 'open', muted: false });
  });

  it('waits for its own take-over to show up, then answers', async () => {
    const t = setup();
    await t.session.start();
    const call = ring(t.devices[0]!, takeoverParams('CA2'));
    expect(call.accepted).toBe(0);
    expect(t.call()).toMatchObject({ callSid: 'CA2', state: 'ringing' });
    await vi.advanceTimersByTimeAsync(500);
    t.takeOver('CA2');
    expect(call.accepted).toBe(1);
    expect(t.watchers.size).toBe(0);
  });

  it('leaves other calls ringing for the agent (no auto-answer), and stops watching', async () => {
    const t = setup();
    await t.session.start();
    const stranger = ring(t.devices[0]!, { [SOFTPHONE_PARAM.callSid]: 'CA3' }); // no purpose=takeover
    const late = new FakeCall(takeoverParams('CA4'));
    expect(stranger.accepted).toBe(0);
    t.session.controls.decline();
    expect(stranger.rejected).toBe(1);
    expect(t.call()).toBeNull();

    t.devices[0]!.emit('incoming', late as unknown as PhoneCall);
    await vi.advanceTimersByTimeAsync(2000); // the take-over never showed up in time
    t.takeOver('CA4');
    expect(late.accepted).toBe(0);
    expect(t.call()).toMatchObject({ callSid: 'CA4', state: 'ringing' });
    t.session.controls.answer();
    expect(late.accepted).toBe(1);
  });

  it('mute, DTMF (digits checked) and hang up act on the open call', async () => {
    const t = setup({ takenOver: new Set(['CA5']) });
    await t.session.start();
    const call = ring(t.devices[0]!, takeoverParams('CA5'));
    await vi.advanceTimersByTimeAsync(0);
    t.session.controls.setMuted(true);
    expect(t.call()).toMatchObject({ muted: true });
    t.session.controls.sendDigits('5');
    t.session.controls.sendDigits('#');
    t.session.controls.sendDigits('x; drop');
    expect(call.digits).toEqual(['5', '#']);
    t.session.controls.hangUp();
    expect(t.call()).toBeNull();
  });

  it('rejects a second call while one is on the line', async () => {
    const t = setup({ takenOver: new Set(['CA6']) });
    await t.session.start();
    ring(t.devices[0]!, takeoverParams('CA6'));
    const second = ring(t.devices[0]!, takeoverParams('CA6'));
    expect(second.rejected).toBe(1);
  });

  it('dispose destroys the Device', async () => {
    const t = setup();
    await t.session.start();
    t.session.dispose();
    expect(t.devices[0]?.destroyed).toBe(true);
  });
});
