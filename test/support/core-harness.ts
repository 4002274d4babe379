/** Starts a real core on a temp data folder and records every event it emits. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyEvent, CommandInput, CommandName, CommandOutput } from '../../src/shared/contract';
import type { CallEvent, CallSummary, Utterance } from '../../src/shared/domain';
import { startCore } from '../../src/main/core/app';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { until } from './raw-twilio';
import type { Core, CoreOptions } from '../../src/main/core/core-types';
import { silentLogger } from '../../src/main/core/log';

export const RESOURCES_DIR = join(import.meta.dirname, '..', '..', 'resources');

export interface CoreHarness {
  core: Core;
  dataDir: string;
  events: AnyEvent[];
  /** Runs a command and returns its value, throwing on an error envelope. */
  call<N extends CommandName>(name: N, input?: CommandInput<N>): Promise<CommandOutput<N>>;
  /** Final transcript lines so far for a call, in order of arrival. */
  finals(callId: string): Utterance[];
  latest(callId: string): CallSummary | undefined;
  /** The console's id for the call with this Twilio CallSid (undefined until it appeared). */
  callIdFor(callSid: string): string | undefined;
}

export async function startHarness(
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-')),
  options: Pick<CoreOptions, 'relayMsPerChar' | 'syncWorker' | 'team' | 'campaigns'> = {},
): Promise<CoreHarness> {
  const core = await startCore({ dataDir, resourcesDir: RESOURCES_DIR, transport: 'websocket', logger: silentLogger, ...options });
  const events: AnyEvent[] = [];
  core.subscribe((event) => events.push(event));
  return {
    core,
    dataDir,
    events,
    async call(name, input) {
      const result = await core.dispatch(name, input ?? {});
      if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
      return result.value as never;
    },
    finals(callId) {
      return events.flatMap((e) => (e.name === 'call.transcript' && e.payload.callId === callId && e.payload.final && e.payload.text ? [e.payload] : []));
    },
    callIdFor(callSid) {
      for (const e of events) if (e.name === 'call.updated' && e.payload.callSid === callSid) return e.payload.id;
      return undefined;
    },
    latest(callId) {
      let found: CallSummary | undefined;
      for (const e of events) if (e.name === 'call.updated' && e.payload.id === callId) found = e.payload;
      return found;
    },
  };
}

/** A simulated call on `harness`'s bridge: a caller (flite's rms voice) who says `first` after the greeting and then only what the test makes them say. */
export async function dialCaller(harness: CoreHarness, first: string, maxDurationMs = 90_000) {
  const caller = new CallerSimulator({
    ...harness.core.simulatedCall(),
    bridgeUrl: harness.core.bridgeUrl,
    scenario: { id: 'scripted', title: 'scripted', description: '', from: '+15550103000', to: '+15550109999', voice: 'rms', turns: [{ say: first, pauseMs: 200 }], afterLastTurn: 'stay' },
    voice: createFliteTts({ voice: 'rms' }),
    maxDurationMs,
  });
  await caller.start();
  await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call to appear');
  const callId = harness.callIdFor(caller.callSid)!;
  const events = () => harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId ? [e.payload] : [])) as CallEvent[];
  const finals = () => harness.finals(callId);
  return { caller, callId, events, finals };
}

/** Word error rate of `hypothesis` against `reference`, on lowercase words without punctuation. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);
  const ref = norm(reference);
  const hyp = norm(hypothesis);
  const d = Array.from({ length: ref.length + 1 }, (_, i) => [i, ...Array<number>(hyp.length).fill(0)]);
  for (let j = 1; j <= hyp.length; j++) d[0]![j] = j;
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= hyp.length; j++) {
      const sub = d[i - 1]![j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      d[i]![j] = Math.min(sub, d[i - 1]![j]! + 1, d[i]![j - 1]! + 1);
    }
  }
  return ref.length ? d[ref.length]![hyp.length]! / ref.length : hyp.length ? 1 : 0;
}
