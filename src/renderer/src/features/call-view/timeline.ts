/** Interleaves transcript lines and timeline events into one ordered list for the transcript view. */
import type { CallEvent, Utterance, WhisperHandling } from '@shared/domain';
import { factFromEvent } from '@shared/wrapup';
import { endReasonLabel, errorInWords, formatDuration, formatOffset, titleCase } from '../../lib/format';

export type TimelineItem =
  | { kind: 'line'; key: string; line: Utterance }
  | { kind: 'event'; key: string; event: CallEvent };

/** Events that are already visible as transcript lines are not repeated as dividers. */
const HIDDEN_EVENTS = new Set<CallEvent['type']>(['agent_message']);

/**
 * The AI's transfer_to_agent tool call is the same moment as the 'takeover_requested' event it
 * causes ("AI asked for a person"); one divider says it, not two.
 */
function saidByTakeoverRequest(ev: CallEvent, events: readonly CallEvent[]): boolean {
  if (ev.type !== 'tool_call' || ev.data['tool'] !== 'transfer_to_agent') return false;
  return events.some((other) => other.type === 'takeover_requested' && Math.abs(other.atMs - ev.atMs) <= 2000);
}

/** The events the transcript shows as dividers, in order. */
export function visibleEvents(events: readonly CallEvent[]): CallEvent[] {
  return events.filter((ev) => !HIDDEN_EVENTS.has(ev.type) && !saidByTakeoverRequest(ev, events));
}

export function buildTimeline(lines: readonly Utterance[], events: readonly CallEvent[]): TimelineItem[] {
  const out: TimelineItem[] = [];
  let e = 0;
  const visible = visibleEvents(events);
  for (const line of lines) {
    while (e < visible.length && visible[e]!.atMs <= line.startMs) {
      const ev = visible[e++]!;
      out.push({ kind: 'event', key: `e:${ev.id}`, event: ev });
    }
    out.push({ kind: 'line', key: `u:${line.id}`, line });
  }
  while (e < visible.length) {
    const ev = visible[e++]!;
    out.push({ kind: 'event', key: `e:${ev.id}`, event: ev });
  }
  return out;
}

