/**
 * Real phone calls through Twilio, assembled for the core (app.ts constructs one):
 * settings, the stream admission registry, the webhooks on the public server, the REST
 * client, the outbound rules, and the handlers of the telephony.* / calls.dial commands.
 *
 * Status callbacks. Every verified callback is emitted as `call.status`. A call that ends
 * (completed, busy, no-answer, failed, canceled) without ever having had a media stream — an
 * outbound call nobody answered, an inbound call whose stream never connected — has no
 * CallSession to record it, so it is stored here as an ended call (with `started` and `ended`
 * events, endReason = Twilio's status) and announced with `call.updated`, so the call list
 * shows it. Calls that had a stream belong to their CallSession; their statuses are only
 * emitted (`onStatus` lets the lead add them to the session's timeline).
 */
import { randomUUID } from 'node:crypto';
import type { AnyEvent, CommandArgs, CommandOutput } from '@shared/contract';
import type { CallDirection } from '@shared/domain';
import type { TelephonySettings, TelephonyState } from '@shared/telephony';
import { ApiError } from '../api/dispatcher';
import type { SecretStore } from '../config/secrets';
import type { Logger } from '../log';
import type { CallControl } from '../calls/ports';
import type { CallStore, NewCall } from '../store/call-store';
import { CallRegistry, type AdmittedCall, type CallRegistryOptions, type DialIntent, type StreamCredentials } from './call-registry';
import type { MediaBridge, StreamEntry } from './media-bridge';
import type { RelayBridge } from './relay/relay-bridge';
import { checkOutboundCall } from './outbound-rules';
import { startPublicServer, type PublicServer } from './public-server';
import { createTwilioCallControl } from './twilio-call-control';
import { createTwilioClient, describeTwilioError, type TwilioRestClient } from './twilio-client';
import { createTelephonySettings, publicOrigin, transportFor, TWILIO_PATHS, type TelephonySettingsStore } from './twilio-settings';
import { createTwilioWebhooks, type TwilioStatusEvent, type TwilioWebhookHooks } from './twilio-webhooks';
import { describeListenFailure, listenFailureReason } from './listen-problem';

const TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const STATUS_CALLBACK_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];
const MAX_REMEMBERED = 10_000;

/** Where the public server (webhooks + /media) listens unless Settings → Telephony says otherwise. */
export const DEFAULT_PUBLIC_PORT = 4781;
export interface TelephonyServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  bridge: Pick<MediaBridge, 'handleUpgrade'>;
  /** ConversationRelay sessions on /relay (issue 11). */
  relay?: Pick<RelayBridge, 'handleUpgrade'>;
  /** What Twilio says first on a ConversationRelay call (its welcomeGreeting): the persona's greeting. */
  relayGreeting?(call: { callSid: string; direction: CallDirection; from: string; to: string; dial: DialIntent | null }): string;
  /** A ConversationRelay session ended: the TwiML that continues the call. */
  onRelayEnded?: TwilioWebhookHooks['onRelayEnded'];
  store: Pick<CallStore, 'insertCall' | 'appendEvent' | 'getCall'>;
  /** The live call with this CallSid, if any (CallManager.findBySid). */
  liveCall(callSid: string): { id: string } | undefined;
  emit(event: AnyEvent): void;
  logger: Logger;
  /** Extra work on each verified status callback (e.g. the call session's timeline). */
  onStatus?: TwilioWebhookHooks['onStatus'];
  /** Verified recording status callbacks (the agent's softphone leg, issue 7). */
  onRecordingStatus?: TwilioWebhookHooks['onRecordingStatus'];
  /** Answering-machine detection's verdict on a dial the console placed (campaigns, issue 15). */
  onAnsweredBy?: TwilioWebhookHooks['onAnsweredBy'];
  /** Whether this call's agent leg is recorded by Twilio when it is put through to the softphone. */
  recordAgentLeg?(call: AdmittedCall): boolean;
  registry?: Omit<CallRegistryOptions, 'accountSid'>;
  now?: () => number;
}

