import { describe, expect, it } from 'vitest';
import { ExpiringMap } from '../../src/main/core/telephony/expiring-map';

describe('ExpiringMap (what the public edge remembers about requests)', () => {
  it('forgets entries after their time, on a controlled clock', () => {
    let now = 0;
    const map = new ExpiringMap<string, number>(1000, 10, () => now);
    map.set('a', 1);
    now = 500;
    map.set('b', 2);
    now = 999;
    expect([map.get('a'), map.get('b'), map.size]).toEqual([1, 2, 2]);
    now = 1000;
    expect([map.has('a'), map.get('b'), map.size]).toEqual([false, 2, 1]);
    now = 1500;
    expect(map.size).toBe(0);
  });

  it('never holds more than its bound: a flood drops the oldest first', () => {
    const map = new ExpiringMap<number, true>(60_000, 1000, () => 0);
    for (let i = 0; i < 100_000; i++) map.set(i, true);
    expect(map.size).toBe(1000);
    expect(map.has(98_999)).toBe(false);
    expect(map.has(99_000)).toBe(true);
    expect(map.has(99_999)).toBe(true);
  });

  it('refreshes an entry that is set again, and deletes on request', () => {
    let now = 0;
    const map = new ExpiringMap<string, string>(100, 10, () => now);
    map.set('k', 'first');
    now = 90;
    map.set('k', 'second');
    now = 150;
    expect(map.get('k')).toBe('second');
    map.delete('k');
    expect(map.has('k')).toBe(false);
  });
});
