/**
 * A deterministic synthetic call store for the history benchmark (issue 7, "How fast"):
 * 100,000 calls and exactly 1,000,000 transcript lines over 120 days, written through the
 * real schema (openDatabase: migrations, FTS index, the history triggers) with plain INSERTs
 * in large transactions. The triggers fill the derived columns (caller sentiment, take-over,
 * alerts, intent) exactly as they do in the app.
 *
 * What it looks like (so filters, search and analytics have realistic selectivity):
 * - calls arrive mostly in business hours (local time UTC-5), fewer at weekends; 80 % inbound;
 *   outbound calls that never connect (no-answer, busy, failed, canceled) have no lines;
 * - ~6 % of inbound calls are abandoned in the first seconds; the rest are conversations of
 *   2–60 lines (about 11 on average) between the caller and the AI, and after a take-over
 *   (~14 %, likelier for unhappy callers) the agent; some are handed back;
 * - caller lines come from resources/intents.json examples, resources/stt/domain-phrases.txt,
 *   names, addresses and account numbers; AI lines from the intents' replies (placeholders
 *   filled) and knowledge-base sentences; every caller line is scored with the app's own
 *   sentiment analyser and the first substantive one carries its intent;
 * - every AI reply has its turn metrics (cloud or offline labels; no LLM first token for
 *   offline replies and LLM fallbacks), plus the events the app records: started, status,
 *   tool_call, takeover_requested, takeover, hold, handback, barge_in, fallback, error,
 *   silence, dtmf, ended;
 * - recordings (when the schema has the table): a line recording for demo calls and, from 45
 *   days before the end (when "the team turned recording on"), for most calls; an agent-leg
 *   recording for calls taken over on the softphone. Rows only: no audio files are written.
 *
 * Built once per (generator version, seed, sizes, schema version) into os.tmpdir() and reused;
 * a build writes to a temporary name and renames when complete, so an interrupted build is
 * never mistaken for a finished one. It runs in a child process, so the memory it takes (a
 * large page cache, the generator's arrays) never counts in the measuring process's RSS.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sentiment } from '@shared/domain';
import { DEFAULT_ALERT_RULES } from '../../../src/shared/alerts';
import { sentimentOf } from '../../../src/main/core/assist/sentiment';
import { openDatabase } from '../../../src/main/core/store/db';
import { LATEST_SCHEMA_VERSION } from '../../../src/main/core/store/migrations/index';

/** Bump when the generated data changes shape; old cached stores are then rebuilt (and removed). */
const GENERATOR_VERSION = 4;
/** Events that a shipped alert rule turns into an alert, and that rule's kind. */
const ALERT_SOURCES = [
  ['takeover_requested', 'person_request'],
  ['fallback', 'provider_trouble'],
  ['error', 'provider_trouble'],
] as const;

const DAY_MS = 86_400_000;
/** The store's last instant (exclusive): fixed, so every build is the same data. */
export const HISTORY_STORE_END_AT = Date.UTC(2025, 5, 2, 5, 0, 0); // 2025-06-02 00:00 at UTC-5
/** The synthetic call centre's local time (minutes east of UTC). */
export const HISTORY_STORE_UTC_OFFSET_MIN = -300;

export interface HistoryStoreOptions {
  calls?: number;
  lines?: number;
  days?: number;
  seed?: number;
  /** Progress and build time go here (stderr in the bench). */
  log?: (message: string) => void;
}

export interface HistoryStore {
  /** The SQLite file; open it with openDatabase. */
  file: string;
  calls: number;
  lines: number;
  /** Epoch ms: the store covers [startAt, endAt). */
  startAt: number;
  endAt: number;
  /** True when this run built it; false when a cached copy was reused. */
  built: boolean;
  /** Build time, when built. */
  buildMs: number | null;
}

