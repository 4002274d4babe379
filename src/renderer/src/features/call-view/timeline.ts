/** Interleaves transcript lines and timeline events into one ordered list for the transcript view. */
import type { CallEvent, Utterance } from '@shared/domain';
import { endReasonLabel } from '../../lib/format';

export type TimelineItem =
  | { kind: 'line'; key: string; line: Utterance }
  | { kind: 'event'; key: string; event: CallEvent };

/** Events that are already visible as transcript lines are not repeated as dividers. */
const HIDDEN_EVENTS = new Set<CallEvent['type']>(['agent_message']);

export function buildTimeline(lines: readonly Utterance[], events: readonly CallEvent[]): TimelineItem[] {
  const out: TimelineItem[] = [];
  let e = 0;
  const visible = events.filter((ev) => !HIDDEN_EVENTS.has(ev.type));
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
  return reason ? `: ${reason}` : '';
}

const failedEngine: Record<string, string> = {
  llm: 'Gemini failed — offline engine answered',
  stt: 'Deepgram speech-to-text failed — offline engine is listening',
  tts: 'Deepgram voice failed — offline voice is speaking',
};

function toolCallLabel(ev: CallEvent): string {
  const tool = text(ev.data, 'tool');
  switch (tool) {
    case 'transfer_to_agent':
      return `AI asked to transfer${reasonOf(ev)}`;
    case 'end_call':
      return `AI ended the call${reasonOf(ev)}`;
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
      return 'Call started';
    case 'takeover':
      return `Agent took over${by}`;
    case 'handback':
      return 'Handed back to AI';
    case 'barge_in':
      return 'Caller interrupted the AI';
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
      return `${failedEngine[role] ?? 'An engine failed — offline engine stood in'}${reasonOf(ev)}`;
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
      return typeof ev.data['message'] === 'string' ? `Error · ${ev.data['message']}` : 'Error on the call';
  }
}

export type EventTone = 'muted' | 'agent' | 'ai' | 'problem' | 'attention';

/** How loudly an event shows on the timeline. */
export function eventTone(ev: CallEvent): EventTone {
  switch (ev.type) {
    case 'takeover':
      return 'agent';
    case 'handback':
      return 'ai';
    case 'takeover_requested':
      return 'attention';
    case 'error':
    case 'barge_in':
    case 'fallback':
      return 'problem';
    default:
      return 'muted';
  }
}
