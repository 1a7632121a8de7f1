/** Order statistics for benchmark samples (milliseconds or nanoseconds, as given). */

/** The q-quantile (0..1) by nearest rank on a sorted copy; NaN for no samples. */
export function quantile(samples, q) {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const median = (s) => quantile(s, 0.5);
export const p90 = (s) => quantile(s, 0.9);

/** What the report keeps of one variant's samples. */
export function summarize(label, samples, failures = 0) {
  return { label, n: samples.length, failures, median: median(samples), p90: p90(samples), min: samples.length ? Math.min(...samples) : Number.NaN };
}
