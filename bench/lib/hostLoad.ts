// Other people's CPU use on this machine (other test runs, builds): measured around every run, and waited out
// before it, so a busy neighbour does not silently skew a case. Linux /proc only; elsewhere it reads as zero.
import { readFileSync } from 'node:fs';
import { cpuMs } from './proc';

interface Totals {
  wallMs: number;
  busyMs: number;
  stealMs: number;
  oursMs: number;
}

export interface HostLoad {
  /** CPU used by processes that are not the bench's own, in cores (1 = one core busy all the time). */
  foreignCores: number;
  /** Time the hypervisor gave to other guests, in cores. */
  stealCores: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

const readTotals = (pids: readonly number[]): Totals => {
  let busyMs = 0;
  let stealMs = 0;
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    busyMs = (user + nice + system + irq + softirq) * TICK_MS;
    stealMs = steal * TICK_MS;
  } catch {
    // not Linux
  }
  const oursMs = pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
  return { wallMs: performance.now(), busyMs, stealMs, oursMs };
};

export interface LoadMeter {
  stop(): HostLoad;
}

/** Starts measuring; `pids` are the bench's own processes (this one included by the caller). */
export const meterHostLoad = (pids: () => readonly number[]): LoadMeter => {
  const start = readTotals(pids());
  return {
    stop() {
      const end = readTotals(pids());
      const wall = Math.max(1, end.wallMs - start.wallMs);
      const foreign = end.busyMs - start.busyMs - (end.oursMs - start.oursMs);
      return { foreignCores: Math.max(0, foreign / wall), stealCores: Math.max(0, (end.stealMs - start.stealMs) / wall) };
    },
  };
};

/** Waits (in 1 s looks, at most `maxWaitMs`) until others use under `thresholdCores`; returns how long it waited. */
export const waitForQuiet = async (pids: () => readonly number[], thresholdCores: number, maxWaitMs: number): Promise<number> => {
  const started = performance.now();
  while (performance.now() - started < maxWaitMs) {
    const meter = meterHostLoad(pids);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (meter.stop().foreignCores < thresholdCores) break;
  }
  return performance.now() - started;
};
