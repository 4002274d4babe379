/**
 * Turn-taking through the real media bridge (issue 14), shared by the turn-taking tests: a
 * cloud core (the real Deepgram SDK against its loopback fake, which hears the caller by
 * energy and sends its first interim 400 ms after they start, and no SpeechStarted: only our
 * own voice detector can stop the AI sooner), and a flite-voiced caller who talks over the
 * AI's reply a second into it. The caller's side records what it played, when the `clear`
 * came and which marks its playhead passed, so "stopped", "resumed" and "words lost" are
 * measured where the caller is.
 */
import type { CallEvent } from '../../src/shared/domain';
import { DEFAULT_LISTEN_VAD, type ListenConnection } from '../fakes/deepgram-fake';
import { sentenceReply } from '../fakes/gemini-fake';
import { startCloudCore, type CloudCore } from './cloud-core';
import { dialCaller, type CoreHarness } from './core-harness';
import { until } from './raw-twilio';

export const FIRST_LINE = 'I was charged twice for my March bill.';
export const REPLY = [
  'Thanks for telling me about the double charge.',
  'I can see two payments for March on your account.',
  'I will refund the duplicate one today.',
  'It should reach your card in three to five working days.',
];

export type Caller = Awaited<ReturnType<typeof dialCaller>>['caller'];

export interface TurnTakingCore {
  cloud: CloudCore;
  harness: CoreHarness;
  /** A call whose caller says FIRST_LINE, then makes `speakOver` happen a second into the reply; `overWords` is what the recogniser hears in it. */
  callWithOvertalk(overWords: string, speakOver: (caller: Caller) => Promise<void>): Promise<Awaited<ReturnType<typeof dialCaller>> & { onsetMs: number; script: string[] }>;
  eventsOf(callId: string, type: CallEvent['type']): CallEvent[];
  /** The AI's reply line (final), once stored. */
  replyLine(callId: string): ReturnType<CoreHarness['finals']>[number] | undefined;
}

export async function startTurnTakingCore(): Promise<TurnTakingCore> {
  /** What the fake recogniser "hears" on the next call's connection, utterance by utterance. */
  let nextScript: string[] = [];
  const scripts = new WeakMap<ListenConnection, string[]>();
  const cloud = await startCloudCore(({ deepgram, gemini }) => {
    deepgram.listenVad = {
      ...DEFAULT_LISTEN_VAD,
      firstInterimAfterMs: 400,
      speechStartedAfterMs: null,
      transcript: (connection, n) => {
        if (!scripts.has(connection)) scripts.set(connection, nextScript);
        return scripts.get(connection)![n] ?? '';
      },
    };
    deepgram.speak.firstByteDelayMs = 60;
    deepgram.speak.msPerChar = 25; // the reply is about 5 s of audio: plenty to talk over
    gemini.auto = sentenceReply({ firstTokenMs: 150, gapMs: 40, sentences: REPLY });
  });
  const harness = cloud.harness;
  const eventsOf = (callId: string, type: CallEvent['type']) =>
    harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === type ? [e.payload] : []));
  return {
    cloud,
    harness,
    eventsOf,
    replyLine: (callId) => harness.finals(callId).find((u) => u.speaker === 'ai' && u.text.startsWith('Thanks for telling me')),
    async callWithOvertalk(overWords, speakOver) {
      const script = [FIRST_LINE, overWords, 'Thank you.'];
      nextScript = script;
      const call = await dialCaller(harness, FIRST_LINE, 40_000);
      const { caller } = call;
      // The reply has been playing to the caller for a second.
      await until(() => caller.spoken.length >= 1, 15_000, 'the caller to say the first line');
      const firstEnd = caller.spoken[0]!.endMs;
      await until(() => caller.report.played.filter((p) => p.atMs > firstEnd).length >= 50, 15_000, 'a second of the reply');
      await speakOver(caller);
      await until(() => caller.spoken.length >= 2, 10_000, 'the caller to talk over the AI');
      // Voice onset: the first frame of the caller's sound loud enough to be voice (flite lines start with a quiet lead-in).
      const onsetMs = caller.spoken[1]!.voiceMs!;
      return { ...call, onsetMs, script };
    },
  };
}

/** The clauses of the reply (by index) the caller's playhead passed: a mark echoed in play, not returned by a clear. */
export function clausesHeard(caller: Caller, replyId: string): number[] {
  const played = caller.report.marksEchoed.filter((m) => m.startsWith(`${replyId}:`) && !caller.report.marksCleared.includes(m));
  return [...new Set(played.map((m) => Number(m.split(':')[1])))].sort((a, b) => a - b);
}
