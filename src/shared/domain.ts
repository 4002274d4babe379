import { z } from 'zod';
import { TeamTlsMode } from './sync';

/** Who said an utterance. */
export const Speaker = z.enum(['caller', 'ai', 'agent']);
export type Speaker = z.infer<typeof Speaker>;

/** Who is handling the call right now: the AI, or the agent who took it over. */
export const Controller = z.enum(['ai', 'agent']);
export type Controller = z.infer<typeof Controller>;

/**
 * Who has a call, finely: the AI, the AI paused by the agent (it listens, says nothing), the
 * agent at the console, the agent on their softphone, the caller on hold, the call on its way
 * back to the AI, or ended. `Controller` is the coarse view of the same thing.
 */
export const CallState = z.enum(['ai', 'ai_paused', 'agent', 'agent_phone', 'agent_hold', 'returning', 'ended']);
export type CallState = z.infer<typeof CallState>;

/** What the AI on a call is doing at this moment ('paused': the agent paused it; 'detached': the agent has the call). */
export const AiActivity = z.enum(['idle', 'listening', 'thinking', 'speaking', 'paused', 'detached']);
export type AiActivity = z.infer<typeof AiActivity>;

export const CallStatus = z.enum(['ringing', 'active', 'ended']);
export type CallStatus = z.infer<typeof CallStatus>;

export const CallDirection = z.enum(['inbound', 'outbound']);
export type CallDirection = z.infer<typeof CallDirection>;

/** Sentiment of one line: compound score in [-1, 1] (negative = unhappy) and its label. */
export const Sentiment = z.object({
  score: z.number().min(-1).max(1),
  label: z.enum(['negative', 'neutral', 'positive']),
});
export type Sentiment = z.infer<typeof Sentiment>;

/**
 * One line of the transcript. Interim lines carry `final: false` and are replaced by
 * the line with the same id; a final line with empty text withdraws the line (an AI reply
 * cut off before the caller heard a word). Times are ms since the call started.
 */
export const Utterance = z.object({
  id: z.string(),
  callId: z.string(),
  speaker: Speaker,
  text: z.string(),
  final: z.boolean(),
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  sentiment: Sentiment.nullable(),
  /** True when an AI line was cut short by the caller or a take-over; text is what was heard. */
  interrupted: z.boolean().default(false),
  /** A caller line's substantive intent (what the caller wants), when the assist engine was confident. */
  intent: z.string().max(100).nullable().optional(),
  /**
   * The words as said, when redaction changed them (issue 10). Present only where Settings keep
   * originals (redactionMode 'redacted_and_original') and allow the console to see them
   * (showOriginalToConsole); `text` is always the redacted line.
   */
  originalText: z.string().optional(),
});
export type Utterance = z.infer<typeof Utterance>;

export const CallEventType = z.enum([
  'started',
  'takeover',
  'handback',
  'barge_in',
  /**
   * The AI paused on the caller's voice, and it was not an interruption (a backchannel, a
   * cough, noise): it carried on from the last word heard. data.pausedMs, data.why
   * ('backchannel' | 'no_words'), data.replayedMs (audio sent again).
   */
  'false_interruption',
  'dtmf',
  'agent_message',
  /** The AI called a tool (transfer_to_agent, end_call, lookup_knowledge, record_fact). */
  'tool_call',
  /** The AI asks for a human: data.reason says why. The console offers Take over. */
  'takeover_requested',
  /** A provider failed and the offline engine stood in: data.role, data.reason. */
  'fallback',
  /** The caller said nothing for a while: the AI re-prompted (data.attempt). */
  'silence',
  /** Twilio reported the call's status (data.status: ringing, in-progress, completed…). */
  'status',
  /** The agent put the caller on hold (data.on: true) or took them off it (false). */
  'hold',
  /** The agent paused the AI (data.on: true) or let it carry on (false). */
  'pause',
  /** The agent's instruction to the AI, never spoken: data.text, data.handling (WhisperHandling). */
  'whisper',
  /** The agent had the AI say a line (data.utteranceId, data.source: 'suggestion' | 'agent'). */
  'ai_say',
  /** The caller finished a keypad entry: data.digits, data.kind ('menu' key or 'digits' string), data.option (the menu choice, when known). */
  'keypad',
  /** The AI kept a caller company while they waited for a person (data.waitedMs), or offered a choice (data.offer: true). */
  'waiting',
  /** The caller asked to be called back: data.number, data.when (as said), data.whenIso (when understood). */
  'callback_requested',
  /** The caller chose to carry on with the AI instead of waiting for a person. */
  'takeover_withdrawn',
  /** An alert rule fired: data is an AlertRaised (ruleId, kind, severity, title, detail, utteranceId?). */
  'alert',
  /** The agent acknowledged an alert: data.alertId (the 'alert' event's id). */
  'alert_ack',
  'ended',
  'error',
]);
export type CallEventType = z.infer<typeof CallEventType>;

