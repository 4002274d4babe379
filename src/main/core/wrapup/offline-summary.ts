/**
 * The wrap-up summary without a model: built from what the call already knows (the caller's
 * intents, the details they gave, the facts the AI recorded, the timeline), so it is honest
 * about what happened and needs no key. Gemini writes the prose version (gemini-summary.ts)
 * from the same material.
 */
import type { CallEvent, CallSummary, Utterance } from '@shared/domain';
import { findDisposition, type CallEntity, type CallFact, type Resolution, type WrapUpSummary } from '@shared/wrapup';

/** Everything a summary is built from. */
export interface WrapUpMaterial {
  call: CallSummary;
  /** Final lines in call order. */
  utterances: readonly Utterance[];
  /** By time. */
  events: readonly CallEvent[];
  facts: readonly CallFact[];
  /** Newest first. */
  entities: readonly CallEntity[];
}

export interface SummaryProposal {
  summary: WrapUpSummary;
  /** A name from the list, or null when no rule fits. */
  proposedDisposition: string | null;
}

export interface OfflineSummaryOptions {
  /** Settings' dispositions: the proposal is always one of them (or null). */
  dispositions: readonly string[];
  /** Human label of an intent id ("billing_double_charge" -> "Charged twice / wrong bill"). */
  intentLabel: (intent: string) => string;
}

