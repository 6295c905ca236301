/**
 * Result rows (tests/bench/results.json) and how a row is judged.
 *
 * Every ratio reads "below 1 is ours ahead": for a lower-is-better metric (memory,
 * CPU, latency) it is ours ÷ peer, as the issue asks; for a higher-is-better one
 * (rounds per CPU-second) it is peer ÷ ours, so "≥ 2× their rounds" is a ratio of
 * at most 0.5. Targets are therefore always upper bounds, on the ratio or, for an
 * absolute budget (S3's 5 ms, 0 violations), on our own figure.
 */
import { spread, type Spread } from './stats.ts';
import { samplesOf, type Samples } from './repetitions.ts';

export type Scenario = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6' | 'S7' | 'S8' | 'S9' | 'S10' | 'S11';

export type ResultRow = {
  scenario: Scenario;
  metric: string;
  unit: string;
  better: 'lower' | 'higher';
  /** Our median over the repetitions, with its min–max. */
  ours: number;
  oursRange: [number, number];
  /** The peer the ratio is taken against: the target's named baseline, or the best
   * peer (by median) in the same run. Null when the metric has no peer. */
  peer: string | null;
  peerValue: number | null;
  peerRange: [number, number] | null;
  ratio: number | null;
  /** Upper bound on `ratio` (targetOn "ratio") or on `ours` (targetOn "ours"). */
  target: number | null;
  targetOn: 'ratio' | 'ours' | null;
  pass: boolean | null;
  /** Every contender's median and min–max, ours included. */
  contenders: Record<string, { median: number; min: number; max: number; n: number }>;
  /** When the row was measured and how loaded the machine was: an `--only` run
   * replaces some scenarios' rows and keeps the others, so each row says which run it
   * is from (rows written before this was recorded have none). */
  run?: { date: string; loadAtStart: string };
};

export type RowSpec = {
  scenario: Scenario;
  metric: string;
  /** The figure's name in the samples. */
  figure: string;
  unit: string;
  better: 'lower' | 'higher';
  ours: string;
  /** Candidates for the ratio; the best of them by median is used. */
  peers: readonly string[];
  target?: { on: 'ratio' | 'ours'; max: number };
  /** Converts a raw figure into the unit shown (e.g. bytes → KB). */
  scale?: number;
};

export function rowFrom(samples: Samples, spec: RowSpec): ResultRow {
  const scale = spec.scale ?? 1;
  const spreadOf = (contender: string): Spread =>
    spread(samplesOf(samples, contender, spec.figure).map((x) => x * scale));
  const ours = spreadOf(spec.ours);
  // A side with any repetition at zero or below has no reading to form a ratio from: a
  // growth measured as negative (RSS given back between readings) is a failed reading,
  // and a negative or zero ratio would pass any upper bound. S1 at 1,000 sockets read
  // ours 0.0 (0.0–0.012 KB) against bare uWS 0.008 (0.0–0.044): both fit in pages freed
  // before, nothing grew, and the row "passed" with a ratio of 0. A peer without a
  // reading is shown but not compared against; the best peer with one is.
  const noReading = (s: Spread) => s.min <= 0;
  const contenders: ResultRow['contenders'] = { [spec.ours]: ours };
  const isBetter = (value: Spread, than: Spread | undefined) =>
    than === undefined ||
    (spec.better === 'lower' ? value.median < than.median : value.median > than.median);
  let best: { name: string; value: Spread } | null = null;
  let shown: { name: string; value: Spread } | null = null;
  for (const peer of spec.peers) {
    const value = spreadOf(peer);
    contenders[peer] = value;
    if (isBetter(value, shown?.value)) shown = { name: peer, value };
    if (!noReading(value) && isBetter(value, best?.value)) best = { name: peer, value };
  }
  // No ratio against nothing (a peer with none of a count, such as violations, has no
  // reading). Both figures of a ratio have readings, so both are above zero.
  let ratio: number | null = null;
  if (best !== null && !noReading(ours)) {
    ratio =
      spec.better === 'lower' ? ours.median / best.value.median : best.value.median / ours.median;
  }
  // The peer shown: the one compared against, else the best of those without a reading.
  best ??= shown;
  const judged =
    spec.target === undefined ? null : spec.target.on === 'ratio' ? ratio : ours.median;
  return {
    scenario: spec.scenario,
    metric: spec.metric,
    unit: spec.unit,
    better: spec.better,
    ours: ours.median,
    oursRange: [ours.min, ours.max],
    peer: best?.name ?? null,
    peerValue: best?.value.median ?? null,
    peerRange: best === null ? null : [best.value.min, best.value.max],
    ratio,
    target: spec.target?.max ?? null,
    targetOn: spec.target?.on ?? null,
    pass: spec.target === undefined || judged === null ? null : judged <= spec.target.max,
    contenders,
  };
}

/** "missed by 23%" style note for a failed row, or null. */
export function missedBy(row: ResultRow): string | null {
  if (row.pass !== false || row.target === null) return null;
  const judged = row.targetOn === 'ratio' ? row.ratio : row.ours;
  if (judged === null) return null;
  if (row.target === 0) return `${judged} over a budget of 0`;
  return `${(((judged - row.target) / row.target) * 100).toFixed(0)}% over`;
}
