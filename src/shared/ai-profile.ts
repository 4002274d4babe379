/**
 * An AI profile (issue 15): what an AI call runs with, editable in the app. Shared, so the
 * Settings form validates exactly what the core stores, and previews the greeting the caller
 * will hear with the same words.
 *
 * Two sentences of the greeting are not the profile's to remove: that the caller is speaking
 * to an automated assistant, and, when the call is recorded, that it is. A greeting without
 * them gets them (composeGreeting), so no edit can make the AI pass for a person or record
 * someone unawares.
 */
import { z } from 'zod';

/** `{business}` in a greeting or the instructions becomes Settings → Business name. */
export const BUSINESS_PLACEHOLDER = '{business}';

export const AI_DISCLOSURE = "I'm an automated assistant.";
export const RECORDING_NOTICE = 'This call is recorded.';

/** A sentence that tells the caller they are talking to an AI. */
const DISCLOSES_AI = /\b(?:automated|virtual|digital|AI|artificial[- ]intelligence)\s+(?:assistant|agent|system|receptionist)\b|\bI(?:'m| am) an? AI\b/i;
/** A sentence that tells the caller the call is recorded. */
const NOTES_RECORDING = /\b(?:call|conversation)\s+(?:is|will be|may be|is being)\s+recorded\b/i;

const sentences = (text: string): string[] =>
  text
    .trim()
    .split(/(?<=[.!?])\s+/)
    .filter((s) => s !== '');

/**
 * The greeting the caller hears: the profile's words with the business name filled in, the
 * AI disclosure after the first sentence if the words lack one, and (recorded calls) the
 * recording notice right after the disclosure if they lack that too.
 */
export function composeGreeting(template: string, options: { business: string; recorded: boolean }): string {
  const parts = sentences(template.split(BUSINESS_PLACEHOLDER).join(options.business));
  let disclosureAt = parts.findIndex((s) => DISCLOSES_AI.test(s));
  if (disclosureAt < 0) {
    disclosureAt = Math.min(1, parts.length);
    parts.splice(disclosureAt, 0, AI_DISCLOSURE);
  }
  if (options.recorded && !parts.some((s) => NOTES_RECORDING.test(s))) parts.splice(disclosureAt + 1, 0, RECORDING_NOTICE);
  return parts.join(' ');
}

/** The tools a profile may let the AI use (the same four every LLM engine declares). */
export const AiToolName = z.enum(['transfer_to_agent', 'end_call', 'lookup_knowledge', 'record_fact']);
export type AiToolName = z.infer<typeof AiToolName>;
export const AI_TOOL_NAMES = AiToolName.options;

/** 'settings': the engine Settings → Engines chose (the default); otherwise this profile's own. */
export const ProfileEngines = z.object({
  stt: z.enum(['settings', 'offline', 'deepgram']),
  llm: z.enum(['settings', 'offline', 'gemini', 'openai']),
  tts: z.enum(['settings', 'offline', 'deepgram', 'elevenlabs', 'smallest']),
});
export type ProfileEngines = z.infer<typeof ProfileEngines>;

/** A vendor voice id, as Settings → Engines takes it; null: the voice Settings chose. */
const ProfileVoiceId = z
  .string()
  .trim()
  .min(2, 'a voice id has at least 2 characters')
  .max(64, 'a voice id has at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'a voice id is letters, digits, "-" and "_" only')
  .nullable();
/** The voice per TTS engine that has a choice of voices. */
export const ProfileVoices = z.object({ elevenlabs: ProfileVoiceId, smallest: ProfileVoiceId });
export type ProfileVoices = z.infer<typeof ProfileVoices>;

export const AiProfileFields = z.object({
  name: z.string().trim().min(1, 'a profile needs a name').max(60, 'a name has at most 60 characters'),
  /** What the AI is told about its job, beyond the rules every call keeps (short replies, tools, never claiming to be human). */
  instructions: z.string().trim().max(6000, 'the instructions have at most 6,000 characters'),
  /** Said first on a call that came in; `{business}` allowed. */
  inboundGreeting: z.string().trim().min(1, 'a greeting is needed').max(400, 'a greeting has at most 400 characters'),
  /** Said first on a call the console placed. */
  outboundGreeting: z.string().trim().min(1, 'a greeting is needed').max(400, 'a greeting has at most 400 characters'),
  engines: ProfileEngines,
  voices: ProfileVoices,
  /** The tools the AI may use on this profile's calls. */
  tools: z.array(AiToolName).max(AI_TOOL_NAMES.length).transform((tools) => [...new Set(tools)]),
});
export type AiProfileFields = z.infer<typeof AiProfileFields>;

/** Today's behaviour, word for word: the profile every install starts with. */
export const DEFAULT_AI_PROFILE_FIELDS: AiProfileFields = {
  name: 'Default',
  instructions: '',
  inboundGreeting: `Hello, you're through to ${BUSINESS_PLACEHOLDER}. I'm an automated assistant, and a member of our team can join at any time. How can I help you today?`,
  outboundGreeting: `Hello, this is an automated assistant calling from ${BUSINESS_PLACEHOLDER}. A member of our team can join at any time.`,
  engines: { stt: 'settings', llm: 'settings', tts: 'settings' },
  voices: { elevenlabs: null, smallest: null },
  tools: [...AI_TOOL_NAMES],
};

/** Knowledge-base limits: what one profile's articles may hold (every version keeps a copy). */
export const MAX_ARTICLES = 300;
export const MAX_ARTICLE_CHARS = 20_000;

/** An article the AI may answer from (and the agent sees as a suggestion). Spoken prose, not markup. */
export const KbArticleInput = z.object({
  /** Omitted for a new article: made from the title. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'an article id is lower-case letters, digits and dashes')
    .optional(),
  title: z.string().trim().min(1, 'an article needs a title').max(200, 'a title has at most 200 characters'),
  body: z.string().trim().min(1, 'an article needs some text').max(MAX_ARTICLE_CHARS, `an article has at most ${MAX_ARTICLE_CHARS.toLocaleString('en')} characters`),
});
export type KbArticleInput = z.infer<typeof KbArticleInput>;
export const KbArticle = KbArticleInput.required({ id: true });
export type KbArticle = z.infer<typeof KbArticle>;

/** A profile as stored: its current version's fields and articles. */
export const AiProfile = z.object({
  id: z.string(),
  /** Counts saves from 1; a call records the version it ran with. */
  version: z.number().int().positive(),
  isDefault: z.boolean(),
  updatedAt: z.number(),
  fields: AiProfileFields,
  articles: z.array(KbArticle),
});
export type AiProfile = z.infer<typeof AiProfile>;

/** A profile in the Settings list, with what uses it (such a profile cannot be deleted). */
export const AiProfileListItem = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int().positive(),
  isDefault: z.boolean(),
  updatedAt: z.number(),
  articleCount: z.number().int().nonnegative(),
  liveCalls: z.number().int().nonnegative(),
  /** Campaigns not yet finished or cancelled that dial with it. */
  campaigns: z.number().int().nonnegative(),
  /** Inbound numbers that answer with it. */
  numbers: z.array(z.string()),
});
export type AiProfileListItem = z.infer<typeof AiProfileListItem>;

/** Turns an article title into its id ("Late fees & charges" -> "late-fees-charges"). */
export function articleIdFor(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug === '' ? 'article' : slug;
}

/** A Markdown file as an article: `# Title` first (else the file name is the title), the rest the text. */
export function articleFromMarkdown(fileName: string, markdown: string): KbArticleInput {
  const lines = markdown.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const heading = /^#\s+(.+)$/.exec(lines[0]?.trim() ?? '');
  const title = heading ? heading[1]!.trim() : fileName.replace(/\.(md|markdown|txt)$/i, '').replace(/[-_]+/g, ' ').trim();
  const body = (heading ? lines.slice(1) : lines).join('\n').trim();
  return { title, body };
}

/** One message of a Try it conversation. */
export const TryMessage = z.object({ role: z.enum(['caller', 'ai']), text: z.string().trim().min(1).max(2000) });
export type TryMessage = z.infer<typeof TryMessage>;
