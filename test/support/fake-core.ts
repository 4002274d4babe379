/**
 * A stand-in core for the Electron shell's unit tests: they test the shell's decisions (what it
 * does with calls, events, quitting), not the core, which has its own tests and runs for real in
 * test/integration/electron-shell.test.ts. Events are emitted by the test; commands are recorded
 * and answered from `answers` (else a plain ok).
 */
import type { AnyEvent, Result } from '../../src/shared/contract';
import type { CallSummary } from '../../src/shared/domain';
import type { Core, CoreFile } from '../../src/main/core/core-types';

export interface FakeCore extends Core {
  dispatched: Array<{ name: string; input: unknown }>;
  liveCalls: CallSummary[];
  files: Map<string, CoreFile>;
  closed: boolean;
  /** close() resolves only when this is set and called (a core that hangs on quit). */
  hangOnClose: boolean;
  emit(event: AnyEvent): void;
  callUpdated(call: CallSummary): void;
}

export function fakeCore(): FakeCore {
  const listeners = new Set<(event: AnyEvent) => void>();
  const core: FakeCore = {
    dispatched: [],
    liveCalls: [],
    files: new Map(),
    closed: false,
    hangOnClose: false,
    bridgeUrl: 'ws://127.0.0.1:1/media',
    async dispatch(name, input): Promise<Result<unknown>> {
      core.dispatched.push({ name, input });
      if (name === 'calls.list') return { ok: true, value: core.liveCalls };
      return { ok: true, value: null };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async file(route) {
      return core.files.get(route) ?? null;
    },
    simulatedCall() {
      throw new Error('not in the fake core');
    },
    close() {
      if (core.hangOnClose) return new Promise<void>(() => undefined);
      core.closed = true;
      return Promise.resolve();
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    callUpdated(call) {
      core.emit({ name: 'call.updated', payload: call } as AnyEvent);
    },
  };
  return core;
}
