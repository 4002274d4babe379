import { describe, expect, it } from 'vitest';
import { createDispatcher, ApiError, type Handlers } from '../../src/main/core/api/dispatcher';
import { silentLogger } from '../../src/main/core/log';

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
    throw new Error('disk on fire');
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

  it('passes user-facing errors through and wraps unexpected ones as internal', async () => {
    expect(await dispatch('call.end', { callId: 'gone' })).toEqual({ ok: false, error: { code: 'not_found', message: 'no live call gone' } });
    expect(await dispatch('call.end', { callId: 'x' })).toEqual({ ok: false, error: { code: 'internal', message: 'call.end failed: disk on fire' } });
  });
});
