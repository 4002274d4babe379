/** Interleaves transcript lines and timeline events into one ordered list for the transcript view. */
import type { CallEvent, Utterance } from '@shared/domain';

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
    case 'ended': {
      const reason = typeof ev.data['reason'] === 'string' ? ` · ${ev.data['reason'].replace(/[_-]+/g, ' ')}` : '';
      return `Call ended${reason}`;
    }
    case 'error':
      return typeof ev.data['message'] === 'string' ? `Error · ${ev.data['message']}` : 'Error on the call';
  }
}
