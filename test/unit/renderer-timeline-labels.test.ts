import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/shared/domain';
import {
  eventLabel,
  eventShape,
  eventTone,
  keypadLabel,
  visibleEvents,
  waitingNote,
  whisperHandlingText,
  type TimelineItem,
} from '../../src/renderer/src/features/call-view/timeline';

const ev = (type: CallEvent['type'], data: Record<string, unknown> = {}): CallEvent => ({
  id: 'e',
  callId: 'c',
  type,
  atMs: 0,
  data,
});

describe('timeline labels for the AI’s tools, fallbacks and requests', () => {
  it('says what the AI did in plain words', () => {
    expect(eventLabel(ev('tool_call', { tool: 'lookup_knowledge', args: { query: 'refund' } }))).toBe(
      'AI used lookup_knowledge',
    );
    expect(eventLabel(ev('tool_call', { tool: 'transfer_to_agent', args: { reason: 'wants a manager' } }))).toBe(
      'AI asked to transfer: wants a manager',
    );
    expect(eventLabel(ev('tool_call', { tool: 'transfer_to_agent', reason: 'billing dispute' }))).toBe(
      'AI asked to transfer: billing dispute',
    );
    expect(eventLabel(ev('tool_call', {}))).toBe('AI used a tool');
    expect(eventLabel(ev('takeover_requested', { reason: 'Caller is upset' }))).toBe('AI asked for a person: Caller is upset');
    expect(eventLabel(ev('fallback', { role: 'llm', reason: 'timeout after 4 s' }))).toBe(
      'Gemini failed — offline engine answered: timeout after 4 s',
    );
    expect(eventLabel(ev('fallback', { role: 'tts' }))).toBe('Deepgram voice failed — offline voice is speaking');
    expect(eventLabel(ev('silence', { attempt: 2 }))).toBe('Caller went quiet — AI checked in · attempt 2');
  });

  it('makes a request for a person stand out and a fallback read as a problem', () => {
    expect(eventTone(ev('takeover_requested'))).toBe('attention');
    expect(eventTone(ev('fallback'))).toBe('problem');
    expect(eventTone(ev('tool_call'))).toBe('muted');
  });
});

describe('timeline labels for steering the AI, keypresses and waiting (issue 8)', () => {
  it('reads pause, whisper and lines the agent had the AI say plainly', () => {
    expect(eventLabel(ev('pause', { on: true }))).toBe('Agent paused the AI — it listens and says nothing');
    expect(eventLabel(ev('pause', { on: false }))).toBe('Agent resumed the AI');
    expect(eventTone(ev('pause', { on: true }))).toBe('paused');
    expect(eventLabel(ev('whisper', { text: 'offer the 10% loyalty discount', handling: 'instruction' }))).toBe(
      'Whisper to the AI: offer the 10% loyalty discount',
    );
    expect(eventLabel(ev('ai_say', { source: 'suggestion' }))).toBe('Agent had the AI say the suggested reply');
    expect(eventLabel(ev('ai_say', { source: 'agent' }))).toBe('Agent had the AI say a line');
  });

  it('says what happens to a whisper for each way the engine can take it', () => {
    expect(whisperHandlingText('instruction')).toBe('The AI will follow this on its next turn.');
    expect(whisperHandlingText('say')).toBe('The offline AI will say this next.');
    expect(whisperHandlingText('unsupported')).toBe(
      "The offline engine can't follow instructions; it only speaks whispers written as say: … or a quoted sentence. Saved on the call's record.",
    );
  });

  it('shows keypad entries inline: a menu key with its choice, a digit string spaced out', () => {
    const menu = ev('keypad', { digits: '2', kind: 'menu', option: 'billing' });
    expect(keypadLabel(menu)).toBe('Caller pressed 2 · billing');
    expect(eventLabel(menu)).toBe('Caller pressed 2 · billing');
    expect(eventShape(menu)).toBe('keypad');
    expect(keypadLabel(ev('keypad', { digits: '4419027#', kind: 'digits' }))).toBe('Caller keyed 4 4 1 9 0 2 7 #');
    expect(eventShape(ev('whisper', { text: 'x' }))).toBe('whisper');
    expect(eventShape(ev('pause', { on: true }))).toBe('divider');
  });

  it('reads waiting, call-back requests and a withdrawn request plainly', () => {
    expect(eventLabel(ev('callback_requested', { number: '+1 555 010 1234', when: 'tomorrow after 3' }))).toBe(
      'Caller asked for a call back on +1 555 010 1234, tomorrow after 3',
    );
    expect(eventLabel(ev('callback_requested', {}))).toBe('Caller asked for a call back');
    expect(eventLabel(ev('takeover_withdrawn'))).toBe('Caller no longer waiting for a person — carrying on with the AI');
    expect(eventLabel(ev('waiting', { waitedMs: 45_000 }))).toBe('AI kept the waiting caller company · waited 0:45');
    expect(eventLabel(ev('waiting', { offer: true }))).toBe(
      'AI offered the waiting caller a choice: keep waiting, a call back, or carry on with the AI',
    );
    expect(eventTone(ev('callback_requested'))).toBe('attention');
  });

  it('names an alert by its severity and colours it by severity', () => {
    expect(eventLabel(ev('alert', { severity: 'critical', title: 'Caller mentioned a lawyer' }))).toBe(
      'Critical alert · Caller mentioned a lawyer',
    );
    expect(eventTone(ev('alert', { severity: 'critical' }))).toBe('problem');
    expect(eventTone(ev('alert', { severity: 'warning' }))).toBe('attention');
    expect(eventTone(ev('alert', { severity: 'info' }))).toBe('muted');
  });
});