/** A moment on the call's timeline. `atMs` is ms since the call started. */
export const CallEvent = z.object({
  id: z.string(),
  callId: z.string(),
  type: CallEventType,
  atMs: z.number().nonnegative(),
  data: z.record(z.string(), z.unknown()).default({}),
  /** `data` as it was before redaction (issue 10); present under the same conditions as Utterance.originalText. */
  originalData: z.record(z.string(), z.unknown()).optional(),
});
export type CallEvent = z.infer<typeof CallEvent>;

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** An alert the agent has not acknowledged yet, as a live call row shows it. */
export const ActiveAlert = z.object({
  /** The 'alert' event's id (acknowledge with it). */
  id: z.string(),
  ruleId: z.string(),
  severity: AlertSeverity,
  title: z.string(),
  atMs: z.number().nonnegative(),
});
export type ActiveAlert = z.infer<typeof ActiveAlert>;

/** What an alert rule raises on a call (stored as the 'alert' event's data). */
export const AlertRaised = z.object({
  ruleId: z.string().min(1).max(100),
  /** The rule's kind (phrase, sentiment, silence, ai_loop…), for grouping and the icon. */
  kind: z.string().min(1).max(40),
  severity: AlertSeverity,
  /** Short, plain words: "Caller mentioned a lawyer". */
  title: z.string().min(1).max(120),
  /** One more sentence of why, when useful. */
  detail: z.string().max(300).default(''),
  /** The line that set it off, when one did. */
  utteranceId: z.string().max(100).nullable().default(null),
  /** How the console should raise it: a row badge always; these on top. */
  actions: z.array(z.enum(['banner', 'notification', 'sound'])).default([]),
});
export type AlertRaised = z.infer<typeof AlertRaised>;

/** How a call reaches the core: raw audio (Twilio Media Streams) or text (Twilio ConversationRelay). */
export const CallTransport = z.enum(['media', 'relay']);
export type CallTransport = z.infer<typeof CallTransport>;

export const CallSummary = z.object({
  id: z.string(),
  /** Twilio's CallSid for this call. */
  callSid: z.string(),
  direction: CallDirection,
  from: z.string(),
  to: z.string(),
  status: CallStatus,
  controller: Controller,
  aiActivity: AiActivity,
  /** Epoch ms. */
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Scenario id for simulated calls, null for real ones. */
  scenario: z.string().nullable(),
  utteranceCount: z.number().int().nonnegative(),
  /** Mean caller sentiment score so far, null before the caller has said anything. */
  callerSentiment: z.number().min(-1).max(1).nullable(),
  endReason: z.string().nullable(),
  /** Who has the call, finely (paused, on hold, returning…). */
  state: CallState,
  /** Caller sentiment of the latest lines, oldest first (at most 20): the row's sparkline. */
  sentimentTrend: z.array(z.number().min(-1).max(1)),
  /** Epoch ms the AI asked for a person and nobody has taken the call yet; null otherwise. */
  waitingSince: z.number().nullable(),
  /** The most severe unacknowledged alert (the latest of equal severity); null when none. */
  alert: ActiveAlert.nullable(),
  /** Unacknowledged alerts on the call. */
  openAlerts: z.number().int().nonnegative(),
  /** The saved wrap-up's disposition ("Resolved"); absent or null while none is saved. */
  disposition: z.string().nullable().optional(),
  /** Live calls on ConversationRelay say so ('relay'); absent: Media Streams (and every stored call). */
  transport: CallTransport.optional(),
  /** The AI profile the call ran with, and which version of it (issue 15); absent on calls from before profiles. */
  profile: z.object({ id: z.string(), version: z.number().int().positive(), name: z.string() }).nullable().optional(),
  /** The campaign that placed the call (issue 15). */
  campaignId: z.string().nullable().optional(),
});
export type CallSummary = z.infer<typeof CallSummary>;

