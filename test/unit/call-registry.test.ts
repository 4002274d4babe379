import { describe, expect, it } from 'vitest';
import { CallRegistry, StreamRefused, type CallRegistryOptions } from '../../src/main/core/telephony/call-registry';

const SID = `CA${'a'.repeat(32)}`;
const ACCOUNT = `AC${'1'.repeat(32)}`;
const INBOUND = { callSid: SID, direction: 'inbound', from: '+447700900123', to: '+14155550100' } as const;

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const registryFor = (options: Partial<CallRegistryOptions> = {}) => new CallRegistry({ accountSid: () => ACCOUNT, ...options });
/** A stream's start as Twilio sends it for our account. */
const stream = (customParameters: Record<string, string>, callSid = SID, accountSid = ACCOUNT, transport: 'media' | 'relay' = 'media') => ({ callSid, accountSid, customParameters, transport });

describe('CallRegistry (stream admission)', () => {
  it('admits a stream with the token issued for its CallSid, once, with the facts it recorded', () => {
    const registry = registryFor();
    const token = registry.issueForVoiceWebhook(INBOUND)!;
    const admitted = registry.admit(stream({ token, from: '+19999999999' }), 'public');
    expect(admitted).toEqual({ callSid: SID, direction: 'inbound', from: '+447700900123', to: '+14155550100', simulated: false, dial: null, transport: 'media' });
    expect(registry.streamedCall(SID)).toEqual(admitted);
    expect(() => registry.admit(stream({ token }), 'public')).toThrow(/unknown or wrong stream token/);
  });

  it('admits a token on the transport its TwiML opened only (a relay token on /media is refused, and the reverse)', () => {
    const registry = registryFor();
    const relayToken = registry.issueForVoiceWebhook({ ...INBOUND, transport: 'relay' })!;
    expect(() => registry.admit(stream({ token: relayToken }), 'public')).toThrow(/stream token for ConversationRelay only/);
    const other = `CA${'e'.repeat(32)}`;
    const mediaToken = registry.issueForVoiceWebhook({ ...INBOUND, callSid: other })!;
    expect(() => registry.admit(stream({ token: mediaToken }, other, ACCOUNT, 'relay'), 'public')).toThrow(/stream token for a media stream only/);
    // A token that turned up on the wrong socket has leaked: spent, never admitted.
    expect(() => registry.admit(stream({ token: relayToken }, SID, ACCOUNT, 'relay'), 'public')).toThrow(/unknown or wrong stream token/);
    // A hand-back keeps the call's transport.
    const back = registry.issueForHandBack({ callSid: SID, direction: 'inbound', from: '+1', to: '+2', simulated: false, dial: null, transport: 'relay' });
    expect(registry.admit(stream({ token: back }, SID, ACCOUNT, 'relay'), 'public')).toMatchObject({ callSid: SID, transport: 'relay' });
  });

  it('refuses a wrong token, a missing token, and a token under another CallSid', () => {
    const registry = registryFor();
    const token = registry.issueForVoiceWebhook(INBOUND)!;
    expect(() => registry.admit(stream({ token: `${token.slice(0, -1)}x` }), 'public')).toThrow(StreamRefused);
    expect(() => registry.admit(stream({}), 'public')).toThrow(/no stream token/);
    expect(() => registry.admit(stream({ token }, `CA${'b'.repeat(32)}`), 'public')).toThrow(/wrong stream token/);
    // None of those used the token up.
    expect(registry.admit(stream({ token }), 'public').callSid).toBe(SID);
  });

  it('admits no token-less stream on the loopback port either, whatever CallSid it names', () => {
    const registry = registryFor();
    // A real call the registry knows (admitted once, e.g. now waiting for its hand-back stream).
    registry.admit(stream({ token: registry.issueForVoiceWebhook(INBOUND)! }), 'public');
    expect(() => registry.admit(stream({ from: '+1555', to: '+1666' }), 'local')).toThrow(/no stream token/);
    expect(() => registry.admit(stream({}, `CA${'d'.repeat(32)}`), 'local')).toThrow(/no stream token/);
    expect(registry.streamedCall(`CA${'d'.repeat(32)}`)).toBeNull();
  });

  it('admits a registered simulated call on the loopback port only, and never under a real CallSid', () => {
    const registry = registryFor();
    const sim = registry.registerSimulated({ from: '+1555', to: '+1666' });
    expect(sim.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    // Simulated callers say any account: there is no Twilio account behind them.
    expect(registry.admit(stream(sim.customParameters, sim.callSid, 'AC0'), 'local')).toMatchObject({ simulated: true, to: '+1666' });
    const viaTunnel = registry.registerSimulated({ from: '+1555', to: '+1666' });
    expect(() => registry.admit(stream(viaTunnel.customParameters, viaTunnel.callSid), 'public')).toThrow(/loopback port only/);

    // The CallSid of a real call (token outstanding, or already streamed) cannot be registered.
    registry.issueForVoiceWebhook(INBOUND);
    expect(() => registry.registerSimulated({ from: 'a', to: 'b', callSid: SID })).toThrow(/real call/);
    const other = `CA${'e'.repeat(32)}`;
    registry.admit(stream({ token: registry.issueForVoiceWebhook({ ...INBOUND, callSid: other })! }, other), 'public');
    expect(() => registry.registerSimulated({ from: 'a', to: 'b', callSid: other })).toThrow(/real call/);
  });

  it("refuses a real call's token on the loopback port, and used up", () => {
    const registry = registryFor();
    const token = registry.issueForVoiceWebhook(INBOUND)!;
    expect(() => registry.admit(stream({ token }), 'local')).toThrow(/public server only/);
    expect(() => registry.admit(stream({ token }), 'public')).toThrow(/unknown or wrong stream token/);
  });

  it('admits real streams only from the configured Twilio account', () => {
    let configured: string | null = ACCOUNT;
    const registry = registryFor({ accountSid: () => configured });
    const token = registry.issueForVoiceWebhook(INBOUND)!;
    expect(() => registry.admit(stream({ token }, SID, `AC${'9'.repeat(32)}`), 'public')).toThrow(/another Twilio account/);
    const other = `CA${'f'.repeat(32)}`;
    configured = null;
    const second = registry.issueForVoiceWebhook({ ...INBOUND, callSid: other })!;
    expect(() => registry.admit(stream({ token: second }, other), 'public')).toThrow(/no Twilio account SID/);
  });

  it('issues one voice-webhook token per CallSid, ever (a replay gets none); a hand-back mints its own', () => {
    const time = clock();
    const registry = registryFor({ now: time.now, voiceWebhookMemoryMs: 60_000 });
    const token = registry.issueForVoiceWebhook(INBOUND)!;
    expect(registry.issueForVoiceWebhook(INBOUND)).toBeNull();
    const admitted = registry.admit(stream({ token }), 'public');
    expect(registry.issueForVoiceWebhook(INBOUND)).toBeNull();
    // The outstanding token was not replaced by the replay either: still exactly none pending.
    expect(registry.pendingTokens).toBe(0);

    const handBack = registry.issueForHandBack(admitted);
    expect(handBack).not.toBe(token);
    expect(registry.admit(stream({ token: handBack }), 'public')).toMatchObject({ callSid: SID, simulated: false });
    expect(() => registry.issueForHandBack({ ...admitted, simulated: true })).toThrow(/simulated/);

    // Remembered for the configured time (a day by default), then forgotten (bounded memory).
    time.advance(59_999);
    expect(registry.issueForVoiceWebhook(INBOUND)).toBeNull();
    time.advance(1);
    expect(registry.issueForVoiceWebhook(INBOUND)).toEqual(expect.any(String));
  });

  it('expires tokens', () => {
    const time = clock();
    const registry = registryFor({ now: time.now, tokenTtlMs: 1000, simulatedTokenTtlMs: 5000 });
    const token = registry.issueForVoiceWebhook(INBOUND)!;
    const sim = registry.registerSimulated({ from: 'a', to: 'b' });
    time.advance(1000);
    expect(() => registry.admit(stream({ token }), 'public')).toThrow(StreamRefused);
    expect(registry.pendingTokens).toBe(1);
    time.advance(4000);
    expect(() => registry.admit(stream(sim.customParameters, sim.callSid), 'local')).toThrow(StreamRefused);
    expect(registry.pendingTokens).toBe(0);
  });

  it('carries an outbound dial from calls.dial to the answered stream, and forgets expired dials', () => {
    const time = clock();
    const registry = registryFor({ now: time.now, dialTtlMs: 5000 });
    const dial = registry.recordDial({ to: '+442071234567', from: '+14155550100', purpose: 'Confirm the visit', script: null });
    registry.bindDial(dial.dialId, SID);
    expect(registry.findDial({ callSid: SID })).toMatchObject({ dialId: dial.dialId, purpose: 'Confirm the visit', callSid: SID });
    expect(registry.findDial({ dialId: dial.dialId, callSid: `CA${'c'.repeat(32)}` })).toBeNull();
    const found = registry.findDial({ dialId: dial.dialId, callSid: SID })!;
    const token = registry.issueForVoiceWebhook({ callSid: SID, direction: 'outbound', from: dial.from, to: dial.to, dial: found })!;
    expect(registry.admit(stream({ token }), 'public').dial).toMatchObject({ purpose: 'Confirm the visit' });
    time.advance(5000);
    expect(registry.findDial({ dialId: dial.dialId })).toBeNull();
  });
});
