/**
 * Twilio ConversationRelay's WebSocket messages (protocols-2.md §1), both directions.
 * Twilio -> app messages are validated here; app -> Twilio messages are typed here.
 *
 * With ConversationRelay Twilio does the speech: it transcribes the caller and sends text
 * (`prompt`), and speaks the text we send (`text` tokens). No audio crosses this socket.
 */
import { z } from 'zod';

export const RELAY_PATH = '/relay';

/**
 * The largest message the relay reads (ws maxPayload). A `prompt` carries one utterance
 * (a long one is ~1 KB), a `setup` the call's facts and our few parameters: 16 KiB is far
 * beyond either and still refuses a peer that pushes megabytes through one frame.
 */
export const MAX_RELAY_MESSAGE_BYTES = 16 * 1024;

/** The longest utterance a prompt may carry (about three minutes of speech). */
const MAX_PROMPT_CHARS = 4000;

export const SetupMessage = z.object({
  type: z.literal('setup'),
  sessionId: z.string().min(1).max(64),
  accountSid: z.string().max(64),
  callSid: z.string().min(1).max(64),
  from: z.string().max(64).default(''),
  to: z.string().max(64).default(''),
  direction: z.string().max(32).optional(),
  customParameters: z.record(z.string(), z.string().max(2000)).default({}),
});
export type SetupMessage = z.infer<typeof SetupMessage>;

export const PromptMessage = z.object({
  type: z.literal('prompt'),
  voicePrompt: z.string().max(MAX_PROMPT_CHARS),
  lang: z.string().max(16).optional(),
  /** False on a partial prompt (the `partialPrompts` attribute); the utterance goes on. */
  last: z.boolean().default(true),
});

export const InterruptMessage = z.object({
  type: z.literal('interrupt'),
  /** What the caller heard of our text before they spoke over it. */
  utteranceUntilInterrupt: z.string().max(20_000).default(''),
  // One copy of Twilio's docs shows a number, another a string: accept both.
  durationUntilInterruptMs: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).transform(Number).default(0),
});

export const DtmfMessage = z.object({
  type: z.literal('dtmf'),
  digit: z.string().regex(/^[0-9*#A-Da-dw]$/, 'one keypad digit'),
});

export const ErrorMessage = z.object({
  type: z.literal('error'),
  description: z.string().max(2000).default(''),
});

/** `info` (with the `events` attribute): its shape is unconfirmed [?]; read and ignored. */
export const InfoMessage = z.object({ type: z.literal('info') }).loose();

export const RelayInbound = z.discriminatedUnion('type', [SetupMessage, PromptMessage, InterruptMessage, DtmfMessage, ErrorMessage, InfoMessage]);
export type RelayInbound = z.infer<typeof RelayInbound>;

/** One inbound message, validated; a reason in words when it is not one. */
export function parseRelayMessage(text: string): { ok: true; message: RelayInbound } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = RelayInbound.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid message${issue ? `: ${issue.path.join('.') || 'type'} ${issue.message}` : ''}` };
}

/** What the app sends Twilio. */
export type RelayOutbound =
  | { type: 'text'; token: string; last: boolean; interruptible?: boolean; preemptible?: boolean; lang?: string }
  | { type: 'play'; source: string; loop?: number; interruptible?: boolean; preemptible?: boolean }
  | { type: 'sendDigits'; digits: string }
  | { type: 'language'; ttsLanguage?: string; transcriptionLanguage?: string }
  | { type: 'end'; handoffData?: string };

/** Why the app ended a relay session, in `handoffData` (a JSON string, as Twilio wants it). */
export interface RelayHandoff {
  /** `live-agent-handoff`: the agent took the call; `ended`: the call is over. */
  reasonCode: 'live-agent-handoff' | 'ended';
  callId?: string;
  reason?: string;
}

/** Digits Twilio's `sendDigits` plays: keypad keys and `w` (a half-second pause). */
export const SEND_DIGITS = /^[0-9*#wW]{1,64}$/;
