/**
 * One cloud core for a file of steering tests (issue 8; test/integration/steering-*.test.ts):
 * the real media bridge, the real Deepgram and Gemini SDKs against their loopback fakes, and
 * a simulated caller each test drives line by line. The steering tests are three files, not
 * one, so they run side by side (each file has its own core and fakes; one file took 130 s).
 */
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_LISTEN_VAD, type DeepgramFake } from '../fakes/deepgram-fake';
import { textReply, type GeminiFake, type RecordedRequest } from '../fakes/gemini-fake';
import { startCloudCore, type CloudCore } from './cloud-core';
import { dialCaller, type CoreHarness } from './core-harness';

export interface SteeringCore {
  deepgram: DeepgramFake;
  gemini: GeminiFake;
  harness: CoreHarness;
  /** A caller who says `first` after the greeting and then only what the test makes them say; `lines` is what the STT fake hears, in order. */
  dial(first: string, lines: string[]): ReturnType<typeof dialCaller>;
  /** The model requests since the n-th. */
  requestsFrom(n: number): RecordedRequest[];
}

/** Starts the core before the file's tests and closes it after them; its fields are set once beforeAll has run. */
export function steeringCore(): SteeringCore {
  let cloud: CloudCore | undefined;
  /** What the Deepgram fake "hears" the caller say, by the order of their lines on a call. */
  let heard: string[] = [];
  const core = {
    async dial(first: string, lines: string[]) {
      heard = lines;
      return dialCaller(core.harness, first);
    },
    requestsFrom: (n: number) => core.gemini.requests.slice(n),
  } as SteeringCore;

  beforeAll(async () => {
    cloud = await startCloudCore(({ deepgram, gemini }) => {
      deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: (_connection, n) => heard[n] ?? 'Okay.' };
      deepgram.speak.firstByteDelayMs = 50;
      deepgram.speak.msPerChar = 20;
      gemini.auto = textReply('Certainly, I can help with that.');
    });
    Object.assign(core, { deepgram: cloud.deepgram, gemini: cloud.gemini, harness: cloud.harness });
    // Short waits keep the calls short; pause's "one moment" is tested on its own call.
    await cloud.harness.call('settings.update', { pauseHoldLineMs: 0, silenceRepromptMs: 2000, recordDemoCalls: false });
  });
  afterAll(async () => {
    await cloud?.close();
  });
  return core;
}

/** The text of a model request's conversation, for looking for a line in it. */
export const requestText = (r: RecordedRequest): string => JSON.stringify(r.body?.contents ?? []);
