/**
 * The per-stream frame-rate limit, on a clock the test controls: what Twilio really sends
 * (50 media frames a second, marks, a stall's backlog delivered at once) always passes under
 * the production limits; a stream sending far faster is stopped soon after its burst.
 */
import { describe, expect, it } from 'vitest';
import { FrameRateLimit } from '../../../src/main/core/telephony/frame-rate-limit';
import { MEDIA_BRIDGE_LIMITS } from '../../../src/main/core/telephony/media-bridge';

const { maxFramesPerSecond, frameBurst } = MEDIA_BRIDGE_LIMITS;

describe('frame rate limit (token bucket)', () => {
  it("never refuses a Twilio call: 50 media frames a second with marks and DTMF, for ten minutes", () => {
    const limit = new FrameRateLimit(maxFramesPerSecond, frameBurst, 0);
    let refused = 0;
    for (let frame = 0; frame < 10 * 60 * 50; frame++) {
      const t = frame * 20;
      if (!limit.take(t)) refused++;
      // A mark echo and a DTMF digit now and then, arriving with the same frame.
      if (frame % 10 === 0 && !limit.take(t)) refused++;
      if (frame % 250 === 0 && !limit.take(t)) refused++;
    }
    expect(refused).toBe(0);
  });

  it('lets the backlog of a 5 s network stall through at once, then the call goes on', () => {
    const limit = new FrameRateLimit(maxFramesPerSecond, frameBurst, 0);
    let t = 0;
    for (let frame = 0; frame < 500; frame++, t += 20) expect(limit.take(t)).toBe(true);
    t += 5000;
    for (let frame = 0; frame < 250; frame++) expect(limit.take(t)).toBe(true);
    for (let frame = 0; frame < 3000; frame++, t += 20) expect(limit.take(t)).toBe(true);
  });

  it('refuses a stream flooding frames once its burst is spent, and one sustaining more than the rate', () => {
    const flood = new FrameRateLimit(maxFramesPerSecond, frameBurst, 0);
    let accepted = 0;
    while (flood.take(0)) accepted++;
    expect(accepted).toBe(frameBurst);

    // 2.5 times the rate: refused within a few seconds, never let through over it.
    const fast = new FrameRateLimit(maxFramesPerSecond, frameBurst, 0);
    const gapMs = 1000 / (maxFramesPerSecond * 2.5);
    let firstRefusalMs: number | null = null;
    let passed = 0;
    for (let frame = 0; frame < maxFramesPerSecond * 2.5 * 10; frame++) {
      const t = frame * gapMs;
      if (fast.take(t)) passed++;
      else firstRefusalMs ??= t;
    }
    expect(firstRefusalMs).not.toBeNull();
    expect(firstRefusalMs!).toBeLessThan(5000);
    expect(passed).toBeLessThanOrEqual(frameBurst + maxFramesPerSecond * 10);
  });

  it('refills at the rate, never above the burst, and ignores a clock that steps back', () => {
    const limit = new FrameRateLimit(10, 5, 1000);
    for (let i = 0; i < 5; i++) expect(limit.take(1000)).toBe(true);
    expect(limit.take(1000)).toBe(false);
    expect(limit.take(1099)).toBe(false); // 0.99 of a token
    expect(limit.take(1100)).toBe(true);
    expect(limit.take(500)).toBe(false); // stepping back adds nothing
    let afterLongIdle = 0;
    while (limit.take(60_000)) afterLongIdle++;
    expect(afterLongIdle).toBe(5);
  });

  it('refuses nonsense limits', () => {
    expect(() => new FrameRateLimit(0, 10, 0)).toThrow(RangeError);
    expect(() => new FrameRateLimit(10, 0, 0)).toThrow(RangeError);
    expect(() => new FrameRateLimit(Number.NaN, 10, 0)).toThrow(RangeError);
  });
});
