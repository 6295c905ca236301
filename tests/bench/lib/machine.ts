/** The machine line of the report: date, cores, CPU model, Node version, load. */
import { cpus, loadavg } from 'node:os';

export type Machine = {
  date: string;
  nproc: number;
  cpu: string;
  node: string;
  loadAtStart: string;
};

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString().slice(0, 10),
    // cpus(), not availableParallelism(): the runner itself is pinned to one core.
    nproc: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAtStart: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}
