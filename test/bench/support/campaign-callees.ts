/**
 * The callees of bench:campaign, shared by the bench (../campaign.bench.ts) and its child
 * process (./campaign-world.ts): how each dial ends, how long it stays in progress, and the
 * messages the two processes exchange. No side effects: both processes import it.
 */
export type CalleeOutcome = 'answered' | 'no-answer' | 'busy' | 'failed' | 'voicemail';

const CYCLE_CODES = 'ANBAFVANBAANABVNAFAN';
const CODE: Record<string, CalleeOutcome> = { A: 'answered', N: 'no-answer', B: 'busy', F: 'failed', V: 'voicemail' };
/** The outcomes of 20 consecutive dials, repeated: 40 % answered, 25 % no answer, 15 % busy, 10 % failed, 10 % voicemail. */
export const OUTCOME_CYCLE: readonly CalleeOutcome[] = [...CYCLE_CODES].map((c) => CODE[c]!);

export interface CalleePlay {
  ringMs: number;
  holdMs: number;
  noAnswerMs: number;
  busyMs: number;
  failedMs: number;
  amdMs: number;
}

/** How long a dial of each outcome stays in progress (claimed → its final status), in ms. */
export function outcomeDurationMs(outcome: CalleeOutcome, play: CalleePlay): number {
  switch (outcome) {
    case 'answered':
      return play.ringMs + play.holdMs;
    case 'no-answer':
      return play.noAnswerMs;
    case 'busy':
      return play.busyMs;
    case 'failed':
      return play.failedMs;
    case 'voicemail':
      return play.ringMs + play.amdMs + 1000;
  }
}

export type CampaignWorldRequest =
  | { type: 'start'; account: { accountSid: string; authToken: string; numbers: string[] } }
  | { type: 'connect'; app: { publicBaseUrl: string; localUrl: string }; play: CalleePlay }
  | { type: 'stop' }
  | { type: 'close' };

export interface CampaignWorldReport {
  /** Epoch ms (this process's Date.now) at which the fake created each outbound call, in order. */
  dialledAt: number[];
  outcomes: Record<CalleeOutcome, number>;
  /** Callbacks and webhooks posted, and those the core did not answer 2xx (or that failed). */
  posts: number;
  postErrors: number;
  firstPostError: string | null;
  child: { cpuPercent: number; eventLoopP99Ms: number };
}

export type CampaignWorldMessage = { type: 'ready'; url: string } | { type: 'report'; report: CampaignWorldReport } | { type: 'error'; message: string };
