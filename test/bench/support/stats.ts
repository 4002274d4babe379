/** Small statistics helpers for the benchmarks. */

/** Nearest-rank percentile of an ascending array (0 for an empty one). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarise(values: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
  };
}

export const ms = (n: number): string => String(Math.round(n));

/** monitorEventLoopDelay's resolution in the benches. */
export const ELD_RESOLUTION_MS = 10;

/** Its samples are intervals between its timer ticks: the delay is a sample minus the resolution. */
export function delayMs(sampleNs: number): number {
  return Math.max(0, sampleNs / 1e6 - ELD_RESOLUTION_MS);
}
