/**
 * The far side of bench:campaign (../campaign.bench.ts), in a child process so its HTTP work
 * is not counted against the measured core's event loop: the Twilio fake (test/fakes) and the
 * callees it "rings". Forked with child_process.fork of test/support/run-ts.mjs; talks to the
 * parent over IPC:
 *
 *   parent → { type: 'start', account }     the fake starts   → { type: 'ready', url }
 *   parent → { type: 'connect', app, play } callees play every dial the core places from now
 *   parent → { type: 'stop' }               no further callbacks → { type: 'report', report }
 *   parent → { type: 'close' }              the fake closes, the process exits
 *
 * Callees answer with status callbacks only (and the voice webhook when a call is answered,
 * as Twilio fetches it), never a media stream: the audio and AI load of a call is what
 * bench:calls measures. Each dial's outcome comes from a fixed cycle of 20 (8 answered,
 * 5 no-answer, 3 busy, 2 failed, 2 voicemail), spread so every outcome recurs evenly: with
 * a steady pace the number of calls in progress then stays nearly constant. Times are ms after
 * the fake created the call (its `createdAt`):
 *   answered   initiated 200, ringing 1000, answered (voice webhook, in-progress) ringMs, completed ringMs + holdMs
 *   no-answer  initiated 200, ringing 1000, no-answer noAnswerMs
 *   busy       initiated 200, busy busyMs
 *   failed     failed failedMs
 *   voicemail  initiated 200, ringing 1000, in-progress ringMs, voice webhook with AnsweredBy
 *              machine_start ringMs + amdMs (the core hangs up), completed 1 s later
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTwilioFake, type FakeCall, type TwilioFake } from '../../fakes/twilio-fake';
import { delayMs, ELD_RESOLUTION_MS } from './stats';
import { OUTCOME_CYCLE, type CalleeOutcome, type CalleePlay, type CampaignWorldMessage, type CampaignWorldRequest } from './campaign-callees';

/** How often the fake's call list is looked at for new dials (a call's script runs from its createdAt, not from here). */
const POLL_MS = 20;

async function main(): Promise<void> {
  const send = (message: CampaignWorldMessage) => process.send?.(message);
  let fake: TwilioFake | null = null;
  let poll: NodeJS.Timeout | null = null;
  let stopped = false;
  const seen = new Set<string>();
  const dialledAt: number[] = [];
  const outcomes: Record<CalleeOutcome, number> = { answered: 0, 'no-answer': 0, busy: 0, failed: 0, voicemail: 0 };
  let posts = 0;
  let postErrors = 0;
  let firstPostError: string | null = null;
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();

  const post = async (what: string, run: () => Promise<{ status: number; body: string }>) => {
    if (stopped) return;
    posts++;
    try {
      const res = await run();
      if (res.status >= 300) throw new Error(`${res.status} ${res.body.slice(0, 200)}`);
    } catch (error) {
      postErrors++;
      firstPostError ??= `${what}: ${(error as Error).message}`;
    }
  };

  /** Plays one callee: its callbacks at their times after the call was created. */
  const play = async (f: TwilioFake, call: FakeCall, outcome: CalleeOutcome, p: CalleePlay) => {
    const at = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, call.createdAt + ms - Date.now())));
    const status = (s: string, extra?: Record<string, string>) => post(s, () => f.sendStatus(call.sid, s, extra));
    if (outcome === 'failed') {
      await at(p.failedMs);
      return status('failed');
    }
    await at(200);
    await status('initiated');
    if (outcome === 'busy') {
      await at(p.busyMs);
      return status('busy');
    }
    await at(1000);
    await status('ringing');
    if (outcome === 'no-answer') {
      await at(p.noAnswerMs);
      return status('no-answer');
    }
    await at(p.ringMs);
    if (outcome === 'answered') {
      await post('voice webhook', () => f.answer(call.sid));
      await status('in-progress');
      await at(p.ringMs + p.holdMs);
      return status('completed', { CallDuration: String(Math.round(p.holdMs / 1000)) });
    }
    await status('in-progress');
    await at(p.ringMs + p.amdMs);
    await post('voice webhook (machine)', () => f.answer(call.sid, { answeredBy: 'machine_start' }));
    await at(p.ringMs + p.amdMs + 1000);
    return status('completed', { CallDuration: String(Math.round((p.amdMs + 1000) / 1000)) });
  };

  const close = async () => {
    stopped = true;
    if (poll) clearInterval(poll);
    await fake?.close();
    process.exit(0);
  };
  process.on('disconnect', () => void close());

  process.on('message', (message: CampaignWorldRequest) => {
    void (async () => {
      if (message.type === 'start') {
        fake = await startTwilioFake(message.account);
        send({ type: 'ready', url: fake.url });
      } else if (message.type === 'connect' && fake) {
        const f = fake;
        f.connectApp(message.app);
        eld.enable();
        cpu0 = process.cpuUsage();
        t0 = performance.now();
        poll = setInterval(() => {
          if (f.calls.size === seen.size) return;
          for (const call of f.calls.values()) {
            if (seen.has(call.sid) || call.direction !== 'outbound-api') continue;
            seen.add(call.sid);
            const outcome = OUTCOME_CYCLE[dialledAt.length % OUTCOME_CYCLE.length]!;
            dialledAt.push(call.createdAt);
            outcomes[outcome]++;
            void play(f, call, outcome, message.play);
          }
        }, POLL_MS);
      } else if (message.type === 'stop') {
        stopped = true;
        if (poll) clearInterval(poll);
        eld.disable();
        const cpu = process.cpuUsage(cpu0);
        const wallMs = performance.now() - t0;
        send({
          type: 'report',
          report: {
            dialledAt,
            outcomes,
            posts,
            postErrors,
            firstPostError,
            child: { cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100, eventLoopP99Ms: delayMs(eld.percentile(99)) },
          },
        });
      } else if (message.type === 'close') {
        await close();
      }
    })().catch((error: unknown) => send({ type: 'error', message: String((error as Error)?.stack ?? error) }));
  });
}

void main();
