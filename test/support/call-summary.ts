/** A live call's summary for tests, as the core reports it; `patch` changes what the test is about. */
import type { CallSummary } from '../../src/shared/domain';

export const T0 = 1_700_000_000_000;

export function call(id: string, startedAt: number, patch: Partial<CallSummary> = {}): CallSummary {
  return {
    id,
    callSid: `CA${id}`,
    direction: 'inbound',
    from: '+15550100001',
    to: '+15550100000',
    status: 'active',
    controller: 'ai',
    aiActivity: 'listening',
    startedAt,
    endedAt: null,
    scenario: null,
    utteranceCount: 0,
    callerSentiment: null,
    endReason: null,
    state: 'ai',
    sentimentTrend: [],
    waitingSince: null,
    alert: null,
    openAlerts: 0,
    ...patch,
  };
}
