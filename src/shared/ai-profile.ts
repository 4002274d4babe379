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

export const AiProfileFields = z.object({
  name: z.string().trim().min(1, 'a profile needs a name').max(60),
  /** What the AI is told about its job, beyond the rules every call keeps (short replies, tools, never claiming to be human). */
  instructions: z.string().trim().max(6000),
  /** Said first on a call that came in; `{business}` allowed. */
  inboundGreeting: z.string().trim().min(1, 'a greeting is needed').max(400),
  /** Said first on a call the console placed. */
  outboundGreeting: z.string().trim().min(1, 'a greeting is needed').max(400),
});
export type AiProfileFields = z.infer<typeof AiProfileFields>;

/** Today's behaviour, word for word: the profile every install starts with. */
export const DEFAULT_AI_PROFILE_FIELDS: AiProfileFields = {
  name: 'Default',
  instructions: '',
  inboundGreeting: `Hello, you're through to ${BUSINESS_PLACEHOLDER}. I'm an automated assistant, and a member of our team can join at any time. How can I help you today?`,
  outboundGreeting: `Hello, this is an automated assistant calling from ${BUSINESS_PLACEHOLDER}. A member of our team can join at any time.`,
};
