/**
 * What the kernel says a process used: CPU time from /proc/<pid>/stat (utime +
 * stime, every thread of the process, in clock ticks) and resident memory from
 * /proc/<pid>/status (VmRSS). Read from outside the process, so the figure is the
 * same for our service and for every peer, whatever it runs on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, the unit of utime and stime (100 on Linux almost always). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const text = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`bad CLK_TCK: ${text}`);
    ticksPerSecond = parsed;
  }
  return ticksPerSecond;
}

/** User plus system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: fields are
  // counted from the last ')'. utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`cannot read utime/stime of ${pid}`);
  }
  return (utime + stime) / clockTicksPerSecond();
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}
