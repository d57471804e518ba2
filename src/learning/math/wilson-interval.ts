/** Inputs of {@link wilsonInterval}. */
export interface WilsonIntervalInput {
  successes: number;
  trials: number;
  /** Normal quantile of the two-sided confidence. @default 1.96 (95%) */
  z?: number;
}

/**
 * The Wilson score interval of a success rate: where the true rate lies with the given
 * confidence. With no trials it is [0, 1], knowing nothing.
 */
export function wilsonInterval({ successes, trials, z = 1.96 }: WilsonIntervalInput): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const rate = successes / trials;
  const z2 = z * z;
  const centre = (rate + z2 / (2 * trials)) / (1 + z2 / trials);
  const margin = (z / (1 + z2 / trials)) * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}
