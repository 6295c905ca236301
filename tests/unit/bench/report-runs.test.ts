/** The README table names when each scenario's rows were measured (tests/bench/lib/report.ts):
 * an `--only` run replaces some rows and keeps the others, so one "last run" line for the
 * whole table was wrong for most of it. */
import { describe, expect, it } from 'vitest';
import { renderSection, runsOf } from '../../bench/lib/report.ts';
import type { ResultRow } from '../../bench/lib/results.ts';

function row(scenario: ResultRow['scenario'], run?: ResultRow['run']): ResultRow {
  return {
    scenario,
    metric: 'm',
    unit: 'ms',
    better: 'lower',
    ours: 1,
    oursRange: [1, 1],
    peer: null,
    peerValue: null,
    peerRange: null,
    ratio: null,
    target: null,
    targetOn: null,
    pass: null,
    contenders: { ours: { median: 1, min: 1, max: 1, n: 1 } },
    ...(run === undefined ? {} : { run }),
  };
}

describe('runsOf', () => {
  it('gives each scenario its own run, once, in table order; rows without one say so', () => {
    const quiet = { date: '2026-12-05', loadAtStart: '1.9 2.0 2.1' };
    const busy = { date: '2026-12-06', loadAtStart: '10.75 12.11 12.51' };
    const rows = [row('S1'), row('S1'), row('S6', busy), row('S6', busy), row('S8', quiet)];
    expect(runsOf(rows)).toBe(
      'S1 not recorded; S6 2026-12-06 (load 10.75 12.11 12.51); S8 2026-12-05 (load 1.9 2.0 2.1)',
    );
    const section = renderSection(rows, {
      date: '2031-03-09',
      nproc: 2,
      cpu: 'AMD EPYC',
      node: 'v20',
      loadAtStart: '0.1 0.1 0.1',
    });
    expect(section).toContain('S6 2026-12-06 (load 10.75 12.11 12.51)');
    // The date of the run writing the table is not claimed for the rows it kept.
    expect(section).not.toContain('2031-03-09');
  });
});
