/**
 * The method (issue 5): a warm-up round, then at least five repetitions with the
 * contenders interleaved (ours, peer A, peer B, ours, …), so that a slow spell of
 * the machine lands on every contender rather than on one. Each measurement
 * returns named figures; they are gathered per contender and metric.
 */

export type Figures = Record<string, number>;

/** contender → metric → one figure per repetition. */
export type Samples = Map<string, Map<string, number[]>>;

export type RepetitionPlan = {
  repetitions: number;
  /** The warm-up round; a smoke run, which judges no ratio, goes without. */
  warmUp: boolean;
  log: (line: string) => void;
};

export async function interleave(
  contenders: readonly string[],
  plan: RepetitionPlan,
  measure: (contender: string, round: { warmUp: boolean; index: number }) => Promise<Figures>,
): Promise<Samples> {
  const samples: Samples = new Map(contenders.map((c) => [c, new Map<string, number[]>()]));
  for (let index = plan.warmUp ? -1 : 0; index < plan.repetitions; index++) {
    const warmUp = index < 0;
    for (const contender of contenders) {
      const started = performance.now();
      const figures = await measure(contender, { warmUp, index });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      plan.log(`  ${warmUp ? 'warm-up' : `rep ${index + 1}`} ${contender} (${seconds} s)`);
      if (warmUp) continue;
      const byMetric = samples.get(contender)!;
      for (const [metric, value] of Object.entries(figures)) {
        const list = byMetric.get(metric) ?? [];
        list.push(value);
        byMetric.set(metric, list);
      }
    }
  }
  return samples;
}

export function samplesOf(samples: Samples, contender: string, metric: string): number[] {
  const list = samples.get(contender)?.get(metric);
  if (list === undefined || list.length === 0) {
    throw new Error(`no samples of ${metric} for ${contender}`);
  }
  return list;
}