/** The live-only fields of a call read back from storage (it is not live: nothing open, no trend). */
export function storedCallLiveFields(status: CallStatus, controller: Controller): Pick<CallSummary, 'state' | 'sentimentTrend' | 'waitingSince' | 'alert' | 'openAlerts'> {
  return { state: status === 'ended' ? 'ended' : controller, sentimentTrend: [], waitingSince: null, alert: null, openAlerts: 0 };
}

export const KnowledgeArticleRef = z.object({
  id: z.string(),
  title: z.string(),
  snippet: z.string(),
  score: z.number(),
});
export type KnowledgeArticleRef = z.infer<typeof KnowledgeArticleRef>;

/** How the AI takes an agent's whisper: as an instruction (an LLM), as its next line (offline, "say: …"), or not at all (offline). */
export const WhisperHandling = z.enum(['instruction', 'say', 'unsupported']);
export type WhisperHandling = z.infer<typeof WhisperHandling>;

/**
 * How sure the assist engine is of the caller's intent, smoothed over the call: `unknown`
 * before the caller has said anything substantive ("Not sure yet"), `low` while the evidence
 * is thin or split between intents ("Low confidence"), `high` otherwise.
 */
export const IntentCertainty = z.enum(['high', 'low', 'unknown']);
export type IntentCertainty = z.infer<typeof IntentCertainty>;

/**
 * What the agent might do while the AI has the call (never the AI's own next line): take
 * over (with why), whisper a concrete line to the AI, or read an article.
 */
export const AgentAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('take_over'), reason: z.string() }),
  /** `text` is sent as the whisper as it is ("say: …", which every engine speaks); `label` is the gist shown on the button. */
  z.object({ kind: z.literal('whisper'), label: z.string(), text: z.string().min(1).max(500) }),
  z.object({ kind: z.literal('article'), articleId: z.string(), title: z.string() }),
]);
export type AgentAction = z.infer<typeof AgentAction>;

/** What the assist engine proposes to the agent after a caller line. */
export const Suggestion = z.object({
  callId: z.string(),
  /** The caller line it answers. */
  utteranceId: z.string(),
  /** The caller's intent smoothed over the call (one off-topic line does not flip it). */
  intent: z.string(),
  /** Human label of `intent` ("Charged twice / wrong bill"); empty in data from before it existed. */
  intentLabel: z.string().default(''),
  /** The smoothed intent's share of the call's evidence, in [0, 1]. */
  intentConfidence: z.number().min(0).max(1),
  intentCertainty: IntentCertainty.default('high'),
  /** A reply for the agent to send when they have the call (it answers the latest line). */
  reply: z.string(),
  /** Knowledge-base articles, smoothed over the call like the intent; `weak` marks a thin match. */
  articles: z.array(KnowledgeArticleRef.extend({ weak: z.boolean().default(false) })),
  /** Details in the caller's line (order and account numbers, dates, amounts, emails, phone numbers, names). */
  entities: z.array(z.object({ type: z.string(), value: z.string() })).default([]),
  /** What the agent might do while the AI has the call, most pressing first. */
  agentActions: z.array(AgentAction).default([]),
});
export type Suggestion = z.infer<typeof Suggestion>;

export const EngineRole = z.enum(['stt', 'llm', 'tts']);
export type EngineRole = z.infer<typeof EngineRole>;

export const EngineInfo = z.object({
  role: EngineRole,
  label: z.string(),
  offline: z.boolean(),
  /** Set when this engine cannot run on this machine, saying why (offline STT without PocketSphinx, issue 13). */
  unavailable: z.string().optional(),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

export const Scenario = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
});
export type Scenario = z.infer<typeof Scenario>;

/** What is stored of a line with PII in it (issue 10). */
export const RedactionMode = z.enum(['redacted', 'redacted_and_original']);
export type RedactionMode = z.infer<typeof RedactionMode>;

