/**
 * The one contract between the core and any renderer. Every command and event is
 * declared here once; both transports validate against these schemas at the boundary.
 */
import { z } from 'zod';
import {
  CloudProvider,
  ProviderCheck,
  ProviderChecks,
  ProviderChoice,
  SecretName,
  SecretStatus,
  CallEvent,
  CallSummary,
  EngineInfo,
  PublicSettings,
  Scenario,
  Suggestion,
  TurnMetrics,
  Utterance,
  WhisperHandling,
} from './domain';
import { SoftphoneToken } from './softphone';
import { SyncStatus, SyncTestResult } from './sync';
import { AlertBacktestInput, AlertBacktestResult, AlertRules } from './alerts';
import { CallEntity, CallFact, WrapUp, WrapUpSaveInput } from './wrapup';
import {
  Analytics,
  AnalyticsInput,
  ExportJob,
  ExportRequest,
  FacetsInput,
  HistoryPage,
  HistoryPageInput,
  Recording,
  SearchPage,
  SearchPageInput,
} from './history';
import { AiProfile, AiProfileFields, AiProfileListItem, KbArticleInput, TryMessage } from './ai-profile';
import { CampaignLead, CampaignSettings, CampaignSummary, LeadColumnMapping, LeadState, LeadsPreview, MAX_UPLOAD_CHUNK_CHARS, RejectedLeadRow } from './campaign';
import { ConfiguredNumber, DialRequest, DialResult, E164, TelephonyCallStatus, TelephonySettings, TelephonyState } from './telephony';

const CallRef = z.object({ callId: z.string().min(1).max(100) });
const ProvidersState = z.object({
  choice: ProviderChoice,
  secrets: z.array(SecretStatus),
  /** Engines new calls will use now (a cloud choice without its key runs offline). */
  engines: z.array(EngineInfo),
  /** The last connection test of each provider's key (a failed one keeps the key off new calls). */
  checks: ProviderChecks,
});
const Empty = z.object({}).strict().default({});
const Id = z.string().min(1).max(100);
const ProfileRef = z.object({ profileId: Id });
const CampaignRef = z.object({ campaignId: Id });

