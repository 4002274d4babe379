/**
 * The logger's redaction (src/main/core/log.ts, issue 10), on real pino loggers writing to a
 * captured destination: named fields dropped at any depth and in the bindings of children of
 * children, every other string (message, arguments, nested fields, error message, stack and
 * cause) through redact() with LOG_POLICY, and the values of the secrets a secret store holds
 * masked wherever they appear. Before this, pino's `redact` reached only `field` and `*.field`
 * and never looked inside strings: each case below fails against that logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretName } from '../../../src/shared/domain';
import { createFileSecretStore, SECRET_ENV_VARS } from '../../../src/main/core/config/secrets';
import { createLogger, REDACTED_FIELDS, scrubLogValue } from '../../../src/main/core/log';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, last: () => JSON.parse(lines.at(-1)!) as Record<string, unknown>, text: () => lines.join('') };
}

const CARD = '4111 1111 1111 1111';
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('log redaction', () => {
  it('masks PII in string fields at any depth, in arrays, and in the message and its arguments', () => {
    const { logger, last } = capture();
    logger.info({ a: { b: { c: { d: { e: `card ${CARD}` } } } }, list: ['ok', 'ssn 123-45-6789'], mail: 'bob@example.com' }, 'caller said %s', 'call me on (415) 555-0134');
    expect(last()).toMatchObject({
      a: { b: { c: { d: { e: 'card [CARD ••••1111]' } } } },
      list: ['ok', 'ssn [SSN]'],
      mail: '[EMAIL]',
      msg: 'caller said call me on [PHONE]',
    });
  });

  it('drops named fields at any depth, whatever their case or separators', () => {
    const { logger, last } = capture();
    logger.info({ deep: { deeper: { from: '+14155550134', text: 'hello', authToken: 'x' } }, DEEPGRAM_API_KEY: 'k', twilio_auth_token: 't', nested: [{ geminiApiKey: 'g' }] });
    expect(last()).toMatchObject({
      deep: { deeper: { from: '[redacted]', text: '[redacted]', authToken: '[redacted]' } },
      DEEPGRAM_API_KEY: '[redacted]',
      twilio_auth_token: '[redacted]',
      nested: [{ geminiApiKey: '[redacted]' }],
    });
  });

  it('drops a field named like every secret and its environment variable (secrets.ts)', () => {
    const { logger, last } = capture();
    const fields: Record<string, string> = {};
    for (const name of SecretName.options) {
      fields[name] = 'value';
      fields[SECRET_ENV_VARS[name]] = 'value';
    }
    logger.info({ inner: fields });
    const inner = last().inner as Record<string, string>;
    expect(Object.keys(inner)).toHaveLength(SecretName.options.length * 2);
    for (const [key, value] of Object.entries(inner)) expect(value, key).toBe('[redacted]');
    for (const f of ['text', 'from', 'to', 'digits', 'phone', 'transcript', 'token']) expect(REDACTED_FIELDS).toContain(f);
  });

  it('scrubs errors: message, stack, own fields and cause, under err or bare, keeping the type', () => {
    const { logger, lines } = capture();
    const cause = new Error('upstream said bob@example.com');
    const error = Object.assign(new TypeError(`charge failed for ${CARD}`, { cause }), { detail: 'ssn 123-45-6789', authToken: 'sekrit' });
    logger.error({ err: error }, 'payment failed');
    logger.error(error);
    for (const line of lines) {
      const err = (JSON.parse(line) as { err: Record<string, unknown> }).err;
      expect(err.type).toBe('TypeError');
      expect(err.message).toBe('charge failed for [CARD ••••1111]');
      expect(String(err.stack)).toMatch(/^TypeError: charge failed for \[CARD ••••1111\]\n\s+at /);
      expect(err.detail).toBe('ssn [SSN]');
      expect(err.authToken).toBe('[redacted]');
      expect((err.cause as { message: string }).message).toBe('upstream said [EMAIL]');
    }
    expect((JSON.parse(lines[1]!) as { msg: string }).msg).toBe('charge failed for [CARD ••••1111]');
    expect(lines.join('')).not.toMatch(/4111|123-45-6789|bob@example|sekrit/);
  });

  it('scrubs the bindings of children and grandchildren', () => {
    const { logger, last } = capture();
    logger.child({ callSid: 'CA1', from: '+14155550134', meta: { caller: '+1 415 555 0134' } }).child({ note: `card ${CARD}` }).info('hello');
    expect(last()).toMatchObject({ callSid: 'CA1', from: '[redacted]', meta: { caller: '[PHONE]' }, note: 'card [CARD ••••1111]', msg: 'hello' });
    const child = logger.child({ component: 'x' });
    child.setBindings({ later: 'ssn 123-45-6789' });
    child.info('bound later');
    expect(last()).toMatchObject({ component: 'x', later: 'ssn [SSN]' });
  });

  it('masks the values of the secrets a secret store holds, wherever they appear', () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-logred-'));
    const values = {
      DEEPGRAM_API_KEY: 'dg-unit-9f8e7d6c5b4a3f2e',
      GEMINI_API_KEY: 'AIzaUnit-1a2b3c4d5e6f7a8b',
      TWILIO_AUTH_TOKEN: 'twtok-unit-0a1b2c3d4e5f',
      TWILIO_API_KEY_SECRET: 'twsec-unit-6f5e4d3c2b1a',
    };
    const store = createFileSecretStore(dir, values);
    const saved = 'saved-key-unit-77aa88bb99cc';
    createFileSecretStore(dir, {}).set('deepgramApiKey', saved);
    expect(store.get('geminiApiKey')).toBe(values.GEMINI_API_KEY);
    const { logger, text } = capture();
    for (const value of [...Object.values(values), saved]) {
      logger.warn({ url: `https://api.example.com/v1?key=${value}`, err: new Error(`401 for token ${value}`) }, `request with ${value} failed`);
    }
    for (const value of [...Object.values(values), saved]) expect(text()).not.toContain(value);
    expect(text()).toContain('?key=[redacted]');
  });

  it('masks a card logged as a number, and leaves ordinary numbers and clean objects alone', () => {
    const { logger, last } = capture();
    logger.info({ n: 4111111111111111, callId: 'c-1', durationMs: 1234, at: 1_764_000_000_000 }, 'ok');
    expect(last()).toMatchObject({ n: '[CARD ••••1111]', callId: 'c-1', durationMs: 1234, at: 1_764_000_000_000, msg: 'ok' });
    const clean = { callId: 'c-1', nested: { count: 3, list: ['a', 'b'] } };
    expect(scrubLogValue(clean)).toBe(clean); // nothing to change: the same object, no copy
  });

  it('survives circular objects and very deep nesting', () => {
    const { logger, last } = capture();
    const loop: Record<string, unknown> = { name: 'loop', phone: '+14155550134' };
    loop.self = loop;
    let deep: Record<string, unknown> = { leaf: CARD };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    logger.info({ loop, deep }, 'odd shapes');
    const line = last();
    expect(line.loop).toMatchObject({ name: 'loop', phone: '[redacted]', self: '[Circular]' });
    expect(JSON.stringify(line)).not.toContain('4111');
  });
});
