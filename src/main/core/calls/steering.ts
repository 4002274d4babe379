/** What the AI says when the agent steers it, and how an offline AI reads a whisper. */

/** Said once per pause (Settings → pauseHoldLineMs after the pause), so the line never sounds dead. */
export const PAUSE_HOLD_LINE = 'One moment, please.';

/**
 * The line an offline AI can take from a whisper: "say: …" (or "say …") or a sentence in
 * quotes. The offline engine follows no other instruction; null when the whisper is not one.
 */
export function sayableWhisper(text: string): string | null {
  const trimmed = text.trim();
  const say = /^say\b\s*[:,-]?/i.exec(trimmed);
  const line = say ? trimmed.slice(say[0].length) : (/^["“'‘](.+)["”'’]$/s.exec(trimmed)?.[1] ?? null);
  const cleaned = line?.trim().replace(/^["“'‘](.+)["”'’]$/s, '$1').trim();
  return cleaned ? cleaned : null;
}

/**
 * The AI's first words after the agent hands a call back: it says who the caller is with now
 * and owns the request it could not fulfil itself (the reason it asked for a person).
 */
export function handBackLine(unfulfilledRequest: string | null): string {
  const owned = unfulfilledRequest ? ` I couldn't help with ${unfulfilledRequest.toLowerCase()} myself, which is why I brought in my colleague.` : '';
  return `You're back with the automated assistant.${owned} Is there anything else I can help you with?`;
}