describe('what the AI has done for a caller waiting for a person', () => {
  const item = (type: CallEvent['type'], atMs: number, data: Record<string, unknown> = {}): TimelineItem => ({
    kind: 'event',
    key: `e:${type}:${atMs}`,
    event: { id: `${type}-${atMs}`, callId: 'c', type, atMs, data },
  });

  it('says when it last kept them company, or the choice it offered, since the request only', () => {
    expect(waitingNote([item('takeover_requested', 10_000)], 10_000)).toBeNull();
    expect(waitingNote([item('takeover_requested', 10_000), item('waiting', 30_000, { waitedMs: 20_000 })], 10_000)).toBe(
      'The AI last checked in with the caller at 0:30.',
    );
    expect(
      waitingNote([item('takeover_requested', 10_000), item('waiting', 30_000), item('waiting', 70_000, { offer: true })], 10_000),
    ).toBe('At 1:10 the AI offered a choice: keep waiting, a call back, or carry on with the AI.');
    // A wait from before this request does not count.
    expect(waitingNote([item('waiting', 5_000), item('takeover_requested', 10_000)], 10_000)).toBeNull();
  });
});

describe('one moment, one divider', () => {
  const at = (e: CallEvent, atMs: number, id: string): CallEvent => ({ ...e, atMs, id });
  it('the AI asking to transfer shows once: as its request for a person', () => {
    const transfer = at(ev('tool_call', { tool: 'transfer_to_agent', args: { reason: 'wants a person' } }), 60_000, 't');
    const request = at(ev('takeover_requested', { reason: 'wants a person' }), 60_050, 'r');
    expect(visibleEvents([transfer, request]).map((e) => e.id)).toEqual(['r']);
    // A transfer the core did not turn into a request (an older record) still shows.
    expect(visibleEvents([transfer]).map((e) => e.id)).toEqual(['t']);
  });
  it('an alert closed by the take-over says so', () => {
    expect(eventLabel(ev('alert_ack', { alertId: 'a', by: 'takeover' }))).toBe('Alert answered: the agent took the call');
    expect(eventLabel(ev('alert_ack', { alertId: 'a' }))).toBe('Alert acknowledged');
  });
});
