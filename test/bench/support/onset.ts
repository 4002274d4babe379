/**
 * `bench:bargein --mode onset` (issue 14): turn-taking on the caller's clock. Calls on the
 * cloud engines (the real Deepgram SDK against its loopback fake, which hears the caller by
 * energy, sends its first interim `firstInterimMs` after they start and no SpeechStarted, as a
 * service with that lag would), a flite-voiced caller per call. Each call's AI gives long
 * replies; a second into each, the caller talks over it, in turn with a real interruption, a
 * backchannel ("uh huh") and a cough. Everything is measured where the caller is (the caller
 * simulator's 20 ms frame clock):
 * - onset → the AI's audio stops at the caller (the `clear` arrives), and the AI frames the
 *   caller still heard after onset;
 * - for backchannels and coughs: how often the AI resumed, the gap between the end of the
 *   caller's sound and the AI's audio playing again, and words lost (clauses of the resumed
 *   reply the caller never played through).
 */
import { loadavg } from 'node:os';
import type { CallEvent, PublicSettings } from '../../../src/shared/domain';
import { DEFAULT_LISTEN_VAD } from '../../fakes/deepgram-fake';
import { sentenceReply } from '../../fakes/gemini-fake';
import { startCloudCore } from '../../support/cloud-core';
import { dialCaller, type CoreHarness } from '../../support/core-harness';
import { until, untilFound } from '../../support/raw-twilio';
import { coughAudio } from '../../support/sounds';
import { summarise } from './stats';

export interface OnsetOptions {
  events: number;
  calls: number;
  firstInterimMs: number;
  /** Turn-taking settings to measure (the defaults when absent). */
  settings: Partial<Pick<PublicSettings, 'bargeInVadMode' | 'bargeInMinVoicedMs' | 'bargeInResumeWindowMs'>>;
}

type Kind = 'interruption' | 'backchannel' | 'cough';
const KINDS: Kind[] = ['interruption', 'backchannel', 'cough'];
const REPLY = ['Thanks, I can help with that.', 'I can see both payments on your account.', 'I will refund the second one today.', 'It reaches your card in three to five days.'];
const TRIGGER = 'Can you check my bill please.';
const INTERRUPTION = 'Wait, that is not right.';

/**
 * What the caller says, utterance by utterance, the same on every call (so the fake knows what
 * it "hears" without knowing which call a connection is): a trigger line the AI replies to,
 * then the over-talk; after a false alarm the next trigger, after an interruption the AI's
 * answer to it is the next reply to talk over.
 */
function utterances(kinds: Kind[]): string[] {
  const said = [TRIGGER.toLowerCase()];
  for (const kind of kinds) {
    if (kind === 'interruption') said.push('wait that is not right');
    else said.push(kind === 'backchannel' ? 'uh huh' : '', TRIGGER.toLowerCase());
  }
  return said;
}

interface Measured {
  kind: Kind;
  onsetToSilenceMs: number;
  framesAfterOnset: number;
  resumed: boolean;
  resumeGapMs: number | null;
  wordsLost: number | null;
}

export async function runOnsetBench(options: OnsetOptions): Promise<void> {
  const perCall = Math.ceil(options.events / options.calls);
  const kinds = Array.from({ length: perCall }, (_, i) => KINDS[i % KINDS.length]!);
  const said = utterances(kinds);
  const load = loadavg();
  const cloud = await startCloudCore(({ deepgram, gemini }) => {
    deepgram.listenVad = {
      ...DEFAULT_LISTEN_VAD,
      firstInterimAfterMs: options.firstInterimMs,
      speechStartedAfterMs: null,
      transcript: (_connection, n) => said[n] ?? '',
    };
    deepgram.speak.firstByteDelayMs = 60;
    deepgram.speak.msPerChar = 35;
    gemini.auto = sentenceReply({ firstTokenMs: 150, gapMs: 40, sentences: REPLY });
  });
  const measured: Measured[] = [];
  const settings = await cloud.harness.call('settings.update', options.settings);
  try {
    await Promise.all(Array.from({ length: options.calls }, (_, i) => runCall(cloud.harness, kinds, measured, i * 700)));
  } finally {
    await cloud.close();
  }
  report(measured, load, settings);
}

