/** Order statistics for samples and repetitions. */

export type Spread = { median: number; min: number; max: number; n: number };

/** The p-th percentile (0..100) by nearest rank of a non-empty sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(samples: readonly number[]): Spread {
  return {
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    n: samples.length,
  };
}
