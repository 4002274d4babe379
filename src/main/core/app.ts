/**
 * Starts the whole core under plain Node: storage, settings, providers, the media bridge,
 * call management and the command handlers. Shells (Electron, headless) only wrap this.
 */
import { join } from 'node:path';
import type { AnyEvent } from '@shared/contract';
import { version } from '../../../package.json';
import { createDispatcher, ApiError, type Handlers } from './api/dispatcher';
import { CallManager } from './calls/call-manager';
import { CallError } from './calls/call-session';
import { callPrivacy, consoleSeesOriginals } from './calls/privacy'; // redaction (issue 10)
import { ListenIn } from './calls/listen-in';
import { createFileSecretStore } from './config/secrets';
import { createSettings } from './config/settings';
import type { Core, CoreFile, CoreOptions } from './core-types';
import { createLogger, type Logger } from './log';
import { buildPersona } from './persona';
import { loadVad } from './pipeline/voice-onset'; // turn-taking (issue 14)
import { ClauseSplitter } from './pipeline/clauses';
import { CallRecordings } from './recordings/recordings'; // recordings (issue 7)
import { mediaCredentials } from './recordings/twilio-media'; // recordings (issue 7)
import { createOfflineProviders } from './providers/offline';
import { createProviderService } from './providers/provider-service';
import { createExportService } from './export/export-service'; // export (issue 7)
import { backtestOffThread } from './alerts/backtest-client'; // alerts (issue 8)
import { LiveAlerts } from './alerts/live-alerts'; // alerts (issue 8)
import { createAlertRuleStore } from './alerts/rule-store'; // alerts (issue 8)
import { computeAnalyticsOffThread } from './history/analytics-client';
import { createTeamReads } from './team/team-reads'; // team view (issue 12)
import type { TeamPort } from './team/team-port';
import { factFromEvent } from '@shared/wrapup'; // wrap-up (issue 8)
import { callEntities } from './assist/entities'; // wrap-up (issue 8)
import { GEMINI_MODEL } from './providers/provider-service'; // wrap-up (issue 8)
import { createWrapUpService } from './wrapup/wrapup-service'; // wrap-up (issue 8)
import { createWrapUpStore } from './wrapup/wrapup-store'; // wrap-up (issue 8)
import { createHistory } from './history/history';
import { makePrivateDir } from './privacy/private-files'; // privacy (issue 10)
import { RetentionPurge } from './privacy/retention'; // retention (issue 10)
import { createSyncService } from './sync/sync-service'; // team sync (issue 12)
import { openDatabase } from './store/db';
import { createCallStore } from './store/call-store';
import { startMediaBridge } from './telephony/media-bridge';
import { DEFAULT_TELEPHONY_SETTINGS, publicOrigin } from './telephony/twilio-settings';
import { createRelayBridge } from './telephony/relay/relay-bridge';
import { HANG_UP_TWIML } from './telephony/twilio-webhooks';
import { RELAY_NO_AUDIO } from './calls/call-session';
import { DemoCalls } from './telephony/demo-calls';
import { loadScenarios } from './telephony/scenario';
import { createTelephonyService, type TelephonyService } from './telephony/telephony-service';
import { loadKnowledgeBase } from './assist/knowledge-base'; // AI profiles (issue 15)
import { createProfileStore } from './profiles/profile-store'; // AI profiles (issue 15)
import { createProfileService } from './profiles/profile-service'; // AI profiles (issue 15)
import { createCampaignService } from './campaigns/campaign-service'; // campaigns (issue 15)
import { callbackNumber } from './campaigns/callbacks'; // campaigns (issue 15)
import { DO_NOT_CALL_REASON } from './persona'; // campaigns (issue 15)
import { isDoNotCallDisposition } from '@shared/wrapup'; // campaigns (issue 15)
import { mintSoftphoneToken, requireSoftphoneCredentials } from './telephony/softphone-token';

