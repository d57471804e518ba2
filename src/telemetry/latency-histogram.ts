/** p50 / p95 / p99 and the rest of a latency histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Smallest latency told apart (1 µs); anything faster falls in the first bucket. */
const FLOOR_MS = 0.001;
/** Each bucket is 2% wider than the one before, so a percentile is read within about 1%. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

/**
 * A histogram of latencies in log-spaced buckets: constant memory however many samples
 * (a few hundred buckets span 1 µs to minutes), percentiles read within about 1% of the
 * exact value, and histograms merge by adding counts.
 *
 * @example
 * ```ts
 * const histogram = new LatencyHistogram();
 * histogram.record(4.2);
 * histogram.summary().p95;
 * ```
 */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;
  private sum = 0;
  private low = Infinity;
  private high = -Infinity;

  /** Samples recorded. */
  get count(): number {
    return this.total;
  }

  /** Records one latency in milliseconds; negative or non-finite values are ignored. */
  record(milliseconds: number): void {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) return;
    const bucket = milliseconds <= FLOOR_MS ? 0 : Math.ceil(Math.log(milliseconds / FLOOR_MS) / LOG_GROWTH);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.total += 1;
    this.sum += milliseconds;
    this.low = Math.min(this.low, milliseconds);
    this.high = Math.max(this.high, milliseconds);
  }

  /** Adds another histogram's samples to this one. */
  merge(other: LatencyHistogram): void {
    for (const [bucket, count] of other.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + count);
    this.total += other.total;
    this.sum += other.sum;
    this.low = Math.min(this.low, other.low);
    this.high = Math.max(this.high, other.high);
  }

  /**
   * The latency below which a share `q` of the samples fall (0 when empty): the geometric
   * middle of the bucket holding the ⌈q·n⌉-th smallest sample, kept within the observed range.
   */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * this.total));
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket) as number;
      if (seen >= rank) {
        const middle = bucket === 0 ? FLOOR_MS : FLOOR_MS * GROWTH ** (bucket - 0.5);
        return Math.min(this.high, Math.max(this.low, middle));
      }
    }
    return this.high;
  }

  /** Count, mean, extremes and the three percentiles. */
  summary(): LatencySummary {
    if (this.total === 0) return { count: 0, mean: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 };
    return {
      count: this.total,
      mean: this.sum / this.total,
      min: this.low,
      max: this.high,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
    };
  }
}
