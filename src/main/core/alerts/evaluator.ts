/**
 * Alert rules on one call: a pure state machine fed what happens on the call (final lines,
 * voices starting and stopping, timeline events, who has the call, time passing) and answering
 * with the alerts to raise. No timers, no I/O: the live service (service.ts) feeds it core
 * events and sets one timer at nextDeadlineMs(); the backtest (backtest.ts) feeds it a stored
 * call's lines and events in time order. Both therefore fire on exactly the same things.
 *
 * Every rule fires at most once per cooldown on a call; what "matches" is per kind (detectors
 * below). Times are ms on the call's clock.
 */
import type { AlertRaised, CallEventType, CallState, Speaker } from '@shared/domain';
import type { AlertRule, AlertRuleOf } from '@shared/alerts';
import { SENTIMENT_BAND_WORDS, sentimentBand } from '@shared/sentiment';
import { contentWords, findPhrase, overlap, phraseMatchers, stemmedWords } from './words';

export type AlertInput =
  /** A final, non-empty transcript line (sentiment: the caller line's score, when scored). */
  | { type: 'line'; atMs: number; line: { id: string; speaker: Speaker; text: string; sentiment: number | null } }
  /** Someone is audibly speaking right now (an interim caller line, a clause of the AI's). */
  | { type: 'speech'; atMs: number }
  /** A voice on the line starts (on) or stops: the AI's audio while it speaks, a stored line's span. */
  | { type: 'voice'; atMs: number; speaker: Speaker; on: boolean }
  | { type: 'event'; atMs: number; eventType: CallEventType; data: Record<string, unknown> }
  /** Who has the call now. */
  | { type: 'state'; atMs: number; state: CallState }
  /** Time passed (a timer the evaluator asked for with nextDeadlineMs). */
  | { type: 'tick'; atMs: number };

/** What a detector saw: the alert's details, before the rule's severity and actions are added. */
interface Hit {
  detail: string;
  utteranceId?: string | null;
}

interface Detector {
  onInput(input: AlertInput): Hit | null;
  /** The call-clock time this detector needs a tick at, or null. */
  deadlineMs?(): number | null;
}

/** One fired alert, with when (call clock) it fired. */
export interface FiredAlert {
  atMs: number;
  alert: AlertRaised;
}

const SPEAKER_WORD: Record<Speaker, string> = { caller: 'Caller', ai: 'The AI', agent: 'The agent' };

/** States in which the call's audio passes through us, so silence means silence. */
const HEARD_STATES: ReadonlySet<CallState> = new Set(['ai', 'ai_paused', 'agent']);

export class CallAlertEvaluator {
  private rules: { rule: AlertRule; detector: Detector; signature: string }[] = [];
  private readonly lastFiredAtMs = new Map<string, number>();
  private nowMs = 0;

  constructor(rules: readonly AlertRule[], private readonly startedAtMs = 0) {
    this.nowMs = startedAtMs;
    this.setRules(rules);
  }

  /**
   * New rules (Settings saved): a rule whose definition is unchanged keeps what it has seen;
   * a changed or new one starts fresh from now. Cooldowns carry over by rule id, so saving
   * never makes a rule fire twice within its cooldown.
   */
  setRules(rules: readonly AlertRule[]): void {
    const previous = new Map(this.rules.map((r) => [r.rule.id, r]));
    this.rules = rules
      .filter((rule) => rule.enabled)
      .map((rule) => {
        const signature = JSON.stringify(rule);
        const kept = previous.get(rule.id);
        if (kept && kept.signature === signature) return kept;
        return { rule, detector: detectorFor(rule, this.nowMs, this.startedAtMs), signature };
      });
  }

  /** Feeds one thing that happened; returns the alerts to raise now (usually none). */
  push(input: AlertInput): FiredAlert[] {
    // Inputs arrive from several sources; time never runs backwards for the rules.
    this.nowMs = Math.max(this.nowMs, input.atMs);
    const at = { ...input, atMs: this.nowMs } as AlertInput;
    const fired: FiredAlert[] = [];
    for (const { rule, detector } of this.rules) {
      const hit = detector.onInput(at);
      if (!hit) continue;
      const last = this.lastFiredAtMs.get(rule.id);
      if (last !== undefined && this.nowMs - last < rule.cooldownMs) continue;
      this.lastFiredAtMs.set(rule.id, this.nowMs);
      fired.push({ atMs: this.nowMs, alert: raised(rule, hit) });
    }
    return fired;
  }

