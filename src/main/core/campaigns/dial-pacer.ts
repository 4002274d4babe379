/**
 * A campaign's pace (issue 15): at most `callsPerMinute` dials a minute, evenly spaced, and at
 * most `maxConcurrent` calls in progress. Evenly spaced rather than in bursts: carriers and
 * Twilio rate-limit bursts, and a team's agents see calls arrive at a steady rate.
 *
 * Slots are kept on a fixed grid (each one interval after the last), so a scheduler whose
 * ticks run a little late still holds the configured rate over a campaign; after a gap longer
 * than one interval (paused, outside hours, nothing to dial) the grid restarts from now rather
 * than "catching up" with a burst.
 */
export interface PaceSettings {
  callsPerMinute: number;
  maxConcurrent: number;
}

export class DialPacer {
  private readonly intervalMs: number;
  /** When the next dial may start (epoch ms); null before the first. */
  private nextSlotMs: number | null = null;

  constructor(private readonly pace: PaceSettings) {
    if (!(pace.callsPerMinute > 0) || !Number.isInteger(pace.maxConcurrent) || pace.maxConcurrent < 1) {
      throw new RangeError('a campaign paces at more than 0 calls a minute and at least 1 call at a time');
    }
    this.intervalMs = 60_000 / pace.callsPerMinute;
  }

  /** When the next dial may start; `nowMs` if it may start now (given room under maxConcurrent). */
  nextDialAt(nowMs: number): number {
    return this.nextSlotMs === null || this.nextSlotMs <= nowMs ? nowMs : this.nextSlotMs;
  }

  /**
   * Takes the slot for a dial starting now, if the pace and `inProgress` allow one; false
   * otherwise (ask again at `nextDialAt`, or when a call ends).
   */
  tryTake(nowMs: number, inProgress: number): boolean {
    if (inProgress >= this.pace.maxConcurrent) return false;
    if (this.nextSlotMs !== null && nowMs < this.nextSlotMs) return false;
    const onGrid = this.nextSlotMs !== null && nowMs - this.nextSlotMs < this.intervalMs;
    this.nextSlotMs = (onGrid ? this.nextSlotMs! : nowMs) + this.intervalMs;
    return true;
  }
}
