/**
 * The ElevenLabs connection test, run in a worker thread (elevenlabs-probe-worker.ts) so the
 * SDK's long synchronous load never blocks the main event loop where live calls' audio is
 * paced. One worker serves every test: started on the first, kept (unref'd, so it never holds
 * the process open) with the SDK loaded, replaced if it dies.
 *
 * `prepareElevenLabsProbe()` starts it and resolves once the SDK is loaded: the settings'
 * test deadline is for ElevenLabs' answer, not for our module load.
 */
import { Worker } from 'node:worker_threads';
import type { ProbeFailure } from '../failure';
import { workerScript } from '../../workers/worker-script';
import { ELEVENLABS_ORIGIN } from './elevenlabs';
import type { ProbeCancel, ProbeRequest, ProbeWorkerMessage } from './elevenlabs-probe-worker';

/** A probe the worker answered with a failure, already in one plain sentence. */
class ElevenLabsProbeFailed extends Error {
  override readonly name = 'ElevenLabsProbeFailed';
  constructor(readonly failure: ProbeFailure) {
    super(failure.message);
  }
}

interface ProbeThread {
  /** Set once the script is found and the thread started. */
  worker: Worker | null;
  ready: Promise<void>;
  waiting: Map<number, { resolve: (detail: string) => void; reject: (error: Error) => void }>;
}

let thread: ProbeThread | null = null;
let nextId = 1;

function startThread(): ProbeThread {
  const current: ProbeThread = { worker: null, ready: Promise.resolve(), waiting: new Map() };
  const stopped = (why: Error) => {
    if (thread === current) thread = null;
    for (const { reject } of current.waiting.values()) reject(why);
    current.waiting.clear();
  };
  current.ready = workerScript('elevenlabs-probe-worker').then(
    (script) =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(script);
        worker.unref();
        current.worker = worker;
        worker.on('message', (message: ProbeWorkerMessage) => {
          if (message.type === 'ready') return resolve();
          const pending = current.waiting.get(message.id);
          current.waiting.delete(message.id);
          if (!pending) return; // its deadline passed: nobody is waiting
          if (message.ok) pending.resolve(message.detail);
          else pending.reject(new ElevenLabsProbeFailed(message.failure));
        });
        worker.on('error', (error) => {
          const why = new Error(`the ElevenLabs test thread failed: ${error.message}`);
          reject(why);
          stopped(why);
        });
        worker.on('exit', (code) => {
          const why = new Error(`the ElevenLabs test thread stopped (exit code ${code})`);
          reject(why);
          stopped(why);
        });
      }),
  );
  current.ready.catch(() => {
    if (thread === current) thread = null;
  });
  return current;
}

/** Starts the test thread if needed; resolves once it has the SDK loaded. */
export function prepareElevenLabsProbe(): Promise<void> {
  thread ??= startThread();
  return thread.ready;
}

/**
 * One cheap authenticated request through the SDK (the account's subscription): resolves to
 * the characters left, or "the key is restricted…" for a key limited to speech. Rejects with
 * an error `describeElevenLabsFailure` reads, or with `signal`'s reason.
 */
export async function probeElevenLabs(apiKey: string, baseUrl: string | undefined, signal: AbortSignal, timeoutMs = 3000): Promise<string> {
  signal.throwIfAborted();
  await prepareElevenLabsProbe();
  signal.throwIfAborted();
  const current = thread;
  const worker = current?.worker;
  if (!current || !worker) throw new Error('the ElevenLabs test thread stopped');
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const onAbort = () => {
      current.waiting.delete(id);
      worker.postMessage({ type: 'cancel', id } satisfies ProbeCancel);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = <T>(fn: (value: T) => void) => (value: T) => {
      signal.removeEventListener('abort', onAbort);
      fn(value);
    };
    current.waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
    worker.postMessage({ type: 'probe', id, apiKey, origin: baseUrl ?? ELEVENLABS_ORIGIN, timeoutMs } satisfies ProbeRequest);
  });
}

/** A failed probe in one plain sentence, and what kind of failure it was; null if not one of ours. */
export function describeElevenLabsFailure(error: unknown): ProbeFailure | null {
  return error instanceof ElevenLabsProbeFailed ? error.failure : null;
}
