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

  it('forms no ratio when a repetition of either side read zero (nothing grew)', () => {
    // S1 at 1,000 sockets: ours 0.0 (0.0–0.012 KB), bare uWS 0.008 (0.0–0.044).
    const row = rowFrom(samples([0, 0, 12], [8, 0, 44]), spec);
    expect(row.ratio).toBeNull();
    expect(row.pass).toBeNull();
    expect(rowFrom(samples([120, 130, 125], [100, 0, 100]), spec).ratio).toBeNull();
    expect(rowFrom(samples([120, 0, 125], [100, 100, 100]), spec).ratio).toBeNull();
  });

  it('compares against the best peer with a reading, not one whose reading failed', () => {
    // S2 at 100 pairs: y-webrtc read -12.40–7.80 KB per peer, PeerJS 3.86.
    const three: Samples = new Map([
      ['ours', new Map([['mem', [2.84, 2.84, 2.84]]])],
      ['y-webrtc', new Map([['mem', [-12.4, 2.06, 7.8]]])],
      ['PeerJS', new Map([['mem', [3.86, 3.86, 3.86]]])],
    ]);
    const row = rowFrom(three, { ...spec, peers: ['y-webrtc', 'PeerJS'] });
    expect(row.peer).toBe('PeerJS');
    expect(row.ratio).toBeCloseTo(2.84 / 3.86);
    // With no peer read, the best one is shown, without a ratio.
    const none = rowFrom(samples([5, 5, 5], [0, 0, 1]), spec);
    expect([none.peer, none.ratio]).toEqual(['peer', null]);
  });
});
