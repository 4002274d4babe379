/**
 * The ElevenLabs connection test's worker thread. The official SDK wraps the whole API and
 * loading it compiles some 30 MB of JavaScript: 1.2 s on a quiet two-core machine, 7 s under
 * load, all of it blocking the thread that loads it. On the main thread that would stall every
 * live call's audio, so the SDK is loaded here, once, and the probe runs here.
 *
 * Out: `{ type: 'ready' }` once the SDK is loaded, then one ProbeAnswer per request.
 * In: ProbeRequest (run one probe) and ProbeCancel (its deadline passed: stop waiting).
 * Started by elevenlabs-probe.ts; always runs bundled (see workers/worker-script.ts).
 */
import { parentPort } from 'node:worker_threads';
import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { hostOf, networkCodeOf, type ProbeFailure } from '../failure';
import { detailStatusOf } from './elevenlabs';

export interface ProbeRequest {
  type: 'probe';
  id: number;
  apiKey: string;
  origin: string;
  timeoutMs: number;
}
export interface ProbeCancel {
  type: 'cancel';
  id: number;
}
export type ProbeWorkerMessage =
  | { type: 'ready' }
  | { type: 'answer'; id: number; ok: true; detail: string }
  | { type: 'answer'; id: number; ok: false; failure: ProbeFailure };

const port = parentPort;
if (!port) throw new Error('elevenlabs probe worker: must run in a worker thread');

const running = new Map<number, AbortController>();

port.on('message', (message: ProbeRequest | ProbeCancel) => {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  void probe(message, controller.signal).then((answer) => {
    running.delete(message.id);
    port.postMessage(answer);
  });
});
port.postMessage({ type: 'ready' } satisfies ProbeWorkerMessage);

/**
 * One cheap authenticated REST call through the SDK (the account's subscription): proves the
 * key and reports the characters left, the usual reason ElevenLabs stops speaking. A key
 * restricted to speech (no User read permission) is answered `missing_permissions`: the
 * service recognised it, so it passes, without the count.
 */
async function probe({ id, apiKey, origin, timeoutMs }: ProbeRequest, signal: AbortSignal): Promise<ProbeWorkerMessage> {
  const client = new ElevenLabsClient({ apiKey, baseUrl: origin, maxRetries: 0 });
  // Our own timer rather than the SDK's timeoutInSeconds: the SDK reports its own timeout as an
  // unknown error (it aborts with the string "timeout", which its fetcher does not recognise).
  const timedOut = new AbortController();
  const timer = setTimeout(() => timedOut.abort(), timeoutMs);
  try {
    const user = await client.user.get({ abortSignal: AbortSignal.any([signal, timedOut.signal]), maxRetries: 0 });
    const { characterCount, characterLimit } = user.subscription;
    const left = Math.max(0, characterLimit - characterCount);
    return { type: 'answer', id, ok: true, detail: `${left.toLocaleString('en-US')} of ${characterLimit.toLocaleString('en-US')} characters left this period` };
  } catch (error) {
    if (error instanceof ElevenLabsError && error.statusCode === 401 && detailStatusOf(error.body) === 'missing_permissions') {
      return { type: 'answer', id, ok: true, detail: 'the key is restricted, so the characters left are not shown' };
    }
    if (timedOut.signal.aborted) return { type: 'answer', id, ok: false, failure: { message: 'ElevenLabs did not answer in time.', problem: 'unreachable' } };
    return { type: 'answer', id, ok: false, failure: describe(error, origin) };
  } finally {
    clearTimeout(timer);
  }
}

/** A failed probe in one plain sentence, and what kind of failure it was. Never the key: only status codes and reason codes. */
function describe(error: unknown, origin: string): ProbeFailure {
  const vendor = 'ElevenLabs';
  const code = networkCodeOf(error);
  if (code) return { message: `Could not reach ${vendor} at ${hostOf(origin)} (${code}).`, problem: 'unreachable' };
  if (error instanceof ElevenLabsError && error.statusCode !== undefined) {
    const status = error.statusCode;
    const reason = detailStatusOf(error.body);
    const what = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
    if (reason === 'quota_exceeded') return { message: `${vendor}: the key works but the account's character quota is used up (${what}).`, problem: 'failed' };
    if (status === 401 || status === 403) return { message: `${vendor}: the API key was refused (${what}).`, problem: 'rejected' };
    if (status === 429) return { message: `${vendor}: the key works but its rate or concurrency limit is used up (${what}).`, problem: 'failed' };
    if (status >= 500) return { message: `${vendor} had a server error (${what}); try again shortly.`, problem: 'failed' };
    return { message: `${vendor} refused the request (${what}).`, problem: 'failed' };
  }
  return { message: `${vendor}: the connection test failed (${error instanceof Error ? error.name : 'unknown error'}).`, problem: 'failed' };
}
