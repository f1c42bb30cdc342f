// Small statistics helpers: median, nearest-rank percentile over a sorted array, least-squares line, and the way a
// figure is printed.
/** A figure with `digits` decimals; "–" for one that was not measured. */
export const fmt = (value: number | undefined, digits = 2): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Nearest-rank percentile (0 < p <= 100) of an ascending array. */
export const percentileOfSorted = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
};

export interface Line {
  slope: number;
  intercept: number;
  /** Coefficient of determination, 0..1 (NaN for a constant series). */
  r2: number;
}

export const linearRegression = (xs: readonly number[], ys: readonly number[]): Line => {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i += 1) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: sxx === 0 || syy === 0 ? Number.NaN : (sxy * sxy) / (sxx * syy) };
};
