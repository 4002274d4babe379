/**
 * Where on the call clock a redacted line's private words were spoken, so the recording can
 * replace that audio with a tone (issue 10).
 *
 * With word timings (STT engines that give them) only the words the redaction touched are
 * toned, padded a little because word boundaries are estimates. Without them (the offline
 * recogniser, TTS lines, any word we cannot place in the text) the whole line is toned:
 * conservative on purpose, since toning a few innocent words costs little and leaving a card
 * number audible defeats the redaction.
 */
import type { Speaker } from '@shared/domain';

/** One recognised word, times on the call clock (ms since the call started). */
export interface TimedWord {
  text: string;
  startMs: number;
  endMs: number;
}

/** A span of a speaker's audio to replace, on the call clock. */
export interface RedactedAudio {
  speaker: Speaker;
  startMs: number;
  endMs: number;
}

/** Word timings are estimates: tone this much either side of a redacted word. */
export const WORD_PAD_MS = 80;

/**
 * The audio spans of `line` that held the redacted character spans of `text` (offsets into
 * the text as said). Returns [] when nothing was redacted.
 */
export function redactedAudioSpans(
  line: { speaker: Speaker; text: string; startMs: number; endMs: number },
  spans: ReadonlyArray<{ start: number; end: number }>,
  words?: readonly TimedWord[],
): RedactedAudio[] {
  if (spans.length === 0) return [];
  const whole: RedactedAudio[] = [{ speaker: line.speaker, startMs: line.startMs, endMs: line.endMs }];
  if (!words || words.length === 0) return whole;
  const placed = placeWords(line.text, words);
  if (!placed) return whole;
  const out: RedactedAudio[] = [];
  for (const span of spans) {
    const touched = placed.filter((w) => w.start < span.end && w.end > span.start);
    // Redacted characters no word covers: we cannot say when they were said.
    if (touched.length === 0) return whole;
    out.push({
      speaker: line.speaker,
      startMs: Math.max(line.startMs, Math.min(...touched.map((w) => w.word.startMs)) - WORD_PAD_MS),
      endMs: Math.min(line.endMs, Math.max(...touched.map((w) => w.word.endMs)) + WORD_PAD_MS),
    });
  }
  return mergeSpans(out);
}

/** Each word's character range in `text`, in order; null when a word cannot be found (punctuated differently, say). */
function placeWords(text: string, words: readonly TimedWord[]): { word: TimedWord; start: number; end: number }[] | null {
  const lower = text.toLowerCase();
  const placed: { word: TimedWord; start: number; end: number }[] = [];
  let from = 0;
  for (const word of words) {
    const needle = word.text.toLowerCase().trim();
    if (!needle) continue;
    const at = lower.indexOf(needle, from);
    if (at < 0) return null;
    placed.push({ word, start: at, end: at + needle.length });
    from = at + needle.length;
  }
  return placed;
}

function mergeSpans(spans: RedactedAudio[]): RedactedAudio[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  const out: RedactedAudio[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}
