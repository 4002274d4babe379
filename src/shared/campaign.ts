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