/** Caller score at or below which a last line counts as unhappy: a clearer signal than the live "negative" band (NEUTRAL_BAND in src/shared/sentiment.ts), as it decides "not resolved". */
const UNHAPPY_SCORE = -0.3;
const HAPPY_SCORE = 0.2;
const END_REASONS_UNRESOLVED = new Set(['silence_timeout', 'error', 'interrupted', 'failed', 'no-answer', 'busy', 'canceled']);
const THANKS = /\b(thanks|thank you|cheers|that'?s (all|everything|great|perfect)|brilliant|sorted|perfect)\b/i;

/** m:ss into the call. */
export function offset(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "account_number" -> "account number". */
export function entityLabel(type: string): string {
  return type.replace(/_/g, ' ');
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** How a call ended, in words. */
export function endReasonWords(reason: string | null): string | null {
  switch (reason) {
    case null:
      return null;
    case 'caller_hangup':
    case 'completed':
      return 'the caller hung up';
    case 'agent_ended':
      return 'the agent ended the call';
    case 'ai_ended':
      return 'the AI ended the call after saying goodbye';
    case 'silence_timeout':
      return 'the line went silent and the AI hung up';
    case 'interrupted':
      return 'the console stopped during the call';
    default:
      return `it ended (${reason.replace(/_/g, ' ')})`;
  }
}

/**
 * The call's timeline as short plain sentences, in order (who did what when). Keypad digits
 * and phone numbers are not repeated in full here: a summary is read and exported widely.
 */
export function timelineNotes(material: WrapUpMaterial): string[] {
  const notes: string[] = [];
  const counts = { whisper: 0, aiSay: 0, lookup: 0, keypad: 0, waiting: 0, bargeIn: 0 };
  const alerts: string[] = [];
  for (const e of material.events) {
    const at = offset(e.atMs);
    switch (e.type) {
      case 'takeover_requested':
        notes.push(`${at} the AI asked for a person${text(e.data['reason']) ? ` (${text(e.data['reason'])})` : ''}.`);
        break;
      case 'takeover':
        notes.push(`${at} the agent took the call over.`);
        break;
      case 'handback':
        notes.push(`${at} the agent handed the call back to the AI.`);
        break;
      case 'hold':
        if (e.data['on'] === true) notes.push(`${at} the agent put the caller on hold.`);
        break;
      case 'pause':
        if (e.data['on'] === true) notes.push(`${at} the agent paused the AI.`);
        break;
      case 'whisper':
        counts.whisper++;
        break;
      case 'ai_say':
        counts.aiSay++;
        break;
      case 'keypad':
        counts.keypad++;
        if (e.data['kind'] === 'menu' && text(e.data['option'])) notes.push(`${at} the caller chose "${text(e.data['option'])}" on the keypad.`);
        break;
      case 'waiting':
        counts.waiting++;
        if (e.data['offer'] === true) notes.push(`${at} the AI offered to keep waiting, a call back, or to carry on with it.`);
        break;
      case 'takeover_withdrawn':
        notes.push(`${at} the caller chose to carry on with the AI instead of waiting.`);
        break;
      case 'callback_requested': {
        const when = text(e.data['when']) ?? text(e.data['whenIso']);
        notes.push(`${at} the caller asked to be called back${when ? ` ${when}` : ''}.`);
        break;
      }
      case 'alert': {
        const title = text(e.data['title']);
        if (title && !alerts.includes(title)) alerts.push(title);
        break;
      }
      case 'fallback':
        notes.push(`${at} the offline engine stood in for the ${String(e.data['role'] ?? 'cloud')} engine.`);
        break;
      case 'barge_in':
        counts.bargeIn++;
        break;
      case 'tool_call':
        if (e.data['tool'] === 'lookup_knowledge') counts.lookup++;
        break;
      case 'error':
        notes.push(`${at} an error interrupted the call.`);
        break;
      default:
        break;
    }
  }
  if (counts.lookup > 0) notes.push(`The AI looked up the knowledge base ${times(counts.lookup)}.`);
  if (counts.whisper > 0) notes.push(`The agent coached the AI ${times(counts.whisper)}.`);
  if (counts.aiSay > 0) notes.push(`The agent had the AI say ${counts.aiSay === 1 ? 'a suggested line' : `${counts.aiSay} suggested lines`}.`);
  if (counts.keypad > 0) notes.push(`The caller used the keypad ${times(counts.keypad)}.`);
  if (counts.waiting > 0) notes.push(`The AI kept the caller company while they waited for a person.`);
  if (alerts.length > 0) notes.push(`Alerts: ${alerts.join('; ')}.`);
  const ended = endReasonWords(material.call.endReason);
  if (material.call.status === 'ended' && ended) notes.push(`In the end ${ended}.`);
  return notes;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** The caller's substantive intents in the order they came up, each once. */
function callerIntents(lines: readonly Utterance[]): string[] {
  const seen: string[] = [];
  for (const l of lines) if (l.speaker === 'caller' && l.intent && !seen.includes(l.intent)) seen.push(l.intent);
  return seen;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

/** Was the caller helped: judged from how the call went, most telling sign first. */
export function judgeResolution(material: WrapUpMaterial): Resolution {
  const callerLines = material.utterances.filter((u) => u.speaker === 'caller' && u.text.trim() !== '');
  if (callerLines.length === 0) return 'no';
  const types = new Set(material.events.map((e) => e.type));
  if (types.has('callback_requested')) return 'partial';
  if (unansweredRequest(material.events)) return 'no';
  if (END_REASONS_UNRESOLVED.has(material.call.endReason ?? '')) return 'no';
  const last = callerLines.at(-1)!;
  const lastScore = last.sentiment?.score ?? null;
  if (lastScore !== null && lastScore <= UNHAPPY_SCORE) return 'no';
  if (THANKS.test(last.text) && (lastScore === null || lastScore > -0.05)) return 'yes';
  if (lastScore !== null && lastScore >= HAPPY_SCORE) return 'yes';
  return 'partial';
}

/** The AI asked for a person and nobody took the call before it ended. */
function unansweredRequest(events: readonly CallEvent[]): boolean {
  let open = false;
  for (const e of events) {
    if (e.type === 'takeover_requested') open = true;
    if (e.type === 'takeover' || e.type === 'takeover_withdrawn') open = false;
  }
  return open;
}

export function offlineWrapUp(material: WrapUpMaterial, options: OfflineSummaryOptions): SummaryProposal {
  const callerLines = material.utterances.filter((u) => u.speaker === 'caller' && u.text.trim() !== '');
  const intents = callerIntents(material.utterances);
  const labels = intents.map(options.intentLabel);
  // Details in the order given (entities arrive newest first).
  const details = [...material.entities].reverse().map((e) => `${entityLabel(e.type)} ${e.value}`);

  let reason: string;
  if (callerLines.length === 0) reason = 'The caller did not say anything.';
  else if (labels.length > 0) reason = `${labels.join('; ')}.`;
  else reason = `The caller said: “${truncate(callerLines[0]!.text.trim(), 160)}”`;
  if (details.length > 0) reason += ` Details given: ${details.slice(0, 6).join(', ')}.`;

  const actions: string[] = [];
  const aiLines = material.utterances.filter((u) => u.speaker === 'ai').length;
  const agentLines = material.utterances.filter((u) => u.speaker === 'agent').length;
  actions.push(
    `${material.call.direction === 'outbound' ? 'The AI placed the call' : 'The AI answered'}${aiLines > 0 ? ` and spoke ${times(aiLines)}` : ''}${
      agentLines > 0 ? `; the agent spoke ${times(agentLines)}` : ''
    }.`,
  );
  if (material.facts.length > 0) actions.push(`Recorded: ${material.facts.map((f) => `${f.key} ${f.value}`).join('; ')}.`);
  actions.push(...timelineNotes(material));

  const resolution = judgeResolution(material);
  const followUps: string[] = [];
  for (const e of material.events) {
    if (e.type !== 'callback_requested') continue;
    const when = text(e.data['when']) ?? text(e.data['whenIso']);
    followUps.push(`Call the caller back${text(e.data['number']) ? ` on ${text(e.data['number'])}` : ''}${when ? ` ${when}` : ''}.`);
  }
  if (unansweredRequest(material.events)) followUps.push('The caller asked for a person and nobody took the call: call them back.');
  if (resolution !== 'yes' && labels.length > 0 && followUps.length === 0) followUps.push(`Follow up on: ${labels.at(-1)}.`);

  const summary: WrapUpSummary = {
    reason: truncate(reason, 500),
    actions: truncate(actions.join(' '), 2000),
    resolution,
    followUps: followUps.slice(0, 10).map((f) => truncate(f, 300)),
  };
  return { summary, proposedDisposition: proposeDisposition(material, intents, resolution, options.dispositions) };
}

/** The first disposition the rules point to that the team's list has (by name, without case). */
export function proposeDisposition(
  material: WrapUpMaterial,
  intents: readonly string[],
  resolution: Resolution,
  dispositions: readonly string[],
): string | null {
  const types = new Set(material.events.map((e) => e.type));
  const callerText = material.utterances
    .filter((u) => u.speaker === 'caller')
    .map((u) => u.text)
    .join(' ');
  const candidates: string[] = [];
  if (callerText.trim() === '') candidates.push('spam', 'wrong number');
  if (/\bwrong number\b/i.test(callerText)) candidates.push('wrong number');
  if (types.has('callback_requested') || unansweredRequest(material.events)) candidates.push('callback');
  if (types.has('takeover') || types.has('takeover_requested')) candidates.push('escalated');
  if (/\bnot interested\b|\bno thanks?\b.*\b(call|offer)\b/i.test(callerText)) candidates.push('not interested');
  if (intents.includes('upgrade_plan') && resolution === 'yes') candidates.push('sale');
  if (resolution === 'yes') candidates.push('resolved');
  for (const candidate of candidates) {
    const found = findDisposition(candidate, dispositions);
    if (found !== null) return found;
  }
  return null;
}
