/**
 * Which media streams may become calls. Anyone who can reach the public /media socket (it
 * is on the internet, through the tunnel) could otherwise open a "call" and spend the AI's
 * money or read what it says. So every stream must carry a per-call secret that only our
 * own TwiML (or, for simulated calls, our own process) handed out:
 *
 *  - the voice webhook (signed by Twilio) issues a token bound to the webhook's CallSid and
 *    puts it in `<Stream><Parameter name="token">`; Twilio relays it in
 *    `start.customParameters.token` with `start.callSid`. One token per CallSid, ever: a
 *    replayed voice webhook gets none (`issueForVoiceWebhook` answers null);
 *  - a taken-over call handed back to the AI gets a fresh token of its own
 *    (`issueForHandBack`, sent to Twilio over REST, never through a webhook answer);
 *  - `admit(stream)` accepts a token once, only for that CallSid, only before it expires,
 *    only from the configured Twilio account, and answers with the call's facts as WE
 *    recorded them (direction, numbers, purpose), not as the stream claims them.
 *
 * Outbound calls: `calls.dial` records a dial intent (purpose, script) under a random dial id
 * that rides in the voice webhook's URL (`/twilio/voice?dial=…`, covered by Twilio's
 * signature); the webhook binds the intent to the CallSid and issues the token.
 *
 * Simulated calls (demo caller, tests, benches) connect to the media bridge's own loopback
 * port, never through the tunnel, and are registered explicitly: `registerSimulated()` issues
 * a callSid + token (pass them as CallerSimulator `callSid` and `customParameters`). There is
 * no token-less way in, on any port: a local process that knows a real call's CallSid (one
 * waiting for its hand-back stream, say) cannot join it. Each kind of token is admitted only
 * on its own entry: real calls' through the public server, simulated ones on the loopback
 * port.
 *
 * Per-call state only: nothing here is a module global (house rule 5).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallDirection } from '@shared/domain';
import type { CallTransport } from '@shared/telephony';
import { ExpiringMap } from './expiring-map';
import type { StreamEntry } from './media-bridge';

export type { StreamEntry };

/** `<Parameter>` names on the `<Stream>` our TwiML opens (arrive in start.customParameters). */
export const STREAM_PARAM = {
  token: 'token',
  from: 'from',
  to: 'to',
  direction: 'direction',
  /** Outbound calls: the dial id (purpose and script stay in the registry, not in TwiML). */
  dial: 'dial',
  /** ConversationRelay: `welcome` when Twilio already said the greeting (welcomeGreeting). */
  greeted: 'greeted',
} as const;

/** What a stream must show to be admitted. Structurally a MediaStream. */
export interface StreamCredentials {
  callSid: string;
  /** `start.accountSid`: the Twilio account the stream belongs to. */
  accountSid: string;
  customParameters: Readonly<Record<string, string>>;
  /** The socket it came on: a token is good on the transport its TwiML opened only. */
  transport: CallTransport;
}

/** What a simulated caller presents: its CallSid and `start.customParameters` (with the token). */
export interface SimulatedCallCredentials {
  callSid: string;
  customParameters: Record<string, string>;
}

/** An outbound call the console placed: the AI's brief. */
export interface DialIntent {
  dialId: string;
  to: string;
  from: string;
  purpose: string;
  script: string | null;
  /** Epoch ms. */
  createdAt: number;
  /** Known once Twilio accepted the call. */
  callSid: string | null;
  /** The AI profile the call runs with (issue 15); null: the default profile. */
  profileId: string | null;
  /** A campaign's dial (issue 15): which campaign and attempt, and what its list says about the lead. */
  campaign: { campaignId: string; attemptId: string } | null;
  lead: { name: string | null; context: Readonly<Record<string, string>> } | null;
}

/** A call admitted to the bridge, as the registry recorded it. */
export interface AdmittedCall {
  callSid: string;
  direction: CallDirection;
  from: string;
  to: string;
  /** True for the caller simulator (demo calls, tests). */
  simulated: boolean;
  /** Outbound calls placed with calls.dial: the purpose and script for the AI. */
  dial: DialIntent | null;
  /** Media Streams (audio) or ConversationRelay (text). */
  transport: CallTransport;
}

export class StreamRefused extends Error {
  override readonly name = 'StreamRefused';
}

interface Ticket {
  token: Buffer;
  callSid: string;
  direction: CallDirection;
  from: string;
  to: string;
  simulated: boolean;
  dial: DialIntent | null;
  transport: CallTransport;
  expiresAt: number;
}