export function historyStore(options: HistoryStoreOptions = {}): HistoryStore {
  const calls = options.calls ?? 100_000;
  const lines = options.lines ?? 1_000_000;
  const days = options.days ?? 120;
  const seed = options.seed ?? 20250602;
  const log = options.log ?? (() => {});
  const key = createHash('sha256')
    .update(JSON.stringify({ GENERATOR_VERSION, LATEST_SCHEMA_VERSION, calls, lines, days, seed }))
    .digest('hex')
    .slice(0, 12);
  const root = join(tmpdir(), 'switchboard-bench-history');
  // Sizes first in the name: a store of other sizes (a smaller trial run) is left alone.
  const prefix = `${calls}x${lines}-`;
  const dir = join(root, prefix + key);
  const file = join(dir, 'calls.db');
  const info = { file, calls, lines, startAt: HISTORY_STORE_END_AT - days * DAY_MS, endAt: HISTORY_STORE_END_AT };
  if (existsSync(file)) {
    log(`history store: reusing ${file}`);
    return { ...info, built: false, buildMs: null };
  }

  // Older versions of a store of these sizes are about 1 GB each: keep only this one.
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) if (name.startsWith(prefix)) rmSync(join(root, name), { recursive: true, force: true });

  const building = join(root, `${prefix}${key}.building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const started = performance.now();
  log(`history store: building ${calls.toLocaleString('en-US')} calls, ${lines.toLocaleString('en-US')} lines in ${building} …`);
  // The child's stdout and stderr both go to our stderr: stdout is for the bench's figures.
  const child = spawnSync(
    process.execPath,
    [RUN_TS, import.meta.filename, BUILD_FLAG, join(building, 'calls.db'), JSON.stringify({ calls, lines, days, seed })],
    { stdio: ['ignore', 2, 2] },
  );
  if (child.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`history store: the build failed (${child.error?.message ?? `exit code ${child.status}`})`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  const buildMs = performance.now() - started;
  log(`history store: built in ${(buildMs / 1000).toFixed(1)} s`);
  return { ...info, built: true, buildMs };
}

const RUN_TS = resolve(import.meta.dirname, '../../support/run-ts.mjs');
const BUILD_FLAG = '--build-into';

// ------------------------------------------------------------------------------ randomness

/** mulberry32: small, fast, and the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [value, w] of items) {
      x -= w;
      if (x < 0) return value;
    }
    return items.at(-1)![0];
  }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[Math.floor(this.next() * 16)];
    return s;
  }
  /** A UUID-shaped id, as the app's randomUUID() ids are (so index locality is the app's). */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(this.next() * 4)]}${h.slice(17, 20)}-${h.slice(20)}`;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}
const HEX = '0123456789abcdef';

// ------------------------------------------------------------------------------ text sources

interface IntentDef {
  id: string;
  examples: string[];
  replies: string[];
  kb: string[];
}

interface Corpus {
  intents: Map<string, IntentDef>;
  /** Intents a caller phones about, with how common they are. */
  reasons: (readonly [string, number])[];
  followUps: string[];
  kbSentences: Map<string, string[]>;
  allKb: string[];
  chatter: string[];
}

const SMALL_TALK = new Set(['unknown', 'affirm', 'deny', 'greeting', 'thanks_goodbye']);
const REASON_WEIGHTS: Record<string, number> = {
  billing_double_charge: 14,
  refund_status: 9,
  payment: 10,
  late_fee: 5,
  outage: 12,
  slow_internet: 13,
  router_reset: 7,
  upgrade_plan: 7,
  moving_house: 5,
  cancel_service: 6,
  opening_hours: 3,
  installation: 5,
  data_privacy: 1,
  complaint: 3,
  human_agent: 2,
};

