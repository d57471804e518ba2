import { quantileSeq } from "mathjs";
import { describe, expect, it } from "vitest";
import { LatencyHistogram, Rng, Telemetry } from "../../src/index.js";

/** Exact quantile of sorted samples by the same rank rule the histogram uses (⌈q·n⌉-th smallest). */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

describe("LatencyHistogram", () => {
  it("reads p50 / p95 / p99 of an exponential distribution within 3% of the true quantiles", () => {
    const rng = new Rng(7);
    const mean = 4; // ms
    const histogram = new LatencyHistogram();
    for (let sample = 0; sample < 200_000; sample += 1) histogram.record(-mean * Math.log(1 - rng.next()));
    const summary = histogram.summary();
    // Quantile q of Exp(mean) is −mean·ln(1 − q).
    expect(summary.p50 / (mean * Math.LN2)).toBeCloseTo(1, 1);
    for (const [q, got] of [[0.5, summary.p50], [0.95, summary.p95], [0.99, summary.p99]] as const) {
      const truth = -mean * Math.log(1 - q);
      expect(Math.abs(got - truth) / truth).toBeLessThan(0.03);
    }
    expect(summary.count).toBe(200_000);
    expect(Math.abs(summary.mean - mean) / mean).toBeLessThan(0.02);
  });

  it("stays within about 1% of the exact sample quantiles of a lognormal sample (checked with mathjs)", () => {
    const rng = new Rng(11);
    const samples = Array.from({ length: 20_000 }, () => Math.exp(rng.normal(0, 1.5)));
    const histogram = new LatencyHistogram();
    for (const sample of samples) histogram.record(sample);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(histogram.quantile(q) - exact) / exact).toBeLessThan(0.011);
      // mathjs interpolates between neighbours; with 20k samples that is the same within the bucket width.
      const interpolated = quantileSeq(samples, q) as number;
      expect(Math.abs(histogram.quantile(q) - interpolated) / interpolated).toBeLessThan(0.02);
    }
  });

  it("gives the exact value of a constant latency, the extremes of tiny samples, and zeros when empty", () => {
    const constant = new LatencyHistogram();
    for (let index = 0; index < 100; index += 1) constant.record(2.5);
    expect(constant.summary()).toMatchObject({ count: 100, min: 2.5, max: 2.5, p50: 2.5, p99: 2.5, mean: 2.5 });
    const two = new LatencyHistogram();
    two.record(1);
    two.record(100);
    expect(two.quantile(0.5)).toBeCloseTo(1, 1);
    expect(two.quantile(0.99)).toBeCloseTo(100, -1);
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, mean: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 });
    two.record(Number.NaN);
    two.record(-1);
    expect(two.count).toBe(2);
  });

  it("merges histograms as if every sample had been recorded in one", () => {
    const rng = new Rng(3);
    const whole = new LatencyHistogram();
    const left = new LatencyHistogram();
    const right = new LatencyHistogram();
    for (let index = 0; index < 5000; index += 1) {
      const sample = rng.next() * 50;
      whole.record(sample);
      (index % 2 === 0 ? left : right).record(sample);
    }
    left.merge(right);
    const { mean, ...merged } = left.summary();
    const { mean: wholeMean, ...expected } = whole.summary();
    expect(merged).toEqual(expected);
    expect(mean).toBeCloseTo(wholeMean, 9);
  });
});

describe("Telemetry", () => {
  it("times each operation into its own histogram, also when the work throws", async () => {
    const telemetry = new Telemetry();
    await telemetry.time("retrieve", async () => new Promise((resolve) => setTimeout(resolve, 5)));
    await expect(telemetry.time("save", async () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    expect(telemetry.timeSync("predict", () => 42)).toBe(42);
    const latency = telemetry.latency();
    expect(latency.retrieve.count).toBe(1);
    expect(latency.retrieve.p50).toBeGreaterThanOrEqual(4);
    expect(latency.save.count).toBe(1);
    expect(latency.predict.count).toBe(1);
    expect(latency.load.count).toBe(0);
  });
});
