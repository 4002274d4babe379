/**
 * Outbound campaigns at scale (issue 15, "How fast, measured"): a campaign of 100,000 leads
 * dialled through the real core (scheduler, SQLite queue, compliance checks, the real twilio
 * SDK over REST, signed status callbacks) against the Twilio fake, whose callees end their calls
 * with a mix of outcomes. The core runs in THIS process and is what is measured; the fake and
 * the callees run in a child process (support/campaign-world.ts). Prints numbers, asserts nothing.
 *
 *   node test/support/run-ts.mjs test/bench/campaign.bench.ts [--leads 100000] [--rate 120]
 *        [--max-concurrent 50] [--dial-s 90] [--ring-s 5] [--hold-s 32] [--no-answer-s 30]
 *                                                                (wired as `npm run bench:campaign`)
 *
 * The run: a CSV of N unique valid US numbers (name, phone, account) is uploaded with
 * leads.upload in pieces, made into a campaign (hours 00:00-24:00 every day, as are Settings →
 * Telephony's allowed hours; machine detection on) and started with a real clock and the
 * scheduler's default tick; it dials for --dial-s seconds and is then cancelled. Not every lead
 * is dialled; the campaign holds all of them.
 *
 * "50 calls in progress" is read as: maxConcurrent 50, and a pace and call lengths that keep
 * about 50 of the campaign's dials in progress (ringing or answered, known to the core through
 * status callbacks only). No media stream is opened: the audio and AI load of each call is
 * what bench:calls measures. The pace, not the concurrency, stays the limit (stderr shows the
 * calls in progress and how often the cap was reached), so the pace can be measured.
 *
 * stdout (one line):
 *   campaign leads N peak-rss N MB decide p95 N ms loop p99 N ms pacing-error N %
 *     leads         leads the campaign holds (imported rows; stderr shows rejected rows)
 *     peak-rss      peak RSS of this process from the upload to the end of dialling, minus
 *                   its RSS once the core had started (idle)                           [≤ 150]
 *     decide p95    the core's own time per lead decision (CoreOptions.campaigns.onDecision:
 *                   its share of the due-leads read, the decision and its write)        [≤ 1]
 *     loop p99      event-loop delay (monitorEventLoopDelay, 10 ms resolution subtracted)
 *                   while ~50 calls are in progress: from the longest call's length after
 *                   the start to the end of dialling                                    [≤ 20]
 *     pacing-error  |dials a minute − the configured rate| / the rate, the dials' pace being
 *                   (dials − 1) / (last dial − first dial) over the whole dialling      [≤ 5]
 * stderr: load averages at the start and the end, the import's own loop delay (the CSV is
 * parsed on the main thread before dialling), memory by phase, the decisions' and the dials'
 * distributions, calls in progress, outcomes, and the child's CPU and loop delay.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance as nodePerformance, type IntervalHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_CAMPAIGN_PACE, MAX_UPLOAD_CHUNK_CHARS, type CampaignSettings } from '@shared/campaign';
import type { CommandInput, CommandName, CommandOutput } from '@shared/contract';
import { startCore } from '../../src/main/core/app';
import { silentLogger } from '../../src/main/core/log';
import { TWILIO_URL_ENV } from '../../src/main/core/telephony/twilio-client';
import { OUTCOME_CYCLE, outcomeDurationMs, type CalleePlay, type CampaignWorldMessage, type CampaignWorldReport, type CampaignWorldRequest } from './support/campaign-callees';
import { delayMs, ELD_RESOLUTION_MS, summarise } from './support/stats';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '120' },
    'max-concurrent': { type: 'string', default: '50' },
    'dial-s': { type: 'string', default: '90' },
    'ring-s': { type: 'string', default: '5' },
    'hold-s': { type: 'string', default: '32' },
    'no-answer-s': { type: 'string', default: '30' },
    dnc: { type: 'string', default: '0' },
  },
});
const LEADS = Number(args.leads);
const RATE_PER_MIN = Number(args.rate);
const MAX_CONCURRENT = Number(args['max-concurrent']);
const DIAL_MS = Number(args['dial-s']) * 1000;
const DNC_SIZE = Number(args.dnc);
const PLAY: CalleePlay = {
  ringMs: Number(args['ring-s']) * 1000,
  holdMs: Number(args['hold-s']) * 1000,
  noAnswerMs: Number(args['no-answer-s']) * 1000,
  busyMs: 3000,
  failedMs: 1000,
  amdMs: 3000,
};

const ROOT = resolve(import.meta.dirname, '../..');
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'fake-auth-token-bench-campaign';
const PUBLIC = 'https://switchboard-bench-campaign.example.ngrok.app';
const OUR_NUMBER = '+14155550100';
const MB = 1024 * 1024;

const err = (line: string): void => void process.stderr.write(`${line}\n`);
const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

// ------------------------------------------------------------------------------- the leads

/** US geographic area codes (none toll-free, premium or non-geographic). */
const AREA_CODES = [
  201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234, 239, 240, 248, 251, 252,
  253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320,
  321, 323, 325, 330, 334, 336, 337, 339, 347, 351, 352, 360, 361, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412, 413, 414, 415, 417,
  419, 423, 424, 425, 430, 432, 434, 435, 440, 443, 469, 478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516,
  517, 518, 520, 530, 540, 541, 551, 559, 561, 562, 563, 567, 570, 571, 573, 574, 575, 580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609,
  610, 612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641, 646, 650, 651, 660, 661, 662, 678, 682, 701, 702, 703, 704, 706,
  707, 708, 712, 713, 714, 715, 716, 717, 718, 719, 720, 724, 727, 731, 732, 734, 740, 754, 757, 760, 763, 765, 770, 772, 773, 774, 775, 779,
  781, 785, 786, 801, 802, 803, 804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817, 818, 828, 830, 831, 832, 843, 845, 847, 848, 850, 856,
  857, 858, 859, 860, 862, 863, 864, 865, 870, 872, 878, 901, 903, 904, 906, 907, 908, 909, 910, 912, 913, 914, 915, 916, 917, 918, 919, 920,
  925, 928, 931, 936, 937, 940, 941, 947, 949, 951, 952, 954, 956, 970, 971, 972, 973, 978, 979, 980, 985, 989,
];
/** Exchanges 201-999 but the N11 service codes and 555. */
const EXCHANGES = Array.from({ length: 799 }, (_, i) => 201 + i).filter((x) => x % 100 !== 11 && x !== 555);
const FIRST = ['Ada', 'Bob', 'Carmen', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kim', 'Luis', 'Mei', 'Nadia', 'Omar', 'Priya'];
const LAST = ['Okafor', 'Smith', 'Garcia', 'Nguyen', 'Kowalski', 'Haddad', 'Johnson', 'Tanaka', 'Silva', 'Brown', 'Cohen', 'Patel', 'Moreau'];

/** The i-th number of the bench: unique, valid, US, in E.164 (one line per area code and exchange). */
function numberOf(i: number): string {
  const area = AREA_CODES[i % AREA_CODES.length]!;
  const exchange = EXCHANGES[Math.floor(i / AREA_CODES.length)]!;
  return `+1${area}${exchange}${String((i * 7919) % 10_000).padStart(4, '0')}`;
}

/** `count` leads: a name, a number and an account reference (context for the AI). */
function leadsCsv(count: number): string {
  const rows = ['name,phone,account'];
  for (let i = 0; i < count; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
    rows.push(`${name},${numberOf(i)},ACC-${String(i + 1).padStart(6, '0')}`);
  }
  return `${rows.join('\n')}\n`;
}

// ------------------------------------------------------------------------------- the world

function startWorld(): { child: ChildProcess; next: (type: string) => Promise<CampaignWorldMessage> } {
  const child = fork(join(ROOT, 'test/support/run-ts.mjs'), [join(ROOT, 'test/bench/support/campaign-world.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (message: CampaignWorldMessage) => void>();
  let failure: Error | null = null;
  child.on('message', (message: CampaignWorldMessage) => {
    if (message.type === 'error') {
      failure = new Error(`campaign world: ${message.message}`);
      err(failure.message);
    }
    waiting.get(message.type)?.(message);
    waiting.delete(message.type);
  });
  child.once('exit', (code) => {
    failure ??= new Error(`the campaign world exited (${code})`);
  });
  const next = (type: string) =>
    new Promise<CampaignWorldMessage>((resolveNext, reject) => {
      if (failure) return reject(failure);
      const timer = setTimeout(() => reject(failure ?? new Error(`the campaign world sent no ${type} within 30 s`)), 30_000);
      waiting.set(type, (message) => {
        clearTimeout(timer);
        resolveNext(message);
      });
    });
  return { child, next };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const tell = (child: ChildProcess, message: CampaignWorldRequest) => {
  if (child.connected) child.send(message);
};

// ------------------------------------------------------------------------------- the run

err(`load average at start ${loadAverage()} (1, 5, 15 min; ${availableParallelism()} cores)`);
const cycleMs = OUTCOME_CYCLE.map((o) => outcomeDurationMs(o, PLAY));
const meanCallMs = cycleMs.reduce((a, b) => a + b, 0) / cycleMs.length;
const rampMs = Math.max(...cycleMs) + 2000;
err(
  `-- campaign bench: ${LEADS} leads, ${RATE_PER_MIN} calls a minute, at most ${MAX_CONCURRENT} at once, ${DIAL_MS / 1000} s of dialling, ` +
    `${DNC_SIZE} numbers on the do-not-call list; ` +
    `a dial stays in progress ${f1(meanCallMs / 1000)} s on average, so about ${f1((RATE_PER_MIN / 60) * (meanCallMs / 1000))} at once once ramped up (${f1(rampMs / 1000)} s)`,
);
if (LEADS + DNC_SIZE > AREA_CODES.length * EXCHANGES.length) throw new Error(`at most ${AREA_CODES.length * EXCHANGES.length} leads and do-not-call numbers`);
if (DIAL_MS < rampMs + 20_000) throw new Error(`--dial-s must leave at least 20 s after the ${rampMs / 1000} s ramp-up`);

let t = performance.now();
const csv = leadsCsv(LEADS);
err(`  leads CSV: ${LEADS} rows, ${f1(csv.length / MB)} MB, made in ${Math.round(performance.now() - t)} ms`);

const { child, next } = startWorld();
tell(child, { type: 'start', account: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [OUR_NUMBER] } });
const ready = await next('ready');
if (ready.type !== 'ready') throw new Error('the campaign world did not start');
process.env[TWILIO_URL_ENV] = ready.url;

const decisions: number[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-campaign-'));
const core = await startCore({
  dataDir,
  resourcesDir: join(ROOT, 'resources'),
  transport: 'websocket',
  logger: silentLogger,
  campaigns: { onDecision: (ms) => decisions.push(ms) },
});

async function call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
  const result = await core.dispatch(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as CommandOutput<N>;
}

let exitCode = 0;
try {
  await call('secrets.set', { name: 'twilioAuthToken', value: AUTH_TOKEN });
  await call('telephony.update', {
    accountSid: ACCOUNT_SID,
    publicBaseUrl: PUBLIC,
    allowedHours: { start: '00:00', end: '24:00' },
    allowedCountries: ['US'],
    // --dnc: numbers that are not leads (every decision checks the list all the same).
    doNotCall: Array.from({ length: DNC_SIZE }, (_, i) => numberOf(LEADS + i)),
  });
  await call('telephony.configureNumber', { phoneNumber: OUR_NUMBER });
  const telephony = await call('telephony.get', {});
  tell(child, { type: 'connect', app: { publicBaseUrl: PUBLIC, localUrl: telephony.localUrl! }, play: PLAY });
  const profileId = (await call('profiles.list', {}))[0]!.id;

  // Idle: the core started and configured, nothing uploaded.
  await sleep(1000);
  const idle = process.memoryUsage();
  const idleRss = idle.rss;
  const maxRssAtIdle = process.resourceUsage().maxRSS * 1024;
  let sampledPeak = idleRss;
  let inProgress = 0;
  let campaignId: string | null = null;
  let updates = 0;
  core.subscribe((event) => {
    if (event.name !== 'campaign.updated' || event.payload.id !== campaignId) return;
    updates++;
    inProgress = event.payload.counts.dialling + event.payload.counts.inCall;
  });
  const inProgressSteady: number[] = [];
  let steady = false;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
    if (steady) inProgressSteady.push(inProgress);
  }, 100);
  const histogram = () => monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const loop = (h: IntervalHistogram) => `p50 ${f1(delayMs(h.percentile(50)))} p99 ${f1(delayMs(h.percentile(99)))} max ${f1(delayMs(h.max))} ms`;

  // --- import: upload in pieces, then the campaign (parses and validates every row, inserts them).
  const eldImport = histogram();
  eldImport.enable();
  // The histogram's first tick only starts its clock: let it tick before the phase begins.
  await sleep(3 * ELD_RESOLUTION_MS);
  const elu0 = nodePerformance.eventLoopUtilization();
  t = performance.now();
  let uploadId: string | null = null;
  let preview: CommandOutput<'leads.upload'>['preview'] = null;
  for (let at = 0; at < csv.length; at += MAX_UPLOAD_CHUNK_CHARS) {
    const last = at + MAX_UPLOAD_CHUNK_CHARS >= csv.length;
    const piece: CommandOutput<'leads.upload'> = await call('leads.upload', { uploadId, text: csv.slice(at, at + MAX_UPLOAD_CHUNK_CHARS), last });
    uploadId = piece.uploadId;
    if (last) preview = piece.preview;
    // Each piece arrives as its own message over IPC or the WebSocket: the loop turns between them.
    else await new Promise((r) => setImmediate(r));
  }
  const uploadMs = performance.now() - t;
  if (!preview) throw new Error('the upload ended without a preview');
  const settings: CampaignSettings = {
    // The form's defaults (3 attempts, its retry delays), then the bench's hours, pace and caller ID.
    ...DEFAULT_CAMPAIGN_PACE,
    name: 'Bench campaign',
    purpose: 'Tell the customer about the new fibre plans in their area',
    script: '',
    days: [0, 1, 2, 3, 4, 5, 6],
    start: '00:00',
    end: '24:00',
    callsPerMinute: RATE_PER_MIN,
    maxConcurrent: MAX_CONCURRENT,
    callerId: OUR_NUMBER,
    machineDetection: true,
  };
  t = performance.now();
  const made = await call('campaigns.create', { settings, profileId, uploadId: preview.uploadId, mapping: { number: 'phone', name: 'name', defaultCountry: 'US' } });
  const createMs = performance.now() - t;
  eldImport.disable();
  const importElu = nodePerformance.eventLoopUtilization(elu0);
  campaignId = made.campaign.id;
  const afterImport = process.memoryUsage();
  const afterImportRss = afterImport.rss;
  err(
    `  import: upload ${Math.round(uploadMs)} ms (${Math.ceil(csv.length / MAX_UPLOAD_CHUNK_CHARS)} pieces, the last previews the file), ` +
      `campaigns.create ${Math.round(createMs)} ms; ${made.imported} leads, ${made.rejectedCount} rejected${made.rejected[0] ? ` (first: ${made.rejected[0].message})` : ''}`,
  );
  err(`  import event-loop delay ${loop(eldImport)}; main thread busy ${f1(importElu.utilization * 100)} %`);

  // --- dialling
  const eldDial = histogram();
  const eldSteady = histogram();
  eldDial.enable();
  await sleep(3 * ELD_RESOLUTION_MS);
  const cpu0 = process.cpuUsage();
  const dialElu0 = nodePerformance.eventLoopUtilization();
  const dialStartRss = process.memoryUsage.rss();
  const startedAt = Date.now();
  const t0 = performance.now();
  await call('campaigns.control', { campaignId, action: 'start' });
  await sleep(rampMs - (performance.now() - t0));
  eldSteady.enable();
  steady = true;
  const rssAtRamp = process.memoryUsage.rss();
  await sleep(DIAL_MS - (performance.now() - t0));
  eldSteady.disable();
  eldDial.disable();
  steady = false;
  const stoppedAt = Date.now();
  const dialCpu = process.cpuUsage(cpu0);
  const dialElu = nodePerformance.eventLoopUtilization(dialElu0);
  const dialWallMs = performance.now() - t0;
  clearInterval(sampler);
  const atEnd = process.memoryUsage();
  const endRss = atEnd.rss;
  const maxRssAtEnd = process.resourceUsage().maxRSS * 1024;
  tell(child, { type: 'stop' });
  const reported = await next('report');
  if (reported.type !== 'report') throw new Error('the campaign world sent no report');
  const world: CampaignWorldReport = reported.report;
  const final = await call('campaigns.get', { campaignId });
  await call('campaigns.control', { campaignId, action: 'cancel' });

  // --- figures
  // The kernel's high-water mark is exact; it only says something about the run if it rose after idle.
  const peakRss = maxRssAtEnd > maxRssAtIdle ? Math.max(maxRssAtEnd, sampledPeak) : sampledPeak;
  const peakAboveIdleMb = (peakRss - idleRss) / MB;
  const dials = world.dialledAt.filter((at) => at >= startedAt - 1000 && at <= stoppedAt);
  const paceSpanMs = (dials.at(-1) ?? 0) - (dials[0] ?? 0);
  const paceRate = dials.length > 1 && paceSpanMs > 0 ? ((dials.length - 1) / paceSpanMs) * 60_000 : 0;
  const pacingError = (Math.abs(paceRate - RATE_PER_MIN) / RATE_PER_MIN) * 100;
  const gaps = dials.slice(1).map((at, i) => at - dials[i]!);
  const steadyFrom = startedAt + rampMs;
  const steadyDials = dials.filter((at) => at >= steadyFrom);
  const steadySpan = (steadyDials.at(-1) ?? 0) - (steadyDials[0] ?? 0);
  const decide = summarise(decisions);
  const progress = summarise(inProgressSteady);
  const atCap = inProgressSteady.filter((n) => n >= MAX_CONCURRENT).length;
  const counts = final.counts;

  err(
    `  memory: RSS idle ${Math.round(idleRss / MB)} MB; after the import ${Math.round(afterImportRss / MB)}, dialling from ${Math.round(dialStartRss / MB)}, ` +
      `${Math.round(rssAtRamp / MB)} after the ramp-up, ${Math.round(endRss / MB)} at the end; peak ${Math.round(peakRss / MB)} MB ` +
      `(sampled every 100 ms ${Math.round(sampledPeak / MB)}, kernel high-water ${Math.round(maxRssAtEnd / MB)}, ${Math.round(maxRssAtIdle / MB)} at idle)`,
  );
  const heap = (m: NodeJS.MemoryUsage) => `${Math.round(m.heapUsed / MB)}/${Math.round(m.heapTotal / MB)}`;
  err(`  V8 heap used/total: idle ${heap(idle)} MB, after the import ${heap(afterImport)}, at the end ${heap(atEnd)}; RSS growth while dialling ${f1((endRss - dialStartRss) / MB)} MB`);
  err(
    `  decisions: ${decide.n} (onDecision), p50 ${f2(decide.p50)} p95 ${f2(decide.p95)} p99 ${f2(decide.p99)} max ${f2(decide.max)} ms; ` +
      `leads ${counts.total}: pending ${counts.pending}, dialling ${counts.dialling}, in call ${counts.inCall}, done ${counts.done} ${JSON.stringify(counts.outcomes)}`,
  );
  err(
    `  dials: ${dials.length} in ${f1(dialWallMs / 1000)} s; pace ${f2(paceRate)} a minute over ${f1(paceSpanMs / 1000)} s (configured ${RATE_PER_MIN}); ` +
      `after the ramp-up ${steadyDials.length > 1 ? f2(((steadyDials.length - 1) / steadySpan) * 60_000) : 'n/a'} a minute; ` +
      `gaps between dials p50 ${Math.round(summarise(gaps).p50)} p95 ${Math.round(summarise(gaps).p95)} max ${Math.round(summarise(gaps).max)} ms`,
  );
  err(
    `  calls in progress after the ramp-up (the last of ${updates} campaign.updated events, sampled every 100 ms): min ${progress.n ? Math.min(...inProgressSteady) : 0} ` +
      `mean ${f1(progress.mean)} max ${progress.max}; at the cap of ${MAX_CONCURRENT} in ${f1((atCap / Math.max(1, progress.n)) * 100)} % of samples`,
  );
  err(`  callees: ${JSON.stringify(world.outcomes)}; ${world.posts} callbacks and webhooks posted, ${world.postErrors} failed${world.firstPostError ? ` (first: ${world.firstPostError})` : ''}`);
  err(`  dialling event-loop delay, whole ${loop(eldDial)}; with ~${Math.round(progress.mean)} calls in progress ${loop(eldSteady)}`);
  err(
    `  app while dialling: cpu ${f1(((dialCpu.user + dialCpu.system) / 1000 / dialWallMs) * 100)} % of one core, main thread busy ${f1(dialElu.utilization * 100)} %; ` +
      `world (child): cpu ${f1(world.child.cpuPercent)} %, event-loop p99 ${f1(world.child.eventLoopP99Ms)} ms`,
  );
  err(`load average at end ${loadAverage()}`);
  console.log(
    `campaign leads ${counts.total} peak-rss ${Math.round(peakAboveIdleMb)} MB decide p95 ${f2(decide.p95)} ms ` +
      `loop p99 ${f1(delayMs(eldSteady.percentile(99)))} ms pacing-error ${f1(pacingError)} %`,
  );
} catch (error) {
  err(`campaign bench failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await core.close().catch(() => undefined);
  tell(child, { type: 'close' });
  await new Promise<void>((r) => {
    const timer = setTimeout(() => {
      child.kill();
      r();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      r();
    });
  });
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
