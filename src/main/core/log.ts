/**
 * Structured logging (pino). House rule: transcripts, phone numbers and DTMF digits
 * never go into message text; they may only appear as fields named below, which are
 * redacted before anything is written.
 */
import { pino, type Logger } from 'pino';

export const REDACTED_FIELDS = ['text', 'from', 'to', 'digit', 'digits', 'phone', 'transcript', 'apiKey', 'token', 'authToken'];

export type { Logger };

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.SWITCHBOARD_LOG_LEVEL ?? 'info';
  const config: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: { paths: REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]), censor: '[redacted]' },
  };
  return options.destination ? pino(config, options.destination) : pino(config, pino.destination(2));
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
