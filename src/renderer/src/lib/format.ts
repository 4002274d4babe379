/** Small display helpers. Times are ms unless a name says otherwise. */

export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** The caller's number, formatted: `from` for inbound calls, `to` for outbound ones. */
export function callerNumber(c: { direction: 'inbound' | 'outbound'; from: string; to: string }): string {
  return formatPhone(c.direction === 'inbound' ? c.from : c.to);
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

/** Seconds as people say them: "45 s", "2 min", "2 min 30 s", "1 h 5 min". */
export function formatSeconds(totalS: number): string {
  const s = Math.round(totalS);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return rest > 0 ? `${m} min ${rest} s` : `${m} min`;
}

/** "negative −0.42", "neutral +0.01", "positive +0.63". */
export function formatSentiment(score: number): string {
  return `${sentimentTone(score)} ${formatScore(score)}`;
}

const endReasonWords: Record<string, string> = {
  caller_hangup: 'Caller hung up',
  agent_ended: 'Agent ended',
  ai_ended: 'AI ended',
  silence_timeout: 'Caller went silent',
  stream_closed: 'Line dropped',
  console_closed: 'Console closed',
  interrupted: 'Interrupted',
  error: 'Error',
  completed: 'Completed',
  busy: 'Busy',
  'no-answer': 'No answer',
  no_answer: 'No answer',
  failed: 'Failed to connect',
  canceled: 'Cancelled',
};

/** End reasons in plain words ("AI ended", not "Ai Ended"). */
export function endReasonLabel(reason: string): string {
  const known = endReasonWords[reason];
  if (known) return known;
  const words = reason.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "12 Mar 2025, 14:02" in the viewer's locale. */
export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString([], {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "1.4 MB", "820 KB", "312 B". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** A share in [0, 1] as "42%"; "—" for null. */
export function formatPercent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}