function text(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** ": reason" when the event carries one (also looked for in a tool call's args). */
function reasonOf(ev: CallEvent): string {
  const args = ev.data['args'];
  const fromArgs = args && typeof args === 'object' ? text(args as Record<string, unknown>, 'reason') : null;
  const reason = text(ev.data, 'reason') ?? fromArgs;
  // A failed engine's reason can be a raw network error ("getaddrinfo ENOTFOUND …").
  return reason ? `: ${errorInWords(reason).text}` : '';
}

/**
 * The fallback event does not name the engine that failed, but its reason always does
 * ("OpenAI gpt-4o-mini: …", "Could not reach ElevenLabs at …"); the defaults are the
 * engines that were the only cloud ones before OpenAI, ElevenLabs and Smallest.AI.
 */
const FAILED_VENDOR = /\b(Deepgram|Gemini|OpenAI|ElevenLabs|Smallest\.AI)\b/;
const DEFAULT_VENDOR: Record<string, string> = { llm: 'Gemini', stt: 'Deepgram', tts: 'Deepgram' };

function leftOutEngine(role: string, vendor: string): string | undefined {
  if (role === 'llm') return `${vendor} not used on this call — offline engine answers`;
  if (role === 'stt') return `${vendor} speech-to-text not used on this call — offline engine is listening`;
  if (role === 'tts') return `${vendor} voice not used on this call — offline voice is speaking`;
  return undefined;
}

function failedEngine(role: string, vendor: string): string | undefined {
  if (role === 'llm') return `${vendor} failed — offline engine answered`;
  if (role === 'stt') return `${vendor} speech-to-text failed — offline engine is listening`;
  if (role === 'tts') return `${vendor} voice failed — offline voice is speaking`;
  return undefined;
}

function toolCallLabel(ev: CallEvent): string {
  const tool = text(ev.data, 'tool');
  switch (tool) {
    case 'transfer_to_agent':
      return `AI asked to transfer${reasonOf(ev)}`;
    case 'end_call':
      return `AI ended the call${reasonOf(ev)}`;
    case 'record_fact': {
      // wrap-up (issue 8): the fact itself, read as the core stores it.
      const fact = factFromEvent(ev);
      return fact ? `AI noted ${fact.key}: ${fact.value}` : 'AI noted a fact';
    }
    case null:
      return 'AI used a tool';
    default:
      return `AI used ${tool}`;
  }
}

export function eventLabel(ev: CallEvent): string {
  const by = typeof ev.data['agent'] === 'string' ? ` by ${ev.data['agent']}` : '';
  switch (ev.type) {
    case 'started':
      // ConversationRelay (issue 11): Twilio hears and speaks; the console sees text only.
      return ev.data['transport'] === 'relay' ? 'Call started on ConversationRelay (Twilio speaks and listens; not recorded here)' : 'Call started';
    case 'takeover':
      return `Agent took over${by}`;
    case 'handback':
      return 'Handed back to AI';
    case 'barge_in':
      return 'Caller interrupted the AI';
    case 'false_interruption':
      return ev.data['why'] === 'backchannel' ? 'AI paused for the caller, then carried on (they were only listening)' : 'AI paused for a sound, then carried on';
    case 'dtmf':
      return 'Caller pressed keypad digits';
    case 'agent_message':
      return 'Agent message';
    case 'tool_call':
      return toolCallLabel(ev);
    case 'takeover_requested':
      return `AI asked for a person${reasonOf(ev)}`;
    case 'fallback': {
      const role = text(ev.data, 'role') ?? '';
      const vendor = FAILED_VENDOR.exec(text(ev.data, 'reason') ?? '')?.[1] ?? DEFAULT_VENDOR[role] ?? '';
      // Provider faults (issue 10): a cloud engine whose key failed its last check is left off the call from the start.
      if (ev.data['atStart'] === true) return `${leftOutEngine(role, vendor) ?? 'A cloud engine was not used — offline engine stood in'}${reasonOf(ev)}`;
      return `${failedEngine(role, vendor) ?? 'An engine failed — offline engine stood in'}${reasonOf(ev)}`;
    }
    case 'silence': {
      const attempt = typeof ev.data['attempt'] === 'number' ? ` · attempt ${ev.data['attempt']}` : '';
      return `Caller went quiet — AI checked in${attempt}`;
    }
    case 'ended': {
      const reason = typeof ev.data['reason'] === 'string' ? ` · ${endReasonLabel(ev.data['reason'])}` : '';
      return `Call ended${reason}`;
    }
    case 'hold':
      return ev.data['on'] === true ? 'Caller put on hold' : 'Caller taken off hold';
    case 'status': {
      const status = text(ev.data, 'status');
      return status ? `Phone line: ${status.replace(/-/g, ' ')}` : 'Phone line status';
    }
    case 'error':
      return typeof ev.data['message'] === 'string' ? `Error · ${errorInWords(ev.data['message']).text}` : 'Error on the call';
    case 'pause':
      return ev.data['on'] === true ? 'Agent paused the AI — it listens and says nothing' : 'Agent resumed the AI';
    case 'whisper':
      return `Whisper to the AI${text(ev.data, 'text') ? `: ${text(ev.data, 'text')}` : ''}`;
    case 'ai_say':
      return ev.data['source'] === 'suggestion' ? 'Agent had the AI say the suggested reply' : 'Agent had the AI say a line';
    case 'keypad':
      return keypadLabel(ev);
    case 'waiting':
      return ev.data['offer'] === true
        ? 'AI offered the waiting caller a choice: keep waiting, a call back, or carry on with the AI'
        : `AI kept the waiting caller company${typeof ev.data['waitedMs'] === 'number' ? ` · waited ${formatDuration(ev.data['waitedMs'])}` : ''}`;
    case 'callback_requested': {
      const number = text(ev.data, 'number');
      const when = text(ev.data, 'when');
      return `Caller asked for a call back${number ? ` on ${number}` : ''}${when ? `, ${when}` : ''}`;
    }
    case 'takeover_withdrawn':
      return 'Caller no longer waiting for a person — carrying on with the AI';
    case 'alert': {
      const severity = text(ev.data, 'severity');
      return `${severity ? `${titleCase(severity)} alert` : 'Alert'} · ${text(ev.data, 'title') ?? 'rule fired'}`;
    }
    case 'alert_ack':
      return ev.data['by'] === 'takeover' ? 'Alert answered: the agent took the call' : 'Alert acknowledged';
  }
}

/** "Caller pressed 1 · billing" for a menu key; "Caller keyed 4 4 1 9 #" for a digit string. */
export function keypadLabel(ev: CallEvent): string {
  const digits = text(ev.data, 'digits') ?? '';
  const option = text(ev.data, 'option');
  if (ev.data['kind'] === 'menu') return `Caller pressed ${digits || 'a key'}${option ? ` · ${option}` : ''}`;
  // A card or PIN keyed in is stored masked ("[CARD ••••1111]", issue 10): read as it is, not key by key.
  const keys = /^[\d*#]+$/.test(digits) ? digits.split('').join(' ') : digits;
  return `Caller keyed ${keys || 'digits'}${option ? ` · ${option}` : ''}`;
}

/** What happens to a whisper, in the words the agent sees right after sending it. */
export function whisperHandlingText(handling: WhisperHandling): string {
  switch (handling) {
    case 'instruction':
      return 'The AI will follow this on its next turn.';
    case 'say':
      return 'The offline AI will say this next.';
    case 'unsupported':
      return "The offline engine can't follow instructions; it only speaks whispers written as say: … or a quoted sentence. Saved on the call's record.";
  }
}

export type EventTone = 'muted' | 'agent' | 'ai' | 'problem' | 'attention' | 'paused';

/** How loudly an event shows on the timeline. */
export function eventTone(ev: CallEvent): EventTone {
  switch (ev.type) {
    case 'takeover':
    case 'ai_say':
      return 'agent';
    case 'handback':
      return 'ai';
    case 'takeover_requested':
    case 'callback_requested':
    case 'waiting':
      return 'attention';
    case 'pause':
      return ev.data['on'] === true ? 'paused' : 'ai';
    case 'alert':
      return ev.data['severity'] === 'critical' ? 'problem' : ev.data['severity'] === 'warning' ? 'attention' : 'muted';
    case 'error':
    case 'barge_in':
    case 'fallback':
      return 'problem';
    default:
      return 'muted';
  }
}

/** Events drawn as their own kind of line in the transcript rather than as a divider. */
export function eventShape(ev: CallEvent): 'whisper' | 'keypad' | 'divider' {
  return ev.type === 'whisper' ? 'whisper' : ev.type === 'keypad' ? 'keypad' : 'divider';
}

/**
 * What the AI has done for a caller waiting for a person since `sinceAtMs` (ms into the call),
 * for the take-over banner: the choice it offered, or when it last kept them company.
 */
export function waitingNote(items: readonly TimelineItem[], sinceAtMs: number): string | null {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i]!;
    if (item.kind !== 'event') continue;
    const ev = item.event;
    if (ev.atMs < sinceAtMs) return null;
    if (ev.type !== 'waiting') continue;
    return ev.data['offer'] === true
      ? `At ${formatOffset(ev.atMs)} the AI offered a choice: keep waiting, a call back, or carry on with the AI.`
      : `The AI last checked in with the caller at ${formatOffset(ev.atMs)}.`;
  }
  return null;
}
