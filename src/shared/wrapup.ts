/**
 * Closing a call (issue 8): the wrap-up (summary sections, disposition, notes, how long it
 * took), the facts the AI recorded with its `record_fact` tool, and the details (entities)
 * the caller gave. Shared by the core, the console and the CLI.
 */
import { z } from 'zod';
import type { CallEvent } from './domain';

/** Was the caller's problem solved: fully, partly, or not at all. */
export const Resolution = z.enum(['yes', 'partial', 'no']);
export type Resolution = z.infer<typeof Resolution>;

export const MAX_NOTES_CHARS = 4000;
export const MAX_FOLLOW_UPS = 10;

/** A call's summary in sections, as agent-assist products write them (situation, action, resolution). */
export const WrapUpSummary = z.object({
  /** Why the caller called, in a sentence. */
  reason: z.string().trim().max(500, 'reason: at most 500 characters'),
  /** What the AI and the agent did. */
  actions: z.string().trim().max(2000, 'actions: at most 2000 characters'),
  resolution: Resolution,
  /** What still has to happen after the call, one item each. */
  followUps: z.array(z.string().trim().min(1).max(300)).max(MAX_FOLLOW_UPS),
});
export type WrapUpSummary = z.infer<typeof WrapUpSummary>;

/** Where a summary came from: Gemini, or the offline summariser (intents, details, facts, timeline). */
export const WrapUpSource = z.enum(['gemini', 'offline']);
export type WrapUpSource = z.infer<typeof WrapUpSource>;

/** One disposition name as Settings holds it ("resolved", "wrong number"). */
export const DispositionName = z.string().trim().min(1, 'a disposition needs a name').max(40, 'a disposition name has at most 40 characters');

/**
 * A call's wrap-up: saved (`savedAt` set, `disposition` chosen by the agent) or a proposal
 * (`savedAt` null, `disposition` null, `proposedDisposition` preselected in the form).
 */
export const WrapUp = z.object({
  callId: z.string(),
  summary: WrapUpSummary,
  disposition: z.string().nullable(),
  notes: z.string().max(MAX_NOTES_CHARS),
  source: WrapUpSource,
  /** What the AI (or the offline rules) proposed; null when nothing in the list fitted. */
  proposedDisposition: z.string().nullable(),
  /** Epoch ms the wrap-up began (the agent pressed Wrap up, or the ended call's form opened). */
  startedAt: z.number(),
  /** Epoch ms of the last save; null for a proposal. */
  savedAt: z.number().nullable(),
  /** From the wrap-up's start to its first save (after-call work); null until saved. */
  wrapUpMs: z.number().int().nonnegative().nullable(),
  /** Plain words when the summary is not what was asked for (Gemini failed, so this is the offline one). */
  notice: z.string().nullable().default(null),
});
export type WrapUp = z.infer<typeof WrapUp>;

/** What `wrapup.save` takes. The summary is the agent's edited copy (sections left out keep the proposal's). */
export const WrapUpSaveInput = z
  .object({
    callId: z.string().min(1).max(100),
    disposition: DispositionName,
    notes: z.string().max(MAX_NOTES_CHARS, `notes: at most ${MAX_NOTES_CHARS} characters`).default(''),
    summary: WrapUpSummary.partial().strict().optional(),
  })
  .strict();
export type WrapUpSaveInput = z.input<typeof WrapUpSaveInput>;

/** What the team gets out of the box; Settings can change the list. */
export const DEFAULT_DISPOSITIONS: readonly string[] = [
  'resolved',
  'callback',
  'escalated',
  'sale',
  'not interested',
  'wrong number',
  'spam',
  'do not call',
];

/**
 * A disposition that records the person asked not to be called again (issue 15): their number
 * goes on the do-not-call list and no campaign dials it again. Matched by meaning, so a team's
 * own wording ("Opted out", "Don't call") counts too.
 */
