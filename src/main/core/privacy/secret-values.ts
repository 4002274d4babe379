/**
 * The secret values this process knows (API keys, auth tokens), so the logger can mask them
 * wherever they turn up: in an SDK's error message, a URL with `?key=`, a header echoed back.
 * secrets.ts feeds it whenever it reads, loads or saves a value; log.ts reads it.
 *
 * Values are only ever added: a key replaced in Settings may still appear in a late error
 * from a connection opened with it, and masking an old key costs nothing.
 */

/** Shorter values are not real keys; masking them would eat ordinary words out of every log line. */
export const MIN_SECRET_LENGTH = 8;

const values = new Set<string>();
let pattern: RegExp | null = null;

/** Remembers a secret value so logs mask it. Ignores empty and too-short values. */
export function rememberSecretValue(value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH || values.has(v)) return;
  values.add(v);
  // Longest first, so a key that contains another one is masked whole.
  const escaped = [...values].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  pattern = new RegExp(escaped.join('|'), 'g');
}

/** `text` with every known secret value replaced by `censor`. */
export function maskSecretValues(text: string, censor: string): string {
  if (pattern === null) return text;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, censor) : text;
}
