// "No growth trend" in memory samples: the soak's rule, also the chaos run's for its overload phase.
import type { TargetCheck } from './results';
import { fmt, linearRegression, type Line } from './stats';

/** "No growth trend": the steady-state line may rise at most this much per minute (≈ 60 MB per hour)... */
export const MAX_SLOPE_MB_PER_MIN = 1;
/**
 * ...unless the line explains almost nothing of the samples: heapUsed sampled at random points of the GC sawtooth
 * gives steep, meaningless lines (R² near 0), while a leak climbs steadily (R² near 1).
 */
export const MIN_R2_FOR_GROWTH = 0.5;

/** Where the steady state begins in a run of `durationS`: the first quarter, at most a minute, is warm-up. */
export const steadyStartS = (durationS: number): number => Math.min(60, durationS / 4);

/** The least-squares line, in MB per minute, through the samples taken at or after `fromS` (seconds). */
export const trendFrom = <T extends { tS: number }>(samples: readonly T[], megabytes: (sample: T) => number, fromS: number): Line => {
  const steady = samples.filter((sample) => sample.tS >= fromS);
  return linearRegression(steady.map((sample) => sample.tS / 60), steady.map(megabytes));
};

/** Growth is a slope above the limit (the soak's, unless given) that the line actually explains. */
export const trendVerdict = (name: string, line: Line, where: string, maxSlopeMbPerMin = MAX_SLOPE_MB_PER_MIN): TargetCheck => ({
  name,
  required: `slope ≤ ${maxSlopeMbPerMin} MB/min, or R² < ${MIN_R2_FOR_GROWTH}`,
  measured: `${fmt(line.slope, 3)} MB/min, R² ${fmt(line.r2)} (${where})`,
  pass: Number.isFinite(line.slope) ? line.slope <= maxSlopeMbPerMin || line.r2 < MIN_R2_FOR_GROWTH : undefined,
});
