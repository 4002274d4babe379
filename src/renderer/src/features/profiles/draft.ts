/**
 * A profile's form as the agent types it, and what is wrong with it: checked with the shared
 * AiProfileFields schema, so a message here is the one the core would give. Voice ids are text
 * in the form ('' = the voice Settings chose) and null in the profile.
 */
import { AiProfileFields, KbArticleInput, type AiToolName, type ProfileEngines } from '@shared/ai-profile';
import type { z } from 'zod';

export interface ProfileDraft {
  name: string;
  instructions: string;
  inboundGreeting: string;
  outboundGreeting: string;
  engines: ProfileEngines;
  voices: { elevenlabs: string; smallest: string };
  tools: AiToolName[];
}

/** Problems by field path: "name", "inboundGreeting", "voices.elevenlabs", "tools". */
export type DraftProblems = Partial<Record<string, string>>;

export function draftOf(fields: AiProfileFields): ProfileDraft {
  return {
    name: fields.name,
    instructions: fields.instructions,
    inboundGreeting: fields.inboundGreeting,
    outboundGreeting: fields.outboundGreeting,
    engines: { ...fields.engines },
    voices: { elevenlabs: fields.voices.elevenlabs ?? '', smallest: fields.voices.smallest ?? '' },
    tools: [...fields.tools],
  };
}

/** The draft as the contract takes it (not yet validated). */
export function fieldsOf(draft: ProfileDraft): AiProfileFields {
  const voice = (id: string) => (id.trim() === '' ? null : id.trim());
  return {
    ...draft,
    voices: { elevenlabs: voice(draft.voices.elevenlabs), smallest: voice(draft.voices.smallest) },
    tools: [...draft.tools],
  };
}

/** Same profile as saved? Compared as the core would store it (trimmed, tools in any order). */
export function sameFields(draft: ProfileDraft, saved: AiProfileFields): boolean {
  const a = AiProfileFields.safeParse(fieldsOf(draft));
  if (!a.success) return false;
  const norm = (f: AiProfileFields) => JSON.stringify({ ...f, tools: [...f.tools].sort() });
  return norm(a.data) === norm(saved);
}

/** zod's words as a sentence: "a profile needs a name" -> "A profile needs a name." */
export function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

function problemsFrom(error: z.ZodError): DraftProblems {
  const problems: DraftProblems = {};
  for (const issue of error.issues) {
    const key = issue.path.filter((p) => typeof p === 'string').join('.');
    problems[key] ??= sentence(issue.message);
  }
  return problems;
}

export function draftProblems(draft: ProfileDraft): DraftProblems {
  const parsed = AiProfileFields.safeParse(fieldsOf(draft));
  return parsed.success ? {} : problemsFrom(parsed.error);
}

export function articleProblems(article: { title: string; body: string }): DraftProblems {
  const parsed = KbArticleInput.safeParse(article);
  return parsed.success ? {} : problemsFrom(parsed.error);
}
