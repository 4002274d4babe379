/**
 * A campaign's pace (issue 15) on a clock the test controls: evenly spaced dials at the
 * configured rate (held over a long run even when ticks come late), never past the
 * concurrency limit, and no catch-up burst after a pause.
 */
import { describe, expect, it } from 'vitest';
import { DialPacer } from '../../../src/main/core/campaigns/dial-pacer';

describe('DialPacer', () => {
  it('spaces dials one interval apart (30 a minute: every 2 s)', () => {
    const pacer = new DialPacer({ callsPerMinute: 30, maxConcurrent: 10 });
    expect(pacer.tryTake(0, 0)).toBe(true);
    expect(pacer.tryTake(1999, 0)).toBe(false);
    expect(pacer.nextDialAt(1000)).toBe(2000);
    expect(pacer.tryTake(2000, 0)).toBe(true);
  });

  it('holds the rate over an hour when the scheduler ticks late by up to 250 ms (within 0.5 %)', () => {
    const pacer = new DialPacer({ callsPerMinute: 60, maxConcurrent: 1000 });
    let dials = 0;
    // A tick every 100 ms, each one late by a pseudo-random 0-250 ms.
    let seed = 7;
    for (let t = 0; t < 3_600_000; t += 100) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      if (pacer.tryTake(t + (seed % 250), 0)) dials++;
    }
    expect(Math.abs(dials - 3600) / 3600).toBeLessThan(0.005);
  });

  it('never more calls at once than maxConcurrent; a call ending makes room at the next slot', () => {
    const pacer = new DialPacer({ callsPerMinute: 600, maxConcurrent: 2 });
    expect(pacer.tryTake(0, 0)).toBe(true);
    expect(pacer.tryTake(100, 1)).toBe(true);
    expect(pacer.tryTake(200, 2)).toBe(false);
    expect(pacer.tryTake(300, 1)).toBe(true);
  });

  it('after a pause, starts again from now: no burst to catch up', () => {
    const pacer = new DialPacer({ callsPerMinute: 60, maxConcurrent: 100 });
    expect(pacer.tryTake(0, 0)).toBe(true);
    // Nothing dialled for ten minutes (outside hours), then the scheduler comes back.
    const back = 600_000;
    expect(pacer.tryTake(back, 0)).toBe(true);
    expect(pacer.tryTake(back + 1, 0)).toBe(false);
    expect(pacer.nextDialAt(back + 1)).toBe(back + 1000);
  });

  it('refuses settings that cannot pace', () => {
    expect(() => new DialPacer({ callsPerMinute: 0, maxConcurrent: 1 })).toThrow(RangeError);
    expect(() => new DialPacer({ callsPerMinute: 10, maxConcurrent: 0 })).toThrow(/at least 1 call/);
  });
});