/** Settings the renderer may see and change. Secrets are never part of this shape. */
export const PublicSettings = z.object({
  agentName: z.string().min(1).max(80),
  businessName: z.string().min(1).max(120),
  /** ms of caller silence after which the AI gives a gentle re-prompt. */
  silenceRepromptMs: z.number().int().min(2000).max(60000),
  /**
   * Turn-taking (issue 14): while the AI speaks, the caller's voice pauses it at once and the
   * words decide. How readily sound counts as voice (WebRTC VAD mode: 0 most, 3 least), how
   * long it must last, and how long a pause waits for a real word before carrying on.
   */
  bargeInVadMode: z.number().int().min(0).max(3),
  bargeInMinVoicedMs: z.number().int().min(20).max(500),
  bargeInResumeWindowMs: z.number().int().min(200).max(3000),
  /**
   * Record simulated (demo) calls: the line through the media bridge, as a stereo file. When a
   * call is recorded the AI's greeting says so. No `.default()` here: `settings.update` takes a
   * partial patch, and a default inside it would silently reset the stored value.
   */
  recordDemoCalls: z.boolean(),
  /** Record real Twilio calls (the bridge's line, and the agent's softphone leg via Twilio). Off until the team turns it on. */
  recordRealCalls: z.boolean(),
  /** While the agent has the AI paused, after this many ms the AI says "one moment, please" once; 0 = never. */
  pauseHoldLineMs: z.number().int().min(0).max(120000),
  /** While a caller waits for a person, the AI keeps them company this often (ms). */
  waitCompanyMs: z.number().int().min(5000).max(300000),
  /** After this long waiting for a person (ms), the AI offers a choice: keep waiting, a call back, or carry on with the AI. */
  waitOfferMs: z.number().int().min(10000).max(1800000),
  /** Wrap-up dispositions the agent picks from, in the order shown (issue 8). */
  dispositions: z
    .array(z.string().trim().min(1, 'a disposition needs a name').max(40, 'a disposition name has at most 40 characters'))
    .min(1, 'keep at least one disposition')
    .max(30, 'at most 30 dispositions')
    .refine((list) => new Set(list.map((d) => d.toLowerCase())).size === list.length, 'each disposition only once'),
  // --- privacy (issue 10): PII redaction policy and retention ---
  /**
   * What is kept of a line with PII in it: only the redacted text (default), or the redacted
   * text plus the original in a separate column that is never exported (Contact Lens's two modes).
   */
  redactionMode: RedactionMode,
  /** Also mask email addresses (cards, security codes, SSNs and IBANs are always masked). */
  redactEmails: z.boolean(),
  /** Also mask phone numbers said on the call (the call's own From/To are call facts, not transcript). */
  redactPhoneNumbers: z.boolean(),
  /** The cloud LLM sees the redacted lines; off sends it the original words (only with redactionMode keeping them). */
  redactBeforeCloudLlm: z.boolean(),
  /** With redactionMode 'redacted_and_original': the console may show the original words. */
  showOriginalToConsole: z.boolean(),
  /** Calls older than this many days are deleted (with their lines, events and recordings). */
  keepCallsDays: z.number().int().min(1).max(3650),
  /** Recordings older than this many days are deleted (a call's recordings also go with the call). */
  keepRecordingsDays: z.number().int().min(1).max(3650),
  // --- team sync (issue 12); the database URL itself is a secret (teamDatabaseUrl) ---
  /** This desk's name in the team view. */
  teamDeskName: z.string().trim().min(1, 'the desk needs a name').max(60, 'a desk name has at most 60 characters'),
  teamTls: TeamTlsMode,
  /** PEM file of the CA that signed the server's certificate (verify-full); '' for none. */
  teamCaFile: z.string().trim().max(1024),
});
export type PublicSettings = z.infer<typeof PublicSettings>;

/**
 * Where the time went in one AI turn. All times are ms since the call started; each is
 * null when the turn never got that far (cut off, or answered without that stage).
 * Voice-to-voice is firstAudioAtMs - speechEndAtMs.
 */
export const TurnMetrics = z.object({
  callId: z.string(),
  /** The AI line this turn produced (Utterance.id). */
  turnId: z.string(),
  /** The caller stopped speaking (STT audio clock). */
  speechEndAtMs: z.number().nonnegative(),
  /** STT delivered the final transcript. */
  sttFinalAtMs: z.number().nonnegative(),
  /** The LLM's first token arrived. */
  llmFirstTokenAtMs: z.number().nonnegative().nullable(),
  /** TTS returned the first audio of the first clause. */
  ttsFirstByteAtMs: z.number().nonnegative().nullable(),
  /** The first AI audio frame went to the caller. */
  firstAudioAtMs: z.number().nonnegative().nullable(),
  sttLabel: z.string(),
  llmLabel: z.string(),
  ttsLabel: z.string(),
});
export type TurnMetrics = z.infer<typeof TurnMetrics>;

/**
 * The models Settings offers per vendor. The provider modules (llm/openai.ts,
 * tts/elevenlabs.ts, tts/smallest.ts) list the same; provider-service.ts checks that they agree.
 */
