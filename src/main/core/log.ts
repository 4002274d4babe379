/**
 * Structured logging (pino). House rule: transcripts, phone numbers and DTMF digits never go
 * into message text; they may only appear as fields named below. Since rules get broken (an
 * SDK's error quotes a URL, a stack holds a number), every log line is also scrubbed on the
 * way out, once, for every logger and child (issue 10):
 *  - fields named in REDACTED_FIELDS or like a secret (deepgramApiKey, TWILIO_AUTH_TOKEN, ...)
 *    are replaced by "[redacted]" at any depth, in child bindings too;
 *  - every other string (the message, interpolated arguments, nested fields, an error's
 *    message and stack, its cause) goes through `redact()` with LOG_POLICY, so cards, CVVs,
 *    SSNs, IBANs, emails and phone numbers are masked;
 *  - the values of the secrets this process knows (secret-values.ts, fed by secrets.ts) are
 *    replaced by "[redacted]" wherever they appear.
 * This is done in a `hooks.logMethod` (merging object, message, arguments) and around
 * `child`/`setBindings` (bindings), rather than with pino's `redact` paths, which only reach
 * the exact paths listed and never look inside strings. Cost: see `npm run bench:redaction`
 * (a typical line is cheaper than pino's redact paths were; a line with an error stack costs
 * ~10 µs more). Logs are not on the per-frame path.
 */
import { pino, type Logger } from 'pino';
import { cardMask, isCardNumber } from './privacy/pii-detectors';
import { LOG_POLICY, redact } from './privacy/redaction';
import { maskSecretValues, rememberSecretValue } from './privacy/secret-values';
import { SecretName } from '@shared/domain';

const CENSOR = '[redacted]';

/** Fields whose whole value is dropped (transcript text, numbers, keypad digits, keys). */
export const REDACTED_FIELDS = [
  'text',
  'from',
  'to',
  'digit',
  'digits',
  'phone',
  'transcript',
  'apiKey',
  'token',
  'authToken',
  'password',
  'secret',
  'authorization',
  'cookie',
  // Every secret's name; compared as fieldKey() below, "deepgramApiKey" also covers its
  // environment variable DEEPGRAM_API_KEY (secrets.ts; a unit test checks each one).
  ...SecretName.options,
  // The team database URL carries its password: its environment variable is not the secret's
  // name plus a suffix, and pg calls it a connection string.
  'SWITCHBOARD_TEAM_DATABASE_URL',
  'connectionString',
];

/** Field names compared without case, '_' or '-': "authToken", "auth_token" and "AUTH-TOKEN" are one name. */
const fieldKey = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');
const CENSORED = new Set(REDACTED_FIELDS.map(fieldKey));

/** Deeper than this, a value is replaced by a marker rather than walked (log objects are shallow). */
const MAX_DEPTH = 8;

export type { Logger };

/** One string as it may be logged: known secret values and PII masked. */
export function scrubLogText(text: string): string {
  return redact(maskSecretValues(text, CENSOR), LOG_POLICY).text;
}

/**
 * A log value with censored fields dropped and every string scrubbed. Returns the same
 * reference when nothing changed, so the common case allocates nothing.
 */
export function scrubLogValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  switch (typeof value) {
    case 'string':
      return scrubLogText(value);
    case 'number':
      // A card logged as a number (13-16 digits fit a safe integer). Only the card check: a
      // timestamp in ms has 13 digits too, and reading every one as a possible phone number
      // would cost a libphonenumber call per line.
      if (Number.isSafeInteger(value) && value >= 1e12 && isCardNumber(String(value))) return cardMask(String(value));
      return value;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  seen.add(value);
  try {
    if (value instanceof Error) return scrubError(value, depth, seen);
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v = scrubLogValue(value[i], depth + 1, seen);
        if (v !== value[i]) (out ??= value.slice())[i] = v;
      }
      return out ?? value;
    }
    if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof Map || value instanceof Set) return value;
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return scrubLogValue(json.call(value), depth, seen);
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      const next = CENSORED.has(fieldKey(key)) && v !== undefined && v !== null ? CENSOR : scrubLogValue(v, depth + 1, seen);
      if (next !== v) (out ??= { ...(value as Record<string, unknown>) })[key] = next;
    }
    return out ?? value;
  } finally {
    seen.delete(value);
  }
}

/** An error as pino's err serializer would write it (type, message, stack, own fields, cause), scrubbed. */
function scrubError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.constructor?.name ?? 'Error',
    message: scrubLogText(String(error.message)),
  };
  if (typeof error.stack === 'string') out.stack = scrubLogText(error.stack);
  for (const key of Object.keys(error)) {
    if (key === 'message' || key === 'stack') continue;
    const v = (error as unknown as Record<string, unknown>)[key];
    out[key] = CENSORED.has(fieldKey(key)) && v !== undefined && v !== null ? CENSOR : scrubLogValue(v, depth + 1, seen);
  }
  if (error.cause !== undefined && !('cause' in out)) out.cause = scrubLogValue(error.cause, depth + 1, seen);
  if (error instanceof AggregateError && !('errors' in out)) out.errors = scrubLogValue(error.errors, depth + 1, seen);
  return out;
}

/** Environment variables whose values are secrets even before any secret store has read them. */
const SECRET_ENV_KEYS = new Set([...SecretName.options.map(fieldKey), fieldKey('SWITCHBOARD_TOKEN')]);

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.SWITCHBOARD_LOG_LEVEL ?? 'info';
  for (const [key, value] of Object.entries(process.env)) if (SECRET_ENV_KEYS.has(fieldKey(key))) rememberSecretValue(value);
  const config: pino.LoggerOptions = {
    level,
    base: undefined,
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => scrubLogValue(a)) as Parameters<typeof method>;
        // pino writes a bare Error as { err } with its message as msg; keep that shape.
        if (args[0] instanceof Error) {
          scrubbed[0] = { err: scrubbed[0] } as never;
          if (scrubbed.length === 1) scrubbed.push((scrubbed[0] as { err: { message: string } }).err.message as never);
        }
        method.apply(this, scrubbed);
      },
    },
    // Errors are already plain, scrubbed objects (scrubError); pino's own err serializer would
    // re-read them as error-like and lose their type.
    serializers: { err: (err: unknown) => err },
  };
  const logger = options.destination ? pino(config, options.destination) : pino(config, pino.destination(2));
  // pino applies `formatters.bindings` to the root's bindings only, and every child is made
  // with Object.create(parent): wrapping `child` (and `setBindings`) here scrubs the bindings
  // of every descendant.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, childOptions) {
    return child.call(this, scrubLogValue(bindings) as pino.Bindings, childOptions);
  } as typeof logger.child;
  const setBindings = logger.setBindings;
  logger.setBindings = function scrubbedSetBindings(this: Logger, bindings) {
    setBindings.call(this, scrubLogValue(bindings) as pino.Bindings);
  };
  return logger;
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
