/**
 * An outbound campaign's settings (issue 15), as the team lead sets them in the campaign form:
 * shared, so the form refuses exactly what the core would, in the same words. The core turns
 * them into the per-lead dial rules (campaigns/dial-policy.ts) and the pace
 * (campaigns/dial-pacer.ts).
 */
import { z } from 'zod';
import { ClockTime, E164 } from './telephony';

export const CampaignSettings = z
  .object({
    name: z.string().trim().min(1, 'a campaign needs a name').max(80),
    /** Why the AI is calling, in a sentence: the AI's brief, like New AI call's purpose. */
    purpose: z.string().trim().min(1, 'say why the AI is calling').max(500),
    /** Lines the AI follows where they fit. */
    script: z.string().trim().max(4000),
    /** Local weekdays of the callee, 0 = Sunday … 6 = Saturday. */
    days: z.array(z.number().int().min(0).max(6)).min(1, 'choose at least one day').max(7),
    /** Hours in the callee's local time, [start, end); Settings → allowed hours narrow them further. */
    start: ClockTime,
    end: ClockTime,
    maxAttempts: z.number().int('a whole number of attempts').min(1, 'at least 1 attempt').max(10, 'at most 10 attempts'),
    /** Minutes before a lead is dialled again, by how the last attempt ended. */
    retryAfterMinutes: z.object({
      no_answer: z.number().int().min(1).max(7 * 24 * 60),
      busy: z.number().int().min(1).max(7 * 24 * 60),
      failed: z.number().int().min(1).max(7 * 24 * 60),
      voicemail: z.number().int().min(1).max(7 * 24 * 60),
    }),
    callsPerMinute: z.number().min(0.1, 'at least one call every 10 minutes').max(120, 'at most 120 calls a minute'),
    maxConcurrent: z.number().int('a whole number of calls').min(1, 'at least 1 call at a time').max(200, 'at most 200 calls at a time'),
    /** The number the callee sees; one of Settings → Telephony's numbers (checked by the core). */
    callerId: E164,
    /** Twilio's answering-machine detection: a machine is recorded as `voicemail` and retried as such. */
    machineDetection: z.boolean(),
  })
  .refine((c) => c.start < c.end, { message: 'the hours must start before they end', path: ['end'] });
export type CampaignSettings = z.infer<typeof CampaignSettings>;

/** What a new campaign's form starts with (callerId and the texts are the team lead's). */
export const DEFAULT_CAMPAIGN_PACE = {
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
  maxAttempts: 3,
  retryAfterMinutes: { no_answer: 240, busy: 30, failed: 60, voicemail: 240 },
  callsPerMinute: 6,
  maxConcurrent: 5,
  machineDetection: false,
} as const satisfies Partial<CampaignSettings>;

/** Where a campaign is: built (draft), dialling (running), held (paused), or over. */
export const CampaignState = z.enum(['draft', 'running', 'paused', 'cancelled', 'completed']);
export type CampaignState = z.infer<typeof CampaignState>;

/** How a lead's last dial ended, or why it is done without one. */
export const LeadOutcome = z.enum(['answered', 'no_answer', 'busy', 'failed', 'voicemail', 'refused', 'opted_out', 'cancelled']);
export type LeadOutcome = z.infer<typeof LeadOutcome>;

/** pending: waiting for its turn (or its retry, or its hours); dialling: claimed, ringing; in_call: answered, live; done: no more dials. */
export const LeadState = z.enum(['pending', 'dialling', 'in_call', 'done']);
export type LeadState = z.infer<typeof LeadState>;

/** The progress a campaign's card shows: leads by state, and the done ones by outcome. */
export const CampaignCounts = z.object({
  total: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  dialling: z.number().int().nonnegative(),
  inCall: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  /** Done leads by their final outcome; plus `retrying`: pending leads that were dialled before. */
  outcomes: z.record(z.string(), z.number().int().nonnegative()),
});
export type CampaignCounts = z.infer<typeof CampaignCounts>;

export const CampaignSummary = z.object({
  id: z.string(),
  /** 'callbacks': the queue of callbacks agreed with callers (one per console, never finished). */
  kind: z.enum(['campaign', 'callbacks']),
  state: CampaignState,
  settings: CampaignSettings,
  profileId: z.string(),
  profileName: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  counts: CampaignCounts,
  /** Why dialling is held although the campaign runs (outside hours, Twilio not configured), or null. */
  waiting: z.string().nullable(),
  /** When the next lead is due (epoch ms), or null when none is. */
  nextDialAt: z.number().nullable(),
});
export type CampaignSummary = z.infer<typeof CampaignSummary>;

export const CampaignLead = z.object({
  id: z.number().int(),
  number: z.string(),
  name: z.string().nullable(),
  context: z.record(z.string(), z.string()),
  state: LeadState,
  outcome: LeadOutcome.nullable(),
  attempts: z.number().int().nonnegative(),
  /** Earliest next dial (pending leads), epoch ms. */
  nextAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  /** The console's id of the last call (History opens it), when one was placed. */
  lastCallId: z.string().nullable(),
  /** Why the lead was refused (compliance), in words. */
  refusal: z.string().nullable(),
  disposition: z.string().nullable(),
  summary: z.string().nullable(),
});
export type CampaignLead = z.infer<typeof CampaignLead>;

/** Columns of an uploaded CSV as the team lead maps them. */
export const LeadColumnMapping = z.object({
  number: z.string().min(1).max(200),
  name: z.string().min(1).max(200).nullable(),
  /** Columns the AI gets as context; omitted: every other column. */
  context: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** For numbers written without +country ("(415) 555-0100"): ISO country, or null for E.164 only. */
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'a country code is two capital letters, such as US or GB')
    .nullable(),
});
export type LeadColumnMapping = z.infer<typeof LeadColumnMapping>;

export const LeadsPreview = z.object({
  uploadId: z.string(),
  headers: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  /** Each preview row's line in the file (the header is line 1), as the import's report numbers them. */
  lines: z.array(z.number().int().positive()),
  totalRows: z.number().int().nonnegative(),
  delimiter: z.enum([',', ';', '\t']),
  suggested: z.object({ number: z.string(), name: z.string().nullable() }).nullable(),
});
export type LeadsPreview = z.infer<typeof LeadsPreview>;

export const RejectedLeadRow = z.object({
  line: z.number().int(),
  reason: z.enum(['malformed_row', 'missing_number', 'invalid_number', 'duplicate_number']),
  message: z.string(),
});
export type RejectedLeadRow = z.infer<typeof RejectedLeadRow>;

/** A CSV arrives in pieces (a console socket's frame is small): each at most this many characters. */
export const MAX_UPLOAD_CHUNK_CHARS = 128 * 1024;