export interface CallRegistryOptions {
  /**
   * The Twilio account SID configured on this console (read per stream). A real call's stream
   * must say it in `start.accountSid`; null (not configured) refuses every real stream.
   */
  accountSid(): string | null;
  /** How long a stream token stays valid after it was issued (Twilio connects within seconds). */
  tokenTtlMs?: number;
  /**
   * How long a simulated call's token stays valid: registered in-process, and a benchmark
   * registers all its callers before dialling them one by one.
   */
  simulatedTokenTtlMs?: number;
  /** How long a dial intent waits for its voice webhook (ringing + answering). */
  dialTtlMs?: number;
  /**
   * How long a CallSid that got a token from the voice webhook is remembered, so a replay of
   * that webhook gets no second one. Twilio ends a call after at most 24 h (its longest
   * time limit), so a day covers every genuine call's lifetime.
   */
  voiceWebhookMemoryMs?: number;
  now?: () => number;
}

/** Bounds so a flood of webhooks cannot grow memory without limit. */
const MAX_PENDING = 10_000;
const MAX_REMEMBERED_STREAMS = 10_000;
/** ~100 bytes each: at most ~10 MB, far more calls than one console answers in a day. */
const MAX_VOICE_WEBHOOK_SIDS = 100_000;
const DAY_MS = 24 * 60 * 60_000;

export class CallRegistry {
  private readonly tickets = new Map<string, Ticket>();
  private readonly dials = new Map<string, DialIntent & { expiresAt: number }>();
  private readonly dialBySid = new Map<string, string>();
  /** CallSids that got a stream (insertion-ordered, oldest dropped first). */
  private readonly streamed = new Map<string, AdmittedCall>();
  /** CallSids the voice webhook issued a token for (one each, ever: replays get none). */
  private readonly voiceWebhookSids: ExpiringMap<string, true>;
  private readonly tokenTtlMs: number;
  private readonly simulatedTokenTtlMs: number;
  private readonly dialTtlMs: number;
  private readonly accountSid: () => string | null;
  private readonly now: () => number;

  constructor(options: CallRegistryOptions) {
    this.tokenTtlMs = options.tokenTtlMs ?? 2 * 60_000;
    this.simulatedTokenTtlMs = options.simulatedTokenTtlMs ?? 30 * 60_000;
    this.dialTtlMs = options.dialTtlMs ?? 5 * 60_000;
    this.accountSid = options.accountSid;
    this.now = options.now ?? Date.now;
    this.voiceWebhookSids = new ExpiringMap(options.voiceWebhookMemoryMs ?? DAY_MS, MAX_VOICE_WEBHOOK_SIDS, this.now);
  }

  /** Records an outbound call's brief before it is placed; returns its dial id. */
  recordDial(intent: {
    to: string;
    from: string;
    purpose: string;
    script?: string | null | undefined;
    profileId?: string | null | undefined;
    campaign?: DialIntent['campaign'];
    lead?: DialIntent['lead'];
  }): DialIntent {
    this.sweep();
    const dial: DialIntent = {
      dialId: `DL${randomBytes(16).toString('hex')}`,
      to: intent.to,
      from: intent.from,
      purpose: intent.purpose,
      script: intent.script ?? null,
      createdAt: this.now(),
      callSid: null,
      profileId: intent.profileId ?? null,
      campaign: intent.campaign ?? null,
      lead: intent.lead ?? null,
    };
    this.bounded(this.dials);
    this.dials.set(dial.dialId, { ...dial, expiresAt: this.now() + this.dialTtlMs });
    return dial;
  }

  /** Twilio accepted the dial: remember its CallSid (status callbacks find the dial by it). */
  bindDial(dialId: string, callSid: string): void {
    const dial = this.dials.get(dialId);
    if (!dial) return;
    dial.callSid = callSid;
    this.dialBySid.set(callSid, dialId);
  }

  /** The dial was not placed after all (Twilio refused it). */
  forgetDial(dialId: string): void {
    const dial = this.dials.get(dialId);
    if (dial?.callSid) this.dialBySid.delete(dial.callSid);
    this.dials.delete(dialId);
  }

  /** A live (unexpired) dial intent by id or by CallSid. */
  findDial(key: { dialId?: string | null | undefined; callSid?: string | null | undefined }): DialIntent | null {
    this.sweep();
    const id = key.dialId ?? (key.callSid ? this.dialBySid.get(key.callSid) : undefined);
    const dial = id ? this.dials.get(id) : undefined;
    if (!dial) return null;
    if (key.callSid && dial.callSid && dial.callSid !== key.callSid) return null;
    const { expiresAt: _expiresAt, ...intent } = dial;
    return intent;
  }

  /**
   * The stream token for a call whose voice webhook we are answering (inbound, or an answered
   * outbound dial): bound to `callSid`, single use, expiring. Null when this CallSid already
   * got one from the voice webhook: a replayed webhook (Twilio's own retries carry the same
   * idempotency token and are answered from the webhooks' cache before reaching here) must not
   * open a second stream into the call.
   */
  issueForVoiceWebhook(call: {
    callSid: string;
    direction: CallDirection;
    from: string;
    to: string;
    dial?: DialIntent | null;
    transport?: CallTransport;
  }): string | null {
    this.sweep();
    if (this.voiceWebhookSids.has(call.callSid)) return null;
    this.voiceWebhookSids.set(call.callSid, true);
    if (call.dial) this.bindDial(call.dial.dialId, call.callSid);
    return this.store({ ...call, dial: call.dial ?? null, simulated: false, transport: call.transport ?? 'media' });
  }