async function runCall(harness: CoreHarness, kinds: Kind[], measured: Measured[], delayMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const { caller, callId } = await dialCaller(harness, TRIGGER, kinds.length * 20_000 + 30_000);
  const events = (type: CallEvent['type']) =>
    harness.events.filter((e) => e.name === 'call.event' && e.payload.callId === callId && e.payload.type === type).length;
  const aiLines = () => harness.finals(callId).filter((u) => u.speaker === 'ai');
  const playedSince = (atMs: number) => caller.report.played.filter((p) => p.atMs > atMs).length;
  try {
    let replyFrom = await untilFound(() => caller.spoken[0]?.endMs, 20_000, 'the first line');
    for (const kind of kinds) {
      // A second into the reply, the caller talks over it.
      await until(() => playedSince(replyFrom) >= 50, 20_000, 'a second of the reply');
      const spokenBefore = caller.spoken.length;
      const [bargeIns, falseAlarms, linesBefore] = [events('barge_in'), events('false_interruption'), aiLines().length];
      if (kind === 'interruption') await caller.say(INTERRUPTION);
      else if (kind === 'backchannel') await caller.say('Uh huh.');
      else caller.makeSound(coughAudio(), '(cough)');
      await until(() => events('barge_in') > bargeIns || events('false_interruption') > falseAlarms, 8000, `the AI to yield (${kind})`).catch(() => undefined);
      // Voice onset: the sound's first frame loud enough to be voice (flite lines start with a quiet lead-in).
      await until(() => caller.spoken.length > spokenBefore, 8000, 'the sound to end');
      const onset = caller.spoken[spokenBefore]!.voiceMs ?? caller.spoken[spokenBefore]!.startMs;
      const clear = caller.report.clears.find((at) => at >= onset);
      const m: Measured = {
        kind,
        onsetToSilenceMs: clear === undefined ? Number.NaN : clear - onset,
        framesAfterOnset: caller.report.played.filter((p) => p.atMs > onset && (clear === undefined || p.atMs <= clear)).length,
        resumed: events('false_interruption') > falseAlarms && events('barge_in') === bargeIns,
        resumeGapMs: null,
        wordsLost: null,
      };
      if (kind !== 'interruption') {
        if (m.resumed) {
          await until(() => playedSince(clear!) > 0, 5000, 'the AI to play again');
          // From the end of the caller's sound (its last loud frame) to the AI audible again.
          const soundEnd = caller.spoken[spokenBefore]!.voiceEndMs ?? caller.spoken[spokenBefore]!.endMs;
          const again = caller.report.played.find((p) => p.atMs > clear!)!.atMs;
          m.resumeGapMs = Math.max(0, again - soundEnd);
          // The reply is heard to its end: every clause played through.
          const reply = await untilFound(() => aiLines()[linesBefore], 30_000, 'the resumed reply to finish');
          const marks = [...caller.report.marksEchoed, ...caller.report.marksCleared].filter((n) => n.startsWith(`${reply.id}:`));
          const clauses = new Set(marks.map((n) => n.split(':')[1]));
          const played = new Set(caller.report.marksEchoed.filter((n) => n.startsWith(`${reply.id}:`) && !caller.report.marksCleared.includes(n)).map((n) => n.split(':')[1]));
          m.wordsLost = [...clauses].filter((c) => !played.has(c)).length;
        }
        // The next reply: the caller asks again once this one is over.
        await until(() => aiLines().length > linesBefore, 30_000, 'the reply to end');
        const before = caller.spoken.length;
        await caller.say(TRIGGER);
        await until(() => caller.spoken.length > before && caller.spoken[before]!.endMs > 0, 10_000, 'the next question');
        replyFrom = caller.spoken[before]!.endMs;
      } else {
        // The AI answers the interruption: that answer is the next reply.
        replyFrom = caller.spoken[spokenBefore]!.endMs;
      }
      measured.push(m);
    }
  } finally {
    caller.hangUp();
  }
}

function report(measured: Measured[], load: number[], settings: PublicSettings): void {
  const stopped = measured.filter((m) => Number.isFinite(m.onsetToSilenceMs));
  const onset = summarise(stopped.map((m) => m.onsetToSilenceMs));
  const frames = summarise(measured.map((m) => m.framesAfterOnset));
  const falseAlarms = measured.filter((m) => m.kind !== 'interruption');
  const resumed = falseAlarms.filter((m) => m.resumed);
  const gap = summarise(resumed.flatMap((m) => (m.resumeGapMs === null ? [] : [m.resumeGapMs])));
  const wordsLost = resumed.reduce((n, m) => n + (m.wordsLost ?? 0), 0);
  const percent = falseAlarms.length ? (100 * resumed.length) / falseAlarms.length : 0;
  const e = (line: string) => process.stderr.write(`${line}\n`);
  e(`-- barge-in bench, onset mode: VAD mode ${settings.bargeInVadMode}, voice ${settings.bargeInMinVoicedMs} ms, resume window ${settings.bargeInResumeWindowMs} ms`);
  e(`  ${measured.length} over-talks (${KINDS.map((k) => `${measured.filter((m) => m.kind === k).length} ${k}`).join(', ')}); load average at start ${load.map((l) => l.toFixed(2)).join(' ')}`);
  e(`  stopped ${stopped.length}/${measured.length}; AI frames heard after onset p50 ${frames.p50} p95 ${frames.p95} max ${frames.max}; onset-to-silence max ${Math.round(onset.max)} ms`);
  const gapOf = (kind: Kind) => summarise(resumed.filter((m) => m.kind === kind && m.resumeGapMs !== null).map((m) => m.resumeGapMs!));
  e(`  interruptions cut off: ${measured.filter((m) => m.kind === 'interruption' && !m.resumed).length}/${measured.filter((m) => m.kind === 'interruption').length}; resume gap p50 ${Math.round(gap.p50)} ms (backchannel p50 ${Math.round(gapOf('backchannel').p50)} p95 ${Math.round(gapOf('backchannel').p95)}, cough p50 ${Math.round(gapOf('cough').p50)} p95 ${Math.round(gapOf('cough').p95)})`);
  console.log(`onset-to-silence p50 ${Math.round(onset.p50)} ms p95 ${Math.round(onset.p95)} ms`);
  console.log(`false-interruption resumed ${Math.round(percent)} % resume-gap p95 ${Math.round(gap.p95)} ms words-lost ${wordsLost}`);
}
