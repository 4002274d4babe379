/** Small display helpers. Times are ms unless a name says otherwise. */
import { SENTIMENT_BAND_WORDS, sentimentBand } from '@shared/sentiment';

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

/** "Negative −0.42", "Neutral +0.01", "Positive +0.63": the band word first, the number as detail. */
export function formatSentiment(score: number): string {
  return `${SENTIMENT_BAND_WORDS[sentimentBand(score)]} ${formatScore(score)}`;
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
  return endReasonWords[reason] ?? idInWords(reason);
}

/** An id from the core ("double-charge", "silence_timeout") as a sentence: "Double charge". */
export function idInWords(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The engines' labels as the core reports them (EngineInfo.label, TurnMetrics.*Label) are the
 * software's names ("pocketsphinx (offline)", "flite slt (offline)"); on screen they read as
 * what they do. Callers put the original label in a tooltip. Cloud vendors' names
 * ("Deepgram Nova-3", "Gemini 2.5 Flash") are what the agent configured, so they stay.
 */
const engineWords: [pattern: RegExp, words: string][] = [
  [/pocketsphinx/i, 'Offline speech recognition'],
  [/^flite\b/i, 'Offline voice'],
  [/intent \+ knowledge base/i, 'Offline replies'],
];

/** "pocketsphinx (offline)" -> "Offline speech recognition"; anything unknown is shown as given. */
export function engineLabel(label: string): string {
  for (const [pattern, words] of engineWords) if (pattern.test(label)) return words;
  return label;
}

/** Node and undici network error codes in words (what the agent can check), by code. */
const networkCodeWords: Record<string, string> = {
  ENOTFOUND: "the address wasn't found (is this computer online?)",
  EAI_AGAIN: "the address couldn't be looked up (is this computer online?)",
  ECONNREFUSED: 'nothing answered at that address',
  ECONNRESET: 'the connection was cut off',
  ECONNABORTED: 'the connection was cut off',
  EPIPE: 'the connection closed unexpectedly',
  ETIMEDOUT: 'it took too long to answer',
  UND_ERR_CONNECT_TIMEOUT: 'it took too long to answer',
  ENETUNREACH: "the network can't reach it (is this computer online?)",
  EHOSTUNREACH: "the network can't reach it (is this computer online?)",
};

function codeInWords(code: string): string {
  if (networkCodeWords[code]) return networkCodeWords[code];
  if (/^(CERT_|UNABLE_TO_VERIFY|SELF_SIGNED|DEPTH_ZERO)/.test(code)) return "its security certificate couldn't be checked";
  return 'the connection failed';
}

const NETWORK_CODE = String.raw`E(?:NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|CONNABORTED|PIPE|TIMEDOUT|NETUNREACH|HOSTUNREACH)|CERT_[A-Z_]+|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UND_ERR_[A-Z_]+`;
/** "… (ENOTFOUND)." as the core's own sentences put it. */
const CODE_IN_BRACKETS = new RegExp(String.raw`\s*\((${NETWORK_CODE})\)`, 'g');
/** Node's raw "getaddrinfo ENOTFOUND api.example.com" / "connect ECONNREFUSED 127.0.0.1:443". */
const CODE_INLINE = new RegExp(String.raw`\b(?:getaddrinfo|connect|read|write|querySrv)?\s*\b(${NETWORK_CODE})\b(?:\s+([\w.-]+(?::\d+)?))?`, 'g');

/**
 * An error message with network codes in plain words: "Could not reach Deepgram at
 * api.deepgram.com (ENOTFOUND)." -> "Could not reach Deepgram at api.deepgram.com: the address
 * wasn't found (is this computer online?)." `detail` is the original message for a tooltip,
 * null when nothing needed rewording.
 */
export function errorInWords(message: string): { text: string; detail: string | null } {
  const text = message
    .replace(CODE_IN_BRACKETS, (_m, code: string) => `: ${codeInWords(code)}`)
    .replace(CODE_INLINE, (_m, code: string, host: string | undefined) => `${host ? `${host}: ` : ''}${codeInWords(code)}`)
    .replace(/\bfetch failed\b/g, "the request didn't get through");
  return text === message ? { text, detail: null } : { text, detail: message };
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
