import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDispatcher, ApiError, type Handlers } from '../../src/main/core/api/dispatcher';
import { createLogger, silentLogger } from '../../src/main/core/log';

const settings = { agentName: 'Ada', businessName: 'Brightwave', silenceRepromptMs: 8000 };
const handlers = {
  'settings.get': () => settings,
  'settings.update': (patch: object) => ({ ...settings, ...patch }),
  'calls.list': (args: unknown) => {
    seen.push(args);
    return [];
  },
  'call.end': ({ callId }: { callId: string }) => {
    if (callId === 'gone') throw new ApiError('not_found', 'no live call gone');
    if (callId === 'merged') throw z.object({ start: z.string().regex(/^\d\d:\d\d$/, 'expected a 24-hour time') }).parse({ start: '8 am' }) as never;
    if (callId === 'secrets') throw Object.assign(new Error('the API key file is not valid JSON; fix or remove it'), { code: 'internal' });
    throw new Error('SQLITE_CORRUPT: database disk image is malformed at /home/ada/.local/share/switchboard/switchboard.db');
  },
} as unknown as Handlers;
const seen: unknown[] = [];
const dispatch = createDispatcher(handlers, silentLogger);

describe('command dispatcher (the boundary both transports share)', () => {
  it('runs a valid command and wraps its value', async () => {
    expect(await dispatch('settings.get', {})).toEqual({ ok: true, value: settings });
    expect(await dispatch('settings.get', undefined)).toEqual({ ok: true, value: settings });
  });

  it('applies schema defaults before the handler sees the input', async () => {
    await dispatch('calls.list', undefined);
    await dispatch('calls.list', { scope: 'live' });
    expect(seen).toEqual([
      { scope: 'all', limit: 100 },
      { scope: 'live', limit: 100 },
    ]);
  });

  it.each([
    ['an unknown command', 'calls.destroyAll', {}, /unknown command "calls.destroyAll"/],
    ['a non-string name', 42, {}, /unknown command "42"/],
    ['a wrong type', 'calls.list', { limit: 'ten' }, /limit/],
    ['an out-of-range value', 'calls.list', { limit: 100000 }, /limit/],
    ['an unexpected key', 'settings.update', { apiKey: 'x' }, /apiKey/],
    ['a missing field', 'call.say', { callId: 'c1' }, /text/],
    ['a blank reply', 'call.say', { callId: 'c1', text: '   ' }, /text/],
    ['a non-object', 'call.end', 'c1', /expected object/],
  ])('rejects %s with bad_request and a reason', async (_what, name, input, reason) => {
    const result = await dispatch(name, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad_request');
      expect(result.error.message).toMatch(reason);
    }
  });

  it('passes user-facing errors through as they are', async () => {
    expect(await dispatch('call.end', { callId: 'gone' })).toEqual({ ok: false, error: { code: 'not_found', message: 'no live call gone' } });
    // An error that carries a contract error code (SecretStoreError does) was written for the user.
    expect(await dispatch('call.end', { callId: 'secrets' })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the API key file is not valid JSON; fix or remove it' },
    });
  });

  it('answers a schema check inside a handler as bad_request with the schema’s words', async () => {
    expect(await dispatch('call.end', { callId: 'merged' })).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'call.end: ✖ expected a 24-hour time; → at start' },
    });
  });

  it('answers an unexpected failure with a generic message and an error id; the details go only to the log', async () => {
    const lines: string[] = [];
    const logged = createDispatcher(handlers, createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } }));
    const first = await logged('call.end', { callId: 'x' });
    const second = await logged('call.end', { callId: 'x' });
    if (first.ok || second.ok) throw new Error('expected failures');
    expect(first.error.code).toBe('internal');
    const id = /^Something went wrong \(error id ([0-9a-f]{8})\)\. Details are in the log\.$/.exec(first.error.message)?.[1];
    expect(id).toBeDefined();
    expect(first.error.message).not.toMatch(/SQLITE|malformed|\/home/);
    expect(second.error.message).not.toBe(first.error.message); // each failure has its own id

    const entry = lines.map((l) => JSON.parse(l) as { msg: string; errorId?: string; command?: string; err?: { message: string } }).find((l) => l.errorId === id);
    expect(entry).toMatchObject({ msg: 'command failed', command: 'call.end', err: { message: expect.stringMatching(/SQLITE_CORRUPT/) } });
  });
});
