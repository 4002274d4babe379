import { describe, expect, it } from 'vitest';
import { CallRegistry, StreamRefused } from '../../src/main/core/telephony/call-registry';

const SID = `CA${'a'.repeat(32)}`;

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CallRegistry (stream admission)', () => {
  it('admits a stream with the token issued for its CallSid, once, with the facts it recorded', () => {
    const registry = new CallRegistry();
    const token = registry.issue({ callSid: SID, direction: 'inbound', from: '+447700900123', to: '+14155550100' });
    const admitted = registry.admit({ callSid: SID, customParameters: { token, from: '+19999999999' } }, 'public');
    expect(admitted).toEqual({ callSid: SID, direction: 'inbound', from: '+447700900123', to: '+14155550100', simulated: false, dial: null });
    expect(registry.streamedCall(SID)).toEqual(admitted);
    expect(() => registry.admit({ callSid: SID, customParameters: { token } }, 'public')).toThrow(/unknown or wrong stream token/);
  });

  it('refuses a wrong token, a missing token on the public entry, and a token under another CallSid', () => {
    const registry = new CallRegistry();
    const token = registry.issue({ callSid: SID, direction: 'inbound', from: 'a', to: 'b' });
    expect(() => registry.admit({ callSid: SID, customParameters: { token: `${token.slice(0, -1)}x` } }, 'public')).toThrow(StreamRefused);
    expect(() => registry.admit({ callSid: SID, customParameters: {} }, 'public')).toThrow(/no stream token/);
    expect(() => registry.admit({ callSid: `CA${'b'.repeat(32)}`, customParameters: { token } }, 'local')).toThrow(/wrong stream token/);
    // None of those used the token up.
    expect(registry.admit({ callSid: SID, customParameters: { token } }, 'public').callSid).toBe(SID);
  });

  it('expires tokens', () => {
    const time = clock();
    const registry = new CallRegistry({ now: time.now, tokenTtlMs: 1000 });
    const token = registry.issue({ callSid: SID, direction: 'inbound', from: 'a', to: 'b' });
    time.advance(1000);
    expect(() => registry.admit({ callSid: SID, customParameters: { token } }, 'public')).toThrow(StreamRefused);
    expect(registry.pendingTokens).toBe(0);
  });

  it('admits token-less loopback streams as simulated calls only while allowed', () => {
    const open = new CallRegistry();
    expect(open.admit({ callSid: SID, customParameters: { from: '+1555', to: '+1666' } }, 'local')).toMatchObject({ simulated: true, from: '+1555' });
    const strict = new CallRegistry({ allowUnregisteredLocal: false });
    expect(() => strict.admit({ callSid: SID, customParameters: {} }, 'local')).toThrow(/no stream token/);
    const sim = strict.registerSimulated({ from: '+1555', to: '+1666' });
    expect(strict.admit({ callSid: sim.callSid, customParameters: sim.customParameters }, 'local')).toMatchObject({ simulated: true, to: '+1666' });
  });

  it('carries an outbound dial from calls.dial to the answered stream, and forgets expired dials', () => {
    const time = clock();
    const registry = new CallRegistry({ now: time.now, dialTtlMs: 5000 });
    const dial = registry.recordDial({ to: '+442071234567', from: '+14155550100', purpose: 'Confirm the visit', script: null });
    registry.bindDial(dial.dialId, SID);
    expect(registry.findDial({ callSid: SID })).toMatchObject({ dialId: dial.dialId, purpose: 'Confirm the visit', callSid: SID });
    expect(registry.findDial({ dialId: dial.dialId, callSid: `CA${'c'.repeat(32)}` })).toBeNull();
    const found = registry.findDial({ dialId: dial.dialId, callSid: SID })!;
    const token = registry.issue({ callSid: SID, direction: 'outbound', from: dial.from, to: dial.to, dial: found });
    expect(registry.admit({ callSid: SID, customParameters: { token } }, 'public').dial).toMatchObject({ purpose: 'Confirm the visit' });
    time.advance(5000);
    expect(registry.findDial({ dialId: dial.dialId })).toBeNull();
  });
});
