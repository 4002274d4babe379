/**
 * Drafts per call in session storage (issue 9). Node has no sessionStorage, so each test
 * installs a Map-backed one (the Web Storage interface); the real browser's is exercised by
 * test/e2e/reload-settings.spec.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallSummary } from '../../src/shared/domain';
import {
  clearDraft,
  MAX_DRAFT_CALLS,
  MAX_DRAFT_CHARS,
  pruneDrafts,
  readDraft,
  readDrafts,
  writeDraft,
} from '../../src/renderer/src/features/drafts/drafts';
import { call } from '../support/call-summary';

class MapStorage implements Storage {
  readonly items = new Map<string, string>();
  /** When set, setItem throws like a full quota does. */
  full = false;
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(key, value);
  }
}

let storage: MapStorage;

beforeEach(() => {
  storage = new MapStorage();
  Object.defineProperty(globalThis, 'sessionStorage', { value: storage, configurable: true, writable: true });
});

afterEach(() => {
  Reflect.deleteProperty(globalThis, 'sessionStorage');
});

describe('drafts per call', () => {
  it('keeps the composer and whisper drafts of each call apart', () => {
    writeDraft('call-1', 'composer', 'Let me check that for you');
    writeDraft('call-1', 'whisper', 'offer the loyalty discount');
    writeDraft('call-2', 'composer', 'Hello again');
    expect(readDraft('call-1', 'composer')).toBe('Let me check that for you');
    expect(readDraft('call-1', 'whisper')).toBe('offer the loyalty discount');
    expect(readDraft('call-2', 'whisper')).toBe('');
    expect(readDrafts('composer')).toEqual({ 'call-1': 'Let me check that for you', 'call-2': 'Hello again' });
  });

  it('clears a draft once it is sent, and forgets a call with no drafts left', () => {
    writeDraft('call-1', 'composer', 'Sending this');
    writeDraft('call-1', 'whisper', 'and this');
    clearDraft('call-1', 'composer');
    expect(readDraft('call-1', 'composer')).toBe('');
    expect(readDraft('call-1', 'whisper')).toBe('and this');
    clearDraft('call-1', 'whisper');
    expect(storage.length).toBe(0);
  });

  it('treats blank text as no draft', () => {
    writeDraft('call-1', 'composer', '   \n');
    expect(readDrafts('composer')).toEqual({});
  });

  it('prunes the drafts of calls that ended', () => {
    writeDraft('live', 'composer', 'still typing');
    writeDraft('ended', 'composer', 'too late');
    writeDraft('ended', 'whisper', 'too late too');
    expect(pruneDrafts((id) => id === 'live')).toEqual(['ended']);
    expect(readDraft('ended', 'whisper')).toBe('');
    expect(readDraft('live', 'composer')).toBe('still typing');
  });

  it('bounds what it keeps: the newest calls, and each text to a maximum length', () => {
    for (let i = 0; i < MAX_DRAFT_CALLS + 5; i += 1) writeDraft(`call-${i}`, 'composer', `draft ${i}`, 1_000 + i);
    const kept = Object.keys(readDrafts('composer'));
    expect(kept).toHaveLength(MAX_DRAFT_CALLS);
    expect(kept).not.toContain('call-0');
    expect(kept).toContain(`call-${MAX_DRAFT_CALLS + 4}`);

    writeDraft('long', 'composer', 'x'.repeat(MAX_DRAFT_CHARS + 100), 9_999);
    expect(readDraft('long', 'composer')).toHaveLength(MAX_DRAFT_CHARS);
  });

  it('never throws when storage is full, missing or holds garbage', () => {
    storage.full = true;
    expect(() => writeDraft('call-1', 'composer', 'typed')).not.toThrow();
    expect(readDraft('call-1', 'composer')).toBe('');

    storage.full = false;
    storage.items.set('switchboard.drafts.v1', '{not json');
    expect(readDrafts('composer')).toEqual({});
    writeDraft('call-1', 'composer', 'typed again');
    expect(readDraft('call-1', 'composer')).toBe('typed again');

    Reflect.deleteProperty(globalThis, 'sessionStorage');
    expect(() => writeDraft('call-1', 'composer', 'no storage at all')).not.toThrow();
    expect(readDraft('call-1', 'composer')).toBe('');
  });
});

function summary(id: string, patch: Partial<CallSummary> = {}): CallSummary {
  return call(id, 1_700_000_000_000, { controller: 'agent', aiActivity: 'detached', state: 'agent', ...patch });
}

describe('the calls store keeps composer drafts in session storage', () => {
  /** A fresh store module, as after a reload (it reads the saved drafts when created). */
  async function freshStore() {
    vi.resetModules();
    return (await import('../../src/renderer/src/features/calls/store')).useCallsStore;
  }

  it('comes back with the drafts saved before a reload, and saves each edit', async () => {
    writeDraft('live-1', 'composer', 'half a reply');
    const store = await freshStore();
    expect(store.getState().drafts).toEqual({ 'live-1': 'half a reply' });
    store.getState().setDraft('live-1', 'half a reply, finished');
    expect(readDraft('live-1', 'composer')).toBe('half a reply, finished');
    store.getState().setDraft('live-1', '');
    expect(readDraft('live-1', 'composer')).toBe('');
  });

  it('drops the drafts of calls that ended, or are gone once the lists have loaded', async () => {
    writeDraft('live-1', 'composer', 'still needed');
    writeDraft('live-1', 'whisper', 'a note');
    writeDraft('gone-1', 'composer', 'ended while the tab was closed');
    writeDraft('ended-1', 'whisper', 'too late');
    const store = await freshStore();
    store.getState().upsertCalls([summary('live-1'), summary('ended-1', { status: 'ended', endedAt: 1_700_000_060_000 })]);
    expect(readDraft('ended-1', 'whisper')).toBe('');
    store.getState().setListsLoaded();
    expect(store.getState().drafts).toEqual({ 'live-1': 'still needed' });
    expect(readDrafts('composer')).toEqual({ 'live-1': 'still needed' });
    expect(readDraft('live-1', 'whisper')).toBe('a note');

    store.getState().upsertCalls([summary('live-1', { status: 'ended', endedAt: 1_700_000_090_000 })]);
    expect(store.getState().drafts).toEqual({});
    expect(storage.length).toBe(0);
  });
});
