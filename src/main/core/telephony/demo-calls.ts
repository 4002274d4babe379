/**
 * Simulated callers started from the console's "Start demo call" button. Each is registered
 * first (a CallSid and a stream token, like a real call's): the bridge admits no other kind.
 */
import { ApiError } from '../api/dispatcher';
import type { Logger } from '../log';
import { createFliteTts } from '../providers/tts/flite';
import type { SimulatedCallCredentials } from './call-registry';
import { CallerSimulator } from './caller-simulator';
import type { CallerScenario } from './scenario';

/** Bounds how many simulated callers one console runs at once. */
const MAX_DEMO_CALLS = 20;

export class DemoCalls {
  private readonly running = new Set<CallerSimulator>();

  constructor(
    private readonly scenarios: readonly CallerScenario[],
    private readonly bridgeUrl: () => string,
    private readonly register: (call: { from: string; to: string }) => SimulatedCallCredentials,
    private readonly logger: Logger,
  ) {}

  list(): readonly CallerScenario[] {
    return this.scenarios;
  }

  async start(scenarioId?: string): Promise<CallerSimulator> {
    const scenario = scenarioId ? this.scenarios.find((s) => s.id === scenarioId) : this.scenarios[0];
    if (!scenario) throw new ApiError('not_found', `no demo scenario ${JSON.stringify(scenarioId)}`);
    if (this.running.size >= MAX_DEMO_CALLS) throw new ApiError('conflict', `at most ${MAX_DEMO_CALLS} demo calls at once`);
    const caller = new CallerSimulator({
      ...this.register({ from: scenario.from, to: scenario.to }),
      bridgeUrl: this.bridgeUrl(),
      scenario,
      voice: createFliteTts({ voice: scenario.voice }),
    });
    this.running.add(caller);
    void caller.done.then((report) => {
      this.running.delete(caller);
      if (report.protocolErrors.length) this.logger.warn({ errors: report.protocolErrors }, 'demo caller saw protocol errors');
    });
    await caller.start();
    return caller;
  }

  hangUpAll(): void {
    for (const caller of this.running) caller.hangUp();
  }
}
