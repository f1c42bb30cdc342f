// Reads another process's counters from /proc (Linux): peak RSS with a per-run reset, and CPU time.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const statusKb = (pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
};

/** Resets VmHWM to the current RSS (clear_refs "5"), so the next read is this run's peak; false where not allowed. */
export const resetPeakRss = (pid: number): boolean => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
};

export const peakRssKb = (pid: number): number | undefined => statusKb(pid, 'VmHWM');
export const rssKb = (pid: number): number | undefined => statusKb(pid, 'VmRSS');

let ticksPerSecond: number | undefined;
const clockTicks = (): number => {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
};

/** utime + stime of a process in ms (clock-tick resolution), or undefined when it cannot be read. */
export const cpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime + stime) ? ((utime + stime) * 1000) / clockTicks() : undefined;
  } catch {
    return undefined;
  }
};
