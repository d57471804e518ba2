/** One row of a reliability table. */
export interface CalibrationBin {
  /** Lower edge of the bin, in normalised prediction. */
  from: number;
  /** Upper edge. */
  to: number;
  count: number;
  meanPredicted: number;
  meanObserved: number;
}

/** How far predicted values can be trusted. */
export interface CalibrationReport {
  samples: number;
  /** Range predictions and returns were normalised from. */
  range: [number, number];
  /** Mean squared gap between normalised prediction and normalised return (0 is perfect). */
  brierScore: number;
  /** Count-weighted mean |mean predicted − mean observed| over the bins. */
  expectedCalibrationError: number;
  bins: CalibrationBin[];
}

/**
 * Compares predictions with the returns that followed, both mapped onto [0, 1] from `range`:
 * Brier score, expected calibration error over `binCount` equal-width bins, reliability table.
 */
export function calibrationReport(
  pairs: ReadonlyArray<{ predicted: number; observed: number }>,
  range: [number, number],
  binCount = 10,
): CalibrationReport {
  const [low, high] = range;
  const scale = (value: number): number => Math.min(1, Math.max(0, (value - low) / (high - low)));
  const bins = Array.from({ length: binCount }, (_, index) => ({
    from: index / binCount,
    to: (index + 1) / binCount,
    count: 0,
    predicted: 0,
    observed: 0,
  }));
  let squared = 0;
  for (const { predicted, observed } of pairs) {
    const p = scale(predicted);
    const o = scale(observed);
    squared += (p - o) ** 2;
    const bin = bins[Math.min(binCount - 1, Math.floor(p * binCount))] as (typeof bins)[number];
    bin.count += 1;
    bin.predicted += p;
    bin.observed += o;
  }
  const samples = pairs.length;
  const table = bins.map((bin) => ({
    from: bin.from,
    to: bin.to,
    count: bin.count,
    meanPredicted: bin.count === 0 ? 0 : bin.predicted / bin.count,
    meanObserved: bin.count === 0 ? 0 : bin.observed / bin.count,
  }));
  const expectedCalibrationError =
    samples === 0 ? 0 : table.reduce((sum, bin) => sum + (bin.count / samples) * Math.abs(bin.meanPredicted - bin.meanObserved), 0);
  return { samples, range: [low, high], brierScore: samples === 0 ? 0 : squared / samples, expectedCalibrationError, bins: table };
}

/**
 * The range calibration reads values against: the reward range when one is configured,
 * otherwise the lowest and highest of the predictions and returns (one wider either way when
 * they are all equal; [0, 1] without pairs).
 */
export function calibrationRange(
  pairs: ReadonlyArray<{ predicted: number; observed: number }>,
  rewardRange: readonly [number, number] | undefined,
): [number, number] {
  if (rewardRange !== undefined) return [rewardRange[0], rewardRange[1]];
  const all = pairs.flatMap((pair) => [pair.predicted, pair.observed]);
  const low = Math.min(...all);
  const high = Math.max(...all);
  return all.length === 0 ? [0, 1] : low < high ? [low, high] : [low - 1, high + 1];
}
