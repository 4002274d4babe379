/** Small display helpers. Times are ms unless a name says otherwise. */

export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** "+15551234567" -> "+1 555 123 4567"; anything else is shown as given. */
export function formatPhone(raw: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(raw);
  if (m) return `+1 ${m[1]} ${m[2]} ${m[3]}`;
  const uk = /^\+44(\d{4})(\d{6})$/.exec(raw);
  if (uk) return `+44 ${uk[1]} ${uk[2]}`;
  return raw;
}

export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "Today 14:02", "Yesterday 09:12", "12 Mar 16:40". */
export function formatWhen(epochMs: number, now = Date.now()): string {
  const d = new Date(epochMs);
  const today = new Date(now);
  const dayMs = 86_400_000;
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  const time = formatClock(epochMs);
  if (epochMs >= startOfToday) return time;
  if (epochMs >= startOfToday - dayMs) return `Yesterday ${time}`;
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

export function formatOffset(ms: number): string {
  return formatDuration(ms);
}

export type SentimentTone = 'negative' | 'neutral' | 'positive';

/** Same thresholds VADER uses for its compound score. */
export function sentimentTone(score: number): SentimentTone {
  if (score <= -0.05) return 'negative';
  if (score >= 0.05) return 'positive';
  return 'neutral';
}

export function formatScore(score: number): string {
  return `${score > 0 ? '+' : score < 0 ? '−' : ''}${Math.abs(score).toFixed(2)}`;
}

export function titleCase(s: string): string {
  return s
    .replace(/[_-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\b\w/g, (c) => c.toUpperCase());
}