export async function startCore(options: CoreOptions & { logger?: Logger }): Promise<Core> {
  const logger = options.logger ?? createLogger();
  // privacy (issue 10): this user's alone (0700), tightened if an older build left it open.
  makePrivateDir(options.dataDir, logger);
  const settings = createSettings(options.dataDir);
  const dbPath = join(options.dataDir, 'switchboard.db');
  const db = openDatabase(dbPath);
  const store = createCallStore(db);
  const history = createHistory(db);
  // team view (issue 12): the team database Team sync is set up with (tests may hand in their own).
  const teamPort: TeamPort = options.team ?? { pool: () => sync.pool(), connection: () => sync.connection() };
  const teamReads = createTeamReads(teamPort);
  const recovered = store.markInterruptedCallsEnded(Date.now()).length;
  if (recovered > 0) logger.warn({ calls: recovered }, 'calls left open by an earlier crash were closed');

  // AI profiles (issue 15): the first start makes the default profile from today's greetings
  // and the shipped knowledge base.
  const profileStore = createProfileStore(db, {
    defaultArticles: () => loadKnowledgeBase(join(options.resourcesDir, 'knowledge-base')).articles.map(({ id, title, body }) => ({ id, title, body })),
  });

  const { providers, assist } = await createOfflineProviders({
    resourcesDir: options.resourcesDir,
    cacheDir: join(options.dataDir, 'cache'),
    // Read per reply, not once at start: a name changed in Settings applies to the next call.
    businessName: () => settings.get().businessName,
    logger,
  });
  // Offline engines under load (issue 14): the greetings every call opens with are synthesised
  // now (the voice's clause cache keeps them), not by the first callers, all at once; again
  // whenever the business name changes.
  const warmGreetings = () => {
    // Clause by clause, as a call speaks it (the cache keeps clauses).
    const clauses = [false, true].flatMap((recorded) => {
      const splitter = new ClauseSplitter();
      const profile = profileStore.defaultProfile().fields;
      return [...splitter.push(buildPersona(settings.get(), null, { recorded, profile }).greeting), ...splitter.flush()];
    });
    void Promise.all([...new Set(clauses)].map((text) => drain(providers.tts.synthesize(text, AbortSignal.timeout(30_000))))).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not prepare the greeting audio; the first call synthesises it'),
    );
  };
  warmGreetings();
  const secrets = options.secrets ?? createFileSecretStore(options.dataDir, process.env, { logger });
  const providerService = createProviderService({
    dataDir: options.dataDir,
    secrets,
    offline: { providers, assist },
    logger,
  });

  const listeners = new Set<(event: AnyEvent) => void>();
  const emit = (event: AnyEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, event: event.name }, 'event listener failed');
      }
    }
  };

  // --- recordings (issue 7) ---
  // Recorded calls (Settings → Recording) get their line through the bridge as a stereo WAV,
  // and their agent softphone legs from Twilio, in <dataDir>/recordings. Built before the
  // bridge so recordings a crash left are repaired before any call starts; the few hooks it
  // needs elsewhere in this file are marked "recordings (issue 7)".
  const recordings = new CallRecordings({
    dataDir: options.dataDir,
    db,
    settings: () => settings.get(),
    // Read when a recording is fetched; telephonyService exists by then (calls need it).
    twilioMedia: () => mediaCredentials(telephonyService.settings.get(), (name) => secrets.get(name)),
    appendEvent: (event) => store.appendEvent(event),
    emit,
    logger,
  });
  listeners.add((event) => recordings.onEvent(event));
  // --- end recordings ---

  // Turn-taking (issue 14): the voice activity detector, once for every call. Without it the
  // recogniser's speech-started still pauses the AI, a little later; nothing else changes.
  const vad = await loadVad().catch((error: unknown) => {
    logger.warn({ err: error }, 'the voice activity detector could not load; barge-in waits for the recogniser');
    return undefined;
  });
  // AI profiles (issue 15): each call runs with its profile's current version (persona,
  // knowledge base, engines, tools), resolved when it starts.
  const profiles = createProfileService({
    store: profileStore,
    resourcesDir: options.resourcesDir,
    settings: () => settings.get(),
    providers: (overrides) => providerService.providersForNextCall(overrides),
    // recordings (issue 7): a recorded call's greeting says so.
    // A ConversationRelay call's line is not recorded here (no audio reaches the console), but
    // its softphone leg is, by Twilio, after a take-over: the greeting's notice holds for both.
    recorded: (call) => recordings.decide(call),
    liveCalls: () => calls.liveSummaries(),
    campaignsUsing: (profileId) => campaigns.campaignsUsing(profileId),
    logger,
  });
  const calls = new CallManager({
    vad,
    engines: () => providerService.providersForNextCall(),
    assist,
    recorder: store,
    emit,
    logger,
    setup: (call) => profiles.setupFor(call),
    controlFor: (call) => telephony?.controlFor(call) ?? null,
    // redaction (issue 10): each call's lines and events are redacted where they are made, by
    // the policy in Settings when it starts; a redacted span's audio is toned in its recording.
    privacy: () => callPrivacy(settings.get()),
    onRedactedAudio: (callId, span) => void recordings.toneRedacted(callId, span),
  });
  // --- listen-in (issue 4): a tap per live call, followed from its start; audio flows as
  // 'call.audio' only while a console listens ('call.listen'); taps end with their stream.
  const listenIn = new ListenIn({
    liveStream: (callId) => {
      const stream = calls.live(callId).mediaStream;
      if (!stream) throw new ApiError('unavailable', RELAY_NO_AUDIO);
      return stream;
    },
    emit,
    logger,
  });
  listeners.add((event) => listenIn.onEvent(event));
  // --- end listen-in ---

  // --- team sync (issue 12): changes recorded in the outbox, drained by a worker thread ---
  const sync = createSyncService({
    db,
    dbPath,
    secrets,
    settings,
    logger,
    onStatus: (status) => emit({ name: 'sync.status', payload: status }),
    ...(options.syncWorker ? { worker: options.syncWorker } : {}),
  });
  const SYNC_SETTINGS = ['teamDeskName', 'teamTls', 'teamCaFile'] as const;
  // When sync is set up, its worker script is found (and its thread started) before the core is up: see workerScript().
  await sync.started;
  // --- end team sync ---

  // --- retention (issue 10): calls and recordings past their days (Settings → Privacy) are
  // purged now and hourly, in short batches between live calls' work; never a live call.
  const retention = new RetentionPurge({
    db,
    recordingsDir: recordings.dir,
    settings: () => settings.get(),
    isLive: (callId) => calls.find(callId) !== undefined,
    logger,
  });
  // --- end retention ---

  // --- alerts (issue 8): rules kept in alert-rules.json, evaluated on every live call after
  // each event's emit has returned (never on an AI turn's path); a rule that fires raises an
  // 'alert' event on its call. Backtests replay stored calls in a worker thread.
  const alertRules = createAlertRuleStore(options.dataDir, logger);
  const liveAlerts = new LiveAlerts({
    rules: () => alertRules.get(),
    calls: {
      clockMs: (callId) => calls.find(callId)?.clockMs ?? null,
      raise: (callId, alert) => {
        calls.find(callId)?.raiseAlert(alert);
      },
    },
    logger,
  });
  alertRules.onChange((rules) => liveAlerts.setRules(rules));
  listeners.add((event) => liveAlerts.onEvent(event));
  const alertHandlers = {
    'alerts.rules': () => alertRules.get(),
    'alerts.saveRules': ({ rules }) => alertRules.save(rules),
    'alerts.backtest': ({ rule, days }) => backtestOffThread(dbPath, rule, days),
  } satisfies Pick<Handlers, 'alerts.rules' | 'alerts.saveRules' | 'alerts.backtest'>;
  // --- end alerts ---

  // --- wrap-up (issue 8): facts the AI records with record_fact are stored as they happen
  // (the console derives its live list from the same 'tool_call' events with factFromEvent);
  // a call's wrap-up is proposed by Gemini when the console uses it, else offline, and saved.
  const wrapUpStore = createWrapUpStore(db);
  listeners.add((event) => {
    if (event.name !== 'call.event') return;
    const fact = factFromEvent(event.payload);
    if (fact === null) return;
    try {
      wrapUpStore.recordFact(fact);
    } catch (error) {
      logger.error({ err: error, callId: fact.callId }, 'could not store a recorded fact');
    }
  });
  const geminiOrigin = process.env.SWITCHBOARD_GEMINI_URL?.trim() ? new URL(process.env.SWITCHBOARD_GEMINI_URL.trim()).origin : undefined;
  const wrapUps = createWrapUpService({
    store: wrapUpStore,
    readCall: (callId) => store.getCall(callId),
    liveCall: (callId) => calls.find(callId)?.snapshot ?? null,
    entitiesOf: callEntities,
    intentLabel: (intent) => assist.intents.definition(intent)?.label ?? intent,
    settings: () => settings.get(),
    // Gemini writes the summary when new calls would use it (its key set and it chosen).
    gemini: () => {
      // Not when OpenAI is the chosen LLM: its team may not want a second vendor reading the call.
      const { choice, engines } = providerService.state();
      const llm = engines.find((engine) => engine.role === 'llm');
      const apiKey = secrets.get('geminiApiKey');
      return choice.llm === 'gemini' && llm && !llm.offline && apiKey ? { apiKey, model: GEMINI_MODEL, baseUrl: geminiOrigin } : null;
    },
    logger,
  });
  const wrapUpHandlers = {
    'wrapup.get': ({ callId }) => wrapUps.get(callId),
    'wrapup.save': async (input) => {
      const saved = await wrapUps.save(input);
      if (saved.disposition && isDoNotCallDisposition(saved.disposition)) optOut(input.callId); // campaigns (issue 15)
      // campaigns (issue 15): the agent agreed a callback (one the AI already queued is re-armed, not doubled).
      if (saved.disposition?.trim().toLowerCase() === 'callback') {
        const asked = store.getCall(input.callId)?.events.findLast((e) => e.type === 'callback_requested');
        const when = typeof asked?.data['when'] === 'string' ? asked.data['when'] : null;
        scheduleCallback(input.callId, { number: null, when }, 'The agent agreed to call the caller back.');
      }
      // Recent calls show which ended calls are wrapped up: send the call with its disposition.
      const call = store.getCall(input.callId)?.call;
      if (call) emit({ name: 'call.updated', payload: call });
      return saved;
    },
  } satisfies Pick<Handlers, 'wrapup.get' | 'wrapup.save'>;
  // --- end wrap-up ---

  // Stream admission (telephony, issue 4): a stream becomes a call only once the CallRegistry
  // admits it (a per-call token: from our TwiML, or from simulatedCall() for simulated callers).
  let telephony: TelephonyService | null = null;
  let relayCalls = (): number => 0; // the relay bridge's live sessions, once it exists
  const bridge = await startMediaBridge({
    ...options.bridge,
    // Settings → Telephony, read per new stream; the telephony service starts after the
    // bridge (it needs it), so its default applies until then.
    // One cap for every transport: ConversationRelay calls count against it too.
    maxLiveStreams: () => (telephony?.settings.get().maxLiveStreams ?? DEFAULT_TELEPHONY_SETTINGS.maxLiveStreams) - relayCalls(),
    logger,
    onStream: (stream, entry) => {
      if (!telephony) throw new Error('console still starting');
      const admitted = telephony.admit(stream, entry);
      const session = calls.attach(stream, admitted);
      recordings.onStream(session, admitted); // recordings (issue 7): record (or keep recording) this stream
      telephony.noteCall(stream.callSid, session.id);
    },
  });
  // Simulated callers are registered like real calls (issue 10): a CallSid and a token. One
  // never becomes or joins a real call: the registry refuses real CallSids, this any live one.
  const simulatedCall: Core['simulatedCall'] = (call = {}) => {
    if (!telephony) throw new Error('console still starting');
    if (call.callSid && calls.findBySid(call.callSid)) throw new ApiError('conflict', 'that CallSid is a live call');
    return telephony.registry.registerSimulated({ from: call.from ?? 'unknown', to: call.to ?? 'unknown', callSid: call.callSid });
  };
  // ConversationRelay (issue 11): calls whose number uses it connect on /relay of the public
  // server, admitted with their TwiML's token exactly like a media stream.
  const relay = createRelayBridge({
    logger,
    authToken: () => secrets.get('twilioAuthToken'),
    publicBaseUrl: () => (telephony ? publicOrigin(telephony.settings.get()) : null),
    liveCalls: () => bridge.activeStreams + relay.activeStreams,
    maxLiveCalls: () => telephony?.settings.get().maxLiveStreams ?? DEFAULT_TELEPHONY_SETTINGS.maxLiveStreams,
    msPerChar: options.relayMsPerChar,
    onStream: (stream) => {
      if (!telephony) throw new Error('console still starting');
      const admitted = telephony.admit(stream, 'public');
      const session = calls.attach(stream, admitted);
      telephony.noteCall(stream.callSid, session.id);
    },
  });
  relayCalls = () => relay.activeStreams;
  const demos = new DemoCalls(await loadScenarios(options.resourcesDir), () => bridge.url, simulatedCall, logger);

  // --- telephony (issue 4): Twilio webhooks + /media on one public server, REST, outbound rules ---
  telephony = await createTelephonyService({
    dataDir: options.dataDir,
    secrets,
    bridge,
    store,
    liveCall: (callSid) => calls.findBySid(callSid),
    // Twilio's word that a call is over ends it here too (a call with the agent's softphone
    // has no stream of ours to notice the hang-up).
    onStatus: (event) => {
      // campaigns (issue 15): how a campaign's dial went.
      campaigns.onStatus({ callSid: event.callSid, status: event.status, answeredBy: event.answeredBy, attemptId: event.dial?.campaign?.attemptId ?? null });
      const session = calls.findBySid(event.callSid);
      session?.recordStatus(event.status);
      if (['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(event.status)) void session?.end(event.status);
    },
    emit,
    logger,
    // recordings (issue 7): the agent's softphone leg, recorded by Twilio.
    recordAgentLeg: (call) => recordings.recordsAgentLeg(call),
    onRecordingStatus: (event) => recordings.onTwilioRecording(event),
    // campaigns (issue 15): who answered a campaign's dial (answering-machine detection).
    onAnsweredBy: (event) => campaigns.onAnsweredBy({ callSid: event.callSid, answeredBy: event.answeredBy, attemptId: event.dial.campaign?.attemptId ?? null }),
    relay,
    relayGreeting: (call) => profiles.personaFor({ ...call, simulated: false, transport: 'relay' }).greeting,
    // The relay session ended: after a take-over Twilio puts the caller through to the agent.
    onRelayEnded: (event) => calls.findBySid(event.callSid)?.relayEnded(event) ?? HANG_UP_TWIML,
  });
  const telephonyService = telephony;
  // --- end telephony ---

  // --- campaigns (issue 15): leads dialled on schedule; the queue lives in SQLite ---
  const campaigns = createCampaignService({
    db,
    dial: {
      notReady: () => telephonyService.notReady(),
      settings: () => telephonyService.settings.get(),
      place: (request) => telephonyService.placeDial(request),
      fetchCallStatus: (callSid) => telephonyService.fetchCallStatus(callSid),
      findCalls: (query) => telephonyService.findCalls(query),
    },
    profileName: (profileId) => profileStore.get(profileId).fields.name,
    defaultProfileId: () => profileStore.defaultProfile().id,
    emit,
    logger,
    ...options.campaigns,
  });
  // Someone who asks not to be called again (the AI's end_call with that reason, or the
  // agent's disposition) goes on the do-not-call list: no campaign, and no one, dials them again.
  const optOut = (callId: string) => {
    const call = calls.find(callId)?.snapshot ?? store.getCall(callId)?.call;
    if (!call || call.scenario !== null) return; // a simulated caller's number is nobody's
    const number = call.direction === 'outbound' ? call.to : call.from;
    if (!/^\+[1-9]\d{6,14}$/.test(number)) return;
    campaigns.optOut(number);
    const { doNotCall } = telephonyService.settings.get();
    if (!doNotCall.includes(number)) telephonyService.settings.update({ doNotCall: [...doNotCall, number] });
    logger.info({ callId }, 'the caller asked not to be called again: number added to the do-not-call list');
  };
  // A callback agreed on a real call (the AI's, while the caller waited for a person; or the
  // agent's disposition) is a lead in the callbacks queue, dialled at its time by the same rules.
  const scheduleCallback = (callId: string, said: { number: string | null; when: string | null }, reason: string) => {
    const call = calls.find(callId)?.snapshot ?? store.getCall(callId)?.call;
    if (!call || call.scenario !== null) return; // simulated callers have no number to call back
    const caller = call.direction === 'outbound' ? call.to : call.from;
    const number = callbackNumber(said.number, caller);
    const ourNumber = call.direction === 'outbound' ? call.from : call.to;
    const { phoneNumbers } = telephonyService.settings.get();
    const callerId = phoneNumbers.includes(ourNumber) ? ourNumber : phoneNumbers[0];
    if (!number || !callerId) {
      logger.warn({ callId }, 'a callback could not be queued: no number to call, or no Twilio number to call from');
      return;
    }
    campaigns.scheduleCallback({ number, when: said.when, callerId, name: null, fromCallId: callId, reason });
  };
  listeners.add((event) => {
    if (event.name !== 'call.event') return;
    const { type, data, callId } = event.payload;
    if (type === 'tool_call' && data['tool'] === 'end_call') {
      const args = data['args'] as Record<string, unknown> | undefined;
      if (args?.['reason'] === DO_NOT_CALL_REASON) optOut(callId);
    } else if (type === 'callback_requested') {
      const text = (key: string) => (typeof data[key] === 'string' && data[key] !== '' ? (data[key] as string) : null);
      scheduleCallback(callId, { number: text('number'), when: text('when') }, 'The caller asked to be called back while waiting for a person.');
    }
  });
  await campaigns.start();
  // --- end campaigns ---

  // --- export (issue 7) ---
  // Each export runs in its own worker thread with its own read-only connection; progress
  // arrives as 'export.progress' events, finished files are served as `exports/<id>`.
  const exportService = createExportService({
    dbPath,
    dataDir: options.dataDir,
    team: () => teamPort.connection(), // team view (issue 12): source 'team' exports
    emit: (job) => emit({ name: 'export.progress', payload: job }),
    logger,
  });
  const exportHandlers = {
    'export.start': (request) => exportService.start(request),
    'export.cancel': ({ id }) => exportService.cancel(id),
  } satisfies Pick<Handlers, 'export.start' | 'export.cancel'>;
  // --- end export ---

  const handlers: Handlers = {
    'app.info': () => {
      const engines = providerService.engines();
      return { version, engines, offline: engines.every((e) => e.offline), checks: providerService.checks(), transport: options.transport };
    },
    'calls.list': ({ scope, limit }) => {
      const live = new Map(calls.liveSummaries().map((c) => [c.id, c]));
      if (scope === 'live') return [...live.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
      return store.listCalls({ scope, limit }).map((c) => live.get(c.id) ?? c);
    },
    'calls.get': ({ callId }) => {
      // redaction (issue 10): originals kept beside redacted lines reach the console only when Settings allow.
      const stored = store.getCall(callId, { withOriginals: consoleSeesOriginals(settings.get()) });
      if (!stored) throw new ApiError('not_found', `no call ${callId}`);
      const live = calls.find(callId);
      return {
        ...stored,
        call: live?.snapshot ?? stored.call,
        suggestion: live?.suggestion ?? null,
        turns: store.listTurnMetrics(callId),
        recordings: recordings.list(callId), // recordings (issue 7)
        facts: wrapUpStore.listFacts(callId), // wrap-up (issue 8)
        entities: callEntities(stored.utterances), // wrap-up (issue 8): from the stored caller lines
        wrapUp: wrapUpStore.get(callId), // wrap-up (issue 8)
      };
    },
    // --- history (issue 7): the team lead's read side, straight from SQLite; source 'team'
    // reads the team database instead (issue 12), through the TeamPort in CoreOptions.
    'history.page': (input) => (input.source === 'team' ? teamReads.page(input) : history.page(input)),
    'history.search': (input) => (input.source === 'team' ? teamReads.search(input) : history.search(input)),
    'history.facets': (input) => (input.source === 'team' ? teamReads.facets() : history.facets()),
    // Hundreds of ms of SQLite on a big store: off the thread that paces live calls' audio.
    // (The team's analytics are PostgreSQL's work: the event loop only awaits them.)
    'history.analytics': (input) => (input.source === 'team' ? teamReads.analytics(input) : computeAnalyticsOffThread(dbPath, input)),
    // --- end history ---
    'demo.scenarios': () => demos.list().map(({ id, title, description }) => ({ id, title, description })),
    'demo.start': async ({ scenarioId }) => ({ callSid: (await demos.start(scenarioId)).callSid }),
    'call.takeOver': ({ callId, softphoneReady }) => calls.live(callId).takeOver({ softphoneReady }),
    'call.handBack': ({ callId }) => calls.live(callId).handBack(),
    'call.hold': ({ callId, hold }) => calls.live(callId).hold(hold),
    'call.say': ({ callId, text }) => calls.live(callId).say(text),
    'call.stopSpeaking': ({ callId }) => ({ lines: calls.live(callId).stopSpeaking() }),
    // Steering the AI without taking the call (issue 8).
    'call.pause': ({ callId, paused }) => calls.live(callId).pause(paused),
    'call.whisper': ({ callId, text }) => calls.live(callId).whisper(text),
    'call.aiSay': ({ callId, text, source }) => calls.live(callId).aiSay(text, source),
    'call.ackAlert': ({ callId, alertId }) => calls.live(callId).acknowledgeAlert(alertId),
    'call.end': async ({ callId }) => {
      const session = calls.live(callId);
      await session.end('agent_ended');
      return session.snapshot;
    },
    ...listenIn.handlers, // 'call.listen' (listen-in, issue 4)
    'settings.get': () => settings.get(),
    'settings.update': async (patch) => {
      const updated = settings.update(patch);
      if (SYNC_SETTINGS.some((key) => key in patch)) await sync.settingsChanged(); // team sync (issue 12)
      if ('businessName' in patch) warmGreetings(); // issue 14
      return updated;
    },
    'privacy.status': () => ({ lastPurge: retention.lastPurge }), // retention (issue 10)
    'providers.get': () => providerService.state(),
    'providers.update': (patch) => providerService.update(patch),
    'secrets.set': async ({ name, value }) =>
      name === 'teamDatabaseUrl' ? { ...(await sync.setUrl(value)), check: null } : providerService.setSecret(name, value),
    'secrets.clear': ({ name }) => (name === 'teamDatabaseUrl' ? sync.clearUrl() : providerService.clearSecret(name)),
    'sync.status': () => sync.status(), // team sync (issue 12)
    'sync.test': () => sync.test(),
    'providers.test': ({ provider }) => providerService.test(provider),
    // The agent's own softphone: signed with the Twilio API key from the telephony settings.
    'softphone.token': () =>
      mintSoftphoneToken(
        requireSoftphoneCredentials({ ...telephonyService.settings.get(), apiKeySecret: secrets.get('twilioApiKeySecret') }),
        { agentName: settings.get().agentName },
      ),
    ...telephonyService.handlers,
    ...exportHandlers, // export (issue 7)
    ...wrapUpHandlers, // wrap-up (issue 8)
    ...alertHandlers, // alerts (issue 8)
    ...profiles.handlers, // AI profiles (issue 15)
    ...campaigns.handlers, // campaigns (issue 15)
    // AI profiles (issue 15): an outbound call names an existing profile, or runs with the default.
    'calls.dial': (input) => {
      if (input.profileId) profileStore.get(input.profileId);
      return telephonyService.handlers['calls.dial'](input);
    },
  };
  const dispatch = createDispatcher(handlers, logger);
  // Files the console may fetch (recordings, finished exports), by the route's first segment.
  const fileRoutes: Record<string, (rest: string) => Promise<CoreFile | null> | CoreFile | null> = {};
  fileRoutes['recordings'] = (rest) => recordings.file(rest); // recordings (issue 7): recordings/<callId>/<recordingId>
  fileRoutes['exports'] = (id) => exportService.file(id); // export (issue 7)
  logger.info({ bridge: bridge.url, dataDir: options.dataDir }, 'core started');
  retention.start(); // retention (issue 10): the first purge runs now, in the background

  let closing: Promise<void> | null = null;
  return {
    dispatch,
    async file(route) {
      const slash = route.indexOf('/');
      const serve = slash > 0 ? fileRoutes[route.slice(0, slash)] : undefined;
      return serve ? serve(route.slice(slash + 1)) : null;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    bridgeUrl: bridge.url,
    simulatedCall,
    close() {
      closing ??= (async () => {
        campaigns.close(); // campaigns (issue 15): no new dials; calls in progress end below
        await retention.close(); // retention (issue 10): a running purge stops at its next batch
        demos.hangUpAll();
        await calls.endAll('console_closed');
        liveAlerts.close(); // alerts (issue 8): no timers outlive the calls
        await telephonyService.close();
        await relay.close();
        await bridge.close();
        await providerService.close();
        await exportService.close(); // export (issue 7): running exports are cancelled, workers stopped
        await recordings.close(); // recordings (issue 7): files finished before the database closes
        await sync.close(); // team sync (issue 12): the batch in flight finishes or is replayed at the next start
        db.close();
      })();
      return closing;
    },
  };
}

export { CallError };

/** Runs an async iterable to its end, keeping nothing. */
async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items) void _;
}
