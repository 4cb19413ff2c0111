/** Nearest-rank percentile of unsorted numbers; null for an empty list. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Linear interpolation of a cumulative series [t, v] at time t (clamped to its ends). */
export function valueAt(series: Array<[number, number]>, t: number): number | null {
  if (series.length === 0) return null;
  if (t <= series[0]![0]) return series[0]![1];
  for (let i = 1; i < series.length; i += 1) {
    const [t1, v1] = series[i]!;
    if (t <= t1) {
      const [t0, v0] = series[i - 1]!;
      return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return series[series.length - 1]![1];
}