export const OpenAiModel = z.enum(['gpt-4o-mini', 'gpt-4o']);
export type OpenAiModel = z.infer<typeof OpenAiModel>;
export const ElevenLabsModel = z.enum(['eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_multilingual_v2']);
export type ElevenLabsModel = z.infer<typeof ElevenLabsModel>;
export const SmallestModel = z.enum(['lightning_v3.1', 'lightning_v3.1_pro']);
export type SmallestModel = z.infer<typeof SmallestModel>;

/**
 * A vendor's voice id as it goes into a URL path or a JSON field: ElevenLabs' ids are 20
 * alphanumerics ("21m00Tcm4TlvDq8ikWAM"), Smallest.AI's are names ("avery"). Anything else
 * (spaces, slashes, a pasted sentence) is refused before it reaches a request.
 */
export const VoiceId = z
  .string()
  .trim()
  .min(2, 'a voice id has at least 2 characters')
  .max(64, 'a voice id has at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'a voice id is letters, digits, "-" and "_" only');

/**
 * Which engine fills each role for the next call, and each cloud engine's model and voice.
 * Offline engines need no keys. Flat, so `providers.update` takes any subset and a stored
 * file missing a field (written by an older build) falls back for that field alone.
 */
export const ProviderChoice = z.object({
  stt: z.enum(['offline', 'deepgram']),
  llm: z.enum(['offline', 'gemini', 'openai']),
  tts: z.enum(['offline', 'deepgram', 'elevenlabs', 'smallest']),
  openaiModel: OpenAiModel,
  elevenlabsVoiceId: VoiceId,
  elevenlabsModel: ElevenLabsModel,
  smallestVoiceId: VoiceId,
  smallestModel: SmallestModel,
});
export type ProviderChoice = z.infer<typeof ProviderChoice>;

/** Each cloud engine's model and voice until the team picks others (fast, cheap, documented ones). */
export const DEFAULT_ENGINE_OPTIONS = {
  openaiModel: 'gpt-4o-mini',
  // "Rachel", one of ElevenLabs' premade voices (available to every account).
  elevenlabsVoiceId: '21m00Tcm4TlvDq8ikWAM',
  elevenlabsModel: 'eleven_flash_v2_5',
  smallestVoiceId: 'avery',
  smallestModel: 'lightning_v3.1',
} as const satisfies Pick<ProviderChoice, 'openaiModel' | 'elevenlabsVoiceId' | 'elevenlabsModel' | 'smallestVoiceId' | 'smallestModel'>;

export const SecretName = z.enum([
  'deepgramApiKey',
  'geminiApiKey',
  'openaiApiKey',
  'elevenlabsApiKey',
  'smallestApiKey',
  'twilioAuthToken',
  'twilioApiKeySecret',
  'teamDatabaseUrl',
]);
export type SecretName = z.infer<typeof SecretName>;

/** What the renderer may know about a secret: whether it is set and where from. Never its value. */
export const SecretStatus = z.object({
  name: SecretName,
  configured: z.boolean(),
  source: z.enum(['environment', 'file', 'keychain']).nullable(),
  /** False when the environment sets it (the console cannot override that). */
  editable: z.boolean(),
});
export type SecretStatus = z.infer<typeof SecretStatus>;

export const CloudProvider = z.enum(['deepgram', 'gemini', 'openai', 'elevenlabs', 'smallest']);
export type CloudProvider = z.infer<typeof CloudProvider>;

/** Why a cloud provider's key does not work: refused by the vendor, the vendor not reached, or anything else. */
export const ProviderProblem = z.enum(['rejected', 'unreachable', 'failed']);
export type ProviderProblem = z.infer<typeof ProviderProblem>;

/**
 * A connection test of a cloud provider's key (saving a key runs one; so does Test connection).
 * The last one is kept: a key that failed it is not used for new calls until it passes again.
 */
export const ProviderCheck = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  /** What happened, in a sentence (the console puts network codes in plain words). */
  message: z.string(),
  /** Null when ok. */
  problem: ProviderProblem.nullable(),
  /** Epoch ms. */
  checkedAt: z.number(),
});
export type ProviderCheck = z.infer<typeof ProviderCheck>;

/** The last check per cloud provider; null: no key, or not checked since it was set. */
export const ProviderChecks = z.object({
  deepgram: ProviderCheck.nullable(),
  gemini: ProviderCheck.nullable(),
  openai: ProviderCheck.nullable(),
  elevenlabs: ProviderCheck.nullable(),
  smallest: ProviderCheck.nullable(),
});
export type ProviderChecks = z.infer<typeof ProviderChecks>;
