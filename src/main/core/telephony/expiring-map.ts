/**
 * A map whose entries expire after a fixed time and which never holds more than `maxEntries`
 * (the oldest go first). For what the public edge must remember about strangers' requests
 * (CallSids that got a stream token, webhook idempotency tokens): bounded, so a flood of
 * signed-looking requests cannot grow memory without limit.
 *
 * Every entry lives equally long, so insertion order is expiry order: pruning stops at the
 * first live entry, and each operation costs O(1) amortised however large the map is.
 */
export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    this.prune();
    return this.entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets (or refreshes, moving it to the young end) an entry. */
  set(key: K, value: V): void {
    this.prune();
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    this.prune();
    return this.entries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(key);
    }
  }
}