export function isDoNotCallDisposition(name: string): boolean {
  return /^\s*(?:do\s*not\s*call|don'?t\s*call|dnc|opt(?:ed)?[\s-]*out|remove(?:d)?\s+from\s+(?:the\s+)?list|stop\s+calling)\s*$/i.test(name);
}

/**
 * The list's own spelling of `name` (compared without case or outer spaces), or null when the
 * list does not have it.
 */
export function findDisposition(name: string, list: readonly string[]): string | null {
  const wanted = name.trim().toLowerCase();
  return list.find((d) => d.trim().toLowerCase() === wanted) ?? null;
}

/** A fact the AI recorded with `record_fact` during a call. `atMs` is ms since the call started. */
export const CallFact = z.object({
  /** The tool_call event's id: one fact per event, stored once however often it is seen. */
  id: z.string(),
  callId: z.string(),
  key: z.string(),
  value: z.string(),
  atMs: z.number().nonnegative(),
});
export type CallFact = z.infer<typeof CallFact>;

/** Longest key and value kept from a fact (a model could send anything). */
export const MAX_FACT_KEY_CHARS = 100;
export const MAX_FACT_VALUE_CHARS = 500;

/**
 * The fact in a `tool_call` event, or null when the event is not a usable `record_fact` call.
 * Gemini's declaration names the fields `name` and `value`; `key` is accepted as well. The
 * core stores exactly this and the console derives the live list with it, so both agree.
 */
export function factFromEvent(event: Pick<CallEvent, 'id' | 'callId' | 'type' | 'atMs' | 'data'>): CallFact | null {
  if (event.type !== 'tool_call' || event.data['tool'] !== 'record_fact') return null;
  const args = event.data['args'];
  if (typeof args !== 'object' || args === null) return null;
  const fields = args as Record<string, unknown>;
  const rawKey = typeof fields['key'] === 'string' ? fields['key'] : fields['name'];
  const rawValue = fields['value'];
  if (typeof rawKey !== 'string' || (typeof rawValue !== 'string' && typeof rawValue !== 'number')) return null;
  const key = rawKey.trim().slice(0, MAX_FACT_KEY_CHARS);
  const value = String(rawValue).trim().slice(0, MAX_FACT_VALUE_CHARS);
  if (key === '' || value === '') return null;
  return { id: event.id, callId: event.callId, key, value, atMs: event.atMs };
}

/** A detail the caller gave (order or account number, date, amount, email, phone number, name). */
export const CallEntity = z.object({ type: z.string(), value: z.string() });
export type CallEntity = z.infer<typeof CallEntity>;

/** Most details a call keeps (newest first); a caller reading out a list should not grow it forever. */
export const MAX_CALL_ENTITIES = 50;

/**
 * Adds `incoming` (from the newest caller line) to a call's details, newest first: a detail
 * already there moves to the front instead of appearing twice.
 */
export function mergeEntities(current: readonly CallEntity[], incoming: readonly CallEntity[]): CallEntity[] {
  if (incoming.length === 0) return current as CallEntity[];
  const same = (a: CallEntity, b: CallEntity) => a.type === b.type && a.value === b.value;
  // Within one line the first-mentioned stays first; the line as a whole goes in front.
  const fresh = incoming.filter((e, i) => incoming.findIndex((x) => same(x, e)) === i);
  return [...fresh, ...current.filter((e) => !fresh.some((f) => same(f, e)))].slice(0, MAX_CALL_ENTITIES);
}

/** Facts as one cell of text ("order number: 12345; callback time: 5pm"), for CSV and Excel. */
export function factsText(facts: readonly Pick<CallFact, 'key' | 'value'>[]): string {
  return facts.map((f) => `${f.key}: ${f.value}`).join('; ');
}

/** A summary as one cell of text, for CSV and Excel. */
export function summaryText(summary: WrapUpSummary): string {
  const parts = [`Reason: ${summary.reason}`, `Actions: ${summary.actions}`, `Resolved: ${summary.resolution}`];
  if (summary.followUps.length > 0) parts.push(`Follow-ups: ${summary.followUps.join('; ')}`);
  return parts.join('\n');
}

/** A disposition as the console shows it: "wrong number" -> "Wrong number". */
export function dispositionLabel(name: string): string {
  const trimmed = name.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
