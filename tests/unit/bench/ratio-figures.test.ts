/** A ratio is only formed from figures that can be one (tests/bench/lib/results.ts): an S1
 * run once read RSS growth per connection as negative for bare uWS, and the row passed its
 * "ratio ≤ 1.3" target with a ratio of -0.46. */
import { describe, expect, it } from 'vitest';
import { rowFrom } from '../../bench/lib/results.ts';
import type { Samples } from '../../bench/lib/repetitions.ts';

function samples(ours: number[], peer: number[]): Samples {
  return new Map([
    ['ours', new Map([['mem', ours]])],
    ['peer', new Map([['mem', peer]])],
  ]);
}

const spec = {
  scenario: 'S1',
  metric: 'memory per idle connection',
  figure: 'mem',
  unit: 'KB',
  better: 'lower',
  ours: 'ours',
  peers: ['peer'],
  target: { on: 'ratio', max: 1.3 },
} as const;

describe('rowFrom', () => {
  it('judges a ratio of positive figures', () => {
    const row = rowFrom(samples([120, 130, 125], [100, 100, 100]), spec);
    expect(row.ratio).toBe(1.25);
    expect(row.pass).toBe(true);
    expect(rowFrom(samples([140, 140, 140], [100, 100, 100]), spec).pass).toBe(false);
  });

  it('forms no ratio, and passes nothing, from a negative or zero peer figure', () => {
    const row = rowFrom(samples([350, 350, 350], [-750, -750, 470]), spec);
    expect(row.ratio).toBeNull();
    expect(row.pass).toBeNull();
    expect(rowFrom(samples([350, 350, 350], [0, 0, 0]), spec).pass).toBeNull();
  });

  it('forms no ratio from a negative figure of ours', () => {
    const row = rowFrom(samples([-20, -20, 19], [100, 100, 100]), spec);
    expect(row.ratio).toBeNull();
    expect(row.pass).toBeNull();
  });
});