function loadCorpus(): Corpus {
  const resources = resolve(import.meta.dirname, '../../../resources');
  const raw = JSON.parse(readFileSync(join(resources, 'intents.json'), 'utf8')) as {
    intents: { id: string; examples?: string[]; replies?: (string | { text: string })[]; kbArticles?: string[] }[];
    followUps: { replies: (string | { text: string })[] }[];
  };
  const replyText = (r: string | { text: string }): string => (typeof r === 'string' ? r : r.text);
  const kbSentences = new Map<string, string[]>();
  const kbDir = join(resources, 'knowledge-base');
  for (const name of readdirSync(kbDir).filter((n) => n.endsWith('.md')).sort()) {
    const body = readFileSync(join(kbDir, name), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join(' ');
    kbSentences.set(
      name.replace(/\.md$/, ''),
      body
        .split(/(?<=[.!?])\s+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 12),
    );
  }
  const intents = new Map<string, IntentDef>();
  for (const intent of raw.intents) {
    intents.set(intent.id, {
      id: intent.id,
      examples: intent.examples ?? [],
      replies: (intent.replies ?? []).map(replyText),
      kb: (intent.kbArticles ?? []).flatMap((a) => kbSentences.get(a) ?? []),
    });
  }
  const chatter = readFileSync(join(resources, 'stt', 'domain-phrases.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return {
    intents,
    reasons: Object.entries(REASON_WEIGHTS).filter(([id]) => intents.has(id)),
    followUps: raw.followUps.flatMap((f) => f.replies.map(replyText)),
    kbSentences,
    allKb: [...kbSentences.values()].flat(),
    chatter,
  };
}

const FIRST_NAMES = [
  'Aisha', 'Ben', 'Carmen', 'Dmitri', 'Eleanor', 'Farid', 'Grace', 'Hiroshi', 'Ines', 'Jamal', 'Katarzyna', 'Liam',
  'Mei', 'Nkechi', 'Oscar', 'Priya', 'Quentin', 'Rosa', 'Siobhan', 'Tariq', 'Ursula', 'Viktor', 'Wanjiru', 'Xavier',
  'Yusuf', 'Zofia', 'Andrew', 'Beatriz', 'Callum', 'Deepa', 'Emeka', 'Freya', 'Gustavo', 'Hannah', 'Ivan', 'Joanna',
];
const SURNAMES = [
  'Okonkwo', 'Nguyen', 'Fitzgerald', 'Kowalski', 'Haddad', 'Lindqvist', 'Moreau', 'Patel', 'Rossi', 'Schneider',
  'Tanaka', 'Abernathy', 'Castellano', 'Dubois', 'Erikson', 'Fernandes', 'Gallagher', 'Hoffmann', 'Ivanova', 'Jensen',
  'Kaur', 'Lombardi', 'McAllister', 'Novak', 'Oyelaran', 'Petrov', 'Quinlan', 'Ramirez', 'Sato', 'Thornbury',
];
const STREETS = ['Station Road', 'Mill Lane', 'Church Street', 'Victoria Avenue', 'Orchard Close', 'Harbour View', 'Kingfisher Way', 'Elm Grove', 'Quarry Hill', 'Bramble Court'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'fifteenth', 'twentieth', 'twenty first', 'twenty eighth'];
const DIGIT_WORDS = ['oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEAMS = ['billing', 'technical support', 'accounts', 'customer care', 'retentions'];
const OUTBOUND_PURPOSES = [
  'your installation appointment on {date}',
  'a missed payment on your account',
  'the refund you asked about',
  'the outage in your area, which is now fixed',
  'your contract, which ends on {date}',
];
const ANGRY = [
  'this is ridiculous',
  'i am really fed up with this',
  "this is the third time i've called about this",
  "honestly this is terrible service",
  "i've been waiting for ages and nobody has helped",
  "i'm absolutely furious",
  'why does this keep happening',
];
const HAPPY = [
  "that's brilliant thank you so much",
  'great that really helps',
  "perfect that's exactly what i needed",
  'thanks you have been really helpful',
  "lovely that's sorted then",
];
const AGENT_LINES = [
  "Hi, this is {agent} from the {team} team. I've got your details here.",
  "Thanks for holding, I'm {agent}. I can see what the assistant noted, let me take a look.",
  'Let me check that on your account for you, one moment.',
  "I'm sorry about the trouble, I'll make sure it gets sorted today.",
  "I've put a note on your account and sent you a text with the reference.",
  "Is there anything else I can help you with while I've got you?",
  "I've escalated that to our {team} team and they will call you back by {date}.",
  "I can apply a credit of {amount} to your next bill for the inconvenience.",
];
const SILENCE_LINES = [
  "Sorry, I didn't catch anything there. Are you still with me?",
  "I haven't heard anything for a while, so I'll end the call now. Please call back any time. Goodbye.",
];
const LABELS = {
  cloud: { stt: 'Deepgram Nova-3', llm: 'Gemini 2.5 Flash', tts: 'Deepgram Aura-2' },
  offline: { stt: 'pocketsphinx (offline)', llm: 'intent + knowledge base (offline)', tts: 'flite slt (offline)' },
} as const;
const BUSINESS = 'Brightwave Broadband';

// ------------------------------------------------------------------------------ the build

interface BuildOptions {
  calls: number;
  lines: number;
  days: number;
  seed: number;
  log: (message: string) => void;
}

type Speaker = 'caller' | 'ai' | 'agent';

interface Line {
  speaker: Speaker;
  text: string;
  startMs: number;
  endMs: number;
  sentiment: Sentiment | null;
  interrupted: boolean;
  intent: string | null;
}

interface Event {
  type: string;
  atMs: number;
  data: Record<string, unknown>;
}

interface Turn {
  speechEnd: number;
  sttFinal: number;
  llmFirstToken: number | null;
  ttsFirstByte: number | null;
  firstAudio: number | null;
  labels: { stt: string; llm: string; tts: string };
}

/** What kind of call each slot is, decided up front so the line total can be made exact. */
type Kind = 'conversation' | 'abandoned' | 'unanswered';

function build(file: string, o: BuildOptions): void {
  const rng = new Rng(o.seed);
  const corpus = loadCorpus();
  const sentimentCache = new Map<string, Sentiment>();
  const scored = (text: string): Sentiment => {
    let s = sentimentCache.get(text);
    if (s === undefined) {
      s = sentimentOf(text);
      sentimentCache.set(text, s);
    }
    return s;
  };

  // When calls start: weekdays busier than weekends, business hours local time.
  const startAt = HISTORY_STORE_END_AT - o.days * DAY_MS;
  const offsetMs = HISTORY_STORE_UTC_OFFSET_MIN * 60_000;
  const hourWeights: (readonly [number, number])[] = Array.from({ length: 24 }, (_, h) => [
    h,
    h < 7 ? 0.15 : h < 9 ? 2 + (h - 7) * 3 : h < 17 ? 9 - Math.abs(h - 12) * 0.6 : h < 21 ? 5 - (h - 17) : 0.6,
  ]);
  const dayWeights: (readonly [number, number])[] = Array.from({ length: o.days }, (_, d) => {
    const weekday = new Date(startAt + d * DAY_MS + offsetMs).getUTCDay();
    // A little growth over the period, and a Monday peak.
    return [d, (weekday === 0 || weekday === 6 ? 0.45 : weekday === 1 ? 1.25 : 1) * (0.85 + (0.3 * d) / o.days)];
  });
  const starts: number[] = [];
  for (let i = 0; i < o.calls; i++) {
    const day = rng.weighted(dayWeights);
    const hour = rng.weighted(hourWeights);
    // Local midnight of that day, as UTC epoch ms, plus the local hour.
    const localMidnight = startAt + day * DAY_MS;
    starts.push(localMidnight + hour * 3_600_000 + rng.int(0, 3_599_999));
  }
  starts.sort((a, b) => a - b);

  // Kinds and line counts, then nudge counts until they sum to exactly o.lines.
  const kinds: Kind[] = [];
  const inbound: boolean[] = [];
  const counts: number[] = [];
  for (let i = 0; i < o.calls; i++) {
    const isInbound = rng.chance(0.8);
    inbound.push(isInbound);
    const kind: Kind = isInbound ? (rng.chance(0.06) ? 'abandoned' : 'conversation') : rng.chance(0.18) ? 'unanswered' : 'conversation';
    kinds.push(kind);
    counts.push(kind === 'conversation' ? Math.max(2, Math.min(60, Math.round(rng.logNormal(9.5, 0.55)))) : kind === 'abandoned' ? rng.int(0, 1) : 0);
  }
  let diff = o.lines - counts.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const i = rng.int(0, o.calls - 1);
    if (kinds[i] !== 'conversation') continue;
    if (diff > 0 && counts[i]! < 60) {
      counts[i]!++;
      diff--;
    } else if (diff < 0 && counts[i]! > 2) {
      counts[i]!--;
      diff++;
    }
  }

  const db = openDatabase(file);
  // Build-time only: a large page cache; the file itself is the app's (WAL, same schema).
  db.pragma('cache_size = -262144');
  const insertCall = db.prepare(/* sql */ `
    INSERT INTO calls (id, call_sid, direction, from_number, to_number, status, controller,
                       started_at, ended_at, scenario, end_reason)
    VALUES (?, ?, ?, ?, ?, 'ended', ?, ?, ?, ?, ?)`);
  const insertLine = db.prepare(/* sql */ `
    INSERT INTO utterances (id, call_id, seq, speaker, text, start_ms, end_ms,
                            sentiment_score, sentiment_label, interrupted, intent)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEvent = db.prepare(/* sql */ `
    INSERT INTO call_events (id, call_id, seq, type, at_ms, data) VALUES (?, ?, ?, ?, ?, ?)`);
  // Recordings (migration 004) are written only when the schema has them as expected.
  const recordingColumns = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('recordings') as string[]));
  const RECORDING_COLUMNS = ['id', 'call_id', 'kind', 'file_name', 'content_type', 'channels', 'sample_rate_hz', 'start_ms', 'duration_ms', 'source_sid', 'created_at'];
  const insertRecording = RECORDING_COLUMNS.every((c) => recordingColumns.has(c))
    ? db.prepare(`INSERT INTO recordings (${RECORDING_COLUMNS.join(', ')}) VALUES (${RECORDING_COLUMNS.map(() => '?').join(', ')})`)
    : null;
  if (insertRecording === null) o.log('history store: no recordings table (as expected) in this schema; recordings left out');
  const recordingFrom = HISTORY_STORE_END_AT - 45 * DAY_MS;
  const insertTurn = db.prepare(/* sql */ `
    INSERT INTO turn_metrics (turn_id, call_id, seq, speech_end_at_ms, stt_final_at_ms,
                              llm_first_token_at_ms, tts_first_byte_at_ms, first_audio_at_ms,
                              stt_label, llm_label, tts_label)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const fill = (template: string, kbPool: readonly string[]): string =>
    template
      .replaceAll('{business}', BUSINESS)
      .replaceAll('{account}', rng.digits(rng.int(5, 8)))
      .replaceAll('{amount}', `$${rng.int(5, 180)}.${rng.pick(['00', '50', '99', '25'])}`)
      .replaceAll('{date}', `the ${rng.pick(ORDINALS)} of ${rng.pick(MONTHS)}`)
      .replaceAll('{kb}', rng.pick(kbPool.length > 0 ? kbPool : corpus.allKb))
      .replaceAll('{agent}', rng.pick(FIRST_NAMES))
      .replaceAll('{team}', rng.pick(TEAMS));
  const spokenDigits = (n: number): string => Array.from({ length: n }, () => rng.pick(DIGIT_WORDS)).join(' ');
  const speakMs = (text: string, msPerWord: number): number => Math.max(400, text.split(' ').length * msPerWord + rng.int(-150, 250));

  let written = 0;
  let lastLog = performance.now();
  const BATCH = 2000;
  for (let from = 0; from < o.calls; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(o.calls, from + BATCH); i++) {
        writeCall(i);
        written++;
      }
    })();
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      o.log(`history store: ${written.toLocaleString('en-US')} calls written`);
    }
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const check = db.prepare('SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM utterances) AS lines').get() as { calls: number; lines: number };
  db.close();
  if (check.calls !== o.calls || check.lines !== o.lines) {
    throw new Error(`history store: wrote ${check.calls} calls and ${check.lines} lines, expected ${o.calls} and ${o.lines}`);
  }

  function writeCall(i: number): void {
    const id = rng.uuid();
    const isInbound = inbound[i]!;
    const kind = kinds[i]!;
    const target = counts[i]!;
    const startedAt = starts[i]!;
    const scenario = isInbound && rng.chance(0.03) ? rng.pick(['double-charge', 'slow-internet', 'cancel']) : null;
    const customer = `+1555${rng.digits(7)}`;
    const ours = `+1555010${rng.pick(['9999', '9998', '0000'])}`;
    const cloud = rng.chance(0.8);
    const labels = { ...(cloud ? LABELS.cloud : LABELS.offline) };
    const lines: Line[] = [];
    const events: Event[] = [{ type: 'started', atMs: 0, data: { direction: isInbound ? 'inbound' : 'outbound' } }];
    const turns: { lineIndex: number; turn: Turn }[] = [];
    let controller: 'ai' | 'agent' = 'ai';
    let endReason: string;
    let durationMs: number;

    if (!isInbound) {
      events.push({ type: 'status', atMs: rng.int(50, 400), data: { status: 'ringing' } });
    }

    if (kind === 'unanswered') {
      endReason = rng.weighted([['no-answer', 12], ['busy', 4], ['failed', 1], ['canceled', 1]] as const);
      durationMs = endReason === 'no-answer' ? rng.int(25_000, 40_000) : rng.int(800, 6000);
      events.push({ type: 'status', atMs: durationMs, data: { status: endReason } });
    } else if (kind === 'abandoned') {
      durationMs = rng.int(1500, 10_000);
      if (target > 0) {
        // The greeting, cut off by the hang-up.
        const greeting = fill(rng.pick(corpus.intents.get('greeting')!.replies), []);
        const words = greeting.split(' ');
        const startMs = rng.int(300, 900);
        lines.push({
          speaker: 'ai',
          text: words.slice(0, Math.max(1, Math.floor(((durationMs - startMs) / 330)))).join(' '),
          startMs,
          endMs: Math.min(durationMs, startMs + speakMs(greeting, 330)),
          sentiment: null,
          interrupted: true,
          intent: null,
        });
      }
      endReason = 'caller_hangup';
    } else {
      const result = conversation(target, isInbound, cloud, labels, lines, events, turns);
      controller = result.controller;
      endReason = result.endReason;
      durationMs = result.durationMs;
    }
    if (lines.length !== target) throw new Error(`call ${i}: ${lines.length} lines, wanted ${target}`);
    events.push({ type: 'ended', atMs: durationMs, data: { reason: endReason } });

    insertCall.run(
      id,
      `CA${rng.hex(32)}`,
      isInbound ? 'inbound' : 'outbound',
      isInbound ? customer : ours,
      isInbound ? ours : customer,
      controller,
      startedAt,
      startedAt + durationMs,
      scenario,
      endReason,
    );
    const lineIds: string[] = [];
    lines.forEach((line, k) => {
      const lineId = rng.uuid();
      lineIds.push(lineId);
      insertLine.run(
        lineId,
        id,
        k + 1,
        line.speaker,
        line.text,
        line.startMs,
        line.endMs,
        line.sentiment?.score ?? null,
        line.sentiment?.label ?? null,
        line.interrupted ? 1 : 0,
        line.intent,
      );
    });
    // What the shipped alert rules raise on such a call, once each (cooldown): alerts are 'alert'
    // events, and those are what the store counts (migration 006).
    const raised = new Set<string>();
    for (const [source, kind] of ALERT_SOURCES) {
      const first = raised.has(kind) ? undefined : events.find((e) => e.type === source);
      if (first) raised.add(kind);
      const rule = DEFAULT_ALERT_RULES.find((r) => r.kind === kind)!;
      if (first) events.push({ type: 'alert', atMs: first.atMs, data: { ruleId: rule.id, kind, severity: rule.severity, title: rule.name, detail: '', utteranceId: null, actions: rule.actions } });
    }
    events.sort((a, b) => a.atMs - b.atMs);
    events.forEach((event, k) => insertEvent.run(rng.uuid(), id, k + 1, event.type, event.atMs, JSON.stringify(event.data)));
    const recorded = kind !== 'unanswered' && (scenario !== null || (startedAt >= recordingFrom && rng.chance(0.7)));
    if (insertRecording !== null && recorded) {
      const lineId = rng.uuid();
      insertRecording.run(lineId, id, 'line', `${id}.${lineId}.wav`, 'audio/wav', 2, 8000, 0, durationMs, null, startedAt + durationMs);
      const softphone = events.find((e) => e.type === 'takeover' && e.data.via === 'softphone');
      if (softphone !== undefined) {
        const legId = rng.uuid();
        const legMs = Math.max(1000, durationMs - softphone.atMs);
        insertRecording.run(legId, id, 'agent', `${id}.${legId}.wav`, 'audio/wav', 1, 8000, softphone.atMs + rng.int(500, 3000), legMs, `RE${rng.hex(32)}`, startedAt + durationMs + rng.int(5000, 60_000));
      }
    }
    turns.forEach(({ lineIndex, turn }, k) =>
      insertTurn.run(
        lineIds[lineIndex]!,
        id,
        k + 1,
        turn.speechEnd,
        turn.sttFinal,
        turn.llmFirstToken,
        turn.ttsFirstByte,
        turn.firstAudio,
        turn.labels.stt,
        turn.labels.llm,
        turn.labels.tts,
      ),
    );
  }

  /** A conversation of exactly `target` lines; returns how it ended. */
  function conversation(
    target: number,
    isInbound: boolean,
    cloud: boolean,
    labels: { stt: string; llm: string; tts: string },
    lines: Line[],
    events: Event[],
    turns: { lineIndex: number; turn: Turn }[],
  ): { controller: 'ai' | 'agent'; endReason: string; durationMs: number } {
    const reason = corpus.intents.get(rng.weighted(corpus.reasons))!;
    // Mood in [-1, 1]: drives angry/happy phrases and the odds of a take-over.
    let mood = Math.max(-1, Math.min(1, rng.normal() * 0.45 - 0.1 + (reason.id === 'complaint' || reason.id === 'human_agent' ? -0.5 : 0)));
    const wantsHuman = reason.id === 'human_agent' || (mood < -0.45 && rng.chance(0.55)) || (reason.id === 'cancel_service' && rng.chance(0.3));
    const takeoverAfter = wantsHuman || rng.chance(0.05) ? rng.int(1, Math.max(1, target - 2)) : -1;
    const handBack = takeoverAfter >= 0 && rng.chance(0.2);
    const silenceEnd = !wantsHuman && target >= 4 && rng.chance(0.05);
    const fallbackTurn = cloud && rng.chance(0.03) ? rng.int(1, 6) : -1;
    const fallbackRole = rng.chance(0.65) ? 'llm' : 'tts';
    const errorAt = rng.chance(0.006) ? rng.int(0, target - 1) : -1;
    let substantiveSaid = false;
    let aiTurns = 0;
    let controller: 'ai' | 'agent' = 'ai';
    let takenOverAt = -1;
    let t = rng.int(300, 900);
    let lastCallerEnd = -1;

    const aiSays = (text: string, respondsToCaller: boolean, lineNo: number): void => {
      let startMs = t;
      if (respondsToCaller) {
        aiTurns++;
        const fellBack = aiTurns === fallbackTurn;
        const turnLabels = { ...labels };
        const speechEnd = lastCallerEnd;
        const sttFinal = speechEnd + (cloud ? rng.int(120, 420) : rng.int(350, 950));
        let llmFirstToken: number | null = cloud && !fellBack ? sttFinal + Math.round(rng.logNormal(480, 0.35)) : null;
        if (fellBack && fallbackRole === 'llm') {
          turnLabels.llm = LABELS.offline.llm;
          llmFirstToken = null;
          events.push({ type: 'fallback', atMs: sttFinal + rng.int(1200, 1600), data: { role: 'llm', standIn: LABELS.offline.llm, reason: rng.pick(['timeout', 'rate-limited', 'server-error']), partial: false } });
        }
        if (fellBack && fallbackRole === 'tts') {
          turnLabels.tts = LABELS.offline.tts;
          llmFirstToken = sttFinal + Math.round(rng.logNormal(480, 0.35));
          events.push({ type: 'fallback', atMs: llmFirstToken + rng.int(200, 900), data: { role: 'tts', standIn: LABELS.offline.tts, reason: 'network', partial: rng.chance(0.3) } });
        }
        const ttsFirstByte = (llmFirstToken ?? sttFinal + (cloud ? 0 : rng.int(20, 80))) + (turnLabels.tts === LABELS.cloud.tts ? rng.int(70, 260) : rng.int(40, 160));
        const cutBeforeAudio = rng.chance(0.012);
        const firstAudio = cutBeforeAudio ? null : ttsFirstByte + rng.int(2, 25);
        startMs = firstAudio ?? ttsFirstByte + 20;
        turns.push({ lineIndex: lineNo, turn: { speechEnd, sttFinal, llmFirstToken, ttsFirstByte, firstAudio, labels: turnLabels } });
        if (cloud && rng.chance(0.15)) {
          events.push({ type: 'tool_call', atMs: sttFinal + 200, data: { tool: 'lookup_knowledge', args: { query: reason.id.replaceAll('_', ' ') } } });
        }
        if (cutBeforeAudio) {
          lines.push({ speaker: 'ai', text: '', startMs, endMs: startMs, sentiment: null, interrupted: true, intent: null });
          t = startMs + rng.int(200, 800);
          return;
        }
      }
      const fullMs = speakMs(text, 330);
      const bargeIn = respondsToCaller && rng.chance(0.07);
      let spoken = text;
      let endMs = startMs + fullMs;
      if (bargeIn) {
        const words = text.split(' ');
        const heard = Math.max(1, Math.floor(words.length * (0.2 + rng.next() * 0.6)));
        spoken = words.slice(0, heard).join(' ');
        endMs = startMs + Math.round((fullMs * heard) / words.length);
        events.push({ type: 'barge_in', atMs: endMs, data: { heardChars: spoken.length, plannedChars: text.length } });
      }
      lines.push({ speaker: 'ai', text: spoken, startMs, endMs, sentiment: null, interrupted: bargeIn, intent: null });
      t = endMs + (bargeIn ? rng.int(100, 400) : rng.int(300, 2200));
    };

    const callerSays = (): void => {
      let text: string;
      let intent: string | null = null;
      const r = rng.next();
      if (!substantiveSaid && (lines.length >= 1 || r < 0.5)) {
        text = rng.pick(reason.examples);
        intent = SMALL_TALK.has(reason.id) || rng.chance(0.08) ? null : reason.id;
        substantiveSaid = true;
      } else if (!substantiveSaid) {
        text = rng.pick(corpus.intents.get('greeting')!.examples);
      } else if (r < 0.22) {
        text = rng.pick([
          `my account number is ${spokenDigits(rng.int(5, 8))}`,
          `it's ${rng.pick(FIRST_NAMES).toLowerCase()} ${rng.pick(SURNAMES).toLowerCase()}`,
          `the address is ${rng.int(1, 240)} ${rng.pick(STREETS).toLowerCase()}`,
          `my number is ${spokenDigits(11)}`,
          `it started on the ${rng.pick(ORDINALS)} of ${rng.pick(MONTHS).toLowerCase()}`,
        ]);
      } else if (r < 0.42) {
        text = rng.pick(reason.examples);
        intent = SMALL_TALK.has(reason.id) ? null : reason.id;
      } else if (r < 0.58) {
        text = rng.pick(corpus.intents.get(rng.chance(0.7) ? 'affirm' : 'deny')!.examples);
      } else if (r < 0.72) {
        text = mood < -0.2 ? rng.pick(ANGRY) : mood > 0.3 ? rng.pick(HAPPY) : rng.pick(corpus.chatter);
      } else {
        text = rng.pick(corpus.chatter);
      }
      if (mood < -0.3 && rng.chance(0.3)) text = `${text} ${rng.pick(ANGRY)}`;
      const startMs = t;
      const endMs = startMs + speakMs(text, 380);
      lines.push({ speaker: 'caller', text, startMs, endMs, sentiment: scored(text), interrupted: false, intent });
      lastCallerEnd = endMs;
      if (rng.chance(0.03)) events.push({ type: 'dtmf', atMs: endMs + 100, data: { digit: rng.pick(['1', '2', '3', '#', '*', '0']) } });
      // The conversation moves people: help lifts the mood a little, a take-over too.
      mood = Math.max(-1, Math.min(1, mood + (controller === 'agent' ? 0.12 : 0.04) + rng.normal() * 0.15));
      t = endMs;
    };

    const agentSays = (): void => {
      const template = lines.some((l) => l.speaker === 'agent') ? rng.pick(AGENT_LINES.slice(2)) : rng.pick(AGENT_LINES.slice(0, 2));
      const text = rng.chance(0.35) && reason.kb.length > 0 ? rng.pick(reason.kb) : fill(template, reason.kb);
      const startMs = t + rng.int(800, 4500);
      const endMs = startMs + speakMs(text, 360);
      lines.push({ speaker: 'agent', text, startMs, endMs, sentiment: null, interrupted: false, intent: null });
      t = endMs + rng.int(300, 1800);
    };

    const aiReply = (): string => {
      const pool = rng.chance(0.25) && reason.kb.length > 0 ? null : reason.replies;
      if (pool === null || pool.length === 0) return rng.pick(reason.kb.length > 0 ? reason.kb : corpus.allKb);
      return fill(rng.chance(0.15) ? rng.pick(corpus.followUps) : rng.pick(pool), reason.kb);
    };

    // Line 0: the AI greets (inbound) or introduces the call (outbound).
    let handedBackAfter = -1;
    for (let k = 0; k < target; k++) {
      const silenceTail = silenceEnd && k >= target - 2;
      if (k === 0) {
        const greeting = isInbound
          ? fill(rng.pick(corpus.intents.get('greeting')!.replies), [])
          : fill(`Hi, this is the ${BUSINESS} assistant calling about ${rng.pick(OUTBOUND_PURPOSES)}. Is now a good time?`, []);
        aiSays(greeting, false, k);
        continue;
      }
      if (silenceTail) {
        const attempt = k - (target - 2) + 1;
        const at = t + rng.int(7000, 9000);
        events.push({ type: 'silence', atMs: at, data: { attempt, afterMs: 8000 } });
        t = at;
        aiSays(SILENCE_LINES[attempt - 1]!, false, k);
        continue;
      }
      const previous = lines[k - 1]!;
      if (previous.speaker === 'caller') {
        if (controller === 'agent') {
          if (handBack && handedBackAfter < 0 && lines.filter((l) => l.speaker === 'agent').length >= 2) {
            controller = 'ai';
            handedBackAfter = k;
            events.push({ type: 'handback', atMs: t + rng.int(500, 2000), data: {} });
            aiSays(aiReply(), true, k);
          } else {
            agentSays();
          }
        } else {
          aiSays(aiReply(), true, k);
        }
      } else {
        callerSays();
        if (k >= takeoverAfter && takeoverAfter >= 0 && takenOverAt < 0 && k < target - 1) {
          if (wantsHuman || rng.chance(0.5)) {
            events.push({ type: 'tool_call', atMs: t + 300, data: { tool: 'transfer_to_agent', args: { reason: 'caller asked for a person' } } });
            events.push({ type: 'takeover_requested', atMs: t + 320, data: { reason: 'caller asked for a person' } });
          }
          takenOverAt = t + rng.int(1500, 20_000);
          controller = 'agent';
          events.push({ type: 'takeover', atMs: takenOverAt, data: { via: rng.chance(0.6) ? 'console' : 'softphone', summary: `Caller wants: ${reason.id.replaceAll('_', ' ')}` } });
          t = takenOverAt;
          if (rng.chance(0.1)) {
            events.push({ type: 'hold', atMs: t + 5000, data: { on: true } });
            events.push({ type: 'hold', atMs: t + rng.int(30_000, 90_000), data: { on: false } });
            t += 90_000;
          }
        }
      }
      if (k === errorAt) {
        events.push({ type: 'error', atMs: t, data: { stage: rng.pick(['stt', 'llm/tts', 'tts', 'takeover']), message: 'synthetic failure' } });
      }
    }
    const durationMs = t + rng.int(400, 6000);
    let endReason: string;
    if (silenceEnd) endReason = 'silence_timeout';
    else if (controller === 'agent') endReason = rng.weighted([['agent_ended', 60], ['caller_hangup', 35], ['completed', 5]] as const);
    else if (isInbound) endReason = rng.weighted([['caller_hangup', 52], ['ai_ended', 38], ['stream_closed', 4], ['interrupted', 1], ['error', 1]] as const);
    else endReason = rng.weighted([['caller_hangup', 50], ['ai_ended', 40], ['completed', 10]] as const);
    return { controller, endReason, durationMs };
  }
}

// The build's child process: run-ts.mjs history-store.ts --build-into FILE JSON (last in the
// file: everything above must be initialised before it runs).
if (process.argv[1] === import.meta.filename && process.argv[2] === BUILD_FLAG) {
  const sizes = JSON.parse(process.argv[4]!) as Omit<BuildOptions, 'log'>;
  build(process.argv[3]!, { ...sizes, log: (message) => process.stderr.write(`${message}\n`) });
}
