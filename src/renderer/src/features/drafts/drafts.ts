/**
 * Unsent text per call (the composer's reply, the whisper box's note) kept in the tab's
 * sessionStorage, so a reload mid-call loses nothing the agent typed. Session, not local,
 * storage: a draft belongs to this tab's shift and never outlives the browser session.
 *
 * Storage may be full, disabled or throw on access (private windows, a locked-down Electron
 * profile): every access is guarded, and a failure only means the draft is not kept across a
 * reload. Typing itself never depends on storage (the text lives in React/zustand state).
 */

export type DraftKind = 'composer' | 'whisper';

interface StoredDraft {
  composer?: string;
  whisper?: string;
  /** Epoch ms of the last edit, to drop the stalest calls first when over the bound. */
  editedAt: number;
}

type DraftBook = Record<string, StoredDraft>;

const STORAGE_KEY = 'switchboard.drafts.v1';
/** More calls than an agent could have open at once; older drafts beyond this are dropped. */
export const MAX_DRAFT_CALLS = 20;
/** Longest text kept per draft (the composer takes 1,000 characters, the whisper 500): a bound on storage, not on typing. */
export const MAX_DRAFT_CHARS = 4000;

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    // Accessing sessionStorage itself throws when the browser blocks storage.
    return null;
  }
}

function readBook(): DraftBook {
  const store = storage();
  if (!store) return {};
  try {
    const raw = store.getItem(STORAGE_KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const book: DraftBook = {};
    for (const [callId, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!value || typeof value !== 'object') continue;
      const v = value as Record<string, unknown>;
      const entry: StoredDraft = { editedAt: typeof v['editedAt'] === 'number' ? v['editedAt'] : 0 };
      if (typeof v['composer'] === 'string' && v['composer']) entry.composer = v['composer'];
      if (typeof v['whisper'] === 'string' && v['whisper']) entry.whisper = v['whisper'];
      if (entry.composer || entry.whisper) book[callId] = entry;
    }
    return book;
  } catch {
    // Unreadable (hand-edited, or another version's shape): start afresh rather than fail.
    return {};
  }
}

function writeBook(book: DraftBook): void {
  const store = storage();
  if (!store) return;
  const ids = Object.keys(book);
  if (ids.length > MAX_DRAFT_CALLS) {
    ids.sort((a, b) => book[b]!.editedAt - book[a]!.editedAt);
    for (const id of ids.slice(MAX_DRAFT_CALLS)) delete book[id];
  }
  try {
    if (Object.keys(book).length === 0) store.removeItem(STORAGE_KEY);
    else store.setItem(STORAGE_KEY, JSON.stringify(book));
  } catch {
    // Quota exceeded or storage disabled: the draft stays in memory for this page only.
  }
}

/** The saved draft of `kind` for a call ('' when none). */
export function readDraft(callId: string, kind: DraftKind): string {
  return readBook()[callId]?.[kind] ?? '';
}

/** Every saved draft of `kind`, by call id (to seed the store on load). */
export function readDrafts(kind: DraftKind): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [callId, entry] of Object.entries(readBook())) {
    const text = entry[kind];
    if (text) out[callId] = text;
  }
  return out;
}

/** Saves (or, for blank text, clears) a call's draft. `now` is injectable for tests. */
export function writeDraft(callId: string, kind: DraftKind, text: string, now = Date.now()): void {
  const book = readBook();
  const entry: StoredDraft = { ...book[callId], editedAt: now };
  if (text.trim() === '') delete entry[kind];
  else entry[kind] = text.slice(0, MAX_DRAFT_CHARS);
  if (entry.composer || entry.whisper) book[callId] = entry;
  else delete book[callId];
  writeBook(book);
}

/** Clears a call's draft of `kind` (after it was sent). */
export function clearDraft(callId: string, kind: DraftKind): void {
  writeDraft(callId, kind, '');
}

/** Drops the drafts of every call `keep` says no to (ended or gone); returns the ids dropped. */
export function pruneDrafts(keep: (callId: string) => boolean): string[] {
  const book = readBook();
  const dropped = Object.keys(book).filter((id) => !keep(id));
  if (dropped.length === 0) return dropped;
  for (const id of dropped) delete book[id];
  writeBook(book);
  return dropped;
}
