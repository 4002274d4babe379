/**
 * The wrap-up summary from Gemini (@google/genai `models.generateContent`, structured JSON
 * output): the transcript, the timeline, the recorded facts and the caller's details go in;
 * the summary sections and a disposition from the team's list come out, checked against a
 * schema. Any failure is a GeminiSummaryError whose message says what went wrong in plain
 * words (never the key, never the transcript); the caller falls back to the offline summary.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { z } from 'zod';
import { findDisposition, MAX_FOLLOW_UPS } from '@shared/wrapup';
import { entityLabel, timelineNotes, type OfflineSummaryOptions, type SummaryProposal, type WrapUpMaterial } from './offline-summary';

export interface GeminiSummaryOptions {
  apiKey: string;
  model: string;
  /** The API origin (tests: the loopback fake, via SWITCHBOARD_GEMINI_URL). */
  baseUrl?: string | undefined;
  /** Give up after this long. Default 15000: the agent is waiting, but not on a phone line. */
  timeoutMs?: number;
}

export class GeminiSummaryError extends Error {
  override readonly name = 'GeminiSummaryError';
}

/** The transcript sent is at most this long; a longer call keeps its start and its end. */
const MAX_TRANSCRIPT_CHARS = 24_000;

const SYSTEM_INSTRUCTION = [
  'You write the wrap-up of a customer-service phone call for the agent who supervised it.',
  'The call was answered by an AI voice agent; a human agent may have taken it over.',
  'Write plainly and briefly, in the third person, about the caller and what was done.',
  'reason: one sentence, why the caller called. actions: one to three sentences, what the AI and the agent did.',
  'resolution: yes if the caller got what they called for, partial if some of it, no if not.',
  'followUps: concrete things someone still has to do after the call (empty when nothing).',
  'disposition: the one name from the given list that fits the call best.',
  'Use only what the call contains; never invent numbers, names or promises.',
].join(' ');

const Reply = z.object({
  reason: z.string(),
  actions: z.string(),
  resolution: z.enum(['yes', 'partial', 'no']),
  followUps: z.array(z.string()).default([]),
  disposition: z.string().nullable().optional(),
});

function responseSchema(dispositions: readonly string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      reason: { type: 'string', description: 'Why the caller called, one sentence.' },
      actions: { type: 'string', description: 'What the AI and the agent did.' },
      resolution: { type: 'string', enum: ['yes', 'partial', 'no'] },
      followUps: { type: 'array', items: { type: 'string' }, maxItems: MAX_FOLLOW_UPS },
      disposition: { type: 'string', enum: [...dispositions] },
    },
    required: ['reason', 'actions', 'resolution', 'followUps', 'disposition'],
    propertyOrdering: ['reason', 'actions', 'resolution', 'followUps', 'disposition'],
  };
}

const SPEAKER = { caller: 'Caller', ai: 'AI', agent: 'Agent' } as const;

/** What Gemini is asked, as one user turn. Exported for tests. */
export function summaryPrompt(material: WrapUpMaterial, options: OfflineSummaryOptions): string {
  let transcript = material.utterances
    .filter((u) => u.text.trim() !== '')
    .map((u) => `${SPEAKER[u.speaker]}: ${u.text.trim()}`)
    .join('\n');
  if (transcript.length > MAX_TRANSCRIPT_CHARS) {
    const half = MAX_TRANSCRIPT_CHARS / 2;
    transcript = `${transcript.slice(0, half)}\n[… middle of the call left out …]\n${transcript.slice(-half)}`;
  }
  const intents = [...new Set(material.utterances.flatMap((u) => (u.speaker === 'caller' && u.intent ? [options.intentLabel(u.intent)] : [])))];
  const sections = [
    `Dispositions to choose from: ${options.dispositions.map((d) => JSON.stringify(d)).join(', ')}.`,
    intents.length > 0 ? `Topics the caller raised (classifier): ${intents.join('; ')}.` : '',
    material.entities.length > 0
      ? `Details the caller gave: ${[...material.entities].reverse().map((e) => `${entityLabel(e.type)} ${e.value}`).join('; ')}.`
      : '',
    material.facts.length > 0 ? `Facts the AI recorded: ${material.facts.map((f) => `${f.key}: ${f.value}`).join('; ')}.` : '',
    `What happened on the call:\n${timelineNotes(material).join('\n') || '(nothing beyond the conversation)'}`,
    `Transcript:\n${transcript || '(nobody said anything)'}`,
  ];
  return sections.filter((s) => s !== '').join('\n\n');
}

export async function geminiWrapUp(
  material: WrapUpMaterial,
  options: OfflineSummaryOptions,
  gemini: GeminiSummaryOptions,
): Promise<SummaryProposal> {
  const ai = new GoogleGenAI({ apiKey: gemini.apiKey, ...(gemini.baseUrl ? { httpOptions: { baseUrl: gemini.baseUrl } } : {}) });
  const timeoutMs = gemini.timeoutMs ?? 15_000;
  const redact = (s: string) => (gemini.apiKey.length >= 4 ? s.split(gemini.apiKey).join('[redacted]') : s);
  let raw: string | undefined;
  try {
    const response = await ai.models.generateContent({
      model: gemini.model,
      contents: [{ role: 'user', parts: [{ text: summaryPrompt(material, options) }] }],
      config: {
        systemInstruction: SYSTEM_INSTRUCTION,
        responseMimeType: 'application/json',
        responseJsonSchema: responseSchema(options.dispositions),
        temperature: 0.2,
        // A summary needs no reasoning budget; it would only add seconds.
        thinkingConfig: { thinkingBudget: 0 },
        abortSignal: AbortSignal.timeout(timeoutMs),
      },
    });
    raw = response.text;
  } catch (error) {
    throw new GeminiSummaryError(redact(describe(error, timeoutMs)), { cause: error });
  }
  if (raw === undefined || raw.trim() === '') throw new GeminiSummaryError('Gemini sent an empty answer');
  let parsed: z.infer<typeof Reply>;
  try {
    parsed = Reply.parse(JSON.parse(raw));
  } catch {
    throw new GeminiSummaryError('Gemini’s answer was not the summary asked for');
  }
  const clip = (s: string, max: number) => (s.trim().length <= max ? s.trim() : `${s.trim().slice(0, max - 1)}…`);
  return {
    summary: {
      reason: clip(parsed.reason, 500),
      actions: clip(parsed.actions, 2000),
      resolution: parsed.resolution,
      followUps: parsed.followUps
        .map((f) => f.trim())
        .filter((f) => f !== '')
        .slice(0, MAX_FOLLOW_UPS)
        .map((f) => clip(f, 300)),
    },
    // Only a name the list has; anything else proposes nothing rather than a made-up one.
    proposedDisposition: parsed.disposition ? findDisposition(parsed.disposition, options.dispositions) : null,
  };
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403 || /API_KEY_INVALID/.test(error.message)) return 'Gemini rejected the API key';
    if (error.status === 429) return 'Gemini is rate-limiting requests (HTTP 429)';
    return `Gemini answered HTTP ${error.status}`;
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return `Gemini did not answer within ${Math.round(timeoutMs / 1000)} s`;
  return 'Gemini could not be reached';
}
