// Two-sided 95% critical values of Student's t for 1–30 degrees of freedom: with a few
// seeds, the normal 1.96 would make the intervals far too narrow.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean and the half-width of its 95% confidence interval (Student's t; 0 for one value). */
export function meanAndInterval(values: readonly number[]): { mean: number; halfWidth: number } {
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  if (values.length < 2) return { mean, halfWidth: 0 };
  const variance = values.reduce((total, value) => total + (value - mean) ** 2, 0) / (values.length - 1);
  const df = values.length - 1;
  const t = T95[df - 1] ?? (df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96);
  return { mean, halfWidth: (t * Math.sqrt(variance)) / Math.sqrt(values.length) };
}