export interface PlaceDialRequest {
  to: string;
  from: string;
  purpose: string;
  script: string | null;
  profileId: string | null;
  campaign?: DialIntent['campaign'];
  lead?: DialIntent['lead'];
  /** Twilio's answering-machine detection (MachineDetection=Enable; AnsweredBy on the status callbacks). */
  machineDetection?: boolean;
}

export interface TelephonyService {
  readonly registry: CallRegistry;
  readonly settings: TelephonySettingsStore;
  /** Admits a stream (throws StreamRefused); call first in the bridge's onStream. */
  admit(stream: StreamCredentials, entry: StreamEntry): AdmittedCall;
  /** Tells the service which call id a CallSid became (so later statuses name it). */
  noteCall(callSid: string, callId: string): void;
  /** How to move a real call between the AI and the agent's softphone; null for simulated calls. */
  controlFor(call: AdmittedCall): CallControl | null;
  /** Why Twilio cannot place calls now (in words), or null when it can. */
  notReady(): string | null;
  /**
   * Places an outbound AI call with no compliance checks of its own (the caller ran them: a
   * campaign's dial policy). Throws ApiError with Twilio's refusal in words.
   */
  placeDial(request: PlaceDialRequest): Promise<{ callSid: string; status: string; dialId: string }>;
  /** Twilio's status of a call (REST), or null when Twilio does not know the CallSid. */
  fetchCallStatus(callSid: string): Promise<{ status: string; answeredBy: string | null } | null>;
  /** Calls Twilio placed to `to` from `from` since `sinceMs` (REST), to find a dial whose answer a crash lost. */
  findCalls(query: { to: string; from: string; sinceMs: number }): Promise<Array<{ callSid: string; status: string }>>;
  handlers: {
    'telephony.get': () => TelephonyState;
    'telephony.update': (patch: CommandArgs<'telephony.update'>) => Promise<TelephonyState>;
    'telephony.configureNumber': (args: CommandArgs<'telephony.configureNumber'>) => Promise<CommandOutput<'telephony.configureNumber'>>;
    'calls.dial': (args: CommandArgs<'calls.dial'>) => Promise<CommandOutput<'calls.dial'>>;
  };
  close(): Promise<void>;
}

