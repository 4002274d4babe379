/**
 * Offline STT benchmark: word error rate, real-time factor, final latency and model load
 * time of the PocketSphinx provider on the fixture sentences (flite voices over telephone
 * audio). Prints numbers; asserts nothing (timing goals live here, not in tests).
 *
 *   node test/support/run-ts.mjs test/bench/stt.bench.ts [--voice rms] [--lw 6.5] [--wip 0.65]
 *        [--end-silence 400] [--general 0.1] [--general-words 3000] [--discount 0.7] [--no-realtime]
 *        [--order 3] [--smoothing witten-bell|kneser-ney|absolute] [--reply-weight 0.5] [--kb-weight 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPocketsphinxStt, DEFAULT_TUNING } from '../../src/main/core/providers/stt/pocketsphinx';
import { DEFAULT_LM_OPTIONS, type Smoothing } from '../../src/main/core/providers/stt/language-model';
import { loadFixtureSentences, RESOURCES_DIR, synthesise, transcribe, wordErrors } from '../support/stt-fixtures';

const { values: args } = parseArgs({
  options: {
    voice: { type: 'string', default: 'slt' },
    lw: { type: 'string' },
    wip: { type: 'string' },
    'end-silence': { type: 'string' },
    general: { type: 'string' },
    'general-words': { type: 'string' },
    discount: { type: 'string' },
    order: { type: 'string' },
    smoothing: { type: 'string' },
    'reply-weight': { type: 'string' },
    'kb-weight': { type: 'string' },
    'no-realtime': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const voice = args.voice === 'rms' ? 'rms' : 'slt';

const cacheDir = mkdtempSync(join(tmpdir(), 'stt-bench-'));
try {
  const t0 = performance.now();
  const stt = await createPocketsphinxStt({
    resourcesDir: RESOURCES_DIR,
    cacheDir,
    tuning: {
      languageWeight: num(args.lw, DEFAULT_TUNING.languageWeight),
      wordInsertionPenalty: num(args.wip, DEFAULT_TUNING.wordInsertionPenalty),
      endSilenceMs: num(args['end-silence'], DEFAULT_TUNING.endSilenceMs),
    },
    languageModel: {
      generalWeight: num(args.general, DEFAULT_LM_OPTIONS.generalWeight),
      generalWords: num(args['general-words'], DEFAULT_LM_OPTIONS.generalWords),
      discount: num(args.discount, DEFAULT_LM_OPTIONS.discount),
      order: num(args.order, DEFAULT_LM_OPTIONS.order) === 2 ? 2 : 3,
      smoothing: (args.smoothing as Smoothing | undefined) ?? DEFAULT_LM_OPTIONS.smoothing,
      weights: {
        intentReplies: num(args['reply-weight'], DEFAULT_LM_OPTIONS.weights.intentReplies),
        knowledgeBase: num(args['kb-weight'], DEFAULT_LM_OPTIONS.weights.knowledgeBase),
      },
    },
  });
  const createMs = performance.now() - t0;

  // Model load inside a fresh worker, measured on its own (cold LM cache excluded).
  const t1 = performance.now();
  const warm = await transcribe(stt, synthesise('hello', voice));
  const firstStreamMs = performance.now() - t1;
  void warm;

  const sentences = loadFixtureSentences();
  const totals = { all: { e: 0, n: 0 }, in: { e: 0, n: 0 }, held: { e: 0, n: 0 } };
  let audioMs = 0;
  let decodeWallMs = 0;
  const latencies: number[] = [];
  for (const sentence of sentences) {
    const audio = synthesise(sentence.text, voice);
    const fast = await transcribe(stt, audio);
    audioMs += audio.bytes.length / 8 + 600;
    decodeWallMs += fast.wallMs;
    const { errors, words } = wordErrors(sentence.text, fast.text);
    for (const bucket of [totals.all, sentence.inCorpus ? totals.in : totals.held]) {
      bucket.e += errors;
      bucket.n += words;
    }
    if (!args['no-realtime']) {
      const live = await transcribe(stt, audio, { realtime: true });
      if (live.finalLatencyMs !== null) latencies.push(live.finalLatencyMs);
    }
    // Transcripts are test fixtures (synthetic), not caller data, so printing them is fine here.
    if (args.verbose || errors > 0) console.log(`${errors ? 'x' : ' '} ${sentence.inCorpus ? 'in  ' : 'held'} | ${sentence.text} | ${fast.text}`);
  }
  const pct = (b: { e: number; n: number }) => `${((100 * b.e) / Math.max(1, b.n)).toFixed(1)}% (${b.e}/${b.n})`;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(0) ?? 'n/a';
  console.log(`voice ${voice}, ${sentences.length} sentences (${sentences.filter((s) => s.inCorpus).length} in corpus)`);
  console.log(`WER overall ${pct(totals.all)}, in-corpus ${pct(totals.in)}, held-out ${pct(totals.held)}`);
  console.log(`RTF ${(decodeWallMs / audioMs).toFixed(3)} (wall time per stream incl. worker start / audio ms, fed as fast as possible)`);
  if (latencies.length) console.log(`final latency after end of speech audio, real-time feed: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms`);
  console.log(`provider create ${createMs.toFixed(0)} ms (LM build + first decoder), first stream ${firstStreamMs.toFixed(0)} ms`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