export const commands = {
  'app.info': {
    input: Empty,
    output: z.object({
      version: z.string(),
      engines: z.array(EngineInfo),
      /** True when every engine runs locally (no API keys configured). */
      offline: z.boolean(),
      /** The last connection test of each provider's key, for the engine badge ("Deepgram key rejected"). */
      checks: ProviderChecks,
      transport: z.enum(['electron', 'websocket']),
    }),
  },
  'calls.list': {
    input: z
      .object({
        scope: z.enum(['live', 'ended', 'all']).default('all'),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .default({ scope: 'all', limit: 100 }),
    output: z.array(CallSummary),
  },
  'calls.get': {
    input: CallRef.strict(),
    output: z.object({
      call: CallSummary,
      utterances: z.array(Utterance),
      events: z.array(CallEvent),
      suggestion: Suggestion.nullable(),
      /** Per-turn latency, oldest first. */
      turns: z.array(TurnMetrics),
      /** Recordings of the call, by when they start on the call's clock. */
      recordings: z.array(Recording).default([]),
      /** Facts the AI recorded (record_fact), in the order it recorded them. */
      facts: z.array(CallFact).default([]),
      /** Details the caller gave (from the stored caller lines), newest first, each once. */
      entities: z.array(CallEntity).default([]),
      /** The saved wrap-up, null until the agent saved one. */
      wrapUp: WrapUp.nullable().default(null),
    }),
  },
  /**
   * The call's saved wrap-up, or a fresh proposal (summary sections and a disposition from the
   * Settings list) for an ended call, or a live one when the agent presses Wrap up. From
   * Gemini when a Gemini key is set, else (or when Gemini fails, saying so) the offline one.
   */
  'wrapup.get': { input: CallRef.strict(), output: WrapUp },
  /** Saves (or re-saves) the wrap-up; the disposition must be one of Settings' dispositions. */
  'wrapup.save': { input: WrapUpSaveInput, output: WrapUp },
  // --- the team lead's desk: history, search, analytics, export ------------------------
  // Each takes `source`: 'desk' (this desk's store, the default) or 'team' (the team
  // database, issue 12), which answers 'unavailable' in plain words when Team sync is not
  // set up or the team database cannot be reached. Team rows carry their `desk`.
  /** Stored calls matching a filter, keyset-paginated (pass back nextCursor with the same filter and sort). */
  'history.page': { input: HistoryPageInput, output: HistoryPage },
  /** Transcript lines matching filter.search, newest first, with the matched words marked. */
  'history.search': { input: SearchPageInput, output: SearchPage },
  /** Values the filters can take in this store (end reasons seen). */
  'history.facets': { input: FacetsInput, output: z.object({ endReasons: z.array(z.string()) }) },
  'history.analytics': { input: AnalyticsInput, output: Analytics },
  /** Starts an export off the main thread; progress arrives as 'export.progress' events. */
  'export.start': { input: ExportRequest, output: ExportJob },
  /** Stops a running export; its partial file is removed. */
  'export.cancel': { input: z.object({ id: z.string().min(1).max(100) }).strict(), output: ExportJob },
  'demo.scenarios': { input: Empty, output: z.array(Scenario) },
  'demo.start': {
    input: z.object({ scenarioId: z.string().min(1).max(100).optional() }).strict().default({}),
    output: z.object({ callSid: z.string() }),
  },
  'call.takeOver': {
    /** softphoneReady: the agent's softphone is registered (a real call is put through to it). */
    input: CallRef.extend({ softphoneReady: z.boolean().optional() }).strict(),
    output: CallSummary,
  },
  'call.handBack': { input: CallRef.strict(), output: CallSummary },
  /** A real call on the agent's softphone: hold music for the caller, then back to the softphone. */
  'call.hold': { input: CallRef.extend({ hold: z.boolean() }).strict(), output: CallSummary },
  'call.say': {
    input: CallRef.extend({ text: z.string().trim().min(1).max(1000) }).strict(),
    output: Utterance,
  },
  /**
   * Stops the agent's typed line while it is being spoken (and any queued behind it): Twilio
   * `clear`, and each stopped line comes back final with only what the caller heard, marked
   * cut off (empty when none of it was heard). Nothing being spoken: no lines, no error.
   */
  'call.stopSpeaking': { input: CallRef.strict(), output: z.object({ lines: z.array(Utterance) }) },
  'call.end': { input: CallRef.strict(), output: CallSummary },
  /**
   * Pause (issue 8): the AI stops speaking at once and says nothing (one "one moment, please"
   * after Settings' pauseHoldLineMs) while still transcribing; resume and it answers knowing
   * everything said meanwhile.
   */
  'call.pause': { input: CallRef.extend({ paused: z.boolean() }).strict(), output: CallSummary },
  /** An instruction to the AI, never spoken; it follows it on its next turn (at once if idle). */
  'call.whisper': {
    input: CallRef.extend({ text: z.string().trim().min(1).max(500) }).strict(),
    output: z.object({ event: CallEvent, handling: WhisperHandling }),
  },
  /** The AI says this next (a suggested reply sent with one click), without a take-over. */
  'call.aiSay': {
    input: CallRef.extend({ text: z.string().trim().min(1).max(1000), source: z.enum(['suggestion', 'agent']).default('suggestion') }).strict(),
    output: CallEvent,
  },
  /** Marks an alert seen; the row's badge moves to the next open alert. */
  'call.ackAlert': { input: CallRef.extend({ alertId: z.string().min(1).max(100) }).strict(), output: CallSummary },
  // --- alerts (issue 8): configurable rules, and trying one on stored calls ---------------
  /** The alert rules in force (the shipped defaults until the team saves its own). */
  'alerts.rules': { input: Empty, output: AlertRules },
  /** Replaces the whole list; every rule is validated (a bad one is refused, saying which field). Live calls use it at once. */
  'alerts.saveRules': { input: z.object({ rules: AlertRules }).strict(), output: AlertRules },
  /** Where a rule (saved or not) would have fired on the stored calls of the last N days. */
  'alerts.backtest': { input: AlertBacktestInput, output: AlertBacktestResult },
  /**
   * Listen in (issue 4): while on, the core streams the live call's line audio (caller and
   * AI/agent mixed, as the caller hears it) as 'call.audio' events. Listening lapses
   * `leaseMs` after the last `listening: true` unless renewed, so a console that vanishes
   * does not leave audio flowing; it stops for good when the call ends.
   */
  'call.listen': {
    input: CallRef.extend({ listening: z.boolean() }).strict(),
    output: z.object({ listening: z.boolean(), leaseMs: z.number().int().positive().nullable() }),
  },
  // --- team sync (issue 12): the URL is the secret 'teamDatabaseUrl' (secrets.set/clear) ---
  /** Connected or not, backlog, last synced, last error in plain words. Also pushed as 'sync.status' events. */
  'sync.status': { input: Empty, output: SyncStatus },
  /** Connects to the team database with the saved URL and settings, creates or upgrades its schema, and says what happened. */
  'sync.test': { input: Empty, output: SyncTestResult },
  'settings.get': { input: Empty, output: PublicSettings },
  'settings.update': { input: PublicSettings.partial().strict(), output: PublicSettings },
  /** Retention (issue 10): when the last purge of old calls and recordings ran and what it removed; null before the first. */
  'privacy.status': {
    input: Empty,
    output: z.object({
      lastPurge: z
        .object({
          at: z.number(),
          calls: z.number().int().nonnegative(),
          recordings: z.number().int().nonnegative(),
          /** Recording files that could not be deleted (their calls wait for the next purge). */
          failedFiles: z.number().int().nonnegative(),
        })
        .nullable(),
    }),
  },
  'providers.get': { input: Empty, output: ProvidersState },
  /** Applies to calls that start after it; live calls keep their engines. */
  'providers.update': { input: ProviderChoice.partial().strict(), output: ProvidersState },
  /** Write-only: the value never comes back to the renderer. */
  'secrets.set': {
    input: z.object({ name: SecretName, value: z.string().trim().min(8).max(512) }).strict(),
    /** A cloud provider's key is tested as it is saved: `check` is that test (null for other secrets). */
    output: SecretStatus.extend({ check: ProviderCheck.nullable() }),
  },
  'secrets.clear': { input: z.object({ name: SecretName }).strict(), output: SecretStatus },
  /** Makes one small real request with the configured key and says plainly what happened. */
  'providers.test': {
    input: z.object({ provider: CloudProvider }).strict(),
    output: ProviderCheck,
  },
  /**
   * A short-lived Twilio Voice token for the agent's softphone. `unavailable` (saying which
   * setting is missing) until Twilio is configured. Never logged.
   */
  'softphone.token': { input: Empty, output: SoftphoneToken },
  // --- telephony (Twilio): settings, number set-up, outbound calls --------------------
  'telephony.get': { input: Empty, output: TelephonyState },
  'telephony.update': { input: TelephonySettings.partial().strict(), output: TelephonyState },
  /** Points the number's VoiceUrl and StatusCallback at publicBaseUrl (Twilio REST). */
  'telephony.configureNumber': { input: z.object({ phoneNumber: E164 }).strict(), output: ConfiguredNumber },
  /**
   * Places an outbound AI call. Refused, saying why, when the number is invalid, on the
   * do-not-call list, outside the callee's allowed hours, or Twilio is not configured.
   */
  'calls.dial': { input: DialRequest, output: DialResult },
  // --- AI profiles (issue 15): what an AI call runs with; every save is a new version, and a
  // call runs with (and records) the version current when it started.
  'profiles.list': { input: Empty, output: z.array(AiProfileListItem) },
  'profiles.get': { input: ProfileRef.strict(), output: AiProfile },
  /** Creates a profile (no profileId) or saves a new version of one. */
  'profiles.save': { input: z.object({ profileId: Id.optional(), fields: AiProfileFields }).strict(), output: AiProfile },
  /** A copy under a new name ("… (copy)" unless named), articles included. */
  'profiles.duplicate': { input: ProfileRef.extend({ name: AiProfileFields.shape.name.optional() }).strict(), output: AiProfile },
  /** Refused (conflict, saying what uses it) for the default profile and one a live call, a campaign or a number uses. */
  'profiles.delete': { input: ProfileRef.strict(), output: z.object({ profileId: z.string() }) },
  /** Adds (no id, or a new one) or replaces a knowledge-base article. */
  'profiles.saveArticle': { input: ProfileRef.extend({ article: KbArticleInput }).strict(), output: AiProfile },
  'profiles.deleteArticle': { input: ProfileRef.extend({ articleId: Id }).strict(), output: AiProfile },
  /**
   * Markdown files as articles (`# Title` first); an article with the same title is replaced.
   * At most 200,000 characters a request (a console socket's frame is small): send more in several.
   */
  'profiles.importArticles': {
    input: ProfileRef.extend({
      files: z
        .array(z.object({ name: z.string().min(1).max(200), text: z.string().max(40_000) }))
        .min(1)
        .max(50)
        .refine((files) => files.reduce((n, f) => n + f.text.length, 0) <= 200_000, 'at most 200,000 characters of files a request: send the rest in another'),
    }).strict(),
    output: z.object({ profile: AiProfile, added: z.number().int(), replaced: z.number().int(), problems: z.array(z.string()) }),
  },
  /** Which profile answers calls to an inbound number (null: the default profile). */
  'profiles.assignNumber': { input: z.object({ phoneNumber: E164, profileId: Id.nullable() }).strict(), output: z.array(AiProfileListItem) },
  /**
   * Try it: the AI's next reply to a typed conversation, with this profile and the engines a
   * new call would use (text only: nothing is spoken, dialled or stored).
   */
  'profiles.try': {
    input: ProfileRef.extend({ direction: z.enum(['inbound', 'outbound']).default('inbound'), messages: z.array(TryMessage).max(60) }).strict(),
    output: z.object({
      /** The greeting a call opens with (the conversation's first AI line). */
      greeting: z.string(),
      reply: z.string(),
      /** Tools the AI used for this reply, with what they were asked. */
      tools: z.array(z.object({ name: z.string(), args: z.record(z.string(), z.unknown()) })),
      /** Knowledge-base articles that match the caller's last line, best first. */
      articles: z.array(z.object({ id: z.string(), title: z.string() })),
      engine: z.string(),
      version: z.number().int(),
    }),
  },
  // --- campaigns (issue 15): a call queue that dials leads on schedule -----------------
  /**
   * A leads CSV, in pieces of at most MAX_UPLOAD_CHUNK_CHARS (uploadId null for the first):
   * the last piece answers with the file's preview (columns, first rows, a suggested mapping).
   */
  'leads.upload': {
    input: z.object({ uploadId: Id.nullable(), text: z.string().max(MAX_UPLOAD_CHUNK_CHARS), last: z.boolean() }).strict(),
    output: z.object({ uploadId: z.string(), chars: z.number().int(), preview: LeadsPreview.nullable() }),
  },
  /** A campaign (draft) from its settings and an uploaded CSV with its column mapping; bad rows are reported, not fatal. */
  'campaigns.create': {
    input: z.object({ settings: CampaignSettings, profileId: Id, uploadId: Id, mapping: LeadColumnMapping }).strict(),
    output: z.object({ campaign: CampaignSummary, imported: z.number().int(), rejected: z.array(RejectedLeadRow), rejectedCount: z.number().int() }),
  },
  'campaigns.list': { input: Empty, output: z.array(CampaignSummary) },
  'campaigns.get': { input: CampaignRef.strict(), output: CampaignSummary },
  /** A campaign's leads by id (keyset: pass nextCursor back), optionally in one state. */
  'campaigns.leads': {
    input: CampaignRef.extend({ state: LeadState.optional(), after: z.number().int().nonnegative().default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ leads: z.array(CampaignLead), nextCursor: z.number().int().nullable() }),
  },
  /** start (a draft), pause, resume, cancel: new dials stop at once; calls in progress finish. */
  'campaigns.control': {
    input: CampaignRef.extend({ action: z.enum(['start', 'pause', 'resume', 'cancel']) }).strict(),
    output: CampaignSummary,
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

/**
 * A slice of a live call's line audio for listen-in: mono, 8000 Hz, `data` base64 of raw
 * mu-law (1 byte/sample) or little-endian PCM16. `seq` counts a call's slices from 0 (a gap
 * means slices were lost); `atMs` is the first sample's time on the call's media clock.
 */
export const CallAudio = z.object({
  callId: z.string(),
  seq: z.number().int().nonnegative(),
  atMs: z.number().nonnegative(),
  encoding: z.enum(['mulaw', 'pcm16']),
  sampleRateHz: z.literal(8000),
  // A 100 ms mu-law slice is ~1.1 KB of base64; 64 KB bounds anything sane.
  data: z.base64().max(64 * 1024),
});
export type CallAudio = z.infer<typeof CallAudio>;

export const events = {
  /** A call's summary changed (new call, status, controller, AI activity, sentiment). */
  'call.updated': CallSummary,
  /** A transcript line appeared or an interim line changed. */
  'call.transcript': Utterance,
  /** Something happened on a call's timeline. */
  'call.event': CallEvent,
  /** Fresh suggestions for the agent. */
  'call.suggestion': Suggestion,
  /** An AI turn's latency breakdown, once its first audio went out. */
  'call.turn': TurnMetrics,
  /** A Twilio status callback for a call (ringing, in-progress, completed, no-answer, busy, failed…). */
  'call.status': TelephonyCallStatus,
  /** Line audio of a call someone is listening in on ('call.listen'), ~10 slices a second. */
  'call.audio': CallAudio,
  /** An export's progress, a few times a second while it runs, and once when it finishes. */
  'export.progress': ExportJob,
  /** Team sync's status changed (connected, backlog, error). */
  'sync.status': SyncStatus,
  /** A campaign's state or progress changed (at most a few times a second per campaign). */
  'campaign.updated': CampaignSummary,
} as const satisfies Record<string, z.ZodType>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandArgs<N extends CommandName> = z.output<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;
export type AnyEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];

export const ErrorCode = z.enum(['bad_request', 'not_found', 'conflict', 'unavailable', 'internal']);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Every command answers with this envelope, never a thrown error across the transport. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

export { ipcChannels } from './ipc';