export async function createTelephonyService(options: TelephonyServiceOptions): Promise<TelephonyService> {
  const { secrets, store, emit } = options;
  const log = options.logger.child({ component: 'telephony' });
  const now = options.now ?? Date.now;
  const settings = createTelephonySettings(options.dataDir);
  // A real call's stream must come from the account configured here (start.accountSid).
  const registry = new CallRegistry({ now, ...options.registry, accountSid: () => settings.get().accountSid });
  /** CallSid -> the console's call id (streamed calls, and records stored for stream-less calls). */
  const callIds = new Map<string, string>();
  const storedWithoutStream = new Set<string>();

  const remember = (callSid: string, callId: string) => {
    callIds.delete(callSid);
    callIds.set(callSid, callId);
    if (callIds.size > MAX_REMEMBERED) {
      const oldest = callIds.keys().next().value;
      if (oldest !== undefined) callIds.delete(oldest);
    }
  };

  const recordStreamlessCall = (event: TwilioStatusEvent): string => {
    const id = randomUUID();
    const startedAt = Math.min(event.dial?.createdAt ?? event.at, event.at);
    const summary: NewCall = {
      id,
      callSid: event.callSid,
      direction: event.direction,
      from: event.from || 'unknown',
      to: event.to || 'unknown',
      status: 'ended',
      controller: 'ai',
      startedAt,
      endedAt: event.at,
      scenario: null,
      endReason: event.status,
    };
    store.insertCall(summary);
    store.appendEvent({ id: randomUUID(), callId: id, type: 'started', atMs: 0, data: { direction: event.direction, stream: false } });
    store.appendEvent({ id: randomUUID(), callId: id, type: 'ended', atMs: event.at - startedAt, data: { reason: event.status } });
    const stored = store.getCall(id);
    if (stored) emit({ name: 'call.updated', payload: stored.call });
    return id;
  };

  const onStatus = async (event: TwilioStatusEvent) => {
    const live = options.liveCall(event.callSid);
    let callId = live?.id ?? callIds.get(event.callSid) ?? null;
    if (!live && !registry.streamedCall(event.callSid) && TERMINAL.has(event.status) && !storedWithoutStream.has(event.callSid)) {
      storedWithoutStream.add(event.callSid);
      callId = recordStreamlessCall(event);
      remember(event.callSid, callId);
    }
    emit({
      name: 'call.status',
      payload: {
        callSid: event.callSid,
        callId,
        status: event.status,
        direction: event.direction,
        from: event.from,
        to: event.to,
        at: event.at,
        durationSec: event.durationSec,
      },
    });
    await options.onStatus?.(event);
  };

  const webhooks = createTwilioWebhooks({
    registry,
    publicBaseUrl: () => publicOrigin(settings.get()),
    authToken: () => secrets.get('twilioAuthToken'),
    hooks: { onStatus, onRecordingStatus: options.onRecordingStatus, onRelayEnded: options.onRelayEnded, onAnsweredBy: options.onAnsweredBy },
    relayFor: (call) => {
      const s = settings.get();
      if (transportFor(s, call) !== 'relay') return null;
      return { speech: s.relay, greeting: options.relayGreeting?.(call) ?? null };
    },
    logger: options.logger,
    now,
  });

  const listen = (port: number) => startPublicServer({ port, webhooks, bridge: options.bridge, relay: options.relay, logger: options.logger });
  // Port 0 ("pick one") is settled on the first start and saved: the tunnel the user set up
  // once must find the public server on the same port after every restart.
  const chosenPort = settings.get().localPort;
  const wantedPort = chosenPort || DEFAULT_PUBLIC_PORT;
  let server: PublicServer | null = null;
  /** Why the public server is not listening (telephony.get shows it), or null. */
  let listenProblem: string | null = null;
  try {
    server = await listen(wantedPort);
  } catch (error) {
    log.warn({ port: wantedPort, code: (error as NodeJS.ErrnoException).code }, 'public server port unavailable');
    // A new install (nothing points at the default port yet) settles on a free port. A saved
    // port is where the user's tunnel forwards: listening elsewhere would quietly lose every
    // call, so the console starts without the public server and says why (Settings → Telephony).
    if (chosenPort === 0) server = await listen(0);
    else listenProblem = describeListenFailure(wantedPort, error);
  }
  if (chosenPort === 0 && server) settings.update({ localPort: server.port });

  const missing = (s: TelephonySettings): string[] => {
    const out: string[] = [];
    if (!s.accountSid) out.push('Twilio account SID');
    if (!secrets.get('twilioAuthToken')) out.push('Twilio auth token (verifies webhooks)');
    if (s.apiKeySid && !secrets.get('twilioApiKeySecret')) out.push('the secret of the Twilio API key');
    if (listenProblem) out.push(`a local port Switchboard can listen on (port ${s.localPort} is unavailable)`);
    if (!s.publicBaseUrl) out.push(`public https URL (a tunnel to ${server?.localUrl ?? `port ${s.localPort}`})`);
    if (s.phoneNumbers.length === 0) out.push('a Twilio phone number');
    return out;
  };

  const state = (): TelephonyState => {
    const s = settings.get();
    const origin = publicOrigin(s);
    const gaps = missing(s);
    return {
      settings: s,
      secrets: (['twilioAuthToken', 'twilioApiKeySecret'] as const).map((name) => secrets.status(name)),
      ready: gaps.length === 0,
      missing: gaps,
      localUrl: server?.localUrl ?? null,
      listenProblem,
      webhooks: origin
        ? {
            voice: `${origin}${TWILIO_PATHS.voice}`,
            status: `${origin}${TWILIO_PATHS.status}`,
            streamStatus: `${origin}${TWILIO_PATHS.streamStatus}`,
            media: `${origin.replace(/^https:/, 'wss:')}${TWILIO_PATHS.media}`,
            relay: `${origin.replace(/^https:/, 'wss:')}${TWILIO_PATHS.relay}`,
          }
        : null,
    };
  };

  /** One REST client per set of credentials (a campaign dials many calls; building one costs a millisecond). */
  let client: { key: string; rest: TwilioRestClient } | null = null;
  /** A REST client, or `unavailable` naming what is missing for REST calls. */
  const restClient = (s: TelephonySettings): TwilioRestClient => {
    const secret = s.apiKeySid ? secrets.get('twilioApiKeySecret') : secrets.get('twilioAuthToken');
    if (!s.accountSid || !secret) {
      const need = [!s.accountSid && 'Twilio account SID', !secret && (s.apiKeySid ? 'the secret of the Twilio API key' : 'Twilio auth token')];
      throw new ApiError('unavailable', `Twilio is not configured: missing ${need.filter(Boolean).join(' and ')}`);
    }
    const key = `${s.accountSid}\n${s.apiKeySid ?? ''}\n${secret}`;
    if (client?.key !== key) client = { key, rest: createTwilioClient({ accountSid: s.accountSid, apiKeySid: s.apiKeySid, secret }) };
    return client.rest;
  };

  const restError = (error: unknown, what: string): ApiError => {
    const { status, code, message } = describeTwilioError(error);
    log.warn({ status, code, what }, 'Twilio REST request failed');
    const detail = `${message}${code ? ` (Twilio error ${code})` : ''}`;
    if (status === 400 || status === 404) return new ApiError('bad_request', `Twilio refused to ${what}: ${detail}`);
    if (status === 401 || status === 403) return new ApiError('unavailable', `Twilio refused the credentials: ${detail}`);
    return new ApiError('unavailable', `Could not reach Twilio to ${what}: ${detail}`);
  };

  const placeDial = async (request: PlaceDialRequest): Promise<{ callSid: string; status: string; dialId: string }> => {
    const s = settings.get();
    const gaps = missing(s);
    if (gaps.length > 0) throw new ApiError('unavailable', `Twilio is not configured: missing ${gaps.join(', ')}`);
    const client = restClient(s);
    const origin = publicOrigin(s)!;
    const dial = registry.recordDial(request);
    try {
      const call = await client.calls.create({
        to: request.to,
        from: request.from,
        url: `${origin}${TWILIO_PATHS.voice}?dial=${dial.dialId}`,
        method: 'POST',
        statusCallback: `${origin}${TWILIO_PATHS.status}`,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: STATUS_CALLBACK_EVENTS,
        ...(request.machineDetection ? { machineDetection: 'Enable' } : {}),
      });
      registry.bindDial(dial.dialId, call.sid);
      log.info({ callSid: call.sid, dialId: dial.dialId, campaignId: request.campaign?.campaignId }, 'outbound call placed');
      return { callSid: call.sid, status: call.status, dialId: dial.dialId };
    } catch (error) {
      registry.forgetDial(dial.dialId);
      throw restError(error, 'place the call');
    }
  };

  return {
    registry,
    settings,
    notReady() {
      const gaps = missing(settings.get());
      return gaps.length > 0 ? `Twilio is not configured: missing ${gaps.join(', ')}` : null;
    },
    placeDial,
    async fetchCallStatus(callSid) {
      try {
        const call = await restClient(settings.get()).calls(callSid).fetch();
        return { status: call.status, answeredBy: call.answeredBy ?? null };
      } catch (error) {
        if (describeTwilioError(error).status === 404) return null;
        throw restError(error, 'look up the call');
      }
    },
    async findCalls({ to, from, sinceMs }) {
      try {
        const found = await restClient(settings.get()).calls.list({ to, from, startTimeAfter: new Date(sinceMs - 60_000), limit: 20 });
        return found.map((c) => ({ callSid: c.sid, status: c.status }));
      } catch (error) {
        throw restError(error, 'look up calls');
      }
    },
    admit: (stream, entry) => registry.admit(stream, entry),
    noteCall: remember,
    controlFor: (call) =>
      call.simulated
        ? null
        : createTwilioCallControl({
            call,
            registry,
            client: () => restClient(settings.get()),
            origin: () => publicOrigin(settings.get()),
            describe: restError,
            agentRecording: () => {
              const origin = publicOrigin(settings.get());
              return origin && options.recordAgentLeg?.(call) ? { statusCallback: `${origin}${TWILIO_PATHS.recordingStatus}` } : null;
            },
            relaySpeech: () => (call.transport === 'relay' ? settings.get().relay : null),
          }),
    handlers: {
      'telephony.get': state,
      async 'telephony.update'(patch) {
        const before = settings.get();
        const next = settings.update(patch);
        // Not listening (the port was taken at start): saving the port, even the same one, tries again.
        if (next.localPort !== before.localPort || (!server && patch.localPort !== undefined)) {
          // Bind the new port first, so a port in use leaves the old server (and setting) working.
          let started: PublicServer;
          try {
            started = await listen(next.localPort);
          } catch (error) {
            settings.update({ localPort: before.localPort });
            throw new ApiError('conflict', `Can't listen there: ${listenFailureReason(next.localPort, error)}`);
          }
          const old = server;
          server = started;
          listenProblem = null;
          await old?.close();
        }
        log.info({ fields: Object.keys(patch) }, 'telephony settings changed');
        return state();
      },
      async 'telephony.configureNumber'({ phoneNumber }) {
        const s = settings.get();
        const origin = publicOrigin(s);
        const client = restClient(s);
        if (!origin) throw new ApiError('unavailable', 'Set the public https URL (the tunnel) first: Twilio must reach it');
        let found;
        try {
          found = (await client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 })).find((n) => n.phoneNumber === phoneNumber);
        } catch (error) {
          throw restError(error, 'look up the phone number');
        }
        if (!found) throw new ApiError('not_found', 'That number is not one of the Twilio account\'s phone numbers');
        const voiceUrl = `${origin}${TWILIO_PATHS.voice}`;
        const statusCallback = `${origin}${TWILIO_PATHS.status}`;
        let updated;
        try {
          updated = await client.incomingPhoneNumbers(found.sid).update({ voiceUrl, voiceMethod: 'POST', statusCallback, statusCallbackMethod: 'POST' });
        } catch (error) {
          throw restError(error, 'update the phone number');
        }
        if (!s.phoneNumbers.includes(phoneNumber)) settings.update({ phoneNumbers: [...s.phoneNumbers, phoneNumber] });
        log.info({ sid: updated.sid }, 'phone number now points at this console');
        return { phoneNumber, sid: updated.sid, voiceUrl: updated.voiceUrl ?? voiceUrl, statusCallback: updated.statusCallback ?? statusCallback };
      },
      async 'calls.dial'({ to, from, purpose, script, profileId }) {
        const s = settings.get();
        const gaps = missing(s);
        if (gaps.length > 0) throw new ApiError('unavailable', `Twilio is not configured: missing ${gaps.join(', ')}`);
        const callerId = from ?? s.phoneNumbers[0]!;
        if (!s.phoneNumbers.includes(callerId)) throw new ApiError('bad_request', 'The caller ID must be one of this console\'s Twilio numbers');
        const check = checkOutboundCall(to, s, now());
        if (!check.ok) {
          log.info({ reason: check.reason }, 'outbound call refused');
          // The number itself (never dialable) is a bad request; a rule of these settings is a conflict.
          const numberItself = check.reason === 'invalid_number' || check.reason === 'premium_rate' || check.reason === 'shared_cost';
          throw new ApiError(numberItself ? 'bad_request' : 'conflict', check.message);
        }
        return placeDial({ to: check.e164, from: callerId, purpose, script: script ?? null, profileId: profileId ?? null });
      },
    },
    close: async () => server?.close(),
  };
}
