/**
 * A per-stream token bucket for inbound frames. Twilio sends 50 media frames a second (plus a
 * few marks and DTMF), and after a network stall delivers the backlog in one burst; a peer
 * that keeps sending far faster than that is not a phone call, and parsing its frames would
 * starve every other call on the event loop.
 *
 * `burst` frames may arrive at once; after that, `perSecond` a second on average. The caller
 * passes the time, so the hot path costs one clock read and a little arithmetic, and tests
 * drive it with a clock they control.
 */
export class FrameRateLimit {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError(`frame rate limit needs perSecond > 0 and burst >= 1 (got ${perSecond}, ${burst})`);
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one frame's token; false when the stream is over its rate (the frame must not be handled). */
  take(nowMs: number): boolean {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.perSecond) / 1000);
      this.lastMs = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