  /** The earliest call-clock time a rule needs to look again (silence, long call), or null. */
  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const { detector } of this.rules) {
      const at = detector.deadlineMs?.() ?? null;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }
}

function raised(rule: AlertRule, hit: Hit): AlertRaised {
  return {
    ruleId: rule.id,
    kind: rule.kind,
    severity: rule.severity,
    title: clip(rule.name, 120),
    detail: clip(hit.detail, 300),
    utteranceId: hit.utteranceId ?? null,
    actions: [...rule.actions],
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function detectorFor(rule: AlertRule, nowMs: number, startedAtMs: number): Detector {
  switch (rule.kind) {
    case 'phrase':
      return phraseDetector(rule);
    case 'sentiment':
      return sentimentDetector(rule);
    case 'silence':
      return silenceDetector(rule, nowMs);
    case 'ai_loop':
      return repeatDetector(rule, 'ai');
    case 'caller_repeat':
      return repeatDetector(rule, 'caller');
    case 'person_request':
      return personRequestDetector(rule);
    case 'barge_ins':
      return bargeInDetector(rule);
    case 'long_call':
      return longCallDetector(rule, startedAtMs);
    case 'provider_trouble':
      return providerTroubleDetector(rule);
  }
}

// ---------------------------------------------------------------- detectors

function phraseDetector(rule: AlertRuleOf<'phrase'>): Detector {
  const matchers = phraseMatchers(rule.params.phrases);
  const speakers: ReadonlySet<Speaker> = new Set(rule.params.speaker === 'any' ? ['caller', 'ai'] : [rule.params.speaker]);
  return {
    onInput(input) {
      if (input.type !== 'line' || !speakers.has(input.line.speaker)) return null;
      const found = findPhrase(matchers, stemmedWords(input.line.text));
      return found ? { detail: `${SPEAKER_WORD[input.line.speaker]} said “${found.phrase}”.`, utteranceId: input.line.id } : null;
    },
  };
}

function sentimentDetector(rule: AlertRuleOf<'sentiment'>): Detector {
  const { mode, threshold, drop, overLines } = rule.params;
  const scores: number[] = [];
  const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  return {
    onInput(input) {
      if (input.type !== 'line' || input.line.speaker !== 'caller' || input.line.sentiment === null) return null;
      scores.push(input.line.sentiment);
      const recent = scores.slice(-overLines);
      const lines = overLines === 1 ? 'the last line' : `the last ${overLines} lines`;
      if (mode === 'below') {
        if (scores.length < overLines) return null;
        const avg = mean(recent);
        return avg < threshold
          ? { detail: `Caller sentiment ${bandWord(avg)} (${fmt(avg)}) over ${lines} (alert below ${fmt(threshold)}).`, utteranceId: input.line.id }
          : null;
      }
      // A drop needs a start to drop from that is not the same lines as now.
      if (scores.length < overLines + 1) return null;
      const start = mean(scores.slice(0, overLines));
      const now = mean(recent);
      return start - now >= drop
        ? { detail: `Caller sentiment fell from ${fmt(start)} to ${fmt(now)}, now ${bandWord(now)} (alert on a drop of ${fmt(drop, false)}).`, utteranceId: input.line.id }
        : null;
    },
  };
}

function silenceDetector(rule: AlertRuleOf<'silence'>, nowMs: number): Detector {
  const afterMs = rule.params.afterS * 1000;
  let lastSoundMs = nowMs;
  let heard = true;
  /** Voices on the line now (the AI mid-sentence is not silence, however long the sentence). */
  const voices = new Set<Speaker>();
  /** Fired for this quiet stretch: the next sound re-arms it. */
  let firedThisStretch = false;
  const sound = (atMs: number) => {
    lastSoundMs = atMs;
    firedThisStretch = false;
  };
  const deadline = () => (heard && voices.size === 0 && !firedThisStretch ? lastSoundMs + afterMs : null);
  return {
    deadlineMs: deadline,
    onInput(input) {
      switch (input.type) {
        case 'speech':
          sound(input.atMs);
          break;
        case 'voice':
          if (input.on) voices.add(input.speaker);
          else voices.delete(input.speaker);
          sound(input.atMs);
          break;
        case 'line':
          voices.delete(input.line.speaker);
          sound(input.atMs);
          break;
        case 'state': {
          const nowHeard = HEARD_STATES.has(input.state);
          // Quiet is counted from when we can hear the line again.
          if (nowHeard && !heard) sound(input.atMs);
          heard = nowHeard;
          if (!heard) voices.clear();
          break;
        }
        default:
          break;
      }
      const due = deadline();
      if (due === null || input.atMs < due) return null;
      firedThisStretch = true;
      const quietS = Math.round((input.atMs - lastSoundMs) / 1000);
      return { detail: `Nobody has spoken for ${quietS} s.` };
    },
  };
}

function repeatDetector(rule: AlertRuleOf<'ai_loop'> | AlertRuleOf<'caller_repeat'>, speaker: 'ai' | 'caller'): Detector {
  const { similarity, times, withinLines } = rule.params;
  const recent: Set<string>[] = [];
  return {
    onInput(input) {
      if (input.type !== 'line' || input.line.speaker !== speaker) return null;
      const words = contentWords(input.line.text);
      const earlier = recent.slice(-(withinLines - 1));
      recent.push(words);
      if (recent.length > withinLines) recent.shift();
      // "Yes", "okay, thanks": too few words to call a repeat.
      if (words.size < 2) return null;
      const said = 1 + earlier.filter((w) => w.size >= 2 && overlap(w, words) >= similarity).length;
      if (said < times) return null;
      const who = speaker === 'ai' ? 'The AI' : 'The caller';
      return { detail: `${who} said much the same thing ${said} times in ${recent.length} lines.`, utteranceId: input.line.id };
    },
  };
}

function personRequestDetector(rule: AlertRuleOf<'person_request'>): Detector {
  const matchers = phraseMatchers(rule.params.phrases);
  return {
    onInput(input) {
      if (input.type === 'event' && input.eventType === 'takeover_requested' && rule.params.onTakeoverRequest) {
        const reason = typeof input.data['reason'] === 'string' ? input.data['reason'].trim() : '';
        return { detail: reason ? `The AI asks for a person: ${reason}` : 'The AI asks for a person.' };
      }
      if (input.type !== 'line' || input.line.speaker !== 'caller' || matchers.length === 0) return null;
      const found = findPhrase(matchers, stemmedWords(input.line.text));
      return found ? { detail: `Caller said “${found.phrase}”.`, utteranceId: input.line.id } : null;
    },
  };
}

function bargeInDetector(rule: AlertRuleOf<'barge_ins'>): Detector {
  const { count, withinS } = rule.params;
  let at: number[] = [];
  return {
    onInput(input) {
      if (input.type !== 'event' || input.eventType !== 'barge_in') return null;
      at = at.filter((t) => t > input.atMs - withinS * 1000);
      at.push(input.atMs);
      if (at.length < count) return null;
      // The next alert needs a fresh run of interruptions.
      at = [];
      return { detail: `The caller cut the AI off ${count} times within ${withinS} s.` };
    },
  };
}

function longCallDetector(rule: AlertRuleOf<'long_call'>, startedAtMs: number): Detector {
  const dueMs = startedAtMs + rule.params.afterMin * 60_000;
  let fired = false;
  let ended = false;
  return {
    deadlineMs: () => (fired || ended ? null : dueMs),
    onInput(input) {
      if (input.type === 'state' && input.state === 'ended') ended = true;
      if (fired || ended || input.atMs < dueMs) return null;
      fired = true;
      return { detail: `The call has gone on for more than ${rule.params.afterMin} min.` };
    },
  };
}

function providerTroubleDetector(rule: AlertRuleOf<'provider_trouble'>): Detector {
  return {
    onInput(input) {
      if (input.type !== 'event') return null;
      const text = (key: string) => (typeof input.data[key] === 'string' ? (input.data[key] as string) : '');
      if (input.eventType === 'fallback' && rule.params.fallbacks) {
        const role = ({ llm: 'language model', tts: 'voice', stt: 'speech recognition' } as Record<string, string>)[text('role')] ?? 'an engine';
        return { detail: `The ${role} failed (${text('reason') || 'no reason given'}); ${text('standIn') || 'the offline engine'} stood in.` };
      }
      if (input.eventType === 'error' && rule.params.errors) {
        const stage = text('stage');
        return { detail: `Error${stage ? ` in ${stage}` : ''}: ${text('message') || 'no message'}.` };
      }
      return null;
    },
  };
}

/** The console's band for a score, in words ("very negative"), so an alert says what the sentiment card says. */
function bandWord(score: number): string {
  return SENTIMENT_BAND_WORDS[sentimentBand(score)].toLowerCase();
}

function fmt(score: number, signed = true): string {
  const s = score.toFixed(2);
  return signed && score > 0 ? `+${s}` : s;
}