  /**
   * A fresh token for a real call the agent hands back to the AI: the new `<Connect><Stream>`
   * goes to Twilio over REST (our request, not a webhook's answer), so it may open the call's
   * next stream. Replaces any token the call still had outstanding.
   */
  issueForHandBack(call: AdmittedCall): string {
    this.sweep();
    if (call.simulated) throw new Error('a simulated call has no Twilio leg to hand back');
    return this.store({ ...call, simulated: false });
  }

  /**
   * A callSid and stream parameters for the caller simulator, admitted like a real call but
   * only on the bridge's loopback port. A CallSid this registry knows as a real call's is
   * refused: a simulated stream must never become (or join) a real call.
   */
  registerSimulated(call: { from: string; to: string; callSid?: string | undefined }): SimulatedCallCredentials {
    this.sweep();
    const callSid = call.callSid ?? `CA${randomBytes(16).toString('hex')}`;
    const real = [this.tickets.get(callSid), this.streamed.get(callSid)].some((known) => known && !known.simulated);
    if (real || this.voiceWebhookSids.has(callSid)) {
      throw new StreamRefused('that CallSid belongs to a real call');
    }
    const token = this.store({ callSid, direction: 'inbound', from: call.from, to: call.to, dial: null, simulated: true, transport: 'media' });
    return { callSid, customParameters: { [STREAM_PARAM.token]: token } };
  }

  /**
   * Admits a stream or throws StreamRefused (the bridge closes it with the reason). Call it
   * first thing in the bridge's onStream, before the stream becomes a call.
   */
  admit(stream: StreamCredentials, entry: StreamEntry): AdmittedCall {
    this.sweep();
    const presented = stream.customParameters[STREAM_PARAM.token];
    if (presented === undefined || presented === '') throw new StreamRefused('no stream token');
    const ticket = this.tickets.get(stream.callSid);
    if (!ticket || !safeEqual(ticket.token, presented)) throw new StreamRefused('unknown or wrong stream token');
    // Single use once presented correctly, whether admitted or not: a token that turns up on
    // the wrong port or from another account has leaked, and must not be tried again.
    this.tickets.delete(stream.callSid);
    if (ticket.expiresAt <= this.now()) throw new StreamRefused('stream token expired');
    if (stream.transport !== ticket.transport) throw new StreamRefused(`a stream token for ${ticket.transport === 'relay' ? 'ConversationRelay' : 'a media stream'} only`);
    if (ticket.simulated && entry !== 'local') throw new StreamRefused('a simulated call connects on the loopback port only');
    if (!ticket.simulated) {
      if (entry !== 'public') throw new StreamRefused("a real call's stream comes through the public server only");
      const expected = this.accountSid();
      if (!expected) throw new StreamRefused('no Twilio account SID is configured');
      if (stream.accountSid !== expected) throw new StreamRefused('stream from another Twilio account');
    }
    return this.remember({
      callSid: ticket.callSid,
      direction: ticket.direction,
      from: ticket.from,
      to: ticket.to,
      simulated: ticket.simulated,
      dial: ticket.dial,
      transport: ticket.transport,
    });
  }

  /** Whether a stream was admitted for this call (a status for a call without one needs its own record). */
  streamedCall(callSid: string): AdmittedCall | null {
    return this.streamed.get(callSid) ?? null;
  }

  /** Tokens outstanding (for tests and diagnostics). */
  get pendingTokens(): number {
    this.sweep();
    return this.tickets.size;
  }

  private store(call: Omit<Ticket, 'token' | 'expiresAt'>): string {
    const token = randomBytes(24).toString('base64url');
    this.bounded(this.tickets);
    const ttlMs = call.simulated ? this.simulatedTokenTtlMs : this.tokenTtlMs;
    this.tickets.delete(call.callSid);
    this.tickets.set(call.callSid, { ...call, token: Buffer.from(token), expiresAt: this.now() + ttlMs });
    return token;
  }

  private remember(call: AdmittedCall): AdmittedCall {
    this.streamed.delete(call.callSid);
    this.streamed.set(call.callSid, call);
    if (this.streamed.size > MAX_REMEMBERED_STREAMS) {
      const oldest = this.streamed.keys().next().value;
      if (oldest !== undefined) this.streamed.delete(oldest);
    }
    return call;
  }

  private bounded(map: Map<string, unknown>): void {
    if (map.size < MAX_PENDING) return;
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }

  private sweep(): void {
    const now = this.now();
    for (const [sid, ticket] of this.tickets) if (ticket.expiresAt <= now) this.tickets.delete(sid);
    for (const [id, dial] of this.dials) {
      if (dial.expiresAt > now) continue;
      this.dials.delete(id);
      if (dial.callSid) this.dialBySid.delete(dial.callSid);
    }
  }
}

function safeEqual(expected: Buffer, presented: string): boolean {
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
