import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallEvent, CallSummary, Utterance } from '@shared/domain';
import type { NewCall } from '../../../src/main/core/store/call-store';

/** A fresh temp folder per test; call the returned cleanup in afterEach. */
export function makeTempDir(prefix = 'switchboard-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newCall(overrides: Partial<NewCall> = {}): NewCall {
  return {
    id: 'call-1',
    callSid: 'CA00000000000000000000000000000001',
    direction: 'inbound',
    from: '+15550100001',
    to: '+15550100999',
    status: 'active',
    controller: 'ai',
    startedAt: 1_700_000_000_000,
    endedAt: null,
    scenario: null,
    endReason: null,
    ...overrides,
  };
}

export function finalLine(overrides: Partial<Utterance> & Pick<Utterance, 'id'>): Utterance {
  return {
    callId: 'call-1',
    speaker: 'caller',
    text: 'hello',
    final: true,
    startMs: 0,
    endMs: 1000,
    sentiment: null,
    interrupted: false,
    ...overrides,
  };
}

export function event(overrides: Partial<CallEvent> & Pick<CallEvent, 'id'>): CallEvent {
  return { callId: 'call-1', type: 'started', atMs: 0, data: {}, ...overrides };
}

export type { CallSummary };
