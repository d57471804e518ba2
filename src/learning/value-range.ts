/** The lowest and highest value of `entries` (Infinity and −Infinity when there are none). */
export function valueExtremes(entries: Iterable<{ value: number }>): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const { value } of entries) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return { low, high };
}

/**
 * The range Q-values are read against: the reward range when one is configured, otherwise
 * the lowest and highest value (one wider either way when they are equal).
 */
export function rangeOf(rewardRange: readonly [number, number] | undefined, extremes: () => { low: number; high: number }): [number, number] {
  if (rewardRange !== undefined) return [rewardRange[0], rewardRange[1]];
  const { low, high } = extremes();
  return low < high ? [low, high] : [low - 1, high + 1];
}

/** A value kept within a range; unchanged without one. */
export function clampToRange(value: number, range: readonly [number, number] | undefined): number {
  if (range === undefined) return value;
  return Math.min(range[1], Math.max(range[0], value));
}

/** A value mapped onto [0, 1] by a range (and clamped there); unchanged without one. */
export function normalizeToRange(value: number, range: readonly [number, number] | undefined): number {
  if (range === undefined) return value;
  const [low, high] = range;
  return Math.min(1, Math.max(0, (value - low) / (high - low)));
}
